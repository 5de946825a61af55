use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::whole;
use super::{VendorFields, Weekday};

/// Normalized status of a snapshot; the vendor's own status is kept in `vendor`.
///
/// - `creating`: being taken.
/// - `available`: ready to restore from or delete.
/// - `restoring`: a restore from this snapshot is running.
/// - `deleting`: being deleted.
/// - `error`: the vendor reports the snapshot as failed.
/// - `unknown`: the vendor reported a state Strata does not know; see `vendor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotStatus {
    /// `creating`: being taken.
    Creating,
    /// `available`: ready to use.
    Available,
    /// `restoring`: a restore from this snapshot is running.
    Restoring,
    /// `deleting`: being deleted.
    Deleting,
    /// `error`: the vendor reports the snapshot as failed.
    Error,
    /// `unknown`: the vendor reported a state Strata does not know; see `vendor`.
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
///
/// - `manual`: taken on request (also reported where the vendor does not tell, as on SCP).
/// - `scheduled`: taken by the volume's snapshot schedule.
/// - `replication`: made by replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotOrigin {
    /// `manual`: taken on request.
    Manual,
    /// `scheduled`: taken by the snapshot schedule.
    Scheduled,
    /// `replication`: made by replication.
    Replication,
}

/// A point-in-time snapshot of a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    /// Global id of the snapshot (`snap_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider the snapshot belongs to.
    pub provider: String,
    /// Global id of the volume the snapshot was taken of.
    pub volume_id: String,
    /// Name of the snapshot: the one given at creation, else generated from the time, or the
    /// vendor's own where callers cannot choose names (SCP).
    pub name: String,
    /// Free-text description, as given at creation; absent when none was given or the
    /// vendor keeps none (NHN Cloud, SCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: SnapshotStatus,
    /// Who made the snapshot.
    pub origin: SnapshotOrigin,
    /// Size of the snapshot's data, in bytes; absent where the vendor does not report it
    /// (NHN Cloud reports a `size` of undocumented unit, kept as is in `vendor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// `true` for a snapshot the vendor protects (NHN Cloud: one replication relies on);
    /// deleting it is refused.
    pub preserved: bool,
    /// When the snapshot was taken (RFC 3339, UTC); absent where the vendor does not report
    /// it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/volumes/{id}/snapshots`; `{}` takes a snapshot with a generated name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "before-upgrade", "description": "Taken before the 2.4 upgrade"}))]
pub struct CreateSnapshot {
    /// Name of the snapshot, where the kind's `snapshot_names` is `true` (refused where the
    /// vendor names snapshots itself, as on SCP); must fit the kind's `name` rules. Absent:
    /// generated from the current time, e.g. `snap-20250401-064425`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub name: Option<String>,
    /// Free-text description, up to 1024 characters; absent: none. NHN Cloud and SCP keep
    /// no snapshot descriptions and refuse one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1024)]
    pub description: Option<String>,
}

/// How a snapshot is restored.
///
/// - `in_place`: roll the snapshot's own volume back to it (feature
///   `snapshot_restore_in_place`); the default.
/// - `new_volume`: create a new volume from the snapshot, a clone (feature `snapshot_clone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RestoreMode {
    /// `in_place`: roll the source volume back to the snapshot.
    #[default]
    InPlace,
    /// `new_volume`: create a new volume from the snapshot (a clone).
    NewVolume,
}

/// Body of `POST /v1/snapshots/{id}/restore`; `{}` restores in place.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mode": "new_volume", "volume_name": "app-data-copy"}))]
pub struct RestoreSnapshot {
    /// Restore in place (the default) or into a new volume.
    #[serde(default)]
    pub mode: RestoreMode,
    /// Name of the new volume for mode `new_volume`; must fit the kind's `name` rules.
    /// Absent: derived from the source volume's name. Not used by `in_place`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub volume_name: Option<String>,
}

/// A past restore of a volume from a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RestoreRecord {
    /// Name of the snapshot restored from; empty where the vendor does not report it.
    pub snapshot_name: String,
    /// Global id of the snapshot restored from, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    /// `true` once the restore finished successfully; `false` while it runs or after it
    /// failed.
    pub succeeded: bool,
    /// When the restore was requested (RFC 3339, UTC), where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the restore finished (RFC 3339, UTC); absent while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

/// How often a snapshot schedule fires: `daily` (every day at the given time) or `weekly`
/// (on the given days of the week at the given time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleFrequency {
    /// `daily`: every day at the given time.
    Daily,
    /// `weekly`: on the given days of the week at the given time.
    Weekly,
}

/// The automatic snapshot schedule of a volume (`PUT /v1/volumes/{id}/snapshot-schedule`
/// sets it whole). The kind's `schedule` capabilities say which values a provider accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "frequency": "weekly",
    "days": ["monday", "thursday"],
    "hour": 2,
    "minute": 30,
    "timezone": "Asia/Seoul",
    "retention_count": 7
}))]
pub struct SnapshotSchedule {
    /// How often a snapshot is taken; one of the kind's `schedule.frequencies`.
    pub frequency: ScheduleFrequency,
    /// The days of a `weekly` schedule (at least one); empty or absent for `daily`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 7)]
    pub days: Vec<Weekday>,
    /// Hour of the day the snapshot is taken, 0–23, in `timezone`. Any JSON integer
    /// spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 0, maximum = 23)]
    pub hour: u8,
    /// Minute of the hour, 0–59; must be 0 where the kind's `schedule.minutes` is `false`
    /// (the provider schedules on the hour). Default 0.
    #[serde(default, deserialize_with = "whole::deserialize")]
    #[schema(minimum = 0, maximum = 59)]
    pub minute: u8,
    /// IANA time zone of `hour` and `minute`, one of the kind's `schedule.timezones`;
    /// default `Asia/Seoul`.
    #[serde(default = "default_tz")]
    #[schema(max_length = 255, example = "Asia/Seoul")]
    pub timezone: String,
    /// How many scheduled snapshots the vendor keeps, at least 1 and at most
    /// the kind's `schedule.max_retention_count`; absent: the vendor's current or default
    /// setting.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole::option::deserialize"
    )]
    #[schema(minimum = 1)]
    pub retention_count: Option<u32>,
}

fn default_tz() -> String {
    "Asia/Seoul".into()
}
