//! Volumes and what hangs directly off them.

mod attached;
mod block;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{probe_deleted, Operation};

use strata_core::provider::Provider;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use attached::*;
pub use block::*;

use super::*;
use crate::state::AppState;

/// The volume routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_volumes, create_volume))
        .routes(routes!(get_volume, update_volume, delete_volume))
        .routes(routes!(get_access_rules, put_access_rules))
        .routes(routes!(list_mount_targets, create_mount_target))
        .routes(routes!(delete_mount_target))
        .routes(routes!(get_usage))
        .routes(routes!(list_attachments, attach))
        .routes(routes!(detach))
        .routes(routes!(put_snapshot_reserve, delete_snapshot_reserve))
}

/// Filters and paging of the volume list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VolumeListParams {
    /// Only volumes of this provider.
    pub provider: Option<String>,
    /// Only volumes of this kind.
    pub kind: Option<VolumeKind>,
    /// Only volumes in this status.
    pub status: Option<VolumeStatus>,
    /// Only volumes whose name contains this text.
    pub name: Option<String>,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// A page of volumes across providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeList {
    /// The volumes of this page, by name.
    pub volumes: Vec<Volume>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Providers that could not be listed; the page holds everything else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<UnreachableProvider>,
}

/// A probe that settles once the volume leaves its transitional status.
pub fn volume_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_volume(ctx, id))
}

/// A probe that settles once the volume is gone.
pub(crate) fn volume_gone_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        probe_deleted(p.get_volume(&ctx, &id).await)
    })
}

/// Lists volumes across every provider the token may use, merged by name.
///
/// Each provider is read a page at a time and the pages are merged by name; `next_page_token`
/// resumes the merge where it stopped. A provider that does not answer within the list
/// deadline is named under `unreachable` with its problem `code`, and the rest is answered.
/// Filter with `provider`, `kind`, `status` or a `name` substring.
#[utoipa::path(get, path = "/v1/volumes", tag = "volumes", params(VolumeListParams), responses((status = 200, body = VolumeList)))]
pub async fn list_volumes(r: Req, ApiQuery(q): ApiQuery<VolumeListParams>) -> ApiResult {
    let filter = VolumeFilter {
        kind: q.kind,
        status: q.status,
        name: q.name.clone(),
    };
    let kinds = format!("{:?}/{:?}", q.kind, q.status);
    let merged = lists::across(
        &r,
        lists::Across {
            named: q.provider.as_deref(),
            require: &|_| Ok(()),
            select: &|p| {
                filter
                    .kind
                    .map_or(!p.capabilities().volumes.is_empty(), |k| {
                        p.capabilities().volumes.contains_key(&k)
                    })
            },
            fingerprint: &[
                "volumes",
                q.provider.as_deref().unwrap_or(""),
                &kinds,
                q.name.as_deref().unwrap_or(""),
            ],
            page: (q.page_size, q.page_token.as_deref()),
        },
        |p, ctx, req| {
            let filter = filter.clone();
            async move { p.list_volumes(&ctx, &filter, &req).await }
        },
        |v: &Volume| (v.name.clone(), v.id.clone()),
    )
    .await?;
    Ok(ok(&VolumeList {
        volumes: merged.items,
        next_page_token: merged.next_page_token,
        unreachable: merged.unreachable.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a volume; answers with the operation that tracks it.
///
/// The body is checked against the provider's capabilities for the kind (size range and step,
/// protocols, tiers, name rules, access rule kinds) before any vendor call. The operation's
/// `result` is the volume once it is `available`.
#[utoipa::path(post, path = "/v1/volumes", tag = "volumes", params(MutationParams), request_body = CreateVolume,
    responses((status = 202, body = Operation, description = "Accepted; poll the operation"), (status = 200, body = Operation, description = "Done within `wait`")))]
pub async fn create_volume(m: Mutation, ApiJson(req): ApiJson<CreateVolume>) -> ApiResult {
    let p = m.provider(&req.provider)?;
    kind_check(&p, Some(req.kind), |k| k.validate_create(&req))?;
    for a in &req.attachments {
        server_ref(&p, &a.server_id)?;
    }
    let vol = provider_call(&p, p.create_volume(&m.ctx, &req)).await?;
    let t = Target::returned(&p, &vol.id, ResourceType::Volume)?;
    m.track(Op::VolumeCreate, t).await
}

/// One volume.
///
/// Its size, protocol, mount paths, access rules and labels, in the same shape on every
/// provider. May come from the gateway's short-lived cache (`Age` header).
#[utoipa::path(get, path = "/v1/volumes/{id}", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = Volume)))]
pub async fn get_volume(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    t.answer(t.p.get_volume(&r.ctx, &t.id)).await
}

/// Resizes a volume or changes its description, labels or access rules.
///
/// Only the fields present change. A new size must fit the kind's size rules (see the
/// provider's capabilities). The operation settles with the updated volume.
#[utoipa::path(patch, path = "/v1/volumes/{id}", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = UpdateVolume,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn update_volume(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateVolume>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    // What can be checked without the volume is checked before reading it (so a dry run
    // refuses it before its first vendor call), the rest against the volume as it is.
    t.check(|k| k.validate_update(None, &req))?;
    m.preconditions().await?;
    let current = t.call(t.p.get_volume(&m.ctx, &t.id)).await?;
    kind_check(&t.p, Some(current.kind), |k| {
        k.validate_update(Some(current.size_gib), &req)
    })?;
    t.call(t.p.update_volume(&m.ctx, &t.id, &req)).await?;
    m.track(Op::VolumeUpdate, t).await
}

/// Deletes a volume.
///
/// Where the vendor refuses to delete a volume that still has snapshots, replicas or mount
/// targets, the answer is `409 failed_precondition`: remove those first. The operation
/// finishes when the volume is gone.
#[utoipa::path(delete, path = "/v1/volumes/{id}", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_volume(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run(
        &t,
        Op::VolumeDelete,
        |t| t.require(Feature::VolumeDelete),
        |p, ctx, id| p.delete_volume(ctx, id),
    )
    .await
}
