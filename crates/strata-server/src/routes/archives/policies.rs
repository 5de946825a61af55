//! The archiving policy of an archive, and the policies of every archive.

use axum::http::StatusCode;
use serde::Serialize;
use strata_core::catalogue::Op;
use strata_core::ids::ResourceType;
use strata_core::model::*;
use strata_core::operation::Operation;
use utoipa::ToSchema;

use super::archive_check;
use crate::routes::*;

/// The archive's archiving policy.
#[utoipa::path(get, path = "/v1/archives/{id}/policy", tag = "archives", params(("id" = String, Path, description = "Archive id")),
    responses((status = 200, body = ArchivePolicy), (status = 404, description = "The archive has no archiving policy (`archive_policy_not_found`)", body = crate::problem::ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_archive_policy(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Archive)?;
    archive_check(&t.p, |_| Ok(()))?;
    match t.call(t.p.get_archive_policy(&r.ctx, &t.id)).await? {
        Some(p) => Ok(ok(&p)),
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "archive_policy_not_found",
            "Not found",
            "the archive has no archiving policy",
        )
        .with_provider(&t.p.info().id)),
    }
}

/// Sets the archive's archiving policy: creates it, or changes `after_days` of the one in
/// place.
///
/// A policy copies the objects of one object storage bucket (`source_bucket`, in the
/// archive's region and not used by another archive) into the archive once they are
/// `after_days` old; archiving runs on the provider's schedule (`archives.archiving_schedule`)
/// and each run is a job (`GET /v1/archives/{id}/jobs?kind=archiving`). The source (and
/// prefix) cannot change once set: a different one is `409 failed_precondition`. Days and
/// prefix are checked against the provider's `archives` capabilities before any vendor call.
#[utoipa::path(put, path = "/v1/archives/{id}/policy", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams), request_body = PutArchivePolicy,
    responses((status = 202, body = Operation, description = "Settles with the policy in force"), (status = 200, body = Operation)))]
pub async fn put_archive_policy(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PutArchivePolicy>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Archive)?;
    m.run(
        &t,
        Op::ArchivePolicyPut,
        |t| archive_check(&t.p, |a| a.check_policy(&req)),
        |p, ctx, id| p.put_archive_policy(ctx, id, &req),
    )
    .await
}

/// Pauses scheduled archiving (jobs already running go on; cancel them with
/// `POST /v1/archive-jobs/{id}/cancel`). Only where the provider's `archives.policy_pause`
/// is `true`; an archive without a policy is `409 failed_precondition`.
#[utoipa::path(post, path = "/v1/archives/{id}/policy/pause", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams),
    responses((status = 202, body = Operation, description = "Settles with the paused policy"), (status = 200, body = Operation)))]
pub async fn pause_archive_policy(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    set_enabled(m, id, false).await
}

/// Resumes scheduled archiving. Only where the provider's `archives.policy_pause` is `true`;
/// an archive without a policy is `409 failed_precondition`.
#[utoipa::path(post, path = "/v1/archives/{id}/policy/resume", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams),
    responses((status = 202, body = Operation, description = "Settles with the resumed policy"), (status = 200, body = Operation)))]
pub async fn resume_archive_policy(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    set_enabled(m, id, true).await
}

async fn set_enabled(m: Mutation, id: String, enabled: bool) -> ApiResult {
    let t = m.target(&id, ResourceType::Archive)?;
    m.run(
        &t,
        Op::ArchivePolicyEnable,
        |t| archive_check(&t.p, |a| a.check_pause()),
        |p, ctx, id| p.set_archive_policy_enabled(ctx, id, enabled),
    )
    .await
}

/// A page of archiving policies across providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArchivePolicyList {
    /// The policies of this page, by archive id.
    pub policies: Vec<ArchivePolicy>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Providers that could not be listed; the page holds everything else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<UnreachableProvider>,
}

/// Lists the archiving policies of every archive across the providers the token may use
/// that offer archives (archives without a policy are left out).
#[utoipa::path(get, path = "/v1/archive-policies", tag = "archives", params(lists::ProviderListParams), responses((status = 200, body = ArchivePolicyList)))]
pub async fn list_archive_policies(
    r: Req,
    ApiQuery(q): ApiQuery<lists::ProviderListParams>,
) -> ApiResult {
    let merged = lists::across(
        &r,
        lists::Across {
            named: q.provider.as_deref(),
            require: &|p| archive_check(p, |_| Ok(())),
            select: &|p| p.capabilities().archives.is_some(),
            fingerprint: &["archive-policies", q.provider.as_deref().unwrap_or("")],
            page: (q.page_size, q.page_token.as_deref()),
        },
        |p, ctx, req| async move { p.list_archive_policies(&ctx, &req).await },
        |a: &ArchivePolicy| a.archive_id.clone(),
    )
    .await?;
    Ok(ok(&ArchivePolicyList {
        policies: merged.items,
        next_page_token: merged.next_page_token,
        unreachable: merged.unreachable.into_iter().map(Into::into).collect(),
    }))
}
