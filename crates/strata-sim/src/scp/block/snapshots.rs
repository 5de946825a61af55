//! Volume snapshots (`/v1/volumes/{volume_id}/snapshots…`: list, create, delete, restore in
//! place) and the snapshot rate that activates them (`…/snapshot-rates`: create, set,
//! delete). The rate is the snapshot reserve in percent of the volume size (1–100).

use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::common::{bad, conflict, in_range, no_body, not_found, parse, ts};
use super::{volume, world};
use crate::scp::api::{block_error, ok, Reply};
use crate::scp::Ctx;

pub(super) async fn list(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &id)?;
    let capacity = v.size_gb as f64 * 1024.0 * v.snapshot_rate as f64 / 100.0;
    let usage: f64 = v.snaps.iter().map(|s| s.size_mb).sum();
    ok(json!({
        "is_snapshot_policy": v.snapshot_rate > 0,
        "snapshot_capacity_mb": capacity,
        "snapshot_capacity_rate": v.snapshot_rate as f64,
        "snapshot_total_usage": usage,
        "snapshots": v.snaps.iter().map(|s| json!({
            "created_dt": ts(s.created_at), "snapshot_id": s.id,
            "snapshot_name": s.name, "snapshot_size_mb": s.size_mb,
        })).collect::<Vec<_>>(),
        "volume_id": v.id,
    }))
}

pub(super) async fn create(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let account = w.cfg.account_id.clone();
    let v = volume(&mut w, &ctx.region, &id)?;
    v.ready()?;
    if v.snapshot_rate == 0 {
        return Err(bad(
            "snapshots are not activated: set a snapshot rate first",
        ));
    }
    let s = v.take_snapshot();
    ok(
        json!({"account_id": account, "snapshot_id": s.id, "snapshot_name": s.name, "volume_id": id}),
    )
}

pub(super) async fn delete(
    State(ctx): State<Ctx>,
    Path((id, sid)): Path<(String, String)>,
) -> Reply {
    let mut w = world(&ctx);
    let account = w.cfg.account_id.clone();
    let v = volume(&mut w, &ctx.region, &id)?;
    v.ready()?;
    let i = v
        .snaps
        .iter()
        .position(|s| s.id == sid)
        .ok_or_else(|| not_found("snapshot", &sid))?;
    v.snaps.remove(i);
    ok(json!({"account_id": account, "snapshot_id": sid, "volume_id": id}))
}

pub(super) async fn restore(
    State(ctx): State<Ctx>,
    Path((id, sid)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let account = w.cfg.account_id.clone();
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    if !v.snaps.iter().any(|s| s.id == sid) {
        return Err(not_found("snapshot", &sid));
    }
    v.ready()?;
    v.edit(delay);
    ok(json!({"account_id": account, "snapshot_id": sid, "volume_id": id}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rate {
    snapshot_rate: i64,
}

fn rate_json(activated: bool, rate: i64, id: &str) -> Reply {
    ok(json!({"is_snapshot_activated": activated, "snapshot_rate": rate, "volume_id": id}))
}

/// POST (`create`) or PUT (`!create`) of the snapshot rate.
async fn put_rate(ctx: Ctx, id: String, body: Bytes, create: bool) -> Reply {
    let req: Rate = parse(&body)?;
    in_range("snapshot_rate", req.snapshot_rate, 1, 100)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    match (create, v.snapshot_rate > 0) {
        (true, true) => {
            return Err(conflict(
                "a snapshot rate already exists on the volume: change it with PUT",
            ))
        }
        (false, false) => return Err(no_rate()),
        _ => {}
    }
    v.ready()?;
    v.snapshot_rate = req.snapshot_rate;
    v.edit(delay);
    rate_json(true, req.snapshot_rate, &id)
}

fn no_rate() -> crate::scp::api::Fail {
    block_error(
        axum::http::StatusCode::NOT_FOUND,
        "no snapshot rate is set on the volume: create one with POST",
    )
}

pub(super) async fn create_rate(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    put_rate(ctx, id, body, true).await
}

pub(super) async fn set_rate(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    put_rate(ctx, id, body, false).await
}

pub(super) async fn delete_rate(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    if v.snapshot_rate == 0 {
        return Err(no_rate());
    }
    v.ready()?;
    if !v.snaps.is_empty() {
        return Err(conflict(
            "the volume has snapshots: delete them before deleting the snapshot rate",
        ));
    }
    v.snapshot_rate = 0;
    v.edit(delay);
    rate_json(false, 0, &id)
}
