//! Backup policies: what server is backed up (a whole-server image, or filesystem paths
//! through an agent), when, for how long the recovery points are kept, and whether they are
//! copied to the paired region. Jobs, recovery points, restores and agents are in
//! `backup_jobs.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::whole;
use super::{Labels, VendorFields, Weekday};

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

impl BackupStatus {
    /// Whether the policy is still moving towards a settled state.
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            BackupStatus::Creating | BackupStatus::Updating | BackupStatus::Deleting
        )
    }
}

/// What a backup policy copies.
///
/// - `image`: the whole server, as an image, without an agent (restored to a new server).
/// - `filesystem`: chosen paths, through a backup agent on the server (restored onto a
///   server's paths).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// `image`: the whole server as an image, agentless.
    Image,
    /// `filesystem`: chosen paths, through a backup agent.
    Filesystem,
}

/// The kind of server a backup protects.
///
/// - `virtual_server`: a virtual machine.
/// - `gpu_server`: a GPU server.
/// - `baremetal_server`: a bare-metal server.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ServerType {
    /// `virtual_server`: a virtual machine.
    VirtualServer,
    /// `gpu_server`: a GPU server.
    GpuServer,
    /// `baremetal_server`: a bare-metal server.
    BaremetalServer,
}

/// How long recovery points are kept: `two_weeks`, `one_month`, `three_months`,
/// `six_months` or `one_year` (a provider's backup capabilities list those it offers).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Retention {
    /// `two_weeks`: 14 days.
    TwoWeeks,
    /// `one_month`: one calendar month.
    OneMonth,
    /// `three_months`: three calendar months.
    ThreeMonths,
    /// `six_months`: six calendar months.
    SixMonths,
    /// `one_year`: twelve calendar months.
    OneYear,
}

/// Whether a scheduled run copies everything or what changed since the last run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupLevel {
    /// `full`: everything.
    Full,
    /// `incremental`: what changed since the previous run.
    Incremental,
}

/// How often a backup schedule entry runs.
///
/// - `daily`: every day at `hour`:`minute`.
/// - `weekly`: every `day` at that time.
/// - `monthly`: on the `week`-th `day` of the month (e.g. the last Friday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupFrequency {
    /// `daily`: every day.
    Daily,
    /// `weekly`: every `day`.
    Weekly,
    /// `monthly`: the `week`-th `day` of each month.
    Monthly,
}

/// Which week of the month a `monthly` entry runs in: `first`…`fourth`, or `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeekOfMonth {
    /// `first`.
    First,
    /// `second`.
    Second,
    /// `third`.
    Third,
    /// `fourth`.
    Fourth,
    /// `last`.
    Last,
}

/// One entry of a backup policy's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"level": "full", "frequency": "weekly", "day": "sunday", "hour": 2}))]
pub struct BackupSchedule {
    /// `full` or `incremental`.
    pub level: BackupLevel,
    /// How often the entry runs.
    pub frequency: BackupFrequency,
    /// The day of a `weekly` or `monthly` entry; not used by `daily`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<Weekday>,
    /// The week of the month of a `monthly` entry; not used otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<WeekOfMonth>,
    /// Hour the run starts, 0–23 (UTC). Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 0, maximum = 23)]
    pub hour: u8,
    /// Minute the run starts, 0–59 (UTC); default 0. Any JSON integer spelling is accepted.
    #[serde(default, deserialize_with = "whole::deserialize")]
    #[schema(minimum = 0, maximum = 59)]
    pub minute: u8,
}

/// The server a backup policy protects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProtectedServer {
    /// The vendor's id of the server (see `GET /v1/backup-targets`).
    pub server_id: String,
    /// The kind of server.
    pub server_type: ServerType,
    /// The server's name, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
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
    /// What the policy copies.
    pub kind: BackupKind,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: BackupStatus,
    /// The protected server.
    pub server: ProtectedServer,
    /// The protected paths of a `filesystem` policy; empty for `image`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// When the policy runs; empty when it only runs on request.
    #[serde(default)]
    pub schedules: Vec<BackupSchedule>,
    /// How long recovery points are kept.
    pub retention: Retention,
    /// Whether recovery points are encrypted (chosen at creation).
    pub encrypted: bool,
    /// The region recovery points are copied to; absent while cross-region replication is
    /// off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_region: Option<String>,
    /// Global id of the policy this one is the cross-region copy of; absent for originals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_of: Option<String>,
    /// The vendor's region code of the policy.
    pub region: String,
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

/// Body of `POST /v1/backups`: a backup policy for one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "provider": "scp-kr-west1",
    "name": "web-nightly",
    "kind": "image",
    "server_id": "8a1f0c2e4b6d4e8f9a0b1c2d3e4f5a6b",
    "server_type": "virtual_server",
    "schedules": [
        {"level": "full", "frequency": "weekly", "day": "sunday", "hour": 2},
        {"level": "incremental", "frequency": "daily", "hour": 3}
    ],
    "retention": "one_month"
}))]
pub struct CreateBackup {
    /// Id of the provider to create the policy with.
    #[schema(max_length = 255, example = "scp-kr-west1")]
    pub provider: String,
    /// Name of the policy; must fit the provider's `backups.name` rules and be unused
    /// (`409 already_exists` otherwise, before anything is created).
    #[schema(max_length = 255, example = "web-nightly")]
    pub name: String,
    /// What to copy: one of the provider's `backups.kinds`.
    pub kind: BackupKind,
    /// The vendor's id of the server to protect (from `GET /v1/backup-targets`; a
    /// `filesystem` policy needs a backup agent on it).
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub server_id: String,
    /// The kind of server, one of the provider's `backups.server_types`.
    pub server_type: ServerType,
    /// The paths a `filesystem` policy protects (at least one, at most 64, each at most 1024
    /// characters, not protected by another policy of the server); not used by `image`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 64)]
    pub paths: Vec<String>,
    /// When the policy runs (at most 16 entries); absent or empty: only on request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 16)]
    pub schedules: Vec<BackupSchedule>,
    /// How long recovery points are kept, one of the provider's `backups.retentions`;
    /// default `two_weeks`.
    #[serde(default = "default_retention")]
    pub retention: Retention,
    /// Encrypt recovery points; default `true`. Cannot be changed later.
    #[serde(default = "yes")]
    pub encrypted: bool,
    /// Copy recovery points to the paired region (`backups.replication_regions`); default
    /// `false`.
    #[serde(default)]
    pub replicate: bool,
    /// Labels to attach; only providers whose `backups.labels` is `true` accept a non-empty
    /// map.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    #[schema(schema_with = super::bounds::labels_schema)]
    pub labels: Labels,
}

fn default_retention() -> Retention {
    Retention::TwoWeeks
}

fn yes() -> bool {
    true
}

/// Body of `PATCH /v1/backups/{id}`. Absent fields are left unchanged; name, kind, server
/// and encryption are fixed at creation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"retention": "three_months", "replicate": true}))]
pub struct UpdateBackup {
    /// New retention of recovery points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// The complete new schedule (at most 16 entries; `[]`: only on request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 16)]
    pub schedules: Option<Vec<BackupSchedule>>,
    /// The complete new set of protected paths of a `filesystem` policy (at least one, at
    /// most 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 64)]
    pub paths: Option<Vec<String>>,
    /// Turn the copy of recovery points to the paired region on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicate: Option<bool>,
}

/// Filters of a backup policy list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupFilter {
    /// Substring match on the name.
    pub name: Option<String>,
}
