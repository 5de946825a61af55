//! `GET /v1/operations`, `GET /v1/operations/{id}`.

use std::sync::Arc;

use axum::extract::State;
use axum::Extension;
use serde::{Deserialize, Serialize};
use strata_core::operation::{Operation, OperationFilter};
use strata_core::paging::{effective_page_size, PageRequest};
use utoipa::{IntoParams, ToSchema};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ok, operation_response, ApiPath, ApiQuery, ApiResult, Mutation, WaitParams};
use crate::auth::{Principal, Scope};
use crate::problem::Problem;
use crate::state::AppState;

/// The operation routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_operations))
        .routes(routes!(get_operation))
}

/// Filters of the operation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperationListParams {
    /// Only operations of this provider.
    pub provider: Option<String>,
    /// Only finished (`true`) or running (`false`) operations.
    pub done: Option<bool>,
    /// Only operations on this resource (global id).
    pub target: Option<String>,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// A page of operations, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OperationList {
    /// The operations of this page.
    pub operations: Vec<Operation>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

fn visible(principal: &Principal, op: &Operation) -> bool {
    principal.may_use(&op.provider)
        && (principal.has(Scope::Admin)
            || op
                .principal
                .as_deref()
                .is_none_or(|p| p == &*principal.subject))
}

/// Lists operations started by this token's subject (all subjects with `storage.admin`).
///
/// Newest first, on every replica. With Redis (`redis_url`) records are kept
/// `operations.retention_days` (30 by default) after their last change; without it the
/// gateway keeps the latest `operations.memory_capacity` (10,000 by default). Older ones are
/// forgotten.
#[utoipa::path(get, path = "/v1/operations", tag = "operations", params(OperationListParams), responses((status = 200, body = OperationList)))]
pub async fn list_operations(
    State(state): State<AppState>,
    Extension(principal): Extension<Arc<Principal>>,
    ApiQuery(q): ApiQuery<OperationListParams>,
) -> ApiResult {
    let filter = OperationFilter {
        provider: q.provider,
        done: q.done,
        target: q.target,
    };
    let size = effective_page_size(q.page_size) as usize;
    let mut token = q.page_token;
    let mut out = Vec::new();
    // The store filters by fields; visibility is per principal, so keep reading until the
    // page is full or the store is exhausted.
    let next = 'pages: loop {
        let page = state
            .tracker
            .store()
            .list(
                &filter,
                &PageRequest {
                    page_size: size as u32,
                    page_token: token.clone(),
                },
            )
            .await
            .map_err(Problem::from)?;
        let n = page.items.len();
        for (i, op) in page.items.into_iter().enumerate() {
            token = Some(op.id.clone());
            if visible(&principal, &op) {
                out.push(op);
            }
            if out.len() == size {
                let more = i + 1 < n || page.next_page_token.is_some();
                break 'pages if more { token } else { None };
            }
        }
        match page.next_page_token {
            Some(t) => token = Some(t),
            None => break None,
        }
    };
    Ok(ok(&OperationList {
        operations: out,
        next_page_token: next,
    }))
}

/// One operation; `?wait=30s` blocks until it is done or the time is up.
///
/// `200` once the operation is `done` (`state` `succeeded` with its `result`, or `failed` with
/// its `error`), `202` while it runs.
#[utoipa::path(get, path = "/v1/operations/{id}", tag = "operations",
    params(("id" = String, Path, description = "Operation id"), WaitParams),
    responses((status = 200, body = Operation, description = "The operation is done"), (status = 202, body = Operation, description = "The operation is still running")))]
pub async fn get_operation(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let (state, principal) = (&m.state, &m.principal);
    let missing = || {
        Problem::new(
            axum::http::StatusCode::NOT_FOUND,
            "operation_not_found",
            "Not found",
            format!("operation `{id}` was not found"),
        )
    };
    let op = state
        .tracker
        .store()
        .get(&id)
        .await
        .map_err(Problem::from)?
        .ok_or_else(missing)?
        .operation;
    if !visible(principal, &op) {
        return Err(missing());
    }
    let op = match m.wait {
        Some(w) if !op.done => state.tracker.wait(&op.id, w).await.map_err(Problem::from)?,
        _ => op,
    };
    Ok(operation_response(&op))
}
