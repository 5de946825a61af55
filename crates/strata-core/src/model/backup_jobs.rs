//! What backup policies produce and need: jobs, recovery points, restores, the servers that
//! can be protected, and backup agents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bounds::{count, not_blank, text, Bounded, MAX_NAME};
use super::{BackupSchedule, BackupStatus, CreateBackup, ServerType, UpdateBackup, VendorFields};
use crate::error::{Error, Result};

/// Most entries of a backup schedule.
pub const MAX_BACKUP_SCHEDULES: usize = 16;
/// Most paths of a filesystem backup policy or restore.
pub const MAX_BACKUP_PATHS: usize = 64;
/// Longest path, in characters.
pub const MAX_PATH: usize = 1024;

/// Normalized state of a backup, restore, archiving or recovery job.
///
/// - `queued`: waiting to start.
/// - `running`: in progress.
/// - `succeeded`: finished successfully.
/// - `partially_succeeded`: finished, but some of the data could not be copied.
/// - `failed`: finished with an error.
/// - `cancelled`: cancelled before it finished.
/// - `skipped`: did not run, having nothing to do (an archiving run that found nothing to
///   archive).
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
    /// `partially_succeeded`: finished, but some of the data could not be copied.
    PartiallySucceeded,
    /// `failed`: finished with an error.
    Failed,
    /// `cancelled`: cancelled before it finished.
    Cancelled,
    /// `skipped`: did not run, having nothing to do (an archiving run that found nothing to
    /// archive).
    Skipped,
    /// `unknown`: the vendor reported a state Strata does not know; see `vendor`.
    Unknown,
}

impl JobStatus {
    /// Whether the job has not finished yet.
    pub fn is_transitional(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// What started a backup job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobTrigger {
    /// `manual`: `POST /v1/backups/{id}/run`.
    Manual,
    /// `scheduled`: an entry of the policy's schedule.
    Scheduled,
}

/// One run of a backup policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupJob {
    /// Global id of the job (`bjob_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider.
    pub provider: String,
    /// Global id of the backup policy the job belongs to.
    pub backup_id: String,
    /// State of the job.
    pub status: JobStatus,
    /// What started it, where the vendor tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub trigger: Option<JobTrigger>,
    /// When the job started (RFC 3339, UTC), where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the job finished (RFC 3339, UTC); absent until it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// A point a backup can be restored to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecoveryPoint {
    /// Global id of the recovery point (`rp_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider.
    pub provider: String,
    /// Global id of the backup policy that made it.
    pub backup_id: String,
    /// When the backup it holds started (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Size of the recovery point, in bytes, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// Whether it can be restored from now.
    pub restorable: bool,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// A new server to restore an `image` backup to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewServer {
    /// Name of the new server; must fit the provider's `backups.restore_server_name` rules
    /// and be unused (`409 already_exists` otherwise, before anything is restored).
    #[schema(max_length = 255, example = "web-restored")]
    pub name: String,
    /// The vendor's server type (flavor) of the new server, e.g. `s1v2m4`.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S", example = "s1v2m4")]
    pub server_type: String,
    /// The vendor's id of the subnet, one of `GET /v1/backups/{id}/restore-subnets`;
    /// absent: the vendor's choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub subnet_id: Option<String>,
    /// The vendor's ids of security groups for the new server (at most 16).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 16)]
    pub security_group_ids: Vec<String>,
}

/// One path of a filesystem restore: what to restore, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PathMapping {
    /// A path the backup protected.
    #[schema(
        min_length = 1,
        max_length = 1024,
        pattern = r"\S",
        example = "/var/www"
    )]
    pub source: String,
    /// Where to write it on the target server.
    #[schema(
        min_length = 1,
        max_length = 1024,
        pattern = r"\S",
        example = "/restore/www"
    )]
    pub destination: String,
}

/// Where to restore a `filesystem` backup: onto a server with a backup agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilesystemRestore {
    /// The vendor's id of the server to write to (see `GET /v1/backups/{id}/restore-servers`).
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub server_id: String,
    /// The paths to restore (at least one, at most 64).
    #[schema(min_items = 1, max_items = 64)]
    pub paths: Vec<PathMapping>,
    /// Overwrite files that exist at the destination; default `false`.
    #[serde(default)]
    pub overwrite: bool,
}

/// Body of `POST /v1/backups/{id}/restore`: a recovery point, and a new server (`image`
/// backups) or a filesystem target (`filesystem` backups).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "recovery_point_id": "rp_AQAMc2NwLWtyLXdlc3QxJDRkMWY2YTJlLThiM2MtNGU1Zi05YTdiLTBjMWQyZTNmNGE1YgEgYjBjMWQyZTNmNGE1NDY3ODg5YWJjZGVmMDEyMzQ1Njc",
    "server": {"name": "web-restored", "server_type": "s1v2m4"}
}))]
pub struct RestoreBackup {
    /// Global id of the recovery point to restore, one of the backup's.
    #[schema(schema_with = super::bounds::recovery_point_id_schema)]
    pub recovery_point_id: String,
    /// For `image` backups: the new server to create.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::common::present::deserialize"
    )]
    #[schema(nullable = false)]
    pub server: Option<NewServer>,
    /// For `filesystem` backups: the server and paths to write to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::common::present::deserialize"
    )]
    #[schema(nullable = false)]
    pub filesystem: Option<FilesystemRestore>,
}

/// A restore of a backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RestoreJob {
    /// Global id of the restore (`rjob_…`), assigned by the gateway; opaque (the vendor's
    /// rows have no id: it is derived from the backup, the target and the start time).
    pub id: String,
    /// Id of the provider.
    pub provider: String,
    /// Global id of the backup restored from.
    pub backup_id: String,
    /// State of the restore.
    pub status: JobStatus,
    /// Name of the server restored to, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// The vendor's id of the server restored to, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    /// When the restore started (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the restore finished (RFC 3339, UTC); absent until it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// A server that can be protected by a backup policy, have an agent installed, or be
/// restored onto.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupTarget {
    /// The vendor's id of the server.
    pub server_id: String,
    /// The server's name.
    pub name: String,
    /// The kind of server, where the vendor says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub server_type: Option<ServerType>,
    /// Its operating system, as the vendor names it, where reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Whether a backup agent reaches the vendor's backup master.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentConnection {
    /// `connected`: the last check succeeded.
    Connected,
    /// `disconnected`: the last check failed.
    Disconnected,
    /// `checking`: a check is running.
    Checking,
    /// `unknown`: never checked, or a state Strata does not know; see `vendor`.
    Unknown,
}

/// A backup agent: the software on a server that `filesystem` policies back up through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupAgent {
    /// Global id of the agent (`agt_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider.
    pub provider: String,
    /// The vendor's id of the server the agent is on.
    pub server_id: String,
    /// The server's name, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// Normalized status of the agent's registration.
    pub status: BackupStatus,
    /// Whether it reaches the backup master (`POST /v1/backup-agents/{id}/check`).
    pub connection: AgentConnection,
    /// When `connection` was last checked (RFC 3339, UTC); absent before the first check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<DateTime<Utc>>,
    /// The server's operating system, where reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// When the agent was registered (RFC 3339, UTC), where reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/backup-agents`: register an agent for a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "provider": "scp-kr-west1",
    "server_id": "8a1f0c2e4b6d4e8f9a0b1c2d3e4f5a6b",
    "server_type": "virtual_server"
}))]
pub struct CreateBackupAgent {
    /// Id of the provider.
    #[schema(max_length = 255, example = "scp-kr-west1")]
    pub provider: String,
    /// The vendor's id of the server (from `GET /v1/backup-agent-targets`).
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub server_id: String,
    /// The kind of server.
    pub server_type: ServerType,
}

/// Where to download the backup agent for an operating system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgentInstaller {
    /// `linux` or `windows`.
    pub os: String,
    /// Where the installer is.
    pub url: String,
}

/// A subnet a new server restored from an `image` backup can be placed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RestoreSubnet {
    /// The vendor's id of the subnet.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its address range, where reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

fn paths(field: &str, p: &[String]) -> Result<()> {
    count(field, p.len(), MAX_BACKUP_PATHS)?;
    for (i, v) in p.iter().enumerate() {
        text(&format!("{field}[{i}]"), v, MAX_PATH)?;
    }
    Ok(())
}

fn schedules(s: &[BackupSchedule]) -> Result<()> {
    count("schedules", s.len(), MAX_BACKUP_SCHEDULES)?;
    for (i, e) in s.iter().enumerate() {
        if e.hour > 23 || e.minute > 59 {
            return Err(Error::invalid(
                format!("schedules[{i}]"),
                "`hour` must be 0–23 and `minute` 0–59",
            ));
        }
    }
    Ok(())
}

impl Bounded for CreateBackup {
    fn check_bounds(&self) -> Result<()> {
        text("provider", &self.provider, MAX_NAME)?;
        text("name", &self.name, MAX_NAME)?;
        not_blank("server_id", &self.server_id)?;
        text("server_id", &self.server_id, MAX_NAME)?;
        paths("paths", &self.paths)?;
        schedules(&self.schedules)?;
        super::bounds::labels("labels", &self.labels)
    }
}

impl Bounded for UpdateBackup {
    fn check_bounds(&self) -> Result<()> {
        paths("paths", self.paths.as_deref().unwrap_or_default())?;
        schedules(self.schedules.as_deref().unwrap_or_default())
    }
}

impl Bounded for RestoreBackup {
    fn check_bounds(&self) -> Result<()> {
        text("recovery_point_id", &self.recovery_point_id, 512)?;
        if let Some(s) = &self.server {
            text("server.name", &s.name, MAX_NAME)?;
            not_blank("server.server_type", &s.server_type)?;
            text("server.server_type", &s.server_type, MAX_NAME)?;
            if let Some(subnet) = &s.subnet_id {
                text("server.subnet_id", subnet, MAX_NAME)?;
            }
            count("server.security_group_ids", s.security_group_ids.len(), 16)?;
        }
        if let Some(f) = &self.filesystem {
            not_blank("filesystem.server_id", &f.server_id)?;
            text("filesystem.server_id", &f.server_id, MAX_NAME)?;
            if f.paths.is_empty() {
                return Err(Error::invalid(
                    "filesystem.paths",
                    "`filesystem.paths` must name at least one path",
                ));
            }
            count("filesystem.paths", f.paths.len(), MAX_BACKUP_PATHS)?;
            for p in &f.paths {
                not_blank("filesystem.paths.source", &p.source)?;
                not_blank("filesystem.paths.destination", &p.destination)?;
                text("filesystem.paths.source", &p.source, MAX_PATH)?;
                text("filesystem.paths.destination", &p.destination, MAX_PATH)?;
            }
        }
        Ok(())
    }
}

impl Bounded for CreateBackupAgent {
    fn check_bounds(&self) -> Result<()> {
        text("provider", &self.provider, MAX_NAME)?;
        not_blank("server_id", &self.server_id)?;
        text("server_id", &self.server_id, MAX_NAME)
    }
}

impl crate::operation::Settles for BackupAgent {
    const RESOURCE: crate::ids::ResourceType = crate::ids::ResourceType::BackupAgent;
    fn transitional(&self) -> bool {
        self.status.is_transitional() || self.connection == AgentConnection::Checking
    }
    fn failed(&self) -> bool {
        self.status == BackupStatus::Error
    }
}
