//! Pure Parallel File Storage wire ↔ model mapping: whole-TB capacity, the mount path and
//! GPU-node rule deltas. No I/O, so every rule is unit-tested here.

use serde_json::Value;
use strata_core::ids::ProviderIds;
use strata_core::model::*;

use super::wire::RuleObject;
use crate::shared::map::{vendor_fields, volume_status};
use crate::shared::wire::{self, time};

/// GiB per TB of `capacity_tb`.
pub(crate) const GIB_PER_TB: u64 = 1024;

/// Whole TB for a size the gateway already checked against the 1024 GiB step.
pub(crate) fn capacity_tb(size_gib: u64) -> u64 {
    size_gib.div_ceil(GIB_PER_TB)
}

/// A parallel file volume (sized in whole TB, always the parallel protocol).
pub(crate) fn volume(ids: &ProviderIds, v: &wire::Volume, raw: &Value) -> Volume {
    Volume {
        block: None,
        id: ids.volume(&v.id),
        provider: ids.provider.clone(),
        kind: VolumeKind::ParallelFile,
        name: v.name.clone(),
        description: None,
        status: volume_status(v.state.as_deref()),
        size_gib: v.capacity_tb.unwrap_or(0) * GIB_PER_TB,
        protocol: Some(Protocol::ParallelFs),
        tier: None,
        encrypted: false,
        region: ids.region.clone(),
        zone: None,
        labels: Default::default(),
        created_at: time(&v.created_at),
        updated_at: None,
        vendor: vendor_fields(raw, &["id", "name", "created_at"]),
    }
}

/// The volume's one mount target: its mount path, the address being the part before `:`
/// or `@`.
pub(crate) fn mount_target(v: &wire::Volume) -> MountTarget {
    MountTarget {
        id: None,
        path: v.mount_path.clone(),
        protocol: Some(Protocol::ParallelFs),
        network: None,
        address: v
            .mount_path
            .as_deref()
            .and_then(|p| p.split([':', '@']).next())
            .map(str::to_string),
        status: volume_status(v.state.as_deref()),
    }
}

/// The GPU nodes in `from` but not in `minus`, as vendor rule objects.
pub(crate) fn rule_delta(from: &[String], minus: &[String]) -> Vec<RuleObject> {
    from.iter()
        .filter(|x| !minus.contains(x))
        .map(|x| RuleObject {
            object_id: x.clone(),
            object_type: "GPU_NODE",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::wire::decode;
    use serde_json::json;

    #[test]
    fn sizes_are_whole_terabytes() {
        assert_eq!(capacity_tb(1024), 1);
        assert_eq!(capacity_tb(2048), 2);
        assert_eq!(capacity_tb(1025), 2);
    }

    #[test]
    fn a_wire_volume_becomes_a_parallel_file_volume() {
        let ids = ProviderIds {
            provider: "scp-w".into(),
            region: "kr-west1".into(),
            kind: VolumeKind::ParallelFile,
            peers: Default::default(),
        };
        let raw = json!({"id": "p1", "name": "train", "state": "creating", "capacity_tb": "2",
                         "mount_path": "10.0.0.5@tcp:/lustre"});
        let w: wire::Volume = decode(&raw).unwrap();
        let v = volume(&ids, &w, &raw);
        assert_eq!((v.size_gib, v.status), (2048, VolumeStatus::Creating));
        assert_eq!(v.vendor["capacity_tb"], "2");
        let mt = mount_target(&w);
        assert_eq!(mt.address.as_deref(), Some("10.0.0.5"));
        let (a, b) = (["x".to_string(), "y".into()], ["y".to_string()]);
        assert_eq!(rule_delta(&a, &b)[0].object_id, "x");
        assert!(rule_delta(&b, &a).is_empty());
    }
}
