//! Parallel File Storage volumes (`/v1/volumes…`): create, list, show, grow the capacity
//! (`editing` → `available`), delete.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{volume, world, ParallelVolume};
use crate::scp::api::{
    accepted, check_name, conflict, invalid, ok, page, parse, ts, Fail, Reply, Q,
};
use crate::scp::base::{Base, Pending, Settle};
use crate::scp::{new_id, Ctx};

fn volume_json(v: &ParallelVolume, account: &str, detail: bool) -> Value {
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

pub(super) async fn create_volume(State(ctx): State<Ctx>, body: Bytes) -> Reply {
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
    let v = ParallelVolume {
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

pub(super) async fn list_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let w = world(&ctx);
    let matching: Vec<&ParallelVolume> = w
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

pub(super) async fn show_volume(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let account = w.cfg.account_id.clone();
    let v = volume(&mut w, &ctx.region, &id)?;
    ok(volume_json(v, &account, true))
}

#[derive(Deserialize)]
struct Capacity {
    capacity_tb: i64,
}

pub(super) async fn set_capacity(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
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

pub(super) async fn delete_volume(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    v.state = "deleting";
    v.pending = Pending::after(delay, Settle::Gone);
    accepted(None)
}
