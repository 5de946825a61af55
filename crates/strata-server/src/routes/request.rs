//! What every `/v1` handler starts from, and the one sequence every mutation runs.
//!
//! [`Req`] (reads) and [`Mutation`] (changes) are extractors: the call context, the principal
//! and, for mutations, the validated `?wait=` are taken from the request before the handler
//! runs, so a malformed parameter is refused before any vendor call. A mutation of an existing
//! resource resolves its target ([`Req::target`]: the id, its provider, the provider's id
//! grammar) and then makes one call to [`Mutation::run`]: check the request against the
//! provider's capabilities, make the vendor call, track the operation.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use futures::future::BoxFuture;
use strata_core::capability::{Feature, KindCapabilities};
use strata_core::catalogue::Op;
use strata_core::context::{answer_as_is, CachePolicy, CallCtx};
use strata_core::error::Result as CoreResult;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;
use strata_core::operation::Operation;
use strata_core::provider::Provider;

use super::{
    invalid_id, operation_response, parse_id, parse_wait, ApiQuery, ApiResult, MutationParams,
};
use crate::auth::Principal;
use crate::conditional::Rendered;
use crate::problem::Problem;
use crate::state::AppState;

/// A `/v1` request: the app state, the call context of its provider calls (request id, cache
/// policy from `Cache-Control: no-cache`, principal) and the verified principal.
pub struct Req {
    /// The gateway's shared state.
    pub state: AppState,
    /// The context every provider call of this request carries.
    pub ctx: CallCtx,
    /// Who is calling.
    pub principal: Arc<Principal>,
}

impl FromRequestParts<AppState> for Req {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let principal = parts
            .extensions
            .get::<Arc<Principal>>()
            .cloned()
            .ok_or_else(|| {
                Problem::from(strata_core::Error::Internal(
                    "a /v1 route ran without the auth layer".into(),
                ))
            })?;
        // The edge's id, shared rather than copied.
        let request_id = strata_core::context::REQUEST_ID.try_with(Arc::clone).ok();
        let no_cache = parts
            .headers
            .get_all(header::CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|d| d.trim().eq_ignore_ascii_case("no-cache"));
        let ctx = CallCtx {
            request_id,
            deadline: None,
            cache: if no_cache {
                CachePolicy::Bypass
            } else {
                CachePolicy::Normal
            },
            principal: Some(principal.subject.clone()),
        };
        Ok(Req {
            state: state.clone(),
            ctx,
            principal,
        })
    }
}

/// A resolved resource: its id and the provider that serves it.
pub struct Target {
    /// The parsed global id.
    pub id: GlobalId,
    /// The provider the id names.
    pub p: Arc<dyn Provider>,
}

impl Req {
    /// Parses `raw` as an id of `rtype`, resolves its provider (which the token must be
    /// allowed to use) and checks the id against the provider's id grammar.
    pub fn target(&self, raw: &str, rtype: ResourceType) -> Result<Target, Problem> {
        let id = parse_id(raw, rtype)?;
        let (p, grammar) = self.state.registry.resolve(&id.provider, &self.principal)?;
        // A token the provider's own ids never look like names nothing there.
        id.check_grammar(grammar).map_err(|_| {
            Problem::from(strata_core::Error::not_found(rtype, raw)).with_provider(&p.info().id)
        })?;
        Ok(Target { id, p })
    }

    /// The provider with this id, if the token may use it.
    pub fn provider(&self, id: &str) -> Result<Arc<dyn Provider>, Problem> {
        self.state.registry.get(id, &self.principal)
    }
}

impl Target {
    /// A target for an id a provider returned (a created resource).
    pub fn returned(
        p: &Arc<dyn Provider>,
        raw: &str,
        rtype: ResourceType,
    ) -> Result<Self, Problem> {
        Ok(Target {
            id: parse_id(raw, rtype)?,
            p: p.clone(),
        })
    }

    /// Runs a provider call, naming the provider in any problem it returns.
    pub async fn call<T>(&self, fut: impl Future<Output = CoreResult<T>>) -> Result<T, Problem> {
        provider_call(&self.p, fut).await
    }

    /// Runs a provider call whose answer is the whole `200` response. An answer from a cache
    /// entry is sent as the entry's rendition (serialized and tagged once per entry; once it
    /// is, the cache hands out the rendition instead of a copy of the value).
    pub async fn answer<T: serde::Serialize + 'static>(
        &self,
        fut: impl Future<Output = CoreResult<T>>,
    ) -> ApiResult {
        let (answer, rendition) = answer_as_is::<Rendered, _>(fut).await;
        let value = match answer {
            Err(strata_core::Error::Rendered) => {
                let rendered = rendition.and_then(|r| r.get::<T, Rendered>());
                // The cache answers so only when it holds this very rendering.
                return rendered.map(|r| r.response()).ok_or_else(Problem::internal);
            }
            answer => answer.map_err(|e| named(&self.p, e))?,
        };
        let rendered = rendition.and_then(|r| r.get_or_render::<T, _>(|| Rendered::of(&value)));
        Ok(match rendered {
            Some(r) => r.response(),
            None => super::ok(&value),
        })
    }

    /// Checks the request against the capabilities of the target's volume kind.
    pub fn check(
        &self,
        f: impl FnOnce(&KindCapabilities) -> CoreResult<()>,
    ) -> Result<(), Problem> {
        kind_check(&self.p, self.id.kind, f)
    }

    /// Checks that the provider offers `feature` for the target's volume kind.
    pub fn require(&self, feature: Feature) -> Result<(), Problem> {
        self.check(|k| k.require(feature))
    }
}

/// Runs a provider call, naming the provider in any problem it returns.
pub async fn provider_call<T>(
    p: &Arc<dyn Provider>,
    fut: impl Future<Output = CoreResult<T>>,
) -> Result<T, Problem> {
    fut.await.map_err(|e| named(p, e))
}

/// A provider's error as a problem naming the provider.
pub fn named(p: &Arc<dyn Provider>, e: strata_core::Error) -> Problem {
    Problem::from(e).with_provider(&p.info().id)
}

/// Checks a request against the capabilities of a volume kind, before any vendor call.
pub fn kind_check(
    p: &Arc<dyn Provider>,
    kind: Option<VolumeKind>,
    f: impl FnOnce(&KindCapabilities) -> CoreResult<()>,
) -> Result<(), Problem> {
    // Every volume-family id carries its kind; one without it routes nowhere.
    let kind = kind
        .ok_or_else(|| invalid_id(strata_core::IdError::Unroutable(ResourceType::Volume), "id"))?;
    p.capabilities()
        .kind(kind)
        .and_then(f)
        .map_err(|e| named(p, e))
}

/// A change: a [`Req`] plus how long the client waits for its operation (`?wait=`, validated
/// and capped while the request is extracted).
pub struct Mutation {
    /// The request.
    pub req: Req,
    /// How long to wait for the operation, already capped at the configured maximum.
    pub wait: Option<Duration>,
    /// The request's `If-Match`, evaluated by [`Mutation::preconditions`].
    precondition: Option<Arc<crate::conditional::Precondition>>,
}

impl Deref for Mutation {
    type Target = Req;
    fn deref(&self) -> &Req {
        &self.req
    }
}

impl FromRequestParts<AppState> for Mutation {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let ApiQuery(q) = ApiQuery::<MutationParams>::from_request_parts(parts, state).await?;
        if let Some(flag) = q.validate_only {
            if parts.method == axum::http::Method::GET {
                return Err(Problem::from(strata_core::Error::invalid(
                    "validate_only",
                    "`validate_only` applies to changes only",
                )));
            }
            if flag && strata_core::dry_run::active().is_none() {
                // The dry-run pipeline step reads the flag as this extractor does; never let a
                // request that asked for a dry run run for real.
                tracing::error!("validate_only=true outside a dry run");
                return Err(Problem::internal());
            }
        }
        if parts.method != axum::http::Method::GET
            && q.validate_only != Some(true)
            && !state.shared_state_up()
        {
            // Refused before any vendor call: a change whose operation or idempotency record
            // could not be kept must not half-happen.
            return Err(Problem::from(strata_core::Error::StoreUnavailable(
                "down".into(),
            )));
        }
        let max = Duration::from_secs(state.config.operations.max_wait_seconds);
        let wait = parse_wait(q.wait.as_deref(), max)?;
        Ok(Mutation {
            req: Req::from_request_parts(parts, state).await?,
            wait,
            precondition: parts.extensions.remove(),
        })
    }
}

/// The vendor call of a mutation: the provider's answer for the target.
pub type VendorCall<'a, T> = BoxFuture<'a, CoreResult<T>>;

impl Mutation {
    /// The sequence every mutation of an existing resource runs, after the handler resolved
    /// its target ([`Req::target`]): `check` the request against the provider's
    /// capabilities, make the vendor `call`, and track operation `op` on the target
    /// (answering `202`, or `200` when done within `?wait=`). The probe is rebuilt from the
    /// operation's kind and target ([`super::probes`]).
    pub async fn run<'a, T>(
        &'a self,
        t: &'a Target,
        op: Op,
        check: impl FnOnce(&Target) -> Result<(), Problem>,
        call: impl FnOnce(&'a dyn Provider, &'a CallCtx, &'a GlobalId) -> VendorCall<'a, T>,
    ) -> ApiResult {
        self.run_with(t, op, None, check, call).await
    }

    /// [`Mutation::run`] for a kind whose probe needs one more argument than the target
    /// (`detail`: the mount target of `volume.mount_target.delete`).
    pub async fn run_with<'a, T>(
        &'a self,
        t: &'a Target,
        op: Op,
        detail: Option<String>,
        check: impl FnOnce(&Target) -> Result<(), Problem>,
        call: impl FnOnce(&'a dyn Provider, &'a CallCtx, &'a GlobalId) -> VendorCall<'a, T>,
    ) -> ApiResult {
        check(t)?;
        self.preconditions().await?;
        t.call(call(t.p.as_ref(), &self.ctx, &t.id)).await?;
        let target = Target {
            id: t.id.clone(),
            p: t.p.clone(),
        };
        self.track_with(op, target, detail).await
    }

    /// Evaluates the request's `If-Match` (`412 precondition_failed` when it names no current
    /// representation). Called once the request is validated, right before its first vendor
    /// call, by [`Mutation::run`] and by handlers that do not use it. A dry run reads no
    /// vendor, so it does not evaluate it.
    pub async fn preconditions(&self) -> Result<(), Problem> {
        match &self.precondition {
            Some(p) if strata_core::dry_run::active().is_some() => {
                p.skip();
                Ok(())
            }
            Some(p) => p.check().await,
            None => Ok(()),
        }
    }

    /// Starts tracking operation `op` on `t` and answers with it: `202 Accepted` (or `200`
    /// once done when the client waited) and `Location: /v1/operations/{id}`.
    pub async fn track(&self, op: Op, t: Target) -> ApiResult {
        self.track_with(op, t, None).await
    }

    /// [`Mutation::track`] with the probe's extra argument. The operation is recorded as
    /// data (kind, target, owner, deadline, request id), so any replica sharing the store can
    /// rebuild its probe and finish it; the probe's calls carry the request's id and bypass
    /// caches ([`CallCtx::probe`]).
    pub async fn track_with(&self, op: Op, t: Target, detail: Option<String>) -> ApiResult {
        if strata_core::dry_run::active().is_some() {
            // A dry run stops at the vendor boundary; reaching here would start real work.
            tracing::error!(operation = op.name(), "a dry run reached the tracker");
            return Err(Problem::internal());
        }
        self.state
            .metrics
            .operations_started
            .with_label_values(&[op.name()])
            .inc();
        let mut record = Operation::start(op.name(), &t.p.info().id, Some(t.id.encode()));
        record.principal = Some(self.principal.subject.to_string());
        let tracker = &self.state.tracker;
        let mut rec = tracker.record(record, detail);
        rec.request_id = self.ctx.request_id.as_deref().map(str::to_string);
        let mut record = tracker.start(rec).await.map_err(Problem::from)?;
        if let Some(w) = self.wait {
            record = tracker.wait(&record.id, w).await.map_err(Problem::from)?;
        }
        Ok(operation_response(&record))
    }
}
