//! The replication of a whole volume group to another region (one per group, addressed
//! through the group).

use std::sync::Arc;

use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::Operation;
use strata_core::provider::Provider;

use super::group_check;
use crate::routes::replicas::ReplicaAction;
use crate::routes::*;

pub(crate) fn group_replica_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_group_replica(ctx, id))
}

fn require_replicas(t: &Target) -> Result<(), Problem> {
    group_check(&t.p, |g| g.require(Feature::GroupReplicas))
}

/// The volume group's replication (`replica_not_found` when it has none).
#[utoipa::path(get, path = "/v1/volume-groups/{id}/replica", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id")), responses((status = 200, body = GroupReplica)))]
pub async fn get_group_replica(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::VolumeGroup)?;
    require_replicas(&t)?;
    t.answer(t.p.get_group_replica(&r.ctx, &t.id)).await
}

/// Starts replicating a volume group to another region.
///
/// The vendor creates a destination group whose members replicate the group's members (named
/// with `volume_name_prefix`). The destination region must be one of
/// `volume_groups.replication_regions`. The operation settles with the replica once it is
/// established.
#[utoipa::path(post, path = "/v1/volume-groups/{id}/replica", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id"), MutationParams), request_body = CreateGroupReplica,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn create_group_replica(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CreateGroupReplica>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::VolumeGroup)?;
    m.run(
        &t,
        Op::GroupReplicaCreate,
        |t| group_check(&t.p, |g| g.validate_replica(&req)),
        |p, ctx, id| p.create_group_replica(ctx, id, &req),
    )
    .await
}

/// Changes the group replica's frequency.
#[utoipa::path(patch, path = "/v1/volume-groups/{id}/replica", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id"), MutationParams), request_body = UpdateReplica,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn update_group_replica(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateReplica>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::VolumeGroup)?;
    m.run(
        &t,
        Op::GroupReplicaUpdate,
        require_replicas,
        |p, ctx, id| p.update_group_replica(ctx, id, &req),
    )
    .await
}

/// Stops replicating the group and removes the relationship (the destination group stays).
#[utoipa::path(delete, path = "/v1/volume-groups/{id}/replica", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_group_replica(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::VolumeGroup)?;
    m.run(
        &t,
        Op::GroupReplicaDelete,
        require_replicas,
        |p, ctx, id| p.delete_group_replica(ctx, id),
    )
    .await
}

/// Starts or stops the group's replication.
///
/// `stop` breaks the mirror (the destination group becomes writable), `start` resumes it
/// (resynchronizing the destination). `reverse` is not offered for groups. The operation
/// settles with the replica in its new state.
#[utoipa::path(post, path = "/v1/volume-groups/{id}/replica/{action}", tag = "volume-groups",
    params(("id" = String, Path, description = "Volume group id"), ("action" = ReplicaAction, Path, description = "`start` or `stop` (`reverse` is refused: unsupported for groups)"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn group_replica_action(
    m: Mutation,
    ApiPath((id, action)): ApiPath<(String, ReplicaAction)>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::VolumeGroup)?;
    let op = match action {
        ReplicaAction::Start => Op::GroupReplicaStart,
        ReplicaAction::Stop => Op::GroupReplicaStop,
        ReplicaAction::Reverse => {
            return Err(Problem::from(strata_core::Error::unsupported(
                "volume_group.replica.reverse",
            ))
            .with_provider(&t.p.info().id))
        }
    };
    m.run(&t, op, require_replicas, move |p, ctx, id| match action {
        ReplicaAction::Stop => p.stop_group_replica(ctx, id),
        _ => p.start_group_replica(ctx, id),
    })
    .await
}
