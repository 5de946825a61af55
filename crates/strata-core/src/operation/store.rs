//! Where operation records live: the [`OperationStore`] trait and its in-memory default.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use super::{Operation, OperationFilter};
use crate::error::{Error, Result};
use crate::paging::{Page, PageRequest};

/// What the store keeps of an operation: its public face plus what a replica needs to go on
/// tracking it (the deadline, and the one probe argument some kinds have).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationRecord {
    /// The operation as clients see it (kind, target, provider, owner, state).
    pub operation: Operation,
    /// When tracking gives up and the operation fails with `operation_timeout`.
    pub deadline: DateTime<Utc>,
    /// The probe's argument beyond kind and target, where the kind needs one (the mount
    /// target id of `volume.mount_target.*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The id of the request that started it, carried by the probe's vendor calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl OperationRecord {
    /// A record of `operation` tracked until `deadline`.
    pub fn new(operation: Operation, deadline: DateTime<Utc>) -> Self {
        OperationRecord {
            operation,
            deadline,
            detail: None,
            request_id: None,
        }
    }

    /// The operation's id.
    pub fn id(&self) -> &str {
        &self.operation.id
    }
}

/// Where operation records live. In memory by default; a shared store (Redis) lets any
/// gateway replica answer for operations another replica started, and take over tracking
/// them when that replica dies (the lease).
#[async_trait]
pub trait OperationStore: Send + Sync {
    /// Inserts or replaces a record.
    async fn put(&self, rec: &OperationRecord) -> Result<()>;
    /// The record with this id, if the store still holds it.
    async fn get(&self, id: &str) -> Result<Option<OperationRecord>>;
    /// Newest first. The page token is the id of the last record of the previous page.
    async fn list(&self, filter: &OperationFilter, page: &PageRequest) -> Result<Page<Operation>>;
    /// Takes the tracking lease of operation `id` for `owner` for `ttl`, or renews it when
    /// `owner` already holds it. `false` while another owner holds an unexpired lease.
    async fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool>;
    /// Gives the lease up, if `owner` holds it.
    async fn release(&self, id: &str, owner: &str) -> Result<()>;
    /// Ids of the operations not yet done (candidates for taking over).
    async fn running(&self) -> Result<Vec<String>>;
    /// Whether other gateway processes share this store (then orphaned operations are
    /// looked for and taken over).
    fn shared(&self) -> bool {
        false
    }
}

/// An in-memory store keeping the most recent `capacity` records.
pub struct MemoryOperationStore {
    // Ids are time-ordered, so the map's order is creation order.
    ops: RwLock<BTreeMap<String, OperationRecord>>,
    leases: std::sync::Mutex<HashMap<String, (String, tokio::time::Instant)>>,
    capacity: usize,
}

impl MemoryOperationStore {
    /// A store keeping at most `capacity` records (at least 1), evicting finished ones first.
    pub fn new(capacity: usize) -> Self {
        MemoryOperationStore {
            ops: RwLock::new(BTreeMap::new()),
            leases: std::sync::Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }
}

impl Default for MemoryOperationStore {
    fn default() -> Self {
        Self::new(10_000)
    }
}

/// One page of `ops` (newest first) matching `filter`: the one paging rule every store
/// follows (the token is the last id of the previous page).
pub fn page_of<'a>(
    ops: impl DoubleEndedIterator<Item = &'a Operation>,
    filter: &OperationFilter,
    page: &PageRequest,
) -> Result<Page<Operation>> {
    let size = page.page_size.max(1) as usize;
    let before = match &page.page_token {
        Some(t) if t.starts_with("op_") => Some(t.as_str()),
        Some(_) => return Err(Error::InvalidPageToken),
        None => None,
    };
    let mut items: Vec<Operation> = ops
        .rev()
        .filter(|o| before.is_none_or(|b| o.id.as_str() < b))
        .filter(|o| filter.matches(o))
        .take(size + 1)
        .cloned()
        .collect();
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

#[async_trait]
impl OperationStore for MemoryOperationStore {
    async fn put(&self, rec: &OperationRecord) -> Result<()> {
        let mut ops = self.ops.write().await;
        ops.insert(rec.id().to_string(), rec.clone());
        while ops.len() > self.capacity {
            // Evict the oldest finished record; running ones are still being tracked.
            let victim = ops
                .iter()
                .find(|(_, r)| r.operation.done)
                .map(|(k, _)| k.clone());
            match victim.or_else(|| ops.keys().next().cloned()) {
                Some(k) => ops.remove(&k),
                None => break,
            };
        }
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<OperationRecord>> {
        Ok(self.ops.read().await.get(id).cloned())
    }

    async fn list(&self, filter: &OperationFilter, page: &PageRequest) -> Result<Page<Operation>> {
        let ops = self.ops.read().await;
        let upper = match &page.page_token {
            Some(t) if t.starts_with("op_") => std::ops::Bound::Excluded(t.clone()),
            Some(_) => return Err(Error::InvalidPageToken),
            None => std::ops::Bound::Unbounded,
        };
        page_of(
            ops.range::<String, _>((std::ops::Bound::Unbounded, upper))
                .map(|(_, r)| &r.operation),
            filter,
            page,
        )
    }

    async fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool> {
        let now = tokio::time::Instant::now();
        let mut leases = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        match leases.get(id) {
            Some((holder, until)) if holder != owner && *until > now => Ok(false),
            _ => {
                leases.insert(id.to_string(), (owner.to_string(), now + ttl));
                Ok(true)
            }
        }
    }

    async fn release(&self, id: &str, owner: &str) -> Result<()> {
        let mut leases = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        if leases.get(id).is_some_and(|(holder, _)| holder == owner) {
            leases.remove(id);
        }
        Ok(())
    }

    async fn running(&self) -> Result<Vec<String>> {
        Ok(self
            .ops
            .read()
            .await
            .values()
            .filter(|r| !r.operation.done)
            .map(|r| r.id().to_string())
            .collect())
    }
}
