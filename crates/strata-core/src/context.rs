//! The context of a provider call ([`CallCtx`]), and the request id adapters can see.
//!
//! Every provider call takes a [`CallCtx`]: the request id it serves (kept in tracker probes
//! too, so a vendor sees the same `X-Request-Id` for an operation's probes as for the request
//! that started it), its deadline, its cache policy and the principal. The gateway's context
//! layer makes the request id visible to adapters as the [`REQUEST_ID`] task-local for the
//! duration of the call, so their clients forward it without threading it through.

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

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
            .try_with(|current| current == id)
            .unwrap_or(false);
        if visible {
            fut.await
        } else {
            REQUEST_ID.scope(id.clone(), fut).await
        }
    }
}

tokio::task_local! {
    /// The id of the client request being served.
    pub static REQUEST_ID: Arc<str>;
}

/// The clock of the request being served: when it started (so the request path reads the
/// clock once, not once per step) and when the oldest cached answer it used was stored (the
/// gateway sends its age as `Age`; `None` when everything came fresh from the vendors).
pub struct RequestClock {
    started: Instant,
    oldest_answer: Cell<Option<Instant>>,
}

impl RequestClock {
    /// The clock of a request that started at `started`.
    pub fn new(started: Instant) -> Self {
        RequestClock {
            started,
            oldest_answer: Cell::new(None),
        }
    }

    /// When the oldest cached answer used was stored.
    pub fn oldest_answer(&self) -> Option<Instant> {
        self.oldest_answer.get()
    }
}

tokio::task_local! {
    /// The clock of the request being served (set by the gateway's edge).
    pub static REQUEST_CLOCK: RequestClock;
}

/// When the request being served started; `None` outside a request.
pub fn request_started() -> Option<Instant> {
    REQUEST_CLOCK.try_with(|c| c.started).ok()
}

/// Records that the request was (partly) served from a cache entry stored at `stored`.
pub fn note_answer_stored(stored: Instant) {
    let _ = REQUEST_CLOCK.try_with(|c| {
        let oldest = c.oldest_answer.get().map_or(stored, |o| o.min(stored));
        c.oldest_answer.set(Some(oldest));
    });
}

/// A cached answer's rendering: the serialized response of the first request that sent the
/// answer as it is, kept beside the cached value so the next requests served from the same
/// cache entry send those bytes instead of copying and serializing the value again. The
/// gateway decides what a rendering is (body and entity tag); this keeps one, once, for the
/// answer's own type.
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

    /// The rendering kept, if the answer is a `T` and the rendering an `R`.
    pub fn get<T: 'static, R: Any + Send + Sync>(&self) -> Option<Arc<R>> {
        if self.answer != TypeId::of::<T>() {
            return None;
        }
        self.slot.get()?.clone().downcast().ok()
    }

    /// The rendering kept, or the one `render` makes (kept when it makes one) the first time;
    /// `None` when the answer is not a `T` or the rendering kept is not an `R`.
    pub fn get_or_render<T: 'static, R: Any + Send + Sync>(
        &self,
        render: impl FnOnce() -> Option<R>,
    ) -> Option<Arc<R>> {
        if self.answer != TypeId::of::<T>() {
            return None;
        }
        if self.slot.get().is_none() {
            // A rendering made meanwhile by another request is as good as this one.
            let _ = self.slot.set(Arc::new(render()?));
        }
        self.get::<T, R>()
    }

    /// Whether a rendering of type `accepts` of a `T` is kept.
    fn holds<T: 'static>(&self, accepts: TypeId) -> bool {
        self.answer == TypeId::of::<T>()
            && self.slot.get().is_some_and(|r| (**r).type_id() == accepts)
    }
}

/// The call being watched by [`answer_as_is`].
struct Watch {
    /// The type of rendering the caller sends.
    accepts: TypeId,
    /// The rendition of the cache entry the call was answered from.
    noted: Option<Arc<Rendition>>,
}

tokio::task_local! {
    static WATCH: RefCell<Watch>;
}

/// Records that the call being watched by [`answer_as_is`] was answered from the cache entry
/// holding `rendition` (nothing happens outside such a call).
pub fn note_rendition(rendition: &Arc<Rendition>) {
    let _ = WATCH.try_with(|w| w.borrow_mut().noted = Some(rendition.clone()));
}

/// Whether the call being watched by [`answer_as_is`] may be answered by `rendition` alone
/// (with [`Error::Rendered`](crate::Error::Rendered) instead of a copy of the value): it
/// holds a rendering of a `T` of the type the caller sends. Never outside such a call.
pub fn rendition_suffices<T: 'static>(rendition: &Rendition) -> bool {
    WATCH
        .try_with(|w| rendition.holds::<T>(w.borrow().accepts))
        .unwrap_or(false)
}

/// Runs `call`, one provider call whose answer the caller sends as it is, rendered as an
/// `R`, and returns the answer with the rendition of the cache entry it came from, if it did.
/// An answer of `Err(Error::Rendered)` means that rendition holds the `R` to send.
pub async fn answer_as_is<R: 'static, F: Future>(call: F) -> (F::Output, Option<Arc<Rendition>>) {
    let watch = Watch {
        accepts: TypeId::of::<R>(),
        noted: None,
    };
    WATCH
        .scope(RefCell::new(watch), async {
            let answer = call.await;
            (answer, WATCH.with(|w| w.borrow_mut().noted.take()))
        })
        .await
}

/// The request id of the request being served, when there is one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(|id| id.to_string()).ok()
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
        let seen = REQUEST_ID
            .scope(Arc::from("r-1"), async { request_id() })
            .await;
        assert_eq!(seen.as_deref(), Some("r-1"));
    }

    #[tokio::test]
    async fn a_rendition_is_seen_by_the_watched_call_only_and_made_once() {
        let r = Arc::new(Rendition::of::<String>());
        // Outside a watched call nothing is recorded, and a rendition never suffices.
        note_rendition(&r);
        assert!(!rendition_suffices::<String>(&r));
        let (answer, seen) = answer_as_is::<Vec<u8>, _>(async { "plain" }).await;
        assert_eq!(answer, "plain");
        assert!(seen.is_none(), "nothing noted inside the call");
        let (suffices, seen) = answer_as_is::<Vec<u8>, _>(async {
            note_rendition(&r);
            rendition_suffices::<String>(&r)
        })
        .await;
        assert!(!suffices, "nothing rendered yet");
        let seen = seen.expect("noted inside the call");
        let mut renders = 0;
        let mut render = || {
            renders += 1;
            Some(vec![1u8, 2])
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
        assert!(seen
            .get_or_render::<u32, Vec<u8>>(|| Some(vec![9]))
            .is_none());
        assert!(seen.get::<String, String>().is_none());
        // Now rendered: it suffices for a caller sending that rendering of that answer only.
        let (suffices, _) =
            answer_as_is::<Vec<u8>, _>(async { rendition_suffices::<String>(&r) }).await;
        assert!(suffices);
        let (suffices, _) =
            answer_as_is::<String, _>(async { rendition_suffices::<String>(&r) }).await;
        assert!(!suffices, "the caller sends another kind of rendering");
        let (suffices, _) =
            answer_as_is::<Vec<u8>, _>(async { rendition_suffices::<u32>(&r) }).await;
        assert!(!suffices, "another answer type");
    }

    #[test]
    fn a_failed_rendering_is_not_kept() {
        let r = Rendition::of::<String>();
        assert!(r.get_or_render::<String, Vec<u8>>(|| None).is_none());
        assert_eq!(
            *r.get_or_render::<String, _>(|| Some(vec![3u8])).unwrap(),
            [3]
        );
    }
}
