//! SCP Parallel File Storage (`parallel-filestorage`) mapped onto parallel file volumes.
//!
//! Capacity is whole TB (1–1000, grow only), so sizes are multiples of 1024 GiB; only GPU
//! nodes can be granted access and one bulk call carries every add and remove; snapshots are
//! server-named and can only be created, listed and deleted. Restores, schedules and
//! replicas are not offered: the trait defaults answer `unsupported_by_provider`, matching
//! the capability document.
//!
//! This module holds the thin trait impls; [`api`] the vendor calls, [`wire`] the shapes,
//! [`map`] the pure mapping and [`caps`] the capability document.

pub(crate) mod api;
pub(crate) mod caps;
pub(crate) mod map;
pub(crate) mod wire;

use async_trait::async_trait;
use serde_json::{json, Value};
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::{ReplicaOps, SnapshotOps, VolumeOps};

use crate::shared::wire::decode;
use crate::shared::{api as shared_api, refuse_initial_rules, VolumeService};
use map::{capacity_tb, rule_delta};

/// Parallel File Storage in one region.
pub(crate) struct ParallelFileStorage {
    pub svc: VolumeService,
}

impl ParallelFileStorage {
    fn map_volume(&self, v: &crate::shared::wire::Volume, raw: &Value) -> Volume {
        map::volume(&self.svc.ids, v, raw)
    }

    /// One page of the vendor's list (name-sorted), and the vendor's total.
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

#[async_trait]
impl VolumeOps for ParallelFileStorage {
    async fn get_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Volume> {
        self.svc
            .volume(&id.vendor_id, |v, raw| self.map_volume(v, raw))
            .await
    }

    async fn create_volume(&self, _ctx: &CallCtx, req: &CreateVolume) -> Result<Volume> {
        refuse_initial_rules(&req.access_rules)?;
        let body = json!({"name": req.name, "capacity_tb": capacity_tb(req.size_gib)});
        let raw = shared_api::create_volume(&self.svc.api, &body).await?;
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
        // A description is refused by the capability document (`descriptions: false`).
        let vid = &id.vendor_id;
        if let Some(size) = req.size_gib {
            let (v, _) = self.svc.show(vid).await?;
            let tb = capacity_tb(size);
            if Some(tb) != v.capacity_tb {
                api::set_capacity(&self.svc.api, vid, tb)
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
        let (add, remove) = (rule_delta(&wanted, &current), rule_delta(&current, &wanted));
        if !add.is_empty() || !remove.is_empty() {
            api::update_access_rules(&self.svc.api, vid, add, remove)
                .await
                .map_err(Error::vendor_404_as(ResourceType::Volume, id.encode()))?;
        }
        Ok(rules.to_vec())
    }

    async fn list_mount_targets(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<MountTarget>> {
        let (v, _) = self.svc.show(&id.vendor_id).await?;
        Ok(vec![map::mount_target(&v)])
    }
}

crate::shared::snapshot_ops!(ParallelFileStorage {});

impl ReplicaOps for ParallelFileStorage {}
