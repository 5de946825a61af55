//! Cross-region replicas.

use std::sync::Arc;

use serde::Serialize;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{probe_deleted, Operation};
use strata_core::provider::Provider;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::*;
use crate::state::AppState;

/// The replica routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_replicas, create_replica))
        .routes(routes!(get_replica, update_replica, delete_replica))
        .routes(routes!(replica_action))
}

/// A volume's replicas.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplicaList {
    /// The volume's replication relationships.
    pub replicas: Vec<Replica>,
}

/// A probe that settles once the replica is gone.
pub(crate) fn replica_gone_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        probe_deleted(p.get_replica(&ctx, &id).await)
    })
}

pub(crate) fn replica_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_replica(ctx, id))
}

/// Lists a volume's replicas.
#[utoipa::path(get, path = "/v1/volumes/{id}/replicas", tag = "replicas", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = ReplicaList)))]
pub async fn list_replicas(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    let replicas = t.call(t.p.list_replicas(&r.ctx, &t.id)).await?;
    Ok(ok(&ReplicaList { replicas }))
}

/// Starts replicating a volume to another region.
///
/// The destination region must be one of the kind's `replication_regions`. The operation
/// settles with the replica once the relationship is established.
#[utoipa::path(post, path = "/v1/volumes/{id}/replicas", tag = "replicas", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = CreateReplica,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn create_replica(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CreateReplica>,
) -> ApiResult {
    let vol = m.target(&id, ResourceType::Volume)?;
    vol.check(|k| k.validate_replica_region(&req.destination_region))?;
    let rep = vol
        .call(vol.p.create_replica(&m.ctx, &vol.id, &req))
        .await?;
    let t = Target::returned(&vol.p, &rep.id, ResourceType::Replica)?;
    m.track(Op::ReplicaCreate, t).await
}

/// One replica with its latest transfer statistics.
#[utoipa::path(get, path = "/v1/replicas/{id}", tag = "replicas", params(("id" = String, Path, description = "Replica id")), responses((status = 200, body = Replica)))]
pub async fn get_replica(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Replica)?;
    t.answer(t.p.get_replica(&r.ctx, &t.id)).await
}

/// Changes a replica's frequency.
#[utoipa::path(patch, path = "/v1/replicas/{id}", tag = "replicas", params(("id" = String, Path, description = "Replica id"), MutationParams), request_body = UpdateReplica,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn update_replica(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateReplica>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Replica)?;
    m.run(
        &t,
        Op::ReplicaUpdate,
        |t| t.require(Feature::ReplicaUpdate),
        |p, ctx, id| p.update_replica(ctx, id, &req),
    )
    .await
}

/// Removes a replication relationship.
#[utoipa::path(delete, path = "/v1/replicas/{id}", tag = "replicas", params(("id" = String, Path, description = "Replica id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_replica(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::Replica)?;
    m.run(
        &t,
        Op::ReplicaDelete,
        |t| t.require(Feature::ReplicaDelete),
        |p, ctx, id| p.delete_replica(ctx, id),
    )
    .await
}

/// The replica actions.
#[derive(Debug, Clone, Copy, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaAction {
    /// Resume replicating.
    Start,
    /// Pause replicating.
    Stop,
    /// Swap source and destination.
    Reverse,
}

/// Starts, stops or reverses replication.
///
/// `stop` pauses transfers, `start` resumes them, and `reverse` swaps source and destination
/// (for a failover). The operation settles with the replica in its new state.
#[utoipa::path(post, path = "/v1/replicas/{id}/{action}", tag = "replicas",
    params(("id" = String, Path, description = "Replica id"), ("action" = ReplicaAction, Path, description = "`start`, `stop` or `reverse`"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn replica_action(
    m: Mutation,
    ApiPath((id, action)): ApiPath<(String, ReplicaAction)>,
) -> ApiResult {
    let (op, feature) = match action {
        ReplicaAction::Start => (Op::ReplicaStart, Feature::ReplicaStartStop),
        ReplicaAction::Stop => (Op::ReplicaStop, Feature::ReplicaStartStop),
        ReplicaAction::Reverse => (Op::ReplicaReverse, Feature::ReplicaReverse),
    };
    let t = m.target(&id, ResourceType::Replica)?;
    m.run(
        &t,
        op,
        |t| t.require(feature),
        move |p, ctx, id| match action {
            ReplicaAction::Start => p.start_replica(ctx, id),
            ReplicaAction::Stop => p.stop_replica(ctx, id),
            ReplicaAction::Reverse => p.reverse_replica(ctx, id),
        },
    )
    .await
}
