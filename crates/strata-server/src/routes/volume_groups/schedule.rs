//! A volume group's snapshot schedule.

use std::sync::Arc;

use axum::http::StatusCode;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{Operation, Probe};
use strata_core::provider::Provider;

use super::group_check;
use crate::routes::*;

/// The volume group's snapshot schedule.
#[utoipa::path(get, path = "/v1/volume-groups/{id}/snapshot-schedule", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id")),
    responses((status = 200, body = SnapshotSchedule), (status = 404, description = "No schedule is set", body = crate::problem::ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_group_schedule(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::VolumeGroup)?;
    group_check(&t.p, |g| g.require(Feature::GroupSnapshotSchedule))?;
    match t
        .call(t.p.get_group_snapshot_schedule(&r.ctx, &t.id))
        .await?
    {
        Some(s) => Ok(ok(&s)),
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "snapshot_schedule_not_found",
            "Not found",
            "the volume group has no snapshot schedule",
        )
        .with_provider(&t.p.info().id)),
    }
}

/// Settles once the group is no longer changing; the result is the schedule then in force
/// (`null` when none).
pub(crate) fn group_schedule_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        if p.get_volume_group(&ctx, &id)
            .await?
            .status
            .is_transitional()
        {
            return Ok(Probe::Pending);
        }
        let schedule = p.get_group_snapshot_schedule(&ctx, &id).await?;
        Ok(Probe::Done(serde_json::to_value(schedule).ok()))
    })
}

/// Sets (creates or replaces) the volume group's snapshot schedule.
///
/// One schedule per group. The shape a provider accepts is under `volume_groups.schedule`
/// in its capabilities (on SCP: daily, or weekly on one day, on the hour, no retention).
#[utoipa::path(put, path = "/v1/volume-groups/{id}/snapshot-schedule", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id"), MutationParams), request_body(content = SnapshotSchedule, description = "The schedule, in the shape `volume_groups.schedule` of the provider's capabilities allows",
        example = json!({"frequency": "weekly", "days": ["sunday"], "hour": 2, "timezone": "Asia/Seoul"})),
    responses((status = 202, body = Operation, description = "Settles with the schedule in force"), (status = 200, body = Operation)))]
pub async fn put_group_schedule(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(s): ApiJson<SnapshotSchedule>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::VolumeGroup)?;
    m.run(
        &t,
        Op::GroupSchedulePut,
        |t| group_check(&t.p, |g| g.validate_schedule(&s)),
        |p, ctx, id| p.put_group_snapshot_schedule(ctx, id, &s),
    )
    .await
}

/// Removes the volume group's snapshot schedule.
#[utoipa::path(delete, path = "/v1/volume-groups/{id}/snapshot-schedule", tag = "volume-groups", params(("id" = String, Path, description = "Volume group id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_group_schedule(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::VolumeGroup)?;
    m.run(
        &t,
        Op::GroupScheduleDelete,
        |t| group_check(&t.p, |g| g.require(Feature::GroupSnapshotSchedule)),
        |p, ctx, id| p.delete_group_snapshot_schedule(ctx, id),
    )
    .await
}
