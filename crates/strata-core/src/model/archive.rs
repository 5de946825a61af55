use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::whole;
use super::{BackupStatus, JobStatus, VendorFields};

/// An archive vault (an SCP Archive Storage bucket).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Archive {
    /// Global id of the archive (`arc_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider the archive belongs to.
    pub provider: String,
    /// Name of the archive, as given at creation.
    pub name: String,
    /// Normalized status of the archive.
    pub status: BackupStatus,
    /// Whether the archived data is encrypted at rest.
    pub encrypted: bool,
    /// Number of archived objects, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_count: Option<u64>,
    /// Total size of the archived objects, in bytes, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// When the vendor created the archive (RFC 3339, UTC); absent where the vendor does not
    /// report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/archives`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArchive {
    /// Id of the provider to create the archive with.
    pub provider: String,
    /// Name of the archive; must fit the provider's archive `name` rules.
    pub name: String,
    /// Ask for encryption at rest. Default `false`.
    #[serde(default)]
    pub encrypted: bool,
}

/// The archiving policy of a vault: what is moved into it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchivePolicy {
    /// Whether the policy is in force.
    pub enabled: bool,
    /// The vendor's id of the source bucket whose objects are archived.
    pub source: String,
    /// Archive objects older than this many days. Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    pub after_days: u32,
    /// Only objects whose key starts with this prefix; absent: every object.
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
    /// When the object was archived (RFC 3339, UTC), where the vendor reports it.
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
    /// How long the recovered copies stay readable, in days, up to the provider's
    /// `max_recover_days`. Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    pub days: u32,
}

/// An archiving or recovery job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveJob {
    /// Global id of the job (`ajob_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Global id of the archive.
    pub archive_id: String,
    /// What the job does: `archive` (moving objects in) or `recover` (making copies
    /// readable).
    pub kind: String,
    /// State of the job.
    pub status: JobStatus,
    /// When the job started (RFC 3339, UTC), where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the job finished (RFC 3339, UTC); absent until it has, or where the vendor does
    /// not report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Number of objects the job covers, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_count: Option<u64>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}
