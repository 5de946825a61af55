//! Snapshot schedules of volumes (`/v1/volumes/{volume_id}/snapshot-schedules`) and of
//! volume groups (`/v1/volume-groups/{group_id}/snapshot-schedules`): one per resource,
//! POST creates (409 when one exists), PUT sets (404 when none), DELETE removes (frequency
//! `NONE`). No `day_of_week` makes it `DAILY`, a day `WEEKLY`; `hour` is 0–23.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use super::common::{conflict, in_range, no_body, one_of, parse};
use super::{group, volume, world, Schedule};
use crate::scp::api::{block_error, ok, Fail, Reply};
use crate::scp::Ctx;

const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Req {
    #[serde(default)]
    day_of_week: Option<String>,
    hour: i64,
}

/// What an operation does: create, set, or delete (`None`).
fn request(body: &Bytes, delete: bool) -> Result<Option<Schedule>, Fail> {
    if delete {
        no_body(body)?;
        return Ok(None);
    }
    let req: Req = parse(body)?;
    in_range("hour", req.hour, 0, 23)?;
    if let Some(d) = &req.day_of_week {
        one_of("day_of_week", d, &DAYS)?;
    }
    Ok(Some(Schedule {
        day: req.day_of_week,
        hour: req.hour,
    }))
}

/// Whether the operation fits what exists: create needs none, set and delete need one.
fn fits(op: Op, exists: bool, what: &str) -> Result<(), Fail> {
    match (op, exists) {
        (Op::Create, true) => Err(conflict(format!(
            "a snapshot schedule already exists on the {what}: change it with PUT"
        ))),
        (Op::Set | Op::Delete, false) => Err(block_error(
            StatusCode::NOT_FOUND,
            format!("the {what} has no snapshot schedule: create one with POST"),
        )),
        _ => Ok(()),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Create,
    Set,
    Delete,
}

fn with_id(mut j: Value, key: &str, id: &str) -> Value {
    j[key] = Value::String(id.to_string());
    j
}

async fn on_volume(ctx: Ctx, id: String, body: Bytes, op: Op) -> Reply {
    let sched = request(&body, op == Op::Delete)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    fits(op, v.schedule.is_some(), "volume")?;
    v.ready()?;
    v.schedule = sched;
    v.edit(delay);
    ok(with_id(
        Schedule::json(v.schedule.as_ref()),
        "volume_id",
        &id,
    ))
}

async fn on_group(ctx: Ctx, id: String, body: Bytes, op: Op) -> Reply {
    let sched = request(&body, op == Op::Delete)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let g = group(&mut w, &ctx.region, &id)?;
    fits(op, g.schedule.is_some(), "volume group")?;
    g.ready()?;
    g.schedule = sched;
    g.begin("EDITING", delay);
    ok(with_id(
        Schedule::json(g.schedule.as_ref()),
        "volume_group_id",
        &id,
    ))
}

pub(super) async fn create_volume(State(c): State<Ctx>, Path(id): Path<String>, b: Bytes) -> Reply {
    on_volume(c, id, b, Op::Create).await
}

pub(super) async fn set_volume(State(c): State<Ctx>, Path(id): Path<String>, b: Bytes) -> Reply {
    on_volume(c, id, b, Op::Set).await
}

pub(super) async fn delete_volume(State(c): State<Ctx>, Path(id): Path<String>, b: Bytes) -> Reply {
    on_volume(c, id, b, Op::Delete).await
}

pub(super) async fn create_group(State(c): State<Ctx>, Path(id): Path<String>, b: Bytes) -> Reply {
    on_group(c, id, b, Op::Create).await
}

pub(super) async fn set_group(State(c): State<Ctx>, Path(id): Path<String>, b: Bytes) -> Reply {
    on_group(c, id, b, Op::Set).await
}

pub(super) async fn delete_group(State(c): State<Ctx>, Path(id): Path<String>, b: Bytes) -> Reply {
    on_group(c, id, b, Op::Delete).await
}
