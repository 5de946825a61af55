//! Long-running operations (AIP-151) and the tracker that settles them.
//!
//! Most vendor mutations are asynchronous and return no usable job id. The gateway records an
//! [`Operation`], answers `202 Accepted`, and a [`Tracker`] polls the vendor resource with
//! backoff until it is settled, failed, or out of time.
//!
//! Operations are data, not closures: an [`OperationRecord`] holds the kind (a catalogue
//! name), the target id, the owner and the deadline, so any gateway replica sharing the
//! [`OperationStore`] can rebuild the probe ([`Probes`]) and finish an operation whose
//! replica died. Who polls is decided by a lease in the store.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::ids::ResourceType;
use crate::model::{
    Archive, Backup, BackupJob, BackupStatus, GroupReplica, GroupSnapshot, JobStatus, Replica,
    ReplicaStatus, RestoreJob, Snapshot, SnapshotStatus, Volume, VolumeGroup, VolumeStatus,
};

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
        "Archive",
        "ArchivePolicy",
        "ArchiveJob",
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
             `BackupJob` (`backup.run`), `RestoreJob` (`backup.restore`), `BackupAgent`, \
             `Archive` (`archive.create`, `archive.update`), `ArchivePolicy` \
             (`archive.policy.*`) or `ArchiveJob` (`archive.recover`, \
             `archive.versions.recover`, `archive_job.cancel`); absent or null when the operation removed the resource or has not finished.",
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
    /// Whether `op` passes the filter.
    pub fn matches(&self, op: &Operation) -> bool {
        self.provider.as_deref().is_none_or(|p| op.provider == p)
            && self.done.is_none_or(|d| op.done == d)
            && self
                .target
                .as_deref()
                .is_none_or(|t| op.target.as_deref() == Some(t))
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

/// A resource whose status says whether a change to it has settled.
pub trait Settles: Serialize {
    /// Its resource type (for the error when it fails).
    const RESOURCE: ResourceType;
    /// Still changing (creating, updating, …).
    fn transitional(&self) -> bool;
    /// Settled in an error state.
    fn failed(&self) -> bool;
}

/// [`Settles`] for resources that settle by their `status`: still changing while it is
/// transitional, failed in the error state given.
macro_rules! settles_by_status {
    ($($t:ty => $rtype:ident, $failed:expr;)+) => {$(
        impl Settles for $t {
            const RESOURCE: ResourceType = ResourceType::$rtype;
            fn transitional(&self) -> bool {
                self.status.is_transitional()
            }
            fn failed(&self) -> bool {
                self.status == $failed
            }
        }
    )+};
}

settles_by_status! {
    Volume => Volume, VolumeStatus::Error;
    Snapshot => Snapshot, SnapshotStatus::Error;
    Replica => Replica, ReplicaStatus::Error;
    VolumeGroup => VolumeGroup, VolumeStatus::Error;
    GroupSnapshot => GroupSnapshot, SnapshotStatus::Error;
    // A group replica has no id of its own: it is addressed through its group.
    GroupReplica => VolumeGroup, ReplicaStatus::Error;
    Backup => Backup, BackupStatus::Error;
    BackupJob => BackupJob, JobStatus::Failed;
    RestoreJob => RestoreJob, JobStatus::Failed;
    Archive => Archive, BackupStatus::Error;
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

mod store;
mod tracker;

pub use store::{MemoryOperationStore, OperationRecord, OperationStore};
pub use tracker::{Backoff, ProbeFn, Probes, SettleObserver, Tracker};

#[cfg(test)]
mod tests;
