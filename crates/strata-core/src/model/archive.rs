use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{BackupStatus, JobStatus, VendorFields};

/// An archive vault (an SCP Archive Storage bucket).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Archive {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub status: BackupStatus,
    pub encrypted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/archives`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArchive {
    pub provider: String,
    pub name: String,
    #[serde(default)]
    pub encrypted: bool,
}

/// The archiving policy of a vault: what is moved into it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchivePolicy {
    pub enabled: bool,
    /// Vendor id of the source bucket whose objects are archived.
    pub source: String,
    /// Archive objects older than this many days.
    pub after_days: u32,
    /// Only objects under this prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

/// An archived object (or one version of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveObject {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    pub size_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<DateTime<Utc>>,
    /// Whether a recovered copy is currently readable.
    pub recovered: bool,
}

/// Body of `POST /v1/archives/{id}/recover`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverObjects {
    pub keys: Vec<String>,
    /// Days the recovered copies stay readable.
    pub days: u32,
}

/// An archiving or recovery job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveJob {
    pub id: String,
    pub archive_id: String,
    /// `archive` or `recover`.
    pub kind: String,
    pub status: JobStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_count: Option<u64>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}
