//! `GET /v1/providers`, `GET /v1/providers/{id}`.

use std::sync::Arc;

use axum::extract::State;
use axum::Extension;
use serde::Serialize;
use strata_core::capability::Capabilities;
use strata_core::model::ProviderInfo;
use strata_core::provider::{Health, Provider};
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ok, ApiPath, ApiResult};
use crate::auth::Principal;
use crate::state::AppState;

/// A provider with its capability document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderDetail {
    /// Who the provider is.
    #[serde(flatten)]
    pub info: ProviderInfo,
    /// What it can do, and within which limits.
    pub capabilities: Capabilities,
    /// Whether its vendor answers.
    pub health: Health,
}

/// The providers list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderList {
    /// The providers this token may use.
    pub providers: Vec<ProviderInfo>,
}

/// The provider routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_providers))
        .routes(routes!(get_provider))
}

/// Lists the providers this token may use.
#[utoipa::path(get, path = "/v1/providers", tag = "providers", responses((status = 200, body = ProviderList)))]
pub async fn list_providers(
    State(state): State<AppState>,
    Extension(principal): Extension<Arc<Principal>>,
) -> ApiResult {
    let providers = state
        .registry
        .visible(&principal)
        .map(|p| p.info().clone())
        .collect();
    Ok(ok(&ProviderList { providers }))
}

/// A provider's capabilities (supported operations, limits, name rules) and health.
///
/// What the provider offers per volume kind: features, size rules, protocols, tiers, name
/// rules, schedule and replication options. Requests outside these are answered `422`
/// before any vendor call.
#[utoipa::path(get, path = "/v1/providers/{id}", tag = "providers",
    params(("id" = String, Path, description = "Provider id")),
    responses((status = 200, body = ProviderDetail)))]
pub async fn get_provider(
    State(state): State<AppState>,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let p: Arc<dyn Provider> = state.registry.get(&id, &principal)?;
    let health = p.health().await;
    Ok(ok(&ProviderDetail {
        info: p.info().clone(),
        capabilities: p.capabilities().clone(),
        health,
    }))
}
