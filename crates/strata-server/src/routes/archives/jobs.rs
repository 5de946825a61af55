//! Archiving runs and recoveries of an archive.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use strata_core::catalogue::Op;
use strata_core::ids::ResourceType;
use strata_core::model::*;
use strata_core::operation::Operation;
use utoipa::{IntoParams, ToSchema};

use super::archive_check;
use crate::routes::backups::page_of;
use crate::routes::*;

/// How far back a job list reaches when `since` is left out.
pub const DEFAULT_JOB_WINDOW_DAYS: i64 = 30;

/// Filters and paging of an archive's job list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchiveJobListParams {
    /// Only archiving runs or only recoveries; absent: both.
    pub kind: Option<ArchiveJobKind>,
    /// Only jobs in this state.
    pub status: Option<JobStatus>,
    /// Jobs started at or after this instant (RFC 3339); default 30 days before `until`.
    pub since: Option<DateTime<Utc>>,
    /// Jobs started at or before this instant (RFC 3339); default now.
    pub until: Option<DateTime<Utc>>,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// A page of an archive's jobs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArchiveJobList {
    /// The jobs of this page, newest first.
    pub jobs: Vec<ArchiveJob>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The archive's archiving runs and recoveries that started in a time window (by default the
/// last 30 days; a window whose `since` is after its `until` is empty), newest first. Lists
/// leave `progress` out: read one job for it.
#[utoipa::path(get, path = "/v1/archives/{id}/jobs", tag = "archives", params(("id" = String, Path, description = "Archive id"), ArchiveJobListParams), responses((status = 200, body = ArchiveJobList)))]
pub async fn list_archive_jobs(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ArchiveJobListParams>,
) -> ApiResult {
    let t = r.target(&id, ResourceType::Archive)?;
    archive_check(&t.p, |_| Ok(()))?;
    // Later pages read the window the first page resolved (its `until` defaulted to that
    // moment) with the same filters: jobs starting meanwhile cannot shift the pages.
    let (until, inner) = match q.page_token.as_deref() {
        // To the millisecond, as the token keeps it, rounded up (a job that started in this
        // very millisecond is in the window).
        None => (ceil_millis(q.until.unwrap_or_else(Utc::now)), None),
        Some(token) => {
            let (until, inner) = JobsToken::read(token)?;
            if q.until
                .is_some_and(|u| u.timestamp_millis() != until.timestamp_millis())
            {
                return Err(Problem::from(strata_core::Error::InvalidPageToken));
            }
            (until, Some(inner))
        }
    };
    let since = q
        .since
        .unwrap_or_else(|| until - Duration::days(DEFAULT_JOB_WINDOW_DAYS));
    let bound = JobsToken::bound(&id, &q, since, until);
    if let Some(inner) = &inner {
        if inner.0 != bound {
            return Err(Problem::from(strata_core::Error::InvalidPageToken));
        }
    }
    if since > until {
        // An empty window: nothing started in it.
        return Ok(ok(&ArchiveJobList {
            jobs: vec![],
            next_page_token: None,
        }));
    }
    let filter = ArchiveJobFilter {
        kind: q.kind,
        status: q.status,
        since,
        until,
    };
    let page = page_of(
        &t.p,
        PageParams {
            page_size: q.page_size,
            page_token: inner.map(|i| i.1),
        },
    );
    let jobs = t
        .call(t.p.list_archive_jobs(&r.ctx, &t.id, &filter, &page))
        .await?;
    let next = jobs
        .next_page_token
        .map(|inner| JobsToken::write(until, &bound, &inner));
    Ok(ok(&ArchiveJobList {
        jobs: jobs.items,
        next_page_token: next,
    }))
}

/// `t` rounded up to the millisecond.
fn ceil_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    let ms = t.timestamp_millis();
    let down = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or(t);
    if down < t {
        DateTime::<Utc>::from_timestamp_millis(ms.saturating_add(1)).unwrap_or(t)
    } else {
        down
    }
}

/// A job list's page token: the window's end as the first page resolved it, a fingerprint
/// of the archive, filters and window, then the provider's own token.
struct JobsToken;

impl JobsToken {
    fn write(until: DateTime<Utc>, bound: &str, inner: &str) -> String {
        format!("{}.{bound}.{inner}", until.timestamp_millis())
    }

    /// The window's end and (fingerprint, the provider's token).
    fn read(token: &str) -> Result<(DateTime<Utc>, (String, String)), Problem> {
        let bad = || Problem::from(strata_core::Error::InvalidPageToken);
        let mut parts = token.splitn(3, '.');
        let ms: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let bound = parts.next().ok_or_else(bad)?;
        let inner = parts.next().filter(|i| !i.is_empty()).ok_or_else(bad)?;
        let until = DateTime::<Utc>::from_timestamp_millis(ms).ok_or_else(bad)?;
        Ok((until, (bound.to_string(), inner.to_string())))
    }

    fn bound(
        id: &str,
        q: &ArchiveJobListParams,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> String {
        strata_core::paging::fingerprint(&[
            "archive-jobs",
            id,
            &format!("{:?}", q.kind),
            &format!("{:?}", q.status),
            &since.timestamp_millis().to_string(),
            &until.timestamp_millis().to_string(),
        ])
    }
}

/// One archiving run or recovery, with its progress per path.
#[utoipa::path(get, path = "/v1/archive-jobs/{id}", tag = "archives", params(("id" = String, Path, description = "Archive job id")), responses((status = 200, body = ArchiveJob)))]
pub async fn get_archive_job(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::ArchiveJob)?;
    t.answer(t.p.get_archive_job(&r.ctx, &t.id)).await
}

/// Cancels a running archiving run or recovery (what it copied so far stays). The operation
/// settles with the job once it stopped; a job that already finished is
/// `409 failed_precondition`.
#[utoipa::path(post, path = "/v1/archive-jobs/{id}/cancel", tag = "archives", params(("id" = String, Path, description = "Archive job id"), MutationParams),
    responses((status = 202, body = Operation, description = "Settles with the stopped job"), (status = 200, body = Operation)))]
pub async fn cancel_archive_job(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::ArchiveJob)?;
    m.run(
        &t,
        Op::ArchiveJobCancel,
        |t| archive_check(&t.p, |_| Ok(())),
        |p, ctx, id| p.cancel_archive_job(ctx, id),
    )
    .await
}
