//! SCP Parallel File Storage (`parallel-filestorage`, 10 operations) over the shared world.
//!
//! States: volumes `creating` → `available` → (`editing` during a resize → `available`) →
//! `deleting` → gone; snapshots `creating` → `available`; GPU-node rules `adding` → `active`
//! (their access IPs with them) and `removing` → gone.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    accepted, check_name, conflict, invalid, lock, new_id, not_found, ok, one_of, page, parse,
    settle_volumes, ts, volume_id_param, Base, Ctx, Fail, Pending, Reply, Rule, Settle, Shared,
    Snap, World, Q,
};

struct Volume {
    base: Base,
    capacity_tb: u64,
}

impl Deref for Volume {
    type Target = Base;
    fn deref(&self) -> &Base {
        &self.base
    }
}

impl DerefMut for Volume {
    fn deref_mut(&mut self) -> &mut Base {
        &mut self.base
    }
}

/// Parallel File Storage volumes of every region.
#[derive(Default)]
pub(crate) struct Parallel {
    volumes: BTreeMap<String, Volume>,
    ips: u32,
}

impl Parallel {
    fn tick(&mut self) {
        settle_volumes(&mut self.volumes);
    }

    pub(crate) fn seed(&mut self, id: &str, region: &str, name: &str, capacity_tb: u64) {
        self.volumes.insert(
            id.into(),
            Volume {
                base: Base {
                    state: "available",
                    ..Base::new(id, region, name)
                },
                capacity_tb,
            },
        );
    }
}

fn volume_json(v: &Volume, account: &str, detail: bool) -> Value {
    let mut j = json!({
        "id": v.id, "name": v.name, "state": v.state, "created_at": ts(v.created_at),
        "capacity_tb": v.capacity_tb, "account_id": account,
    });
    if detail {
        j["mount_path"] = if v.state == "creating" {
            Value::Null
        } else {
            json!(format!("10.30.0.8@o2ib:/{}", v.name))
        };
    }
    j
}

/// Locks the world and settles what is due.
fn world(ctx: &Ctx) -> std::sync::MutexGuard<'_, World> {
    let mut w = lock(&ctx.world);
    w.pfs.tick();
    w
}

fn volume<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Volume, Fail> {
    w.pfs
        .volumes
        .get_mut(id)
        .filter(|v| v.region == region)
        .ok_or_else(|| not_found("volume", id))
}

fn check_capacity(c: i64) -> Result<u64, Fail> {
    if (1..=1000).contains(&c) {
        Ok(c as u64)
    } else {
        Err(invalid(
            &["body", "capacity_tb"],
            format!("must be between 1 and 1000, got {c}"),
        ))
    }
}

#[derive(Deserialize)]
struct Tag {
    key: String,
}

#[derive(Deserialize)]
struct CreateVolume {
    name: String,
    capacity_tb: i64,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

async fn create_volume(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateVolume = parse(&body)?;
    check_name("name", &req.name)?;
    let capacity_tb = check_capacity(req.capacity_tb)?;
    if req
        .tags
        .iter()
        .flatten()
        .any(|t| t.key.is_empty() || t.key.len() > 128)
    {
        return Err(invalid(&["body", "tags"], "tag keys are 1-128 characters"));
    }
    let mut w = world(&ctx);
    if w.pfs
        .volumes
        .values()
        .any(|v| v.region == ctx.region && v.name == req.name)
    {
        return Err(conflict(format!(
            "a volume named `{}` already exists",
            req.name
        )));
    }
    let (id, delay) = (new_id(), w.cfg.delay);
    let account = w.cfg.account_id.clone();
    let v = Volume {
        base: Base {
            pending: Pending::after(delay, Settle::Ready),
            ..Base::new(&id, &ctx.region, &req.name)
        },
        capacity_tb,
    };
    let body = volume_json(&v, &account, false);
    w.pfs.volumes.insert(id, v);
    accepted(Some(body))
}

async fn list_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let w = world(&ctx);
    let matching: Vec<&Volume> = w
        .pfs
        .volumes
        .values()
        .filter(|v| v.region == ctx.region)
        .filter(|v| q.get("name").is_none_or(|n| v.name.contains(n.as_str())))
        .collect();
    let (items, count) = page(matching, |v| (v.name.clone(), v.created_at), &q)?;
    let account = w.cfg.account_id.clone();
    ok(json!({
        "count": count,
        "parallel_filestorages": items.iter().map(|v| volume_json(v, &account, false)).collect::<Vec<_>>(),
    }))
}

async fn show_volume(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let account = w.cfg.account_id.clone();
    let v = volume(&mut w, &ctx.region, &id)?;
    ok(volume_json(v, &account, true))
}

#[derive(Deserialize)]
struct Capacity {
    capacity_tb: i64,
}

async fn set_capacity(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: Capacity = parse(&body)?;
    let capacity_tb = check_capacity(req.capacity_tb)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    if capacity_tb <= v.capacity_tb {
        return Err(invalid(
            &["body", "capacity_tb"],
            format!(
                "capacity can only grow: {capacity_tb} TB is not more than the current {} TB",
                v.capacity_tb
            ),
        ));
    }
    v.capacity_tb = capacity_tb;
    v.state = "editing";
    v.pending = Pending::after(delay, Settle::Ready);
    accepted(None)
}

async fn delete_volume(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    v.state = "deleting";
    v.pending = Pending::after(delay, Settle::Gone);
    accepted(None)
}

async fn list_rules(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let rules: Vec<Value> = v
        .rules
        .iter()
        .map(|r| {
            let ip_state = if r.state == "active" {
                "active"
            } else {
                r.state
            };
            json!({
                "object_id": r.object_id, "object_type": "GPU_NODE",
                "object_name": format!("gpu-node-{}", &r.object_id[..r.object_id.len().min(8)]),
                "object_state": "RUNNING",
                "access_state": if r.state == "active" { "all" } else { r.state },
                "access_ip_list": [{"access_ip": r.ip, "access_ip_state": ip_state}],
            })
        })
        .collect();
    ok(json!({"count": rules.len(), "volume_id": v.id, "access_rules": rules}))
}

#[derive(Deserialize)]
struct RuleRef {
    object_id: String,
    object_type: String,
}

#[derive(Deserialize)]
struct SetRules {
    add_access_rules: Vec<RuleRef>,
    remove_access_rules: Vec<RuleRef>,
}

async fn set_rules(State(ctx): State<Ctx>, Query(q): Q, body: Bytes) -> Reply {
    let vid = volume_id_param(&q)?;
    let req: SetRules = parse(&body)?;
    for (list, name) in [
        (&req.add_access_rules, "add_access_rules"),
        (&req.remove_access_rules, "remove_access_rules"),
    ] {
        for (i, r) in list.iter().enumerate() {
            one_of(
                &["body", name, &i.to_string(), "object_type"],
                &r.object_type,
                &["GPU_NODE"],
            )?;
        }
    }
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let first_ip = w.pfs.ips;
    let v = volume(&mut w, &ctx.region, &vid)?;
    v.available()?;
    for r in &req.add_access_rules {
        if v.rules.iter().any(|x| x.object_id == r.object_id) {
            return Err(conflict(format!(
                "GPU node `{}` already has access",
                r.object_id
            )));
        }
    }
    for r in &req.remove_access_rules {
        if !v
            .rules
            .iter()
            .any(|x| x.object_id == r.object_id && x.state != "removing")
        {
            return Err(not_found("access rule", &r.object_id));
        }
    }
    let mut n = first_ip;
    for r in &req.add_access_rules {
        n += 1;
        v.rules.push(Rule {
            object_type: r.object_type.clone(),
            object_id: r.object_id.clone(),
            state: "adding",
            pending: Pending::after(delay, Settle::Ready),
            ip: Some(format!("10.31.{}.{}", n / 250, n % 250 + 1)),
        });
    }
    for r in &req.remove_access_rules {
        if let Some(x) = v.rules.iter_mut().find(|x| x.object_id == r.object_id) {
            x.state = "removing";
            x.pending = Pending::after(delay, Settle::Gone);
        }
    }
    w.pfs.ips = n;
    let echo = |l: &[RuleRef]| {
        l.iter()
            .map(|r| json!({"object_id": r.object_id, "object_type": r.object_type}))
            .collect::<Vec<_>>()
    };
    accepted(Some(json!({
        "add_access_rules": echo(&req.add_access_rules),
        "remove_access_rules": echo(&req.remove_access_rules),
        "volume_id": vid,
    })))
}

#[derive(Deserialize)]
struct CreateSnapshot {
    volume_id: String,
}

async fn create_snapshot(State(ctx): State<Ctx>, body: Bytes) -> Reply {
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

async fn list_snapshots(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    ok(json!({
        "count": v.snaps.len(),
        "snapshot_size_total_byte": v.snaps.iter().map(|s| s.size).sum::<u64>(),
        "snapshots": v.snaps.iter().map(Snap::json).collect::<Vec<_>>(),
    }))
}

async fn delete_snapshot(State(ctx): State<Ctx>, Path(sid): Path<String>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let i = v
        .snaps
        .iter()
        .position(|s| s.id == sid)
        .ok_or_else(|| not_found("snapshot", &sid))?;
    if v.snaps[i].state != "available" {
        return Err(conflict(format!(
            "snapshot `{sid}` is {}",
            v.snaps[i].state
        )));
    }
    v.snaps.remove(i);
    accepted(None)
}

pub(crate) fn router(world: Shared, region: String) -> Router {
    Router::new()
        .route("/v1/volumes", get(list_volumes).post(create_volume))
        .route("/v1/volumes/{id}", get(show_volume).delete(delete_volume))
        .route(
            "/v1/volumes/{id}/capacity",
            axum::routing::put(set_capacity),
        )
        .route("/v1/access-rules", get(list_rules).put(set_rules))
        .route("/v1/snapshots", get(list_snapshots).post(create_snapshot))
        .route("/v1/snapshots/{id}", axum::routing::delete(delete_snapshot))
        .fallback(|| async { super::fail(StatusCode::NOT_FOUND, "no such operation") })
        .with_state(Ctx { world, region })
}
