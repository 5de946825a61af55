//! What hangs directly off a volume: access rules, mount targets and usage.

use std::sync::Arc;

use serde::Serialize;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{Operation, Probe};
use strata_core::provider::Provider;
use utoipa::ToSchema;

use crate::routes::*;

/// Access rules of a volume.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRuleList {
    /// The rules in force.
    pub rules: Vec<AccessRule>,
}

/// Mount targets of a volume.
#[derive(Debug, Serialize, ToSchema)]
pub struct MountTargetList {
    /// Where clients mount the volume.
    pub mount_targets: Vec<MountTarget>,
}

/// The volume's access rules.
#[utoipa::path(get, path = "/v1/volumes/{id}/access-rules", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = AccessRuleList)))]
pub async fn get_access_rules(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    t.require(Feature::AccessRules)?;
    let rules = t.call(t.p.get_access_rules(&r.ctx, &t.id)).await?;
    Ok(ok(&AccessRuleList { rules }))
}

/// Replaces the volume's access rules.
///
/// The whole list is replaced: send every rule that should remain. Rule kinds and levels
/// are per provider (`access_rule_kinds`, `access_levels`, `max_access_rules`).
#[utoipa::path(put, path = "/v1/volumes/{id}/access-rules", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = AccessRules,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn put_access_rules(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AccessRules>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run(
        &t,
        Op::AccessRulesSet,
        |t| t.check(|k| k.validate_access_rules(&body.rules)),
        |p, ctx, id| p.set_access_rules(ctx, id, &body.rules),
    )
    .await
}

/// Where clients mount the volume.
#[utoipa::path(get, path = "/v1/volumes/{id}/mount-targets", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = MountTargetList)))]
pub async fn list_mount_targets(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    t.require(Feature::MountTargets)?;
    let mount_targets = t.call(t.p.list_mount_targets(&r.ctx, &t.id)).await?;
    Ok(ok(&MountTargetList { mount_targets }))
}

/// A probe that settles once the mount target leaves its transitional status (or is gone).
pub(crate) fn mount_target_probe(
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
///
/// `network` is the vendor's subnet or network id. The operation settles with the mount
/// target once it is ready, with the address clients mount.
#[utoipa::path(post, path = "/v1/volumes/{id}/mount-targets", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = CreateMountTarget,
    responses((status = 202, body = Operation, description = "Settles with the ready mount target"), (status = 200, body = Operation)))]
pub async fn create_mount_target(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CreateMountTarget>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    t.require(Feature::MountTargetManage)?;
    if body.network.trim().is_empty() {
        return Err(Problem::from(strata_core::Error::invalid(
            "network",
            "`network` (a subnet id) must not be empty",
        )));
    }
    let mt = t
        .call(t.p.create_mount_target(&m.ctx, &t.id, &body))
        .await?;
    let mt_id = mt.id.clone().ok_or_else(|| {
        Problem::from(strata_core::Error::Internal(
            "the provider returned a mount target without an id".into(),
        ))
    })?;
    m.track_with(Op::MountTargetCreate, t, Some(mt_id)).await
}

/// Removes a mount target.
#[utoipa::path(delete, path = "/v1/volumes/{id}/mount-targets/{target}", tag = "volumes",
    params(("id" = String, Path, description = "Volume id"), ("target" = String, Path, description = "Mount target `id`"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_mount_target(
    m: Mutation,
    ApiPath((id, mt)): ApiPath<(String, String)>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run_with(
        &t,
        Op::MountTargetDelete,
        Some(mt.clone()),
        |t| {
            vendor_ref(&t.p, &mt, "target", "mount_target")?;
            t.require(Feature::MountTargetManage)
        },
        |p, ctx, id| p.delete_mount_target(ctx, id, &mt),
    )
    .await
}

/// Space used on the volume.
#[utoipa::path(get, path = "/v1/volumes/{id}/usage", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = Usage)))]
pub async fn get_usage(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    t.require(Feature::Usage)?;
    t.answer(t.p.get_usage(&r.ctx, &t.id)).await
}
