//! File Storage's capability document: elastic NFS/CIFS volumes, object-named access
//! rules, server-named snapshots with in-place restore and clone, DAILY/WEEKLY schedules
//! and replicas.

use std::collections::{BTreeMap, BTreeSet};

use strata_core::capability::*;
use strata_core::model::*;

use crate::shared::name_rules;

/// Option of `CreateVolume.options` for CIFS file volumes.
pub(crate) const OPT_CIFS_PASSWORD: &str = "cifs_password";
/// Option of `UpdateVolume.options`: file-unit recovery on or off (the vendor's SetVolume).
pub(crate) const OPT_FILE_UNIT_RECOVERY: &str = "file_unit_recovery";
/// SCP documents no time zone for schedule hours; the platform runs on Korean time.
pub(crate) const SCHEDULE_TIMEZONE: &str = "Asia/Seoul";

/// File volumes' capabilities, replicating to `replication_regions`.
pub(crate) fn capabilities(replication_regions: Vec<String>) -> KindCapabilities {
    use Feature::*;
    KindCapabilities {
        features: BTreeSet::from([
            VolumeCreate,
            VolumeDelete,
            AccessRules,
            MountTargets,
            Usage,
            SnapshotCreate,
            SnapshotDelete,
            SnapshotRestoreInPlace,
            SnapshotClone,
            SnapshotSchedule,
            ReplicaCreate,
            ReplicaDelete,
            ReplicaStartStop,
            ReplicaUpdate,
        ]),
        size: SizeLimits {
            min_gib: 0,
            max_gib: 0,
            step_gib: 0,
            elastic: true,
        },
        protocols: vec![Protocol::Nfs, Protocol::Cifs],
        tiers: vec!["HDD".into(), "SSD".into(), "HighPerformanceSSD".into()],
        name: name_rules(),
        access_rule_kinds: vec![AccessRuleKind::Server],
        max_access_rules: None,
        access_levels: vec![AccessLevel::ReadWrite],
        server_types: ["vm", "bm", "gpu", "gpu_node", "endpoint"].map(String::from).to_vec(),
        snapshot_names: false,
        labels: false,
        descriptions: false,
        schedule: Some(ScheduleLimits {
            frequencies: vec![ScheduleFrequency::Daily, ScheduleFrequency::Weekly],
            minutes: false,
            max_retention_count: Some(128),
            timezones: vec![SCHEDULE_TIMEZONE.into()],
            max_days: None,
            retention: true,
        }),
        replication_regions,
        encryption: false,
        attachments: None,
        qos: None,
        snapshot_reserve: None,
        options: BTreeMap::from([(
            OPT_CIFS_PASSWORD.into(),
            "password of the CIFS user (cifs volumes): 6–20 characters with a letter, a digit and a special character".into(),
        )]),
        update_options: BTreeMap::from([(
            OPT_FILE_UNIT_RECOVERY.into(),
            "`true` or `false`: file-unit recovery (restoring single files and folders from a snapshot) on or off; off on new volumes".into(),
        )]),
    }
}
