//! HTTP handlers, one module per resource family, and the helpers they share.

mod body;
pub mod health;
pub mod operations;
pub mod providers;
pub mod replicas;
pub mod snapshots;
pub mod volumes;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
pub use body::ApiJson;
use serde::{Deserialize, Serialize};
use strata_core::catalogue::Op;
use strata_core::context::{CachePolicy, CallCtx};
use strata_core::error::Result as CoreResult;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::operation::{Operation, Probe};
use strata_core::provider::Provider;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::problem::Problem;
use crate::state::AppState;

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

/// Parses a global id of the expected type and resolves its provider.
pub fn target(
    state: &AppState,
    principal: &Principal,
    raw: &str,
    rtype: ResourceType,
) -> Result<(GlobalId, Arc<dyn Provider>), Problem> {
    let id = parse_id(raw, rtype)?;
    let p = state.registry.get(&id.provider, principal)?;
    id.check_grammar(p.id_grammar())
        .map_err(|e| invalid_id(e, "id"))?;
    Ok((id, p))
}

/// Checks a vendor id taken verbatim from the path (a mount target, a server) against the
/// provider's id grammar, so it cannot steer the vendor call.
pub fn vendor_ref(p: &Arc<dyn Provider>, raw: &str, field: &str) -> Result<(), Problem> {
    p.id_grammar()
        .check(raw, "vendor")
        .map_err(|e| invalid_id(e, field))
}

fn invalid_id(e: strata_core::IdError, field: &str) -> Problem {
    let mut p = Problem::from(strata_core::Error::InvalidId(e));
    p.field = Some(field.into());
    p
}

/// Runs a provider call, naming the provider in any problem it returns.
pub async fn call<T>(
    provider: &str,
    fut: impl Future<Output = CoreResult<T>>,
) -> Result<T, Problem> {
    fut.await
        .map_err(|e| Problem::from(e).with_provider(provider))
}

/// Maps a core error from validation (before any vendor call) to a problem naming the provider.
pub fn check(provider: &str, r: CoreResult<()>) -> Result<(), Problem> {
    r.map_err(|e| Problem::from(e).with_provider(provider))
}

/// Checks a request against the capabilities of a volume kind, before any vendor call.
pub fn kind_check(
    p: &Arc<dyn Provider>,
    kind: Option<strata_core::model::VolumeKind>,
    f: impl FnOnce(&strata_core::capability::KindCapabilities) -> CoreResult<()>,
) -> Result<(), Problem> {
    // Every volume-family id carries its kind; one without it routes nowhere.
    let kind = kind
        .ok_or_else(|| invalid_id(strata_core::IdError::Unroutable(ResourceType::Volume), "id"))?;
    check(&p.info().id, p.capabilities().kind(kind).and_then(f))
}

/// Checks that the provider supports a feature for the kind of `id`.
pub fn require(
    p: &Arc<dyn Provider>,
    id: &GlobalId,
    f: strata_core::capability::Feature,
) -> Result<(), Problem> {
    kind_check(p, id.kind, |k| k.require(f))
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

/// The validated query of a mutation (or of a waiting read). It is an extractor, so a
/// malformed parameter is refused while the request is taken apart, before the handler can
/// make any vendor call: a request answered 4xx has changed nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mutation {
    /// How long the client is prepared to wait, already capped at the configured maximum.
    pub wait: Option<Duration>,
}

impl FromRequestParts<AppState> for Mutation {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Problem> {
        let ApiQuery(q) = ApiQuery::<MutationParams>::from_request_parts(parts, state).await?;
        let max = Duration::from_secs(state.config.operations.max_wait_seconds);
        Ok(Mutation {
            wait: parse_wait(q.wait.as_deref(), max)?,
        })
    }
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

/// Starts tracking operation `op` on `id` (served by `p`) and answers with it: `202 Accepted`
/// (or `200` once done when the client waited) and `Location: /v1/operations/{id}`.
/// `probe(p, id, ctx)` builds the tracker's probe; its calls carry the request's id and
/// bypass caches ([`CallCtx::probe`]).
#[allow(clippy::too_many_arguments)] // each is a distinct part of the request
pub async fn start_operation<P, Fut>(
    state: &AppState,
    ctx: &CallCtx,
    principal: &Principal,
    kind: Op,
    p: Arc<dyn Provider>,
    id: GlobalId,
    q: &Mutation,
    probe: impl FnOnce(Arc<dyn Provider>, GlobalId, CallCtx) -> P,
) -> ApiResult
where
    P: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = CoreResult<Probe>> + Send,
{
    let mut op = Operation::start(kind.name(), &p.info().id, Some(id.encode()));
    op.principal = Some(principal.subject.clone());
    let mut op = state
        .tracker
        .track(op, probe(p, id, ctx.probe()))
        .await
        .map_err(Problem::from)?;
    if let Some(w) = q.wait {
        op = state.tracker.wait(&op.id, w).await.map_err(Problem::from)?;
    }
    Ok(operation_response(&op))
}

/// The provider call context of a request: its id (forwarded to vendors), its cache policy
/// (`Cache-Control: no-cache` asks the vendor) and its principal.
pub struct Ctx(pub CallCtx);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .headers
            .get(crate::app::X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(Arc::from);
        let no_cache = parts
            .headers
            .get_all(header::CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|d| d.trim().eq_ignore_ascii_case("no-cache"));
        let principal = parts
            .extensions
            .get::<Arc<Principal>>()
            .map(|p| Arc::from(p.subject.as_str()));
        Ok(Ctx(CallCtx {
            request_id,
            deadline: None,
            cache: if no_cache {
                CachePolicy::Bypass
            } else {
                CachePolicy::Normal
            },
            principal,
        }))
    }
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
    pub provider: String,
    pub code: String,
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
