//! File Storage replications (`/v1/replications…`) to a replica volume in a peer region:
//! create, list, show, pause/resume or modify, delete, and the regions a source may use.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{check_cifs_password, new_volume, volume, world};
use crate::scp::api::{
    accepted, check_name, conflict, invalid, not_found, ok, one_of, parse, volume_id_param, Fail,
    Reply, Q,
};
use crate::scp::base::{Pending, Settle};
use crate::scp::{new_id, Ctx, World};

const FREQUENCIES: [&str; 5] = ["5min", "hourly", "daily", "weekly", "monthly"];

pub(super) struct Replication {
    pub(super) id: String,
    pub(super) src: String,
    pub(super) dst: String,
    pub(super) src_region: String,
    pub(super) dst_region: String,
    pub(super) frequency: String,
    pub(super) kind: String,
    pub(super) policy: &'static str,
    pub(super) status: &'static str,
    pub(super) pending: Option<Pending<Settle>>,
    pub(super) backup_retention: Option<u32>,
}

fn replication_json(r: &Replication, w: &World, detail: bool) -> Value {
    let name = |id: &str| w.file.volumes.get(id).map(|v| v.name.clone());
    let mut j = json!({
        "replication_id": r.id, "replication_frequency": r.frequency,
        "source_volume_id": r.src, "source_volume_region": r.src_region,
        "source_volume_access_level": "rw",
        "replication_volume_id": r.dst, "replication_volume_region": r.dst_region,
        "replication_volume_access_level": "ro", "replication_type": r.kind,
    });
    if detail {
        j["source_volume_name"] = json!(name(&r.src));
        j["replication_volume_name"] = json!(name(&r.dst));
        j["replication_policy"] = json!(r.policy);
        j["replication_status"] = json!(r.status);
        j["backup_retention_count"] = json!(r.backup_retention);
    }
    j
}

#[derive(Deserialize)]
struct CreateReplication {
    name: String,
    #[serde(default)]
    cifs_password: Option<String>,
    replication_frequency: String,
    region: String,
    volume_id: String,
    #[serde(default)]
    backup_retention_count: Option<i64>,
    replication_type: String,
}

fn check_backup_retention(n: Option<i64>) -> Result<Option<u32>, Fail> {
    match n {
        None => Ok(None),
        Some(n) if (1..=128).contains(&n) => Ok(Some(n as u32)),
        Some(n) => Err(invalid(
            &["body", "backup_retention_count"],
            format!("must be 1-128, got {n}"),
        )),
    }
}

pub(super) async fn create_replication(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateReplication = parse(&body)?;
    check_name("name", &req.name)?;
    one_of(
        &["body", "replication_frequency"],
        &req.replication_frequency,
        &FREQUENCIES,
    )?;
    one_of(
        &["body", "replication_type"],
        &req.replication_type,
        &["replication", "backup"],
    )?;
    let backup_retention = check_backup_retention(req.backup_retention_count)?;
    if let Some(p) = &req.cifs_password {
        check_cifs_password(p)?;
    }
    let mut w = world(&ctx);
    if !w.peer_regions(&ctx.region).contains(&req.region) {
        return Err(invalid(
            &["body", "region"],
            format!("cannot replicate from {} to `{}`", ctx.region, req.region),
        ));
    }
    if w.file
        .volumes
        .values()
        .any(|v| v.region == req.region && v.name == req.name)
    {
        return Err(conflict(format!(
            "a volume named `{}` already exists in {}",
            req.name, req.region
        )));
    }
    let (rid, did, delay) = (new_id(), new_id(), w.cfg.delay);
    let src = volume(&mut w, &ctx.region, &req.volume_id)?;
    src.available()?;
    if src.purpose == "replication" {
        return Err(conflict("a replica volume cannot be replicated"));
    }
    let mut dst = new_volume(
        &did,
        &req.region,
        &req.name,
        &src.protocol,
        &src.type_name,
        "replication",
    );
    dst.pending = Pending::after(delay, Settle::Ready);
    let protocol = src.protocol.clone();
    w.file.volumes.insert(did.clone(), dst);
    w.file.replications.insert(
        rid.clone(),
        Replication {
            id: rid.clone(),
            src: req.volume_id.clone(),
            dst: did.clone(),
            src_region: ctx.region.clone(),
            dst_region: req.region.clone(),
            frequency: req.replication_frequency,
            kind: req.replication_type,
            policy: "use",
            status: "creating",
            pending: Pending::after(delay, Settle::Ready),
            backup_retention,
        },
    );
    accepted(Some(json!({
        "replication_id": rid, "replication_status": "creating",
        "source_volume_id": req.volume_id, "source_volume_region": ctx.region, "protocol": protocol,
        "replication_volume_id": did, "replication_volume_region": req.region,
    })))
}

/// A replication the volume takes part in (as source or replica).
fn replication<'a>(
    w: &'a mut World,
    region: &str,
    vid: &str,
    rid: &str,
) -> Result<&'a mut Replication, Fail> {
    volume(w, region, vid)?;
    w.file
        .replications
        .get_mut(rid)
        .filter(|r| r.src == vid || r.dst == vid)
        .ok_or_else(|| not_found("replication", rid))
}

pub(super) async fn list_replications(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    volume(&mut w, &ctx.region, &vid)?;
    let items: Vec<Value> = w
        .file
        .replications
        .values()
        .filter(|r| r.src == vid || r.dst == vid)
        .map(|r| replication_json(r, &w, false))
        .collect();
    ok(json!({"count": items.len(), "replications": items}))
}

pub(super) async fn show_replication(
    State(ctx): State<Ctx>,
    Path(rid): Path<String>,
    Query(q): Q,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    replication(&mut w, &ctx.region, &vid, &rid)?;
    let r = &w.file.replications[&rid];
    ok(replication_json(r, &w, true))
}

#[derive(Deserialize)]
struct UpdateReplication {
    #[serde(default)]
    replication_policy: Option<String>,
    #[serde(default)]
    replication_frequency: Option<String>,
    #[serde(default)]
    backup_retention_count: Option<i64>,
    replication_update_type: String,
}

pub(super) async fn set_replication(
    State(ctx): State<Ctx>,
    Path(rid): Path<String>,
    Query(q): Q,
    body: Bytes,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let req: UpdateReplication = parse(&body)?;
    one_of(
        &["body", "replication_update_type"],
        &req.replication_update_type,
        &["policy", "modify_schedule", "frequency"],
    )?;
    let backup_retention = check_backup_retention(req.backup_retention_count)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let r = replication(&mut w, &ctx.region, &vid, &rid)?;
    if matches!(r.status, "creating" | "deleting") {
        return Err(conflict(format!("replication `{rid}` is {}", r.status)));
    }
    if req.replication_update_type == "policy" {
        let policy = req.replication_policy.as_deref().ok_or_else(|| {
            invalid(
                &["body", "replication_policy"],
                "required for a policy update",
            )
        })?;
        one_of(&["body", "replication_policy"], policy, &["use", "paused"])?;
        r.policy = if policy == "use" { "use" } else { "paused" };
        r.status = "updating";
        r.pending = Pending::after(delay / 2, Settle::Ready);
    } else {
        if req.replication_frequency.is_none() && backup_retention.is_none() {
            return Err(invalid(
                &["body", "replication_frequency"],
                "nothing to modify",
            ));
        }
        if let Some(f) = &req.replication_frequency {
            one_of(&["body", "replication_frequency"], f, &FREQUENCIES)?;
            r.frequency = f.clone();
        }
        if backup_retention.is_some() {
            r.backup_retention = backup_retention;
        }
    }
    let body = replication_json(&w.file.replications[&rid], &w, false);
    accepted(Some(body))
}

pub(super) async fn delete_replication(
    State(ctx): State<Ctx>,
    Path(rid): Path<String>,
    Query(q): Q,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let r = replication(&mut w, &ctx.region, &vid, &rid)?;
    if r.policy != "paused" || r.status != "paused" {
        return Err(conflict("pause the replication before deleting it"));
    }
    r.status = "deleting";
    r.pending = Pending::after(delay, Settle::Gone);
    accepted(None)
}

pub(super) async fn replication_regions(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let source = q
        .get("source_region_name")
        .ok_or_else(|| invalid(&["query", "source_region_name"], "field required"))?;
    let kind = q
        .get("replication_type")
        .ok_or_else(|| invalid(&["query", "replication_type"], "field required"))?;
    one_of(
        &["query", "replication_type"],
        kind,
        &["replication", "backup"],
    )?;
    let t = q
        .get("type_name")
        .ok_or_else(|| invalid(&["query", "type_name"], "field required"))?;
    one_of(&["query", "type_name"], t, &["HDD", "SSD"])?;
    let w = world(&ctx);
    if !w.cfg.regions.contains(source) {
        return Err(not_found("region", source));
    }
    ok(json!({"regions": w.peer_regions(source)}))
}
