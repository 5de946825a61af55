//! Capability documents: what a provider can do and within which limits.
//!
//! The gateway validates every request against these *before* calling the vendor, and
//! publishes them at `GET /v1/providers/{id}` so clients can place workloads up front.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalogue::Op;
use crate::error::{Error, Result};
mod archive;
mod backup;
mod block;
mod validate;

pub use archive::*;
pub use backup::*;
pub use block::*;

use crate::model::{
    AccessLevel, AccessRule, AccessRuleKind, CreateVolume, Protocol, ScheduleFrequency,
    SnapshotSchedule, UpdateVolume, VolumeKind,
};

/// An operation a provider may support for a volume kind; a kind's `features` lists those
/// it supports, and a request for any other is answered `unsupported_by_provider` (422).
///
/// - `volume_create`, `volume_delete`: creating and deleting volumes.
/// - `volume_resize`: growing a volume (`size_gib` of `PATCH /v1/volumes/{id}`).
/// - `volume_shrink`: shrinking a volume to a smaller `size_gib` (needs `volume_resize` too).
/// - `access_rules`: replacing a volume's access rules.
/// - `mount_targets`: listing a volume's mount targets.
/// - `mount_target_manage`: creating and deleting mount targets.
/// - `usage`: reporting a volume's space usage.
/// - `attachments`: attaching volumes to servers and detaching them.
/// - `snapshot_create`, `snapshot_delete`: taking and deleting snapshots.
/// - `snapshot_restore_in_place`: restoring a snapshot into its own volume.
/// - `snapshot_clone`: restoring a snapshot into a new volume.
/// - `restore_history`: listing past restores of a volume.
/// - `snapshot_schedule`: setting a volume's snapshot schedule.
/// - `replica_create`, `replica_delete`: creating and deleting replicas in another region.
/// - `replica_start_stop`: starting and stopping replication.
/// - `replica_reverse`: swapping a replica's source and destination.
/// - `replica_update`: changing a replica's frequency.
/// - `volume_groups`: consistency groups of block volumes (listing, creating, reading).
/// - `snapshot_reserve`: setting and removing a block volume's snapshot reserve.
/// - `qos`: setting a block volume's QoS (at create and with `PATCH`).
/// - `volume_group_delete`: deleting volume groups.
/// - `group_members`: adding volumes to a group and removing them.
/// - `group_snapshots`: listing, taking and deleting group snapshots.
/// - `group_restore_in_place`: restoring a group snapshot into the group.
/// - `group_clone`: recovering a group snapshot into a new group.
/// - `group_snapshot_schedule`: setting a group's snapshot schedule.
/// - `group_replicas`: replicating a group to another region (create, change, start, stop,
///   delete).
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
    /// Setting and removing a block volume's snapshot reserve (`volume.snapshot_reserve.put`).
    SnapshotReserve,
    /// Setting a block volume's QoS (`volume.update:qos`).
    Qos,
    /// Deleting volume groups (`volume_group.delete`).
    VolumeGroupDelete,
    /// Adding and removing group members (`volume_group.members.add`, `.remove`).
    GroupMembers,
    /// Listing, taking and deleting group snapshots (`group_snapshot.create`).
    GroupSnapshots,
    /// Restoring a group snapshot into its group (`group_snapshot.restore` in place).
    GroupRestoreInPlace,
    /// Recovering a group snapshot into a new group (`group_snapshot.restore:new_group`).
    GroupClone,
    /// Setting a group's snapshot schedule (`volume_group.snapshot_schedule.put`).
    GroupSnapshotSchedule,
    /// Replicating a group to another region (`volume_group.replica.create`).
    GroupReplicas,
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
            Feature::SnapshotReserve => (Op::SnapshotReservePut, None),
            Feature::Qos => (Op::VolumeUpdate, Some("qos")),
            Feature::VolumeGroupDelete => (Op::VolumeGroupDelete, None),
            Feature::GroupMembers => (Op::GroupMembersAdd, None),
            Feature::GroupSnapshots => (Op::GroupSnapshotCreate, None),
            Feature::GroupRestoreInPlace => (Op::GroupSnapshotRestore, Some("in_place")),
            Feature::GroupClone => (Op::GroupSnapshotRestore, Some("new_group")),
            Feature::GroupSnapshotSchedule => (Op::GroupSchedulePut, None),
            Feature::GroupReplicas => (Op::GroupReplicaCreate, None),
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

/// Size limits of a volume kind, in GiB: `size_gib` must be from `min_gib` to `max_gib` and a
/// multiple of `step_gib`, unless the capacity is `elastic`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SizeLimits {
    /// Smallest size, in GiB (0 for elastic kinds).
    pub min_gib: u64,
    /// Largest size, in GiB (0 for elastic kinds).
    pub max_gib: u64,
    /// Sizes must be a multiple of this many GiB (counted from 0); 0 or 1: any whole number
    /// of GiB.
    pub step_gib: u64,
    /// Capacity grows with the data (SCP File Storage): nothing is provisioned, so a create
    /// request leaves `size_gib` out (or 0) and volumes report `size_gib: 0`.
    #[serde(default)]
    pub elastic: bool,
}

/// Rules for resource names: a name must be `min_len` to `max_len` characters long and
/// match `pattern` as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NameRules {
    /// Fewest characters a name may have.
    pub min_len: usize,
    /// Most characters a name may have.
    pub max_len: usize,
    /// A regular expression the whole name must match (it is anchored at both ends when
    /// checked), e.g. `[A-Za-z0-9_-]+`.
    #[schema(example = "[A-Za-z0-9_-]+")]
    pub pattern: String,
    /// The rule in words, as error messages state it.
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

    /// Checks a name; `field` names the input in errors. The rules are the provider's own
    /// (the schema only bounds a name's length), so a name they refuse is `unsupported_value`.
    pub fn check(&self, field: &str, name: &str) -> Result<()> {
        let len = name.chars().count();
        if len < self.min_len || len > self.max_len {
            return Err(Error::unsupported_value(
                field,
                format!(
                    "`{field}` must be {}–{} characters long, got {len}: {}",
                    self.min_len, self.max_len, self.description
                ),
            ));
        }
        if !pattern_matches(&self.pattern, name)? {
            return Err(Error::unsupported_value(
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
    /// Whether the minute can be chosen; when `false` the provider schedules on the hour
    /// and `minute` must be 0.
    pub minutes: bool,
    /// Largest `retention_count`; absent when the provider sets no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retention_count: Option<u32>,
    /// IANA time zones the provider accepts in `timezone`, e.g. `Asia/Seoul`, `UTC`.
    pub timezones: Vec<String>,
    /// Most days a `weekly` schedule may name; absent: any number (up to 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_days: Option<usize>,
    /// Whether a schedule may set `retention_count`; when `false` the vendor keeps no
    /// retention setting and one is refused.
    #[serde(default = "yes")]
    pub retention: bool,
}

/// Everything a provider supports for one volume kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KindCapabilities {
    /// Operations supported for this kind; any other is answered `unsupported_by_provider`.
    pub features: BTreeSet<Feature>,
    /// Size limits of volumes of this kind.
    pub size: SizeLimits,
    /// Protocols a volume of this kind can be mounted with; a create request must name one
    /// when there are several. Empty for block volumes.
    #[serde(default)]
    pub protocols: Vec<Protocol>,
    /// Disk or performance tiers accepted in `tier` (e.g. `HDD`, `SSD`); empty when there is
    /// no choice, and `tier` is then refused.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Rules for the names of volumes of this kind (also a restore's `volume_name` and a
    /// replica's `destination_name`), and of snapshots where callers choose them.
    pub name: NameRules,
    /// Access rule kinds accepted in `kind` of an access rule; empty when access rules are
    /// not offered.
    #[serde(default)]
    pub access_rule_kinds: Vec<AccessRuleKind>,
    /// Most access rules a volume may have; absent when the provider sets no limit (the
    /// gateway's own limit, 256 per request, still applies).
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
    /// Whether the provider stores `labels` on volumes; when `false` a non-empty `labels`
    /// map is refused.
    pub labels: bool,
    /// Whether the provider keeps a volume `description`; when `false` one is refused before
    /// any vendor call (SCP keeps none).
    #[serde(default = "yes")]
    pub descriptions: bool,
    /// Snapshot schedule limits; absent when schedules are not offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub schedule: Option<ScheduleLimits>,
    /// Regions (the vendor's region codes) replicas can be created in; empty when
    /// replication is not offered.
    #[serde(default)]
    pub replication_regions: Vec<String>,
    /// Whether encryption at rest can be requested (`encrypted: true`).
    pub encryption: bool,
    /// The keys accepted in `options` of a create request, each with its meaning in words;
    /// empty when no options are accepted.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// The keys accepted in `options` of an update (`PATCH /v1/volumes/{id}`), each with its
    /// meaning in words; empty when none are accepted.
    #[serde(default)]
    pub update_options: BTreeMap<String, String>,
    /// Attachment limits of block volumes; absent when volumes are not attached to servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub attachments: Option<AttachmentLimits>,
    /// QoS limits; absent when QoS cannot be set (on SCP: before API 1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub qos: Option<QosLimits>,
    /// Snapshot reserve limits; absent when volumes have no snapshot reserve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub snapshot_reserve: Option<ReserveLimits>,
}

fn yes() -> bool {
    true
}

/// The capability document of a provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Capabilities {
    /// What the provider supports for each volume kind it offers, keyed by kind (`block`,
    /// `file`, `parallel_file`); a kind that is absent is not offered at all.
    pub volumes: BTreeMap<VolumeKind, KindCapabilities>,
    /// Backup capabilities; absent when the provider offers no backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub backups: Option<BackupCapabilities>,
    /// Volume group capabilities; absent when the provider offers no volume groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub volume_groups: Option<VolumeGroupCapabilities>,
    /// Archive capabilities; absent when the provider offers no archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub archives: Option<ArchiveCapabilities>,
    /// Largest page the provider serves: a list call's `page_size` is capped at it.
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
mod tests;
