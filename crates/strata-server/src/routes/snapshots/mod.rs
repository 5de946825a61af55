//! Snapshots, restores and snapshot schedules.

mod schedule;

use std::sync::Arc;

use serde::Serialize;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{probe_deleted, Operation};
use strata_core::paging::{effective_page_size, PageRequest};
use strata_core::provider::Provider;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use schedule::*;

use super::*;
use crate::state::AppState;

/// The snapshot, restore and schedule routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_snapshots, create_snapshot))
        .routes(routes!(get_snapshot, delete_snapshot))
        .routes(routes!(restore_snapshot))
        .routes(routes!(list_restores))
        .routes(routes!(get_schedule, put_schedule, delete_schedule))
}

/// A page of a volume's snapshots.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotList {
    /// The snapshots of this page.
    pub snapshots: Vec<Snapshot>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Restores made on a volume.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestoreList {
    /// The restores, oldest first.
    pub restores: Vec<RestoreRecord>,
}

/// A probe that settles once the snapshot is gone.
pub(crate) fn snapshot_gone_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        probe_deleted(p.get_snapshot(&ctx, &id).await)
    })
}

pub(crate) fn snapshot_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_snapshot(ctx, id))
}

/// Lists a volume's snapshots.
#[utoipa::path(get, path = "/v1/volumes/{id}/snapshots", tag = "snapshots", params(("id" = String, Path, description = "Volume id"), PageParams), responses((status = 200, body = SnapshotList)))]
pub async fn list_snapshots(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    let req = PageRequest {
        page_size: effective_page_size(q.page_size).min(t.p.capabilities().max_page_size.max(1)),
        page_token: q.page_token,
    };
    let page = t.call(t.p.list_snapshots(&r.ctx, &t.id, &req)).await?;
    Ok(ok(&SnapshotList {
        snapshots: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// Takes a snapshot of a volume.
///
/// A point-in-time copy kept by the provider; the operation settles with the snapshot once
/// it is `available`. Names are optional where the vendor names snapshots itself.
#[utoipa::path(post, path = "/v1/volumes/{id}/snapshots", tag = "snapshots", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = CreateSnapshot,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn create_snapshot(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CreateSnapshot>,
) -> ApiResult {
    let vol = m.target(&id, ResourceType::Volume)?;
    vol.require(Feature::SnapshotCreate)?;
    if let Some(name) = &req.name {
        vol.check(|k| k.validate_snapshot_name(name))?;
    }
    let snap = vol
        .call(vol.p.create_snapshot(&m.ctx, &vol.id, &req))
        .await?;
    let t = Target::returned(&vol.p, &snap.id, ResourceType::Snapshot)?;
    m.track(Op::SnapshotCreate, t).await
}

/// One snapshot.
#[utoipa::path(get, path = "/v1/snapshots/{id}", tag = "snapshots", params(("id" = String, Path, description = "Snapshot id")), responses((status = 200, body = Snapshot)))]
pub async fn get_snapshot(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Snapshot)?;
    t.answer(t.p.get_snapshot(&r.ctx, &t.id)).await
}

/// Deletes a snapshot.
#[utoipa::path(delete, path = "/v1/snapshots/{id}", tag = "snapshots", params(("id" = String, Path, description = "Snapshot id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_snapshot(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::Snapshot)?;
    m.run(
        &t,
        Op::SnapshotDelete,
        |t| t.require(Feature::SnapshotDelete),
        |p, ctx, id| p.delete_snapshot(ctx, id),
    )
    .await
}

/// Restores a snapshot in place, or into a new volume (`mode: new_volume`).
///
/// `in_place` (the default) rolls the source volume back to the snapshot: changes made since
/// are lost. `new_volume` clones it into a new volume named `name`. The provider must offer
/// the mode (`snapshot_restore_in_place`, `snapshot_clone` in its capabilities).
#[utoipa::path(post, path = "/v1/snapshots/{id}/restore", tag = "snapshots", params(("id" = String, Path, description = "Snapshot id"), MutationParams), request_body = RestoreSnapshot,
    responses((status = 202, body = Operation, description = "Settles with the restored (or new) volume"), (status = 200, body = Operation)))]
pub async fn restore_snapshot(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RestoreSnapshot>,
) -> ApiResult {
    let snap = m.target(&id, ResourceType::Snapshot)?;
    snap.require(match req.mode {
        RestoreMode::InPlace => Feature::SnapshotRestoreInPlace,
        RestoreMode::NewVolume => Feature::SnapshotClone,
    })?;
    if let Some(name) = &req.volume_name {
        snap.check(|k| k.name.check("volume_name", name))?;
    }
    let vol = snap
        .call(snap.p.restore_snapshot(&m.ctx, &snap.id, &req))
        .await?;
    let t = Target::returned(&snap.p, &vol.id, ResourceType::Volume)?;
    m.track(Op::SnapshotRestore, t).await
}

/// Restores made on a volume, newest last.
#[utoipa::path(get, path = "/v1/volumes/{id}/restores", tag = "snapshots", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = RestoreList)))]
pub async fn list_restores(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    t.require(Feature::RestoreHistory)?;
    let restores = t.call(t.p.list_restores(&r.ctx, &t.id)).await?;
    Ok(ok(&RestoreList { restores }))
}
