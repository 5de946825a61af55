//! The provider layers: cross-cutting behaviour around every provider, composed in one
//! place ([`stack`]) when the gateway starts. Each layer is a
//! [`Layer`](strata_core::layer::Layer) in its own module; the forwarding that makes it a
//! provider is generated from the operation catalogue, so no layer can lose an operation.
//!
//! Order, outermost first: dry-run guard → cache → request-id scope → breaker → deadline →
//! retry → measure → concurrency limit → the adapter. A cache hit is served even while the
//! vendor is down (and does no more than the cache's work); the breaker fails fast before a
//! deadline is spent; the deadline bounds the retries and the wait for a concurrency permit;
//! every retry takes its own permit.

mod breaker;
mod cache;
mod deadline;
mod limit;
mod measure;
mod retry;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use strata_core::catalogue::Family;
use strata_core::layer::{DryRunGuard, Layered, RequestScope};
use strata_core::provider::Provider;

use crate::metrics::Metrics;
use crate::shared::invalidation::Invalidations;

pub use breaker::Breaker;
pub use cache::Cache;
pub use deadline::Deadline;
pub use limit::Limit;
pub use measure::Measure;
pub use retry::Retry;

/// Settings of the provider layers (`[layers]` in `strata.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LayersConfig {
    /// Longest a provider call may take, retries and waiting for a permit included.
    pub deadline_ms: u64,
    /// Per-family deadlines that differ from `deadline_ms` (`volume`, `snapshot`, …).
    pub deadline_family_ms: BTreeMap<Family, u64>,
    /// Longest one provider may take to answer its part of a list across providers; after
    /// it, the provider is reported under `unreachable` and the rest is answered.
    pub list_deadline_ms: u64,
    /// Attempts of an idempotent call on a transient failure (1 disables retries).
    pub retry_attempts: u32,
    /// First retry delay; doubles per attempt, with full jitter, up to `retry_max_ms`.
    pub retry_base_ms: u64,
    /// Longest delay between two attempts.
    pub retry_max_ms: u64,
    /// Consecutive transient failures that open a provider's circuit (0 disables the breaker).
    pub breaker_failures: u32,
    /// How long an open circuit fails calls fast before letting one probe through.
    pub breaker_cool_off_ms: u64,
    /// Vendor calls in flight at once per provider; more wait (within their deadline).
    pub max_concurrent_calls: usize,
    /// How long read answers are cached (0 disables the cache).
    pub cache_ttl_ms: u64,
    /// Per-family TTLs that differ from `cache_ttl_ms` (`volume`, `snapshot`, `replica`,
    /// `volume_group`, `backup`, `archive`).
    pub cache_family_ttl_ms: BTreeMap<Family, u64>,
    /// Most cached answers per provider.
    pub cache_max_entries: u64,
}

impl Default for LayersConfig {
    fn default() -> Self {
        LayersConfig {
            deadline_ms: 30_000,
            deadline_family_ms: BTreeMap::new(),
            list_deadline_ms: 5_000,
            retry_attempts: 3,
            retry_base_ms: 50,
            retry_max_ms: 1_000,
            breaker_failures: 5,
            breaker_cool_off_ms: 10_000,
            max_concurrent_calls: 64,
            cache_ttl_ms: 2_000,
            cache_family_ttl_ms: BTreeMap::new(),
            cache_max_entries: 10_000,
        }
    }
}

impl LayersConfig {
    /// The deadline of one provider's part of a list.
    pub fn list_deadline(&self) -> Duration {
        Duration::from_millis(self.list_deadline_ms.max(1))
    }

    /// The per-call deadlines (`deadline_ms`, `deadline_family_ms`).
    pub fn deadlines(&self) -> deadline::Deadlines {
        deadline::Deadlines {
            default: Duration::from_millis(self.deadline_ms.max(1)),
            family: millis(&self.deadline_family_ms),
        }
    }
}

fn millis(per_family: &BTreeMap<Family, u64>) -> BTreeMap<Family, Duration> {
    per_family
        .iter()
        .map(|(f, ms)| (*f, Duration::from_millis(*ms)))
        .collect()
}

/// Wraps `provider` in the gateway's layer stack, reporting to `metrics`; its cache
/// invalidations go through `bus` (to the other replicas, with Redis).
pub fn stack(
    provider: Arc<dyn Provider>,
    cfg: &LayersConfig,
    metrics: &Arc<Metrics>,
    bus: &Arc<Invalidations>,
) -> Arc<dyn Provider> {
    let p = Layered::provider(Limit::new(provider, cfg.max_concurrent_calls));
    let p = Layered::provider(Measure::new(p, metrics.clone()));
    let p = Layered::provider(Retry::new(p, cfg, metrics.clone()));
    let p = Layered::provider(Deadline::new(p, cfg.deadlines()));
    let p = Layered::provider(Breaker::new(
        p,
        cfg.breaker_failures,
        Duration::from_millis(cfg.breaker_cool_off_ms),
        metrics.clone(),
    ));
    // Only calls that go past the cache reach an adapter, which forwards the request id.
    let p = Layered::provider(RequestScope(p));
    let p = Layered::provider(Cache::new(
        p,
        metrics.clone(),
        cfg.cache_max_entries,
        Duration::from_millis(cfg.cache_ttl_ms),
        millis(&cfg.cache_family_ttl_ms),
        bus,
    ));
    // A dry run's mutation of an in-process provider stops before any other layer sees it.
    Layered::provider(DryRunGuard(p))
}

#[cfg(test)]
mod tests;
