//! Retry: an operation the catalogue marks safe to repeat is tried again after a transient
//! failure (no answer, timeout, 429, 502/503/504), with exponential backoff and full jitter,
//! never past the call's deadline. Operations that must not be repeated (creates, runs,
//! toggles) are sent once, whatever happens.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use rand::Rng;
use strata_core::error::Result;
use strata_core::layer::{Answer, Call, CallInfo, Layer};
use strata_core::provider::Provider;
use tokio::time::Instant;

use super::deadline::Deadlines;
use super::LayersConfig;
use crate::metrics::Metrics;

/// Retries idempotent calls on transient failures.
pub struct Retry {
    inner: Arc<dyn Provider>,
    metrics: Arc<Metrics>,
    attempts: u32,
    base: Duration,
    max: Duration,
    deadlines: Deadlines,
}

impl Retry {
    /// Retries as configured (`retry_attempts`, `retry_base_ms`, `retry_max_ms`).
    pub fn new(inner: Arc<dyn Provider>, cfg: &LayersConfig, metrics: Arc<Metrics>) -> Self {
        Retry {
            inner,
            metrics,
            attempts: cfg.retry_attempts.max(1),
            base: Duration::from_millis(cfg.retry_base_ms),
            max: Duration::from_millis(cfg.retry_max_ms.max(cfg.retry_base_ms)),
            deadlines: cfg.deadlines(),
        }
    }

    /// Full jitter: a random delay up to `base * 2^attempt`, capped.
    pub(super) fn delay(&self, attempt: u32) -> Duration {
        let cap = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max);
        let ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::thread_rng().gen_range(0..=ms))
    }
}

impl Layer for Retry {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.inner
    }

    fn around<'a, T: Answer>(
        &'a self,
        info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        let op = info.op;
        if !op.idempotent() || self.attempts == 1 {
            return call();
        }
        // The same deadline the deadline layer (outside this one) holds the call to.
        let deadline = self.deadlines.at(info);
        Box::pin(async move {
            let mut attempt = 0;
            loop {
                let result = call().await;
                attempt += 1;
                match result {
                    Err(e) if e.transient() && attempt < self.attempts => {
                        // A vendor that said when to come back is not asked sooner; when
                        // that is past the call's deadline, the caller gets its answer (with
                        // the vendor's `Retry-After`) at once instead of a timeout later.
                        let backoff = self.delay(attempt - 1);
                        let delay = e
                            .retry_after_secs()
                            .map_or(backoff, |s| backoff.max(Duration::from_secs(s)));
                        if Instant::now() + delay >= deadline {
                            return Err(e);
                        }
                        tracing::debug!(operation = %op, attempt, error = %e, "retrying a transient failure");
                        self.metrics
                            .retries
                            .with_label_values(&[self.inner.info().id.as_str(), op.name()])
                            .inc();
                        tokio::time::sleep(delay).await;
                    }
                    other => return other,
                }
            }
        })
    }
}
