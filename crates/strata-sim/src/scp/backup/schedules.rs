//! Schedules of a backup policy (`/v1/backups/{backup_id}/schedules`): ListBackupSchedules
//! (unpaginated) and SetBackupSchedule (replace-all), and the validation of the
//! `BackupScheduleCreateRequest` items CreateBackup shares.

use axum::body::Bytes;
use axum::extract::{Path, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::common::{
    alnum, bad, hex_id, invalid_at, one_of, parse, sync_response, DAYS, FREQUENCIES,
    SCHEDULE_TYPES, WEEKS,
};
use super::model::Sched;
use super::{backup, changeable, world};
use crate::scp::api::{ok, Fail, Reply};
use crate::scp::Ctx;

/// One `BackupScheduleCreateRequest`.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct SchedReq {
    #[serde(rename = "type")]
    kind: String,
    frequency: String,
    start_time: String,
    #[serde(default)]
    start_day: Option<String>,
    #[serde(default)]
    start_week: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetReq {
    schedules: Vec<SchedReq>,
}

/// Where a schedule field is in the body.
fn loc<'a>(i: &'a str, field: &'a str) -> [&'a str; 4] {
    ["body", "schedules", i, field]
}

/// Whether `t` is `HH:MM:SS`.
fn is_time(t: &str) -> bool {
    let parts: Vec<&str> = t.split(':').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|c| c.is_ascii_digit()))
        && parts[0] < "24"
        && parts[1] < "60"
        && parts[2] < "60"
}

/// Checks a schedule list (at least one; enums; the fields each frequency needs) and turns
/// it into schedules, keeping the id and name of those in `keep` equal in all five fields.
pub(super) fn build(reqs: &[SchedReq], keep: &[Sched]) -> Result<Vec<Sched>, Fail> {
    if reqs.is_empty() {
        return Err(bad("schedules must have at least one schedule"));
    }
    let now = Utc::now();
    let mut out: Vec<Sched> = vec![];
    for (i, r) in reqs.iter().enumerate() {
        let i = i.to_string();
        let at = |f: &'static str| loc(&i, f);
        one_of(&at("type"), &r.kind, &SCHEDULE_TYPES)?;
        one_of(&at("frequency"), &r.frequency, &FREQUENCIES)?;
        if !is_time(&r.start_time) {
            return Err(invalid_at(
                &at("start_time"),
                format!("start_time must be HH:MM:SS, got `{}`", r.start_time),
            ));
        }
        if let Some(d) = &r.start_day {
            one_of(&at("start_day"), d, &DAYS)?;
        }
        if let Some(w) = &r.start_week {
            one_of(&at("start_week"), w, &WEEKS)?;
        }
        match r.frequency.as_str() {
            "WEEKLY" if r.start_day.is_none() => {
                return Err(bad(format!("schedule {i}: a WEEKLY schedule needs start_day")))
            }
            "MONTHLY" if r.start_day.is_none() || r.start_week.is_none() => {
                return Err(bad(format!(
                    "schedule {i}: a MONTHLY schedule needs start_week and start_day (the Nth or last weekday of the month)"
                )))
            }
            _ => {}
        }
        let s = Sched {
            id: hex_id(),
            name: format!("{}_{}_{}-{}", r.kind, r.frequency, r.start_time, alnum(6)),
            kind: r.kind.clone(),
            frequency: r.frequency.clone(),
            start_time: r.start_time.clone(),
            start_day: r.start_day.clone(),
            start_week: r.start_week.clone(),
            created_at: now,
            modified_at: now,
        };
        if out.iter().any(|o| o.key() == s.key()) {
            return Err(bad(format!("schedule {i} repeats an earlier schedule")));
        }
        match keep.iter().find(|k| k.key() == s.key()) {
            Some(k) => out.push(k.clone()),
            None => out.push(s),
        }
    }
    Ok(out)
}

/// ListBackupSchedules: every schedule, unpaginated.
pub(super) async fn list(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let b = backup(&mut w, &ctx.region, &id)?;
    let rows: Vec<_> = b.schedules.iter().map(|s| s.json(&b.id)).collect();
    ok(json!({"count": rows.len(), "contents": rows}))
}

/// SetBackupSchedule: replaces the schedule set.
pub(super) async fn set(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: SetReq = parse(&body)?;
    let mut w = world(&ctx);
    let b = changeable(&mut w, &ctx.region, &id)?;
    b.schedules = build(&req.schedules, &b.schedules)?;
    b.modified_at = Utc::now();
    sync_response(&id)
}
