//! State shared by every gateway replica: with `redis_url` configured, operation records and
//! their tracking leases ([`operations`]), idempotency records ([`idempotency`]) and cache
//! invalidations ([`invalidation`]) live in Redis; without it, in this process.
//!
//! The connection is a `redis` [`ConnectionManager`]: one multiplexed connection that
//! reconnects by itself. A watcher pings Redis every second; while Redis does not answer the
//! gateway reports itself unready (`/readyz`), changes that need shared state answer `503
//! shared_state_unavailable` before any vendor call, and reads go on from the vendors.

pub mod idempotency;
pub mod invalidation;
pub mod operations;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use strata_core::error::Error;
use strata_core::secret::Secret;

/// How long one Redis command or connection attempt may take before Redis counts as down.
pub const REDIS_TIMEOUT: Duration = Duration::from_secs(1);

/// Prefix of every key and channel the gateway uses.
pub const PREFIX: &str = "strata:";

/// A Redis connection shared by the stores, with its health.
pub struct Redis {
    client: redis::Client,
    conn: ConnectionManager,
    up: AtomicBool,
}

impl Redis {
    /// Connects lazily to `url` (the gateway starts, unready, while Redis is down) and starts
    /// the health watcher. The URL is never logged or returned: it may hold a password.
    pub fn open(url: &Secret) -> anyhow::Result<Arc<Redis>> {
        let client = redis::Client::open(url.expose())
            .map_err(|_| anyhow::anyhow!("redis_url is not a valid Redis URL"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| anyhow::anyhow!("cannot set up the Redis connection: {:?}", e.kind()))?;
        let redis = Arc::new(Redis {
            client,
            conn,
            up: AtomicBool::new(false),
        });
        tokio::spawn(watch(Arc::downgrade(&redis)));
        Ok(redis)
    }

    /// Whether Redis answered the last command or ping.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// The multiplexed connection (cheap to clone).
    pub fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// The client, for dedicated connections (pub/sub).
    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// Pings Redis once, updating the health; `true` when it answered.
    pub async fn ping(&self) -> bool {
        let mut conn = self.conn();
        let ok = tokio::time::timeout(
            REDIS_TIMEOUT,
            redis::cmd("PING").query_async::<String>(&mut conn),
        )
        .await
        .is_ok_and(|r| r.is_ok());
        self.set_up(ok);
        ok
    }

    fn set_up(&self, up: bool) {
        let was = self.up.swap(up, Ordering::AcqRel);
        if was != up {
            if up {
                tracing::info!("Redis is reachable");
            } else {
                tracing::warn!("Redis is unreachable: shared state is unavailable");
            }
        }
    }

    /// Runs a command, bounded by [`REDIS_TIMEOUT`]; a failure marks Redis down and becomes
    /// [`Error::StoreUnavailable`].
    pub async fn run<T, F, Fut>(&self, f: F) -> strata_core::Result<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(REDIS_TIMEOUT, f(self.conn())).await {
            Ok(Ok(v)) => {
                self.set_up(true);
                Ok(v)
            }
            Ok(Err(e)) => {
                if e.is_io_error()
                    || e.is_timeout()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal()
                {
                    self.set_up(false);
                }
                Err(Error::StoreUnavailable(format!("{:?}", e.kind())))
            }
            Err(_) => {
                self.set_up(false);
                Err(Error::StoreUnavailable("timed out".into()))
            }
        }
    }
}

/// Pings every second while the connection is alive.
async fn watch(redis: Weak<Redis>) {
    loop {
        let Some(r) = redis.upgrade() else { return };
        r.ping().await;
        drop(r);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A key under the gateway's prefix.
pub fn key(parts: &[&str]) -> String {
    let mut k = String::from(PREFIX);
    k.push_str(&parts.join(":"));
    k
}
