//! Archives (cold-tier buckets filled from an object storage bucket by an archiving policy),
//! their objects and object versions, and their policy.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bounds::{count, labels, not_blank, range, text, Bounded, MAX_NAME};
use super::common::whole;
use super::{BackupStatus, Labels, VendorFields};
use crate::error::{Error, Result};

/// Longest object key or folder path, in characters.
pub const MAX_OBJECT_PATH: usize = 1024;
/// Most paths in one delete or recovery request.
pub const MAX_OBJECT_PATHS: usize = 100;
/// Most versions in one delete request.
pub const MAX_OBJECT_VERSIONS: usize = 100;
/// Longest object version id, in characters.
pub const MAX_VERSION_ID: usize = 255;
/// Fewest days an archiving policy may wait (the schema's bound; providers may be stricter).
pub const MIN_AFTER_DAYS: u32 = 1;
/// Most days an archiving policy may wait (the schema's bound; providers may be stricter).
pub const MAX_AFTER_DAYS: u32 = 36_500;

/// An archive: a cold-tier bucket (an SCP Archive Storage bucket) that an archiving policy
/// fills from an object storage bucket, and that objects are recovered from.
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
    /// Whether objects archived from now on are encrypted at rest (service-managed keys).
    pub encrypted: bool,
    /// Whether the archive keeps every archived version of an object; absent where the
    /// provider cannot version (its `archives.versioning` is `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub versioning: Option<bool>,
    /// Bytes stored, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub size_bytes: Option<u64>,
    /// Name of the object storage bucket its archiving policy copies from; absent until it
    /// has a policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source_bucket: Option<String>,
    /// When the vendor created the archive (RFC 3339, UTC); absent where the vendor does not
    /// report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Filters of an archive list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArchiveFilter {
    /// Substring match on the name.
    pub name: Option<String>,
}

/// Body of `POST /v1/archives`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"provider": "scp-kr-west1", "name": "audit-logs", "encrypted": true}))]
pub struct CreateArchive {
    /// Id of the provider to create the archive with.
    #[schema(max_length = 255, example = "scp-kr-west1")]
    pub provider: String,
    /// Name of the archive; must fit the provider's `archives.name` rules and be unused
    /// (`409 already_exists` otherwise).
    #[schema(max_length = 255, example = "audit-logs")]
    pub name: String,
    /// Encrypt archived objects at rest; default `false`.
    #[serde(default)]
    pub encrypted: bool,
    /// Keep every archived version of an object; default `false`. Only where the provider's
    /// `archives.versioning` is `true`.
    #[serde(default)]
    pub versioning: bool,
    /// Labels (tags) to attach; only providers whose `archives.labels` is `true` accept a
    /// non-empty map. They cannot be changed later.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    #[schema(schema_with = super::bounds::labels_schema)]
    pub labels: Labels,
}

/// Body of `PATCH /v1/archives/{id}`. Absent fields are left unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"encrypted": true}))]
pub struct UpdateArchive {
    /// Turn encryption at rest on or off (it applies to objects archived from then on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// Turn versioning on or off; only where the provider's `archives.versioning` is `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<bool>,
}

/// Whether an archived entry is an object or a folder (a key prefix ending in `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectType {
    /// `file`: one object.
    File,
    /// `folder`: every object under a prefix ending in `/`.
    Folder,
}

/// An entry of an archive's listing: an object, or a folder under the listed one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveObject {
    /// Full key of the object (folders end in `/`), relative to the archive's root.
    pub key: String,
    /// Whether it is an object or a folder.
    #[serde(rename = "type")]
    pub object_type: ObjectType,
    /// Size in bytes; absent on folders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub size_bytes: Option<u64>,
    /// When the object was last archived (RFC 3339, UTC); absent on folders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub modified_at: Option<DateTime<Utc>>,
}

/// Filters of an archive's object listing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectFilter {
    /// The folder to list (its direct children), ending in `/`; absent: the root.
    pub folder: Option<String>,
    /// Substring match on the key.
    pub name: Option<String>,
    /// Only objects or only folders.
    pub object_type: Option<ObjectType>,
}

/// One archived version of an object (archives with versioning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ObjectVersion {
    /// Key of the object.
    pub key: String,
    /// The vendor's id of the version.
    pub version_id: String,
    /// Whether it is the object's current version.
    pub latest: bool,
    /// Size in bytes.
    pub size_bytes: u64,
    /// When the version was archived (RFC 3339, UTC).
    pub modified_at: DateTime<Utc>,
    /// Entity tag of the content, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub etag: Option<String>,
}

/// Body of `POST /v1/archives/{id}/objects/delete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"paths": ["reports/2024/", "reports/summary.csv"]}))]
pub struct DeleteObjects {
    /// Keys of objects, or folders (ending in `/`: everything under them), relative to the
    /// archive's root; every version goes with them. 1–100 paths.
    #[schema(schema_with = object_paths_schema)]
    pub paths: Vec<String>,
}

/// Body of `POST /v1/archives/{id}/object-versions/delete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "reports/summary.csv", "version_ids": ["Oc9nEYWV.6VjzsIMXFZWM1zL8HcYvKl"]}))]
pub struct DeleteVersions {
    /// Key of the object.
    #[schema(schema_with = object_key_schema)]
    pub key: String,
    /// Ids of the versions to delete (from `GET /v1/archives/{id}/object-versions`); 1–100.
    /// When the current version goes, the newest remaining one becomes current.
    #[schema(schema_with = version_ids_schema)]
    pub version_ids: Vec<String>,
}

/// One segment of a path inside an archive: not empty, not `.` or `..`, no `/` and no
/// control characters.
macro_rules! segment {
    () => {
        r"(?:[^/.\x00-\x1f\x7f][^/\x00-\x1f\x7f]*|\.(?:[^/.\x00-\x1f\x7f][^/\x00-\x1f\x7f]*|\.[^/\x00-\x1f\x7f]+))"
    };
}

/// The rule of a key or folder path inside an archive: relative to its root (no leading
/// `/`), segments separated by single `/`, none of them `.` or `..`, no control characters;
/// folders end in `/`. Written without look-arounds, so JSON Schema validators, test
/// generators and the gateway (the `regex` crate) all read it the same way.
pub const OBJECT_PATH_PATTERN: &str = concat!("^", segment!(), "(?:/", segment!(), ")*/?$");
/// [`OBJECT_PATH_PATTERN`] for an object's key: no trailing `/`.
pub const OBJECT_KEY_PATTERN: &str = concat!("^", segment!(), "(?:/", segment!(), ")*$");
/// [`OBJECT_PATH_PATTERN`] for a folder: a trailing `/`.
pub const FOLDER_PATTERN: &str = concat!("^", segment!(), "(?:/", segment!(), ")*/$");
/// The rule of an object version id: printable ASCII, no spaces.
pub const VERSION_ID_PATTERN: &str = r"^[!-~]+$";

/// What a path inside an archive must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// An object or a folder.
    Any,
    /// An object (no trailing `/`).
    Key,
    /// A folder (a trailing `/`).
    Folder,
}

impl PathKind {
    /// Its pattern.
    pub fn pattern(self) -> &'static str {
        match self {
            PathKind::Any => OBJECT_PATH_PATTERN,
            PathKind::Key => OBJECT_KEY_PATTERN,
            PathKind::Folder => FOLDER_PATTERN,
        }
    }

    fn words(self) -> &'static str {
        match self {
            PathKind::Any => "A key or folder path (folders end in `/`)",
            PathKind::Key => "The key of an object (no trailing `/`)",
            PathKind::Folder => "A folder path (ending in `/`)",
        }
    }

    fn schema(self, example: &str) -> utoipa::openapi::Object {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_OBJECT_PATH))
            .pattern(Some(self.pattern()))
            .description(Some(format!(
                "{} inside an archive, relative to its root: no leading `/`, no empty, `.` or `..` segment, no control characters; 1–{MAX_OBJECT_PATH} characters.",
                self.words()
            )))
            .examples([example])
            .build()
    }
}

/// The OpenAPI schema of one object key or folder path.
pub fn object_path_schema() -> utoipa::openapi::Object {
    PathKind::Any.schema("reports/2024/")
}

/// The OpenAPI schema of an object's key.
pub fn object_key_schema() -> utoipa::openapi::Object {
    PathKind::Key.schema("reports/summary.csv")
}

/// The OpenAPI schema of a folder path.
pub fn folder_schema() -> utoipa::openapi::Object {
    PathKind::Folder.schema("reports/")
}

/// The OpenAPI schema of a list of 1–100 object keys or folder paths.
pub fn object_paths_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new()
        .items(object_path_schema())
        .min_items(Some(1))
        .max_items(Some(MAX_OBJECT_PATHS))
        .description(Some(format!(
            "Keys of objects, or folders (ending in `/`: everything under them); 1–{MAX_OBJECT_PATHS}."
        )))
        .build()
}

/// The OpenAPI schema of one object version id.
pub fn version_id_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_VERSION_ID))
        .pattern(Some(VERSION_ID_PATTERN))
        .description(Some(format!(
            "The vendor's id of an object version: 1–{MAX_VERSION_ID} printable ASCII characters."
        )))
        .examples(["Oc9nEYWV.6VjzsIMXFZWM1zL8HcYvKl"])
        .build()
}

/// The OpenAPI schema of a list of 1–100 object version ids.
pub fn version_ids_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new()
        .items(version_id_schema())
        .min_items(Some(1))
        .max_items(Some(MAX_OBJECT_VERSIONS))
        .description(Some(format!(
            "Ids of the versions (from `GET /v1/archives/{{id}}/object-versions`); 1–{MAX_OBJECT_VERSIONS}."
        )))
        .build()
}

fn matches(pattern: &'static str, value: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static COMPILED: LazyLock<Mutex<HashMap<&'static str, regex::Regex>>> =
        LazyLock::new(Default::default);
    let mut cache = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(pattern)
        .or_insert_with(|| regex::Regex::new(pattern).expect("the patterns are valid"))
        .is_match(value)
}

/// Checks a path inside an archive against the pattern of its kind.
pub fn check_object_path(field: &str, path: &str, kind: PathKind) -> Result<()> {
    text(field, path, MAX_OBJECT_PATH)?;
    if !matches(kind.pattern(), path) {
        return Err(Error::invalid(
            field,
            format!(
                "`{field}`: {} inside the archive, relative to its root: no leading `/`, no empty, `.` or `..` segment, no control characters",
                kind.words().to_lowercase()
            ),
        ));
    }
    Ok(())
}

fn check_version_id(field: &str, id: &str) -> Result<()> {
    text(field, id, MAX_VERSION_ID)?;
    if !matches(VERSION_ID_PATTERN, id) {
        return Err(Error::invalid(
            field,
            format!("`{field}` must be 1–{MAX_VERSION_ID} printable ASCII characters"),
        ));
    }
    Ok(())
}

/// The archiving policy of an archive: which object storage bucket it copies from, and after
/// how many days objects are archived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArchivePolicy {
    /// Global id of the archive the policy belongs to.
    pub archive_id: String,
    /// Id of the provider.
    pub provider: String,
    /// Name of the object storage bucket objects are copied from (fixed once set).
    pub source_bucket: String,
    /// Only objects whose key starts with this prefix; absent: the whole bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub prefix: Option<String>,
    /// Objects are archived once they are this many days old.
    pub after_days: u32,
    /// Whether scheduled archiving runs (`false`: paused).
    pub enabled: bool,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `PUT /v1/archives/{id}/policy`: creates the policy, or changes `after_days` of
/// the one in place (its source and prefix are fixed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source_bucket": "app-logs", "after_days": 30}))]
pub struct PutArchivePolicy {
    /// Name of the object storage bucket to copy from (in the archive's region, not used by
    /// another archive).
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"\S",
        example = "app-logs"
    )]
    pub source_bucket: String,
    /// Only objects whose key starts with this prefix; absent: the whole bucket. Only where
    /// the provider's `archives.policy_prefix` is `true`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::common::present::deserialize"
    )]
    #[schema(schema_with = object_path_schema)]
    pub prefix: Option<String>,
    /// Archive objects once they are this many days old, within the provider's
    /// `archives.min_after_days`–`max_after_days`. Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 1, maximum = 36500, example = 30)]
    pub after_days: u32,
}

impl Bounded for CreateArchive {
    fn check_bounds(&self) -> Result<()> {
        text("provider", &self.provider, MAX_NAME)?;
        text("name", &self.name, MAX_NAME)?;
        labels("labels", &self.labels)
    }
}

impl Bounded for UpdateArchive {
    fn check_bounds(&self) -> Result<()> {
        Ok(())
    }
}

impl Bounded for DeleteObjects {
    fn check_bounds(&self) -> Result<()> {
        paths("paths", &self.paths)?;
        for (i, p) in self.paths.iter().enumerate() {
            check_object_path(&format!("paths[{i}]"), p, PathKind::Any)?;
        }
        Ok(())
    }
}

impl Bounded for DeleteVersions {
    fn check_bounds(&self) -> Result<()> {
        check_object_path("key", &self.key, PathKind::Key)?;
        if self.version_ids.is_empty() {
            return Err(Error::invalid(
                "version_ids",
                "`version_ids` must name at least one version",
            ));
        }
        count("version_ids", self.version_ids.len(), MAX_OBJECT_VERSIONS)?;
        for (i, v) in self.version_ids.iter().enumerate() {
            check_version_id(&format!("version_ids[{i}]"), v)?;
        }
        Ok(())
    }
}

impl Bounded for PutArchivePolicy {
    fn check_bounds(&self) -> Result<()> {
        not_blank("source_bucket", &self.source_bucket)?;
        text("source_bucket", &self.source_bucket, MAX_NAME)?;
        if let Some(p) = &self.prefix {
            check_object_path("prefix", p, PathKind::Any)?;
        }
        range(
            "after_days",
            self.after_days,
            MIN_AFTER_DAYS,
            MAX_AFTER_DAYS,
        )
    }
}

/// 1–100 paths.
pub(crate) fn paths(field: &str, paths: &[String]) -> Result<()> {
    if paths.is_empty() {
        return Err(Error::invalid(
            field,
            format!("`{field}` must name at least one path"),
        ));
    }
    count(field, paths.len(), MAX_OBJECT_PATHS)
}

/// Checks a version id from a request (the rule of [`VersionId`]).
pub(crate) fn version_id(field: &str, id: &str) -> Result<()> {
    check_version_id(field, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_paths_follow_one_rule() {
        let ok = |p: &str, k: PathKind| check_object_path("p", p, k).is_ok();
        for p in [
            "a",
            "a/",
            "a/b.txt",
            "reports/2024/",
            ".hidden",
            "..x",
            "...",
            "a b/c",
            "한글/파일",
        ] {
            assert!(ok(p, PathKind::Any), "{p:?} is a path");
        }
        for p in [
            "", "/", "/a", "a//b", "a/./b", "a/../b", ".", "..", "a/..", "./a", "a\u{1}b",
            "a\u{7f}",
        ] {
            assert!(!ok(p, PathKind::Any), "{p:?} is refused");
        }
        assert!(!ok("a/b", PathKind::Folder), "a folder ends in /");
        assert!(ok("a/b/", PathKind::Folder));
        assert!(!ok("a/b/", PathKind::Key), "a key has no trailing /");
        assert!(ok("a/b", PathKind::Key));
        assert!(!ok(&"a".repeat(MAX_OBJECT_PATH + 1), PathKind::Any));
    }

    #[test]
    fn version_ids_are_printable_ascii() {
        assert!(version_id("v", "Oc9nEYWV.6VjzsIMXFZWM1zL8HcYvKl").is_ok());
        for bad in ["", "a b", "é", "a\tb"] {
            assert!(version_id("v", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_policy_needs_days_in_range_and_a_source() {
        let p = |v: serde_json::Value| serde_json::from_value::<PutArchivePolicy>(v).unwrap();
        assert!(
            p(serde_json::json!({"source_bucket": "s", "after_days": 1}))
                .check_bounds()
                .is_ok()
        );
        assert!(
            p(serde_json::json!({"source_bucket": " ", "after_days": 1}))
                .check_bounds()
                .is_err()
        );
        assert!(
            p(serde_json::json!({"source_bucket": "s", "after_days": 0}))
                .check_bounds()
                .is_err()
        );
        assert!(
            p(serde_json::json!({"source_bucket": "s", "after_days": 36501}))
                .check_bounds()
                .is_err()
        );
    }
}
