//! Volume-group replication (`/v1/volume-groups/{group_id}/replications…`): a replica group
//! in another region whose members are replicas named `<replication_volume_name_prefix>` +
//! the source member's name. Create (202), show (from either side), cycle, policy, and a
//! **synchronous** delete answering `{result: true}` (the replica group stays).

use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::common::{
    async_response, check_group_name, check_volume_name, conflict, no_body, not_found, one_of,
    parse, CYCLES, POLICIES,
};
use super::replications::{
    alive, apply_policy, check_region, name_taken, new_rep, replica_of, Cycle, Policy,
};
use super::{group, world, Group};
use crate::scp::api::{ok, Fail, Reply};
use crate::scp::{Ctx, World};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    cycle: String,
    name: String,
    region: String,
    replication_volume_name_prefix: String,
}

pub(super) async fn create(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: Create = parse(&body)?;
    check_group_name("name", &req.name)?;
    one_of("cycle", &req.cycle, &CYCLES)?;
    let mut w = world(&ctx);
    check_region(&w, &ctx.region, &req.region)?;
    let delay = w.cfg.delay;
    group(&mut w, &ctx.region, &id)?.ready()?;
    if w.block.grep_of(&id).is_some() {
        return Err(conflict("replication already exists for the volume group"));
    }
    let members = w.block.groups[&id].members.clone();
    let prefix = &req.replication_volume_name_prefix;
    for m in &members {
        let v = &w.block.volumes[m];
        v.ready()?;
        if w.block.vrep_of(m).is_some() {
            return Err(conflict(format!(
                "member volume `{m}` already has a replication: delete it first"
            )));
        }
        let name = format!("{prefix}{}", v.name);
        check_volume_name("replica volume name (prefix + member name)", &name)?;
        if name_taken(&w, &req.region, &name) {
            return Err(conflict(format!(
                "a volume named `{name}` already exists in {}",
                req.region
            )));
        }
    }
    let mut replica = Group::new(&req.region, &req.name, vec![], "REPL");
    replica.begin("CREATING", delay);
    let rid = replica.id.clone();
    let mut rep = new_rep(&id, &rid, &req.cycle, delay);
    for m in &members {
        let src = &w.block.volumes[m];
        let mut v = replica_of(src, &req.region, &format!("{prefix}{}", src.name), delay);
        v.group = Some(rid.clone());
        rep.members.push((m.clone(), v.id.clone()));
        replica.members.push(v.id.clone());
        w.block.volumes.insert(v.id.clone(), v);
    }
    w.block.groups.insert(rid.clone(), replica);
    w.block.greps.insert(id.clone(), rep);
    async_response(&rid)
}

/// The key (source group id) of the relation group `id` of this region takes part in.
fn rep_key(w: &mut World, region: &str, id: &str) -> Result<String, Fail> {
    group(w, region, id)?;
    w.block
        .grep_of(id)
        .map(|r| r.src.clone())
        .ok_or_else(|| not_found("replication of volume group", id))
}

pub(super) async fn show(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let key = rep_key(&mut w, &ctx.region, &id)?;
    let b = &w.block;
    let r = &b.greps[&key];
    let (other, auth) = if r.src == id {
        (&r.dst, r.replica_auth())
    } else {
        (&r.src, "READ_WRITE")
    };
    let related: Vec<_> = b
        .groups
        .get(other)
        .map(|g| json!({"auth": auth, "id": g.id, "name": g.name, "purpose": g.purpose, "region": g.region}))
        .into_iter()
        .collect();
    ok(
        json!({"result": {"related_volume_groups": related, "sync_cycle": r.cycle, "sync_state": r.sync_state}}),
    )
}

pub(super) async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let key = rep_key(&mut w, &ctx.region, &id)?;
    w.block.greps.remove(&key);
    ok(json!({"result": true}))
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
    let r = w.block.greps.get_mut(&key).expect("found");
    alive(r)?;
    r.cycle = req.cycle;
    ok(json!({"cycle": r.cycle, "volume_group_id": id}))
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
    let r = w.block.greps.get_mut(&key).expect("found");
    apply_policy(r, &req.policy, delay)?;
    ok(json!({"cycle": r.cycle, "sync_state": r.sync_state}))
}
