//! Block volume replication: at most one relation per volume, so a replica's global id is
//! derived from its volume (rtype `Replica`, vendor id = the source volume's vendor id, no
//! parent). Cycle ↔ frequency, `BREAK` ↔ stop, `RESYNC` ↔ start.

use async_trait::async_trait;
use serde_json::json;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::provider::ReplicaOps;

use super::{api, map, wire, BlockStorage};
use crate::shared::wire::decode;

/// Replication frequency used when the caller does not choose one.
pub(crate) const DEFAULT_FREQUENCY: ReplicaFrequency = ReplicaFrequency::Hourly;

impl BlockStorage {
    /// Show Volume Replication of `vid`; a 404 (no relation, or no volume) is `err`.
    async fn replication(&self, vid: &str, err: Error) -> Result<Replica> {
        let raw = match api::show_replication(&self.api, vid).await {
            Err(Error::VendorRejected {
                vendor_status: 404, ..
            }) => return Err(err),
            other => other?,
        };
        let r: wire::Replication = decode(wire::result(&raw))?;
        Ok(map::replica(&self.ids, vid, &r, &raw))
    }

    fn replica_gone(&self, vid: &str) -> Error {
        Error::not_found(
            ResourceType::Replica,
            self.ids.gid(ResourceType::Replica, vid).encode(),
        )
    }

    async fn policy(&self, id: &GlobalId, policy: &str) -> Result<Replica> {
        let vid = &id.vendor_id;
        api::set_policy(&self.api, vid, policy)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Replica, id.encode()))?;
        self.replication(vid, self.replica_gone(vid)).await
    }
}

#[async_trait]
impl ReplicaOps for BlockStorage {
    /// The volume's one replica, or none (the vendor answers 404 when there is none).
    async fn list_replicas(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<Replica>> {
        let vid = &volume.vendor_id;
        match self.replication(vid, self.replica_gone(vid)).await {
            Ok(r) => Ok(vec![r]),
            Err(Error::NotFound { .. }) => Ok(vec![]),
            Err(e) => Err(e),
        }
    }

    async fn get_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        let vid = &id.vendor_id;
        self.replication(vid, self.replica_gone(vid)).await
    }

    /// `{cycle, name, region}`: the destination named `<name>-replica` unless given.
    async fn create_replica(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateReplica,
    ) -> Result<Replica> {
        let vid = &volume.vendor_id;
        let (src, _) = self.show(vid).await?;
        let name = match &req.destination_name {
            Some(n) => n.clone(),
            None => map::derived_name("", src.name.as_deref().unwrap_or("volume"), "-replica"),
        };
        self.check_name("destination_name", &name)?;
        let frequency = req.frequency.unwrap_or(DEFAULT_FREQUENCY);
        let body = json!({
            "cycle": map::cycle_wire(frequency),
            "name": name,
            "region": req.destination_region,
        });
        api::create_replication(&self.api, vid, &body)
            .await
            .map_err(self.volume_gone(vid))?;
        match self.replication(vid, self.replica_gone(vid)).await {
            Err(Error::NotFound { .. }) => Ok(Replica {
                id: self.ids.gid(ResourceType::Replica, vid).encode(),
                provider: self.ids.provider.clone(),
                source_volume_id: volume.encode(),
                destination_volume_id: None,
                destination_region: req.destination_region.clone(),
                status: ReplicaStatus::Creating,
                direction: ReplicaDirection::Forward,
                frequency: Some(frequency),
                last_transfer: None,
                created_at: None,
                vendor: Default::default(),
            }),
            other => other,
        }
    }

    /// Set Volume Replication Cycle.
    async fn update_replica(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateReplica,
    ) -> Result<Replica> {
        let vid = &id.vendor_id;
        if let Some(f) = req.frequency {
            api::set_cycle(&self.api, vid, map::cycle_wire(f))
                .await
                .map_err(Error::vendor_404_as(ResourceType::Replica, id.encode()))?;
        }
        self.replication(vid, self.replica_gone(vid)).await
    }

    /// Delete Volume Replication (202); the replica volume stays, as an ordinary volume.
    async fn delete_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        api::delete_replication(&self.api, &id.vendor_id)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Replica, id.encode()))?;
        Ok(())
    }

    /// Policy `RESYNC`: mirror again.
    async fn start_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.policy(id, "RESYNC").await
    }

    /// Policy `BREAK`: stop mirroring; the destination becomes writable.
    async fn stop_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.policy(id, "BREAK").await
    }
}
