//! The context of a provider call ([`CallCtx`]), and the request id adapters can see.
//!
//! Every provider call takes a [`CallCtx`]: the request id it serves (kept in tracker probes
//! too, so a vendor sees the same `X-Request-Id` for an operation's probes as for the request
//! that started it), its deadline, its cache policy and the principal. The gateway's context
//! layer makes the request id visible to adapters as the [`REQUEST_ID`] task-local for the
//! duration of the call, so their clients forward it without threading it through.

use std::sync::Arc;

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
}
