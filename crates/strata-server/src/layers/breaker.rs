//! Circuit breaker: after repeated transient failures a provider's calls fail fast
//! (`503 vendor_unavailable`, retryable, `Retry-After`) for a cool-off; then one probe call
//! is let through, and its outcome closes the circuit again or reopens it. Lists report an
//! open provider under `unreachable` at once instead of waiting for it.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use strata_core::error::{Error, Result};
use strata_core::layer::{Answer, Call, CallInfo, Layer};
use strata_core::provider::Provider;
use tokio::time::Instant;

use crate::metrics::Metrics;

/// Fails a failing provider's calls fast.
pub struct Breaker {
    inner: Arc<dyn Provider>,
    /// Consecutive transient failures that open the circuit; 0 disables the breaker.
    threshold: u32,
    cool_off: Duration,
    failures: AtomicU32,
    /// Until when the circuit is open, if it is.
    open_until: Mutex<Option<Instant>>,
    /// A probe call is under way (half-open): other calls still fail fast.
    probing: AtomicBool,
    metrics: Arc<Metrics>,
}

impl Breaker {
    /// Opens after `threshold` consecutive transient failures, for `cool_off`.
    pub fn new(
        inner: Arc<dyn Provider>,
        threshold: u32,
        cool_off: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        Breaker {
            metrics,
            inner,
            threshold,
            cool_off,
            failures: AtomicU32::new(0),
            open_until: Mutex::new(None),
            probing: AtomicBool::new(false),
        }
    }

    fn open_until(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.open_until.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Ok(probe)` when the call may go through (`probe`: it is the half-open probe), else
    /// the fail-fast error.
    fn admit(&self) -> Result<bool> {
        let Some(until) = *self.open_until() else {
            return Ok(false);
        };
        let now = Instant::now();
        if now < until {
            return Err(open_error(until - now));
        }
        // Cool-off over: one probe at a time.
        if self.probing.swap(true, Ordering::AcqRel) {
            return Err(open_error(self.cool_off));
        }
        Ok(true)
    }

    fn record(&self, transient_failure: bool, probe: bool) {
        let gauge = self
            .metrics
            .breaker_open
            .with_label_values(&[self.inner.info().id.as_str()]);
        if !transient_failure {
            self.failures.store(0, Ordering::Release);
            *self.open_until() = None;
            gauge.set(0);
            return;
        }
        let n = self.failures.fetch_add(1, Ordering::AcqRel) + 1;
        if probe || n >= self.threshold {
            *self.open_until() = Some(Instant::now() + self.cool_off);
            gauge.set(1);
            tracing::warn!(
                provider = %self.inner.info().id,
                failures = n,
                cool_off_ms = self.cool_off.as_millis() as u64,
                "circuit open: failing calls fast"
            );
        }
    }
}

/// Clears the half-open flag when the probe call ends.
struct ProbeGuard<'a>(&'a AtomicBool);

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

fn open_error(left: Duration) -> Error {
    Error::CircuitOpen {
        retry_after_secs: left.as_secs() + u64::from(left.subsec_nanos() > 0),
    }
}

impl Layer for Breaker {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.inner
    }

    fn around<'a, T: Answer>(
        &'a self,
        _info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        if self.threshold == 0 {
            return call();
        }
        Box::pin(async move {
            let probe = self.admit()?;
            // Ends the half-open probe however the call ends (a dropped call included).
            let _probing = probe.then_some(ProbeGuard(&self.probing));
            let result = call().await;
            self.record(result.as_ref().is_err_and(Error::transient), probe);
            result
        })
    }
}
