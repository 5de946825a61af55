//! Archive Storage's wire shapes (reference §5), decoded leniently (§2.6): sizes, usage and
//! `object_lifecycle` come as strings (or numbers), required fields may be `null`, lists may
//! be `null`, timestamps carry an offset, microseconds, or no zone at all, and enum-like
//! fields stay strings. Unknown fields are ignored; the mapping keeps the raw answers for the
//! resources' `vendor` fields.

use serde::Deserialize;

use crate::shared::wire::{lenient_bool, lenient_u64, null_as_empty};

/// ListBuckets (§5.19).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BucketList {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub buckets: Vec<BucketRow>,
}

/// A ListBuckets row (§5.23).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BucketRow {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// CreateBucket's answer, and the `{id}` of the recovery calls (§5.16, §5.28).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IdOnly {
    #[serde(default)]
    pub id: Option<String>,
}

/// ShowBucket (§5.20).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Bucket {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub usage: Option<u64>,
    #[serde(default)]
    pub archiving_source_bucket_name: Option<String>,
}

/// ShowBucketEncryption / ShowBucketVersioning (§5.18, §5.21).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Flag {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub enabled: Option<bool>,
}

/// ListBucketObjects (§5.26).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ObjectList {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contents: Vec<Object>,
    #[serde(default)]
    pub marker: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_truncated: Option<bool>,
}

/// An archived object or folder (§5.24).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Object {
    pub object_name: String,
    #[serde(default)]
    pub object_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub object_size: Option<u64>,
    #[serde(default)]
    pub modified_at: Option<String>,
}

/// ListBucketObjectVersions (§5.30).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct VersionList {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contents: Vec<Version>,
}

/// One object version (§5.33).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Version {
    #[serde(default)]
    pub object_path: String,
    pub object_version_id: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub latest: Option<bool>,
    #[serde(default)]
    pub modified_at: Option<String>,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub size: Option<u64>,
}

/// ListArchivingPolicies (§5.8).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PolicyList {
    #[serde(default)]
    pub archiving_source_bucket_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub archiving_policies: Vec<PolicyRow>,
}

/// A ListArchivingPolicies row (§5.5).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PolicyRow {
    pub id: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub object_lifecycle: Option<u64>,
    #[serde(default)]
    pub object_path: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

/// ShowArchivingPolicy, and the create and update answers (§5.7, §5.9, §5.13).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Policy {
    pub id: String,
    #[serde(default)]
    pub archiving_source: Option<Source>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub object_lifecycle: Option<u64>,
    #[serde(default)]
    pub state: Option<String>,
}

/// ArchivingSource (§5.14).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Source {
    #[serde(default)]
    pub bucket_name: Option<String>,
    #[serde(default)]
    pub object_path: Option<String>,
}

/// SetArchivingPolicyState's answer (§5.11).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PolicyState {
    #[serde(default)]
    pub state: Option<String>,
}

/// ListArchivingHistories / ListRecoveryHistories (§5.2, §5.36).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct HistoryList {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_count: Option<u64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contents: Vec<serde_json::Value>,
}

/// An archiving or recovery history, row or detail (§5.1, §5.3, §5.35, §5.37): the fields
/// of both families, each optional (`archiving_id` and `archiving_policy_id` stay in the
/// job's `vendor` fields).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct History {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub start_at: Option<String>,
    #[serde(default)]
    pub end_at: Option<String>,
    #[serde(default)]
    pub recovery_id: Option<String>,
    #[serde(default)]
    pub recovery_target_bucket_name: Option<String>,
    /// The archive bucket (details only).
    #[serde(default)]
    pub bucket_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub archiving_infos: Vec<Progress>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub recovery_infos: Vec<Progress>,
}

/// ArchivingInfo / RecoveryInfo (§5.4, §5.38).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Progress {
    #[serde(default)]
    pub source_object_path: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub usage: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_object_count: Option<u64>,
    #[serde(
        default,
        alias = "recovery_object_count",
        deserialize_with = "lenient_u64"
    )]
    pub archiving_object_count: Option<u64>,
    #[serde(default, alias = "recovery_rate", deserialize_with = "lenient_u64")]
    pub archiving_rate: Option<u64>,
}
