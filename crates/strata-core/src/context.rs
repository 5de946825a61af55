//! The context of a provider call ([`CallCtx`]), and the request id adapters can see.
//!
//! Every provider call takes a [`CallCtx`]: the request id it serves (kept in tracker probes
//! too, so a vendor sees the same `X-Request-Id` for an operation's probes as for the request
//! that started it), its deadline, its cache policy and the principal. The gateway's context
//! layer makes the request id visible to adapters as the [`REQUEST_ID`] task-local for the
//! duration of the call, so their clients forward it without threading it through.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, OnceLock};

/// Whether a call may be answered from a cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CachePolicy {
    /// Cached answers are fine.
    #[default]
    Normal,
    /// Ask the vendor (and refresh the cache): tracker probes, `Cache-Control: no-cache`.
    Bypass,
}

/// The context of one provider call.
#[derive(Debug, Clone, Default)]
pub struct CallCtx {
    /// The gateway request this call serves (forwarded to vendors as `X-Request-Id`).
    pub request_id: Option<Arc<str>>,
    /// When the caller stops waiting for the answer.
    pub deadline: Option<tokio::time::Instant>,
    /// Whether a cached answer may be used.
    pub cache: CachePolicy,
    /// The subject of the token the call is made for, where results depend on it.
    pub principal: Option<Arc<str>>,
}

impl CallCtx {
    /// A context for a call made on behalf of request `request_id`.
    pub fn for_request(request_id: impl Into<Arc<str>>) -> Self {
        CallCtx {
            request_id: Some(request_id.into()),
            ..CallCtx::default()
        }
    }

    /// The same context for a tracker probe: same request id, never from a cache.
    pub fn probe(&self) -> Self {
        CallCtx {
            cache: CachePolicy::Bypass,
            deadline: None,
            ..self.clone()
        }
    }

    /// Runs `fut` with this context's request id visible to adapters ([`request_id`]).
    /// Inside the request that owns the id (the usual case) the id is already visible and
    /// nothing is allocated; tracker probes, which run in tasks of their own, get it here.
    pub async fn scope<F: std::future::Future>(&self, fut: F) -> F::Output {
        let Some(id) = &self.request_id else {
            return fut.await;
        };
        let visible = REQUEST_ID
            .try_with(|current| current.as_str() == id.as_ref())
            .unwrap_or(false);
        if visible {
            fut.await
        } else {
            REQUEST_ID.scope(id.to_string(), fut).await
        }
    }
}

tokio::task_local! {
    /// The id of the client request being served.
    pub static REQUEST_ID: String;
}

tokio::task_local! {
    /// The age, in seconds, of the oldest cached answer used to serve the request (the
    /// gateway sends it as `Age`); `None` when everything came fresh from the vendors.
    pub static ANSWER_AGE: std::cell::Cell<Option<u64>>;
}

/// Records that the request was (partly) served from a cache entry `age_secs` old.
pub fn note_answer_age(age_secs: u64) {
    let _ = ANSWER_AGE.try_with(|a| a.set(Some(a.get().map_or(age_secs, |o| o.max(age_secs)))));
}

/// A cached answer's rendering: the serialized response of the first request that sent the
/// answer as it is, kept beside the cached value so the next requests served from the same
/// cache entry send those bytes instead of copying and serializing the value again. The
/// gateway decides what a rendering holds (body and entity tag); this only keeps it, once,
/// for the answer's own type.
pub struct Rendition {
    answer: TypeId,
    slot: OnceLock<Arc<dyn Any + Send + Sync>>,
}

impl Rendition {
    /// An empty rendition of an answer of type `T`.
    pub fn of<T: 'static>() -> Self {
        Rendition {
            answer: TypeId::of::<T>(),
            slot: OnceLock::new(),
        }
    }

    /// The rendering of the answer, made by `render` the first time; `None` when the answer
    /// is not a `T` or the rendering kept is not an `R`.
    pub fn get_or_render<T: 'static, R: Any + Send + Sync>(
        &self,
        render: impl FnOnce() -> R,
    ) -> Option<Arc<R>> {
        if self.answer != TypeId::of::<T>() {
            return None;
        }
        self.slot
            .get_or_init(|| Arc::new(render()))
            .clone()
            .downcast()
            .ok()
    }
}

tokio::task_local! {
    /// The rendition of the cache entry the watched call was answered from ([`answer_as_is`]).
    static RENDITION: RefCell<Option<Arc<Rendition>>>;
}

/// Records that the call being watched by [`answer_as_is`] was answered with a copy of the
/// cache entry holding `rendition` (nothing happens outside such a call).
pub fn note_rendition(rendition: &Arc<Rendition>) {
    let _ = RENDITION.try_with(|r| *r.borrow_mut() = Some(rendition.clone()));
}

/// Runs `call`, one provider call whose answer the caller sends as it is, and returns the
/// answer with the rendition of the cache entry it was copied from, if it was.
pub async fn answer_as_is<F: Future>(call: F) -> (F::Output, Option<Arc<Rendition>>) {
    RENDITION
        .scope(RefCell::new(None), async {
            let answer = call.await;
            (answer, RENDITION.with(|r| r.borrow_mut().take()))
        })
        .await
}

/// The request id of the request being served, when there is one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Longest vendor answer written to the log, in bytes.
const MAX_LOGGED_ANSWER: usize = 16 * 1024;

/// Logs a vendor's failed answer in full (bounded) with the request id: clients only see a
/// sanitized summary ([`Error::public_detail`](crate::Error::public_detail)), so this line is
/// where an operator finds what the vendor really said.
pub fn log_vendor_answer(vendor: &str, service: &str, method: &str, status: u16, body: &str) {
    let end = body
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take_while(|&end| end <= MAX_LOGGED_ANSWER)
        .last()
        .unwrap_or(0);
    tracing::warn!(
        vendor,
        service,
        method,
        status,
        request_id = request_id().as_deref().unwrap_or("-"),
        body = &body[..end],
        truncated = end < body.len(),
        "vendor answered with an error"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn visible_inside_the_scope_only() {
        assert_eq!(request_id(), None);
        let seen = REQUEST_ID.scope("r-1".into(), async { request_id() }).await;
        assert_eq!(seen.as_deref(), Some("r-1"));
    }

    #[tokio::test]
    async fn a_rendition_is_seen_by_the_watched_call_only_and_made_once() {
        let r = Arc::new(Rendition::of::<String>());
        // Outside a watched call nothing is recorded (and nothing fails).
        note_rendition(&r);
        let (answer, seen) = answer_as_is(async { "plain" }).await;
        assert_eq!(answer, "plain");
        assert!(seen.is_none(), "nothing noted inside the call");
        let (_, seen) = answer_as_is(async { note_rendition(&r) }).await;
        let seen = seen.expect("noted inside the call");
        let mut renders = 0;
        let mut render = || {
            renders += 1;
            vec![1u8, 2]
        };
        assert_eq!(
            *seen.get_or_render::<String, _>(&mut render).unwrap(),
            [1, 2]
        );
        assert_eq!(
            *seen.get_or_render::<String, _>(&mut render).unwrap(),
            [1, 2]
        );
        assert_eq!(renders, 1, "rendered once, then reused");
        // Another answer type, or another rendering type, is never handed out.
        assert!(seen.get_or_render::<u32, Vec<u8>>(|| vec![9]).is_none());
        assert!(seen.get_or_render::<String, String>(String::new).is_none());
    }
}
