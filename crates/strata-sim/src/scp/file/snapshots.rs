//! File Storage snapshots (`/v1/snapshots…`): create, list, delete, and restore onto the
//! volume (`restoring` → `available`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::{volume, world, FileVolume, GIB};
use crate::scp::api::{accepted, conflict, not_found, ok, parse, volume_id_param, Reply, Q};
use crate::scp::base::{Pending, Settle, Snap};
use crate::scp::{new_id, Ctx};

pub(super) fn new_snapshot(id: &str, v: &FileVolume) -> Snap {
    let now = Utc::now();
    Snap {
        id: id.into(),
        name: format!("{}.{}", v.name, now.format("%Y-%m-%d_%H%M%S%3f")),
        size: v.usage_gib * GIB,
        scheduled: false,
        state: "creating",
        pending: None,
        created_at: now,
    }
}

#[derive(Deserialize)]
struct CreateSnapshot {
    volume_id: String,
}

pub(super) async fn create_snapshot(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateSnapshot = parse(&body)?;
    let mut w = world(&ctx);
    let (sid, delay) = (new_id(), w.cfg.delay);
    let v = volume(&mut w, &ctx.region, &req.volume_id)?;
    v.available()?;
    let mut s = new_snapshot(&sid, v);
    s.pending = Pending::after(delay, Settle::Ready);
    let mut body = s.json();
    body["volume_id"] = json!(v.id);
    v.snaps.push(s);
    accepted(Some(json!({ "snapshot": body })))
}

pub(super) async fn list_snapshots(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let total: u64 = v.snaps.iter().map(|s| s.size).sum();
    ok(json!({
        "count": v.snaps.len(),
        "snapshots": v.snaps.iter().map(Snap::json).collect::<Vec<_>>(),
        "snapshot_size_total_byte": total,
    }))
}

pub(super) async fn delete_snapshot(
    State(ctx): State<Ctx>,
    Path(sid): Path<String>,
    Query(q): Q,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let i = v.snap_index(&sid)?;
    if v.state == "restoring" {
        return Err(conflict("a restore is running on the volume"));
    }
    v.snaps.remove(i);
    accepted(None)
}

pub(super) async fn restore_snapshot(
    State(ctx): State<Ctx>,
    Path(sid): Path<String>,
    Query(q): Q,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &vid)?;
    let s = v
        .snaps
        .iter()
        .find(|s| s.id == sid)
        .ok_or_else(|| not_found("snapshot", &sid))?;
    if s.state != "available" {
        return Err(conflict(format!("snapshot `{sid}` is {}", s.state)));
    }
    let body = s.json();
    v.available()?;
    v.usage_gib = s.size / GIB;
    v.state = "restoring";
    v.pending = Pending::after(delay, Settle::Ready);
    accepted(Some(json!({ "snapshot": body })))
}
