//! Archiving runs (`/v1/archiving-histories`): ListArchivingHistories,
//! ShowArchivingHistory (`/detail`), CancelArchiving (`/cancel-archiving`), the history
//! listing both kinds of run share, and the run the daily tick starts.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use chrono::Utc;
use serde_json::{json, Value};

use super::common::{conflict, no_body, not_found, offset_page, opt, required, time_param};
use super::model::{terminal, ArchRun, Item, Outcome, Part, Run};
use super::{new_run, world, Archives};
use crate::scp::api::{accepted, ok, Fail, Reply, Q};
use crate::scp::Ctx;

/// The `bucket_id`, window and `state` of a history list, checked before the bucket.
pub(super) struct HistoryQuery<'a> {
    pub bucket_id: &'a str,
    from: chrono::DateTime<Utc>,
    to: chrono::DateTime<Utc>,
    state: Option<&'a str>,
}

impl<'a> HistoryQuery<'a> {
    pub fn parse(q: &'a BTreeMap<String, String>) -> Result<Self, Fail> {
        let bucket_id = required(q, "bucket_id")?;
        let (from, to) = (
            time_param(q, "start_at_from")?,
            time_param(q, "start_at_to")?,
        );
        Ok(HistoryQuery {
            bucket_id,
            from,
            to,
            state: opt(q, "state"),
        })
    }

    /// `{total_count, bucket_id, contents}` over the runs in the window with the state,
    /// newest `start_at` first, then paged by `offset`/`limit`.
    pub fn answer<'r>(
        &self,
        runs: impl Iterator<Item = (&'r Run, Value)>,
        q: &BTreeMap<String, String>,
    ) -> Reply {
        let (from, to) = (self.from.timestamp(), self.to.timestamp());
        let mut rows: Vec<(&Run, Value)> = runs
            .filter(|(r, _)| {
                let t = r.start.timestamp();
                t >= from && t <= to && self.state.is_none_or(|s| r.state == s)
            })
            .collect();
        rows.sort_by(|(a, _), (b, _)| {
            (b.start.timestamp(), b.seq).cmp(&(a.start.timestamp(), a.seq))
        });
        let (contents, total) = offset_page(rows.into_iter().map(|(_, v)| v).collect(), q)?;
        ok(json!({"total_count": total, "bucket_id": self.bucket_id, "contents": contents}))
    }
}

/// The `id` and `bucket_id` query parameters of a detail or cancel call.
pub(super) fn ids(q: &BTreeMap<String, String>) -> Result<(&str, &str), Fail> {
    Ok((required(q, "id")?, required(q, "bucket_id")?))
}

/// Cancels a run: 409 when it is terminal, else `CANCELED` now.
pub(super) fn cancel_run(run: &mut Run) -> Reply {
    if terminal(run.state) {
        return Err(conflict(format!(
            "history `{}` is already {}",
            run.id, run.state
        )));
    }
    run.finish("CANCELED");
    accepted(None)
}

/// ListArchivingHistories.
pub(super) async fn list(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let hq = HistoryQuery::parse(&q)?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(hq.bucket_id)?;
    hq.answer(b.archivings.iter().map(|a| (&a.run, a.row())), &q)
}

/// ShowArchivingHistory.
pub(super) async fn show(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let (id, bid) = ids(&q)?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(bid)?;
    let a = b
        .archivings
        .iter()
        .find(|a| a.run.id == id)
        .ok_or_else(|| not_found("archiving history", id))?;
    ok(a.detail(bid))
}

/// CancelArchiving (no body).
pub(super) async fn cancel(State(ctx): State<Ctx>, Query(q): Q, body: Bytes) -> Reply {
    let (id, bid) = ids(&q)?;
    no_body(&body)?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(bid)?;
    let a = b
        .archivings
        .iter_mut()
        .find(|a| a.run.id == id)
        .ok_or_else(|| not_found("archiving history", id))?;
    cancel_run(&mut a.run)
}

impl Archives {
    /// Starts an archiving run of the bucket's `ACTIVE` policy now (the daily tick): the
    /// source objects at least `object_lifecycle` days old whose content is not the
    /// archived latest version. Returns the history id (`None`: no such bucket or no
    /// `ACTIVE` policy).
    pub(crate) fn run_archiving(
        &mut self,
        region: &str,
        bucket_id: &str,
        delay: Duration,
    ) -> Option<String> {
        self.tick(delay);
        let seq = self.next_seq();
        let r = self.regions.get_mut(region)?;
        let b = r.buckets.get_mut(bucket_id)?;
        let p = b.policy.as_ref().filter(|p| p.state == "ACTIVE")?;
        let cutoff = Utc::now() - chrono::Duration::days(i64::from(p.lifecycle));
        let items = r
            .sources
            .get(&p.source)
            .map(|s| {
                s.objects
                    .iter()
                    .filter(|(k, o)| {
                        o.created_at <= cutoff
                            && b.objects
                                .get(*k)
                                .and_then(|v| v.last())
                                .is_none_or(|v| v.etag != o.etag)
                    })
                    .map(|(k, o)| Item {
                        key: k.clone(),
                        size: o.size,
                        etag: o.etag.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let part = Part {
            path: "/".into(),
            items,
            done: 0,
        };
        let run = new_run(vec![part], Outcome::of(&p.source), delay, seq);
        let id = run.id.clone();
        let policy_id = p.id.clone();
        b.archivings.push(ArchRun { run, policy_id });
        Some(id)
    }
}
