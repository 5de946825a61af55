//! Restores: RestoreBackup (image → a new server, 202), CheckBackupRestoreServerNameDuplicate,
//! ListBackupRestoreSubnets, ListAgentBackupRestoreTargetServers and RestoreAgentBackup
//! (filesystem paths → an existing server, 200).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::common::{
    async_response, bad, conflict, invalid_at, list_body, norm_path, not_found, opt, outcome, page,
    parse, required, sync_response, uuid, Outcome, USER,
};
use super::model::{Backup, NewServer, Restore, Server};
use super::{backup, world, Backups};
use crate::scp::api::{ok, Fail, Reply, Q};
use crate::scp::base::Pending;
use crate::scp::{Ctx, ScpSimConfig};

fn hex32(seed: &str) -> String {
    Sha256::digest(seed.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The two restorable subnets of a region (fixed, `ACTIVE`, `GENERAL`).
fn subnets_of(cfg: &ScpSimConfig, region: &str) -> Vec<Value> {
    ["a", "b"]
        .iter()
        .enumerate()
        .map(|(i, tag)| {
            let n = 10 * (i + 1);
            json!({"id": hex32(&format!("{region}/subnet-{tag}")),
                "name": format!("{region}-subnet-{tag}"),
                "cidr": format!("192.168.{n}.0/24"), "gateway_ip_address": format!("192.168.{n}.1"),
                "state": "ACTIVE", "type": "GENERAL",
                "vpc_id": hex32(&format!("{region}/vpc")), "vpc_name": format!("{region}-vpc"),
                "account_id": cfg.account_id,
                "created_at": "2024-01-01T00:00:00Z", "created_by": USER,
                "modified_at": "2024-01-01T00:00:00Z", "modified_by": USER})
        })
        .collect()
}

/// Whether a server name is used by a server of the account or a running or completed
/// image restore.
fn name_taken(bs: &Backups, name: &str) -> bool {
    bs.servers.values().any(|s| s.name == name)
        || bs.backups.values().any(|b| {
            b.restores
                .iter()
                .any(|r| r.new_server.is_some() && r.state != "FAILED" && r.server_name == name)
        })
}

/// A backup that can be restored from (not deleting, `AVAILABLE`, no restore running) and
/// the restorable point `point_id` of it.
fn restorable<'a>(
    bs: &'a mut Backups,
    region: &str,
    id: &str,
    point_id: &str,
    filesystem: bool,
) -> Result<&'a mut Backup, Fail> {
    let b = bs
        .backups
        .get_mut(id)
        .filter(|b| b.region == region)
        .ok_or_else(|| not_found("backup", id))?;
    if b.is_filesystem() != filesystem {
        return Err(bad(if filesystem {
            format!(
                "backup `{id}` is a VM_IMAGE policy: restore it with POST /v1/backups/{id}/restore"
            )
        } else {
            format!("backup `{id}` is a FILESYSTEM policy: restore it with POST /v1/backups/{id}/restore-agent-backup")
        }));
    }
    if b.state != "AVAILABLE" {
        let state = b.state.to_ascii_lowercase();
        return Err(conflict(format!("backup `{id}` is {state}")));
    }
    let p = b
        .points
        .iter()
        .find(|p| p.id == point_id)
        .ok_or_else(|| not_found("restore target", point_id))?;
    if !p.available {
        return Err(conflict(format!(
            "restore target `{point_id}` is not restorable"
        )));
    }
    if b.restore_running() {
        return Err(conflict(format!("a restore of backup `{id}` is running")));
    }
    Ok(b)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Network {
    subnet_id: String,
}

/// `BackupRestoreRequest` (`server_type_id` required, as in the seed).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageReq {
    restore_target_id: String,
    restore_server_name: String,
    server_type_id: String,
    #[serde(default)]
    networks: Option<Vec<Network>>,
    #[serde(default)]
    security_groups: Option<Vec<String>>,
    #[serde(default)]
    restore_region: Option<String>,
}

/// RestoreBackup: a new server from an image recovery point (202; `resource.id` is the
/// future `restore_server_id`).
pub(super) async fn restore_image(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: ImageReq = parse(&body)?;
    let name = &req.restore_server_name;
    let name_ok = (1..=63).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' '));
    if !name_ok {
        return Err(invalid_at(
            &["body", "restore_server_name"],
            format!("restore_server_name must be 1-63 characters of letters, digits, `-`, `_` or space, got `{name}`"),
        ));
    }
    if req.server_type_id.trim().is_empty() {
        return Err(invalid_at(
            &["body", "server_type_id"],
            "server_type_id must not be empty",
        ));
    }
    if req
        .security_groups
        .iter()
        .flatten()
        .any(|g| g.trim().is_empty())
    {
        return Err(invalid_at(
            &["body", "security_groups"],
            "security group ids must not be empty",
        ));
    }
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let region = req.restore_region.clone().unwrap_or(ctx.region.clone());
    if !w.cfg.regions.contains(&region) {
        return Err(bad(format!(
            "restore_region `{region}` is not a region of the account"
        )));
    }
    let subnets = subnets_of(&w.cfg, &region);
    for n in req.networks.iter().flatten() {
        if !subnets.iter().any(|s| s["id"] == n.subnet_id.as_str()) {
            return Err(bad(format!(
                "subnet `{}` is not a restorable subnet of region `{region}`",
                n.subnet_id
            )));
        }
    }
    let seq = w.backup.next_seq();
    let taken = name_taken(&w.backup, name);
    let bs = &mut w.backup;
    let os_version = bs
        .backups
        .get(&id)
        .and_then(|b| bs.servers.get(&b.server_uuid))
        .map(|s| s.os_version.clone())
        .unwrap_or_default();
    let b = restorable(bs, &ctx.region, &id, &req.restore_target_id, false)?;
    if taken {
        return Err(conflict(format!(
            "restore server name `{name}` already exists"
        )));
    }
    let point = b
        .points
        .iter()
        .find(|p| p.id == req.restore_target_id)
        .cloned();
    let point = point.ok_or_else(|| not_found("restore target", &req.restore_target_id))?;
    let server_id = uuid();
    let result = if outcome(name) == Outcome::Fail {
        "FAILED"
    } else {
        "COMPLETED"
    };
    let now = Utc::now();
    b.restores.push(Restore {
        point_id: point.id.clone(),
        backup_start: point.start,
        start: now,
        end: None,
        state: "INPROGRESS",
        server_id: None,
        server_name: name.clone(),
        schedule_name: point.schedule_name.clone(),
        pending: Pending::after(delay, result),
        new_server: Some(NewServer {
            uuid: server_id.clone(),
            region,
            server_type: req.server_type_id.clone(),
            category: b.server_category,
            os_type: b.server_os_type,
            os_version,
        }),
        modified_at: now,
        seq,
    });
    async_response(&server_id)
}

/// CheckBackupRestoreServerNameDuplicate: `result: true` when the name is taken.
pub(super) async fn check_server_name(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let name = required(&q, "restore_server_name")?;
    let w = world(&ctx);
    ok(json!({"result": name_taken(&w.backup, name)}))
}

/// ListBackupRestoreSubnets (`{count, subnets}`; `region` defaults to the endpoint's).
pub(super) async fn subnets(State(ctx): State<Ctx>, Path(id): Path<String>, Query(q): Q) -> Reply {
    let mut w = world(&ctx);
    backup(&mut w, &ctx.region, &id)?;
    let region = opt(&q, "region").unwrap_or(&ctx.region);
    if !w.cfg.regions.iter().any(|r| r == region) {
        return Err(bad(format!(
            "region `{region}` is not a region of the account"
        )));
    }
    let rows: Vec<Value> = subnets_of(&w.cfg, region)
        .into_iter()
        .filter(|s| opt(&q, "vpc_id").is_none_or(|v| s["vpc_id"] == v))
        .filter(|s| opt(&q, "state").is_none_or(|v| s["state"] == v))
        .collect();
    ok(json!({"count": rows.len(), "subnets": rows}))
}

/// Whether `s` can receive a filesystem restore of a backup of an `os_type` server: it is
/// in the region and has an `AVAILABLE` agent and that OS type.
fn fs_target(bs: &Backups, region: &str, os_type: &str, s: &Server) -> bool {
    s.region == region
        && s.os_type == os_type
        && bs.agent_of(&s.uuid).is_some_and(|a| a.state == "AVAILABLE")
}

/// ListAgentBackupRestoreTargetServers (default size 5, by `server_name`).
pub(super) async fn agent_target_servers(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    Query(q): Q,
) -> Reply {
    let mut w = world(&ctx);
    let os = backup(&mut w, &ctx.region, &id)?.server_os_type;
    let name = opt(&q, "server_name");
    let bs = &w.backup;
    let rows = bs
        .servers
        .values()
        .filter(|s| fs_target(bs, &ctx.region, os, s))
        .filter(|s| name.is_none_or(|n| s.name.contains(n)))
        .map(|s| {
            let row = json!({"server_uuid": s.uuid, "server_name": s.name,
                "server_os_version": s.os_version});
            (s.seq, row)
        })
        .collect();
    let (rows, total) = page(rows, &q, &[], ("server_name", false), 5, false)?;
    ok(list_body(rows, total))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FsPath {
    source: String,
    destination: String,
}

/// `AgentBackupRestoreRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FsReq {
    restore_target_id: String,
    restore_server_uuid: String,
    filesystem_paths: Vec<FsPath>,
    #[serde(default)]
    #[allow(dead_code)]
    overwrite: Option<bool>,
}

/// RestoreAgentBackup: paths of a filesystem recovery point onto a server with an agent
/// (200, yet it runs like the image restore).
pub(super) async fn restore_filesystem(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: FsReq = parse(&body)?;
    if req.filesystem_paths.is_empty() {
        return Err(bad(
            "filesystem_paths must map at least one source to a destination",
        ));
    }
    for p in &req.filesystem_paths {
        if p.source.trim().is_empty() || p.destination.trim().is_empty() {
            return Err(invalid_at(
                &["body", "filesystem_paths"],
                "source and destination must not be empty",
            ));
        }
    }
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let seq = w.backup.next_seq();
    let bs = &mut w.backup;
    let target = bs
        .servers
        .get(&req.restore_server_uuid)
        .ok_or_else(|| not_found("server", &req.restore_server_uuid))?;
    let os = backup_os(bs, &ctx.region, &id)?;
    if !fs_target(bs, &ctx.region, os, target) {
        return Err(bad(format!(
            "server `{}` cannot receive this restore: it needs an AVAILABLE backup agent, a {os} OS and region {}",
            target.uuid, ctx.region
        )));
    }
    let (target_id, target_name) = (target.uuid.clone(), target.name.clone());
    let b = restorable(bs, &ctx.region, &id, &req.restore_target_id, true)?;
    let protected: Vec<String> = b.paths.iter().flatten().map(|p| norm_path(p)).collect();
    if let Some(p) = req
        .filesystem_paths
        .iter()
        .find(|p| !protected.contains(&norm_path(&p.source)))
    {
        return Err(bad(format!(
            "source `{}` is not a filesystem path of backup `{id}`",
            p.source
        )));
    }
    let point = b
        .points
        .iter()
        .find(|p| p.id == req.restore_target_id)
        .cloned();
    let point = point.ok_or_else(|| not_found("restore target", &req.restore_target_id))?;
    let result = if outcome(&target_name) == Outcome::Fail {
        "FAILED"
    } else {
        "COMPLETED"
    };
    let now = Utc::now();
    b.restores.push(Restore {
        point_id: point.id,
        backup_start: point.start,
        start: now,
        end: None,
        state: "INPROGRESS",
        server_id: Some(target_id),
        server_name: target_name,
        schedule_name: point.schedule_name,
        pending: Pending::after(delay, result),
        new_server: None,
        modified_at: now,
        seq,
    });
    sync_response(&id)
}

/// The OS type of a backup's protected server (404 for an unknown backup).
fn backup_os(bs: &Backups, region: &str, id: &str) -> Result<&'static str, Fail> {
    bs.backups
        .get(id)
        .filter(|b| b.region == region)
        .map(|b| b.server_os_type)
        .ok_or_else(|| not_found("backup", id))
}
