//! Snapshots (`/v1/volumes/{id}/snapshots…`): list, create, show, delete, restore (which
//! discards newer snapshots), and the restore histories it leaves.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::paging::{page_of, paging, sort_json};
use super::{accepted, bad, not_found, parse, reply, ts, Ctx, Pending, Reply, Settle};

pub(super) struct Snap {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) kind: &'static str,
    pub(super) preserved: bool,
    pub(super) created_at: DateTime<Utc>,
    pub(super) seq: u64,
}

pub(super) struct RestoreHistory {
    pub(super) snapshot_id: String,
    pub(super) snapshot_name: String,
    pub(super) requested_at: DateTime<Utc>,
    pub(super) restored_at: Option<DateTime<Utc>>,
    pub(super) result: &'static str,
    pub(super) until: Instant,
}

pub(super) async fn restore_histories(
    State(c): State<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let p = paging(
        &q,
        &[
            "snapshotId",
            "snapshotName",
            "requestedAt",
            "restoredAt",
            "requestedUser",
            "requestedIp",
            "result",
        ],
    )?;
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let mut items: Vec<Value> = v
        .restores
        .iter()
        .map(|r| {
            json!({"requestedAt": ts(r.requested_at), "requestedIp": "10.163.23.45",
                   "requestedUser": "37be6ac0-d660-11e7-ae46-005056ac1497",
                   "restoredAt": r.restored_at.map(ts), "result": r.result,
                   "snapshotId": r.snapshot_id, "snapshotName": r.snapshot_name, "volumeId": v.id})
        })
        .collect();
    sort_json(&mut items, &p.sort);
    let (items, paging) = page_of(items, &p);
    Ok(reply(
        StatusCode::OK,
        json!({"paging": paging, "restoreHistories": items}),
    ))
}

fn snapshot_json(s: &Snap) -> Value {
    json!({"id": s.id, "name": s.name, "size": s.size, "type": s.kind,
           "preserved": s.preserved, "createdAt": ts(s.created_at)})
}

pub(super) async fn list_snapshots(State(c): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let items: Vec<Value> = v.snapshots.iter().map(snapshot_json).collect();
    Ok(reply(StatusCode::OK, json!({"snapshots": items})))
}

#[derive(Deserialize)]
struct SnapshotReq {
    name: Option<String>,
}

#[derive(Deserialize)]
struct SnapshotBody {
    snapshot: SnapshotReq,
}

pub(super) async fn create_snapshot(
    State(c): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: SnapshotBody = parse(&body)?;
    let name = req
        .snapshot
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| bad("snapshot.name is required"))?;
    if name.len() > 255 || name.contains('/') {
        return Err(bad(
            "snapshot.name must be at most 255 characters without '/'",
        ));
    }
    let mut w = c.world();
    let seq = w.nas.next_seq();
    let v = w.nas.active(&c.region, &id)?;
    if v.snapshots.iter().any(|s| s.name == name) {
        return Err(bad(format!("A snapshot named {name} already exists")));
    }
    let snap = Snap {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        size: v.used_gb * 1024 * 1024,
        kind: "NORMAL",
        preserved: false,
        created_at: Utc::now(),
        seq,
    };
    let body = json!({"snapshot": snapshot_json(&snap)});
    v.snapshots.push(snap);
    Ok(reply(StatusCode::CREATED, body))
}

pub(super) async fn get_snapshot(
    State(c): State<Ctx>,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let s = v
        .snapshots
        .iter()
        .find(|s| s.id == sid)
        .ok_or_else(|| not_found("Snapshot"))?;
    let mut body = snapshot_json(s);
    if q.get("showReclaimableSpace").map(String::as_str) == Some("true") {
        body["reclaimableSpace"] = json!(s.size / 4);
    }
    Ok(reply(StatusCode::OK, json!({"snapshot": body})))
}

pub(super) async fn delete_snapshot(
    State(c): State<Ctx>,
    Path((id, sid)): Path<(String, String)>,
) -> Reply {
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let pos = v
        .snapshots
        .iter()
        .position(|s| s.id == sid)
        .ok_or_else(|| not_found("Snapshot"))?;
    if v.snapshots[pos].preserved {
        return Err(bad("A preserved snapshot cannot be deleted"));
    }
    v.snapshots.remove(pos);
    accepted()
}

pub(super) async fn restore_snapshot(
    State(c): State<Ctx>,
    Path((id, sid)): Path<(String, String)>,
) -> Reply {
    let mut w = c.world();
    let delay = w.cfg.delay;
    let v = w.nas.active(&c.region, &id)?;
    let snap = v
        .snapshots
        .iter()
        .find(|s| s.id == sid)
        .ok_or_else(|| not_found("Snapshot"))?;
    let (seq, name) = (snap.seq, snap.name.clone());
    // Rolling back discards every newer snapshot (documented console behaviour).
    v.snapshots.retain(|s| s.seq <= seq);
    let until = Instant::now() + delay;
    v.restores.push(RestoreHistory {
        snapshot_id: sid,
        snapshot_name: name,
        requested_at: Utc::now(),
        restored_at: None,
        result: "IN_PROGRESS",
        until,
    });
    v.status = "UPDATING";
    v.pending = Some(Pending {
        until,
        then: Settle::Active,
    });
    accepted()
}
