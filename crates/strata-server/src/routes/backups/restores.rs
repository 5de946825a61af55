//! Recovery points of a backup policy and restores from them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::Operation;
use strata_core::provider::Provider;
use utoipa::{IntoParams, ToSchema};

use super::{backup_check, page_of};
use crate::routes::*;

pub(crate) fn restore_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_restore_job(ctx, id))
}

/// A page of a backup policy's recovery points.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryPointList {
    /// The recovery points of this page, newest first.
    pub recovery_points: Vec<RecoveryPoint>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The points a backup policy can be restored to, newest first.
#[utoipa::path(get, path = "/v1/backups/{id}/recovery-points", tag = "backups", params(("id" = String, Path, description = "Backup id"), PageParams), responses((status = 200, body = RecoveryPointList)))]
pub async fn list_recovery_points(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult {
    let t = r.target(&id, ResourceType::Backup)?;
    let page = t
        .call(t.p.list_recovery_points(&r.ctx, &t.id, &page_of(&t.p, q)))
        .await?;
    Ok(ok(&RecoveryPointList {
        recovery_points: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// Deletes a recovery point before its retention ends.
#[utoipa::path(delete, path = "/v1/recovery-points/{id}", tag = "backups", params(("id" = String, Path, description = "Recovery point id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_recovery_point(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::RecoveryPoint)?;
    m.run(
        &t,
        Op::RecoveryPointDelete,
        |t| backup_check(&t.p, |_| Ok(())),
        |p, ctx, id| p.delete_recovery_point(ctx, id),
    )
    .await
}

/// Restores a recovery point: an `image` backup to a new server (`server`), a `filesystem`
/// backup onto a server's paths (`filesystem`).
///
/// The recovery point must be one of the backup's. A new server's name already in use is
/// `409 already_exists` before anything is restored. The operation settles with the restore
/// once the vendor's restore history shows it finished.
#[utoipa::path(post, path = "/v1/backups/{id}/restore", tag = "backups", params(("id" = String, Path, description = "Backup id"), MutationParams), request_body = RestoreBackup,
    responses((status = 202, body = Operation, description = "Settles with the finished restore"), (status = 200, body = Operation)))]
pub async fn restore_backup(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RestoreBackup>,
) -> ApiResult {
    let b = m.target(&id, ResourceType::Backup)?;
    backup_check(&b.p, |_| Ok(()))?;
    let rp = parse_id(&req.recovery_point_id, ResourceType::RecoveryPoint).map_err(|mut e| {
        e.field = Some("recovery_point_id".into());
        e
    })?;
    if rp.provider != b.id.provider || rp.parent.as_deref() != Some(b.id.vendor_id.as_str()) {
        return Err(Problem::from(strata_core::Error::unsupported_value(
            "recovery_point_id",
            "the recovery point is not one of this backup's",
        ))
        .with_provider(&b.p.info().id));
    }
    if let Some(f) = &req.filesystem {
        crate::routes::volumes::server_ref(&b.p, &f.server_id)?;
    }
    let backup = b.call(b.p.get_backup(&m.ctx, &b.id)).await?;
    backup_check(&b.p, |c| c.validate_restore(backup.kind, &req))?;
    let job = b.call(b.p.restore_backup(&m.ctx, &b.id, &req)).await?;
    let t = Target::returned(&b.p, &job.id, ResourceType::RestoreJob)?;
    m.track(Op::BackupRestore, t).await
}

/// A page of a backup policy's restores.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestoreJobList {
    /// The restores of this page, newest first.
    pub restores: Vec<RestoreJob>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The restores made from a backup policy, newest first.
#[utoipa::path(get, path = "/v1/backups/{id}/restores", tag = "backups", params(("id" = String, Path, description = "Backup id"), PageParams), responses((status = 200, body = RestoreJobList)))]
pub async fn list_backup_restores(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult {
    let t = r.target(&id, ResourceType::Backup)?;
    let page = t
        .call(t.p.list_restore_jobs(&r.ctx, &t.id, &page_of(&t.p, q)))
        .await?;
    Ok(ok(&RestoreJobList {
        restores: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// One restore.
#[utoipa::path(get, path = "/v1/restore-jobs/{id}", tag = "backups", params(("id" = String, Path, description = "Restore job id")), responses((status = 200, body = RestoreJob)))]
pub async fn get_restore_job(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::RestoreJob)?;
    t.answer(t.p.get_restore_job(&r.ctx, &t.id)).await
}

/// The region filter of the restore subnet list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubnetParams {
    /// The region of the new server (the backup's, or the region its recovery points are
    /// copied to); absent: the backup's.
    #[param(max_length = 255)]
    pub region: Option<String>,
}

/// Subnets a new server restored from an image backup can use.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestoreSubnetList {
    /// The subnets.
    pub subnets: Vec<RestoreSubnet>,
}

/// The subnets a server restored from an `image` backup can be placed in.
#[utoipa::path(get, path = "/v1/backups/{id}/restore-subnets", tag = "backups", params(("id" = String, Path, description = "Backup id"), SubnetParams), responses((status = 200, body = RestoreSubnetList)))]
pub async fn list_restore_subnets(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<SubnetParams>,
) -> ApiResult {
    let t = r.target(&id, ResourceType::Backup)?;
    let subnets = t
        .call(t.p.list_restore_subnets(&r.ctx, &t.id, q.region.as_deref()))
        .await?;
    Ok(ok(&RestoreSubnetList { subnets }))
}

/// Servers a backup can be restored onto, or protected.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupTargetList {
    /// The servers of this page.
    pub targets: Vec<BackupTarget>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The servers a `filesystem` backup can be restored onto (they have a backup agent).
#[utoipa::path(get, path = "/v1/backups/{id}/restore-servers", tag = "backups", params(("id" = String, Path, description = "Backup id"), PageParams), responses((status = 200, body = BackupTargetList)))]
pub async fn list_restore_servers(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult {
    let t = r.target(&id, ResourceType::Backup)?;
    let page = t
        .call(t.p.list_restore_servers(&r.ctx, &t.id, &page_of(&t.p, q)))
        .await?;
    Ok(ok(&BackupTargetList {
        targets: page.items,
        next_page_token: page.next_page_token,
    }))
}
