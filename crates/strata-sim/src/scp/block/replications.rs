//! Volume replication (`/v1/volumes/{volume_id}/replications…`): one relation per volume to
//! a replica volume in another region. Create (202), show (from either side), cycle,
//! policy (`BREAK`/`RESYNC`) and delete (202; the replica stays as an ordinary volume).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::common::{
    async_response, bad, check_volume_name, conflict, no_body, not_found, one_of, parse, CYCLES,
    POLICIES,
};
use super::{volume, world, Next, Rep, RepNext, Vol};
use crate::scp::api::{ok, Fail, Reply};
use crate::scp::base::Pending;
use crate::scp::{Ctx, World};

/// Checks a replication target region: served by the simulator, and not the source's.
pub(super) fn check_region(w: &World, from: &str, region: &str) -> Result<(), Fail> {
    if region == from || !w.cfg.regions.iter().any(|r| r == region) {
        return Err(bad(format!(
            "region `{region}` is not a replication target: use one of {}",
            w.peer_regions(from).join(", ")
        )));
    }
    Ok(())
}

/// A new relation, `INITIALIZING` until the replica is created.
pub(super) fn new_rep(src: &str, dst: &str, cycle: &str, delay: Duration) -> Rep {
    Rep {
        src: src.into(),
        dst: dst.into(),
        cycle: cycle.into(),
        sync_state: "INITIALIZING",
        pending: Pending::after(delay, RepNext::Mirrored),
        members: vec![],
    }
}

/// Whether the relation is being deleted.
pub(super) fn deleting(r: &Rep) -> bool {
    matches!(r.pending, Some(p) if matches!(p.then, RepNext::Gone))
}

/// Mutations need a relation that is not being deleted.
pub(super) fn alive(r: &Rep) -> Result<(), Fail> {
    if deleting(r) {
        Err(conflict("the replication is being deleted"))
    } else {
        Ok(())
    }
}

/// Applies `BREAK` (mirrored → `BROKEN_OFF`) or `RESYNC` (broken off → `RESYNCING` →
/// `SNAPMIRROED`).
pub(super) fn apply_policy(r: &mut Rep, policy: &str, delay: Duration) -> Result<(), Fail> {
    alive(r)?;
    match (policy, r.sync_state) {
        ("BREAK", "SNAPMIRROED") => r.sync_state = "BROKEN_OFF",
        ("RESYNC", "BROKEN_OFF") => {
            r.sync_state = "RESYNCING";
            r.pending = Pending::after(delay, RepNext::Mirrored);
        }
        (_, state) => {
            return Err(conflict(format!(
                "cannot {} a replication that is {state}",
                policy.to_lowercase()
            )))
        }
    }
    Ok(())
}

/// A replica volume of `src` in `region`, being created.
pub(super) fn replica_of(src: &Vol, region: &str, name: &str, delay: Duration) -> Vol {
    let mut v = Vol::new(region, name, &src.disk_type, src.size_gb, "REPL");
    v.qos = src.qos;
    v.begin("CREATING", Next::To("AVAILABLE"), delay);
    v
}

/// Whether a volume named `name` exists in `region`.
pub(super) fn name_taken(w: &World, region: &str, name: &str) -> bool {
    w.block
        .volumes
        .values()
        .any(|v| v.region == region && v.name == name)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    cycle: String,
    name: String,
    region: String,
}

pub(super) async fn create(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: Create = parse(&body)?;
    check_volume_name("name", &req.name)?;
    one_of("cycle", &req.cycle, &CYCLES)?;
    let mut w = world(&ctx);
    check_region(&w, &ctx.region, &req.region)?;
    let delay = w.cfg.delay;
    volume(&mut w, &ctx.region, &id)?.ready()?;
    let in_group_rep = w
        .block
        .greps
        .values()
        .any(|r| r.members.iter().any(|m| m.0 == id || m.1 == id));
    if w.block.vrep_of(&id).is_some() || in_group_rep {
        return Err(conflict("replication already exists for the volume"));
    }
    if name_taken(&w, &req.region, &req.name) {
        return Err(conflict(format!(
            "a volume named `{}` already exists in {}",
            req.name, req.region
        )));
    }
    let replica = replica_of(&w.block.volumes[&id], &req.region, &req.name, delay);
    let rid = replica.id.clone();
    w.block.volumes.insert(rid.clone(), replica);
    w.block
        .vreps
        .insert(id.clone(), new_rep(&id, &rid, &req.cycle, delay));
    async_response(&rid)
}

/// The key (source id) of the relation volume `id` of this region takes part in.
fn rep_key(w: &mut World, region: &str, id: &str) -> Result<String, Fail> {
    volume(w, region, id)?;
    w.block
        .vrep_of(id)
        .map(|r| r.src.clone())
        .ok_or_else(|| not_found("replication of volume", id))
}

pub(super) async fn show(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let key = rep_key(&mut w, &ctx.region, &id)?;
    let b = &w.block;
    let r = &b.vreps[&key];
    let (other, auth) = if r.src == id {
        (&r.dst, r.replica_auth())
    } else {
        (&r.src, "READ_WRITE")
    };
    let related: Vec<_> = b
        .volumes
        .get(other)
        .map(|v| json!({"auth": auth, "id": v.id, "name": v.name, "purpose": v.purpose, "region": v.region}))
        .into_iter()
        .collect();
    ok(
        json!({"result": {"related_volumes": related, "sync_cycle": r.cycle, "sync_state": r.sync_state}}),
    )
}

pub(super) async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let key = rep_key(&mut w, &ctx.region, &id)?;
    let r = w.block.vreps.get_mut(&key).expect("found");
    alive(r)?;
    r.pending = Pending::after(delay, RepNext::Gone);
    async_response(&id)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Cycle {
    pub cycle: String,
}

pub(super) async fn set_cycle(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: Cycle = parse(&body)?;
    one_of("cycle", &req.cycle, &CYCLES)?;
    let mut w = world(&ctx);
    let key = rep_key(&mut w, &ctx.region, &id)?;
    let r = w.block.vreps.get_mut(&key).expect("found");
    alive(r)?;
    r.cycle = req.cycle;
    ok(json!({"cycle": r.cycle, "volume_id": id}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Policy {
    pub policy: String,
}

pub(super) async fn set_policy(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: Policy = parse(&body)?;
    one_of("policy", &req.policy, &POLICIES)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let key = rep_key(&mut w, &ctx.region, &id)?;
    let r = w.block.vreps.get_mut(&key).expect("found");
    apply_policy(r, &req.policy, delay)?;
    ok(json!({"sync_cycle": r.cycle, "sync_state": r.sync_state}))
}
