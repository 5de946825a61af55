//! Conditional requests (RFC 9110 §13): a strong `ETag` on every `200` read, computed from
//! the representation's bytes (so every replica gives the same tag for the same
//! representation); `If-None-Match` on a read answers `304 Not Modified`; `If-Match` on
//! `PATCH`, `PUT` and `DELETE` reads the resource's current representation (past the cache)
//! and answers `412 precondition_failed` when no tag matches, before the change reaches any
//! vendor.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine;
use futures::future::BoxFuture;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::app::Step;
use crate::auth::Principal;
use crate::problem::Problem;

/// The strong entity tag of a representation: 128 bits of its SHA-256, base64url.
pub fn etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
    HeaderValue::from_str(&format!("\"{tag}\"")).expect("base64url is a valid header value")
}

/// Bodies up to this size are copied into each answer rather than shared ([`Rendered::response`]).
const SHARE_ABOVE: usize = 16 * 1024;

/// A `200` JSON answer rendered once: its body and entity tag, kept with a cached answer
/// ([`strata_core::context::Rendition`]) so the next requests it serves send them as they are.
pub struct Rendered {
    body: axum::body::Bytes,
    etag: HeaderValue,
}

impl Rendered {
    /// The JSON body of `value` and its tag; `None` if it cannot be serialized.
    pub fn of<T: serde::Serialize>(value: &T) -> Option<Self> {
        let body = axum::body::Bytes::from(serde_json::to_vec(value).ok()?);
        Some(Rendered {
            etag: etag(&body),
            body,
        })
    }

    /// The `200` answer: the same bytes and headers as a freshly serialized one.
    pub fn response(&self) -> Response {
        // A cached answer is sent by every core at once: sharing its bytes would make each
        // request bump and drop one reference count that the cores pass back and forth, which
        // costs more than copying a body of a few KiB (and a 24-byte tag) into the answer.
        let body = if self.body.len() <= SHARE_ABOVE {
            Body::from(self.body.to_vec())
        } else {
            Body::from(self.body.clone())
        };
        let mut resp = Response::new(body);
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let etag =
            HeaderValue::from_bytes(self.etag.as_bytes()).unwrap_or_else(|_| self.etag.clone());
        headers.insert(header::ETAG, etag);
        resp
    }
}

/// Longest `If-Match` / `If-None-Match` accepted (the documented `maxLength`).
pub const MAX_TAGS_LEN: usize = 1024;

/// `400 invalid_argument` when a conditional header is longer than documented.
fn too_long(headers: &HeaderMap, name: header::HeaderName, field: &str) -> Option<Response> {
    let len: usize = headers.get_all(&name).iter().map(|v| v.len()).sum();
    (len > MAX_TAGS_LEN).then(|| {
        let mut p = Problem::from(strata_core::Error::invalid(
            field,
            format!("`{field}` must be at most {MAX_TAGS_LEN} characters"),
        ));
        p.field = Some(field.into());
        p.into_response()
    })
}

/// The entity tags of an `If-Match` / `If-None-Match` header: `None` for `*`.
fn tags(headers: &HeaderMap, name: header::HeaderName) -> Option<Option<Vec<String>>> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for t in values.iter().flat_map(|v| v.split(',')).map(str::trim) {
        if t == "*" {
            return Some(None);
        }
        if !t.is_empty() {
            out.push(t.to_string());
        }
    }
    Some(Some(out))
}

/// Weak comparison (`If-None-Match`): the opaque tags are equal, `W/` aside.
fn weak_match(list: &[String], current: &str) -> bool {
    list.iter()
        .any(|t| t.strip_prefix("W/").unwrap_or(t) == current)
}

/// Strong comparison (`If-Match`): a weak tag never matches.
fn strong_match(list: &[String], current: &str) -> bool {
    list.iter().any(|t| t == current)
}

/// The `/v1` pipeline step after authentication and `Idempotency-Key`. `reads` answers the
/// internal read of an `If-Match` check: the same routes, without the pipeline (the
/// request's verified principal goes along).
pub fn conditional<'a, F, Fut>(
    reads: &'a Router,
    req: Request,
    next: F,
) -> Step<'a, impl Future<Output = Response> + Send + 'a>
where
    F: FnOnce(Request) -> Fut + Send + 'a,
    Fut: Future<Output = Response> + Send + 'a,
{
    if *req.method() == Method::GET {
        // A read: the next step's future and the tagging after it, without a box.
        let checked = match too_long(req.headers(), header::IF_NONE_MATCH, "If-None-Match") {
            Some(refused) => Err(refused),
            None => Ok((tags(req.headers(), header::IF_NONE_MATCH), next(req))),
        };
        return Step::Left(async move {
            match checked {
                Ok((inm, answer)) => tag_response(answer.await, inm).await,
                Err(refused) => refused,
            }
        });
    }
    Step::Right(Box::pin(async move {
        match *req.method() {
            Method::PATCH | Method::PUT | Method::DELETE => {
                if let Some(refused) = too_long(req.headers(), header::IF_MATCH, "If-Match") {
                    return refused;
                }
                let Some(list) = tags(req.headers(), header::IF_MATCH) else {
                    return next(req).await;
                };
                // Evaluated by the change itself once the request is validated, right before
                // its first vendor call (RFC 9110 §13.2.1: a request refused without the
                // condition is refused the same with it) — see `Mutation::preconditions`.
                let pending = Arc::new(Precondition {
                    reads: reads.clone(),
                    read: Read::of(&req),
                    list,
                    evaluated: AtomicBool::new(false),
                });
                let mut req = req;
                req.extensions_mut().insert(pending.clone());
                let resp = next(req).await;
                if resp.status().is_success() && !pending.evaluated.load(Ordering::Acquire) {
                    tracing::error!("a change with If-Match succeeded without evaluating it");
                }
                resp
            }
            _ => next(req).await,
        }
    }))
}

/// Adds the `ETag` of a `200` and answers `304` when `If-None-Match` names it. An answer
/// rendered with its tag (a cached answer's rendition) is decided at once; one without is
/// read and hashed in a boxed future, so a cached read's future stays small.
fn tag_response(
    resp: Response,
    inm: Option<Option<Vec<String>>>,
) -> futures::future::Either<std::future::Ready<Response>, BoxFuture<'static, Response>> {
    use futures::future::Either;
    if resp.status() != StatusCode::OK {
        return Either::Left(std::future::ready(resp));
    }
    if let Some(tag) = resp.headers().get(header::ETAG) {
        let current = tag.to_str().unwrap_or_default();
        return Either::Left(std::future::ready(match inm {
            Some(list) if list.as_deref().is_none_or(|l| weak_match(l, current)) => {
                let (parts, _) = resp.into_parts();
                not_modified(parts)
            }
            _ => resp,
        }));
    }
    Either::Right(Box::pin(tag_body(resp, inm)))
}

/// [`tag_response`] for an answer without a tag: hashes its body.
async fn tag_body(resp: Response, inm: Option<Option<Vec<String>>>) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Problem::internal().into_response();
    };
    let tag = etag(&bytes);
    let current = tag.to_str().unwrap_or_default().to_string();
    parts.headers.insert(header::ETAG, tag);
    let unchanged = match &inm {
        Some(None) => true,
        Some(Some(list)) => weak_match(list, &current),
        None => false,
    };
    if unchanged {
        return not_modified(parts);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `304 Not Modified` with the answer's headers (its `ETag` among them) and no body.
fn not_modified(mut parts: axum::http::response::Parts) -> Response {
    parts.status = StatusCode::NOT_MODIFIED;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::empty())
}

/// An `If-Match` to evaluate before the change's first vendor call.
pub struct Precondition {
    reads: Router,
    read: Read,
    list: Option<Vec<String>>,
    evaluated: AtomicBool,
}

impl Precondition {
    /// Reads the target's current representation (past the cache) and checks the tags:
    /// `412 precondition_failed` when none matches.
    pub async fn check(&self) -> Result<(), Problem> {
        self.evaluated.store(true, Ordering::Release);
        precondition(&self.reads, &self.read, self.list.as_deref()).await
    }

    /// Marks it as deliberately not evaluated (a dry run reads no vendor).
    pub fn skip(&self) {
        self.evaluated.store(true, Ordering::Release);
    }
}

/// What the internal read of a change's target takes from the change (it runs in the
/// change's task, so it sees the change's request id as it is).
struct Read {
    path: String,
    principal: Option<Arc<Principal>>,
}

impl Read {
    fn of(req: &Request) -> Self {
        Read {
            path: req.uri().path().to_string(),
            principal: req.extensions().get::<Arc<Principal>>().cloned(),
        }
    }
}

/// Reads the target's current representation and checks `If-Match` against its tag.
async fn precondition(reads: &Router, read: &Read, list: Option<&[String]>) -> Result<(), Problem> {
    let mut get = Request::builder()
        .method(Method::GET)
        .uri(read.path.as_str())
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::empty())
        .map_err(|_| Problem::internal())?;
    if let Some(p) = &read.principal {
        get.extensions_mut().insert(p.clone());
    }
    let resp = reads
        .clone()
        .oneshot(get)
        .await
        .unwrap_or_else(|never| match never {});
    let failed = || {
        Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            "Precondition failed",
            "`If-Match` names no current representation of the resource: it changed since \
             it was read (read it again for its `ETag`)",
        )
    };
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map_err(|_| Problem::internal())?;
    match status {
        StatusCode::OK => {
            let current = etag(&bytes);
            let current = current.to_str().unwrap_or_default();
            match list {
                None => Ok(()),
                Some(list) if strong_match(list, current) => Ok(()),
                Some(_) => Err(failed()),
            }
        }
        // `If-Match: *` on a resource that does not exist (RFC 9110 §13.1.1), or a path with
        // no readable representation (no GET route: 405, or an empty 404).
        StatusCode::NOT_FOUND if list.is_none() => Err(failed()),
        StatusCode::METHOD_NOT_ALLOWED => Err(failed()),
        _ => match serde_json::from_slice::<serde_json::Value>(&bytes) {
            // The read's own problem (`volume_not_found`, a vendor failure) is the answer.
            Ok(v) if v["code"].is_string() => {
                let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                let mut p = Problem::new(status, &text("code"), &text("title"), text("detail"));
                p.retryable = v["retryable"].as_bool().unwrap_or(false);
                p.provider = v["provider"].as_str().map(str::to_string);
                Err(p)
            }
            _ => Err(failed()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_compare_as_rfc_9110_says() {
        let t = etag(b"{\"a\":1}");
        let t = t.to_str().unwrap();
        assert!(
            t.starts_with('"') && t.ends_with('"') && t.len() == 24,
            "{t}"
        );
        assert_eq!(etag(b"{\"a\":1}").to_str().unwrap(), t, "stable");
        assert_ne!(etag(b"{\"a\":2}").to_str().unwrap(), t);
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", W/{t}")).unwrap(),
        );
        let list = tags(&h, header::IF_NONE_MATCH).unwrap().unwrap();
        assert!(weak_match(&list, t) && !strong_match(&list, t));
        h.insert(header::IF_MATCH, HeaderValue::from_static("*"));
        assert_eq!(tags(&h, header::IF_MATCH), Some(None));
        assert_eq!(tags(&h, header::ETAG), None);
    }
}
