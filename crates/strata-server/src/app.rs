//! Builds the gateway from its configuration and serves it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use strata_core::operation::{Backoff, MemoryOperationStore, OperationStore, Tracker};
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;

use crate::auth::{require_auth, Authenticator};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::openapi;
use crate::problem::{Problem, REQUEST_ID};
use crate::server::{before_grace, head_problem};
use crate::shared::idempotency::{IdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore};
use crate::shared::invalidation::Invalidations;
use crate::shared::operations::RedisOperationStore;
use crate::shared::Redis;
use crate::state::{AppState, AppStateInner, Registry, Shutdown};
use strata_core::context::{RequestClock, REQUEST_CLOCK};

pub use crate::vendors::build_providers;

/// The request id header.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

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
        let v1 = v1.route_layer(middleware::from_fn_with_state(pipeline, v1_pipeline));
        Router::new()
            .merge(v1)
            .merge(open)
            .merge(openapi::document_router(openapi::document([
                v1_doc, open_doc,
            ])))
            .merge(openapi::swagger_ui())
            .fallback(route_not_found)
            .method_not_allowed_fallback(method_not_allowed)
            // One layer (outermost first): each `Router::layer` call boxes every route once
            // more, which costs an allocation per layer and request.
            .layer(
                tower::ServiceBuilder::new()
                    .layer(middleware::from_fn_with_state(self.state.clone(), edge))
                    .layer(CatchPanicLayer::custom(
                        |_: Box<dyn std::any::Any + Send>| {
                            tracing::error!("a handler panicked");
                            Problem::internal().into_response()
                        },
                    ))
                    .layer(DefaultBodyLimit::max(self.state.config.max_body_bytes)),
            )
            .with_state(self.state.clone())
    }
}

/// What the `/v1` pipeline needs besides the request.
struct V1Pipeline {
    auth: Arc<Authenticator>,
    state: AppState,
    reads: Router,
}

/// Every `/v1` request, in one middleware (one boxed future and one clone of the route per
/// request instead of one per step): authentication, then an `Idempotency-Key` may answer
/// from its record, then `If-None-Match`/`If-Match` are checked and `ETag`s set, then a change
/// may become a dry run.
async fn v1_pipeline(State(p): State<Arc<V1Pipeline>>, req: Request, next: Next) -> Response {
    require_auth(&p.auth, req, |req| {
        crate::idempotency::idempotency(&p.state, req, |req| {
            crate::conditional::conditional(&p.reads, req, |req| {
                crate::routes::dry_run::dry_run(req, |req| next.run(req))
            })
        })
    })
    .await
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

/// Longest client request id kept.
pub const MAX_REQUEST_ID: usize = 64;

/// Whether a client's request id is kept: 1–64 characters of `A-Z a-z 0-9 - _ . :` (it is
/// logged and forwarded to vendors, so nothing that could be markup or a header trick).
pub fn request_id_ok(s: &str) -> bool {
    (1..=MAX_REQUEST_ID).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Accepts a client's request id if it is in the safe charset, else makes one. Returns the id
/// and its header value (the client's own value, or one made once for request and answer).
fn request_id_of(req: &Request) -> (Arc<str>, HeaderValue) {
    if let Some(v) = req.headers().get(X_REQUEST_ID) {
        if let Some(s) = v.to_str().ok().filter(|s| request_id_ok(s)) {
            return (Arc::from(s), v.clone());
        }
    }
    let mut buf = uuid::Uuid::encode_buffer();
    let id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
    let value = HeaderValue::from_str(id).expect("a UUID is a valid header value");
    (Arc::from(&*id), value)
}

/// The edge of every request, in one middleware (one state clone and one boxed future per
/// request instead of one per concern): the request id (`X-Request-Id` in and out, a tracing
/// span, one access-log line), the head limits (`414`/`431`), HTTP metrics by route template,
/// answers due before the shutdown grace ends, and `Age` for answers served from the cache.
async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Visible to everything below as the `REQUEST_ID` task-local; sent back as the header.
    let (id, id_value) = request_id_of(&req);
    // The template is shared (an `Arc<str>` inside), not copied per request.
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.uri().path(), subject = tracing::field::Empty);
    let start = Instant::now();
    let in_flight = state.metrics.in_flight();
    let served = async {
        if let Some(refused) = head_problem(&state, &req) {
            return (refused, None);
        }
        // The cache layer notes when any cached answer it served was stored (`Age`).
        REQUEST_CLOCK
            .scope(RequestClock::new(start), async {
                let resp = before_grace(&state, method.is_safe(), next.run(req)).await;
                (resp, REQUEST_CLOCK.with(RequestClock::oldest_answer))
            })
            .await
    };
    let (mut resp, stored) = REQUEST_ID.scope(id, served).instrument(span.clone()).await;
    drop(in_flight);
    let took = start.elapsed();
    let age = stored.map(|at| (start + took).saturating_duration_since(at).as_secs());
    state.metrics.record_http(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        method.as_str(),
        resp.status(),
        took,
    );
    resp.headers_mut().insert(X_REQUEST_ID, id_value);
    if let Some(age) = age.filter(|_| resp.status().is_success()) {
        resp.headers_mut()
            .insert(axum::http::header::AGE, HeaderValue::from(age));
    }
    span.in_scope(|| {
        tracing::info!(
            status = resp.status().as_u16(),
            latency_ms = took.as_millis() as u64,
            "served"
        )
    });
    resp
}
