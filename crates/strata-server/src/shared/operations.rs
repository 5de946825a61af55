//! Operation records in Redis, so any replica answers for, waits on, lists and finishes
//! operations another replica started.
//!
//! Keys (under `strata:`): `op:{id}` the record (JSON, expiring after the retention),
//! `ops` the index of ids (a sorted set read in lexicographic order: ids are time-ordered
//! UUIDv7, so newest first is reverse order), `ops:running` the ids not yet done, and
//! `lease:{id}` the replica tracking an operation (expiring unless renewed).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use strata_core::error::{Error, Result};
use strata_core::operation::{Operation, OperationFilter, OperationRecord, OperationStore};
use strata_core::paging::{Page, PageRequest};

use super::{key, Redis};

/// Takes the lease if free or already ours (then renews it).
const LEASE: &str = r"
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0";

/// Drops the lease if it is ours.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

/// The Redis [`OperationStore`].
pub struct RedisOperationStore {
    redis: Arc<Redis>,
    retention: Duration,
    lease: redis::Script,
    release: redis::Script,
}

impl RedisOperationStore {
    /// Records expire `retention` after their last change.
    pub fn new(redis: Arc<Redis>, retention: Duration) -> Self {
        RedisOperationStore {
            redis,
            retention: retention.max(Duration::from_secs(1)),
            lease: redis::Script::new(LEASE),
            release: redis::Script::new(RELEASE),
        }
    }

    /// The index member below which ids are older than the retention (UUIDv7 ids start with
    /// their creation time in milliseconds, as 12 hex digits).
    fn expired_below(&self) -> String {
        let cutoff = chrono::Utc::now().timestamp_millis() - self.retention.as_millis() as i64;
        format!("(op_{:012x}", cutoff.max(0))
    }
}

fn decode(raw: &str) -> Result<OperationRecord> {
    serde_json::from_str(raw)
        .map_err(|e| Error::Internal(format!("an operation record does not decode: {e}")))
}

#[async_trait]
impl OperationStore for RedisOperationStore {
    async fn put(&self, rec: &OperationRecord) -> Result<()> {
        let json = serde_json::to_string(rec)
            .map_err(|e| Error::Internal(format!("an operation record does not encode: {e}")))?;
        let id = rec.id().to_string();
        let done = rec.operation.done;
        let ttl = self.retention.as_secs();
        let below = self.expired_below();
        self.redis
            .run(|mut c| async move {
                let mut p = redis::pipe();
                p.atomic()
                    .set_ex(key(&["op", &id]), json, ttl)
                    .ignore()
                    .zadd(key(&["ops"]), &id, 0)
                    .ignore()
                    .zrembylex(key(&["ops"]), "-", below)
                    .ignore();
                if done {
                    p.srem(key(&["ops", "running"]), &id).ignore();
                } else {
                    p.sadd(key(&["ops", "running"]), &id).ignore();
                }
                p.query_async::<()>(&mut c).await
            })
            .await
    }

    async fn get(&self, id: &str) -> Result<Option<OperationRecord>> {
        let k = key(&["op", id]);
        let raw: Option<String> = self
            .redis
            .run(|mut c| async move { c.get(k).await })
            .await?;
        raw.as_deref().map(decode).transpose()
    }

    async fn list(&self, filter: &OperationFilter, page: &PageRequest) -> Result<Page<Operation>> {
        let size = page.page_size.max(1) as usize;
        let mut upper = match &page.page_token {
            Some(t) if t.starts_with("op_") => format!("({t}"),
            Some(_) => return Err(Error::InvalidPageToken),
            None => "+".to_string(),
        };
        let batch = (size + 1).clamp(50, 500);
        let mut items = Vec::new();
        'scan: loop {
            let ids: Vec<String> = {
                let upper = upper.clone();
                self.redis
                    .run(|mut c| async move {
                        c.zrevrangebylex_limit(key(&["ops"]), upper, "-", 0, batch as isize)
                            .await
                    })
                    .await?
            };
            if ids.is_empty() {
                break;
            }
            let keys: Vec<String> = ids.iter().map(|id| key(&["op", id])).collect();
            let raws: Vec<Option<String>> = self
                .redis
                .run(|mut c| async move { redis::cmd("MGET").arg(keys).query_async(&mut c).await })
                .await?;
            let mut gone = Vec::new();
            for (id, raw) in ids.iter().zip(raws) {
                match raw {
                    Some(raw) => {
                        let op = decode(&raw)?.operation;
                        if filter.matches(&op) {
                            items.push(op);
                            if items.len() > size {
                                break 'scan;
                            }
                        }
                    }
                    None => gone.push(id.clone()),
                }
            }
            if !gone.is_empty() {
                // Expired records leave the index as they are found.
                let _ = self
                    .redis
                    .run(|mut c| async move { c.zrem::<_, _, ()>(key(&["ops"]), gone).await })
                    .await;
            }
            if ids.len() < batch {
                break;
            }
            upper = format!("({}", ids.last().map(String::as_str).unwrap_or("op_"));
        }
        let next = if items.len() > size {
            items.truncate(size);
            items.last().map(|o| o.id.clone())
        } else {
            None
        };
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    async fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool> {
        let k = key(&["lease", id]);
        let owner = owner.to_string();
        let ms = ttl.as_millis() as u64;
        let script = &self.lease;
        let got: i64 = self
            .redis
            .run(|mut c| async move { script.key(k).arg(owner).arg(ms).invoke_async(&mut c).await })
            .await?;
        Ok(got == 1)
    }

    async fn release(&self, id: &str, owner: &str) -> Result<()> {
        let k = key(&["lease", id]);
        let owner = owner.to_string();
        let script = &self.release;
        self.redis
            .run(|mut c| async move { script.key(k).arg(owner).invoke_async::<i64>(&mut c).await })
            .await
            .map(|_| ())
    }

    async fn running(&self) -> Result<Vec<String>> {
        let ids: Vec<String> = self
            .redis
            .run(|mut c| async move { c.smembers(key(&["ops", "running"])).await })
            .await?;
        if ids.is_empty() {
            return Ok(ids);
        }
        let keys: Vec<String> = ids.iter().map(|id| key(&["op", id])).collect();
        let present: Vec<Option<String>> = self
            .redis
            .run(|mut c| async move { redis::cmd("MGET").arg(keys).query_async(&mut c).await })
            .await?;
        let (live, gone): (Vec<_>, Vec<_>) = ids
            .into_iter()
            .zip(present)
            .partition(|(_, raw)| raw.is_some());
        if !gone.is_empty() {
            let gone: Vec<String> = gone.into_iter().map(|(id, _)| id).collect();
            let _ = self
                .redis
                .run(
                    |mut c| async move { c.srem::<_, _, ()>(key(&["ops", "running"]), gone).await },
                )
                .await;
        }
        Ok(live.into_iter().map(|(id, _)| id).collect())
    }

    fn shared(&self) -> bool {
        true
    }
}
