//! Response cache (moka): reads are answered from memory for a short, per-family TTL.
//!
//! - Keyed by (operation, arguments): the layer wraps one provider, so the provider is implied.
//! - Concurrent misses for one key collapse into one vendor call (`try_get_with`).
//! - A successful mutation of the provider bumps a generation: everything cached before it is
//!   a miss from then on (the resource, its parent, every list it appears in), so a client
//!   always reads its own writes. A read that started before the mutation cannot put its
//!   older answer back in front of the client.
//! - Tracker probes and `Cache-Control: no-cache` bypass the cache: they end every entry
//!   cached before them (an operation is a write until its last probe) and store their fresh
//!   answer. Errors are never cached.
//! - Principals: a token reaches a provider (and so its cache) only if it may use that
//!   provider, and adapters' answers do not depend on who asks, so no answer one principal
//!   may not see is served to it from here.
//! - A cached answer reports its age, which the gateway sends as `Age`, and its entry's
//!   [`Rendition`]: a handler sending the answer as it is renders it once per entry (the
//!   bytes and entity tag are kept beside the value, so an entry costs about twice its JSON)
//!   and, once rendered, is answered with the rendition alone (no copy of the value).
//! - Across replicas: the generation is shared with [`Invalidations`], which publishes this
//!   replica's bumps through Redis and applies the other replicas' ones.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use prometheus::IntCounter;
use strata_core::catalogue::{Family, Op};
use strata_core::context::{
    note_answer_stored, note_rendition, rendition_suffices, CachePolicy, Rendition,
};
use strata_core::error::{Error, Result};
use strata_core::layer::{Answer, Call, CallInfo, Layer};
use strata_core::provider::Provider;

use crate::metrics::Metrics;
use crate::shared::invalidation::Invalidations;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    op: Op,
    /// moka keeps its own shared copy of a stored key, so a lookup needs no second copy.
    args: String,
}

#[derive(Clone)]
struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    stored: Instant,
    ttl: Duration,
    /// The mutation generation the answer was fetched in.
    generation: u64,
    /// The answer as the gateway sends it, made by the first request that sends it as is.
    rendition: Arc<Rendition>,
}

struct EntryTtl;

impl moka::Expiry<Key, Entry> for EntryTtl {
    fn expire_after_create(&self, _key: &Key, entry: &Entry, _now: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// Caches a provider's read answers.
pub struct Cache {
    inner: Arc<dyn Provider>,
    entries: moka::future::Cache<Key, Entry>,
    default_ttl: Duration,
    family_ttl: BTreeMap<Family, Duration>,
    generation: Arc<AtomicU64>,
    bus: Arc<Invalidations>,
    provider: String,
    hits: IntCounter,
    misses: IntCounter,
}

impl Cache {
    /// A cache of at most `max_entries` answers, kept `ttl` (per family where
    /// `family_ttl` says; a zero TTL disables caching).
    pub fn new(
        inner: Arc<dyn Provider>,
        metrics: Arc<Metrics>,
        max_entries: u64,
        ttl: Duration,
        family_ttl: BTreeMap<Family, Duration>,
        bus: &Arc<Invalidations>,
    ) -> Self {
        let provider = inner.info().id.clone();
        let evictions = metrics
            .cache_evictions
            .with_label_values(&[provider.as_str()]);
        let entries = moka::future::Cache::builder()
            .max_capacity(max_entries)
            .expire_after(EntryTtl)
            .eviction_listener(move |_k, _v, cause| {
                if cause.was_evicted() {
                    evictions.inc();
                }
            })
            .build();
        let lookups = |result: &str| {
            metrics
                .cache_lookups
                .with_label_values(&[provider.as_str(), result])
        };
        let (hits, misses) = (lookups("hit"), lookups("miss"));
        Cache {
            hits,
            misses,
            inner,
            entries,
            default_ttl: ttl,
            family_ttl,
            generation: bus.generation(&provider),
            bus: bus.clone(),
            provider,
        }
    }

    fn ttl(&self, op: Op) -> Duration {
        self.family_ttl
            .get(&op.family())
            .copied()
            .unwrap_or(self.default_ttl)
    }

    /// The entry's answer if no mutation landed since it was fetched: its rendition alone
    /// when that is all the caller sends (`Error::Rendered`), else a copy of the value. Either
    /// way the caller may send the entry's rendition ([`note_rendition`]).
    fn answer<T: Answer>(&self, entry: &Entry) -> Option<Result<T>> {
        if entry.generation != self.generation.load(Ordering::Acquire) {
            return None;
        }
        let answer = if rendition_suffices::<T>(&entry.rendition) {
            Err(Error::Rendered)
        } else {
            Ok(entry.value.downcast_ref::<T>()?.clone())
        };
        note_rendition(&entry.rendition);
        Some(answer)
    }

    fn entry<T: Answer>(&self, value: &T, ttl: Duration, generation: u64) -> Entry {
        Entry {
            value: Arc::new(value.clone()),
            stored: Instant::now(),
            ttl,
            generation,
            rendition: Arc::new(Rendition::of::<T>()),
        }
    }
}

impl Layer for Cache {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.inner
    }

    fn around<'a, T: Answer>(
        &'a self,
        info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        let op = info.op;
        if strata_core::dry_run::active().is_some() {
            // A dry run neither reads from the cache (its document must not depend on what
            // happens to be cached), nor fills it, nor invalidates it.
            return call();
        }
        if op.is_mutation() {
            return Box::pin(async move {
                let answer = call().await;
                if answer.is_ok() {
                    self.generation.fetch_add(1, Ordering::AcqRel);
                    self.entries.invalidate_all();
                    self.bus.publish(&self.provider).await;
                }
                answer
            });
        }
        let ttl = self.ttl(op);
        if ttl.is_zero() {
            return call();
        }
        Box::pin(async move {
            let key = Key {
                op,
                args: (info.args)(),
            };
            let generation = self.generation.load(Ordering::Acquire);
            if info.ctx.cache == CachePolicy::Normal {
                if let Some(entry) = self.entries.get(&key).await {
                    if let Some(answer) = self.answer::<T>(&entry) {
                        self.hits.inc();
                        note_answer_stored(entry.stored);
                        return answer;
                    }
                    self.entries.invalidate(&key).await;
                }
                self.misses.inc();
                // Concurrent misses wait for this one vendor call.
                let loaded = self
                    .entries
                    .try_get_with(key, async {
                        call().await.map(|v| self.entry(&v, ttl, generation))
                    })
                    .await
                    .map_err(|e| (*e).clone())?;
                if let Some(answer) = self.answer::<T>(&loaded) {
                    return answer;
                }
                // Loaded under an older generation (a mutation landed meanwhile): ask again.
                return call().await;
            }
            // Bypass (a tracker probe, `no-cache`): the caller is watching the vendor's state
            // change, so nothing cached before this answer is trusted any more (a settled
            // operation's final probe thus ends every stale entry, lists included); the
            // fresh answer is kept for the next reader.
            let generation = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
            self.entries.invalidate_all();
            let value = call().await?;
            self.bus.publish(&self.provider).await;
            self.entries
                .insert(key, self.entry(&value, ttl, generation))
                .await;
            Ok(value)
        })
    }
}
