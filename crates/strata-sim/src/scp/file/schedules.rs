//! File Storage snapshot schedules (`/v1/snapshot-schedules…`) with the volume's retention
//! count, and the scheduler that takes and prunes scheduled snapshots.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{json, Value};

use super::snapshots::new_snapshot;
use super::{volume, world, Files};
use crate::scp::api::{
    accepted, conflict, invalid, not_found, ok, one_of, parse, volume_id_param, Fail, Reply, Q,
};
use crate::scp::base::Snap;
use crate::scp::{new_id, Ctx};

const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

#[derive(Clone, Deserialize)]
pub(super) struct Schedule {
    frequency: String,
    #[serde(default)]
    day_of_week: Option<String>,
    hour: String,
}

pub(super) struct Sched {
    id: String,
    s: Schedule,
}

impl Files {
    pub(crate) fn run_schedule(&mut self, volume_id: &str) -> bool {
        self.tick();
        let Some(v) = self.volumes.get_mut(volume_id) else {
            return false;
        };
        if v.scheds.is_empty() {
            return false;
        }
        let snap = new_snapshot(&new_id(), v);
        v.snaps.push(Snap {
            state: "available",
            scheduled: true,
            pending: None,
            ..snap
        });
        // Retention keeps the newest scheduled snapshots; manual ones are the user's.
        if let Some(keep) = v.retention.filter(|k| *k > 0) {
            let scheduled = v.snaps.iter().filter(|s| s.scheduled).count();
            let mut excess = scheduled.saturating_sub(keep as usize);
            v.snaps.retain(|s| {
                let drop = s.scheduled && excess > 0;
                excess -= usize::from(drop);
                !drop
            });
        }
        true
    }
}

fn check_schedule(s: &Schedule) -> Result<(), Fail> {
    one_of(
        &["body", "snapshot_schedule", "frequency"],
        &s.frequency,
        &["WEEKLY", "DAILY"],
    )?;
    if let Some(d) = &s.day_of_week {
        one_of(&["body", "snapshot_schedule", "day_of_week"], d, &DAYS)?;
    }
    if s.frequency == "WEEKLY" && s.day_of_week.is_none() {
        return Err(invalid(
            &["body", "snapshot_schedule", "day_of_week"],
            "a WEEKLY schedule needs day_of_week",
        ));
    }
    let hour_ok = s.hour.parse::<u8>().is_ok_and(|h| h < 24)
        && (s.hour.len() == 1 || !s.hour.starts_with('0'));
    if !hour_ok {
        return Err(invalid(
            &["body", "snapshot_schedule", "hour"],
            format!("`{}` does not match ^([0-9]|1[0-9]|2[0-3])$", s.hour),
        ));
    }
    Ok(())
}

fn check_retention(n: Option<i64>) -> Result<Option<u32>, Fail> {
    match n {
        None => Ok(None),
        Some(n) if (1..=128).contains(&n) => Ok(Some(n as u32)),
        Some(n) => Err(invalid(
            &["body", "snapshot_retention_count"],
            format!("must be 1-128, got {n}"),
        )),
    }
}

fn schedule_json(s: &Schedule) -> Value {
    json!({"frequency": s.frequency, "day_of_week": s.day_of_week, "hour": s.hour})
}

#[derive(Deserialize)]
struct CreateSchedule {
    #[serde(default)]
    snapshot_retention_count: Option<i64>,
    volume_id: String,
    snapshot_schedule: Schedule,
}

pub(super) async fn create_schedule(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateSchedule = parse(&body)?;
    check_schedule(&req.snapshot_schedule)?;
    let retention = check_retention(req.snapshot_retention_count)?;
    let mut w = world(&ctx);
    let id = new_id();
    let v = volume(&mut w, &ctx.region, &req.volume_id)?;
    v.available()?;
    let dup = v.scheds.iter().any(|x| {
        x.s.frequency == req.snapshot_schedule.frequency
            && x.s.day_of_week == req.snapshot_schedule.day_of_week
            && x.s.hour == req.snapshot_schedule.hour
    });
    if dup {
        return Err(conflict("the same schedule already exists"));
    }
    if retention.is_some() {
        v.retention = retention;
    }
    v.scheds.push(Sched {
        id,
        s: req.snapshot_schedule.clone(),
    });
    accepted(Some(json!({
        "snapshot_retention_count": v.retention, "volume_id": v.id,
        "snapshot_schedule": schedule_json(&req.snapshot_schedule),
    })))
}

pub(super) async fn list_schedules(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let scheds: Vec<Value> = v
        .scheds
        .iter()
        .map(|x| {
            let mut j = schedule_json(&x.s);
            j["id"] = json!(x.id);
            j
        })
        .collect();
    ok(json!({
        "snapshot_retention_count": v.retention.unwrap_or(0), "volume_id": v.id,
        "snapshot_policy_enabled": !v.scheds.is_empty(), "snapshot_schedule": scheds,
    }))
}

#[derive(Deserialize)]
struct SetSchedule {
    #[serde(default)]
    snapshot_retention_count: Option<i64>,
    snapshot_schedule: Schedule,
}

pub(super) async fn set_schedule(
    State(ctx): State<Ctx>,
    Path(sid): Path<String>,
    Query(q): Q,
    body: Bytes,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let req: SetSchedule = parse(&body)?;
    check_schedule(&req.snapshot_schedule)?;
    let retention = check_retention(req.snapshot_retention_count)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let x = v
        .scheds
        .iter_mut()
        .find(|x| x.id == sid)
        .ok_or_else(|| not_found("snapshot schedule", &sid))?;
    x.s = req.snapshot_schedule.clone();
    if retention.is_some() {
        v.retention = retention;
    }
    accepted(Some(json!({
        "snapshot_retention_count": v.retention, "volume_id": v.id,
        "snapshot_schedule": schedule_json(&req.snapshot_schedule),
    })))
}

pub(super) async fn delete_schedule(
    State(ctx): State<Ctx>,
    Path(sid): Path<String>,
    Query(q): Q,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let i = v
        .scheds
        .iter()
        .position(|x| x.id == sid)
        .ok_or_else(|| not_found("snapshot schedule", &sid))?;
    v.scheds.remove(i);
    accepted(None)
}
