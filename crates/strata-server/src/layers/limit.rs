//! Concurrency limit: at most so many vendor calls of one provider in flight, to stay inside
//! the vendor's rate limits. Excess calls wait for a permit (the deadline layer bounds the
//! wait).

use std::sync::Arc;

use futures::future::BoxFuture;
use strata_core::error::{Error, Result};
use strata_core::layer::{Answer, Call, CallInfo, Layer};
use strata_core::provider::Provider;
use tokio::sync::Semaphore;

/// Caps the calls in flight to one provider.
pub struct Limit {
    inner: Arc<dyn Provider>,
    permits: Semaphore,
}

impl Limit {
    /// At most `max` calls at once (at least one).
    pub fn new(inner: Arc<dyn Provider>, max: usize) -> Self {
        Limit {
            inner,
            permits: Semaphore::new(max.max(1)),
        }
    }
}

impl Layer for Limit {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.inner
    }

    fn around<'a, T: Answer>(
        &'a self,
        _info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        Box::pin(async move {
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| Error::Internal("the concurrency limit was closed".into()))?;
            call().await
        })
    }
}
