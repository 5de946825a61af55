//! The Backup resources: the account's servers ([`Server`]), backup agents ([`Agent`]),
//! backup policies ([`Backup`]) with their schedules ([`Sched`]), jobs ([`Job`]), recovery
//! points ([`Point`]) and restores ([`Restore`]), and the JSON rows each list shows.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::common::{ts, ts_opt, USER};
use crate::scp::base::Pending;

/// A server of the account (what backups protect, restores create and agents sit on).
#[derive(Clone)]
pub(super) struct Server {
    pub uuid: String,
    pub guid: String,
    pub region: String,
    pub name: String,
    /// `VIRTUAL_SERVER`, `GPU_SERVER` or `BAREMETAL_SERVER`.
    pub category: &'static str,
    /// `LINUX` or `WINDOWS`.
    pub os_type: &'static str,
    pub os_version: String,
    pub server_type: String,
    pub ip: String,
    pub gateway_ip: String,
    pub seq: u64,
}

impl Server {
    /// A `BackupTargetResponse` row.
    pub fn target_row(&self) -> Value {
        json!({"server_uuid": self.uuid, "server_name": self.name, "server_guid": self.guid,
            "server_os_version": self.os_version, "server_type": self.server_type})
    }
}

/// What a pending agent or backup change turns into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    Available,
    Gone,
}

/// A backup agent on one server.
pub(super) struct Agent {
    pub id: String,
    pub name: String,
    pub region: String,
    pub server_uuid: String,
    pub state: &'static str,
    pub pending: Option<Pending<Next>>,
    pub connection_state: Option<&'static str>,
    pub connection_check_time: Option<DateTime<Utc>>,
    /// A connection check under way and its result.
    pub check: Option<Pending<&'static str>>,
    pub master_name: String,
    pub master_ip: String,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub seq: u64,
    pub tags: Vec<Value>,
}

/// A schedule of a backup policy, stored as received.
#[derive(Clone)]
pub(super) struct Sched {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub frequency: String,
    pub start_time: String,
    pub start_day: Option<String>,
    pub start_week: Option<String>,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

impl Sched {
    /// The five fields the provider compares schedules by.
    pub fn key(&self) -> (&str, &str, &str, Option<&str>, Option<&str>) {
        (
            &self.kind,
            &self.frequency,
            &self.start_time,
            self.start_day.as_deref(),
            self.start_week.as_deref(),
        )
    }

    /// A `BackupScheduleResponse` row.
    pub fn json(&self, backup_id: &str) -> Value {
        json!({"id": self.id, "name": self.name, "backup_id": backup_id, "type": self.kind,
            "frequency": self.frequency, "start_time": self.start_time,
            "start_day": self.start_day, "start_week": self.start_week, "state": "AVAILABLE",
            "created_at": ts(self.created_at), "created_by": USER,
            "modified_at": ts(self.modified_at), "modified_by": USER})
    }
}

/// A backup job (a history row).
pub(super) struct Job {
    pub guid: String,
    pub state: &'static str,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub schedule_id: String,
    pub schedule_name: String,
    pub full: bool,
    pub pending: Option<Pending<&'static str>>,
    pub seq: u64,
}

impl Job {
    /// A `BackupHistoryResponse` row.
    pub fn json(&self) -> Value {
        json!({"backup_job_guid": self.guid, "backup_job_state": self.state,
            "backup_start_time": ts(self.start), "backup_end_time": ts_opt(self.end),
            "schedule_id": self.schedule_id, "schedule_name": self.schedule_name})
    }
}

/// A recovery point (restore target).
#[derive(Clone)]
pub(super) struct Point {
    pub id: String,
    pub start: DateTime<Utc>,
    pub available: bool,
    pub retention: String,
    pub schedule_id: String,
    pub schedule_name: String,
    pub usage_gb: f64,
    pub seq: u64,
}

impl Point {
    /// A `BackupRestoreTargetResponse` row.
    pub fn json(&self) -> Value {
        json!({"restore_target_id": self.id, "backup_start_time": ts(self.start),
            "is_restore_available": self.available, "retention_period": self.retention,
            "schedule_id": self.schedule_id, "schedule_name": self.schedule_name,
            "usage_gb": self.usage_gb})
    }
}

/// The server an image restore creates when it completes.
pub(super) struct NewServer {
    pub uuid: String,
    pub region: String,
    pub server_type: String,
    pub category: &'static str,
    pub os_type: &'static str,
    pub os_version: String,
}

/// A restore (a restore-history row; the vendor gives it no id).
pub(super) struct Restore {
    pub point_id: String,
    pub backup_start: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub state: &'static str,
    pub server_id: Option<String>,
    pub server_name: String,
    pub schedule_name: String,
    pub pending: Option<Pending<&'static str>>,
    pub new_server: Option<NewServer>,
    pub modified_at: DateTime<Utc>,
    pub seq: u64,
}

impl Restore {
    /// A `BackupRestoreHistoryResponse` row.
    pub fn json(&self, backup_id: &str) -> Value {
        json!({"backup_id": backup_id, "backup_start_time": ts(self.backup_start),
            "restore_start_time": ts(self.start), "restore_end_time": ts_opt(self.end),
            "restore_state": self.state, "restore_server_id": self.server_id,
            "restore_server_name": self.server_name, "schedule_name": self.schedule_name,
            "created_at": ts(self.start), "created_by": USER,
            "modified_at": ts(self.modified_at), "modified_by": USER})
    }
}

/// A backup policy bound to one server.
pub(super) struct Backup {
    pub id: String,
    pub name: String,
    pub region: String,
    pub category: &'static str,
    pub policy_type: &'static str,
    pub server_uuid: String,
    pub server_name: String,
    pub server_category: &'static str,
    pub server_os_type: &'static str,
    pub server_region: String,
    pub retention: String,
    pub encrypt: bool,
    pub paths: Option<Vec<String>>,
    pub agent_id: Option<String>,
    /// `ORIGINAL`, or `REPLICA` for a DR copy.
    pub role: &'static str,
    pub origin: Option<String>,
    pub replica: Option<String>,
    pub dr_region: Option<String>,
    pub state: &'static str,
    pub pending: Option<Pending<Next>>,
    pub schedules: Vec<Sched>,
    pub jobs: Vec<Job>,
    pub points: Vec<Point>,
    pub restores: Vec<Restore>,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub seq: u64,
    pub tags: Vec<Value>,
}

impl Backup {
    pub fn is_filesystem(&self) -> bool {
        self.policy_type == "FILESYSTEM"
    }

    pub fn job_running(&self) -> bool {
        self.jobs.iter().any(|j| j.state == "INPROGRESS")
    }

    pub fn restore_running(&self) -> bool {
        self.restores.iter().any(|r| r.state == "INPROGRESS")
    }

    /// A `BackupResponse` (ListBackups) row.
    pub fn row(&self) -> Value {
        json!({"id": self.id, "name": self.name, "policy_type": self.policy_type,
            "retention_period": self.retention, "role_type": self.role,
            "server_name": self.server_name, "state": self.state,
            "created_at": ts(self.created_at), "created_by": USER,
            "modified_at": ts(self.modified_at), "modified_by": USER})
    }

    /// `BackupDetailResponse` (1.0) or `BackupDetailResponse1Dot1` (1.1, with the DR fields).
    pub fn detail(&self, version: &str) -> Value {
        let mut j = json!({"id": self.id, "name": self.name, "state": self.state,
            "role_type": self.role, "policy_category": self.category,
            "policy_type": self.policy_type, "retention_period": self.retention,
            "encrypt_enabled": self.encrypt, "filesystem_paths": self.paths,
            "backup_agent_id": self.agent_id, "server_uuid": self.server_uuid,
            "server_name": self.server_name, "server_category": self.server_category,
            "server_os_type": self.server_os_type, "server_region": self.server_region,
            "region": self.region,
            "created_at": ts(self.created_at), "created_by": USER,
            "modified_at": ts(self.modified_at), "modified_by": USER});
        if version != "1.0" {
            j["dr_enabled"] = json!(self.replica.is_some());
            j["dr_region"] = json!(self.dr_region);
            j["origin_backup_id"] = json!(self.origin);
            j["replica_backup_id"] = json!(self.replica);
        }
        j
    }
}
