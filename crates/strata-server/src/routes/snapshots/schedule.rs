//! A volume's snapshot schedule.

use std::sync::Arc;

use axum::http::StatusCode;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{Operation, Probe};
use strata_core::provider::Provider;

use crate::routes::*;

/// The volume's snapshot schedule.
#[utoipa::path(get, path = "/v1/volumes/{id}/snapshot-schedule", tag = "snapshots", params(("id" = String, Path, description = "Volume id")),
    responses((status = 200, body = SnapshotSchedule), (status = 404, description = "No schedule is set", body = crate::problem::ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_schedule(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    t.require(Feature::SnapshotSchedule)?;
    match t.call(t.p.get_snapshot_schedule(&r.ctx, &t.id)).await? {
        Some(s) => Ok(ok(&s)),
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "snapshot_schedule_not_found",
            "Not found",
            "the volume has no snapshot schedule",
        )
        .with_provider(&t.p.info().id)),
    }
}

/// Settles once the volume is no longer changing; the result is the schedule then in force
/// (`null` when none). Some vendors (NHN) apply a schedule as an asynchronous volume update.
pub(crate) fn schedule_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        if p.get_volume(&ctx, &id).await?.status.is_transitional() {
            return Ok(Probe::Pending);
        }
        let schedule = p.get_snapshot_schedule(&ctx, &id).await?;
        Ok(Probe::Done(serde_json::to_value(schedule).ok()))
    })
}

/// Sets (creates or replaces) the volume's snapshot schedule.
///
/// One schedule per volume: `PUT` replaces whatever was there. Frequencies, time zones and the
/// retention limit are per provider (`schedule` in its capabilities).
#[utoipa::path(put, path = "/v1/volumes/{id}/snapshot-schedule", tag = "snapshots", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = SnapshotSchedule,
    responses((status = 202, body = Operation, description = "Settles with the schedule in force"), (status = 200, body = Operation)))]
pub async fn put_schedule(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(s): ApiJson<SnapshotSchedule>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run(
        &t,
        Op::SchedulePut,
        |t| t.check(|k| k.validate_schedule(&s)),
        |p, ctx, id| p.put_snapshot_schedule(ctx, id, &s),
    )
    .await
}

/// Removes the volume's snapshot schedule.
#[utoipa::path(delete, path = "/v1/volumes/{id}/snapshot-schedule", tag = "snapshots", params(("id" = String, Path, description = "Volume id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_schedule(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run(
        &t,
        Op::ScheduleDelete,
        |t| t.require(Feature::SnapshotSchedule),
        |p, ctx, id| p.delete_snapshot_schedule(ctx, id),
    )
    .await
}
