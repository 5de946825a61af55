//! Fault injection and request recording, shared by every vendor simulator.
//!
//! Tests turn the knobs through a [`Faults`] handle: added latency, a random error rate, or a
//! forced status for the next N calls. Every request is recorded (method, path and query), so a
//! test can prove that the gateway refused bad input *without* calling the vendor.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;

/// One request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// Path and query, e.g. `/v1/volumes?limit=50`.
    pub uri: String,
    /// The `X-Request-Id` the caller forwarded, if any.
    pub request_id: Option<String>,
    /// The JSON body, when the request had one.
    pub body: Option<serde_json::Value>,
}

#[derive(Default)]
struct State {
    latency: Duration,
    error_rate: f64,
    error_status: u16,
    forced: Option<(u16, u32)>,
    /// Raw body sent with forced answers instead of the vendor's own error shape.
    forced_body: Option<String>,
    /// `Retry-After` seconds sent with forced and random 429 and 503 answers.
    retry_after: Option<u64>,
    log: Vec<Recorded>,
}

/// The fault knobs and request log of one simulated service. Cloning shares them.
#[derive(Clone, Default)]
pub struct Faults(Arc<Mutex<State>>);

impl Faults {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Delays every request by `d`.
    pub fn set_latency(&self, d: Duration) {
        self.lock().latency = d;
    }

    /// Fails a random `rate` (0.0–1.0) of requests with `status`.
    pub fn set_error_rate(&self, rate: f64, status: u16) {
        let mut s = self.lock();
        s.error_rate = rate.clamp(0.0, 1.0);
        s.error_status = status;
    }

    /// Answers the next `times` requests with `status` without touching any state.
    pub fn force_status(&self, status: u16, times: u32) {
        self.lock().forced = Some((status, times));
    }

    /// Answers the next `times` requests with `status` and this raw body, as a misbehaving
    /// vendor would (stack traces, internal hosts, secrets).
    pub fn force_answer(&self, status: u16, body: &str, times: u32) {
        let mut s = self.lock();
        s.forced = Some((status, times));
        s.forced_body = Some(body.to_string());
    }

    /// Sends `Retry-After: secs` with every injected 429 or 503 (`None`: none).
    pub fn set_retry_after(&self, secs: Option<u64>) {
        self.lock().retry_after = secs;
    }

    /// Removes every fault (the log is kept).
    pub fn clear(&self) {
        let mut s = self.lock();
        s.latency = Duration::ZERO;
        s.error_rate = 0.0;
        s.forced = None;
        s.forced_body = None;
        s.retry_after = None;
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().log.clone()
    }

    /// How many requests were seen so far.
    pub fn request_count(&self) -> usize {
        self.lock().log.len()
    }

    /// Records the request and decides its fate: the latency to add and, when the request
    /// must fail, the status to fail it with.
    fn admit(&self, rec: Recorded) -> (Duration, Option<(u16, Option<String>)>) {
        let mut s = self.lock();
        s.log.push(rec);
        let forced = match &mut s.forced {
            Some((status, n)) if *n > 0 => {
                *n -= 1;
                Some((*status, s.forced_body.clone()))
            }
            _ => None,
        };
        let random = (s.error_rate > 0.0 && rand::thread_rng().gen_bool(s.error_rate))
            .then_some((s.error_status, None));
        (s.latency, forced.or(random))
    }

    /// The middleware: records, delays and fails requests as configured. `render` builds the
    /// vendor's own error body for a status.
    pub async fn inject(
        self,
        render: fn(StatusCode) -> Response,
        req: Request,
        next: Next,
    ) -> Response {
        let uri = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_string(), |p| p.to_string());
        let request_id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // Buffer the body to record it, then hand the same bytes on.
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        let rec = Recorded {
            method: parts.method.to_string(),
            uri,
            request_id,
            body: serde_json::from_slice(&bytes).ok(),
        };
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let (latency, fail) = self.admit(rec);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let fail = fail.and_then(|(s, body)| Some((StatusCode::from_u16(s).ok()?, body)));
        let mut resp = match fail {
            Some((status, Some(body))) => (status, body).into_response(),
            Some((status, None)) => render(status),
            None => return next.run(req).await,
        };
        let throttled = matches!(resp.status().as_u16(), 429 | 503);
        if let Some(secs) = self.lock().retry_after.filter(|_| throttled) {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(uri: &str) -> Recorded {
        Recorded {
            method: "GET".into(),
            uri: uri.into(),
            request_id: None,
            body: None,
        }
    }

    #[test]
    fn forced_status_applies_to_exactly_n_calls() {
        let f = Faults::default();
        f.force_status(500, 2);
        assert_eq!(f.admit(get("/a")).1, Some((500, None)));
        assert_eq!(f.admit(get("/a")).1, Some((500, None)));
        assert_eq!(f.admit(get("/a")).1, None);
        assert_eq!(f.request_count(), 3);
    }

    #[test]
    fn error_rate_one_fails_everything_and_clear_stops_it() {
        let f = Faults::default();
        f.set_error_rate(1.0, 503);
        assert!((0..20).all(|_| f.admit(get("/")).1 == Some((503, None))));
        f.clear();
        assert!((0..20).all(|_| f.admit(get("/")).1.is_none()));
    }
}
