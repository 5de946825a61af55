//! SCP Parallel File Storage (`parallel-filestorage`) mapped onto parallel file volumes.
//!
//! Capacity is whole TB (1–1000, grow only), so sizes are multiples of 1024 GiB; only GPU
//! nodes can be granted access and one bulk call carries every add and remove; snapshots are
//! server-named and can only be created, listed and deleted. Restores, schedules and
//! replicas are not offered: the trait defaults answer `unsupported_by_provider`, matching
//! the capability document.

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::{ReplicaOps, SnapshotOps, VolumeOps};

use crate::common::{
    refuse_description, refuse_initial_rules, vendor_fields, volume_status, Service,
};
use crate::wire::{self, decode, time};

const KIND: VolumeKind = VolumeKind::ParallelFile;
/// GiB per TB of `capacity_tb`.
pub(crate) const GIB_PER_TB: u64 = 1024;

pub(crate) struct ParallelFileStorage {
    pub svc: Service,
}

impl ParallelFileStorage {
    fn map_volume(&self, v: &wire::Volume, raw: &Value) -> Volume {
        let ids = &self.svc.ids;
        Volume {
            id: ids.volume(&v.id),
            provider: ids.provider.clone(),
            kind: KIND,
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

    pub(crate) async fn page(
        &self,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Volume>, u64)> {
        self.svc
            .page(name, offset, limit, |v, raw| self.map_volume(v, raw))
            .await
    }
}

/// Whole TB for a size the gateway already checked against the 1024 GiB step.
fn capacity_tb(size_gib: u64) -> u64 {
    size_gib.div_ceil(GIB_PER_TB)
}

#[async_trait]
impl VolumeOps for ParallelFileStorage {
    async fn get_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Volume> {
        self.svc
            .volume(&id.vendor_id, |v, raw| self.map_volume(v, raw))
            .await
    }

    async fn create_volume(&self, _ctx: &CallCtx, req: &CreateVolume) -> Result<Volume> {
        refuse_description(req.description.as_deref())?;
        refuse_initial_rules(&req.access_rules)?;
        let body = json!({"name": req.name, "capacity_tb": capacity_tb(req.size_gib)});
        let raw = self
            .svc
            .api
            .call(Method::POST, &["v1", "volumes"], &[], Some(&body))
            .await?;
        let mut v = self.map_volume(&decode(&raw)?, &raw);
        // The example answers `available`, but the file system is still being built.
        if v.status == VolumeStatus::Available {
            v.status = VolumeStatus::Creating;
        }
        Ok(v)
    }

    async fn update_volume(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateVolume,
    ) -> Result<Volume> {
        refuse_description(req.description.as_deref())?;
        let vid = &id.vendor_id;
        if let Some(size) = req.size_gib {
            let (v, _) = self.svc.show(vid).await?;
            let tb = capacity_tb(size);
            if Some(tb) != v.capacity_tb {
                self.svc
                    .api
                    .call(
                        Method::PUT,
                        &["v1", "volumes", vid, "capacity"],
                        &[],
                        Some(&json!({"capacity_tb": tb})),
                    )
                    .await
                    .map_err(Error::vendor_404_as(ResourceType::Volume, id.encode()))?;
            }
        }
        if let Some(rules) = &req.access_rules {
            self.set_access_rules(ctx, id, rules).await?;
        }
        self.get_volume(ctx, id).await
    }

    async fn delete_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.svc.delete_volume(id).await
    }

    async fn get_access_rules(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<AccessRule>> {
        self.svc.access_rules(&id.vendor_id).await
    }

    /// One bulk call with both deltas (each array always present, possibly empty).
    async fn set_access_rules(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        rules: &[AccessRule],
    ) -> Result<Vec<AccessRule>> {
        let vid = &id.vendor_id;
        let current: Vec<String> = self
            .svc
            .live_rules(vid)
            .await?
            .into_iter()
            .map(|r| r.object_id)
            .collect();
        let wanted: Vec<String> = rules.iter().map(|r| r.value.clone()).collect();
        let delta = |from: &[String], minus: &[String]| -> Vec<Value> {
            from.iter()
                .filter(|x| !minus.contains(x))
                .map(|x| json!({"object_id": x, "object_type": "GPU_NODE"}))
                .collect()
        };
        let (add, remove) = (delta(&wanted, &current), delta(&current, &wanted));
        if !add.is_empty() || !remove.is_empty() {
            self.svc
                .api
                .call(
                    Method::PUT,
                    &["v1", "access-rules"],
                    &[("volume_id", vid.to_string())],
                    Some(&json!({"add_access_rules": add, "remove_access_rules": remove})),
                )
                .await
                .map_err(Error::vendor_404_as(ResourceType::Volume, id.encode()))?;
        }
        Ok(rules.to_vec())
    }

    async fn list_mount_targets(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<MountTarget>> {
        let (v, _) = self.svc.show(&id.vendor_id).await?;
        Ok(vec![MountTarget {
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
        }])
    }
}

#[async_trait]
impl SnapshotOps for ParallelFileStorage {
    async fn list_snapshots(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        self.svc.list_snapshots(volume, page).await
    }

    async fn get_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Snapshot> {
        self.svc.get_snapshot(id).await
    }

    async fn create_snapshot(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        self.svc.create_snapshot(volume, req).await
    }

    async fn delete_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.svc.delete_snapshot(id).await
    }
}

impl ReplicaOps for ParallelFileStorage {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_whole_terabytes() {
        assert_eq!(capacity_tb(1024), 1);
        assert_eq!(capacity_tb(2048), 2);
        assert_eq!(capacity_tb(1025), 2);
    }
}
