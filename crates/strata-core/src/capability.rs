//! Capability documents: what a provider can do and within which limits.
//!
//! The gateway validates every request against these *before* calling the vendor, and
//! publishes them at `GET /v1/providers/{id}` so clients can place workloads up front.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalogue::Op;
use crate::error::{Error, Result};
use crate::model::{
    AccessLevel, AccessRule, AccessRuleKind, CreateVolume, Protocol, ScheduleFrequency,
    SnapshotSchedule, UpdateVolume, VolumeKind,
};

/// An operation a provider may support for a volume kind.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Creating volumes (`volume.create`).
    VolumeCreate,
    /// Deleting volumes (`volume.delete`).
    VolumeDelete,
    /// Growing a volume by changing `size_gib` (`volume.update`).
    VolumeResize,
    /// Shrinking a volume to a smaller `size_gib` (needs `volume_resize` too).
    VolumeShrink,
    /// Replacing a volume's access rules (`volume.access_rules.set`).
    AccessRules,
    /// Listing a volume's mount targets (`volume.mount_targets.list`).
    MountTargets,
    /// Creating and deleting mount targets (`volume.mount_target.create`, `.delete`).
    MountTargetManage,
    /// Reporting a volume's usage (`volume.usage`).
    Usage,
    /// Attaching volumes to servers and detaching them (`volume.attach`, `volume.detach`).
    Attachments,
    /// Creating snapshots (`snapshot.create`).
    SnapshotCreate,
    /// Deleting snapshots (`snapshot.delete`).
    SnapshotDelete,
    /// Restoring a snapshot into its own volume (`snapshot.restore` in place).
    SnapshotRestoreInPlace,
    /// Restoring a snapshot into a new volume (`snapshot.restore` to a new volume).
    SnapshotClone,
    /// Listing past restores of a volume (`volume.restores.list`).
    RestoreHistory,
    /// Setting a volume's snapshot schedule (`snapshot_schedule.put`).
    SnapshotSchedule,
    /// Creating replicas in another region (`replica.create`).
    ReplicaCreate,
    /// Deleting replicas (`replica.delete`).
    ReplicaDelete,
    /// Starting and stopping replication (`replica.start`, `replica.stop`).
    ReplicaStartStop,
    /// Swapping a replica's source and destination (`replica.reverse`).
    ReplicaReverse,
    /// Changing a replica's settings (`replica.update`).
    ReplicaUpdate,
    /// Volume groups: consistency groups of block volumes (`volume_group.create`).
    VolumeGroups,
}

impl Feature {
    /// The catalogue operation the feature enables, and the option of it, for features that
    /// are an option of an operation rather than the whole of it (resize is an option of
    /// `volume.update`, clone of `snapshot.restore`).
    pub fn op(self) -> (Op, Option<&'static str>) {
        match self {
            Feature::VolumeCreate => (Op::VolumeCreate, None),
            Feature::VolumeDelete => (Op::VolumeDelete, None),
            Feature::VolumeResize => (Op::VolumeUpdate, Some("resize")),
            Feature::VolumeShrink => (Op::VolumeUpdate, Some("shrink")),
            Feature::AccessRules => (Op::AccessRulesSet, None),
            Feature::MountTargets => (Op::MountTargetList, None),
            Feature::MountTargetManage => (Op::MountTargetCreate, None),
            Feature::Usage => (Op::VolumeUsage, None),
            Feature::Attachments => (Op::VolumeAttach, None),
            Feature::SnapshotCreate => (Op::SnapshotCreate, None),
            Feature::SnapshotDelete => (Op::SnapshotDelete, None),
            Feature::SnapshotRestoreInPlace => (Op::SnapshotRestore, Some("in_place")),
            Feature::SnapshotClone => (Op::SnapshotRestore, Some("new_volume")),
            Feature::RestoreHistory => (Op::RestoreList, None),
            Feature::SnapshotSchedule => (Op::SchedulePut, None),
            Feature::ReplicaCreate => (Op::ReplicaCreate, None),
            Feature::ReplicaDelete => (Op::ReplicaDelete, None),
            Feature::ReplicaStartStop => (Op::ReplicaStart, None),
            Feature::ReplicaReverse => (Op::ReplicaReverse, None),
            Feature::ReplicaUpdate => (Op::ReplicaUpdate, None),
            Feature::VolumeGroups => (Op::VolumeGroupCreate, None),
        }
    }

    /// The name used in `unsupported_by_provider` errors: the catalogue name of the
    /// operation, with the option after a `:` where the feature is one
    /// (`volume.update:resize`).
    pub fn operation(self) -> String {
        match self.op() {
            (op, None) => op.name().to_string(),
            (op, Some(option)) => format!("{}:{option}", op.name()),
        }
    }
}

/// Size limits of a volume kind, in GiB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SizeLimits {
    /// Smallest size, in GiB.
    pub min_gib: u64,
    /// Largest size, in GiB.
    pub max_gib: u64,
    /// Sizes must be a multiple of this (counted from 0).
    pub step_gib: u64,
    /// Capacity grows with the data (SCP File Storage): nothing is provisioned, so a create
    /// request leaves `size_gib` out (or 0) and volumes report `size_gib: 0`.
    #[serde(default)]
    pub elastic: bool,
}

/// Rules for resource names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NameRules {
    /// Fewest characters a name may have.
    pub min_len: usize,
    /// Most characters a name may have.
    pub max_len: usize,
    /// A regular expression (Rust `regex` syntax) the whole name must match.
    pub pattern: String,
    /// The rule in words, used in error messages.
    pub description: String,
}

impl NameRules {
    /// Names of `min_len..=max_len` ASCII letters, digits, `_` and `-` (the rule of NHN NAS and
    /// of many other vendors' resources).
    pub fn word(min_len: usize, max_len: usize) -> Self {
        NameRules {
            min_len,
            max_len,
            pattern: "[A-Za-z0-9_-]+".into(),
            description: "letters, digits, `_` and `-`".into(),
        }
    }

    /// Checks a name; `field` names the input in errors.
    pub fn check(&self, field: &str, name: &str) -> Result<()> {
        let len = name.chars().count();
        if len < self.min_len || len > self.max_len {
            return Err(Error::invalid(
                field,
                format!(
                    "`{field}` must be {}–{} characters long, got {len}: {}",
                    self.min_len, self.max_len, self.description
                ),
            ));
        }
        if !pattern_matches(&self.pattern, name)? {
            return Err(Error::invalid(
                field,
                format!("`{field}` `{name}` is not allowed: {}", self.description),
            ));
        }
        Ok(())
    }
}

/// Whole-string match of a capability pattern. Compiled patterns are kept: a provider has a
/// handful, and names are checked on every create.
fn pattern_matches(pattern: &str, name: &str) -> Result<bool> {
    static COMPILED: std::sync::LazyLock<
        std::sync::Mutex<std::collections::HashMap<String, regex::Regex>>,
    > = std::sync::LazyLock::new(Default::default);
    let mut cache = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    let re = match cache.get(pattern) {
        Some(re) => re,
        None => {
            let re = regex::Regex::new(&format!("^(?:{pattern})$"))
                .map_err(|e| Error::Internal(format!("bad name pattern in capabilities: {e}")))?;
            cache.entry(pattern.to_string()).or_insert(re)
        }
    };
    Ok(re.is_match(name))
}

/// Limits of the snapshot schedule of a volume kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleLimits {
    /// Frequencies a snapshot schedule may use.
    pub frequencies: Vec<ScheduleFrequency>,
    /// Whether the minute can be chosen (otherwise it must be 0).
    pub minutes: bool,
    /// Largest `retention_count`, when the provider keeps a limited number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retention_count: Option<u32>,
    /// Time zones the provider accepts for the hour.
    pub timezones: Vec<String>,
}

/// Everything a provider supports for one volume kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KindCapabilities {
    /// Operations supported for this kind.
    pub features: BTreeSet<Feature>,
    /// Size limits of volumes of this kind.
    pub size: SizeLimits,
    /// Protocols a file volume can use; the first is the default.
    #[serde(default)]
    pub protocols: Vec<Protocol>,
    /// Disk or performance tiers accepted in `tier`; empty when there is no choice.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Rules for volume names, and for snapshot names where callers choose them.
    pub name: NameRules,
    /// Access rule kinds accepted.
    #[serde(default)]
    pub access_rule_kinds: Vec<AccessRuleKind>,
    /// Most access rules a volume may have; absent when there is no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_access_rules: Option<usize>,
    /// Access levels a rule may grant; empty means every level.
    #[serde(default)]
    pub access_levels: Vec<AccessLevel>,
    /// Vendor object types a `server` rule may name in `server_type` (e.g. `vm`, `gpu_node`);
    /// empty when server rules are not offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub server_types: Vec<String>,
    /// Whether callers choose snapshot names (otherwise the vendor generates them and a
    /// `name` in the request is refused).
    #[serde(default = "yes")]
    pub snapshot_names: bool,
    /// Whether the provider stores `labels` on volumes.
    pub labels: bool,
    /// Snapshot schedule limits; absent when schedules are not offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleLimits>,
    /// Regions replicas can be created in.
    #[serde(default)]
    pub replication_regions: Vec<String>,
    /// Whether encryption at rest can be requested.
    pub encryption: bool,
    /// Options accepted in `CreateVolume.options`, with their meaning.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

impl KindCapabilities {
    /// Whether the feature is supported.
    pub fn supports(&self, f: Feature) -> bool {
        self.features.contains(&f)
    }

    /// `Ok` when supported, else the `unsupported_by_provider` error.
    pub fn require(&self, f: Feature) -> Result<()> {
        if self.supports(f) {
            Ok(())
        } else {
            Err(Error::unsupported(f.operation()))
        }
    }

    fn check_size(&self, field: &str, size: u64) -> Result<()> {
        let SizeLimits {
            min_gib,
            max_gib,
            step_gib,
            elastic,
        } = self.size;
        if elastic {
            if size != 0 {
                return Err(Error::invalid(
                    field,
                    format!("capacity is elastic here: leave `{field}` out, got {size}"),
                ));
            }
            return Ok(());
        }
        if size < min_gib || size > max_gib || (step_gib > 1 && size % step_gib != 0) {
            let step = if step_gib > 1 {
                format!(" in steps of {step_gib}")
            } else {
                String::new()
            };
            return Err(Error::invalid(
                field,
                format!("`{field}` must be between {min_gib} and {max_gib} GiB{step}, got {size}"),
            ));
        }
        Ok(())
    }

    fn check_labels(&self, given: bool) -> Result<()> {
        if given && !self.labels {
            return Err(Error::invalid(
                "labels",
                "this provider cannot store labels on volumes",
            ));
        }
        Ok(())
    }

    fn check_rules(&self, rules: &[AccessRule]) -> Result<()> {
        if rules.is_empty() {
            return Ok(());
        }
        self.require(Feature::AccessRules)?;
        if let Some(max) = self.max_access_rules {
            if rules.len() > max {
                return Err(Error::invalid(
                    "access_rules",
                    format!(
                        "at most {max} access rules are allowed, got {}",
                        rules.len()
                    ),
                ));
            }
        }
        for (i, r) in rules.iter().enumerate() {
            let field = format!("access_rules[{i}]");
            if !self.access_rule_kinds.contains(&r.kind) {
                return Err(Error::invalid(
                    field,
                    format!(
                        "access rule kind `{:?}` is not supported here (allowed: {:?})",
                        r.kind, self.access_rule_kinds
                    )
                    .to_lowercase(),
                ));
            }
            if !self.access_levels.is_empty() && !self.access_levels.contains(&r.access) {
                return Err(Error::invalid(
                    format!("{field}.access"),
                    format!(
                        "access `{:?}` is not offered here (allowed: {:?})",
                        r.access, self.access_levels
                    )
                    .to_lowercase(),
                ));
            }
            check_rule_value(&field, r)?;
            if r.kind == AccessRuleKind::Server {
                match r.server_type.as_deref() {
                    Some(t) if self.server_types.iter().any(|x| x == t) => {}
                    _ => {
                        return Err(Error::invalid(
                            format!("{field}.server_type"),
                            format!(
                                "a server rule needs `server_type`, one of: {}",
                                join(self.server_types.iter().map(String::as_str))
                            ),
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    /// Validates a snapshot name given by the caller.
    pub fn validate_snapshot_name(&self, name: &str) -> Result<()> {
        if !self.snapshot_names {
            return Err(Error::invalid(
                "name",
                "this provider names snapshots itself; leave `name` out",
            ));
        }
        self.name.check("name", name)
    }

    /// Validates a create request for this kind.
    pub fn validate_create(&self, req: &CreateVolume) -> Result<()> {
        self.require(Feature::VolumeCreate)?;
        self.name.check("name", &req.name)?;
        self.check_size("size_gib", req.size_gib)?;
        match req.protocol {
            Some(p) if !self.protocols.contains(&p) => {
                return Err(Error::invalid(
                    "protocol",
                    format!(
                        "protocol `{}` is not offered for {} volumes here (allowed: {})",
                        p.as_str(),
                        req.kind,
                        join(self.protocols.iter().map(|p| p.as_str()))
                    ),
                ))
            }
            None if self.protocols.len() > 1 => {
                return Err(Error::invalid(
                    "protocol",
                    format!(
                        "`protocol` is required (one of: {})",
                        join(self.protocols.iter().map(|p| p.as_str()))
                    ),
                ))
            }
            _ => {}
        }
        if let Some(t) = &req.tier {
            if !self.tiers.iter().any(|x| x == t) {
                return Err(Error::invalid(
                    "tier",
                    format!(
                        "tier `{t}` is not offered (allowed: {})",
                        join(self.tiers.iter().map(String::as_str))
                    ),
                ));
            }
        }
        if req.encrypted && !self.encryption {
            return Err(Error::invalid(
                "encrypted",
                "encryption at rest is not offered for this kind",
            ));
        }
        if let Some(k) = req.options.keys().find(|k| !self.options.contains_key(*k)) {
            return Err(Error::invalid(
                format!("options.{k}"),
                format!(
                    "unknown option `{k}` (allowed: {})",
                    join(self.options.keys().map(String::as_str))
                ),
            ));
        }
        if let Some(d) = &req.description {
            check_description(d)?;
        }
        self.check_labels(!req.labels.is_empty())?;
        self.check_rules(&req.access_rules)
    }

    /// Validates an update request against the current size.
    pub fn validate_update(&self, current_size_gib: u64, req: &UpdateVolume) -> Result<()> {
        if let Some(size) = req.size_gib {
            if size != current_size_gib {
                self.require(Feature::VolumeResize)?;
                self.check_size("size_gib", size)?;
                if size < current_size_gib && !self.supports(Feature::VolumeShrink) {
                    return Err(Error::invalid("size_gib", format!("volumes can only grow: {size} GiB is smaller than the current {current_size_gib} GiB")));
                }
            }
        }
        if let Some(d) = &req.description {
            check_description(d)?;
        }
        if let Some(rules) = &req.access_rules {
            self.require(Feature::AccessRules)?;
            self.check_rules(rules)?;
        }
        self.check_labels(req.labels.as_ref().is_some_and(|l| !l.is_empty()))
    }

    /// Validates a full replacement of the access rules.
    pub fn validate_access_rules(&self, rules: &[AccessRule]) -> Result<()> {
        self.require(Feature::AccessRules)?;
        self.check_rules(rules)
    }

    /// Validates a snapshot schedule.
    pub fn validate_schedule(&self, s: &SnapshotSchedule) -> Result<()> {
        self.require(Feature::SnapshotSchedule)?;
        let limits = self
            .schedule
            .as_ref()
            .ok_or_else(|| Error::unsupported(Feature::SnapshotSchedule.operation()))?;
        if !limits.frequencies.contains(&s.frequency) {
            return Err(Error::invalid(
                "frequency",
                format!("frequency `{:?}` is not offered", s.frequency).to_lowercase(),
            ));
        }
        if s.hour > 23 {
            return Err(Error::invalid(
                "hour",
                format!("`hour` must be 0–23, got {}", s.hour),
            ));
        }
        if s.minute > 59 || (!limits.minutes && s.minute != 0) {
            let allowed = if limits.minutes {
                "0–59"
            } else {
                "0 (this provider schedules on the hour)"
            };
            return Err(Error::invalid(
                "minute",
                format!("`minute` must be {allowed}, got {}", s.minute),
            ));
        }
        match s.frequency {
            ScheduleFrequency::Weekly if s.days.is_empty() => {
                return Err(Error::invalid(
                    "days",
                    "a weekly schedule needs at least one day",
                ))
            }
            ScheduleFrequency::Daily if !s.days.is_empty() => {
                return Err(Error::invalid("days", "a daily schedule takes no days"))
            }
            _ => {}
        }
        if !limits.timezones.iter().any(|t| t == &s.timezone) {
            return Err(Error::invalid(
                "timezone",
                format!(
                    "time zone `{}` is not accepted (allowed: {})",
                    s.timezone,
                    join(limits.timezones.iter().map(String::as_str))
                ),
            ));
        }
        match (s.retention_count, limits.max_retention_count) {
            (Some(0), _) => Err(Error::invalid(
                "retention_count",
                "`retention_count` must be at least 1",
            )),
            (Some(n), Some(max)) if n > max => Err(Error::invalid(
                "retention_count",
                format!("`retention_count` must be at most {max}, got {n}"),
            )),
            _ => Ok(()),
        }
    }

    /// Validates the destination region of a new replica.
    pub fn validate_replica_region(&self, region: &str) -> Result<()> {
        self.require(Feature::ReplicaCreate)?;
        if !self.replication_regions.iter().any(|r| r == region) {
            return Err(Error::invalid(
                "destination_region",
                format!(
                    "cannot replicate to `{region}` (allowed: {})",
                    join(self.replication_regions.iter().map(String::as_str))
                ),
            ));
        }
        Ok(())
    }
}

fn yes() -> bool {
    true
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn check_description(d: &str) -> Result<()> {
    if d.chars().count() > 255 {
        return Err(Error::invalid(
            "description",
            "`description` must be at most 255 characters",
        ));
    }
    Ok(())
}

fn check_rule_value(field: &str, r: &AccessRule) -> Result<()> {
    let ok = match r.kind {
        AccessRuleKind::Ip => r.value.parse::<std::net::Ipv4Addr>().is_ok(),
        AccessRuleKind::Cidr => match r.value.split_once('/') {
            Some((ip, len)) => {
                ip.parse::<std::net::Ipv4Addr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 32)
            }
            None => false,
        },
        AccessRuleKind::Server => !r.value.trim().is_empty() && r.value.len() <= 128,
    };
    if ok {
        Ok(())
    } else {
        let want = match r.kind {
            AccessRuleKind::Ip => "an IPv4 address",
            AccessRuleKind::Cidr => "an IPv4 network such as 10.0.0.0/24",
            AccessRuleKind::Server => "a server id",
        };
        Err(Error::invalid(
            format!("{field}.value"),
            format!("`{}` is not {want}", r.value),
        ))
    }
}

/// Backup capabilities of a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BackupCapabilities {
    /// Longest retention of a backup policy, in days.
    pub max_retention_days: u32,
    /// Frequencies a backup schedule may use (`daily`, `weekly`, `monthly`).
    pub frequencies: Vec<String>,
    /// Regions recovery points can be copied to.
    pub replication_regions: Vec<String>,
}

/// Archive capabilities of a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveCapabilities {
    /// Rules for archive names.
    pub name: NameRules,
    /// Most days recovered copies can stay readable.
    pub max_recover_days: u32,
}

/// The capability document of a provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Capabilities {
    /// Per volume kind; a kind that is absent is not offered at all.
    pub volumes: BTreeMap<VolumeKind, KindCapabilities>,
    /// Backup capabilities; absent when the provider offers no backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backups: Option<BackupCapabilities>,
    /// Archive capabilities; absent when the provider offers no archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archives: Option<ArchiveCapabilities>,
    /// Largest page a list call asks the vendor for.
    pub max_page_size: u32,
}

impl Capabilities {
    /// The capabilities of a kind, or `unsupported_by_provider` when the kind is not offered.
    pub fn kind(&self, kind: VolumeKind) -> Result<&KindCapabilities> {
        self.volumes
            .get(&kind)
            .ok_or_else(|| Error::unsupported(format!("{kind} volumes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccessLevel, Weekday};

    fn caps() -> KindCapabilities {
        KindCapabilities {
            features: [
                Feature::VolumeCreate,
                Feature::VolumeResize,
                Feature::AccessRules,
                Feature::SnapshotSchedule,
            ]
            .into(),
            size: SizeLimits {
                min_gib: 300,
                max_gib: 10_000,
                step_gib: 100,
                elastic: false,
            },
            protocols: vec![Protocol::Nfs, Protocol::Cifs],
            tiers: vec![],
            name: NameRules::word(1, 100),
            access_rule_kinds: vec![AccessRuleKind::Cidr],
            max_access_rules: Some(2),
            access_levels: vec![AccessLevel::ReadWrite],
            server_types: vec![],
            snapshot_names: true,
            labels: false,
            schedule: Some(ScheduleLimits {
                frequencies: vec![ScheduleFrequency::Weekly],
                minutes: false,
                max_retention_count: Some(30),
                timezones: vec!["Asia/Seoul".into()],
            }),
            replication_regions: vec!["KR2".into()],
            encryption: true,
            options: BTreeMap::new(),
        }
    }

    fn req() -> CreateVolume {
        serde_json::from_value(serde_json::json!({"provider":"p","kind":"file","name":"data","size_gib":300,"protocol":"nfs"})).unwrap()
    }

    fn field_of(r: Result<()>) -> String {
        r.unwrap_err().field().unwrap_or("-").to_string()
    }

    #[test]
    fn create_validation_names_the_field() {
        let c = caps();
        c.validate_create(&req()).unwrap();
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                size_gib: 250,
                ..req()
            })),
            "size_gib"
        );
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                size_gib: 350,
                ..req()
            })),
            "size_gib"
        );
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                size_gib: 10_100,
                ..req()
            })),
            "size_gib"
        );
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                protocol: None,
                ..req()
            })),
            "protocol"
        );
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                protocol: Some(Protocol::ParallelFs),
                ..req()
            })),
            "protocol"
        );
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                name: "bad name".into(),
                ..req()
            })),
            "name"
        );
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                name: "".into(),
                ..req()
            })),
            "name"
        );
        let rule = |v: &str| AccessRule {
            kind: AccessRuleKind::Cidr,
            value: v.into(),
            server_type: None,
            access: AccessLevel::ReadWrite,
        };
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                access_rules: vec![rule("10.0.0.0/33")],
                ..req()
            })),
            "access_rules[0].value"
        );
        assert_eq!(
            field_of(c.validate_create(&CreateVolume {
                access_rules: vec![rule("a"), rule("b"), rule("c")],
                ..req()
            })),
            "access_rules"
        );
        c.validate_create(&CreateVolume {
            access_rules: vec![rule("10.0.0.0/24")],
            ..req()
        })
        .unwrap();
    }

    #[test]
    fn update_and_schedule_validation() {
        let c = caps();
        c.validate_update(
            500,
            &UpdateVolume {
                size_gib: Some(600),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            field_of(c.validate_update(
                500,
                &UpdateVolume {
                    size_gib: Some(400),
                    ..Default::default()
                }
            )),
            "size_gib"
        );
        let s = SnapshotSchedule {
            frequency: ScheduleFrequency::Weekly,
            days: vec![Weekday::Monday],
            hour: 3,
            minute: 0,
            timezone: "Asia/Seoul".into(),
            retention_count: Some(30),
        };
        c.validate_schedule(&s).unwrap();
        assert_eq!(
            field_of(c.validate_schedule(&SnapshotSchedule {
                retention_count: Some(31),
                ..s.clone()
            })),
            "retention_count"
        );
        assert_eq!(
            field_of(c.validate_schedule(&SnapshotSchedule {
                hour: 24,
                ..s.clone()
            })),
            "hour"
        );
        assert_eq!(
            field_of(c.validate_schedule(&SnapshotSchedule {
                minute: 30,
                ..s.clone()
            })),
            "minute"
        );
        assert_eq!(
            field_of(c.validate_schedule(&SnapshotSchedule {
                days: vec![],
                ..s.clone()
            })),
            "days"
        );
        assert_eq!(
            field_of(c.validate_schedule(&SnapshotSchedule {
                frequency: ScheduleFrequency::Daily,
                days: vec![],
                ..s
            })),
            "frequency"
        );
    }

    #[test]
    fn unsupported_features_and_kinds() {
        let c = caps();
        let e = c.validate_replica_region("KR2").unwrap_err();
        assert_eq!(e.code(), "unsupported_by_provider");
        let all = Capabilities {
            volumes: [(VolumeKind::File, c)].into(),
            ..Default::default()
        };
        assert_eq!(
            all.kind(VolumeKind::Block).unwrap_err().code(),
            "unsupported_by_provider"
        );
    }

    #[test]
    fn elastic_sizes_server_rules_and_vendor_named_snapshots() {
        let mut c = caps();
        c.size.elastic = true;
        c.server_types = vec!["vm".into(), "gpu_node".into()];
        c.access_rule_kinds = vec![AccessRuleKind::Server];
        c.snapshot_names = false;
        let mut r = req();
        assert_eq!(field_of(c.validate_create(&r)), "size_gib");
        r.size_gib = 0;
        c.validate_create(&r).unwrap();
        let rule = |t: Option<&str>| AccessRule {
            kind: AccessRuleKind::Server,
            value: "43fq3347-02q4".into(),
            server_type: t.map(str::to_string),
            access: AccessLevel::ReadWrite,
        };
        c.validate_access_rules(&[rule(Some("gpu_node"))]).unwrap();
        assert_eq!(
            field_of(c.validate_access_rules(&[rule(Some("bm"))])),
            "access_rules[0].server_type"
        );
        assert_eq!(
            field_of(c.validate_access_rules(&[rule(None)])),
            "access_rules[0].server_type"
        );
        assert_eq!(field_of(c.validate_snapshot_name("mine")), "name");
    }
}
