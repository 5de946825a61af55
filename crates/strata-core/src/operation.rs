//! Long-running operations (AIP-151) and the tracker that settles them.
//!
//! Most vendor mutations are asynchronous and return no usable job id. The gateway records an
//! [`Operation`], answers `202 Accepted`, and a [`Tracker`] polls the vendor resource with
//! backoff until it is settled, failed, or out of time.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::ids::ResourceType;
use crate::model::{Replica, ReplicaStatus, Snapshot, SnapshotStatus, Volume, VolumeStatus};
use crate::paging::{Page, PageRequest};

/// Where an operation stands.
///
/// - `running`: still in progress.
/// - `succeeded`: finished successfully; `result` holds the settled resource where there is
///   one.
/// - `failed`: finished in failure; `error` says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperationState {
    /// `running`: still in progress.
    Running,
    /// `succeeded`: finished successfully; `result` holds the settled resource where there
    /// is one.
    Succeeded,
    /// `failed`: finished in failure; `error` says why.
    Failed,
}

impl OperationState {
    /// The wire name: `running`, `succeeded` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationState::Running => "running",
            OperationState::Succeeded => "succeeded",
            OperationState::Failed => "failed",
        }
    }
}

/// Why an operation failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OperationError {
    /// The stable error code, as in problem details (e.g. `vendor_error`,
    /// `operation_timeout`).
    pub code: String,
    /// What went wrong, in words safe to show a client.
    pub message: String,
    /// The HTTP status code the failure would have had as a direct answer (e.g. 502).
    pub status: u16,
}

impl From<&Error> for OperationError {
    fn from(e: &Error) -> Self {
        OperationError {
            code: e.code(),
            message: e.public_detail(),
            status: e.http_status(),
        }
    }
}

/// A long-running operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Operation {
    /// Id of the operation: `op_` followed by a time-ordered UUID; poll it at
    /// `GET /v1/operations/{id}`.
    #[schema(example = "op_0192f5a0c4e37b1c9d2e3f4a5b6c7d8e")]
    pub id: String,
    /// What is being done: the catalogue name of the operation, e.g. `volume.create`,
    /// `snapshot.restore`.
    #[schema(example = "volume.create")]
    pub kind: String,
    /// Global id of the resource the operation acts on (for a create, the new resource);
    /// absent where there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Id of the provider doing the work.
    #[schema(example = "demo-kr1")]
    pub provider: String,
    /// Where the operation stands.
    pub state: OperationState,
    /// `true` once the operation succeeded or failed (`state` is no longer `running`).
    pub done: bool,
    /// Why the operation failed; absent unless `state` is `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<OperationError>,
    /// The settled resource on success (a volume, snapshot, replica, mount target or
    /// snapshot schedule, as the operation's kind implies); absent while running and on
    /// failure, absent or `null` where nothing remains to show (deletes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = result_schema)]
    pub result: Option<serde_json::Value>,
    /// Who started the operation: the subject (`sub`) of the caller's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// When the operation started (RFC 3339, UTC).
    pub create_time: DateTime<Utc>,
    /// When the record last changed (RFC 3339, UTC).
    pub update_time: DateTime<Utc>,
    /// When the operation finished (RFC 3339, UTC); absent while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
}

/// The schema of [`Operation::result`]: the settled resource of the operation's `kind`
/// (`anyOf`, not `oneOf`: the resources share optional fields, so one value may match several).
fn result_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
    use utoipa::openapi::Ref;
    [
        "Volume",
        "Snapshot",
        "Replica",
        "MountTarget",
        "SnapshotSchedule",
        "VolumeGroup",
        "GroupSnapshot",
        "GroupReplica",
        "Backup",
        "BackupJob",
        "RestoreJob",
        "BackupAgent",
    ]
    .into_iter()
    .fold(AnyOfBuilder::new(), |b, name| {
        b.item(Ref::from_schema_name(name))
    })
    .item(ObjectBuilder::new().schema_type(Type::Null))
    .description(Some(
        "The settled resource, by `kind`: a `Volume` (`volume.*`), `Snapshot`, `Replica`, \
             `MountTarget`, `SnapshotSchedule`, `VolumeGroup` (`volume_group.*`, \
             `group_snapshot.restore`), `GroupSnapshot`, `GroupReplica`, `Backup`, \
             `BackupJob` (`backup.run`), `RestoreJob` (`backup.restore`) or `BackupAgent`; \
             absent or null when the operation removed the resource or has not finished.",
    ))
    .build()
    .into()
}

impl Operation {
    /// A new running operation.
    pub fn start(
        kind: impl Into<String>,
        provider: impl Into<String>,
        target: Option<String>,
    ) -> Self {
        let now = Utc::now();
        Operation {
            id: format!("op_{}", uuid::Uuid::now_v7().simple()),
            kind: kind.into(),
            target,
            provider: provider.into(),
            state: OperationState::Running,
            done: false,
            error: None,
            result: None,
            principal: None,
            create_time: now,
            update_time: now,
            end_time: None,
        }
    }

    /// Marks it succeeded with an optional result.
    pub fn succeed(&mut self, result: Option<serde_json::Value>) {
        self.finish(OperationState::Succeeded);
        self.result = result;
    }

    /// Marks it failed.
    pub fn fail(&mut self, error: OperationError) {
        self.finish(OperationState::Failed);
        self.error = Some(error);
    }

    fn finish(&mut self, state: OperationState) {
        let now = Utc::now();
        self.state = state;
        self.done = true;
        self.update_time = now;
        self.end_time = Some(now);
    }
}

/// Filters of an operation list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperationFilter {
    /// Only operations of this provider.
    pub provider: Option<String>,
    /// Only operations that are (or are not) done.
    pub done: Option<bool>,
    /// Only operations acting on this global id.
    pub target: Option<String>,
}

impl OperationFilter {
    fn matches(&self, op: &Operation) -> bool {
        self.provider.as_deref().is_none_or(|p| op.provider == p)
            && self.done.is_none_or(|d| op.done == d)
            && self
                .target
                .as_deref()
                .is_none_or(|t| op.target.as_deref() == Some(t))
    }
}

/// Where operation records live. In memory by default; a shared store (Redis) lets any
/// gateway replica answer for operations another replica started.
#[async_trait]
pub trait OperationStore: Send + Sync {
    /// Inserts or replaces a record.
    async fn put(&self, op: &Operation) -> Result<()>;
    /// The record with this id, if the store still holds it.
    async fn get(&self, id: &str) -> Result<Option<Operation>>;
    /// Newest first. The page token is the id of the last record of the previous page.
    async fn list(&self, filter: &OperationFilter, page: &PageRequest) -> Result<Page<Operation>>;
}

/// An in-memory store keeping the most recent `capacity` records.
pub struct MemoryOperationStore {
    // Ids are time-ordered, so the map's order is creation order.
    ops: RwLock<BTreeMap<String, Operation>>,
    capacity: usize,
}

impl MemoryOperationStore {
    /// A store keeping at most `capacity` records (at least 1), evicting finished ones first.
    pub fn new(capacity: usize) -> Self {
        MemoryOperationStore {
            ops: RwLock::new(BTreeMap::new()),
            capacity: capacity.max(1),
        }
    }
}

impl Default for MemoryOperationStore {
    fn default() -> Self {
        Self::new(10_000)
    }
}

#[async_trait]
impl OperationStore for MemoryOperationStore {
    async fn put(&self, op: &Operation) -> Result<()> {
        let mut ops = self.ops.write().await;
        ops.insert(op.id.clone(), op.clone());
        while ops.len() > self.capacity {
            // Evict the oldest finished record; running ones are still being tracked.
            let victim = ops.iter().find(|(_, o)| o.done).map(|(k, _)| k.clone());
            match victim.or_else(|| ops.keys().next().cloned()) {
                Some(k) => ops.remove(&k),
                None => break,
            };
        }
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<Operation>> {
        Ok(self.ops.read().await.get(id).cloned())
    }

    async fn list(&self, filter: &OperationFilter, page: &PageRequest) -> Result<Page<Operation>> {
        let ops = self.ops.read().await;
        let size = page.page_size.max(1) as usize;
        let upper = match &page.page_token {
            Some(t) if t.starts_with("op_") => std::ops::Bound::Excluded(t.clone()),
            Some(_) => return Err(Error::InvalidPageToken),
            None => std::ops::Bound::Unbounded,
        };
        let mut items: Vec<Operation> = ops
            .range::<String, _>((std::ops::Bound::Unbounded, upper))
            .rev()
            .map(|(_, o)| o)
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
}

/// The answer of one poll.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// Not settled yet.
    Pending,
    /// Settled; the optional value becomes the operation's `result`.
    Done(Option<serde_json::Value>),
    /// Settled in failure.
    Failed(Error),
}

/// Polling schedule: exponential backoff from `initial` to `max`, giving up after `timeout`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Wait before the first poll.
    pub initial: Duration,
    /// Longest wait between polls.
    pub max: Duration,
    /// Multiplier applied to the wait after each poll.
    pub factor: f64,
    /// How long to poll before the operation fails with `operation_timeout`.
    pub timeout: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(10),
            factor: 2.0,
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl Backoff {
    fn next(&self, current: Duration) -> Duration {
        current.mul_f64(self.factor).min(self.max)
    }
}

/// Called with every operation a [`Tracker`] settles.
pub type SettleObserver = Arc<dyn Fn(&Operation) + Send + Sync>;

/// Settles operations by polling.
#[derive(Clone)]
pub struct Tracker {
    store: Arc<dyn OperationStore>,
    backoff: Backoff,
    /// Told of every operation this tracker settles (metrics count them by state).
    observer: Option<SettleObserver>,
    /// Set once the gateway starts shutting down; ends every [`Tracker::wait`] at once.
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Tracker {
    /// A tracker recording operations in `store` and polling on the `backoff` schedule.
    pub fn new(store: Arc<dyn OperationStore>, backoff: Backoff) -> Self {
        Tracker {
            store,
            backoff,
            observer: None,
            shutdown: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    /// The same tracker, telling `observer` of every operation it settles.
    pub fn with_observer(mut self, observer: SettleObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Ends every current and future [`Tracker::wait`] early, so long-polls are answered with
    /// the operation as it stands while the server drains. Background settling goes on.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// The store holding the operation records.
    pub fn store(&self) -> &Arc<dyn OperationStore> {
        &self.store
    }

    /// Records `op` and settles it in the background. Returns the record as first stored.
    pub async fn track<F, Fut>(&self, op: Operation, probe: F) -> Result<Operation>
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Probe>> + Send,
    {
        self.store.put(&op).await?;
        let this = self.clone();
        let first = op.clone();
        tokio::spawn(async move {
            this.drive(op, probe).await;
        });
        Ok(first)
    }

    /// Polls until the operation settles or times out; stores and returns the final record.
    ///
    /// Errors from the probe that are retryable (vendor down, throttled) do not fail the
    /// operation: the vendor's change may well be progressing, so polling continues until the
    /// deadline. Any other error fails it.
    pub async fn drive<F, Fut>(&self, mut op: Operation, mut probe: F) -> Operation
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Probe>>,
    {
        let deadline = tokio::time::Instant::now() + self.backoff.timeout;
        let mut delay = self.backoff.initial;
        let mut last_error: Option<Error>;
        loop {
            match probe().await {
                Ok(Probe::Done(result)) => {
                    op.succeed(result);
                    break;
                }
                Ok(Probe::Failed(e)) => {
                    op.fail((&e).into());
                    break;
                }
                Ok(Probe::Pending) => last_error = None,
                Err(e) if e.retryable() => {
                    tracing::debug!(operation = %op.id, error = %e, "probe failed, will retry");
                    last_error = Some(e);
                }
                Err(e) => {
                    op.fail((&e).into());
                    break;
                }
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                let mut err = OperationError::from(&Error::Timeout);
                if let Some(e) = last_error {
                    err.message = format!("{} (last error: {})", err.message, e.public_detail());
                }
                op.fail(err);
                break;
            }
            tokio::time::sleep(delay.min(deadline - now)).await;
            delay = self.backoff.next(delay);
        }
        if let Err(e) = self.store.put(&op).await {
            tracing::error!(operation = %op.id, error = %e, "could not store the settled operation");
        }
        tracing::info!(operation = %op.id, kind = %op.kind, state = ?op.state, "operation settled");
        if let Some(observe) = &self.observer {
            observe(&op);
        }
        op
    }

    /// Waits up to `timeout` for an operation to be done, polling the store (which may be
    /// shared with other replicas). Returns the latest record, early once
    /// [`Tracker::begin_shutdown`] was called.
    pub async fn wait(&self, id: &str, timeout: Duration) -> Result<Operation> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut delay = Duration::from_millis(20);
        let mut shutdown = self.shutdown.subscribe();
        loop {
            let op = self.store.get(id).await?.ok_or_else(|| {
                Error::Internal(format!("operation {id} vanished from the store"))
            })?;
            let now = tokio::time::Instant::now();
            if op.done || now >= deadline || *shutdown.borrow_and_update() {
                return Ok(op);
            }
            tokio::select! {
                _ = tokio::time::sleep(delay.min(deadline - now)) => {}
                _ = shutdown.changed() => {}
            }
            delay = (delay * 2).min(Duration::from_millis(250));
        }
    }
}

/// A resource whose status says whether a change to it has settled.
pub trait Settles: Serialize {
    /// Its resource type (for the error when it fails).
    const RESOURCE: ResourceType;
    /// Still changing (creating, updating, …).
    fn transitional(&self) -> bool;
    /// Settled in an error state.
    fn failed(&self) -> bool;
}

impl Settles for Volume {
    const RESOURCE: ResourceType = ResourceType::Volume;
    fn transitional(&self) -> bool {
        self.status.is_transitional()
    }
    fn failed(&self) -> bool {
        self.status == VolumeStatus::Error
    }
}

impl Settles for Snapshot {
    const RESOURCE: ResourceType = ResourceType::Snapshot;
    fn transitional(&self) -> bool {
        self.status.is_transitional()
    }
    fn failed(&self) -> bool {
        self.status == SnapshotStatus::Error
    }
}

impl Settles for Replica {
    const RESOURCE: ResourceType = ResourceType::Replica;
    fn transitional(&self) -> bool {
        self.status.is_transitional()
    }
    fn failed(&self) -> bool {
        self.status == ReplicaStatus::Error
    }
}

/// The probe's verdict for a resource fetched after a create or update: done once it left
/// its transitional status, failed when it settled in an error state.
pub fn probe_settled<T: Settles>(fetched: Result<T>) -> Result<Probe> {
    let value = fetched?;
    if value.failed() {
        return Ok(Probe::Failed(Error::VendorFailed {
            vendor_status: None,
            vendor_code: None,
            message: format!("the {} went into an error state", T::RESOURCE),
        }));
    }
    if value.transitional() {
        return Ok(Probe::Pending);
    }
    Ok(Probe::Done(serde_json::to_value(&value).ok()))
}

/// The probe's verdict after a delete: done once the resource is gone.
pub fn probe_deleted<T>(fetched: Result<T>) -> Result<Probe> {
    match fetched {
        Err(Error::NotFound { .. }) => Ok(Probe::Done(None)),
        Err(e) => Err(e),
        Ok(_) => Ok(Probe::Pending),
    }
}

#[cfg(test)]
#[path = "operation_tests.rs"]
mod tests;
