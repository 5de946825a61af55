//! `Idempotency-Key` on every change (draft-ietf-httpapi-idempotency-key-header).
//!
//! - A key is scoped to the caller: the record is keyed by the token's subject *and* the key,
//!   so two principals' keys never collide.
//! - The first request with a key runs; its response (status, body, `Location`) is kept for
//!   `idempotency.window_seconds` (24 h) and replayed to every retry with the same request,
//!   marked `Idempotent-Replayed: true`. A `5xx` answer is not kept: the retry runs again.
//! - The same key with another request (its fingerprint: method, path and query, body) is
//!   `422 idempotency_key_reused`; a retry while the first still runs is `409
//!   idempotency_key_in_use` (retryable, `Retry-After: 1`).
//! - With Redis the records are shared, so retries sent to any replica are answered the
//!   same; when the store is unreachable a request carrying a key is `503
//!   shared_state_unavailable` rather than risk running twice.
//! - Dry runs (`?validate_only=true`) change nothing and are not recorded.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::app::Step;
use crate::auth::Principal;
use crate::problem::Problem;
use crate::shared::idempotency::{Claim, Entry, StoredResponse};
use crate::state::AppState;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header marking a replayed response.
pub const REPLAYED: &str = "idempotent-replayed";
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// The documented form of a key: printable ASCII.
pub const KEY_PATTERN: &str = "^[\\x20-\\x7E]{1,255}$";
/// Headers of a first response that a replay repeats.
const KEPT: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::RETRY_AFTER];

/// The key as sent, or why it is refused: 1–255 printable ASCII characters (a structured
/// field string's quotes are taken off).
fn parse_key(v: &HeaderValue) -> Result<String, Problem> {
    let s = v.to_str().unwrap_or("");
    let s = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s);
    if s.is_empty() || s.len() > MAX_KEY_LEN || !s.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        let mut p = Problem::from(strata_core::Error::invalid(
            "Idempotency-Key",
            format!("`Idempotency-Key` must be 1–{MAX_KEY_LEN} printable ASCII characters"),
        ));
        p.field = Some("Idempotency-Key".into());
        return Err(p);
    }
    Ok(s.to_string())
}

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

fn problem(status: StatusCode, code: &str, title: &str, detail: &str) -> Response {
    Problem::new(status, code, title, detail).into_response()
}

/// The pipeline step (after authentication: it needs the principal). A request without an
/// `Idempotency-Key` goes on as the next step's future itself.
pub fn idempotency<'a, F, Fut>(state: &'a AppState, req: Request, next: F) -> Step<'a, Fut>
where
    F: FnOnce(Request) -> Fut + Send + 'a,
    Fut: Future<Output = Response> + Send + 'a,
{
    let raw = match req.headers().get(IDEMPOTENCY_KEY) {
        Some(raw) if !req.method().is_safe() => raw.clone(),
        _ => return Step::Left(next(req)),
    };
    Step::Right(Box::pin(keyed(state, req, raw, next)))
}

/// A change with an `Idempotency-Key` (`raw`): answered from the key's record, or run and
/// recorded.
async fn keyed<F, Fut>(state: &AppState, req: Request, raw: HeaderValue, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let key = match parse_key(&raw) {
        Ok(k) => k,
        // Refused like the real request would be, dry run or not.
        Err(p) => return p.into_response(),
    };
    if crate::routes::dry_run::wants_dry_run(req.uri()) {
        return next(req).await;
    }
    let subject = req
        .extensions()
        .get::<Arc<Principal>>()
        .map(|p| p.subject.clone())
        .unwrap_or_else(|| Arc::from(""));
    let (parts, body) = req.into_parts();
    let bytes = match crate::routes::body::read_body(body, state.config.max_body_bytes).await {
        Ok(b) => b,
        Err(refused) => return refused.into_response(),
    };
    let target = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let fingerprint = hex_sha256(&[parts.method.as_str().as_bytes(), target.as_bytes(), &bytes]);
    // Hashed: the store's keys are bounded and never hold what the client sent.
    let record = hex_sha256(&[subject.as_bytes(), key.as_bytes()]);
    let store = state.idempotency.clone();
    // A request holds its key at most this long (its longest `?wait=` and vendor calls).
    let lock = Duration::from_secs(state.config.operations.max_wait_seconds)
        + state.config.layers.deadlines().default * 3
        + Duration::from_secs(30);
    match store.claim(&record, &fingerprint, lock).await {
        Err(e) => Problem::from(e).into_response(),
        Ok(Claim::Held(entry)) if entry.fingerprint != fingerprint => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "Idempotency key reused",
            "this Idempotency-Key was used for a different request (method, path or body); \
             use a new key for a new request",
        ),
        Ok(Claim::Held(Entry { response: None, .. })) => {
            let mut p = Problem::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "Idempotency key in use",
                "a request with this Idempotency-Key is still being processed; retry shortly \
                 to get its response",
            );
            p.retryable = true;
            let mut resp = p.into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            resp
        }
        Ok(Claim::Held(Entry {
            response: Some(stored),
            ..
        })) => replay(stored),
        Ok(Claim::Claimed) => {
            let req = Request::from_parts(parts, Body::from(bytes));
            let resp = next(req).await;
            finish(state, &record, fingerprint, resp).await
        }
    }
}

/// Keeps the first response (or frees the key after a `5xx`) and returns it.
async fn finish(state: &AppState, record: &str, fingerprint: String, resp: Response) -> Response {
    let store = &state.idempotency;
    let (parts, body) = resp.into_parts();
    if parts.status.is_server_error() {
        if let Err(e) = store.abandon(record).await {
            tracing::warn!(error = %e, "could not free an idempotency key");
        }
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => return Problem::internal().into_response(),
    };
    let entry = Entry {
        fingerprint,
        response: Some(StoredResponse {
            status: parts.status.as_u16(),
            headers: KEPT
                .iter()
                .filter_map(|h| {
                    let v = parts.headers.get(h)?.to_str().ok()?;
                    Some((h.as_str().to_string(), v.to_string()))
                })
                .collect(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }),
    };
    let window = Duration::from_secs(state.config.idempotency.window_seconds.max(1));
    if let Err(e) = store.complete(record, &entry, window).await {
        // The change happened; its record is lost. The key stays locked until the lock
        // expires, so a retry meanwhile gets 409 rather than running again.
        tracing::error!(error = %e, "could not store the response of an idempotent request");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, stored.body).into_response();
    let headers = resp.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    for (k, v) in stored.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            headers.insert(k, v);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_up_to_255() {
        let ok = |s: &str| parse_key(&HeaderValue::from_str(s).unwrap());
        assert_eq!(ok("abc-123").unwrap(), "abc-123");
        assert_eq!(ok("\"8e03978e-40d5\"").unwrap(), "8e03978e-40d5");
        assert_eq!(ok("with space").unwrap(), "with space");
        assert!(ok(&"x".repeat(255)).is_ok());
        assert_eq!(ok(&"x".repeat(256)).unwrap_err().code, "invalid_argument");
        assert_eq!(ok("\"\"").unwrap_err().code, "invalid_argument");
        let pattern = regex::Regex::new(KEY_PATTERN).unwrap();
        assert!(pattern.is_match("abc-123") && !pattern.is_match(&"x".repeat(256)));
    }

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_ne!(
            hex_sha256(&[b"POST", b"/v1/volumesx", b""]),
            hex_sha256(&[b"POST", b"/v1/volumes", b"x"])
        );
    }
}
