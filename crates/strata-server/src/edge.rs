//! The edge of every request: the request id (`X-Request-Id` in and out, a tracing span, one
//! access-log line), the head limits (`414`/`431`), HTTP metrics by route template, answers
//! due before the shutdown grace ends, `Age` for answers served from the cache, and a panic
//! caught as a `500` problem.
//!
//! A tower layer of its own rather than `middleware::from_fn` plus `CatchPanicLayer`: its
//! work before the route is synchronous, so it calls the route in place, where `from_fn`
//! clones the route, boxes it once more and boxes its own future on every request.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::future::{BoxFuture, Either};
use futures::FutureExt;
use strata_core::context::{RequestClock, REQUEST_CLOCK};
use tracing::Instrument;

use crate::around::AroundRoute;
use crate::problem::{Problem, REQUEST_ID};
use crate::server::head_problem;
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

/// The edge, put around every route and fallback (`Router::layer(Around(Edge(state)))`).
#[derive(Clone)]
pub struct Edge(pub AppState);

impl<S> AroundRoute<S> for Edge
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    fn call(
        &self,
        inner: &mut S,
        req: Request,
    ) -> BoxFuture<'static, Result<Response, Infallible>> {
        let start = Instant::now();
        // Visible to everything below as the `REQUEST_ID` task-local; sent back as the header.
        let (id, id_value) = request_id_of(&req);
        // The template is shared (an `Arc<str>` inside), not copied per request.
        let route = req.extensions().get::<MatchedPath>().cloned();
        let method = req.method().clone();
        let safe = method.is_safe();
        let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.uri().path(), subject = tracing::field::Empty);
        let request = InFlight::new(self.0.clone());
        // The route only sets up its future here; it runs when polled, inside the scopes.
        // Answers made here become responses when polled too, where they name the request id.
        let work = match head_problem(&request.0, &req) {
            Some(refused) => Either::Left(early(Some(refused))),
            None => match std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(req))) {
                Ok(answer) => Either::Right(
                    AssertUnwindSafe(answer)
                        .catch_unwind()
                        .map(|r| r.map_or_else(|_| panicked(), |Ok(resp)| resp)),
                ),
                Err(_) => Either::Left(early(None)),
            },
        };
        // Combinators rather than async blocks: each holds the route's future once (an async
        // block that moves a captured future into another keeps both).
        let clock = REQUEST_CLOCK.scope(
            RequestClock::new(start),
            // The cache layer notes when any cached answer it served was stored (`Age`).
            BeforeGrace::new(work, request, safe).map(|(resp, request)| {
                (
                    resp,
                    request,
                    REQUEST_CLOCK.with(RequestClock::oldest_answer),
                )
            }),
        );
        let served = REQUEST_ID.scope(id, clock).instrument(span.clone());
        Box::pin(served.map(move |(mut resp, request, stored)| {
            let took = start.elapsed();
            request.0.metrics.record_http(
                route.as_ref().map_or("unmatched", MatchedPath::as_str),
                method.as_str(),
                resp.status(),
                took,
            );
            drop(request);
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
        }))
    }
}

/// A request in flight: counted in `http_requests_in_flight` until dropped (answered, or its
/// connection gone), with the gateway's state for the edge's work.
struct InFlight(AppState);

impl InFlight {
    fn new(state: AppState) -> Self {
        state.metrics.http.enter();
        InFlight(state)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.metrics.http.leave();
    }
}

pin_project_lite::pin_project! {
    /// Runs `work` (the rest of the request) unless the server drains and answers are due
    /// first: then a request still running (a slow vendor call) gets `503 shutting_down`
    /// instead of a dropped connection. The timer is made (boxed) only if `work` is still
    /// running when first polled, so a request answered at once carries none.
    struct BeforeGrace<F> {
        #[pin]
        work: F,
        due: Option<BoxFuture<'static, ()>>,
        request: Option<InFlight>,
        safe: bool,
    }
}

impl<F> BeforeGrace<F> {
    fn new(work: F, request: InFlight, safe: bool) -> Self {
        BeforeGrace {
            work,
            due: None,
            request: Some(request),
            safe,
        }
    }
}

impl<F: Future<Output = Response>> Future for BeforeGrace<F> {
    type Output = (Response, InFlight);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = match this.work.poll(cx) {
            Poll::Ready(resp) => resp,
            Poll::Pending => {
                let due = this.due.get_or_insert_with(|| {
                    let shutdown = this
                        .request
                        .as_ref()
                        .map(|r| r.0.shutdown.clone())
                        .unwrap_or_default();
                    Box::pin(async move {
                        let at = shutdown.answer_by().await;
                        tokio::time::sleep_until(at).await;
                    })
                });
                ready!(due.as_mut().poll(cx));
                tracing::warn!("shutting down: answering a request that is still running");
                shutting_down(*this.safe)
            }
        };
        let request = this
            .request
            .take()
            .expect("BeforeGrace polled after it answered");
        Poll::Ready((answer, request))
    }
}

fn shutting_down(safe: bool) -> Response {
    let mut p = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "shutting_down",
        "Shutting down",
        "the gateway is shutting down and this request did not finish in time; a change it \
         asked for may still be made (see /v1/operations)",
    );
    p.retryable = safe;
    p.into_response()
}

/// An answer made before the route (a refused head, or `None`: the route panicked setting up).
fn early(
    problem: Option<Problem>,
) -> futures::future::Lazy<impl FnOnce(&mut Context<'_>) -> Response> {
    futures::future::lazy(move |_| problem.map_or_else(panicked, IntoResponse::into_response))
}

fn panicked() -> Response {
    tracing::error!("a handler panicked");
    Problem::internal().into_response()
}
