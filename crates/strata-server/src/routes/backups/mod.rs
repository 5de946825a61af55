//! Backup policies, their runs and jobs; recovery points and restores, and backup agents
//! and the servers they protect, have a file each.

mod agents;
mod restores;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strata_core::capability::BackupCapabilities;
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::error::Result as CoreResult;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::Operation;
use strata_core::paging::{effective_page_size, PageRequest};
use strata_core::provider::Provider;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use agents::*;
pub use restores::*;

use super::*;
use crate::state::AppState;

/// The backup routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_backups, create_backup))
        .routes(routes!(get_backup, update_backup, delete_backup))
        .routes(routes!(run_backup))
        .routes(routes!(list_backup_jobs))
        .routes(routes!(get_backup_job))
        .routes(routes!(list_recovery_points))
        .routes(routes!(delete_recovery_point))
        .routes(routes!(restore_backup))
        .routes(routes!(list_backup_restores))
        .routes(routes!(get_restore_job))
        .routes(routes!(list_restore_subnets))
        .routes(routes!(list_restore_servers))
        .routes(routes!(list_backup_targets))
        .routes(routes!(list_backup_agents, create_backup_agent))
        .routes(routes!(get_backup_agent, delete_backup_agent))
        .routes(routes!(check_backup_agent))
        .routes(routes!(get_agent_installer))
        .routes(routes!(list_agent_targets))
}

/// Checks a request against the provider's backup capabilities, before any vendor call
/// (`unsupported_by_provider` where the provider has no backups).
pub(crate) fn backup_check(
    p: &Arc<dyn Provider>,
    f: impl FnOnce(&BackupCapabilities) -> CoreResult<()>,
) -> Result<(), Problem> {
    p.capabilities()
        .backups()
        .and_then(f)
        .map_err(|e| super::named(p, e))
}

/// A page request for one provider, capped at what it serves.
pub(crate) fn page_of(p: &Arc<dyn Provider>, q: PageParams) -> PageRequest {
    PageRequest {
        page_size: effective_page_size(q.page_size).min(p.capabilities().max_page_size.max(1)),
        page_token: q.page_token,
    }
}

pub(crate) fn backup_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_backup(ctx, id))
}

pub(crate) fn job_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_backup_job(ctx, id))
}

/// A page of backup policies across providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupList {
    /// The policies of this page, by name.
    pub backups: Vec<Backup>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Providers that could not be listed; the page holds everything else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<UnreachableProvider>,
}

/// Lists backup policies across every provider the token may use that offers backups,
/// merged by name (paged and merged like `GET /v1/volumes`).
#[utoipa::path(get, path = "/v1/backups", tag = "backups", params(lists::NamedListParams), responses((status = 200, body = BackupList)))]
pub async fn list_backups(r: Req, ApiQuery(q): ApiQuery<lists::NamedListParams>) -> ApiResult {
    let filter = BackupFilter {
        name: q.name.clone(),
    };
    let merged = lists::across(
        &r,
        lists::Across {
            named: q.provider.as_deref(),
            require: &|p| backup_check(p, |_| Ok(())),
            select: &|p| p.capabilities().backups.is_some(),
            fingerprint: &[
                "backups",
                q.provider.as_deref().unwrap_or(""),
                q.name.as_deref().unwrap_or(""),
            ],
            page: (q.page_size, q.page_token.as_deref()),
        },
        |p, ctx, req| {
            let filter = filter.clone();
            async move { p.list_backups(&ctx, &filter, &req).await }
        },
        |b: &Backup| (b.name.clone(), b.id.clone()),
    )
    .await?;
    Ok(ok(&BackupList {
        backups: merged.items,
        next_page_token: merged.next_page_token,
        unreachable: merged.unreachable.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a backup policy for one server; answers with the operation that tracks it.
///
/// Checked against the provider's `backups` capabilities (kinds, server types, retentions,
/// schedule forms, paths, replication) before any vendor call; a name (or, for `filesystem`
/// policies, a path) already in use is `409 already_exists` before anything is created.
#[utoipa::path(post, path = "/v1/backups", tag = "backups", params(MutationParams), request_body = CreateBackup,
    responses((status = 202, body = Operation, description = "Accepted; poll the operation"), (status = 200, body = Operation, description = "Done within `wait`")))]
pub async fn create_backup(m: Mutation, ApiJson(req): ApiJson<CreateBackup>) -> ApiResult {
    let p = m.provider(&req.provider)?;
    backup_check(&p, |b| b.validate_create(&req))?;
    crate::routes::volumes::server_ref(&p, &req.server_id)?;
    let b = provider_call(&p, p.create_backup(&m.ctx, &req)).await?;
    let t = Target::returned(&p, &b.id, ResourceType::Backup)?;
    m.track(Op::BackupCreate, t).await
}

/// One backup policy.
#[utoipa::path(get, path = "/v1/backups/{id}", tag = "backups", params(("id" = String, Path, description = "Backup id")), responses((status = 200, body = Backup)))]
pub async fn get_backup(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Backup)?;
    t.answer(t.p.get_backup(&r.ctx, &t.id)).await
}

/// Changes a policy's retention, schedule, paths or cross-region copy.
///
/// Only the fields present change; name, kind, server and encryption are fixed at creation.
#[utoipa::path(patch, path = "/v1/backups/{id}", tag = "backups", params(("id" = String, Path, description = "Backup id"), MutationParams), request_body = UpdateBackup,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn update_backup(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateBackup>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Backup)?;
    backup_check(&t.p, |b| b.validate_update(None, &req))?;
    m.preconditions().await?;
    if req.paths.is_some() {
        // Paths are checked against the policy's kind, which only the policy knows.
        let current = t.call(t.p.get_backup(&m.ctx, &t.id)).await?;
        backup_check(&t.p, |b| b.validate_update(Some(current.kind), &req))?;
    }
    t.call(t.p.update_backup(&m.ctx, &t.id, &req)).await?;
    m.track(Op::BackupUpdate, t).await
}

/// Deletes a backup policy (and, at the vendor, its recovery points).
#[utoipa::path(delete, path = "/v1/backups/{id}", tag = "backups", params(("id" = String, Path, description = "Backup id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_backup(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::Backup)?;
    m.run(
        &t,
        Op::BackupDelete,
        |t| backup_check(&t.p, |_| Ok(())),
        |p, ctx, id| p.delete_backup(ctx, id),
    )
    .await
}

/// Runs a backup policy now.
///
/// The operation settles with the backup job once the vendor's history shows it finished:
/// `succeeded`, `partially_succeeded` (the operation succeeds; see the job) or `failed`.
#[utoipa::path(post, path = "/v1/backups/{id}/run", tag = "backups", params(("id" = String, Path, description = "Backup id"), MutationParams),
    responses((status = 202, body = Operation, description = "Settles with the finished job"), (status = 200, body = Operation)))]
pub async fn run_backup(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let b = m.target(&id, ResourceType::Backup)?;
    backup_check(&b.p, |_| Ok(()))?;
    let job = b.call(b.p.run_backup(&m.ctx, &b.id)).await?;
    let t = Target::returned(&b.p, &job.id, ResourceType::BackupJob)?;
    m.track(Op::BackupRun, t).await
}

/// Paging and the state filter of a backup's job list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobListParams {
    /// Only jobs in this state.
    pub status: Option<JobStatus>,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// A page of a backup policy's jobs.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupJobList {
    /// The jobs of this page, newest first.
    pub jobs: Vec<BackupJob>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// A backup policy's jobs (scheduled and manual runs), newest first.
#[utoipa::path(get, path = "/v1/backups/{id}/jobs", tag = "backups", params(("id" = String, Path, description = "Backup id"), JobListParams), responses((status = 200, body = BackupJobList)))]
pub async fn list_backup_jobs(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<JobListParams>,
) -> ApiResult {
    let t = r.target(&id, ResourceType::Backup)?;
    let page = page_of(
        &t.p,
        PageParams {
            page_size: q.page_size,
            page_token: q.page_token,
        },
    );
    let jobs = t
        .call(t.p.list_backup_jobs(&r.ctx, &t.id, q.status, &page))
        .await?;
    Ok(ok(&BackupJobList {
        jobs: jobs.items,
        next_page_token: jobs.next_page_token,
    }))
}

/// One backup job.
#[utoipa::path(get, path = "/v1/backup-jobs/{id}", tag = "backups", params(("id" = String, Path, description = "Backup job id")), responses((status = 200, body = BackupJob)))]
pub async fn get_backup_job(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::BackupJob)?;
    t.answer(t.p.get_backup_job(&r.ctx, &t.id)).await
}
