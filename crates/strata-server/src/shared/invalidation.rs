//! Cache invalidation across replicas. Each provider's cache keeps a generation: an answer
//! cached under an older generation is a miss. A successful change (or an operation probe,
//! which watches a change land) bumps the generation locally and, with Redis, is published on
//! `strata:invalidate`; every other replica bumps that provider's generation when the message
//! arrives, so a client reads its own writes whichever replica it reaches next.
//!
//! Messages can be missed while the subscription is down; on every (re)subscription every
//! generation is bumped, so nothing cached before the gap is trusted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;

use super::{key, Redis, REDIS_TIMEOUT};

/// The generations of every provider's cache, and their publication.
pub struct Invalidations {
    origin: String,
    generations: Mutex<HashMap<String, Arc<AtomicU64>>>,
    redis: Option<Arc<Redis>>,
}

/// The channel invalidations are published on.
pub fn channel() -> String {
    key(&["invalidate"])
}

impl Invalidations {
    /// Invalidations in this process only.
    pub fn local() -> Arc<Self> {
        Arc::new(Invalidations {
            origin: String::new(),
            generations: Mutex::default(),
            redis: None,
        })
    }

    /// Invalidations shared through `redis`; starts the subscriber.
    pub fn shared(redis: Arc<Redis>) -> Arc<Self> {
        let bus = Arc::new(Invalidations {
            origin: uuid::Uuid::new_v4().simple().to_string(),
            generations: Mutex::default(),
            redis: Some(redis),
        });
        tokio::spawn(subscribe(Arc::downgrade(&bus)));
        bus
    }

    /// The generation counter of `provider`'s cache.
    pub fn generation(&self, provider: &str) -> Arc<AtomicU64> {
        self.generations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(provider.to_string())
            .or_default()
            .clone()
    }

    fn bump(&self, provider: Option<&str>) {
        let gens = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        for (p, g) in gens.iter() {
            if provider.is_none_or(|x| x == p) {
                g.fetch_add(1, Ordering::AcqRel);
            }
        }
    }

    /// Tells the other replicas that `provider` changed (the caller bumped its own
    /// generation). Waits for Redis to take the message, at most [`REDIS_TIMEOUT`]; a
    /// failure is logged: the cache TTL then bounds what other replicas serve.
    pub async fn publish(&self, provider: &str) {
        let Some(redis) = &self.redis else { return };
        let msg = format!("{} {provider}", self.origin);
        let sent = redis
            .run(|mut c| async move {
                redis::cmd("PUBLISH")
                    .arg(channel())
                    .arg(msg)
                    .query_async::<i64>(&mut c)
                    .await
            })
            .await;
        if let Err(e) = sent {
            tracing::warn!(provider, error = %e, "could not publish a cache invalidation");
        }
    }

    fn receive(&self, payload: &str) {
        match payload.split_once(' ') {
            Some((origin, _)) if origin == self.origin => {}
            Some((_, provider)) => self.bump(Some(provider)),
            None => self.bump(None),
        }
    }
}

/// Keeps a subscription to the invalidation channel while the bus lives.
async fn subscribe(bus: std::sync::Weak<Invalidations>) {
    loop {
        let Some(redis) = bus.upgrade().and_then(|b| b.redis.clone()) else {
            return;
        };
        let connected = tokio::time::timeout(REDIS_TIMEOUT, async {
            let mut ps = redis.client().get_async_pubsub().await?;
            ps.subscribe(channel()).await?;
            Ok::<_, redis::RedisError>(ps)
        })
        .await;
        drop(redis);
        if let Ok(Ok(ps)) = connected {
            let Some(b) = bus.upgrade() else { return };
            // Whatever was published while unsubscribed is lost: trust nothing cached.
            b.bump(None);
            drop(b);
            let mut messages = ps.into_on_message();
            while let Some(msg) = messages.next().await {
                let Some(b) = bus.upgrade() else { return };
                if let Ok(payload) = msg.get_payload::<String>() {
                    b.receive(&payload);
                }
            }
            tracing::warn!("the cache invalidation subscription ended; resubscribing");
            if let Some(b) = bus.upgrade() {
                b.bump(None);
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_other_replicas_bump_their_provider() {
        let bus = Invalidations::local();
        let (a, b) = (bus.generation("a"), bus.generation("b"));
        bus.receive("other a");
        assert_eq!(
            (a.load(Ordering::Acquire), b.load(Ordering::Acquire)),
            (1, 0)
        );
        bus.receive(" b"); // the local bus's own origin is empty: its own messages are ignored
        assert_eq!(b.load(Ordering::Acquire), 0);
        bus.receive("garbled");
        assert_eq!(
            (a.load(Ordering::Acquire), b.load(Ordering::Acquire)),
            (2, 1)
        );
    }
}
