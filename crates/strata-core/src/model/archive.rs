use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{BackupStatus, JobStatus, VendorFields};

/// An archive vault (an SCP Archive Storage bucket).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Archive {
    /// Global id (opaque).
    pub id: String,
    /// Provider id.
    pub provider: String,
    /// Name of the archive.
    pub name: String,
    /// Normalized status of the archive.
    pub status: BackupStatus,
    /// Whether the archived data is encrypted at rest.
    pub encrypted: bool,
    /// Number of archived objects, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_count: Option<u64>,
    /// Total size of the archived objects in bytes, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// When the vendor created the archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's untranslated fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/archives`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArchive {
    /// The provider to create the archive with.
    pub provider: String,
    /// Name of the archive; must fit the provider's archive name rules.
    pub name: String,
    /// Ask for encryption at rest.
    #[serde(default)]
    pub encrypted: bool,
}

/// The archiving policy of a vault: what is moved into it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchivePolicy {
    /// Whether the policy is in force.
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
    /// Key of the object.
    pub key: String,
    /// Version of the object, where the source keeps versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Size of the object, in bytes.
    pub size_bytes: u64,
    /// When the object was archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<DateTime<Utc>>,
    /// Whether a recovered copy is currently readable.
    pub recovered: bool,
}

/// Body of `POST /v1/archives/{id}/recover`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverObjects {
    /// Keys of the objects to recover.
    pub keys: Vec<String>,
    /// Days the recovered copies stay readable.
    pub days: u32,
}

/// An archiving or recovery job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveJob {
    /// Global id (opaque).
    pub id: String,
    /// Global id of the archive.
    pub archive_id: String,
    /// `archive` or `recover`.
    pub kind: String,
    /// State of the job.
    pub status: JobStatus,
    /// When the job started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the job finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Number of objects the job covers, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_count: Option<u64>,
    /// The vendor's untranslated fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}
