use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{VendorFields, Weekday};

/// Normalized status of a backup policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupStatus {
    Creating,
    Active,
    /// Scheduled runs are suspended.
    Paused,
    Updating,
    Deleting,
    Error,
    Unknown,
}

/// A schedule entry of a backup policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSchedule {
    /// `daily`, `weekly` or `monthly`.
    pub frequency: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Weekday>,
    /// Day of month for monthly schedules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u8>,
    pub hour: u8,
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
    pub id: String,
    pub provider: String,
    pub name: String,
    pub status: BackupStatus,
    /// Vendor id of the protected server or volume.
    pub source: String,
    /// Days recovery points are kept.
    pub retention_days: u32,
    #[serde(default)]
    pub schedules: Vec<BackupSchedule>,
    /// Region recovery points are copied to, when cross-region replication is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/backups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBackup {
    pub provider: String,
    pub name: String,
    pub source: String,
    pub retention_days: u32,
    #[serde(default)]
    pub schedules: Vec<BackupSchedule>,
}

/// Body of `PATCH /v1/backups/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBackup {
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
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Unknown,
}

/// One run of a backup policy, or a restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupJob {
    pub id: String,
    pub backup_id: String,
    pub status: JobStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// A point a backup can be restored to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecoveryPoint {
    pub id: String,
    pub backup_id: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
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
