use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::whole;
use super::{VendorFields, Weekday};

/// Normalized status of a backup policy (and of an archive); the vendor's own status is
/// kept in `vendor`.
///
/// - `creating`: being created.
/// - `active`: ready and in service.
/// - `paused`: scheduled runs are suspended.
/// - `updating`: a change is in progress.
/// - `deleting`: being deleted.
/// - `error`: the vendor reports an error.
/// - `unknown`: the vendor reported a state Strata does not know; see `vendor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupStatus {
    /// `creating`: being created.
    Creating,
    /// `active`: ready and in service.
    Active,
    /// `paused`: scheduled runs are suspended.
    Paused,
    /// `updating`: a change is in progress.
    Updating,
    /// `deleting`: being deleted.
    Deleting,
    /// `error`: the vendor reports an error.
    Error,
    /// `unknown`: the vendor reported a state Strata does not know; see `vendor`.
    Unknown,
}

/// A schedule entry of a backup policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSchedule {
    /// How often the entry runs: `daily`, `weekly` or `monthly` (the provider's backup
    /// capabilities list those it offers).
    pub frequency: String,
    /// The days of the week of a `weekly` entry; empty or absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Weekday>,
    /// The day of the month (1–31) of a `monthly` entry; absent otherwise. Any JSON integer
    /// spelling is accepted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole::option::deserialize"
    )]
    pub day_of_month: Option<u8>,
    /// Hour of the day the backup runs, 0–23. Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    pub hour: u8,
    /// Minute of the hour, 0–59; 0 when absent.
    #[serde(default, deserialize_with = "whole::deserialize")]
    pub minute: u8,
    /// `full` (the default) or `incremental`.
    #[serde(default = "default_backup_type")]
    pub backup_type: String,
}

fn default_backup_type() -> String {
    "full".into()
}

/// A backup policy: what is backed up, when, and for how long it is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Backup {
    /// Global id of the policy (`bkp_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider the policy belongs to.
    pub provider: String,
    /// Name of the policy.
    pub name: String,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: BackupStatus,
    /// The vendor's id of the protected server or volume.
    pub source: String,
    /// How long recovery points are kept, in days.
    pub retention_days: u32,
    /// When the policy runs; empty when it only runs on request.
    #[serde(default)]
    pub schedules: Vec<BackupSchedule>,
    /// Region recovery points are copied to; absent when cross-region replication is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_region: Option<String>,
    /// When the vendor created the policy (RFC 3339, UTC); absent where the vendor does not
    /// report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/backups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBackup {
    /// Id of the provider to create the policy with.
    pub provider: String,
    /// Name of the policy.
    pub name: String,
    /// The vendor's id of the server or volume to protect.
    pub source: String,
    /// How long recovery points are kept, in days, up to the provider's
    /// `max_retention_days`. Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    pub retention_days: u32,
    /// When the policy runs; absent or empty: only on request.
    #[serde(default)]
    pub schedules: Vec<BackupSchedule>,
}

/// Body of `PATCH /v1/backups/{id}`. Absent fields are left unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBackup {
    /// New retention of recovery points, in days, up to the provider's
    /// `max_retention_days`. Any JSON integer spelling is accepted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole::option::deserialize"
    )]
    pub retention_days: Option<u32>,
    /// Region to copy recovery points to, one of the provider's backup
    /// `replication_regions`; an empty string turns replication off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_region: Option<String>,
}

/// Normalized state of a backup, restore, archiving or recovery job.
///
/// - `queued`: waiting to start.
/// - `running`: in progress.
/// - `succeeded`: finished successfully.
/// - `failed`: finished with an error.
/// - `cancelled`: cancelled before it finished.
/// - `unknown`: the vendor reported a state Strata does not know; see `vendor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// `queued`: waiting to start.
    Queued,
    /// `running`: in progress.
    Running,
    /// `succeeded`: finished successfully.
    Succeeded,
    /// `failed`: finished with an error.
    Failed,
    /// `cancelled`: cancelled before it finished.
    Cancelled,
    /// `unknown`: the vendor reported a state Strata does not know; see `vendor`.
    Unknown,
}

/// One run of a backup policy, or a restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupJob {
    /// Id of the job.
    pub id: String,
    /// Global id of the backup policy the job belongs to.
    pub backup_id: String,
    /// State of the job.
    pub status: JobStatus,
    /// When the job started (RFC 3339, UTC), where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the job finished (RFC 3339, UTC); absent until it has, or where the vendor does
    /// not report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Size of the data the job handled, in bytes, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// A point a backup can be restored to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecoveryPoint {
    /// Global id of the recovery point (`rp_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Global id of the backup policy that made it.
    pub backup_id: String,
    /// When the recovery point was taken (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the recovery point expires (RFC 3339, UTC), where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Size of the recovery point, in bytes, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/backups/{id}/restore`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreBackup {
    /// Global id of the recovery point to restore.
    pub recovery_point_id: String,
    /// The vendor's id of the server to restore to; absent: the policy's original source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}
