//! Group snapshots: every member of a volume group at one point in time.

use std::sync::Arc;

use serde::Serialize;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::Operation;
use strata_core::paging::{effective_page_size, PageRequest};
use strata_core::provider::Provider;
use utoipa::ToSchema;

use super::group_check;
use crate::routes::*;

/// A page of a volume group's snapshots.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupSnapshotList {
    /// The group snapshots of this page.
    pub snapshots: Vec<GroupSnapshot>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

pub(crate) fn group_snapshot_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_group_snapshot(ctx, id))
}

/// Lists a volume group's snapshots.
#[utoipa::path(get, path = "/v1/volume-groups/{id}/snapshots", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id"), PageParams), responses((status = 200, body = GroupSnapshotList)))]
pub async fn list_group_snapshots(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult {
    let t = r.target(&id, ResourceType::VolumeGroup)?;
    group_check(&t.p, |g| g.require(Feature::GroupSnapshots))?;
    let req = PageRequest {
        page_size: effective_page_size(q.page_size).min(t.p.capabilities().max_page_size.max(1)),
        page_token: q.page_token,
    };
    let page = t
        .call(t.p.list_group_snapshots(&r.ctx, &t.id, &req))
        .await?;
    Ok(ok(&GroupSnapshotList {
        snapshots: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// Takes a snapshot of every member of a volume group at once (crash-consistent).
///
/// No body: the vendor names group snapshots itself. The operation settles with the group
/// snapshot once it is `available`.
#[utoipa::path(post, path = "/v1/volume-groups/{id}/snapshots", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn create_group_snapshot(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let group = m.target(&id, ResourceType::VolumeGroup)?;
    group_check(&group.p, |g| g.require(Feature::GroupSnapshots))?;
    let snap = group
        .call(group.p.create_group_snapshot(&m.ctx, &group.id))
        .await?;
    let t = Target::returned(&group.p, &snap.id, ResourceType::GroupSnapshot)?;
    m.track(Op::GroupSnapshotCreate, t).await
}

/// One group snapshot.
#[utoipa::path(get, path = "/v1/group-snapshots/{id}", tag = "volume-groups", params(("id" = String, Path, description = "Group snapshot id")), responses((status = 200, body = GroupSnapshot)))]
pub async fn get_group_snapshot(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::GroupSnapshot)?;
    t.answer(t.p.get_group_snapshot(&r.ctx, &t.id)).await
}

/// Deletes a group snapshot.
#[utoipa::path(delete, path = "/v1/group-snapshots/{id}", tag = "volume-groups", params(("id" = String, Path, description = "Group snapshot id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_group_snapshot(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::GroupSnapshot)?;
    m.run(
        &t,
        Op::GroupSnapshotDelete,
        |t| group_check(&t.p, |g| g.require(Feature::GroupSnapshots)),
        |p, ctx, id| p.delete_group_snapshot(ctx, id),
    )
    .await
}

/// Restores a group snapshot into its group, or recovers it into a new group
/// (`mode: new_group`).
///
/// `in_place` (the default) rolls every member back to the snapshot: changes made since are
/// lost. `new_group` recovers the snapshot into a new group of new volumes named with
/// `volume_name_prefix`. The provider must offer the mode (`group_restore_in_place`,
/// `group_clone` under `volume_groups` in its capabilities). The operation settles with the
/// restored (or new) group.
#[utoipa::path(post, path = "/v1/group-snapshots/{id}/restore", tag = "volume-groups", params(("id" = String, Path, description = "Group snapshot id"), MutationParams), request_body = RestoreGroupSnapshot,
    responses((status = 202, body = Operation, description = "Settles with the restored (or new) group"), (status = 200, body = Operation)))]
pub async fn restore_group_snapshot(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RestoreGroupSnapshot>,
) -> ApiResult {
    let snap = m.target(&id, ResourceType::GroupSnapshot)?;
    group_check(&snap.p, |g| g.validate_restore(req.mode))?;
    let group = snap
        .call(snap.p.restore_group_snapshot(&m.ctx, &snap.id, &req))
        .await?;
    let t = Target::returned(&snap.p, &group.id, ResourceType::VolumeGroup)?;
    m.track(Op::GroupSnapshotRestore, t).await
}
