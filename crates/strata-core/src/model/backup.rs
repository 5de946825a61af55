use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{VendorFields, Weekday};

/// Normalized status of a backup policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupStatus {
    /// Being created.
    Creating,
    /// Ready and in service.
    Active,
    /// Scheduled runs are suspended.
    Paused,
    /// A change is in progress.
    Updating,
    /// Being deleted.
    Deleting,
    /// The vendor reports an error.
    Error,
    /// The vendor reported a state Strata does not know; see `vendor`.
    Unknown,
}

/// A schedule entry of a backup policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSchedule {
    /// `daily`, `weekly` or `monthly`.
    pub frequency: String,
    /// Days of the week for weekly schedules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Weekday>,
    /// Day of month for monthly schedules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u8>,
    /// Hour of day, 0–23.
    pub hour: u8,
    /// Minute of the hour, 0–59; 0 when absent.
    #[serde(default)]
    pub minute: u8,
    /// `full` or `incremental`.
    #[serde(default = "default_backup_type")]
    pub backup_type: String,
}

fn default_backup_type() -> String {
    "full".into()
}

/// A backup policy: what is backed up, when, and for how long it is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Backup {
    /// Global id (opaque).
    pub id: String,
    /// Provider id.
    pub provider: String,
    /// Name of the policy.
    pub name: String,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: BackupStatus,
    /// Vendor id of the protected server or volume.
    pub source: String,
    /// Days recovery points are kept.
    pub retention_days: u32,
    /// When the policy runs.
    #[serde(default)]
    pub schedules: Vec<BackupSchedule>,
    /// Region recovery points are copied to, when cross-region replication is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_region: Option<String>,
    /// When the vendor created the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's untranslated fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/backups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBackup {
    /// The provider to create the policy with.
    pub provider: String,
    /// Name of the policy.
    pub name: String,
    /// Vendor id of the server or volume to protect.
    pub source: String,
    /// Days recovery points are kept.
    pub retention_days: u32,
    /// When the policy runs.
    #[serde(default)]
    pub schedules: Vec<BackupSchedule>,
}

/// Body of `PATCH /v1/backups/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBackup {
    /// New number of days recovery points are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// Region to copy recovery points to; empty string turns replication off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_region: Option<String>,
}

/// Normalized state of a backup or restore job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting to start.
    Queued,
    /// In progress.
    Running,
    /// Finished successfully.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// Cancelled before it finished.
    Cancelled,
    /// The vendor reported a state Strata does not know; see `vendor`.
    Unknown,
}

/// One run of a backup policy, or a restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupJob {
    /// Id of the job.
    pub id: String,
    /// Global id of the backup policy.
    pub backup_id: String,
    /// State of the job.
    pub status: JobStatus,
    /// When the job started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the job finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Size of the data the job handled in bytes, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// The vendor's untranslated fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// A point a backup can be restored to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecoveryPoint {
    /// Global id (opaque).
    pub id: String,
    /// Global id of the backup policy.
    pub backup_id: String,
    /// When the recovery point was taken.
    pub created_at: DateTime<Utc>,
    /// When the recovery point expires, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Size of the recovery point in bytes, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// The vendor's untranslated fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/backups/{id}/restore`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreBackup {
    /// Global id of the recovery point.
    pub recovery_point_id: String,
    /// Vendor id of the server to restore to; the original source when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}
