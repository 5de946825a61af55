//! HTTP handlers: one folder per resource family, each with its own `router()`, and the
//! helpers they share. [`request`] holds what every handler starts from ([`Req`],
//! [`Mutation`]) and the sequence every mutation runs ([`Mutation::run`]).

mod body;
pub mod health;
pub mod operations;
pub mod providers;
pub mod replicas;
mod request;
pub mod snapshots;
pub mod volumes;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
pub use body::ApiJson;
pub use request::{kind_check, provider_call, Mutation, Req, Target, VendorCall};
use serde::{Deserialize, Serialize};
use strata_core::context::CallCtx;
use strata_core::error::Result as CoreResult;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::operation::{probe_settled, Operation, Probe, Settles};
use strata_core::provider::Provider;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::problem::Problem;
use crate::state::AppState;

/// The `/v1` routes (authenticated), family by family, with their documentation.
pub fn v1_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(providers::router())
        .merge(operations::router())
        .merge(volumes::router())
        .merge(snapshots::router())
        .merge(replicas::router())
}

/// The open routes (liveness and readiness) with their documentation.
pub fn open_router() -> OpenApiRouter<AppState> {
    health::router()
}

/// Query extractor whose rejections are problem+json.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct ApiQuery<T>(pub T);

/// Path extractor whose rejections are problem+json.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct ApiPath<T>(pub T);

/// A JSON response with `200 OK`.
pub fn ok<T: Serialize>(value: &T) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

/// Handler result.
pub type ApiResult = Result<Response, Problem>;

/// Parses a global id of the expected type.
pub fn parse_id(raw: &str, rtype: ResourceType) -> Result<GlobalId, Problem> {
    GlobalId::parse_as(raw, rtype).map_err(|e| invalid_id(e, "id"))
}

/// Checks a vendor id taken verbatim from the path (a mount target, a server) against the
/// provider's id grammar, so it cannot steer the vendor call.
pub fn vendor_ref(p: &Arc<dyn Provider>, raw: &str, field: &str) -> Result<(), Problem> {
    p.id_grammar()
        .check(raw, "vendor")
        .map_err(|e| invalid_id(e, field))
}

pub(crate) fn invalid_id(e: strata_core::IdError, field: &str) -> Problem {
    let mut p = Problem::from(strata_core::Error::InvalidId(e));
    p.field = Some(field.into());
    p
}

/// Query parameters of mutations (documentation shape; handlers take [`Mutation`]).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MutationParams {
    /// Wait up to this long for the operation to finish (`30s`, `500ms`, `2m`); the answer is
    /// `200` with the finished operation, or `202` if it is still running.
    #[param(example = "30s")]
    pub wait: Option<String>,
}

/// Parses `30s`, `500ms`, `2m` or a bare number of seconds, capped at `max`.
pub fn parse_wait(raw: Option<&str>, max: Duration) -> Result<Option<Duration>, Problem> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        Problem::from(strata_core::Error::invalid(
            "wait",
            format!("`wait` must look like 30s, 500ms or 2m, got `{raw}`"),
        ))
    };
    let (num, unit) = raw
        .find(|c: char| !c.is_ascii_digit())
        .map_or((raw, "s"), |i| raw.split_at(i));
    let n: u64 = num.parse().map_err(|_| bad())?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(bad()),
    };
    Ok(Some(d.min(max)))
}

/// The response for an operation record.
pub fn operation_response(op: &Operation) -> Response {
    let status = if op.done {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    let mut resp = (status, axum::Json(op)).into_response();
    if let Ok(loc) = HeaderValue::from_str(&format!("/v1/operations/{}", op.id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    resp
}

/// The future a probe returns.
pub type ProbeFuture = futures::future::BoxFuture<'static, CoreResult<Probe>>;

/// How a probe reads the resource it watches (`|p, ctx, id| p.get_volume(ctx, id)`).
pub type Read<T> =
    for<'a> fn(&'a dyn Provider, &'a CallCtx, &'a GlobalId) -> request::VendorCall<'a, T>;

/// A probe that settles once the resource `read` returns leaves its transitional status.
pub fn settle<T: Settles + Send + 'static>(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
    read: Read<T>,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, move |p, id, ctx| async move {
        probe_settled(read(p.as_ref(), &ctx, &id).await)
    })
}

/// Builds a tracker probe that calls `f(provider, id, ctx)` on every poll.
pub fn poller<F, Fut>(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
    f: F,
) -> impl FnMut() -> ProbeFuture + Send + 'static
where
    F: Fn(Arc<dyn Provider>, GlobalId, CallCtx) -> Fut + Send + 'static,
    Fut: Future<Output = CoreResult<Probe>> + Send + 'static,
{
    move || Box::pin(f(p.clone(), id.clone(), ctx.clone()))
}

/// A provider that could not be listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnreachableProvider {
    /// The provider that could not be listed.
    pub provider: String,
    /// The problem `code` of the failure (`vendor_timeout`, `vendor_error`, …).
    pub code: String,
    /// A sanitized description of the failure.
    pub detail: String,
}

impl From<strata_core::paging::Unreachable> for UnreachableProvider {
    fn from(u: strata_core::paging::Unreachable) -> Self {
        UnreachableProvider {
            provider: u.provider,
            code: u.error.code(),
            detail: u.error.public_detail(),
        }
    }
}

/// Common paging parameters (AIP-158).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page (default 50, at most 500).
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_durations() {
        let max = Duration::from_secs(60);
        assert_eq!(
            parse_wait(Some("30s"), max).unwrap(),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_wait(Some("500ms"), max).unwrap(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(parse_wait(Some("2m"), max).unwrap(), Some(max));
        assert_eq!(
            parse_wait(Some("7"), max).unwrap(),
            Some(Duration::from_secs(7))
        );
        assert_eq!(parse_wait(None, max).unwrap(), None);
        assert_eq!(
            parse_wait(Some("soon"), max).unwrap_err().code,
            "invalid_argument"
        );
        assert_eq!(
            parse_wait(Some("5h"), max).unwrap_err().code,
            "invalid_argument"
        );
    }
}
