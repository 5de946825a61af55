use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{VendorFields, Weekday};

/// Normalized snapshot status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotStatus {
    /// Being created.
    Creating,
    /// Ready to use.
    Available,
    /// A restore from this snapshot is running.
    Restoring,
    /// Being deleted.
    Deleting,
    /// The vendor reports the snapshot as failed.
    Error,
    /// The vendor reported a state Strata does not know; see `vendor`.
    Unknown,
}

impl SnapshotStatus {
    /// Whether the snapshot is still moving towards a settled state.
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            SnapshotStatus::Creating | SnapshotStatus::Restoring | SnapshotStatus::Deleting
        )
    }
}

/// Who made a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotOrigin {
    /// Taken on request.
    Manual,
    /// Taken by the snapshot schedule.
    Scheduled,
    /// Made by replication.
    Replication,
}

/// A point-in-time snapshot of a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    /// Global id (opaque).
    pub id: String,
    /// Provider id.
    pub provider: String,
    /// Global id of the snapshotted volume.
    pub volume_id: String,
    /// Name of the snapshot; vendor-generated where callers cannot choose it.
    pub name: String,
    /// Free-text description, where set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: SnapshotStatus,
    /// Who made the snapshot.
    pub origin: SnapshotOrigin,
    /// Size of the snapshot's data, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// System-protected snapshots cannot be deleted.
    pub preserved: bool,
    /// When the vendor created the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's untranslated fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/volumes/{id}/snapshots`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSnapshot {
    /// Name; generated from the time when absent and the vendor requires one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub name: Option<String>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1024)]
    pub description: Option<String>,
}

/// How a snapshot is restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RestoreMode {
    /// Roll the source volume back to the snapshot.
    #[default]
    InPlace,
    /// Create a new volume from the snapshot (a clone).
    NewVolume,
}

/// Body of `POST /v1/snapshots/{id}/restore`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreSnapshot {
    /// Restore in place (the default) or into a new volume.
    #[serde(default)]
    pub mode: RestoreMode,
    /// Name of the new volume (mode `new_volume`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub volume_name: Option<String>,
}

/// A past restore of a volume from a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RestoreRecord {
    /// Name of the snapshot restored from.
    pub snapshot_name: String,
    /// Global id of the snapshot restored from, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    /// Whether the restore finished successfully.
    pub succeeded: bool,
    /// When the restore started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the restore finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

/// How often a schedule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleFrequency {
    /// Every day at the given time.
    Daily,
    /// On the given days of the week at the given time.
    Weekly,
}

/// The automatic snapshot schedule of a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSchedule {
    /// How often a snapshot is taken.
    pub frequency: ScheduleFrequency,
    /// Days for `weekly` schedules (empty for `daily`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 7)]
    pub days: Vec<Weekday>,
    /// Hour of day, 0–23, in `timezone`.
    pub hour: u8,
    /// Minute of the hour, 0–59; must be 0 where the provider schedules on the hour.
    #[serde(default)]
    pub minute: u8,
    /// IANA time zone the hour is in; providers state which they accept.
    #[serde(default = "default_tz")]
    #[schema(max_length = 255)]
    pub timezone: String,
    /// How many scheduled snapshots to keep, where the provider supports a limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_count: Option<u32>,
}

fn default_tz() -> String {
    "Asia/Seoul".into()
}
