//! Pure mapping between Backup's wire shapes and the core model: enum spellings both ways,
//! schedules (`start_time` `HH:MM:SS` ↔ hour/minute, `start_day`/`start_week` ↔ the Nth
//! weekday), states, and the ids of resources the vendor addresses under a backup or gives
//! no id at all (restores).

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;

use super::wire;
use crate::shared::wire::time;
use crate::shared::GIB;

/// Mints the global ids of one provider's backup resources (no volume kind), and routes
/// a replica's origin to the provider of its region.
#[derive(Debug, Clone)]
pub(crate) struct BackupIds {
    pub provider: String,
    pub region: String,
    /// region → provider id of the same account there.
    pub peers: std::collections::BTreeMap<String, String>,
    /// The DR region(s) from the configuration, in order.
    pub dr_regions: Vec<String>,
}

impl BackupIds {
    /// The global id of a resource of `rtype` with no parent.
    pub fn gid(&self, rtype: ResourceType, vid: &str) -> GlobalId {
        GlobalId::new(rtype, self.provider.clone(), None, vid)
    }

    /// The encoded global id of backup `bid`.
    pub fn backup(&self, bid: &str) -> String {
        self.gid(ResourceType::Backup, bid).encode()
    }

    /// The encoded global id of a resource addressed under backup `bid`.
    pub fn child(&self, rtype: ResourceType, bid: &str, vid: &str) -> String {
        self.gid(rtype, vid).with_parent(bid).encode()
    }

    /// A backup id in `region`: routable when a provider of the account is configured
    /// there, else the raw vendor id.
    pub fn backup_in(&self, region: &str, bid: &str) -> String {
        if region.eq_ignore_ascii_case(&self.region) {
            return self.backup(bid);
        }
        match self
            .peers
            .iter()
            .find(|(r, _)| r.eq_ignore_ascii_case(region))
        {
            Some((_, p)) => GlobalId::new(ResourceType::Backup, p.clone(), None, bid).encode(),
            None => bid.to_string(),
        }
    }
}

/// `(policy_category, policy_type)` of a kind.
pub(crate) fn kind_wire(k: BackupKind) -> (&'static str, &'static str) {
    match k {
        BackupKind::Image => ("AGENTLESS", "VM_IMAGE"),
        BackupKind::Filesystem => ("AGENT", "FILESYSTEM"),
    }
}

/// The kind of a policy from its type (or, failing that, its category).
pub(crate) fn kind(policy_type: Option<&str>, category: Option<&str>) -> Option<BackupKind> {
    match (policy_type, category) {
        (Some("VM_IMAGE"), _) | (None, Some("AGENTLESS")) => Some(BackupKind::Image),
        (Some("FILESYSTEM"), _) | (None, Some("AGENT")) => Some(BackupKind::Filesystem),
        _ => None,
    }
}

/// `server_category` of a server type.
pub(crate) fn category(t: ServerType) -> &'static str {
    match t {
        ServerType::VirtualServer => "VIRTUAL_SERVER",
        ServerType::GpuServer => "GPU_SERVER",
        ServerType::BaremetalServer => "BAREMETAL_SERVER",
    }
}

/// The server type of a `server_category`.
pub(crate) fn server_type(c: &str) -> Option<ServerType> {
    [
        ServerType::VirtualServer,
        ServerType::GpuServer,
        ServerType::BaremetalServer,
    ]
    .into_iter()
    .find(|t| category(*t).eq_ignore_ascii_case(c))
}

const RETENTIONS: [(Retention, &str); 5] = [
    (Retention::TwoWeeks, "WEEK_2"),
    (Retention::OneMonth, "MONTH_1"),
    (Retention::ThreeMonths, "MONTH_3"),
    (Retention::SixMonths, "MONTH_6"),
    (Retention::OneYear, "YEAR_1"),
];

/// `retention_period` of a retention.
pub(crate) fn retention_wire(r: Retention) -> &'static str {
    RETENTIONS
        .iter()
        .find(|(x, _)| *x == r)
        .map_or("WEEK_2", |(_, w)| w)
}

/// The retention of a `retention_period`.
pub(crate) fn retention(w: &str) -> Option<Retention> {
    RETENTIONS
        .iter()
        .find(|(_, x)| x.eq_ignore_ascii_case(w))
        .map(|(r, _)| *r)
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "MON"),
    (Weekday::Tuesday, "TUE"),
    (Weekday::Wednesday, "WED"),
    (Weekday::Thursday, "THU"),
    (Weekday::Friday, "FRI"),
    (Weekday::Saturday, "SAT"),
    (Weekday::Sunday, "SUN"),
];

const WEEKS: [(WeekOfMonth, &str); 5] = [
    (WeekOfMonth::First, "WEEK_1"),
    (WeekOfMonth::Second, "WEEK_2"),
    (WeekOfMonth::Third, "WEEK_3"),
    (WeekOfMonth::Fourth, "WEEK_4"),
    (WeekOfMonth::Last, "WEEK_LAST"),
];

fn lookup<T: Copy + PartialEq>(table: &[(T, &'static str)], v: T) -> &'static str {
    table.iter().find(|(x, _)| *x == v).map_or("", |(_, w)| w)
}

fn reverse<T: Copy>(table: &[(T, &'static str)], w: Option<&str>) -> Option<T> {
    let w = w?.trim();
    table
        .iter()
        .find(|(_, x)| x.eq_ignore_ascii_case(w))
        .map(|(v, _)| *v)
}

/// A schedule entry as the vendor takes it (`BackupScheduleCreateRequest`): `start_day` and
/// `start_week` only where the frequency uses them (never `null`, §8 #19).
pub(crate) fn schedule_wire(s: &BackupSchedule) -> Value {
    let level = match s.level {
        BackupLevel::Full => "FULL",
        BackupLevel::Incremental => "INCREMENTAL",
    };
    let frequency = match s.frequency {
        BackupFrequency::Daily => "DAILY",
        BackupFrequency::Weekly => "WEEKLY",
        BackupFrequency::Monthly => "MONTHLY",
    };
    let mut v = json!({"type": level, "frequency": frequency,
        "start_time": format!("{:02}:{:02}:00", s.hour, s.minute)});
    let day = !matches!(s.frequency, BackupFrequency::Daily);
    if let (true, Some(d)) = (day, s.day) {
        v["start_day"] = json!(lookup(&DAYS, d));
    }
    if let (BackupFrequency::Monthly, Some(w)) = (s.frequency, s.week) {
        v["start_week"] = json!(lookup(&WEEKS, w));
    }
    v
}

/// A schedule entry as read; `day`/`week` are dropped where the frequency does not use them
/// (the vendor stores what it was sent, e.g. `DAILY` with `start_day: MON`). `None` for an
/// entry whose type, frequency or time this adapter cannot read.
pub(crate) fn schedule(s: &wire::Schedule) -> Option<BackupSchedule> {
    let level = match s.level.as_deref()?.to_ascii_uppercase().as_str() {
        "FULL" => BackupLevel::Full,
        "INCREMENTAL" => BackupLevel::Incremental,
        _ => return None,
    };
    let frequency = match s.frequency.as_deref()?.to_ascii_uppercase().as_str() {
        "DAILY" => BackupFrequency::Daily,
        "WEEKLY" => BackupFrequency::Weekly,
        "MONTHLY" => BackupFrequency::Monthly,
        _ => return None,
    };
    let mut parts = s.start_time.as_deref()?.trim().split(':');
    let hour: u8 = parts.next()?.parse().ok().filter(|h| *h < 24)?;
    let minute: u8 = parts
        .next()
        .map_or(Some(0), |m| m.parse().ok())
        .filter(|m| *m < 60)?;
    let day = reverse(&DAYS, s.start_day.as_deref());
    let week = reverse(&WEEKS, s.start_week.as_deref());
    Some(BackupSchedule {
        level,
        frequency,
        day: (frequency != BackupFrequency::Daily)
            .then_some(day)
            .flatten(),
        week: (frequency == BackupFrequency::Monthly)
            .then_some(week)
            .flatten(),
        hour,
        minute,
    })
}

/// A policy's (or agent's) `state`.
pub(crate) fn status(state: Option<&str>) -> BackupStatus {
    match state.unwrap_or("").to_ascii_uppercase().as_str() {
        "AVAILABLE" | "ACTIVE" => BackupStatus::Active,
        "CREATING" => BackupStatus::Creating,
        "DELETING" | "TERMINATING" => BackupStatus::Deleting,
        "UPDATING" | "EDITING" | "MODIFYING" => BackupStatus::Updating,
        "ERROR" | "FAILED" => BackupStatus::Error,
        _ => BackupStatus::Unknown,
    }
}

/// A job's `backup_job_state`.
pub(crate) fn job_status(s: Option<&str>) -> JobStatus {
    match s.unwrap_or("").to_ascii_uppercase().as_str() {
        "INPROGRESS" | "IN_PROGRESS" => JobStatus::Running,
        "SUCCESS" => JobStatus::Succeeded,
        "PARTIAL_SUCCESS" => JobStatus::PartiallySucceeded,
        "FAILED" => JobStatus::Failed,
        _ => JobStatus::Unknown,
    }
}

/// The `backup_job_state` filter of a job status; `None` for states the vendor has no
/// rows in (the caller answers an empty list).
pub(crate) fn job_state_wire(s: JobStatus) -> Option<&'static str> {
    match s {
        JobStatus::Running => Some("INPROGRESS"),
        JobStatus::Succeeded => Some("SUCCESS"),
        JobStatus::PartiallySucceeded => Some("PARTIAL_SUCCESS"),
        JobStatus::Failed => Some("FAILED"),
        JobStatus::Queued | JobStatus::Cancelled | JobStatus::Skipped | JobStatus::Unknown => None,
    }
}

/// A restore's `restore_state`.
pub(crate) fn restore_status(s: Option<&str>) -> JobStatus {
    match s.unwrap_or("").to_ascii_uppercase().as_str() {
        "INPROGRESS" | "IN_PROGRESS" => JobStatus::Running,
        "COMPLETED" => JobStatus::Succeeded,
        "FAILED" => JobStatus::Failed,
        _ => JobStatus::Unknown,
    }
}

/// An agent's `connection_state` (only `SUCCESS` is documented).
pub(crate) fn connection(s: Option<&str>) -> AgentConnection {
    let s = s.unwrap_or("").to_ascii_uppercase();
    if s == "SUCCESS" || s == "CONNECTED" {
        AgentConnection::Connected
    } else if s.starts_with("FAIL") || s == "DISCONNECTED" {
        AgentConnection::Disconnected
    } else if (s.starts_with("IN") && s.ends_with("PROGRESS")) || s == "CHECKING" {
        AgentConnection::Checking
    } else {
        AgentConnection::Unknown
    }
}

/// Who started a job: a history row names the schedule that ran it; one without a schedule
/// (or with the `MANUAL` sentinel some deployments use) was a manual run.
pub(crate) fn trigger(h: &wire::History) -> JobTrigger {
    let named = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .is_some_and(|s| !s.is_empty() && !s.eq_ignore_ascii_case("MANUAL"))
    };
    if named(&h.schedule_id) || named(&h.schedule_name) {
        JobTrigger::Scheduled
    } else {
        JobTrigger::Manual
    }
}

/// The id of a restore, which the vendor's rows lack: `r` and 40 hex digits of the SHA-256
/// of (backup id, restore server name, restore start time to the second, UTC). Stable across
/// reads (the server name and start time never change; the server id is only known later),
/// and within [`IdGrammar::Token`](strata_core::ids::IdGrammar::Token).
pub(crate) fn restore_id(bid: &str, h: &wire::RestoreHistory) -> String {
    let start = time(&h.restore_start_time)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .or_else(|| h.restore_start_time.clone())
        .unwrap_or_default();
    let name = h.restore_server_name.as_deref().unwrap_or("");
    let digest = Sha256::digest(format!("{bid}\n{name}\n{start}").as_bytes());
    let hex: String = digest.iter().take(20).map(|b| format!("{b:02x}")).collect();
    format!("r{hex}")
}

/// The object `raw` without the keys the model already carries.
pub(crate) fn vendor(raw: &Value, mapped: &[&str]) -> VendorFields {
    raw.as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| !mapped.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// A policy from ShowBackup (`d`, `raw`) and ListBackupSchedules (`schedules`).
pub(crate) fn backup(
    ids: &BackupIds,
    d: &wire::BackupDetail,
    raw: &Value,
    schedules: &[wire::Schedule],
) -> Backup {
    let mut v = vendor(
        raw,
        &[
            "id",
            "name",
            "server_uuid",
            "server_name",
            "filesystem_paths",
            "encrypt_enabled",
            "created_at",
            "retention_period",
        ],
    );
    let names: Vec<Value> = schedules.iter().map(|s| json!(s.name)).collect();
    v.insert("schedule_names".into(), Value::Array(names));
    let region = d.region.clone().unwrap_or_else(|| ids.region.clone());
    let origin_region = d
        .dr_region
        .clone()
        .or_else(|| ids.dr_regions.first().cloned())
        .unwrap_or_else(|| region.clone());
    Backup {
        id: ids.backup(&d.id),
        provider: ids.provider.clone(),
        name: d.name.clone(),
        kind: kind(d.policy_type.as_deref(), d.policy_category.as_deref())
            .unwrap_or(BackupKind::Image),
        status: status(d.state.as_deref()),
        server: ProtectedServer {
            server_id: d.server_uuid.clone(),
            server_type: d
                .server_category
                .as_deref()
                .and_then(server_type)
                .unwrap_or(ServerType::VirtualServer),
            name: d.server_name.clone(),
        },
        paths: d.filesystem_paths.clone(),
        schedules: schedules.iter().filter_map(schedule).collect(),
        retention: d
            .retention_period
            .as_deref()
            .and_then(retention)
            .unwrap_or(Retention::TwoWeeks),
        encrypted: d.encrypt_enabled.unwrap_or(false),
        replication_region: match (d.dr_enabled, &d.origin_backup_id) {
            (Some(true), None) => d.dr_region.clone(),
            _ => None,
        },
        replica_of: d
            .origin_backup_id
            .as_deref()
            .filter(|o| !o.is_empty())
            .map(|o| ids.backup_in(&origin_region, o)),
        region,
        created_at: time(&d.created_at),
        vendor: v,
    }
}

/// A backup job from a history row of backup `bid`; `None` for a row without a job id.
pub(crate) fn job(ids: &BackupIds, bid: &str, h: &wire::History, raw: &Value) -> Option<BackupJob> {
    let guid = h.backup_job_guid.as_deref().filter(|g| !g.is_empty())?;
    Some(BackupJob {
        id: ids.child(ResourceType::BackupJob, bid, guid),
        provider: ids.provider.clone(),
        backup_id: ids.backup(bid),
        status: job_status(h.backup_job_state.as_deref()),
        trigger: Some(trigger(h)),
        started_at: time(&h.backup_start_time),
        finished_at: time(&h.backup_end_time),
        vendor: vendor(
            raw,
            &["backup_job_guid", "backup_start_time", "backup_end_time"],
        ),
    })
}

/// A recovery point from a restore-target row of backup `bid`.
pub(crate) fn recovery_point(
    ids: &BackupIds,
    bid: &str,
    t: &wire::RestoreTarget,
    raw: &Value,
) -> RecoveryPoint {
    RecoveryPoint {
        id: ids.child(ResourceType::RecoveryPoint, bid, &t.restore_target_id),
        provider: ids.provider.clone(),
        backup_id: ids.backup(bid),
        created_at: time(&t.backup_start_time).unwrap_or_default(),
        size_bytes: t
            .usage_gb
            .filter(|g| *g >= 0.0)
            .map(|g| (g * GIB as f64).round() as u64),
        restorable: t.is_restore_available.unwrap_or(false),
        vendor: vendor(raw, &["restore_target_id", "is_restore_available"]),
    }
}

/// A restore from a restore-history row of backup `bid`.
pub(crate) fn restore_job(
    ids: &BackupIds,
    bid: &str,
    h: &wire::RestoreHistory,
    raw: &Value,
) -> RestoreJob {
    RestoreJob {
        id: ids.child(ResourceType::RestoreJob, bid, &restore_id(bid, h)),
        provider: ids.provider.clone(),
        backup_id: ids.backup(bid),
        status: restore_status(h.restore_state.as_deref()),
        server_name: h.restore_server_name.clone(),
        server_id: h.restore_server_id.clone().filter(|s| !s.is_empty()),
        started_at: time(&h.restore_start_time),
        finished_at: time(&h.restore_end_time),
        vendor: vendor(
            raw,
            &[
                "restore_server_name",
                "restore_server_id",
                "restore_start_time",
                "restore_end_time",
            ],
        ),
    }
}

/// A server row as a backup target (`server_type` where the listing was of one type).
pub(crate) fn target(s: &wire::Server, raw: &Value, t: Option<ServerType>) -> BackupTarget {
    BackupTarget {
        server_id: s.server_uuid.clone(),
        name: s.server_name.clone().unwrap_or_default(),
        server_type: t,
        os: s.server_os_version.clone(),
        vendor: vendor(raw, &["server_uuid", "server_name", "server_os_version"]),
    }
}

/// A backup agent from a list row or ShowBackupAgent.
pub(crate) fn agent(ids: &BackupIds, a: &wire::Agent, raw: &Value) -> BackupAgent {
    BackupAgent {
        id: ids.gid(ResourceType::BackupAgent, &a.id).encode(),
        provider: ids.provider.clone(),
        server_id: a.server_uuid.clone().unwrap_or_default(),
        server_name: a.server_name.clone(),
        status: status(a.state.as_deref()),
        connection: connection(a.connection_state.as_deref()),
        checked_at: time(&raw["connection_check_time"].as_str().map(str::to_string)),
        os: a.server_os_type.clone(),
        created_at: time(&a.created_at),
        vendor: vendor(
            raw,
            &[
                "id",
                "server_uuid",
                "server_name",
                "server_os_type",
                "created_at",
            ],
        ),
    }
}

#[cfg(test)]
#[path = "map_tests.rs"]
mod tests;
