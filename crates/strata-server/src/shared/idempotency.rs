//! Where `Idempotency-Key` records live: the first response to a key, or the fact that the
//! first request with it is still running. In Redis with `redis_url` (so a retry sent to
//! another replica is answered the same), else in this process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use strata_core::error::{Error, Result};

use super::{key, Redis};

/// A stored first response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// Status code.
    pub status: u16,
    /// The headers replayed with it (`Content-Type`, `Location`, `Retry-After`).
    pub headers: Vec<(String, String)>,
    /// The body (JSON text).
    pub body: String,
}

/// What a key holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The fingerprint of the request that claimed the key (method, path and query, body).
    pub fingerprint: String,
    /// Its response, once it finished; `None` while it runs.
    pub response: Option<StoredResponse>,
}

/// The answer to a claim.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// The key was free: this request runs, then completes or abandons it.
    Claimed,
    /// Another request holds the key (running, or finished with its response).
    Held(Entry),
}

/// Where idempotency records live.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for a request with `fingerprint` for at most `lock` (the longest a
    /// request may run), or returns what holds it. Atomic: of two concurrent claims of one key
    /// exactly one succeeds, on every replica.
    async fn claim(&self, key: &str, fingerprint: &str, lock: Duration) -> Result<Claim>;
    /// Stores the response of the request that claimed `key`, replayed for `window`.
    async fn complete(&self, key: &str, entry: &Entry, window: Duration) -> Result<()>;
    /// Frees `key` (the request failed in a way a retry should run again).
    async fn abandon(&self, key: &str) -> Result<()>;
}

/// Records in this process (single instance).
#[derive(Default)]
pub struct MemoryIdempotencyStore {
    entries: Mutex<HashMap<String, (Entry, tokio::time::Instant)>>,
}

/// Records kept in memory before expired ones are swept.
const SWEEP_AT: usize = 10_000;

#[async_trait]
impl IdempotencyStore for MemoryIdempotencyStore {
    async fn claim(&self, key: &str, fingerprint: &str, lock: Duration) -> Result<Claim> {
        let now = tokio::time::Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= SWEEP_AT {
            entries.retain(|_, (_, until)| *until > now);
        }
        match entries.get(key) {
            Some((entry, until)) if *until > now => Ok(Claim::Held(entry.clone())),
            _ => {
                let entry = Entry {
                    fingerprint: fingerprint.to_string(),
                    response: None,
                };
                entries.insert(key.to_string(), (entry, now + lock));
                Ok(Claim::Claimed)
            }
        }
    }

    async fn complete(&self, key: &str, entry: &Entry, window: Duration) -> Result<()> {
        let until = tokio::time::Instant::now() + window;
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), (entry.clone(), until));
        Ok(())
    }

    async fn abandon(&self, key: &str) -> Result<()> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
        Ok(())
    }
}

/// Records in Redis under `strata:idem:{principal hash}:{key hash}`.
pub struct RedisIdempotencyStore {
    redis: Arc<Redis>,
}

impl RedisIdempotencyStore {
    /// A store on `redis`.
    pub fn new(redis: Arc<Redis>) -> Self {
        RedisIdempotencyStore { redis }
    }
}

fn encode(entry: &Entry) -> Result<String> {
    serde_json::to_string(entry)
        .map_err(|e| Error::Internal(format!("an idempotency record does not encode: {e}")))
}

#[async_trait]
impl IdempotencyStore for RedisIdempotencyStore {
    async fn claim(&self, k: &str, fingerprint: &str, lock: Duration) -> Result<Claim> {
        let k = key(&["idem", k]);
        let running = encode(&Entry {
            fingerprint: fingerprint.to_string(),
            response: None,
        })?;
        let ms = lock.as_millis().max(1) as u64;
        // SET NX decides; when it loses, the holder is read (and if it expired between the
        // two commands, claimed again).
        for _ in 0..3 {
            let (k1, v) = (k.clone(), running.clone());
            let set: Option<String> = self
                .redis
                .run(|mut c| async move {
                    redis::cmd("SET")
                        .arg(k1)
                        .arg(v)
                        .arg("NX")
                        .arg("PX")
                        .arg(ms)
                        .query_async(&mut c)
                        .await
                })
                .await?;
            if set.is_some() {
                return Ok(Claim::Claimed);
            }
            let k2 = k.clone();
            let held: Option<String> = self
                .redis
                .run(|mut c| async move { c.get(k2).await })
                .await?;
            if let Some(raw) = held {
                let entry = serde_json::from_str(&raw).map_err(|e| {
                    Error::Internal(format!("an idempotency record does not decode: {e}"))
                })?;
                return Ok(Claim::Held(entry));
            }
        }
        Err(Error::StoreUnavailable("idempotency key churn".into()))
    }

    async fn complete(&self, k: &str, entry: &Entry, window: Duration) -> Result<()> {
        let k = key(&["idem", k]);
        let v = encode(entry)?;
        let secs = window.as_secs().max(1);
        self.redis
            .run(|mut c| async move { c.set_ex::<_, _, ()>(k, v, secs).await })
            .await
    }

    async fn abandon(&self, k: &str) -> Result<()> {
        let k = key(&["idem", k]);
        self.redis
            .run(|mut c| async move { c.del::<_, ()>(k).await })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn memory_claims_once_until_completed_or_expired() {
        let s = MemoryIdempotencyStore::default();
        let lock = Duration::from_secs(60);
        assert_eq!(s.claim("k", "f1", lock).await.unwrap(), Claim::Claimed);
        let Claim::Held(e) = s.claim("k", "f2", lock).await.unwrap() else {
            panic!("held")
        };
        assert_eq!((e.fingerprint.as_str(), e.response), ("f1", None));
        let done = Entry {
            fingerprint: "f1".into(),
            response: Some(StoredResponse {
                status: 202,
                headers: vec![],
                body: "{}".into(),
            }),
        };
        s.complete("k", &done, Duration::from_secs(3600))
            .await
            .unwrap();
        assert_eq!(s.claim("k", "f1", lock).await.unwrap(), Claim::Held(done));
        tokio::time::advance(Duration::from_secs(3601)).await;
        assert_eq!(s.claim("k", "f1", lock).await.unwrap(), Claim::Claimed);
        s.abandon("k").await.unwrap();
        assert_eq!(s.claim("k", "f3", lock).await.unwrap(), Claim::Claimed);
        // A request that died holding the key frees it when its lock expires.
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(s.claim("k", "f4", lock).await.unwrap(), Claim::Claimed);
    }
}
