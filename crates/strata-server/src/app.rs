//! Builds the gateway from its configuration and serves it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Router;
use futures::future::BoxFuture;
use futures::FutureExt;
use strata_core::operation::{Backoff, MemoryOperationStore, OperationStore, Tracker};

use crate::around::{Around, AroundRoute};
use crate::auth::{require_auth, Authenticator};
use crate::config::Config;
use crate::edge::Edge;
use crate::metrics::Metrics;
use crate::openapi;
use crate::problem::Problem;
use crate::shared::idempotency::{IdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore};
use crate::shared::invalidation::Invalidations;
use crate::shared::operations::RedisOperationStore;
use crate::shared::Redis;
use crate::state::{AppState, AppStateInner, Registry, Shutdown};

pub use crate::vendors::build_providers;

/// Everything the gateway needs, built from configuration.
pub struct Gateway {
    /// What every handler shares: providers, tracker, configuration.
    pub state: AppState,
    /// Verifies bearer tokens.
    pub auth: Arc<Authenticator>,
}

impl Gateway {
    /// Builds providers, the operation store and the authenticator.
    pub async fn from_config(config: Config) -> anyhow::Result<Self> {
        let mut registry = Registry::new();
        for p in build_providers(&config.providers)? {
            registry.insert(p);
        }
        Self::with_registry(config, registry).await
    }

    /// Builds the gateway around providers made elsewhere (the demo, tests).
    pub async fn with_registry(config: Config, registry: Registry) -> anyhow::Result<Self> {
        let auth = Arc::new(Authenticator::new(&config.auth).await?);
        let ops = &config.operations;
        let metrics = Metrics::new();
        let settled = metrics.clone();
        let redis = match &config.redis_url {
            Some(url) => Some(Redis::open(
                &url.resolve()
                    .map_err(|e| anyhow::anyhow!("redis_url: {e}"))?,
            )?),
            None => None,
        };
        let (store, idempotency, invalidations): (
            Arc<dyn OperationStore>,
            Arc<dyn IdempotencyStore>,
            _,
        ) = match &redis {
            Some(r) => (
                Arc::new(RedisOperationStore::new(
                    r.clone(),
                    Duration::from_secs(ops.retention_days.max(1) * 86_400),
                )),
                Arc::new(RedisIdempotencyStore::new(r.clone())),
                Invalidations::shared(r.clone()),
            ),
            None => (
                Arc::new(MemoryOperationStore::new(ops.memory_capacity)),
                Arc::new(MemoryIdempotencyStore::default()),
                Invalidations::local(),
            ),
        };
        let registry = Arc::new(registry.layered(&config.layers, &metrics, &invalidations));
        let tracker = Tracker::new(
            store,
            Backoff {
                initial: Duration::from_millis(ops.initial_poll_ms.max(1)),
                max: Duration::from_millis(ops.max_poll_ms.max(ops.initial_poll_ms).max(1)),
                factor: 2.0,
                timeout: Duration::from_secs(ops.timeout_seconds.max(1)),
            },
        )
        .with_observer(Arc::new(move |op| {
            settled
                .operations_settled
                .with_label_values(&[op.kind.as_str(), op.state.as_str()])
                .inc();
        }))
        .with_probes(Arc::new(crate::routes::RegistryProbes(registry.clone())))
        .with_lease(Duration::from_secs(ops.lease_seconds.max(1)))
        .with_family_timeouts(
            ops.family_timeout_seconds
                .iter()
                .map(|(f, s)| (*f, Duration::from_secs((*s).max(1))))
                .collect(),
        );
        if tracker.store().shared() {
            // Another replica's operations, once its lease lapses (it died), are ours to finish.
            tracker.take_over_orphans();
        }
        Ok(Gateway {
            state: AppState::new(AppStateInner {
                registry,
                tracker,
                config: Arc::new(config),
                shutdown: Shutdown::default(),
                metrics,
                redis,
                idempotency,
                invalidations,
            }),
            auth,
        })
    }

    /// The complete axum app.
    pub fn router(&self) -> Router {
        let (v1, v1_doc) = openapi::v1_router().split_for_parts();
        let (open, open_doc) = openapi::open_router().split_for_parts();
        let pipeline = Arc::new(V1Pipeline {
            auth: self.auth.clone(),
            state: self.state.clone(),
            // `If-Match` reads the current representation through the same routes.
            reads: v1.clone().with_state(self.state.clone()),
        });
        let v1 = v1.route_layer(Around(V1(pipeline)));
        Router::new()
            .merge(v1)
            .merge(open)
            .merge(openapi::document_router(openapi::document([
                v1_doc, open_doc,
            ])))
            .merge(openapi::swagger_ui())
            .fallback(route_not_found)
            .method_not_allowed_fallback(method_not_allowed)
            .layer(Around(Edge(self.state.clone())))
            .with_state(self.state.clone())
    }
}

/// What the `/v1` pipeline needs besides the request.
struct V1Pipeline {
    auth: Arc<Authenticator>,
    state: AppState,
    reads: Router,
}

/// What a `/v1` pipeline step hands on: the next step's future itself (the common case, which
/// then adds nothing to the request's future) or the step's own work, boxed.
pub type Step<'a, Fut> = futures::future::Either<Fut, BoxFuture<'a, Response>>;

/// One `/v1` route behind its pipeline (`Router::route_layer(Around(V1(…)))`):
/// authentication, then an `Idempotency-Key` may answer from its record, then
/// `If-None-Match`/`If-Match` are checked and `ETag`s set, then a change may become a dry run.
/// Plain steps in one boxed future, where a `from_fn` middleware per step would box the route
/// and a future once more each.
#[derive(Clone)]
struct V1(Arc<V1Pipeline>);

impl<S> AroundRoute<S> for V1
where
    S: tower::Service<Request, Response = Response, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    fn call(
        &self,
        ready: &mut S,
        req: Request,
    ) -> BoxFuture<'static, Result<Response, Infallible>> {
        // The route runs after the steps: take the instance that is ready, leave a clone.
        let mut route = ready.clone();
        std::mem::swap(&mut route, ready);
        let p = self.0.clone();
        Box::pin(async move {
            let p = &*p;
            let route = move |req| {
                let mut route = route;
                tower::Service::call(&mut route, req).map(|r| r.unwrap_or_else(|n| match n {}))
            };
            Ok(require_auth(&p.auth, req, |req| {
                crate::idempotency::idempotency(&p.state, req, |req| {
                    crate::conditional::conditional(&p.reads, req, |req| {
                        crate::routes::dry_run::dry_run(req, route)
                    })
                })
            })
            .await)
        })
    }
}

async fn route_not_found(req: Request) -> Problem {
    let path = req.uri().path().to_string();
    Problem::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        "Not found",
        format!("no route for {} {path}", req.method()),
    )
    .with_instance(path)
}

async fn method_not_allowed(req: Request) -> Problem {
    let path = req.uri().path().to_string();
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        format!("{} is not allowed on {path}", req.method()),
    )
    .with_instance(path)
}
