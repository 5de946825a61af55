//! Capabilities of block volumes (attachments, QoS, snapshot reserve) and of volume groups,
//! and the checks of requests against them.

use super::validate::join;
use super::*;
use crate::model::{Attachment, CreateGroupReplica, CreateVolumeGroup, SnapshotReserve};

/// How block volumes are attached to servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentLimits {
    /// Most servers one volume may be attached to.
    pub max_per_volume: usize,
    /// Server types an attachment may name in `server_type` (lowercase, e.g. `bm`,
    /// `mngc`); the first is the default.
    pub server_types: Vec<String>,
    /// Whether a create request must name at least one server.
    pub required_on_create: bool,
}

/// The QoS a block volume may be given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QosLimits {
    /// Fewest I/O operations per second.
    pub min_iops: u32,
    /// Most I/O operations per second.
    pub max_iops: u32,
    /// Lowest throughput, in MB/s.
    pub min_throughput_mbps: u32,
    /// Highest throughput, in MB/s.
    pub max_throughput_mbps: u32,
    /// Tiers whose volumes take QoS (e.g. `SSD`); volumes of other tiers refuse it.
    pub tiers: Vec<String>,
}

/// The snapshot reserve a block volume may be given (`PUT /v1/volumes/{id}/snapshot-reserve`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReserveLimits {
    /// Smallest reserve, in percent of the volume's size.
    pub min_percent: u32,
    /// Largest reserve, in percent of the volume's size.
    pub max_percent: u32,
    /// Whether snapshots can be taken only while a reserve is set (SCP: `true`); taking one
    /// without is then `failed_precondition`.
    pub required: bool,
}

/// What a provider supports for volume groups (consistency groups of block volumes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VolumeGroupCapabilities {
    /// Group operations supported (`volume_groups`, `volume_group_delete`, `group_members`,
    /// `group_snapshots`, `group_restore_in_place`, `group_clone`,
    /// `group_snapshot_schedule`, `group_replicas`); any other is `unsupported_by_provider`.
    pub features: BTreeSet<Feature>,
    /// Rules for group names (also a group replica's `destination_name`).
    pub name: NameRules,
    /// Most volumes a group may hold; absent when the provider sets no limit (a request
    /// still names at most 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_members: Option<usize>,
    /// Whether groups may be renamed or their settings changed (SCP: `false`).
    pub update: bool,
    /// Whether a create request's `labels` are accepted.
    pub labels: bool,
    /// Group snapshot schedule limits; absent when groups have no schedules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub schedule: Option<ScheduleLimits>,
    /// Regions (the vendor's region codes) groups can be replicated to; empty when group
    /// replication is not offered.
    #[serde(default)]
    pub replication_regions: Vec<String>,
}

impl KindCapabilities {
    /// Checks the servers of a create request.
    pub(super) fn check_attachments(&self, atts: &[Attachment]) -> Result<()> {
        let Some(limits) = &self.attachments else {
            if atts.is_empty() {
                return Ok(());
            }
            return Err(Error::unsupported(Feature::Attachments.operation()));
        };
        if atts.is_empty() && limits.required_on_create {
            return Err(Error::unsupported_value(
                "attachments",
                "a volume of this kind is created attached: name at least one server",
            ));
        }
        if atts.len() > limits.max_per_volume {
            return Err(Error::unsupported_value(
                "attachments",
                format!(
                    "a volume may be attached to at most {} servers here, got {}",
                    limits.max_per_volume,
                    atts.len()
                ),
            ));
        }
        for (i, a) in atts.iter().enumerate() {
            limits.check(&format!("attachments[{i}]"), a)?;
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = atts.iter().find(|a| !seen.insert(a.server_id.as_str())) {
            return Err(Error::invalid(
                "attachments",
                format!("server `{}` is named twice", dup.server_id),
            ));
        }
        Ok(())
    }

    /// Checks an attachment to an existing volume.
    pub fn validate_attachment(&self, a: &Attachment) -> Result<()> {
        self.require(Feature::Attachments)?;
        match &self.attachments {
            Some(limits) => limits.check("", a),
            None => Err(Error::unsupported(Feature::Attachments.operation())),
        }
    }

    /// Checks a QoS setting: `tier` is the volume's tier where known (a create request's, or
    /// the current volume's), the figures those given.
    pub fn check_qos(
        &self,
        tier: Option<&str>,
        iops: Option<u32>,
        mbps: Option<u32>,
    ) -> Result<()> {
        self.require(Feature::Qos)?;
        let limits = self
            .qos
            .as_ref()
            .ok_or_else(|| Error::unsupported(Feature::Qos.operation()))?;
        if let Some(t) = tier {
            if !limits.tiers.iter().any(|x| x == t) {
                return Err(Error::unsupported_value(
                    "qos",
                    format!(
                        "QoS is offered only for tiers {}; this volume is `{t}`",
                        join(limits.tiers.iter().map(String::as_str))
                    ),
                ));
            }
        }
        let within = |field: &str, v: Option<u32>, min: u32, max: u32| match v {
            Some(v) if v < min || v > max => Err(Error::unsupported_value(
                field,
                format!("`{field}` must be {min}–{max} here, got {v}"),
            )),
            _ => Ok(()),
        };
        within("qos.iops", iops, limits.min_iops, limits.max_iops)?;
        within(
            "qos.throughput_mbps",
            mbps,
            limits.min_throughput_mbps,
            limits.max_throughput_mbps,
        )
    }

    /// Checks a snapshot reserve.
    pub fn validate_snapshot_reserve(&self, r: &SnapshotReserve) -> Result<()> {
        self.require(Feature::SnapshotReserve)?;
        let limits = self
            .snapshot_reserve
            .as_ref()
            .ok_or_else(|| Error::unsupported(Feature::SnapshotReserve.operation()))?;
        if r.percent < limits.min_percent || r.percent > limits.max_percent {
            return Err(Error::unsupported_value(
                "percent",
                format!(
                    "`percent` must be {}–{} here, got {}",
                    limits.min_percent, limits.max_percent, r.percent
                ),
            ));
        }
        Ok(())
    }
}

impl AttachmentLimits {
    fn check(&self, at: &str, a: &Attachment) -> Result<()> {
        let field = if at.is_empty() {
            "server_type".to_string()
        } else {
            format!("{at}.server_type")
        };
        match &a.server_type {
            Some(t) if !self.server_types.iter().any(|x| x == t) => Err(Error::unsupported_value(
                field,
                format!(
                    "server type `{t}` is not offered (allowed: {})",
                    join(self.server_types.iter().map(String::as_str))
                ),
            )),
            _ => Ok(()),
        }
    }
}

impl Capabilities {
    /// The volume group capabilities, or `unsupported_by_provider` when groups are not
    /// offered.
    pub fn groups(&self) -> Result<&VolumeGroupCapabilities> {
        self.volume_groups
            .as_ref()
            .ok_or_else(|| Error::unsupported(Feature::VolumeGroups.operation()))
    }
}

impl VolumeGroupCapabilities {
    /// `Ok` when the group feature is supported, else `unsupported_by_provider`.
    pub fn require(&self, f: Feature) -> Result<()> {
        if self.features.contains(&f) {
            Ok(())
        } else {
            Err(Error::unsupported(f.operation()))
        }
    }

    /// Checks a create request (the ids are checked by the gateway).
    pub fn validate_create(&self, req: &CreateVolumeGroup) -> Result<()> {
        self.require(Feature::VolumeGroups)?;
        self.name.check("name", &req.name)?;
        if !self.labels && !req.labels.is_empty() {
            return Err(Error::unsupported_value(
                "labels",
                "this provider cannot store labels on volume groups",
            ));
        }
        self.check_members(req.volume_ids.len())
    }

    /// Checks the size of a membership (a create's, or a group's after an addition).
    pub fn check_members(&self, n: usize) -> Result<()> {
        match self.max_members {
            Some(max) if n > max => Err(Error::unsupported_value(
                "volume_ids",
                format!("a group may hold at most {max} volumes here, got {n}"),
            )),
            _ => Ok(()),
        }
    }

    /// Checks a group snapshot schedule.
    pub fn validate_schedule(&self, s: &SnapshotSchedule) -> Result<()> {
        self.require(Feature::GroupSnapshotSchedule)?;
        self.schedule
            .as_ref()
            .ok_or_else(|| Error::unsupported(Feature::GroupSnapshotSchedule.operation()))?
            .check(s)
    }

    /// Checks a new group replica (its member name prefix is checked by the adapter, which
    /// knows the members' names).
    pub fn validate_replica(&self, req: &CreateGroupReplica) -> Result<()> {
        self.require(Feature::GroupReplicas)?;
        if !self
            .replication_regions
            .iter()
            .any(|r| r == &req.destination_region)
        {
            return Err(Error::unsupported_value(
                "destination_region",
                format!(
                    "cannot replicate to `{}` (allowed: {})",
                    req.destination_region,
                    join(self.replication_regions.iter().map(String::as_str))
                ),
            ));
        }
        if let Some(n) = &req.destination_name {
            self.name.check("destination_name", n)?;
        }
        Ok(())
    }

    /// The feature a group restore needs.
    pub fn validate_restore(&self, mode: crate::model::GroupRestoreMode) -> Result<()> {
        self.require(match mode {
            crate::model::GroupRestoreMode::InPlace => Feature::GroupRestoreInPlace,
            crate::model::GroupRestoreMode::NewGroup => Feature::GroupClone,
        })
    }
}
