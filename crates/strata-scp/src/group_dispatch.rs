//! `VolumeGroupOps` of [`ScpProvider`]: volume groups and group snapshots are Block
//! Storage's, so every method goes to it (`unsupported_by_provider` when the provider does
//! not offer Block Storage).

use async_trait::async_trait;
use strata_core::context::CallCtx;
use strata_core::error::Result;
use strata_core::ids::GlobalId;
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::VolumeGroupOps;

use crate::ScpProvider;

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl VolumeGroupOps for ScpProvider {
    async fn list_volume_groups(
        &self,
        ctx: &CallCtx,
        name: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<VolumeGroup>> {
        self.groups()?.list_volume_groups(ctx, name, page).await
    }
    async fn get_volume_group(&self, ctx: &CallCtx, id: &GlobalId) -> Result<VolumeGroup> {
        self.group_of(id)?.get_volume_group(ctx, id).await
    }
    async fn create_volume_group(
        &self,
        ctx: &CallCtx,
        req: &CreateVolumeGroup,
        volumes: &[GlobalId],
    ) -> Result<VolumeGroup> {
        for v in volumes {
            self.own(v)?;
        }
        self.groups()?.create_volume_group(ctx, req, volumes).await
    }
    async fn delete_volume_group(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.group_of(id)?.delete_volume_group(ctx, id).await
    }
    async fn add_group_members(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        volumes: &[GlobalId],
    ) -> Result<VolumeGroup> {
        self.group_of(id)?.add_group_members(ctx, id, volumes).await
    }
    async fn remove_group_members(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        volumes: &[GlobalId],
    ) -> Result<VolumeGroup> {
        self.group_of(id)?
            .remove_group_members(ctx, id, volumes)
            .await
    }
    async fn list_group_snapshots(
        &self,
        ctx: &CallCtx,
        group: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<GroupSnapshot>> {
        self.group_of(group)?
            .list_group_snapshots(ctx, group, page)
            .await
    }
    async fn get_group_snapshot(&self, ctx: &CallCtx, id: &GlobalId) -> Result<GroupSnapshot> {
        self.group_of(id)?.get_group_snapshot(ctx, id).await
    }
    async fn create_group_snapshot(
        &self,
        ctx: &CallCtx,
        group: &GlobalId,
    ) -> Result<GroupSnapshot> {
        self.group_of(group)?
            .create_group_snapshot(ctx, group)
            .await
    }
    async fn delete_group_snapshot(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.group_of(id)?.delete_group_snapshot(ctx, id).await
    }
    async fn restore_group_snapshot(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreGroupSnapshot,
    ) -> Result<VolumeGroup> {
        self.group_of(id)?
            .restore_group_snapshot(ctx, id, req)
            .await
    }
    async fn get_group_snapshot_schedule(
        &self,
        ctx: &CallCtx,
        group: &GlobalId,
    ) -> Result<Option<SnapshotSchedule>> {
        self.group_of(group)?
            .get_group_snapshot_schedule(ctx, group)
            .await
    }
    async fn put_group_snapshot_schedule(
        &self,
        ctx: &CallCtx,
        group: &GlobalId,
        s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        self.group_of(group)?
            .put_group_snapshot_schedule(ctx, group, s)
            .await
    }
    async fn delete_group_snapshot_schedule(&self, ctx: &CallCtx, group: &GlobalId) -> Result<()> {
        self.group_of(group)?
            .delete_group_snapshot_schedule(ctx, group)
            .await
    }
    async fn get_group_replica(&self, ctx: &CallCtx, group: &GlobalId) -> Result<GroupReplica> {
        self.group_of(group)?.get_group_replica(ctx, group).await
    }
    async fn create_group_replica(
        &self,
        ctx: &CallCtx,
        group: &GlobalId,
        req: &CreateGroupReplica,
    ) -> Result<GroupReplica> {
        self.group_of(group)?
            .create_group_replica(ctx, group, req)
            .await
    }
    async fn update_group_replica(
        &self,
        ctx: &CallCtx,
        group: &GlobalId,
        req: &UpdateReplica,
    ) -> Result<GroupReplica> {
        self.group_of(group)?
            .update_group_replica(ctx, group, req)
            .await
    }
    async fn delete_group_replica(&self, ctx: &CallCtx, group: &GlobalId) -> Result<()> {
        self.group_of(group)?.delete_group_replica(ctx, group).await
    }
    async fn start_group_replica(&self, ctx: &CallCtx, group: &GlobalId) -> Result<GroupReplica> {
        self.group_of(group)?.start_group_replica(ctx, group).await
    }
    async fn stop_group_replica(&self, ctx: &CallCtx, group: &GlobalId) -> Result<GroupReplica> {
        self.group_of(group)?.stop_group_replica(ctx, group).await
    }
}
