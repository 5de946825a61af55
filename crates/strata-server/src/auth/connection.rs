//! The last token verified on one connection. A client sends the same `Authorization` on
//! every request of a keep-alive connection, so the next request compares the header byte for
//! byte instead of hashing the token and looking it up in the shared cache again. It is kept
//! no longer than the shared cache would keep it: until the token expires (with the leeway),
//! and at most `auth.cache_max_seconds` after it was verified.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderValue;

use super::Principal;

/// One connection's memo, visible to each of its requests ([`ConnectionAuth::scope`]).
#[derive(Default)]
pub struct ConnectionAuth(Mutex<Option<Remembered>>);

tokio::task_local! {
    // A task-local rather than a request extension: inserting one more extension costs an
    // allocation per request and makes the extension map grow (rehash) on `/v1` requests.
    static CONNECTION: Arc<ConnectionAuth>;
}

struct Remembered {
    header: HeaderValue,
    principal: Arc<Principal>,
    until: Instant,
}

impl ConnectionAuth {
    /// Runs `request` (one request of this memo's connection) with the memo visible to it.
    pub fn scope<F: Future>(self: &Arc<Self>, request: F) -> impl Future<Output = F::Output> {
        CONNECTION.scope(self.clone(), request)
    }

    /// The memo of the connection the current request came on, if any.
    pub fn current() -> Option<Arc<ConnectionAuth>> {
        CONNECTION.try_with(Arc::clone).ok()
    }

    /// The principal of `header` if it is the one remembered and still current.
    pub fn recall(&self, header: &HeaderValue) -> Option<Arc<Principal>> {
        let memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        memo.as_ref()
            .filter(|m| m.header.as_bytes() == header.as_bytes() && now() < m.until)
            .map(|m| m.principal.clone())
    }

    /// Remembers `header`'s verified principal for at most `max` and never past the token's
    /// expiry (plus `leeway`); `max` of zero remembers nothing.
    pub fn remember(
        &self,
        header: &HeaderValue,
        principal: &Arc<Principal>,
        max: Duration,
        leeway: Duration,
    ) {
        let left = principal.expires_at + leeway.as_secs() as i64 - chrono::Utc::now().timestamp();
        let keep = Duration::from_secs(left.max(0) as u64).min(max);
        if keep.is_zero() {
            return;
        }
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Remembered {
            header: header.clone(),
            principal: principal.clone(),
            until: now() + keep,
        });
    }
}

/// The request's start (read once at the edge), or the clock outside a request.
fn now() -> Instant {
    strata_core::context::request_started().unwrap_or_else(Instant::now)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn principal(expires_in: i64) -> Arc<Principal> {
        Arc::new(Principal {
            subject: "s".into(),
            scopes: HashSet::new(),
            providers: None,
            expires_at: chrono::Utc::now().timestamp() + expires_in,
        })
    }

    #[test]
    fn recalls_the_same_header_only_while_current() {
        let memo = ConnectionAuth::default();
        let a = HeaderValue::from_static("Bearer a.b.c");
        let b = HeaderValue::from_static("Bearer a.b.d");
        assert!(memo.recall(&a).is_none());
        let p = principal(3600);
        memo.remember(&a, &p, Duration::from_secs(300), Duration::ZERO);
        assert!(Arc::ptr_eq(&memo.recall(&a).unwrap(), &p));
        assert!(memo.recall(&b).is_none(), "another token is verified again");
        // Caching off, or a token already expired (past its leeway): nothing is remembered.
        let off = ConnectionAuth::default();
        off.remember(&a, &p, Duration::ZERO, Duration::ZERO);
        assert!(off.recall(&a).is_none());
        let expired = ConnectionAuth::default();
        expired.remember(
            &a,
            &principal(-60),
            Duration::from_secs(300),
            Duration::from_secs(30),
        );
        assert!(expired.recall(&a).is_none());
        // Kept no longer than the cache bound.
        let short = ConnectionAuth::default();
        short.remember(&a, &p, Duration::from_millis(1), Duration::ZERO);
        std::thread::sleep(Duration::from_millis(5));
        assert!(short.recall(&a).is_none());
    }
}
