//! Backup jobs: ManualBackup (`POST /v1/backups/{backup_id}/manual-backup`), the job history
//! (ListBackupHistories), the scheduler that runs every schedule, and retention.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Months, Utc};

use super::common::{
    conflict, in_window, list_body, no_body, one_of, opt, outcome, page, sync_response, time_param,
    uuid, Outcome, JOB_STATES,
};
use super::model::{Backup, Job, Point};
use super::{backup, changeable, world, Backups};
use crate::scp::api::{ok, Fail, Reply, Q};
use crate::scp::base::Pending;
use crate::scp::Ctx;

const HISTORY_FIELDS: [&str; 6] = [
    "backup_job_guid",
    "backup_job_state",
    "backup_start_time",
    "backup_end_time",
    "schedule_id",
    "schedule_name",
];

/// The `schedule_id` and `schedule_name` of manual jobs (a simulator convention, §4.1.10).
pub(super) const MANUAL: &str = "MANUAL";

/// Starts a job on `b`: `INPROGRESS`, settling after `delay` as the protected server's name
/// says (`fail` → `FAILED`, `partial` → `PARTIAL_SUCCESS`, else `SUCCESS`).
pub(super) fn start_job(
    b: &mut Backup,
    schedule: (&str, &str),
    full: bool,
    delay: Duration,
    seq: u64,
) -> String {
    let result = match outcome(&b.server_name) {
        Outcome::Ok => "SUCCESS",
        Outcome::Partial => "PARTIAL_SUCCESS",
        Outcome::Fail => "FAILED",
    };
    let guid = uuid();
    b.jobs.push(Job {
        guid: guid.clone(),
        state: "INPROGRESS",
        start: Utc::now(),
        end: None,
        schedule_id: schedule.0.to_string(),
        schedule_name: schedule.1.to_string(),
        full,
        pending: Pending::after(delay, result),
        seq,
    });
    guid
}

/// Whether a job can start on `b` now (an `AVAILABLE` original with no running job).
fn runnable(b: &Backup) -> Result<(), Fail> {
    if b.state != "AVAILABLE" {
        return Err(conflict(format!(
            "backup `{}` is {}",
            b.id,
            b.state.to_ascii_lowercase()
        )));
    }
    if b.job_running() {
        return Err(conflict(format!(
            "a backup job of backup `{}` is running",
            b.id
        )));
    }
    Ok(())
}

/// ManualBackup: a full backup now; the vendor returns no job id (the new history row is
/// the newest one).
pub(super) async fn manual(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let seq = w.backup.next_seq();
    let b = changeable(&mut w, &ctx.region, &id)?;
    runnable(b)?;
    start_job(b, (MANUAL, MANUAL), true, delay, seq);
    sync_response(&id)
}

/// ListBackupHistories.
pub(super) async fn histories(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    Query(q): Q,
) -> Reply {
    let state = opt(&q, "backup_job_state");
    if let Some(s) = state {
        one_of(&["query", "backup_job_state"], s, &JOB_STATES)?;
    }
    let state = state.filter(|s| *s != "ALL");
    let (from, to) = (
        time_param(&q, "backup_start_time")?,
        time_param(&q, "backup_end_time")?,
    );
    let mut w = world(&ctx);
    let b = backup(&mut w, &ctx.region, &id)?;
    let rows = b
        .jobs
        .iter()
        .filter(|j| state.is_none_or(|s| j.state == s))
        .filter(|j| in_window(j.start, from, to))
        .map(|j| (j.seq, j.json()))
        .collect();
    let (rows, total) = page(
        rows,
        &q,
        &HISTORY_FIELDS,
        ("backup_start_time", true),
        20,
        true,
    )?;
    ok(list_body(rows, total))
}

/// When a recovery point taken at `start` expires under `retention`.
pub(super) fn expiry(start: DateTime<Utc>, retention: &str) -> Option<DateTime<Utc>> {
    match retention {
        "WEEK_2" => Some(start + chrono::Duration::days(14)),
        "MONTH_1" => start.checked_add_months(Months::new(1)),
        "MONTH_3" => start.checked_add_months(Months::new(3)),
        "MONTH_6" => start.checked_add_months(Months::new(6)),
        "YEAR_1" => start.checked_add_months(Months::new(12)),
        _ => None,
    }
}

/// Removes the recovery points past their own retention (not those being restored).
fn apply_retention(b: &mut Backup, now: DateTime<Utc>) {
    let restoring: Vec<String> = b
        .restores
        .iter()
        .filter(|r| r.state == "INPROGRESS")
        .map(|r| r.point_id.clone())
        .collect();
    b.points.retain(|p: &Point| {
        restoring.contains(&p.id) || expiry(p.start, &p.retention).is_none_or(|e| e > now)
    });
}

impl Backups {
    /// The scheduler: one job per schedule of every `AVAILABLE` original backup without a
    /// running job, then retention over every backup. Returns the jobs started.
    pub(crate) fn run_schedules(&mut self, delay: Duration) -> usize {
        self.tick();
        let now = Utc::now();
        let mut seq = self.seq;
        let mut started = 0;
        for b in self.backups.values_mut() {
            if b.origin.is_none() && runnable(b).is_ok() {
                let schedules = b.schedules.clone();
                for s in &schedules {
                    seq += 1;
                    start_job(b, (&s.id, &s.name), s.kind == "FULL", delay, seq);
                    started += 1;
                }
            }
            apply_retention(b, now);
        }
        self.seq = seq;
        started
    }
}
