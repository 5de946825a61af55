//! Archives: cold-tier buckets an archiving policy fills from an object storage bucket, their
//! objects and object versions, and the jobs (archiving runs, recoveries) they run.

use std::sync::Arc;

use strata_core::context::CallCtx;
use strata_core::ids::GlobalId;
use strata_core::operation::Probe;
use strata_core::provider::Provider;

use super::*;

pub(crate) fn archive_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_archive(ctx, id))
}

pub(crate) fn archive_job_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_archive_job(ctx, id))
}

/// The policy changes synchronously at the vendor: the result is the policy as it stands.
pub(crate) fn policy_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        let policy = p.get_archive_policy(&ctx, &id).await?;
        Ok(Probe::Done(serde_json::to_value(policy).ok()))
    })
}

mod jobs;
mod objects;
mod policies;

pub use jobs::*;
pub use objects::*;
pub use policies::*;

use serde::Serialize;
use strata_core::capability::ArchiveCapabilities;
use strata_core::catalogue::Op;
use strata_core::error::Result as CoreResult;
use strata_core::ids::ResourceType;
use strata_core::model::*;
use strata_core::operation::Operation;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The archive routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_archives, create_archive))
        .routes(routes!(get_archive, update_archive, delete_archive))
        .routes(routes!(list_archive_objects))
        .routes(routes!(delete_archive_objects))
        .routes(routes!(list_object_versions))
        .routes(routes!(delete_object_versions))
        .routes(routes!(recover_object_version))
        .routes(routes!(recover_archive_objects))
        .routes(routes!(get_archive_policy, put_archive_policy))
        .routes(routes!(pause_archive_policy))
        .routes(routes!(resume_archive_policy))
        .routes(routes!(list_archive_policies))
        .routes(routes!(list_archive_jobs))
        .routes(routes!(get_archive_job))
        .routes(routes!(cancel_archive_job))
}

/// Checks a request against the provider's archive capabilities, before any vendor call
/// (`unsupported_by_provider` where the provider has no archives).
pub(crate) fn archive_check(
    p: &Arc<dyn Provider>,
    f: impl FnOnce(&ArchiveCapabilities) -> CoreResult<()>,
) -> Result<(), Problem> {
    p.capabilities()
        .archives()
        .and_then(f)
        .map_err(|e| super::named(p, e))
}

/// A page of archives across providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArchiveList {
    /// The archives of this page, by name.
    pub archives: Vec<Archive>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Providers that could not be listed; the page holds everything else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<UnreachableProvider>,
}

/// Lists archives across every provider the token may use that offers archives, merged by
/// name (paged and merged like `GET /v1/volumes`).
#[utoipa::path(get, path = "/v1/archives", tag = "archives", params(lists::NamedListParams), responses((status = 200, body = ArchiveList)))]
pub async fn list_archives(r: Req, ApiQuery(q): ApiQuery<lists::NamedListParams>) -> ApiResult {
    let filter = ArchiveFilter {
        name: q.name.clone(),
    };
    let merged = lists::across(
        &r,
        lists::Across {
            named: q.provider.as_deref(),
            require: &|p| archive_check(p, |_| Ok(())),
            select: &|p| p.capabilities().archives.is_some(),
            fingerprint: &[
                "archives",
                q.provider.as_deref().unwrap_or(""),
                q.name.as_deref().unwrap_or(""),
            ],
            page: (q.page_size, q.page_token.as_deref()),
        },
        |p, ctx, req| {
            let filter = filter.clone();
            async move { p.list_archives(&ctx, &filter, &req).await }
        },
        |a: &Archive| (a.name.clone(), a.id.clone()),
    )
    .await?;
    Ok(ok(&ArchiveList {
        archives: merged.items,
        next_page_token: merged.next_page_token,
        unreachable: merged.unreachable.into_iter().map(Into::into).collect(),
    }))
}

/// Creates an archive, with its encryption and versioning settings; answers with the
/// operation that tracks it.
///
/// The name must fit the provider's `archives.name` rules (checked before any vendor call)
/// and be unused (`409 already_exists`). Where the vendor sets encryption or versioning only
/// after creation (SCP), the operation does both steps.
#[utoipa::path(post, path = "/v1/archives", tag = "archives", params(MutationParams), request_body = CreateArchive,
    responses((status = 202, body = Operation, description = "Accepted; poll the operation"), (status = 200, body = Operation, description = "Done within `wait`")))]
pub async fn create_archive(m: Mutation, ApiJson(req): ApiJson<CreateArchive>) -> ApiResult {
    let p = m.provider(&req.provider)?;
    archive_check(&p, |a| a.check_create(&req))?;
    let a = provider_call(&p, p.create_archive(&m.ctx, &req)).await?;
    let t = Target::returned(&p, &a.id, ResourceType::Archive)?;
    m.track(Op::ArchiveCreate, t).await
}

/// One archive.
#[utoipa::path(get, path = "/v1/archives/{id}", tag = "archives", params(("id" = String, Path, description = "Archive id")), responses((status = 200, body = Archive)))]
pub async fn get_archive(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Archive)?;
    t.answer(t.p.get_archive(&r.ctx, &t.id)).await
}

/// Turns an archive's encryption or versioning on or off.
///
/// Encryption applies to objects archived from then on. Versioning only where the provider's
/// `archives.versioning` is `true`.
#[utoipa::path(patch, path = "/v1/archives/{id}", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams), request_body = UpdateArchive,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn update_archive(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateArchive>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Archive)?;
    m.run(
        &t,
        Op::ArchiveUpdate,
        |t| archive_check(&t.p, |a| a.check_update(&req)),
        |p, ctx, id| p.update_archive(ctx, id, &req),
    )
    .await
}

/// Deletes an archive (it must hold no objects and run no job) and its policy.
#[utoipa::path(delete, path = "/v1/archives/{id}", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_archive(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::Archive)?;
    m.run(
        &t,
        Op::ArchiveDelete,
        |t| archive_check(&t.p, |_| Ok(())),
        |p, ctx, id| p.delete_archive(ctx, id),
    )
    .await
}
