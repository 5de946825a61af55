//! Measure: every vendor call (each attempt, so retries show) counted and timed by provider,
//! operation and outcome.

use std::sync::Arc;
use std::time::Instant;

use futures::future::BoxFuture;
use strata_core::error::Result;
use strata_core::layer::{Answer, Call, CallInfo, Layer};
use strata_core::provider::Provider;

use crate::metrics::Metrics;

/// Records vendor calls in the metrics.
pub struct Measure {
    inner: Arc<dyn Provider>,
    provider: String,
    metrics: Arc<Metrics>,
}

impl Measure {
    /// Measures the calls to `inner`.
    pub fn new(inner: Arc<dyn Provider>, metrics: Arc<Metrics>) -> Self {
        Measure {
            provider: inner.info().id.clone(),
            inner,
            metrics,
        }
    }
}

impl Layer for Measure {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.inner
    }

    fn around<'a, T: Answer>(
        &'a self,
        info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        Box::pin(async move {
            let started = Instant::now();
            let answer = call().await;
            if matches!(answer, Err(strata_core::Error::DryRun)) {
                return answer; // recorded, not sent: no vendor call to count
            }
            let op = info.op.name();
            self.metrics
                .vendor_duration
                .with_label_values(&[self.provider.as_str(), op])
                .observe(started.elapsed().as_secs_f64());
            let outcome = match &answer {
                Ok(_) => "ok".to_string(),
                Err(e) => e.code(),
            };
            self.metrics
                .vendor_calls
                .with_label_values(&[self.provider.as_str(), op, outcome.as_str()])
                .inc();
            answer
        })
    }
}
