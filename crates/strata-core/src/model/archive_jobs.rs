//! What archives run: archiving runs (objects copied in by the policy) and recoveries
//! (objects copied out into an object storage bucket), and the requests that start them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::archive::{
    check_object_path, object_key_schema, object_path_schema, paths, version_id, PathKind,
};
use super::bounds::{not_blank, text, Bounded, MAX_NAME};
use super::{JobStatus, ObjectType, VendorFields};
use crate::error::Result;

/// One thing to recover: an object, or a folder with everything under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverItem {
    /// Key of the object (`file`), or folder path ending in `/` (`folder`).
    #[schema(schema_with = object_path_schema)]
    pub path: String,
    /// `file` for an object (its `path` has no trailing `/`), `folder` for a folder (its
    /// `path` ends in `/`).
    #[serde(rename = "type")]
    pub object_type: ObjectType,
}

/// Body of `POST /v1/archives/{id}/recover`: copies archived objects into an object storage
/// bucket, where they stay as ordinary objects (the archived copies stay too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target_bucket": "restored", "items": [{"path": "reports/2024/", "type": "folder"}], "overwrite": false}))]
pub struct RecoverObjects {
    /// Name of the object storage bucket to copy into (in the archive's region).
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"\S",
        example = "restored"
    )]
    pub target_bucket: String,
    /// What to recover: 1–100 objects or folders.
    #[schema(min_items = 1, max_items = 100)]
    pub items: Vec<RecoverItem>,
    /// Replace objects of the same key in the target bucket; default `false` (they are
    /// left as they are).
    #[serde(default)]
    pub overwrite: bool,
}

/// Body of `POST /v1/archives/{id}/object-versions/recover`: copies one archived version of
/// an object into an object storage bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target_bucket": "restored", "key": "reports/summary.csv", "version_id": "Oc9nEYWV.6VjzsIMXFZWM1zL8HcYvKl"}))]
pub struct RecoverVersion {
    /// Name of the object storage bucket to copy into (in the archive's region).
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"\S",
        example = "restored"
    )]
    pub target_bucket: String,
    /// Key of the object.
    #[schema(schema_with = object_key_schema)]
    pub key: String,
    /// Id of the version (from `GET /v1/archives/{id}/object-versions`).
    #[schema(schema_with = super::archive::version_id_schema)]
    pub version_id: String,
    /// Replace an object of the same key in the target bucket; default `false`.
    #[serde(default)]
    pub overwrite: bool,
}

/// What an archive job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveJobKind {
    /// `archiving`: a run of the archiving policy, copying objects in.
    Archiving,
    /// `recovery`: copying archived objects out into an object storage bucket.
    Recovery,
}

/// Progress of a job on one of its paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JobProgress {
    /// The source path (archiving: in the source bucket; recovery: in the archive).
    pub path: String,
    /// Objects the path holds, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub total_objects: Option<u64>,
    /// Objects copied so far, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub done_objects: Option<u64>,
    /// Bytes copied so far, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub bytes: Option<u64>,
    /// Progress in percent (0–100), as the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 0, maximum = 100)]
    pub percent: Option<u8>,
}

/// An archiving run or a recovery of an archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveJob {
    /// Global id of the job (`ajob_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider.
    pub provider: String,
    /// Global id of the archive.
    pub archive_id: String,
    /// What the job does.
    pub kind: ArchiveJobKind,
    /// State of the job (`skipped`: an archiving run that found nothing to archive).
    pub status: JobStatus,
    /// Name of the object storage bucket a recovery copies into; absent on archiving runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub target_bucket: Option<String>,
    /// When the job started (RFC 3339, UTC), where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub started_at: Option<DateTime<Utc>>,
    /// When the job finished (RFC 3339, UTC); absent until it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub finished_at: Option<DateTime<Utc>>,
    /// Progress per path; reported by `GET /v1/archive-jobs/{id}` (lists leave it empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub progress: Vec<JobProgress>,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Filters of an archive's job list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveJobFilter {
    /// Only archiving runs or only recoveries; absent: both.
    pub kind: Option<ArchiveJobKind>,
    /// Only jobs in this state.
    pub status: Option<JobStatus>,
    /// Jobs started at or after this instant.
    pub since: DateTime<Utc>,
    /// Jobs started at or before this instant.
    pub until: DateTime<Utc>,
}

impl Bounded for RecoverObjects {
    fn check_bounds(&self) -> Result<()> {
        target("target_bucket", &self.target_bucket)?;
        let items: Vec<String> = self.items.iter().map(|i| i.path.clone()).collect();
        paths("items", &items)?;
        for (i, item) in self.items.iter().enumerate() {
            let kind = match item.object_type {
                ObjectType::File => PathKind::Key,
                ObjectType::Folder => PathKind::Folder,
            };
            check_object_path(&format!("items[{i}].path"), &item.path, kind)?;
        }
        Ok(())
    }
}

impl Bounded for RecoverVersion {
    fn check_bounds(&self) -> Result<()> {
        target("target_bucket", &self.target_bucket)?;
        check_object_path("key", &self.key, PathKind::Key)?;
        version_id("version_id", &self.version_id)
    }
}

fn target(field: &str, bucket: &str) -> Result<()> {
    not_blank(field, bucket)?;
    text(field, bucket, MAX_NAME)
}

impl crate::operation::Settles for ArchiveJob {
    const RESOURCE: crate::ids::ResourceType = crate::ids::ResourceType::ArchiveJob;
    /// A state the vendor spells in a way Strata does not know (SCP documents only
    /// `SUCCESS`) is waited out too: taking it for the end would settle a running recovery
    /// as done. The operation's deadline bounds the wait.
    fn transitional(&self) -> bool {
        self.status.is_transitional() || self.status == JobStatus::Unknown
    }
    fn failed(&self) -> bool {
        self.status == JobStatus::Failed
    }
}

impl crate::operation::Settles for super::ArchivePolicy {
    const RESOURCE: crate::ids::ResourceType = crate::ids::ResourceType::Archive;
    fn transitional(&self) -> bool {
        false
    }
    fn failed(&self) -> bool {
        false
    }
}
