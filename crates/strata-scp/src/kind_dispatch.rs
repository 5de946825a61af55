//! `SnapshotOps` and `ReplicaOps` of [`ScpProvider`]: snapshots, schedules, restores and
//! replicas belong to a volume kind's service, so every method goes to the service of the
//! kind its id names (the volume's, or the snapshot's or replica's own).

use async_trait::async_trait;
use strata_core::context::CallCtx;
use strata_core::error::Result;
use strata_core::ids::GlobalId;
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::{ReplicaOps, SnapshotOps};

use crate::ScpProvider;

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl SnapshotOps for ScpProvider {
    async fn list_snapshots(
        &self,
        ctx: &CallCtx,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        self.of(volume)?.list_snapshots(ctx, volume, page).await
    }
    async fn get_snapshot(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Snapshot> {
        self.of(id)?.get_snapshot(ctx, id).await
    }
    async fn create_snapshot(
        &self,
        ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        self.of(volume)?.create_snapshot(ctx, volume, req).await
    }
    async fn delete_snapshot(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.of(id)?.delete_snapshot(ctx, id).await
    }
    async fn restore_snapshot(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreSnapshot,
    ) -> Result<Volume> {
        self.of(id)?.restore_snapshot(ctx, id, req).await
    }
    async fn get_snapshot_schedule(
        &self,
        ctx: &CallCtx,
        volume: &GlobalId,
    ) -> Result<Option<SnapshotSchedule>> {
        self.of(volume)?.get_snapshot_schedule(ctx, volume).await
    }
    async fn put_snapshot_schedule(
        &self,
        ctx: &CallCtx,
        volume: &GlobalId,
        s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        self.of(volume)?.put_snapshot_schedule(ctx, volume, s).await
    }
    async fn delete_snapshot_schedule(&self, ctx: &CallCtx, volume: &GlobalId) -> Result<()> {
        self.of(volume)?.delete_snapshot_schedule(ctx, volume).await
    }
    async fn list_restores(&self, ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<RestoreRecord>> {
        self.of(volume)?.list_restores(ctx, volume).await
    }
}

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl ReplicaOps for ScpProvider {
    async fn list_replicas(&self, ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<Replica>> {
        self.of(volume)?.list_replicas(ctx, volume).await
    }
    async fn get_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.of(id)?.get_replica(ctx, id).await
    }
    async fn create_replica(
        &self,
        ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateReplica,
    ) -> Result<Replica> {
        self.of(volume)?.create_replica(ctx, volume, req).await
    }
    async fn update_replica(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateReplica,
    ) -> Result<Replica> {
        self.of(id)?.update_replica(ctx, id, req).await
    }
    async fn delete_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.of(id)?.delete_replica(ctx, id).await
    }
    async fn start_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.of(id)?.start_replica(ctx, id).await
    }
    async fn stop_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.of(id)?.stop_replica(ctx, id).await
    }
    async fn reverse_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.of(id)?.reverse_replica(ctx, id).await
    }
}
