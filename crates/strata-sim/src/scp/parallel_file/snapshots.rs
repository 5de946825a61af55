//! Parallel File Storage snapshots (`/v1/snapshots…`): create, list, delete.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::{volume, world};
use crate::scp::api::{accepted, conflict, ok, parse, volume_id_param, Reply, Q};
use crate::scp::base::{Pending, Settle, Snap};
use crate::scp::{new_id, Ctx};

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
    let now = Utc::now();
    let s = Snap {
        id: sid,
        name: format!("snapshot.{}", now.format("%Y-%m-%d_%H%M%S%3f")),
        size: v.capacity_tb << 30,
        scheduled: false,
        state: "creating",
        pending: Pending::after(delay, Settle::Ready),
        created_at: now,
    };
    let mut body = s.json();
    body["volume_id"] = json!(v.id);
    v.snaps.push(s);
    accepted(Some(json!({ "snapshot": body })))
}

pub(super) async fn list_snapshots(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    ok(json!({
        "count": v.snaps.len(),
        "snapshot_size_total_byte": v.snaps.iter().map(|s| s.size).sum::<u64>(),
        "snapshots": v.snaps.iter().map(Snap::json).collect::<Vec<_>>(),
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
    if v.snaps[i].state != "available" {
        return Err(conflict(format!(
            "snapshot `{sid}` is {}",
            v.snaps[i].state
        )));
    }
    v.snaps.remove(i);
    accepted(None)
}
