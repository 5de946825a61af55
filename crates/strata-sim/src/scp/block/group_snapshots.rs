//! Volume-group snapshots (`/v1/volume-groups/{group_id}/snapshots…`): list, create
//! (synchronous, crash-consistent over every member), delete, and restore in place (the
//! group and its members pass through `EDITING`). A group snapshot needs every member's
//! snapshots activated by a snapshot rate.

use axum::body::Bytes;
use axum::extract::{Path, State};
use chrono::Utc;
use serde_json::json;

use super::common::{bad, no_body, not_found, snapshot_id, ts};
use super::{group, world, GroupSnap};
use crate::scp::api::{ok, Fail, Reply};
use crate::scp::{Ctx, World};

/// Whether every member of group `id` has its snapshots activated.
fn policy(w: &World, id: &str) -> bool {
    let g = &w.block.groups[id];
    !g.members.is_empty()
        && g.members
            .iter()
            .all(|m| w.block.volumes.get(m).is_some_and(|v| v.snapshot_rate > 0))
}

pub(super) async fn list(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    group(&mut w, &ctx.region, &id)?;
    let g = &w.block.groups[&id];
    ok(json!({
        "is_snapshot_policy": policy(&w, &id),
        "snapshots": g.snaps.iter().map(|s| json!({"created_dt": ts(s.created_at), "snapshot_id": s.id, "snapshot_name": s.name})).collect::<Vec<_>>(),
        "volume_group_id": id,
    }))
}

/// The group is settled, and so is every member.
fn settled(w: &mut World, region: &str, id: &str) -> Result<(), Fail> {
    group(w, region, id)?.ready()?;
    for m in &w.block.groups[id].members {
        if let Some(v) = w.block.volumes.get(m) {
            v.ready()?;
        }
    }
    Ok(())
}

pub(super) async fn create(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    settled(&mut w, &ctx.region, &id)?;
    if !policy(&w, &id) {
        return Err(bad(
            "snapshots are not activated on every member volume: set a snapshot rate on each first",
        ));
    }
    let g = &w.block.groups[&id];
    let members = g
        .members
        .iter()
        .filter_map(|m| w.block.volumes.get(m))
        .map(|v| (v.id.clone(), v.name.clone(), v.disk_type.clone(), v.size_gb))
        .collect();
    let now = Utc::now();
    let snap = GroupSnap {
        id: snapshot_id(),
        name: format!(
            "{}___snapshot-create-bm-cg.{}",
            g.storage_name,
            now.format("%Y-%m-%d_%H%M%S")
        ),
        created_at: now,
        members,
    };
    let answer = json!({"account_id": w.cfg.account_id, "snapshot_id": snap.id, "snapshot_name": snap.name, "volume_group_id": id});
    w.block.groups.get_mut(&id).expect("found").snaps.push(snap);
    ok(answer)
}

pub(super) async fn delete(
    State(ctx): State<Ctx>,
    Path((id, sid)): Path<(String, String)>,
) -> Reply {
    let mut w = world(&ctx);
    let account = w.cfg.account_id.clone();
    let g = group(&mut w, &ctx.region, &id)?;
    g.ready()?;
    let i = g
        .snaps
        .iter()
        .position(|s| s.id == sid)
        .ok_or_else(|| not_found("volume group snapshot", &sid))?;
    g.snaps.remove(i);
    ok(json!({"account_id": account, "snapshot_id": sid, "volume_group_id": id}))
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
    let g = group(&mut w, &ctx.region, &id)?;
    if !g.snaps.iter().any(|s| s.id == sid) {
        return Err(not_found("volume group snapshot", &sid));
    }
    settled(&mut w, &ctx.region, &id)?;
    let g = w.block.groups.get_mut(&id).expect("found");
    g.begin("EDITING", delay);
    for m in g.members.clone() {
        if let Some(v) = w.block.volumes.get_mut(&m) {
            v.edit(delay);
        }
    }
    ok(json!({"account_id": account, "snapshot_id": sid, "volume_group_id": id}))
}
