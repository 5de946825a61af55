//! Backup capabilities of a provider, and the checks of backup requests against them.

use super::validate::join;
use super::*;
use crate::model::{
    BackupFrequency, BackupKind, BackupSchedule, CreateBackup, RestoreBackup, Retention,
    ServerType, UpdateBackup,
};

/// What a provider supports for backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BackupCapabilities {
    /// What policies can copy.
    pub kinds: Vec<BackupKind>,
    /// Kinds of servers that can be protected.
    pub server_types: Vec<ServerType>,
    /// Retentions offered.
    pub retentions: Vec<Retention>,
    /// Schedule frequencies offered.
    pub frequencies: Vec<BackupFrequency>,
    /// Whether a schedule entry's minute can be chosen; when `false` it must be 0.
    pub minutes: bool,
    /// Fewest entries in a policy's schedule (1 where the vendor runs no policy without
    /// one).
    pub min_schedules: usize,
    /// Most entries in a policy's schedule.
    pub max_schedules: usize,
    /// Most paths of a `filesystem` policy.
    pub max_paths: usize,
    /// Rules for policy names.
    pub name: NameRules,
    /// Rules for the name of a server an `image` backup is restored to.
    pub restore_server_name: NameRules,
    /// Whether a create request's `labels` are accepted.
    pub labels: bool,
    /// Regions (the vendor's region codes) recovery points can be copied to (`replicate`);
    /// empty when cross-region copies are not offered.
    pub replication_regions: Vec<String>,
    /// Whether backup agents can be managed (`/v1/backup-agents`).
    pub agents: bool,
}

impl Capabilities {
    /// The backup capabilities, or `unsupported_by_provider` when the provider has none.
    pub fn backups(&self) -> Result<&BackupCapabilities> {
        self.backups
            .as_ref()
            .ok_or_else(|| Error::unsupported("backup.create"))
    }
}

fn offered<T: Serialize + PartialEq>(field: &str, v: &T, list: &[T], what: &str) -> Result<()> {
    if list.contains(v) {
        return Ok(());
    }
    let wire = |v: &T| match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".into(),
    };
    Err(Error::unsupported_value(
        field,
        format!(
            "{what} `{}` is not offered (allowed: {})",
            wire(v),
            join(list.iter().map(wire))
        ),
    ))
}

impl BackupCapabilities {
    fn check_schedules(&self, s: &[BackupSchedule]) -> Result<()> {
        if s.len() < self.min_schedules {
            return Err(Error::unsupported_value(
                "schedules",
                format!(
                    "a policy needs at least {} schedule entries here, got {}",
                    self.min_schedules,
                    s.len()
                ),
            ));
        }
        if s.len() > self.max_schedules {
            return Err(Error::unsupported_value(
                "schedules",
                format!(
                    "at most {} schedule entries here, got {}",
                    self.max_schedules,
                    s.len()
                ),
            ));
        }
        for (i, e) in s.iter().enumerate() {
            let at = format!("schedules[{i}]");
            offered(
                &format!("{at}.frequency"),
                &e.frequency,
                &self.frequencies,
                "frequency",
            )?;
            if !self.minutes && e.minute != 0 {
                return Err(Error::unsupported_value(
                    format!("{at}.minute"),
                    "runs start on the hour here: `minute` must be 0",
                ));
            }
            let (day, week) = match e.frequency {
                BackupFrequency::Daily => (false, false),
                BackupFrequency::Weekly => (true, false),
                BackupFrequency::Monthly => (true, true),
            };
            let rule = |field: &str, needed: bool, given: bool| -> Result<()> {
                match (needed, given) {
                    (true, false) => Err(Error::unsupported_value(
                        format!("{at}.{field}"),
                        format!("a `{}` entry needs `{field}`", wire_freq(e.frequency)),
                    )),
                    (false, true) => Err(Error::unsupported_value(
                        format!("{at}.{field}"),
                        format!("a `{}` entry takes no `{field}`", wire_freq(e.frequency)),
                    )),
                    _ => Ok(()),
                }
            };
            rule("day", day, e.day.is_some())?;
            rule("week", week, e.week.is_some())?;
        }
        Ok(())
    }

    fn check_paths(&self, kind: BackupKind, paths: &[String]) -> Result<()> {
        match kind {
            BackupKind::Image if !paths.is_empty() => Err(Error::unsupported_value(
                "paths",
                "an `image` policy copies the whole server: leave `paths` out",
            )),
            BackupKind::Filesystem if paths.is_empty() => Err(Error::unsupported_value(
                "paths",
                "a `filesystem` policy needs at least one path",
            )),
            _ if paths.len() > self.max_paths => Err(Error::unsupported_value(
                "paths",
                format!("at most {} paths here, got {}", self.max_paths, paths.len()),
            )),
            _ => Ok(()),
        }
    }

    fn check_replicate(&self, on: bool) -> Result<()> {
        if on && self.replication_regions.is_empty() {
            return Err(Error::unsupported_value(
                "replicate",
                "this provider cannot copy recovery points to another region",
            ));
        }
        Ok(())
    }

    /// Checks a new policy.
    pub fn validate_create(&self, req: &CreateBackup) -> Result<()> {
        self.name.check("name", &req.name)?;
        offered("kind", &req.kind, &self.kinds, "kind")?;
        offered(
            "server_type",
            &req.server_type,
            &self.server_types,
            "server type",
        )?;
        offered("retention", &req.retention, &self.retentions, "retention")?;
        self.check_paths(req.kind, &req.paths)?;
        self.check_schedules(&req.schedules)?;
        self.check_replicate(req.replicate)?;
        if !self.labels && !req.labels.is_empty() {
            return Err(Error::unsupported_value(
                "labels",
                "this provider cannot store labels on backups",
            ));
        }
        Ok(())
    }

    /// Checks a change; `kind` is the policy's where known (paths are checked against it).
    pub fn validate_update(&self, kind: Option<BackupKind>, req: &UpdateBackup) -> Result<()> {
        if let Some(r) = &req.retention {
            offered("retention", r, &self.retentions, "retention")?;
        }
        if let Some(s) = &req.schedules {
            self.check_schedules(s)?;
        }
        if let (Some(kind), Some(p)) = (kind, &req.paths) {
            self.check_paths(kind, p)?;
        }
        self.check_replicate(req.replicate == Some(true))
    }

    /// Checks a restore of a policy of `kind`: a new server for `image`, a filesystem
    /// target for `filesystem`.
    pub fn validate_restore(&self, kind: BackupKind, req: &RestoreBackup) -> Result<()> {
        match (kind, &req.server, &req.filesystem) {
            (BackupKind::Image, Some(s), None) => self.restore_server_name.check("server.name", &s.name),
            (BackupKind::Filesystem, None, Some(_)) => Ok(()),
            (BackupKind::Image, _, _) => Err(Error::unsupported_value(
                "server",
                "an `image` backup is restored to a new server: give `server`, not `filesystem`",
            )),
            (BackupKind::Filesystem, _, _) => Err(Error::unsupported_value(
                "filesystem",
                "a `filesystem` backup is restored onto a server's paths: give `filesystem`, not `server`",
            )),
        }
    }

    /// `unsupported_by_provider` unless agents can be managed.
    pub fn require_agents(&self) -> Result<()> {
        if self.agents {
            Ok(())
        } else {
            Err(Error::unsupported("backup_agent.create"))
        }
    }
}

fn wire_freq(f: BackupFrequency) -> &'static str {
    match f {
        BackupFrequency::Daily => "daily",
        BackupFrequency::Weekly => "weekly",
        BackupFrequency::Monthly => "monthly",
    }
}
