//! Snapshots, restores and snapshot schedules.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Extension;
use serde::Serialize;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{probe_deleted, probe_resource, Operation};
use strata_core::paging::{effective_page_size, PageRequest};
use strata_core::provider::Provider;
use utoipa::ToSchema;

use super::volumes::volume_probe;
use super::*;
use crate::auth::Principal;
use crate::state::AppState;

/// A page of a volume's snapshots.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotList {
    pub snapshots: Vec<Snapshot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Restores made on a volume.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestoreList {
    pub restores: Vec<RestoreRecord>,
}

fn snapshot_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        probe_resource(
            p.get_snapshot(&ctx, &id).await,
            |s| !s.status.is_transitional(),
            |s| s.status == SnapshotStatus::Error,
            ResourceType::Snapshot,
        )
    })
}

/// Lists a volume's snapshots.
#[utoipa::path(get, path = "/v1/volumes/{id}/snapshots", tag = "snapshots", params(("id" = String, Path, description = "Volume id"), PageParams), responses((status = 200, body = SnapshotList)))]
pub async fn list_snapshots(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    let req = PageRequest {
        page_size: effective_page_size(q.page_size).min(p.capabilities().max_page_size.max(1)),
        page_token: q.page_token,
    };
    let page = call(&p.info().id, p.list_snapshots(&ctx, &id, &req)).await?;
    Ok(ok(&SnapshotList {
        snapshots: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// Takes a snapshot of a volume.
#[utoipa::path(post, path = "/v1/volumes/{id}/snapshots", tag = "snapshots", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = CreateSnapshot,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn create_snapshot(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(req): ApiJson<CreateSnapshot>,
) -> ApiResult {
    let (vid, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &vid, Feature::SnapshotCreate)?;
    let pid = p.info().id.clone();
    if let Some(name) = &req.name {
        kind_check(&p, vid.kind, |k| k.validate_snapshot_name(name))?;
    }
    let snap = call(&pid, p.create_snapshot(&ctx, &vid, &req)).await?;
    let sid = parse_id(&snap.id, ResourceType::Snapshot)?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::SnapshotCreate,
        p,
        sid,
        &q,
        snapshot_probe,
    )
    .await
}

/// One snapshot.
#[utoipa::path(get, path = "/v1/snapshots/{id}", tag = "snapshots", params(("id" = String, Path, description = "Snapshot id")), responses((status = 200, body = Snapshot)))]
pub async fn get_snapshot(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Snapshot)?;
    Ok(ok(&call(&p.info().id, p.get_snapshot(&ctx, &id)).await?))
}

/// Deletes a snapshot.
#[utoipa::path(delete, path = "/v1/snapshots/{id}", tag = "snapshots", params(("id" = String, Path, description = "Snapshot id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_snapshot(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Snapshot)?;
    require(&p, &id, Feature::SnapshotDelete)?;
    let pid = p.info().id.clone();
    call(&pid, p.delete_snapshot(&ctx, &id)).await?;
    let probe = |p, id, ctx| {
        poller(p, id, ctx, |p, id, ctx| async move {
            probe_deleted(p.get_snapshot(&ctx, &id).await)
        })
    };
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::SnapshotDelete,
        p,
        id,
        &q,
        probe,
    )
    .await
}

/// Restores a snapshot in place, or into a new volume (`mode: new_volume`).
#[utoipa::path(post, path = "/v1/snapshots/{id}/restore", tag = "snapshots", params(("id" = String, Path, description = "Snapshot id"), MutationParams), request_body = RestoreSnapshot,
    responses((status = 202, body = Operation, description = "Settles with the restored (or new) volume"), (status = 200, body = Operation)))]
pub async fn restore_snapshot(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(req): ApiJson<RestoreSnapshot>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Snapshot)?;
    let feature = match req.mode {
        RestoreMode::InPlace => Feature::SnapshotRestoreInPlace,
        RestoreMode::NewVolume => Feature::SnapshotClone,
    };
    require(&p, &id, feature)?;
    let pid = p.info().id.clone();
    if let Some(name) = &req.volume_name {
        kind_check(&p, id.kind, |k| k.name.check("volume_name", name))?;
    }
    let vol = call(&pid, p.restore_snapshot(&ctx, &id, &req)).await?;
    let vid = parse_id(&vol.id, ResourceType::Volume)?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::SnapshotRestore,
        p,
        vid,
        &q,
        volume_probe,
    )
    .await
}

/// Restores made on a volume, newest last.
#[utoipa::path(get, path = "/v1/volumes/{id}/restores", tag = "snapshots", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = RestoreList)))]
pub async fn list_restores(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::RestoreHistory)?;
    let restores = call(&p.info().id, p.list_restores(&ctx, &id)).await?;
    Ok(ok(&RestoreList { restores }))
}

/// The volume's snapshot schedule.
#[utoipa::path(get, path = "/v1/volumes/{id}/snapshot-schedule", tag = "snapshots", params(("id" = String, Path, description = "Volume id")),
    responses((status = 200, body = SnapshotSchedule), (status = 404, description = "No schedule is set", body = crate::problem::ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_schedule(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::SnapshotSchedule)?;
    match call(&p.info().id, p.get_snapshot_schedule(&ctx, &id)).await? {
        Some(s) => Ok(ok(&s)),
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "snapshot_schedule_not_found",
            "Not found",
            "the volume has no snapshot schedule",
        )
        .with_provider(&p.info().id)),
    }
}

/// Settles once the volume is no longer changing; the result is the schedule then in force
/// (`null` when none). Some vendors (NHN) apply a schedule as an asynchronous volume update.
fn schedule_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        if p.get_volume(&ctx, &id).await?.status.is_transitional() {
            return Ok(strata_core::operation::Probe::Pending);
        }
        let schedule = p.get_snapshot_schedule(&ctx, &id).await?;
        Ok(strata_core::operation::Probe::Done(
            serde_json::to_value(schedule).ok(),
        ))
    })
}

/// Sets (creates or replaces) the volume's snapshot schedule.
#[utoipa::path(put, path = "/v1/volumes/{id}/snapshot-schedule", tag = "snapshots", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = SnapshotSchedule,
    responses((status = 202, body = Operation, description = "Settles with the schedule in force"), (status = 200, body = Operation)))]
pub async fn put_schedule(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(s): ApiJson<SnapshotSchedule>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    let pid = p.info().id.clone();
    kind_check(&p, id.kind, |k| k.validate_schedule(&s))?;
    call(&pid, p.put_snapshot_schedule(&ctx, &id, &s)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::SchedulePut,
        p,
        id,
        &q,
        schedule_probe,
    )
    .await
}

/// Removes the volume's snapshot schedule.
#[utoipa::path(delete, path = "/v1/volumes/{id}/snapshot-schedule", tag = "snapshots", params(("id" = String, Path, description = "Volume id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_schedule(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::SnapshotSchedule)?;
    let pid = p.info().id.clone();
    call(&pid, p.delete_snapshot_schedule(&ctx, &id)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::ScheduleDelete,
        p,
        id,
        &q,
        schedule_probe,
    )
    .await
}
