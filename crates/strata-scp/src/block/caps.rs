//! Block Storage's capability documents, by the API version the adapter is pinned to: block
//! volumes (iSCSI, SSD/HDD, attachments, snapshot reserve, schedules, replicas; QoS in 1.2,
//! recovery into a new volume in 1.1+) and volume groups (no delete, rename or update;
//! recovery into a new group in 1.1+).

use std::collections::{BTreeMap, BTreeSet};

use strata_core::capability::*;
use strata_core::model::*;

/// The time zone of schedule hours (SCP documents none; the platform runs on Korean time).
pub(crate) const SCHEDULE_TIMEZONE: &str = "Asia/Seoul";
/// QoS limits of API 1.2 (`QoSModel`).
pub(crate) const QOS_IOPS: (u32, u32) = (3000, 16000);
/// Throughput limits of API 1.2, in MB/s.
pub(crate) const QOS_MBPS: (u32, u32) = (125, 1000);
/// Tiers that take QoS.
pub(crate) const QOS_TIERS: [&str; 1] = ["SSD"];

/// An API version as `(major, minor)`; an unreadable one is taken as the newest known (1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ApiVersion(pub u8, pub u8);

impl ApiVersion {
    /// `1.1` and later: recoveries into a new volume or group.
    pub const RECOVERY: ApiVersion = ApiVersion(1, 1);
    /// `1.2` and later: QoS.
    pub const QOS: ApiVersion = ApiVersion(1, 2);

    /// Parses `major.minor`.
    pub fn parse(s: &str) -> Self {
        let mut it = s.trim().splitn(2, '.').map(|p| p.parse::<u8>().ok());
        match (it.next().flatten(), it.next().flatten()) {
            (Some(a), Some(b)) => ApiVersion(a, b),
            _ => ApiVersion::QOS,
        }
    }

    /// Whether recoveries exist (1.1+).
    pub fn has_recovery(self) -> bool {
        self >= Self::RECOVERY
    }

    /// Whether QoS exists (1.2+).
    pub fn has_qos(self) -> bool {
        self >= Self::QOS
    }
}

/// Block volume names (the official Terraform provider's rule).
pub(crate) fn name_rules() -> NameRules {
    NameRules {
        min_len: 3,
        max_len: 28,
        pattern: "[a-zA-Z][a-zA-Z0-9-]*".into(),
        description: "3–28 characters: a letter, then letters, digits and `-`".into(),
    }
}

fn schedule() -> ScheduleLimits {
    ScheduleLimits {
        frequencies: vec![ScheduleFrequency::Daily, ScheduleFrequency::Weekly],
        minutes: false,
        max_retention_count: None,
        timezones: vec![SCHEDULE_TIMEZONE.into()],
        max_days: Some(1),
        retention: false,
    }
}

/// Block volumes' capabilities at API `v`, replicating to `replication_regions`.
pub(crate) fn capabilities(v: ApiVersion, replication_regions: Vec<String>) -> KindCapabilities {
    use Feature::*;
    let mut features = BTreeSet::from([
        VolumeCreate,
        VolumeDelete,
        MountTargets,
        Attachments,
        SnapshotCreate,
        SnapshotDelete,
        SnapshotRestoreInPlace,
        SnapshotSchedule,
        SnapshotReserve,
        ReplicaCreate,
        ReplicaDelete,
        ReplicaStartStop,
        ReplicaUpdate,
        VolumeGroups,
    ]);
    if v.has_recovery() {
        features.insert(SnapshotClone);
    }
    if v.has_qos() {
        features.insert(Qos);
    }
    KindCapabilities {
        features,
        size: SizeLimits {
            min_gib: 1,
            max_gib: 16384,
            step_gib: 1,
            elastic: false,
        },
        protocols: vec![Protocol::Iscsi],
        tiers: vec!["SSD".into(), "HDD".into()],
        name: name_rules(),
        access_rule_kinds: vec![],
        max_access_rules: None,
        access_levels: vec![],
        server_types: vec![],
        snapshot_names: false,
        labels: false,
        descriptions: false,
        schedule: Some(schedule()),
        replication_regions,
        encryption: false,
        options: BTreeMap::new(),
        update_options: BTreeMap::new(),
        attachments: Some(AttachmentLimits {
            max_per_volume: 8,
            server_types: vec!["bm".into(), "mngc".into()],
            required_on_create: false,
        }),
        qos: v.has_qos().then(|| QosLimits {
            min_iops: QOS_IOPS.0,
            max_iops: QOS_IOPS.1,
            min_throughput_mbps: QOS_MBPS.0,
            max_throughput_mbps: QOS_MBPS.1,
            tiers: QOS_TIERS.map(String::from).to_vec(),
        }),
        snapshot_reserve: Some(ReserveLimits {
            min_percent: 1,
            max_percent: 100,
            required: true,
        }),
    }
}

/// Volume groups' capabilities at API `v`.
pub(crate) fn groups(v: ApiVersion, replication_regions: Vec<String>) -> VolumeGroupCapabilities {
    use Feature::*;
    let mut features = BTreeSet::from([
        VolumeGroups,
        GroupMembers,
        GroupSnapshots,
        GroupRestoreInPlace,
        GroupSnapshotSchedule,
        GroupReplicas,
    ]);
    if v.has_recovery() {
        features.insert(GroupClone);
    }
    VolumeGroupCapabilities {
        features,
        name: name_rules(),
        max_members: None,
        update: false,
        labels: false,
        schedule: Some(schedule()),
        replication_regions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_follow_the_pinned_version() {
        let regions = vec!["kr-east1".to_string()];
        let v12 = capabilities(ApiVersion::parse("1.2"), regions.clone());
        assert!(v12.features.contains(&Feature::Qos) && v12.qos.is_some());
        assert!(v12.features.contains(&Feature::SnapshotClone));
        let v11 = capabilities(ApiVersion::parse("1.1"), regions.clone());
        assert!(!v11.features.contains(&Feature::Qos) && v11.qos.is_none());
        assert!(v11.features.contains(&Feature::SnapshotClone));
        let v10 = capabilities(ApiVersion::parse("1.0"), regions.clone());
        assert!(!v10.features.contains(&Feature::SnapshotClone));
        assert!(!groups(ApiVersion::parse("1.0"), vec![])
            .features
            .contains(&Feature::GroupClone));
        let g = groups(ApiVersion::parse("1.1"), regions);
        assert!(g.features.contains(&Feature::GroupClone));
        assert!(!g.features.contains(&Feature::VolumeGroupDelete));
        assert_eq!(ApiVersion::parse("garbage"), ApiVersion::QOS);
        assert!(ApiVersion::parse("1.10") > ApiVersion::parse("1.2"));
    }

    #[test]
    fn names_follow_the_vendor_rule() {
        let n = name_rules();
        assert!(n.check("name", "bs-01").is_ok());
        for bad in ["b", "1bs", "bs_01", "abcdefghijklmnopqrstuvwxyz123"] {
            assert!(n.check("name", bad).is_err(), "{bad}");
        }
    }
}
