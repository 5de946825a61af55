//! The edge of every request: the request id (`X-Request-Id` in and out, a tracing span, one
//! access-log line), the head limits (`414`/`431`), HTTP metrics by route template, answers
//! due before the shutdown grace ends, `Age` for answers served from the cache, and a panic
//! caught as a `500` problem.
//!
//! A tower layer of its own rather than `middleware::from_fn` plus `CatchPanicLayer`: its
//! work before the route is synchronous, so it calls the route in place, where `from_fn`
//! clones the route, boxes it once more and boxes its own future on every request.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use futures::FutureExt;
use strata_core::context::{RequestClock, REQUEST_CLOCK};
use tracing::Instrument;

use crate::problem::{Problem, REQUEST_ID};
use crate::server::{before_grace, head_problem};
use crate::state::AppState;

/// The request id header.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

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

/// Puts [`Edge`] around every route and fallback (`Router::layer`).
#[derive(Clone)]
pub struct EdgeLayer(pub AppState);

impl<S> tower::Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            state: self.0.clone(),
        }
    }
}

/// One route behind the edge.
#[derive(Clone)]
pub struct Edge<S> {
    inner: S,
    state: AppState,
}

impl<S> tower::Service<Request> for Edge<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let start = Instant::now();
        // Visible to everything below as the `REQUEST_ID` task-local; sent back as the header.
        let (id, id_value) = request_id_of(&req);
        // The template is shared (an `Arc<str>` inside), not copied per request.
        let route = req.extensions().get::<MatchedPath>().cloned();
        let method = req.method().clone();
        let safe = method.is_safe();
        let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.uri().path(), subject = tracing::field::Empty);
        let state = self.state.clone();
        let route_answer = match head_problem(&state, &req) {
            Some(refused) => Err(refused),
            // The route only sets up its future here; it runs when polled, inside the scopes.
            None => Ok(std::panic::catch_unwind(AssertUnwindSafe(|| {
                self.inner.call(req)
            }))),
        };
        let served = async move {
            let in_flight = state.metrics.in_flight();
            let (resp, stored) = match route_answer {
                // Made into a response here, where it can name the request id.
                Err(refused) => (refused.into_response(), None),
                Ok(Err(_)) => (panicked(), None),
                // The cache layer notes when any cached answer it served was stored (`Age`).
                Ok(Ok(answer)) => {
                    let caught = AssertUnwindSafe(answer)
                        .catch_unwind()
                        .map(|r| r.map_or_else(|_| panicked(), |Ok(resp)| resp));
                    REQUEST_CLOCK
                        .scope(RequestClock::new(start), async {
                            let resp = before_grace(&state, safe, caught).await;
                            (resp, REQUEST_CLOCK.with(RequestClock::oldest_answer))
                        })
                        .await
                }
            };
            drop(in_flight);
            (state, resp, stored)
        };
        Box::pin(async move {
            let (state, mut resp, stored) =
                REQUEST_ID.scope(id, served).instrument(span.clone()).await;
            let took = start.elapsed();
            state.metrics.record_http(
                route.as_ref().map_or("unmatched", MatchedPath::as_str),
                method.as_str(),
                resp.status(),
                took,
            );
            resp.headers_mut().insert(X_REQUEST_ID, id_value);
            if let Some(at) = stored.filter(|_| resp.status().is_success()) {
                let age = (start + took).saturating_duration_since(at).as_secs();
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
            Ok(resp)
        })
    }
}

fn panicked() -> Response {
    tracing::error!("a handler panicked");
    Problem::internal().into_response()
}
