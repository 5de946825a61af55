//! Global ids of one SCP provider, and of its volumes' replicas in other regions.

use std::collections::BTreeMap;

use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;

/// Mints global ids for one provider; ids of volumes in other regions route to the provider
/// configured there for the same account (`peers`).
#[derive(Debug, Clone)]
pub struct Ids {
    pub provider: String,
    pub region: String,
    /// region → provider id of the same SCP account there.
    pub peers: BTreeMap<String, String>,
}

impl Ids {
    pub fn gid(&self, rtype: ResourceType, kind: VolumeKind, vendor_id: &str) -> GlobalId {
        GlobalId::new(rtype, self.provider.clone(), Some(kind), vendor_id)
    }

    /// A child (snapshot, replica) addressed under its volume, as SCP requires `volume_id`.
    pub fn child(
        &self,
        rtype: ResourceType,
        kind: VolumeKind,
        volume: &str,
        vendor_id: &str,
    ) -> String {
        self.gid(rtype, kind, vendor_id)
            .with_parent(volume)
            .encode()
    }

    pub fn volume(&self, kind: VolumeKind, vendor_id: &str) -> String {
        self.gid(ResourceType::Volume, kind, vendor_id).encode()
    }

    /// A volume id in `region`: routable when a provider is configured there, else the raw
    /// vendor id (the replica's `vendor` object says which region it lives in).
    pub fn volume_in(&self, region: &str, kind: VolumeKind, vendor_id: &str) -> String {
        if region == self.region {
            return self.volume(kind, vendor_id);
        }
        match self.peers.get(region) {
            Some(p) => {
                GlobalId::new(ResourceType::Volume, p.clone(), Some(kind), vendor_id).encode()
            }
            None => vendor_id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_volumes_route_to_peers() {
        let ids = Ids {
            provider: "scp-w".into(),
            region: "kr-west1".into(),
            peers: [("kr-east1".to_string(), "scp-e".to_string())].into(),
        };
        let east: GlobalId = ids
            .volume_in("kr-east1", VolumeKind::File, "v1")
            .parse()
            .unwrap();
        assert_eq!(
            (east.provider.as_str(), east.vendor_id.as_str()),
            ("scp-e", "v1")
        );
        assert_eq!(ids.volume_in("kr-south1", VolumeKind::File, "v2"), "v2");
        let snap: GlobalId = ids
            .child(ResourceType::Snapshot, VolumeKind::File, "v1", "s1")
            .parse()
            .unwrap();
        assert_eq!(snap.parent.as_deref(), Some("v1"));
    }
}
