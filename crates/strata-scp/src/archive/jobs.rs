//! Archiving runs and recoveries as archive jobs (§4.4, §4.5): recovery (RecoverObjects,
//! RecoverObjectVersions) and the discovery of the job it started, the merged job list,
//! a job's detail and its cancellation.
//!
//! **Discovery** (§4.5.1). The recovery calls answer `{id, recovery_target_bucket_name}`,
//! and `id` is most likely the bucket's own id. So, after the call (noting the time `t`
//! just before it):
//! 1. an answer `id` starting with `EXE-` or `ARC-` is looked for as a history `id` or
//!    `recovery_id`;
//! 2. otherwise the recovery histories of the window [`t` − [`WINDOW`], now + [`WINDOW`]]
//!    are listed, and the candidates are those of the same target bucket that started at or
//!    after `t` − [`SKEW`] (a vendor clock behind ours): the newest (the vendor's order
//!    breaks ties of `start_at`, which has whole seconds), or, when several are candidates,
//!    the newest whose `recovery_infos` paths are the request's (ShowRecoveryHistory).
//!
//! The listing is retried [`ATTEMPTS`] times, [`PAUSE`] apart, for a history that appears
//! late. Nothing is listed before the call, so a dry run shows the recovery call itself,
//! exactly as a real run sends it first. Two recoveries of the same paths into the same
//! bucket started within [`SKEW`] of each other are told apart only by the vendor's order.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use strata_core::error::{sanitize_vendor_text, Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};

use super::api::{self, History, Window};
use super::{map, wire, ArchiveService};
use crate::shared::wire::decode;

/// Half the window around a recovery call its history is listed in.
const WINDOW: Duration = Duration::from_secs(600);
/// How far behind ours the vendor's clock may be when a new history is looked for.
const SKEW: Duration = Duration::from_secs(60);
/// Lookups of a new history after the call.
const ATTEMPTS: u32 = 12;
/// First pause between lookups; it doubles up to [`MAX_PAUSE`] (about 17 s in all).
const PAUSE: Duration = Duration::from_millis(200);
/// Longest pause between lookups.
const MAX_PAUSE: Duration = Duration::from_secs(2);
/// Rows one discovery listing reads.
const DISCOVERY_ROWS: u32 = 100;
/// Most histories a discovery confirms by their paths.
const CONFIRMS: usize = 5;
/// Largest vendor page of histories.
const MAX_HISTORIES: u32 = 100;
/// Most history list calls one page of jobs makes (a status filter the vendor is not sent
/// may drop rows here; a page that stops at the bound is short, with a token).
const MAX_JOB_CALLS: usize = 6;

/// One of the two history lists while a page of jobs is merged: `head` is the vendor offset
/// of `rows[0]` (of the next row to fetch when `rows` is empty), `more` whether the vendor
/// has rows after those fetched, `state` the vendor filter sent (only the documented
/// `SUCCESS`; other states are filtered here).
struct JobList {
    kind: History,
    head: u64,
    rows: VecDeque<(wire::History, Value)>,
    more: bool,
    state: Option<&'static str>,
}

fn span(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or_default()
}

/// The vendor accepted the recovery but its job could not be told apart: not retryable (a
/// resend would start a second recovery).
fn not_listed() -> Error {
    Error::failed_precondition(
        "the vendor accepted the recovery, but its job did not show in the recovery history \
         in time: do not resend it; follow it with GET /v1/archives/{id}/jobs?kind=recovery",
    )
}

/// What identifies a recovery's history.
struct Wanted<'a> {
    target: &'a str,
    paths: Vec<String>,
}

impl ArchiveService {
    /// The recovery histories of the discovery window ending at `to`, as (row, raw).
    async fn recent_recoveries(
        &self,
        bid: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(wire::History, Value)>> {
        let w = Window {
            from,
            to,
            state: None,
            offset: 0,
            limit: DISCOVERY_ROWS,
        };
        let raw = api::list_histories(&self.api, History::Recovery, bid, &w)
            .await
            .map_err(self.gone(bid))?;
        let l: wire::HistoryList = decode(&raw)?;
        l.contents
            .into_iter()
            .map(|v| Ok((decode(&v)?, v)))
            .collect()
    }

    /// Sends a recovery call (`send`) and finds the job it started (see the module doc).
    async fn recover<F, Fut>(&self, bid: &str, want: Wanted<'_>, send: F) -> Result<ArchiveJob>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Value>>,
    {
        let start = Utc::now();
        let from = start - span(WINDOW);
        let answer = match send().await {
            Ok(a) => a,
            Err(e) => {
                return Err(match self.object_404(bid, e).await {
                    // The archive is there: the vendor found no target bucket, no archived
                    // object at a path, or no such version.
                    Error::VendorRejected {
                        vendor_status: 404,
                        message,
                        ..
                    } => Error::failed_precondition(format!(
                        "the target bucket `{}` or something to recover is not there: {}",
                        want.target,
                        sanitize_vendor_text(&message)
                    )),
                    e => e,
                });
            }
        };
        let answer: wire::IdOnly = decode(&answer)?;
        let hint = answer
            .id
            .filter(|i| i.starts_with("EXE-") || i.starts_with("ARC-"));
        let mut pause = PAUSE;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_PAUSE);
            }
            let last = attempt + 1 == ATTEMPTS;
            // The vendor has accepted the recovery: a failed lookup is tried again, never
            // reported as the request's failure (a client would resend it).
            let Ok(rows) = self
                .recent_recoveries(bid, from, Utc::now() + span(WINDOW))
                .await
            else {
                continue;
            };
            if let Some(hint) = &hint {
                let found = rows.iter().find(|(h, _)| {
                    h.id.as_deref() == Some(hint) || h.recovery_id.as_deref() == Some(hint)
                });
                if let Some((h, v)) = found {
                    return map::job(&self.ids, History::Recovery, bid, h, v)
                        .ok_or_else(not_listed);
                }
                if !last {
                    continue;
                }
            }
            let since = start - span(SKEW);
            let mut fresh: Vec<&(wire::History, Value)> = rows
                .iter()
                .filter(|(h, _)| {
                    h.id.is_some()
                        && h.recovery_target_bucket_name.as_deref() == Some(want.target)
                        && map::when(&h.start_at).is_none_or(|t| t >= since)
                })
                .collect();
            // Newest first; a stable sort keeps the vendor's order among equal times.
            fresh.sort_by_key(|(h, _)| std::cmp::Reverse(map::when(&h.start_at)));
            // Only a history with exactly the request's paths is taken (another recovery into
            // the same bucket may have started just before); the newest candidate is taken
            // unconfirmed only on the last lookup.
            let pick = match fresh.first() {
                None => None,
                Some(newest) => self
                    .confirm(bid, &fresh, &want.paths)
                    .await
                    .unwrap_or(None)
                    .or(last.then_some(*newest)),
            };
            if let Some((h, v)) = pick {
                return map::job(&self.ids, History::Recovery, bid, h, v).ok_or_else(not_listed);
            }
        }
        Err(not_listed())
    }

    /// The first (newest) of `fresh` whose detail's paths are `paths`.
    async fn confirm<'r>(
        &self,
        bid: &str,
        fresh: &[&'r (wire::History, Value)],
        paths: &[String],
    ) -> Result<Option<&'r (wire::History, Value)>> {
        let mut want: Vec<&str> = paths.iter().map(|p| norm(p)).collect();
        want.sort();
        for row in fresh.iter().take(CONFIRMS) {
            let Some(hid) = row.0.id.as_deref() else {
                continue;
            };
            let raw = api::show_history(&self.api, History::Recovery, bid, hid)
                .await
                .map_err(self.gone(bid))?;
            let d: wire::History = decode(&raw)?;
            let mut got: Vec<&str> = d
                .recovery_infos
                .iter()
                .filter_map(|i| i.source_object_path.as_deref().map(norm))
                .collect();
            got.sort();
            if got == want {
                return Ok(Some(*row));
            }
        }
        Ok(None)
    }

    /// RecoverObjects, then the job it started.
    pub async fn recover_archive_objects(
        &self,
        bid: &str,
        req: &RecoverObjects,
    ) -> Result<ArchiveJob> {
        let infos: Vec<Value> = req
            .items
            .iter()
            .map(|i| {
                json!({
                    "source_object_path": i.path,
                    "object_type": map::object_type_wire(i.object_type),
                })
            })
            .collect();
        let body = json!({
            "recovery_target_bucket_name": req.target_bucket,
            "recovery_infos": infos,
            "overwrite": req.overwrite,
        });
        let want = Wanted {
            target: &req.target_bucket,
            paths: req.items.iter().map(|i| i.path.clone()).collect(),
        };
        self.recover(bid, want, || api::recover_objects(&self.api, bid, &body))
            .await
    }

    /// RecoverObjectVersions (1.1), then the job it started.
    pub async fn recover_object_version(
        &self,
        bid: &str,
        req: &RecoverVersion,
    ) -> Result<ArchiveJob> {
        let v = self.v11("archive.versions.recover")?;
        let body = json!({
            "recovery_target_bucket_name": req.target_bucket,
            "source_object_path": req.key,
            "source_object_version": req.version_id,
            "overwrite": req.overwrite,
        });
        let want = Wanted {
            target: &req.target_bucket,
            paths: vec![req.key.clone()],
        };
        self.recover(bid, want, || api::recover_version(&self.api, v, bid, &body))
            .await
    }

    /// The archive's archiving runs and recoveries in the filter's window, newest first,
    /// merged from the two history lists; the token holds each list's offset (see
    /// [`JobList`]).
    pub async fn list_archive_jobs(
        &self,
        bid: &str,
        filter: &ArchiveJobFilter,
        req: &PageRequest,
    ) -> Result<Page<ArchiveJob>> {
        let (a_off, r_off) = match &req.page_token {
            None => (0, 0),
            Some(t) => parse_job_token(t).ok_or(Error::InvalidPageToken)?,
        };
        let size = req.page_size.clamp(1, MAX_HISTORIES);
        let mut lists: Vec<JobList> = [(History::Archiving, a_off), (History::Recovery, r_off)]
            .into_iter()
            .filter(|(k, _)| filter.kind.is_none_or(|f| f == map::kind(*k)))
            // A recovery is never skipped: nothing to list.
            .filter(|(k, _)| {
                !(filter.status == Some(JobStatus::Skipped) && *k == History::Recovery)
            })
            .map(|(kind, head)| JobList {
                kind,
                head,
                rows: VecDeque::new(),
                more: true,
                state: filter.status.and_then(map::job_state_wire),
            })
            .collect();
        // Rows the status filter may drop here: ask for full vendor pages then.
        let ask = if filter.status.is_some() && lists.iter().any(|l| l.state.is_none()) {
            MAX_HISTORIES
        } else {
            size
        };
        let mut items = vec![];
        let mut calls = 0;
        'page: while items.len() < size as usize {
            // A list with more rows must show its next one before the heads can be compared.
            for l in lists.iter_mut().filter(|l| l.rows.is_empty() && l.more) {
                if calls == MAX_JOB_CALLS {
                    break 'page;
                }
                self.fetch_jobs(bid, filter, l, ask).await?;
                calls += 1;
            }
            let Some(l) = lists
                .iter_mut()
                .filter(|l| !l.rows.is_empty())
                .max_by_key(|l| map::when(&l.rows[0].0.start_at))
            else {
                break;
            };
            let (h, v) = l.rows.pop_front().expect("a head");
            l.head = l.head.saturating_add(1);
            if let Some(j) = map::job(&self.ids, l.kind, bid, &h, &v) {
                // The vendor's state spellings are undocumented: checked here, normalised.
                if filter.status.is_none_or(|s| s == j.status) {
                    items.push(j);
                }
            }
        }
        let more = lists.iter().any(|l| !l.rows.is_empty() || l.more);
        let head =
            |k: History, dflt: u64| lists.iter().find(|l| l.kind == k).map_or(dflt, |l| l.head);
        let token = format!(
            "j.{}.{}",
            head(History::Archiving, a_off),
            head(History::Recovery, r_off)
        );
        Ok(Page {
            items,
            next_page_token: more.then_some(token),
        })
    }

    /// The next rows of one history list, after those it holds.
    async fn fetch_jobs(
        &self,
        bid: &str,
        filter: &ArchiveJobFilter,
        l: &mut JobList,
        limit: u32,
    ) -> Result<()> {
        let offset = l.head.saturating_add(l.rows.len() as u64);
        let w = Window {
            from: filter.since,
            to: filter.until,
            state: l.state,
            offset,
            limit,
        };
        let raw = api::list_histories(&self.api, l.kind, bid, &w)
            .await
            .map_err(self.gone(bid))?;
        let list: wire::HistoryList = decode(&raw)?;
        let got = list.contents.len() as u64;
        // The vendor's total decides where it says one; a vendor that caps `limit` below
        // what was asked must not end the list early.
        l.more = got > 0
            && list
                .total_count
                .map_or(got == u64::from(limit), |t| offset.saturating_add(got) < t);
        for v in list.contents {
            l.rows.push_back((decode(&v)?, v));
        }
        Ok(())
    }

    /// ShowArchivingHistory / ShowRecoveryHistory, by the kind in the id.
    pub async fn get_archive_job(&self, id: &GlobalId) -> Result<ArchiveJob> {
        let (bid, kind, hid) = job_parts(id)?;
        let missing = || Error::not_found(ResourceType::ArchiveJob, id.encode());
        let raw = api::show_history(&self.api, kind, bid, hid)
            .await
            .map_err(Error::vendor_404_as(ResourceType::ArchiveJob, id.encode()))?;
        let h: wire::History = decode(&raw)?;
        // The id pairs a bucket with a history: both must be the vendor's own pairing.
        if h.id.as_deref().is_some_and(|i| i != hid)
            || h.bucket_id.as_deref().is_some_and(|b| b != bid)
        {
            return Err(missing());
        }
        let h = wire::History {
            id: Some(hid.to_string()),
            ..h
        };
        map::job(&self.ids, kind, bid, &h, &raw).ok_or_else(missing)
    }

    /// CancelArchiving / CancelRecovery, by the kind in the id; a finished job is
    /// `failed_precondition`. Returns the job as read.
    pub async fn cancel_archive_job(&self, id: &GlobalId) -> Result<ArchiveJob> {
        let (bid, kind, hid) = job_parts(id)?;
        let refused = match api::cancel_history(&self.api, kind, bid, hid).await {
            Ok(_) => return self.get_archive_job(id).await,
            Err(e) => e,
        };
        match Error::vendor_404_as(ResourceType::ArchiveJob, id.encode())(refused) {
            // A 409 is documented for a finished job (§4.4.3); the job says whether it is.
            e @ (Error::Conflict { .. }
            | Error::AlreadyExists { .. }
            | Error::FailedPrecondition { .. }
            | Error::VendorRejected {
                vendor_status: 409, ..
            }) => {
                let job = self.get_archive_job(id).await?;
                let message = sanitize_vendor_text(&e.to_string());
                Err(if job.status.is_transitional() {
                    Error::conflict(format!("the job cannot be cancelled yet: {message}"))
                } else {
                    Error::failed_precondition(format!("the job has already finished: {message}"))
                })
            }
            e => Err(e),
        }
    }
}

/// A job id's bucket, kind and history id; `archive_job_not_found` when its vendor part
/// names no known kind or it names no bucket.
pub(crate) fn job_parts(id: &GlobalId) -> Result<(&str, History, &str)> {
    let missing = || Error::not_found(ResourceType::ArchiveJob, id.encode());
    let bid = id.parent.as_deref().ok_or_else(missing)?;
    let (kind, hid) = map::parse_job_vid(&id.vendor_id).ok_or_else(missing)?;
    Ok((bid, kind, hid))
}

/// Largest offset a page token may carry (no history list is longer).
const MAX_OFFSET: u64 = 1_000_000_000;

/// `j.<archiving offset>.<recovery offset>`.
fn parse_job_token(t: &str) -> Option<(u64, u64)> {
    let mut parts = t.strip_prefix("j.")?.splitn(2, '.');
    let a: u64 = parts.next()?.parse().ok()?;
    let r: u64 = parts.next()?.parse().ok()?;
    (a <= MAX_OFFSET && r <= MAX_OFFSET).then_some((a, r))
}

/// A path as compared between a request and a history's infos: no leading `/`.
fn norm(p: &str) -> &str {
    let t = p.trim_start_matches('/');
    if t.is_empty() {
        "/"
    } else {
        t
    }
}
