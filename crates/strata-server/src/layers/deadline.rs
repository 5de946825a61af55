//! Deadline: no provider call outlives its deadline (the call context's, or the configured
//! default), retries and waits for a concurrency permit included.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use strata_core::catalogue::Family;
use strata_core::error::{Error, Result};
use strata_core::layer::{Answer, Call, CallInfo, Layer};
use strata_core::provider::Provider;
use tokio::time::Instant;

/// Ends a call with `vendor_timeout` at its deadline.
pub struct Deadline {
    inner: Arc<dyn Provider>,
    default: Duration,
    family: BTreeMap<Family, Duration>,
}

impl Deadline {
    /// Bounds every call by the context's deadline, or by its family's deadline (`default`
    /// where `family` names none) from the call's start, whichever comes first.
    pub fn new(
        inner: Arc<dyn Provider>,
        default: Duration,
        family: BTreeMap<Family, Duration>,
    ) -> Self {
        Deadline {
            inner,
            default,
            family,
        }
    }
}

impl Layer for Deadline {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.inner
    }

    fn around<'a, T: Answer>(
        &'a self,
        info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        let own = Instant::now()
            + self
                .family
                .get(&info.op.family())
                .copied()
                .unwrap_or(self.default);
        let at = info.ctx.deadline.map_or(own, |d| d.min(own));
        Box::pin(async move {
            tokio::time::timeout_at(at, call())
                .await
                .unwrap_or(Err(Error::VendorTimeout))
        })
    }
}
