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

/// When a call must be over: the context's deadline, or its family's deadline (`default`
/// where `family` names none) from the call's start, whichever comes first. Shared by the
/// deadline layer, which enforces it, and the retry layer, which never waits past it.
#[derive(Debug, Clone)]
pub struct Deadlines {
    /// The deadline of families `family` does not name.
    pub default: Duration,
    /// Per-family deadlines.
    pub family: BTreeMap<Family, Duration>,
}

impl Deadlines {
    /// The deadline of a call starting now.
    pub fn at(&self, info: &CallInfo<'_>) -> Instant {
        let own = Instant::now()
            + self
                .family
                .get(&info.op.family())
                .copied()
                .unwrap_or(self.default);
        info.ctx.deadline.map_or(own, |d| d.min(own))
    }
}

/// Ends a call with `vendor_timeout` at its deadline.
pub struct Deadline {
    inner: Arc<dyn Provider>,
    deadlines: Deadlines,
}

impl Deadline {
    /// Bounds every call by its deadline ([`Deadlines::at`]).
    pub fn new(inner: Arc<dyn Provider>, deadlines: Deadlines) -> Self {
        Deadline { inner, deadlines }
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
        let at = self.deadlines.at(info);
        Box::pin(async move {
            tokio::time::timeout_at(at, call())
                .await
                .unwrap_or(Err(Error::VendorTimeout))
        })
    }
}
