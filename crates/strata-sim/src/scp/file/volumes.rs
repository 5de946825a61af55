//! File Storage volumes (`/v1/volumes`, `/v1/volumes/{id}`): create (empty or from a
//! snapshot), list, show, set file-unit recovery, delete.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{check_cifs_password, new_volume, volume, world, FileVolume, GIB};
use crate::scp::api::{
    accepted, check_name, conflict, invalid, not_found, ok, one_of, page, parse, ts, Reply, Q,
};
use crate::scp::base::{Pending, Settle};
use crate::scp::{new_id, Ctx};

const TYPES: [&str; 3] = ["HDD", "SSD", "HighPerformanceSSD"];

fn type_id(type_name: &str) -> String {
    format!("type-{}", type_name.to_ascii_lowercase())
}

fn volume_json(v: &FileVolume, account: &str, detail: bool) -> Value {
    let mut j = json!({
        "id": v.id, "name": v.name, "protocol": v.protocol, "state": v.state,
        "account_id": account, "created_at": ts(v.created_at),
        "type_id": type_id(&v.type_name), "type_name": v.type_name, "purpose": v.purpose,
    });
    if detail {
        let ip = format!(
            "10.{}.0.{}",
            if v.region.ends_with("east1") { 20 } else { 10 },
            5
        );
        let ready = v.state != "creating";
        j["encryption_enabled"] = json!(true);
        j["file_unit_recovery_enabled"] = json!(v.file_unit_recovery);
        j["usage"] = json!(v.usage_gib);
        j["endpoint_path"] = if ready { json!(ip) } else { Value::Null };
        j["path"] = match (ready, v.protocol.as_str()) {
            (false, _) => Value::Null,
            (true, "CIFS") => json!(format!("\\\\{ip}\\{}", v.name)),
            (true, _) => json!(format!("{ip}:/{}", v.name)),
        };
        j["cifs_id"] = if v.protocol == "CIFS" {
            json!(format!("{}_user", v.name))
        } else {
            Value::Null
        };
    }
    j
}

#[derive(Deserialize)]
struct Tag {
    key: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct CreateVolume {
    name: String,
    protocol: String,
    type_name: String,
    #[serde(default)]
    snapshot_id: Option<String>,
    #[serde(default)]
    cifs_password: Option<String>,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

pub(super) async fn create_volume(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateVolume = parse(&body)?;
    check_name("name", &req.name)?;
    one_of(&["body", "protocol"], &req.protocol, &["NFS", "CIFS"])?;
    one_of(&["body", "type_name"], &req.type_name, &TYPES)?;
    match (&req.cifs_password, req.protocol.as_str()) {
        (Some(_), "NFS") => {
            return Err(invalid(
                &["body", "cifs_password"],
                "cifs_password applies to CIFS volumes only",
            ))
        }
        (Some(p), _) => check_cifs_password(p)?,
        _ => {}
    }
    for (i, t) in req.tags.iter().flatten().enumerate() {
        if t.key.is_empty() || t.key.len() > 128 || t.value.as_ref().is_some_and(|v| v.len() > 256)
        {
            return Err(invalid(
                &["body", "tags", &i.to_string()],
                "tag key 1-128, value at most 256 characters",
            ));
        }
    }
    if req.tags.as_ref().is_some_and(|t| t.len() > 50) {
        return Err(invalid(&["body", "tags"], "at most 50 tags"));
    }
    let mut w = world(&ctx);
    let region = ctx.region.clone();
    if w.file
        .volumes
        .values()
        .any(|v| v.region == region && v.name == req.name)
    {
        return Err(conflict(format!(
            "a volume named `{}` already exists",
            req.name
        )));
    }
    let mut usage = 0;
    if let Some(sid) = &req.snapshot_id {
        let src = w
            .file
            .volumes
            .values()
            .filter(|v| v.region == region)
            .find_map(|v| {
                v.snaps
                    .iter()
                    .find(|s| &s.id == sid)
                    .map(|s| (s.state, s.size))
            })
            .ok_or_else(|| not_found("snapshot", sid))?;
        if src.0 != "available" {
            return Err(conflict(format!("snapshot `{sid}` is {}", src.0)));
        }
        usage = src.1 / GIB;
    }
    let id = new_id();
    let delay = w.cfg.delay;
    let mut v = new_volume(
        &id,
        &region,
        &req.name,
        &req.protocol,
        &req.type_name,
        "none",
    );
    v.pending = Pending::after(delay, Settle::Ready);
    v.usage_gib = usage;
    w.file.volumes.insert(id.clone(), v);
    accepted(Some(json!({
        "protocol": req.protocol, "snapshot_id": req.snapshot_id, "type_name": req.type_name,
        "volume_id": id, "volume_name": req.name,
    })))
}

pub(super) async fn list_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    if let Some(t) = q.get("type_name").filter(|t| !t.is_empty()) {
        one_of(&["query", "type_name"], t, &TYPES)?;
    }
    let w = world(&ctx);
    let matching: Vec<&FileVolume> = w
        .file
        .volumes
        .values()
        .filter(|v| v.region == ctx.region)
        .filter(|v| q.get("name").is_none_or(|n| v.name.contains(n.as_str())))
        .filter(|v| {
            q.get("type_name")
                .filter(|t| !t.is_empty())
                .is_none_or(|t| &v.type_name == t)
        })
        .collect();
    let (items, count) = page(matching, |v| (v.name.clone(), v.created_at), &q)?;
    let account = w.cfg.account_id.clone();
    ok(json!({
        "count": count,
        "filestorages": items.iter().map(|v| volume_json(v, &account, false)).collect::<Vec<_>>(),
    }))
}

pub(super) async fn show_volume(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let account = w.cfg.account_id.clone();
    let v = volume(&mut w, &ctx.region, &id)?;
    ok(volume_json(v, &account, true))
}

#[derive(Deserialize)]
struct SetVolume {
    file_unit_recovery_enabled: bool,
}

pub(super) async fn set_volume(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: SetVolume = parse(&body)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    v.file_unit_recovery = req.file_unit_recovery_enabled;
    accepted(Some(
        json!({"file_unit_recovery_enabled": v.file_unit_recovery}),
    ))
}

pub(super) async fn delete_volume(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    if w.file
        .replications
        .values()
        .any(|r| r.src == id || r.dst == id)
    {
        return Err(conflict("the volume has replications; delete them first"));
    }
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    v.state = "deleting";
    v.pending = Pending::after(delay, Settle::Gone);
    accepted(None)
}
