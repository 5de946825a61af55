use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{VendorFields, Weekday};

/// Normalized snapshot status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotStatus {
    Creating,
    Available,
    /// A restore from this snapshot is running.
    Restoring,
    Deleting,
    Error,
    Unknown,
}

impl SnapshotStatus {
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
    pub id: String,
    pub provider: String,
    /// Global id of the snapshotted volume.
    pub volume_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: SnapshotStatus,
    pub origin: SnapshotOrigin,
    /// Size of the snapshot's data, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// System-protected snapshots cannot be deleted.
    pub preserved: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
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
    pub snapshot_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    pub succeeded: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

/// How often a schedule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleFrequency {
    Daily,
    Weekly,
}

/// The automatic snapshot schedule of a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSchedule {
    pub frequency: ScheduleFrequency,
    /// Days for `weekly` schedules (empty for `daily`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 7)]
    pub days: Vec<Weekday>,
    /// Hour of day, 0–23, in `timezone`.
    pub hour: u8,
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
