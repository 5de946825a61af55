//! The NHN NAS capability document: NFS/CIFS file volumes of 300–10,000 GB in 100 GB steps,
//! IP/CIDR access rules, mount targets per subnet, named snapshots with in-place restore,
//! schedules and replicas (volume mirrors).

use std::collections::{BTreeMap, BTreeSet};

use strata_core::capability::*;
use strata_core::model::*;

/// Options accepted in `CreateVolume.options`.
pub(crate) const OPT_SUBNETS: &str = "subnet_ids";
pub(crate) const OPT_CIFS: &str = "cifs_auth_ids";
pub(crate) const OPT_RESERVE: &str = "snapshot_reserve_percent";

/// NHN's documented limits as a capability document.
pub fn capabilities(replication_regions: Vec<String>) -> Capabilities {
    use Feature::*;
    let file = KindCapabilities {
        features: BTreeSet::from([
            VolumeCreate,
            VolumeDelete,
            VolumeResize,
            VolumeShrink,
            AccessRules,
            MountTargets,
            MountTargetManage,
            Usage,
            SnapshotCreate,
            SnapshotDelete,
            SnapshotRestoreInPlace,
            RestoreHistory,
            SnapshotSchedule,
            ReplicaCreate,
            ReplicaDelete,
            ReplicaStartStop,
            ReplicaReverse,
        ]),
        size: SizeLimits {
            min_gib: 300,
            max_gib: 10_000,
            step_gib: 100,
            elastic: false,
        },
        protocols: vec![Protocol::Nfs, Protocol::Cifs],
        tiers: vec![],
        name: NameRules::word(1, 100),
        access_rule_kinds: vec![AccessRuleKind::Ip, AccessRuleKind::Cidr],
        max_access_rules: None,
        access_levels: vec![AccessLevel::ReadWrite],
        server_types: vec![],
        snapshot_names: true,
        labels: false,
        descriptions: true,
        schedule: Some(ScheduleLimits {
            frequencies: vec![ScheduleFrequency::Daily, ScheduleFrequency::Weekly],
            minutes: true,
            max_retention_count: Some(30),
            timezones: vec!["Asia/Seoul".into(), "UTC".into()],
            max_days: None,
            retention: true,
        }),
        replication_regions,
        encryption: true,
        attachments: None,
        qos: None,
        snapshot_reserve: None,
        options: BTreeMap::from([
            (
                OPT_SUBNETS.into(),
                "subnet ids to create mount targets in (array, at most 3)".into(),
            ),
            (
                OPT_CIFS.into(),
                "CIFS credential ids allowed to mount (array; cifs volumes only)".into(),
            ),
            (
                OPT_RESERVE.into(),
                "percent of the size reserved for snapshots, 0–100 (default 5)".into(),
            ),
        ]),
        update_options: BTreeMap::new(),
    };
    Capabilities {
        volumes: BTreeMap::from([(VolumeKind::File, file)]),
        max_page_size: 100,
        ..Default::default()
    }
}
