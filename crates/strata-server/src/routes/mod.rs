//! HTTP handlers: one folder per resource family, each with its own `router()`, and the
//! helpers they share. [`request`] holds what every handler starts from ([`Req`],
//! [`Mutation`]) and the sequence every mutation runs ([`Mutation::run`]).

pub mod archives;
pub mod backups;
pub(crate) mod body;
pub mod dry_run;
pub mod health;
mod lists;
pub mod operations;
mod probes;
pub mod providers;
pub mod replicas;
mod request;
pub mod snapshots;
pub mod volume_groups;
pub mod volumes;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
pub use body::ApiJson;
pub use probes::RegistryProbes;
pub use request::{kind_check, named, provider_call, Mutation, Req, Target, VendorCall};
use serde::{Deserialize, Serialize};
use strata_core::context::CallCtx;
use strata_core::error::Result as CoreResult;
use strata_core::ids::{GlobalId, IdGrammar, ResourceType};
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
        .merge(volume_groups::router())
        .merge(backups::router())
        .merge(archives::router())
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
    GlobalId::parse_as(raw, rtype).map_err(|e| {
        if e.names_nothing() && rtype.has_id_form(raw) {
            // Of the documented form, so the client followed the contract: no such resource.
            Problem::from(strata_core::Error::not_found(rtype, raw))
        } else {
            invalid_id(e, "id")
        }
    })
}

/// Checks a vendor id taken verbatim from the path (a mount target, a server) against the
/// provider's id grammar, so it cannot steer the vendor call: outside the documented token
/// form it is malformed (400); a token the provider's own ids never look like (a non-UUID on
/// NHN) names nothing there (404 `<what>_not_found`).
pub fn vendor_ref(
    p: &Arc<dyn Provider>,
    raw: &str,
    field: &str,
    what: &str,
) -> Result<(), Problem> {
    IdGrammar::Token
        .check(raw, "vendor")
        .map_err(|e| invalid_id(e, field))?;
    p.id_grammar().check(raw, "vendor").map_err(|_| {
        Problem::new(
            StatusCode::NOT_FOUND,
            &format!("{what}_not_found"),
            "Not found",
            format!("{} `{raw}` was not found", what.replace('_', " ")),
        )
        .with_provider(&p.info().id)
    })
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
    /// Wait up to this long for the operation to finish (`30s`, `500ms`, `2m`; a bare number
    /// is seconds; capped at the gateway's `operations.max_wait_seconds`, 60 s by default).
    /// The answer is `200` with the finished operation, or `202` if it is still running.
    /// Without it the answer is `202` at once: poll the operation.
    pub wait: Option<String>,
    /// `true`: a dry run. The request is checked as a real one (token, scopes, ids, body,
    /// query, the provider's capabilities), then answered `200` with a `DryRun` document of
    /// the vendor requests it would send, instead of sending them. Nothing changes anywhere.
    pub validate_only: Option<bool>,
}

/// Query parameters of `GET /v1/operations/{id}` (documentation shape).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitParams {
    /// Wait up to this long for the operation to finish (`30s`, `500ms`, `2m`; a bare number
    /// is seconds; capped at the gateway's `operations.max_wait_seconds`, 60 s by default).
    pub wait: Option<String>,
}

/// Parses `30s`, `500ms`, `2m` or a bare number of seconds (the documented
/// [`WAIT_PATTERN`](crate::openapi::WAIT_PATTERN): 1–9 digits, optional unit), capped at
/// `max`. Anything else, the empty string included, is refused rather than guessed at.
pub fn parse_wait(raw: Option<&str>, max: Duration) -> Result<Option<Duration>, Problem> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let bad = || {
        Problem::from(strata_core::Error::invalid(
            "wait",
            format!(
                "`wait` must be 1–9 digits with an optional unit (ms, s, m), like 30s, 500ms \
                 or 2m; got `{}`",
                raw.chars().take(32).collect::<String>()
            ),
        ))
    };
    let digits = raw.bytes().take_while(u8::is_ascii_digit).count();
    let (num, unit) = raw.split_at(digits);
    if !(1..=9).contains(&digits) {
        return Err(bad());
    }
    let n: u64 = num.parse().map_err(|_| bad())?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "" | "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
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
    #[serde(default, deserialize_with = "page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// Reads `page_size`, refusing values above the documented maximum (0 means the default).
pub(crate) fn page_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use strata_core::paging::MAX_PAGE_SIZE;
    match Option::<u32>::deserialize(d)? {
        Some(n) if n > MAX_PAGE_SIZE => Err(serde::de::Error::custom(format!(
            "`page_size` must be at most {MAX_PAGE_SIZE}, got {n}"
        ))),
        n => Ok(n),
    }
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
        // Exactly the documented pattern: no blanks, signs, empty values or 10+ digits.
        for bad in [
            "5h",
            "",
            " 30s",
            "30s ",
            "-1s",
            "+1",
            "1234567890",
            "30S",
            "1.5s",
        ] {
            assert_eq!(
                parse_wait(Some(bad), max).unwrap_err().code,
                "invalid_argument",
                "{bad:?}"
            );
        }
        let pattern = regex::Regex::new(crate::openapi::WAIT_PATTERN).unwrap();
        for s in [
            "0",
            "7",
            "30s",
            "500ms",
            "2m",
            "999999999m",
            "5h",
            "",
            "1234567890",
        ] {
            assert_eq!(
                pattern.is_match(s),
                parse_wait(Some(s), max).is_ok(),
                "{s:?}"
            );
        }
    }
}
