//! Volumes and what hangs directly off them.

use std::sync::Arc;

use axum::extract::State;
use axum::Extension;
use serde::{Deserialize, Serialize};
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{probe_deleted, probe_resource, Operation, Probe};
use strata_core::paging::{effective_page_size, fingerprint, merge_pages};
use strata_core::provider::Provider;
use utoipa::{IntoParams, ToSchema};

use super::*;
use crate::auth::Principal;
use crate::state::AppState;

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
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// A page of volumes across providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeList {
    pub volumes: Vec<Volume>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Providers that could not be listed; the page holds everything else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<UnreachableProvider>,
}

/// Access rules of a volume.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRuleList {
    pub rules: Vec<AccessRule>,
}

/// Mount targets of a volume.
#[derive(Debug, Serialize, ToSchema)]
pub struct MountTargetList {
    pub mount_targets: Vec<MountTarget>,
}

/// A probe that settles once the volume leaves its transitional status.
pub fn volume_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        probe_resource(
            p.get_volume(&ctx, &id).await,
            |v| !v.status.is_transitional(),
            |v| v.status == VolumeStatus::Error,
            ResourceType::Volume,
        )
    })
}

/// A probe that settles once the volume is gone.
fn volume_gone_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        probe_deleted(p.get_volume(&ctx, &id).await)
    })
}

/// Lists volumes across every provider the token may use, merged by name.
#[utoipa::path(get, path = "/v1/volumes", tag = "volumes", params(VolumeListParams), responses((status = 200, body = VolumeList)))]
pub async fn list_volumes(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiQuery(q): ApiQuery<VolumeListParams>,
) -> ApiResult {
    let filter = VolumeFilter {
        kind: q.kind,
        status: q.status,
        name: q.name.clone(),
    };
    let providers: Vec<Arc<dyn Provider>> = match &q.provider {
        Some(id) => vec![state.registry.get(id, &principal)?],
        None => state.registry.visible(&principal).cloned().collect(),
    };
    let providers: Vec<Arc<dyn Provider>> = providers
        .into_iter()
        .filter(|p| {
            filter
                .kind
                .map_or(!p.capabilities().volumes.is_empty(), |k| {
                    p.capabilities().volumes.contains_key(&k)
                })
        })
        .collect();
    let ids: Vec<String> = providers.iter().map(|p| p.info().id.clone()).collect();
    let fp = fingerprint(&[
        "volumes",
        q.provider.as_deref().unwrap_or(""),
        &format!("{:?}/{:?}", q.kind, q.status),
        q.name.as_deref().unwrap_or(""),
    ]);
    let size = effective_page_size(q.page_size);
    let fetch = |pid: String, mut req: strata_core::paging::PageRequest| {
        let p = providers.iter().find(|p| p.info().id == pid).cloned();
        let filter = filter.clone();
        let ctx = ctx.clone();
        async move {
            let p =
                p.ok_or_else(|| strata_core::Error::Internal(format!("provider {pid} vanished")))?;
            req.page_size = req.page_size.min(p.capabilities().max_page_size.max(1));
            p.list_volumes(&ctx, &filter, &req).await
        }
    };
    let merged = merge_pages(
        &ids,
        q.page_token.as_deref(),
        size,
        &fp,
        fetch,
        |v: &Volume| (v.name.clone(), v.id.clone()),
    )
    .await
    .map_err(Problem::from)?;
    Ok(ok(&VolumeList {
        volumes: merged.items,
        next_page_token: merged.next_page_token,
        unreachable: merged.unreachable.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a volume; answers with the operation that tracks it.
#[utoipa::path(post, path = "/v1/volumes", tag = "volumes", params(MutationParams), request_body = CreateVolume,
    responses((status = 202, body = Operation, description = "Accepted; poll the operation"), (status = 200, body = Operation, description = "Done within `wait`")))]
pub async fn create_volume(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    q: Mutation,
    ApiJson(req): ApiJson<CreateVolume>,
) -> ApiResult {
    let p = state.registry.get(&req.provider, &principal)?;
    let pid = p.info().id.clone();
    kind_check(&p, Some(req.kind), |k| k.validate_create(&req))?;
    let vol = call(&pid, p.create_volume(&ctx, &req)).await?;
    let id = parse_id(&vol.id, ResourceType::Volume)?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::VolumeCreate,
        p,
        id,
        &q,
        volume_probe,
    )
    .await
}

/// One volume.
#[utoipa::path(get, path = "/v1/volumes/{id}", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = Volume)))]
pub async fn get_volume(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    Ok(ok(&call(&p.info().id, p.get_volume(&ctx, &id)).await?))
}

/// Resizes a volume or changes its description, labels or access rules.
#[utoipa::path(patch, path = "/v1/volumes/{id}", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = UpdateVolume,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn update_volume(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(req): ApiJson<UpdateVolume>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    let pid = p.info().id.clone();
    let current = call(&pid, p.get_volume(&ctx, &id)).await?;
    kind_check(&p, Some(current.kind), |k| {
        k.validate_update(current.size_gib, &req)
    })?;
    call(&pid, p.update_volume(&ctx, &id, &req)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::VolumeUpdate,
        p,
        id,
        &q,
        volume_probe,
    )
    .await
}

/// Deletes a volume.
#[utoipa::path(delete, path = "/v1/volumes/{id}", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_volume(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::VolumeDelete)?;
    let pid = p.info().id.clone();
    call(&pid, p.delete_volume(&ctx, &id)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::VolumeDelete,
        p,
        id,
        &q,
        volume_gone_probe,
    )
    .await
}

/// The volume's access rules.
#[utoipa::path(get, path = "/v1/volumes/{id}/access-rules", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = AccessRuleList)))]
pub async fn get_access_rules(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::AccessRules)?;
    let rules = call(&p.info().id, p.get_access_rules(&ctx, &id)).await?;
    Ok(ok(&AccessRuleList { rules }))
}

/// Replaces the volume's access rules.
#[utoipa::path(put, path = "/v1/volumes/{id}/access-rules", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = AccessRules,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn put_access_rules(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(body): ApiJson<AccessRules>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    let pid = p.info().id.clone();
    kind_check(&p, id.kind, |k| k.validate_access_rules(&body.rules))?;
    call(&pid, p.set_access_rules(&ctx, &id, &body.rules)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::AccessRulesSet,
        p,
        id,
        &q,
        volume_probe,
    )
    .await
}

/// Where clients mount the volume.
#[utoipa::path(get, path = "/v1/volumes/{id}/mount-targets", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = MountTargetList)))]
pub async fn list_mount_targets(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::MountTargets)?;
    let mount_targets = call(&p.info().id, p.list_mount_targets(&ctx, &id)).await?;
    Ok(ok(&MountTargetList { mount_targets }))
}

/// A probe that settles once the mount target leaves its transitional status (or is gone).
fn mount_target_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
    target: String,
    until_gone: bool,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, move |p, id, ctx| {
        let target = target.clone();
        async move {
            let targets = p.list_mount_targets(&ctx, &id).await?;
            let found = targets
                .into_iter()
                .find(|t| t.id.as_deref() == Some(target.as_str()));
            Ok(match found {
                None if until_gone => Probe::Done(None),
                None => Probe::Failed(strata_core::Error::VendorFailed {
                    vendor_status: None,
                    vendor_code: None,
                    message: format!("mount target {target} vanished while being created"),
                }),
                Some(t) if until_gone || t.status.is_transitional() => Probe::Pending,
                Some(t) if t.status == VolumeStatus::Error => {
                    Probe::Failed(strata_core::Error::VendorFailed {
                        vendor_status: None,
                        vendor_code: None,
                        message: "the mount target failed to become ready".into(),
                    })
                }
                Some(t) => Probe::Done(serde_json::to_value(&t).ok()),
            })
        }
    })
}

/// Exposes the volume on another network (NHN: attaches an interface to a subnet).
#[utoipa::path(post, path = "/v1/volumes/{id}/mount-targets", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = CreateMountTarget,
    responses((status = 202, body = Operation, description = "Settles with the ready mount target"), (status = 200, body = Operation)))]
pub async fn create_mount_target(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(body): ApiJson<CreateMountTarget>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::MountTargetManage)?;
    if body.network.trim().is_empty() {
        return Err(Problem::from(strata_core::Error::invalid(
            "network",
            "`network` (a subnet id) must not be empty",
        )));
    }
    let pid = p.info().id.clone();
    let mt = call(&pid, p.create_mount_target(&ctx, &id, &body)).await?;
    let mt_id = mt.id.clone().ok_or_else(|| {
        Problem::from(strata_core::Error::Internal(
            "the provider returned a mount target without an id".into(),
        ))
    })?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::MountTargetCreate,
        p,
        id,
        &q,
        |p, id, ctx| mount_target_probe(p, id, ctx, mt_id, false),
    )
    .await
}

/// Removes a mount target.
#[utoipa::path(delete, path = "/v1/volumes/{id}/mount-targets/{target}", tag = "volumes",
    params(("id" = String, Path, description = "Volume id"), ("target" = String, Path, description = "Mount target `id`"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_mount_target(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath((id, mt)): ApiPath<(String, String)>,
    q: Mutation,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    vendor_ref(&p, &mt, "target")?;
    require(&p, &id, Feature::MountTargetManage)?;
    let pid = p.info().id.clone();
    call(&pid, p.delete_mount_target(&ctx, &id, &mt)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::MountTargetDelete,
        p,
        id,
        &q,
        |p, id, ctx| mount_target_probe(p, id, ctx, mt, true),
    )
    .await
}

/// Space used on the volume.
#[utoipa::path(get, path = "/v1/volumes/{id}/usage", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = Usage)))]
pub async fn get_usage(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::Usage)?;
    Ok(ok(&call(&p.info().id, p.get_usage(&ctx, &id)).await?))
}

/// Attaches a block volume to a server.
#[utoipa::path(post, path = "/v1/volumes/{id}/attachments", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = Attachment,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn attach(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(body): ApiJson<Attachment>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    require(&p, &id, Feature::Attachments)?;
    if body.server_id.trim().is_empty() {
        return Err(Problem::from(strata_core::Error::invalid(
            "server_id",
            "`server_id` must not be empty",
        )));
    }
    let pid = p.info().id.clone();
    call(&pid, p.attach(&ctx, &id, &body)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::VolumeAttach,
        p,
        id,
        &q,
        volume_probe,
    )
    .await
}

/// Detaches a block volume from a server.
#[utoipa::path(delete, path = "/v1/volumes/{id}/attachments/{server}", tag = "volumes",
    params(("id" = String, Path, description = "Volume id"), ("server" = String, Path, description = "Vendor server id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn detach(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath((id, server)): ApiPath<(String, String)>,
    q: Mutation,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    vendor_ref(&p, &server, "server")?;
    require(&p, &id, Feature::Attachments)?;
    let pid = p.info().id.clone();
    call(&pid, p.detach(&ctx, &id, &server)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::VolumeDetach,
        p,
        id,
        &q,
        volume_probe,
    )
    .await
}
