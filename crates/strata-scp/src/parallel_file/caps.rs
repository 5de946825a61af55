//! Parallel File Storage's capability document: whole-TB volumes that only grow, GPU-node
//! access rules, and snapshots that can only be created, listed and deleted.

use std::collections::{BTreeMap, BTreeSet};

use strata_core::capability::*;
use strata_core::model::*;

use super::map::GIB_PER_TB;
use crate::shared::name_rules;

/// Parallel file volumes' capabilities.
pub(crate) fn capabilities() -> KindCapabilities {
    use Feature::*;
    KindCapabilities {
        features: BTreeSet::from([
            VolumeCreate,
            VolumeDelete,
            VolumeResize,
            AccessRules,
            MountTargets,
            SnapshotCreate,
            SnapshotDelete,
        ]),
        size: SizeLimits {
            min_gib: GIB_PER_TB,
            max_gib: 1000 * GIB_PER_TB,
            step_gib: GIB_PER_TB,
            elastic: false,
        },
        protocols: vec![Protocol::ParallelFs],
        tiers: vec![],
        name: name_rules(),
        access_rule_kinds: vec![AccessRuleKind::Server],
        max_access_rules: None,
        access_levels: vec![AccessLevel::ReadWrite],
        server_types: vec!["gpu_node".into()],
        snapshot_names: false,
        labels: false,
        descriptions: false,
        schedule: None,
        replication_regions: vec![],
        encryption: false,
        attachments: None,
        qos: None,
        snapshot_reserve: None,
        options: BTreeMap::new(),
        update_options: BTreeMap::new(),
    }
}
