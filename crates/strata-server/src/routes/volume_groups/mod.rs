//! Volume groups (consistency groups of block volumes) and their members; group snapshots,
//! schedules and replicas have a file each.

mod replica;
mod schedule;
mod snapshots;

use std::sync::Arc;

use serde::Serialize;
use strata_core::capability::{Feature, VolumeGroupCapabilities};
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::error::Result as CoreResult;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::Operation;

use strata_core::provider::Provider;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use replica::*;
pub use schedule::*;
pub use snapshots::*;

use super::*;
use crate::state::AppState;

/// The volume group routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_volume_groups, create_volume_group))
        .routes(routes!(get_volume_group, delete_volume_group))
        .routes(routes!(change_members))
        .routes(routes!(list_group_snapshots, create_group_snapshot))
        .routes(routes!(get_group_snapshot, delete_group_snapshot))
        .routes(routes!(restore_group_snapshot))
        .routes(routes!(
            get_group_schedule,
            put_group_schedule,
            delete_group_schedule
        ))
        .routes(routes!(
            get_group_replica,
            create_group_replica,
            update_group_replica,
            delete_group_replica
        ))
        .routes(routes!(group_replica_action))
}

/// Checks a request against the provider's volume group capabilities, before any vendor
/// call (`unsupported_by_provider` where the provider has no volume groups).
pub(crate) fn group_check(
    p: &Arc<dyn Provider>,
    f: impl FnOnce(&VolumeGroupCapabilities) -> CoreResult<()>,
) -> Result<(), Problem> {
    p.capabilities()
        .groups()
        .and_then(f)
        .map_err(|e| super::named(p, e))
}

/// A probe that settles once the group leaves its transitional status.
pub(crate) fn group_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_volume_group(ctx, id))
}

/// Parses the volume ids of a request body: each a block volume of provider `p` (ids of
/// another provider or kind are valid ids the provider cannot group: `unsupported_value`).
fn member_ids(p: &Arc<dyn Provider>, raw: &[String]) -> Result<Vec<GlobalId>, Problem> {
    let provider = &p.info().id;
    let mut out: Vec<GlobalId> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let field = format!("volume_ids[{i}]");
        let id = parse_id(r, ResourceType::Volume).map_err(|mut e| {
            e.field = Some(field.clone());
            e
        })?;
        let refuse = |why: String| {
            Problem::from(strata_core::Error::unsupported_value(field.clone(), why))
                .with_provider(provider)
        };
        if &id.provider != provider {
            return Err(refuse(format!(
                "`{field}` is a volume of provider `{}`, not `{provider}`",
                id.provider
            )));
        }
        if id.kind != Some(VolumeKind::Block) {
            return Err(refuse(format!(
                "`{field}` is not a block volume: only block volumes can be grouped"
            )));
        }
        id.check_grammar(p.id_grammar()).map_err(|_| {
            Problem::from(strata_core::Error::not_found(ResourceType::Volume, r))
                .with_provider(provider)
        })?;
        if out.contains(&id) {
            return Err(Problem::from(strata_core::Error::invalid(
                "volume_ids",
                format!("`{field}` names a volume given before"),
            )));
        }
        out.push(id);
    }
    Ok(out)
}

/// A page of volume groups across providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeGroupList {
    /// The groups of this page, by name.
    pub volume_groups: Vec<VolumeGroup>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Providers that could not be listed; the page holds everything else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<UnreachableProvider>,
}

/// Lists volume groups across every provider the token may use that offers them, merged by
/// name.
///
/// Paged and merged like `GET /v1/volumes`: a provider that does not answer within the list
/// deadline is named under `unreachable`. Filter with `provider` or a `name` substring.
#[utoipa::path(get, path = "/v1/volume-groups", tag = "volume-groups", params(lists::NamedListParams), responses((status = 200, body = VolumeGroupList)))]
pub async fn list_volume_groups(
    r: Req,
    ApiQuery(q): ApiQuery<lists::NamedListParams>,
) -> ApiResult {
    let name = q.name.clone();
    let merged = lists::across(
        &r,
        lists::Across {
            named: q.provider.as_deref(),
            require: &|p| group_check(p, |g| g.require(Feature::VolumeGroups)),
            select: &|p| p.capabilities().volume_groups.is_some(),
            fingerprint: &[
                "volume-groups",
                q.provider.as_deref().unwrap_or(""),
                q.name.as_deref().unwrap_or(""),
            ],
            page: (q.page_size, q.page_token.as_deref()),
        },
        |p, ctx, req| {
            let name = name.clone();
            async move { p.list_volume_groups(&ctx, name.as_deref(), &req).await }
        },
        |g: &VolumeGroup| (g.name.clone(), g.id.clone()),
    )
    .await?;
    Ok(ok(&VolumeGroupList {
        volume_groups: merged.items,
        next_page_token: merged.next_page_token,
        unreachable: merged.unreachable.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a volume group of block volumes; answers with the operation that tracks it.
///
/// The volumes must be block volumes of the provider, in no other group. The operation
/// settles with the group once it is `available`.
#[utoipa::path(post, path = "/v1/volume-groups", tag = "volume-groups", params(MutationParams), request_body = CreateVolumeGroup,
    responses((status = 202, body = Operation, description = "Accepted; poll the operation"), (status = 200, body = Operation, description = "Done within `wait`")))]
pub async fn create_volume_group(
    m: Mutation,
    ApiJson(req): ApiJson<CreateVolumeGroup>,
) -> ApiResult {
    let p = m.provider(&req.provider)?;
    group_check(&p, |g| g.validate_create(&req))?;
    let volumes = member_ids(&p, &req.volume_ids)?;
    let group = provider_call(&p, p.create_volume_group(&m.ctx, &req, &volumes)).await?;
    let t = Target::returned(&p, &group.id, ResourceType::VolumeGroup)?;
    m.track(Op::VolumeGroupCreate, t).await
}

/// One volume group, with its members.
#[utoipa::path(get, path = "/v1/volume-groups/{id}", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id")), responses((status = 200, body = VolumeGroup)))]
pub async fn get_volume_group(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::VolumeGroup)?;
    t.answer(t.p.get_volume_group(&r.ctx, &t.id)).await
}

/// Deletes a volume group (its volumes stay); needs the `volume_group_delete` feature (SCP
/// has no group delete).
#[utoipa::path(delete, path = "/v1/volume-groups/{id}", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_volume_group(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::VolumeGroup)?;
    m.run(
        &t,
        Op::VolumeGroupDelete,
        |t| group_check(&t.p, |g| g.require(Feature::VolumeGroupDelete)),
        |p, ctx, id| p.delete_volume_group(ctx, id),
    )
    .await
}

/// Whether volumes join or leave a group.
#[derive(Debug, Clone, Copy, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MembersAction {
    /// Add the volumes to the group.
    Add,
    /// Remove the volumes from the group.
    Remove,
}

/// Adds volumes to a group, or removes them.
///
/// `add` takes block volumes of the group's provider that are in no group; `remove` takes
/// members. The operation settles with the group and its new members.
#[utoipa::path(post, path = "/v1/volume-groups/{id}/members/{action}", tag = "volume-groups",
    params(("id" = String, Path, description = "Volume group id"), ("action" = MembersAction, Path, description = "`add` or `remove`"), MutationParams),
    request_body = GroupMembers,
    responses((status = 202, body = Operation, description = "Settles with the group"), (status = 200, body = Operation)))]
pub async fn change_members(
    m: Mutation,
    ApiPath((id, action)): ApiPath<(String, MembersAction)>,
    ApiJson(req): ApiJson<GroupMembers>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::VolumeGroup)?;
    group_check(&t.p, |g| g.require(Feature::GroupMembers))?;
    let volumes = member_ids(&t.p, &req.volume_ids)?;
    let op = match action {
        MembersAction::Add => Op::GroupMembersAdd,
        MembersAction::Remove => Op::GroupMembersRemove,
    };
    m.run(
        &t,
        op,
        |_| Ok(()),
        |p, ctx, id| match action {
            MembersAction::Add => p.add_group_members(ctx, id, &volumes),
            MembersAction::Remove => p.remove_group_members(ctx, id, &volumes),
        },
    )
    .await
}
