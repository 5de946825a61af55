//! Volume groups (`/v1/volume-groups`, `/v1/volume-groups/{group_id}`, `…/members/add`,
//! `…/members/remove`): list, create (202), show, and membership changes. There is no
//! delete, rename or update (as on SCP).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{async_response, bad, check_group_name, conflict, page, parse, ts, Key};
use super::volumes::USER;
use super::{group, volume, world, Blocks, Group, Schedule, Vol};
use crate::scp::api::{ok, Fail, Reply, Q};
use crate::scp::front::ApiVersion;
use crate::scp::{Ctx, World};

fn id_name(b: &Blocks, id: &str) -> Value {
    json!({"id": id, "name": b.volumes.get(id).map(|v| v.name.clone()).unwrap_or_default()})
}

/// `MemberVolume` (spec), as the member add/remove answers list them.
pub(super) fn member_volume(v: &Vol) -> Value {
    json!({
        "disk_type": v.disk_type, "id": v.id, "name": v.name, "purpose": v.purpose,
        "size_gb": v.size_gb, "so_volume_id": "", "so_volume_name": v.storage_name,
    })
}

/// Show Volume Group's members: the union of `MemberVolume` and `MemberVolumeWithRecoveryInfo`.
fn member_full(b: &Blocks, v: &Vol) -> Value {
    let mut j = member_volume(v);
    j["snapshot_rate"] = json!(v.snapshot_rate);
    j["state"] = json!(v.state);
    let (o, r) = match &v.recovery {
        Some((o, r)) => (id_name(b, o), id_name(b, r)),
        None => (Value::Null, Value::Null),
    };
    j["origin_volume"] = o;
    j["recovery_volume"] = r;
    j
}

fn group_side(b: &Blocks, id: &str) -> Value {
    json!({"id": id, "name": b.groups.get(id).map(|g| g.name.clone()).unwrap_or_default()})
}

/// `VolumeGroupModel` (1.0 without `recovery`).
fn group_model(w: &World, g: &Group, version: &str) -> Value {
    let b = &w.block;
    let mut j = json!({
        "account_id": w.cfg.account_id, "created_at": ts(g.created_at), "created_by": USER,
        "has_origin": b.greps.values().any(|r| r.dst == g.id)
            || g.recovery.as_ref().is_some_and(|(_, r)| r == &g.id),
        "has_replication": b.greps.contains_key(&g.id), "id": g.id,
        "member_volumes": g.members.iter().filter_map(|m| b.volumes.get(m)).map(|v| member_full(b, v)).collect::<Vec<_>>(),
        "modified_at": ts(g.modified_at), "modified_by": USER, "name": g.name,
        "num_of_block_storages": g.members.len(), "purpose": g.purpose,
        "snapshot_schedule": Schedule::json(g.schedule.as_ref()),
        "so_storage_id": 200, "so_volume_pool_id": "bm-01", "state": g.state,
        "storage_volume_group_name": g.storage_name,
    });
    if version >= "1.1" {
        j["recovery"] = match &g.recovery {
            Some((o, r)) => {
                json!({"origin_volume_group": group_side(b, o), "recovery_volume_group": group_side(b, r)})
            }
            None => Value::Null,
        };
    }
    j
}

pub(super) async fn list(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let w = world(&ctx);
    let matching: Vec<&Group> = w
        .block
        .groups
        .values()
        .filter(|g| g.region == ctx.region)
        .filter(|g| q.get("name").is_none_or(|n| g.name.contains(n.as_str())))
        .collect();
    let (items, total) = page(
        matching,
        &["created_at", "modified_at", "name"],
        |g, f| match f {
            "name" => Key::S(g.name.clone()),
            "modified_at" => Key::S(ts(g.modified_at)),
            _ => Key::S(ts(g.created_at)),
        },
        &q,
    )?;
    let groups: Vec<_> = items
        .iter()
        .map(|g| {
            json!({
                "account_id": w.cfg.account_id, "created_at": ts(g.created_at), "created_by": USER,
                "id": g.id, "modified_at": ts(g.modified_at), "modified_by": USER, "name": g.name,
                "num_of_block_storages": g.members.len(), "purpose": g.purpose, "state": g.state,
            })
        })
        .collect();
    ok(json!({"total_count": total, "volume_groups": groups}))
}

/// Checks that `ids` can join a group of this region: they exist (404), are settled and in
/// no group (409).
fn joinable(w: &mut World, region: &str, ids: &[String]) -> Result<(), Fail> {
    if ids.is_empty() {
        return Err(bad("volume_ids must list at least one volume"));
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(bad(format!("volume_ids lists `{id}` twice")));
        }
        let v = volume(w, region, id)?;
        v.ready()?;
        if let Some(g) = &v.group {
            return Err(conflict(format!(
                "volume `{id}` is already in volume group `{g}`"
            )));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    name: String,
    #[serde(default)]
    tags: Option<Vec<Value>>,
    volume_ids: Vec<String>,
}

pub(super) async fn create(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: Create = parse(&body)?;
    check_group_name("name", &req.name)?;
    let mut w = world(&ctx);
    joinable(&mut w, &ctx.region, &req.volume_ids)?;
    if w.block
        .groups
        .values()
        .any(|g| g.region == ctx.region && g.name == req.name)
    {
        return Err(conflict(format!(
            "a volume group named `{}` already exists in {}",
            req.name, ctx.region
        )));
    }
    let delay = w.cfg.delay;
    let mut g = Group::new(&ctx.region, &req.name, req.volume_ids, "ORG");
    g.tags = req.tags.unwrap_or_default();
    g.begin("CREATING", delay);
    let id = g.id.clone();
    for m in &g.members {
        if let Some(v) = w.block.volumes.get_mut(m) {
            v.group = Some(id.clone());
        }
    }
    w.block.groups.insert(id.clone(), g);
    async_response(&id)
}

pub(super) async fn show(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Reply {
    let mut w = world(&ctx);
    group(&mut w, &ctx.region, &id)?;
    ok(json!({"result": group_model(&w, &w.block.groups[&id], &ver)}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Members {
    volume_ids: Vec<String>,
}

/// Membership changes need a settled group without a replication.
fn changeable(w: &mut World, region: &str, id: &str) -> Result<(), Fail> {
    group(w, region, id)?.ready()?;
    if w.block.grep_of(id).is_some() {
        return Err(conflict(
            "the volume group has a replication: delete it before changing members",
        ));
    }
    Ok(())
}

fn members_answer(w: &World, id: &str) -> Reply {
    let g = &w.block.groups[id];
    ok(json!({
        "id": id,
        "member_volumes": g.members.iter().filter_map(|m| w.block.volumes.get(m)).map(member_volume).collect::<Vec<_>>(),
    }))
}

pub(super) async fn add_members(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: Members = parse(&body)?;
    let mut w = world(&ctx);
    changeable(&mut w, &ctx.region, &id)?;
    joinable(&mut w, &ctx.region, &req.volume_ids)?;
    let delay = w.cfg.delay;
    for m in &req.volume_ids {
        if let Some(v) = w.block.volumes.get_mut(m) {
            v.group = Some(id.clone());
        }
    }
    let g = group(&mut w, &ctx.region, &id)?;
    g.members.extend(req.volume_ids);
    g.begin("EDITING", delay);
    members_answer(&w, &id)
}

pub(super) async fn remove_members(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: Members = parse(&body)?;
    if req.volume_ids.is_empty() {
        return Err(bad("volume_ids must list at least one volume"));
    }
    let mut w = world(&ctx);
    changeable(&mut w, &ctx.region, &id)?;
    let delay = w.cfg.delay;
    let g = group(&mut w, &ctx.region, &id)?;
    if let Some(m) = req.volume_ids.iter().find(|m| !g.members.contains(m)) {
        return Err(bad(format!(
            "volume `{m}` is not a member of the volume group"
        )));
    }
    if g.members.iter().all(|m| req.volume_ids.contains(m)) {
        return Err(bad(
            "a volume group must keep at least one member volume (groups cannot be deleted)",
        ));
    }
    for m in &req.volume_ids {
        w.block.volumes.get(m).map(Vol::ready).transpose()?;
    }
    for m in &req.volume_ids {
        if let Some(v) = w.block.volumes.get_mut(m) {
            v.group = None;
        }
    }
    let g = group(&mut w, &ctx.region, &id)?;
    g.members.retain(|m| !req.volume_ids.contains(m));
    g.begin("EDITING", delay);
    members_answer(&w, &id)
}
