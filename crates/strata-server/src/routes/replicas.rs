//! Cross-region replicas.

use std::sync::Arc;

use axum::extract::State;
use axum::Extension;
use serde::Serialize;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{probe_deleted, probe_resource, Operation};
use strata_core::provider::Provider;
use utoipa::ToSchema;

use super::*;
use crate::auth::Principal;
use crate::state::AppState;

/// A volume's replicas.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplicaList {
    pub replicas: Vec<Replica>,
}

fn replica_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        probe_resource(
            p.get_replica(&ctx, &id).await,
            |r| !r.status.is_transitional(),
            |r| r.status == ReplicaStatus::Error,
            ResourceType::Replica,
        )
    })
}

/// Lists a volume's replicas.
#[utoipa::path(get, path = "/v1/volumes/{id}/replicas", tag = "replicas", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = ReplicaList)))]
pub async fn list_replicas(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    let replicas = call(&p.info().id, p.list_replicas(&ctx, &id)).await?;
    Ok(ok(&ReplicaList { replicas }))
}

/// Starts replicating a volume to another region.
#[utoipa::path(post, path = "/v1/volumes/{id}/replicas", tag = "replicas", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = CreateReplica,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn create_replica(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(req): ApiJson<CreateReplica>,
) -> ApiResult {
    let (vid, p) = target(&state, &principal, &id, ResourceType::Volume)?;
    let pid = p.info().id.clone();
    kind_check(&p, vid.kind, |k| {
        k.validate_replica_region(&req.destination_region)
    })?;
    let rep = call(&pid, p.create_replica(&ctx, &vid, &req)).await?;
    let rid = parse_id(&rep.id, ResourceType::Replica)?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::ReplicaCreate,
        p,
        rid,
        &q,
        replica_probe,
    )
    .await
}

/// One replica with its latest transfer statistics.
#[utoipa::path(get, path = "/v1/replicas/{id}", tag = "replicas", params(("id" = String, Path, description = "Replica id")), responses((status = 200, body = Replica)))]
pub async fn get_replica(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Replica)?;
    Ok(ok(&call(&p.info().id, p.get_replica(&ctx, &id)).await?))
}

/// Changes a replica's frequency.
#[utoipa::path(patch, path = "/v1/replicas/{id}", tag = "replicas", params(("id" = String, Path, description = "Replica id"), MutationParams), request_body = UpdateReplica,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn update_replica(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
    ApiJson(req): ApiJson<UpdateReplica>,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Replica)?;
    require(&p, &id, Feature::ReplicaUpdate)?;
    let pid = p.info().id.clone();
    call(&pid, p.update_replica(&ctx, &id, &req)).await?;
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::ReplicaUpdate,
        p,
        id,
        &q,
        replica_probe,
    )
    .await
}

/// Removes a replication relationship.
#[utoipa::path(delete, path = "/v1/replicas/{id}", tag = "replicas", params(("id" = String, Path, description = "Replica id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_replica(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath(id): ApiPath<String>,
    q: Mutation,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Replica)?;
    require(&p, &id, Feature::ReplicaDelete)?;
    let pid = p.info().id.clone();
    call(&pid, p.delete_replica(&ctx, &id)).await?;
    let probe = |p, id, ctx| {
        poller(p, id, ctx, |p, id, ctx| async move {
            probe_deleted(p.get_replica(&ctx, &id).await)
        })
    };
    start_operation(
        &state,
        &ctx,
        &principal,
        Op::ReplicaDelete,
        p,
        id,
        &q,
        probe,
    )
    .await
}

/// The replica actions.
#[derive(Debug, Clone, Copy, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaAction {
    Start,
    Stop,
    Reverse,
}

/// Starts, stops or reverses replication.
#[utoipa::path(post, path = "/v1/replicas/{id}/{action}", tag = "replicas",
    params(("id" = String, Path, description = "Replica id"), ("action" = ReplicaAction, Path, description = "`start`, `stop` or `reverse`"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn replica_action(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Extension(principal): Extension<Arc<Principal>>,
    ApiPath((id, action)): ApiPath<(String, ReplicaAction)>,
    q: Mutation,
) -> ApiResult {
    let (id, p) = target(&state, &principal, &id, ResourceType::Replica)?;
    let pid = p.info().id.clone();
    let kind = match action {
        ReplicaAction::Start | ReplicaAction::Stop => {
            require(&p, &id, Feature::ReplicaStartStop)?;
            if matches!(action, ReplicaAction::Start) {
                call(&pid, p.start_replica(&ctx, &id)).await?;
                Op::ReplicaStart
            } else {
                call(&pid, p.stop_replica(&ctx, &id)).await?;
                Op::ReplicaStop
            }
        }
        ReplicaAction::Reverse => {
            require(&p, &id, Feature::ReplicaReverse)?;
            call(&pid, p.reverse_replica(&ctx, &id)).await?;
            Op::ReplicaReverse
        }
    };
    start_operation(&state, &ctx, &principal, kind, p, id, &q, replica_probe).await
}
