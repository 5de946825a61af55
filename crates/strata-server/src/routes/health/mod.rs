//! Liveness and readiness.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The open liveness and readiness routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// Prometheus metrics in the text format: HTTP requests by route template, vendor calls by
/// provider, operation and outcome, retries, breaker state, cache lookups and evictions,
/// operations. Open; with `server.metrics_listen` set it is served on that address instead,
/// and this one answers `404`.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
        (status = 404, description = "Served on the metrics address instead (`server.metrics_listen`): `route_not_found`.", body = crate::problem::ProblemDetails, content_type = "application/problem+json")))]
pub async fn metrics(state: State<AppState>) -> axum::response::Response {
    crate::metrics::metrics(state).await
}

/// Health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    /// `ok`, or why not.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// Number of configured providers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub providers: Option<usize>,
    /// With `redis_url`: whether Redis answers (`up`, `down`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "up")]
    pub redis: Option<&'static str>,
}

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = HealthStatus)))]
pub async fn healthz() -> impl IntoResponse {
    axum::Json(HealthStatus {
        status: "ok",
        providers: None,
        redis: None,
    })
}

/// Readiness: configuration loaded, providers registered and, with `redis_url`, Redis
/// reachable (`redis`: `up` or `down`). A vendor outage does not make the gateway unready
/// (lists report unreachable providers instead), so a load balancer does not drop every
/// replica at once; a Redis outage does, since changes then fail on this replica (reads go on
/// working for clients that still reach it).
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = HealthStatus), (status = 503, body = HealthStatus)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let n = state.registry.len();
    let redis = state.redis.as_ref().map(|r| r.is_up());
    let (status, text) = match (n > 0, redis) {
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "no providers configured"),
        (true, Some(false)) => (StatusCode::SERVICE_UNAVAILABLE, "redis unavailable"),
        (true, _) => (StatusCode::OK, "ready"),
    };
    (
        status,
        axum::Json(HealthStatus {
            status: text,
            providers: Some(n),
            redis: redis.map(|up| if up { "up" } else { "down" }),
        }),
    )
}
