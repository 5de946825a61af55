//! Backup policies (`/v1/backups`, `/v1/backups/{backup_id}`): ListBackups, CreateBackup,
//! ShowBackup, DeleteBackup, CheckBackupNameDuplicate, ListBackupTargets and
//! UpdateRetentionPeriod.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{
    bad, conflict, hex_id, invalid_at, list_body, no_body, norm_path, not_found, one_of, opt, page,
    parse, required, sync_response, POLICY_CATEGORIES, POLICY_TYPES, RETENTIONS, SERVER_CATEGORIES,
};
use super::model::{Backup, Next, Sched, Server};
use super::schedules::{build, SchedReq};
use super::{backup, changeable, dr, world, Backups};
use crate::scp::api::{ok, Fail, Reply, Q};
use crate::scp::base::Pending;
use crate::scp::front::ApiVersion;
use crate::scp::Ctx;

const ROW_FIELDS: [&str; 11] = [
    "id",
    "name",
    "policy_type",
    "retention_period",
    "role_type",
    "server_name",
    "state",
    "created_at",
    "created_by",
    "modified_at",
    "modified_by",
];

/// `BackupCreateRequest` (1.0) and `BackupCreateRequest1Dot1` (1.1, `dr_enabled`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateReq {
    name: String,
    policy_category: String,
    policy_type: String,
    server_uuid: String,
    server_category: String,
    #[serde(default)]
    server_guid: Option<String>,
    schedules: Vec<SchedReq>,
    #[serde(default)]
    retention_period: Option<String>,
    #[serde(default)]
    encrypt_enabled: Option<bool>,
    #[serde(default)]
    filesystem_paths: Option<Vec<String>>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    dr_enabled: Option<bool>,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Tag {
    key: String,
    value: String,
}

/// A new policy on `server`, `CREATING` for `delay` (at once `AVAILABLE` when zero).
#[allow(clippy::too_many_arguments)]
pub(super) fn new_backup(
    bs: &mut Backups,
    region: &str,
    name: &str,
    server: &Server,
    policy_type: &'static str,
    retention: &str,
    encrypt: bool,
    paths: Option<Vec<String>>,
    schedules: Vec<Sched>,
    delay: Duration,
) -> Backup {
    let now = Utc::now();
    let filesystem = policy_type == "FILESYSTEM";
    let agent_id = filesystem
        .then(|| bs.agent_of(&server.uuid).map(|a| a.id.clone()))
        .flatten();
    Backup {
        id: hex_id(),
        name: name.to_string(),
        region: region.to_string(),
        category: if filesystem { "AGENT" } else { "AGENTLESS" },
        policy_type,
        server_uuid: server.uuid.clone(),
        server_name: server.name.clone(),
        server_category: server.category,
        server_os_type: server.os_type,
        server_region: server.region.clone(),
        retention: retention.to_string(),
        encrypt,
        paths: if filesystem { paths } else { None },
        agent_id,
        role: "ORIGINAL",
        origin: None,
        replica: None,
        dr_region: None,
        state: if delay.is_zero() {
            "AVAILABLE"
        } else {
            "CREATING"
        },
        pending: if delay.is_zero() {
            None
        } else {
            Pending::after(delay, Next::Available)
        },
        schedules,
        jobs: vec![],
        points: vec![],
        restores: vec![],
        created_at: now,
        modified_at: now,
        seq: bs.next_seq(),
        tags: vec![],
    }
}

/// The paths of a filesystem policy: at least one, no repeats, none already protected on
/// the server by another policy.
pub(super) fn check_paths(
    bs: &Backups,
    server_uuid: &str,
    paths: &[String],
    except: Option<&str>,
) -> Result<Vec<String>, Fail> {
    if paths.is_empty() {
        return Err(bad(
            "a FILESYSTEM policy needs at least one filesystem path",
        ));
    }
    let mut seen: Vec<String> = vec![];
    for p in paths {
        if p.trim().is_empty() {
            return Err(bad("filesystem paths must not be empty"));
        }
        let n = norm_path(p);
        if seen.contains(&n) {
            return Err(bad(format!("filesystem path `{p}` is listed twice")));
        }
        if path_taken(bs, server_uuid, &n, except) {
            return Err(conflict(format!(
                "filesystem path `{p}` already exists in a backup policy of server `{server_uuid}`"
            )));
        }
        seen.push(n);
    }
    Ok(paths.to_vec())
}

/// Whether another policy on the server protects the (normalised) path.
pub(super) fn path_taken(
    bs: &Backups,
    server_uuid: &str,
    path: &str,
    except: Option<&str>,
) -> bool {
    bs.backups.values().any(|b| {
        b.server_uuid == server_uuid
            && b.origin.is_none()
            && Some(b.id.as_str()) != except
            && b.paths.iter().flatten().any(|p| norm_path(p) == path)
    })
}

/// ListBackups.
pub(super) async fn list(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let w = world(&ctx);
    let (name, server) = (opt(&q, "name"), opt(&q, "server_name"));
    let rows = w
        .backup
        .backups
        .values()
        .filter(|b| b.region == ctx.region)
        .filter(|b| name.is_none_or(|n| b.name.contains(n)))
        .filter(|b| server.is_none_or(|n| b.server_name.contains(n)))
        .map(|b| (b.seq, b.row()))
        .collect();
    let (rows, total) = page(rows, &q, &ROW_FIELDS, ("created_at", true), 20, true)?;
    ok(list_body(rows, total))
}

/// CreateBackup.
pub(super) async fn create(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    body: Bytes,
) -> Reply {
    let req: CreateReq = parse(&body)?;
    if ver == "1.0" && req.dr_enabled.is_some() {
        return Err(invalid_at(
            &["body", "dr_enabled"],
            "dr_enabled is not a field of BackupCreateRequest in API version 1.0 (use 1.1)",
        ));
    }
    if req.name.trim().is_empty() {
        return Err(invalid_at(&["body", "name"], "name must not be empty"));
    }
    one_of(
        &["body", "policy_category"],
        &req.policy_category,
        &POLICY_CATEGORIES,
    )?;
    one_of(&["body", "policy_type"], &req.policy_type, &POLICY_TYPES)?;
    one_of(
        &["body", "server_category"],
        &req.server_category,
        &SERVER_CATEGORIES,
    )?;
    let retention = req.retention_period.as_deref().unwrap_or("WEEK_2");
    one_of(&["body", "retention_period"], retention, &RETENTIONS)?;
    let filesystem = req.policy_type == "FILESYSTEM";
    if filesystem != (req.policy_category == "AGENT") {
        return Err(bad(format!(
            "policy_type {} does not go with policy_category {}: use AGENTLESS with VM_IMAGE and AGENT with FILESYSTEM",
            req.policy_type, req.policy_category
        )));
    }
    if let Some(r) = req.region.as_deref().filter(|r| *r != ctx.region) {
        return Err(bad(format!(
            "region `{r}` is not this endpoint's region `{}`",
            ctx.region
        )));
    }
    let tags = req.tags.unwrap_or_default();
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let bs = &mut w.backup;
    if bs
        .backups
        .values()
        .any(|b| b.region == ctx.region && b.name == req.name)
    {
        return Err(conflict(format!(
            "backup name `{}` already exists",
            req.name
        )));
    }
    let server = bs
        .servers
        .get(&req.server_uuid)
        .filter(|s| s.region == ctx.region)
        .ok_or_else(|| not_found("server", &req.server_uuid))?;
    if server.category != req.server_category {
        return Err(bad(format!(
            "server `{}` is a {}, not a {}",
            server.uuid, server.category, req.server_category
        )));
    }
    if let Some(g) = req.server_guid.as_deref().filter(|g| *g != server.guid) {
        return Err(bad(format!(
            "server_guid `{g}` is not the guid of server `{}`",
            server.uuid
        )));
    }
    let paths = if filesystem {
        match bs.agent_of(&server.uuid) {
            Some(a) if a.state == "AVAILABLE" => {}
            _ => {
                return Err(conflict(format!(
                    "server `{}` has no AVAILABLE backup agent: register one first",
                    server.uuid
                )))
            }
        }
        let paths = req.filesystem_paths.clone().unwrap_or_default();
        Some(check_paths(bs, &server.uuid, &paths, None)?)
    } else {
        None
    };
    let schedules = build(&req.schedules, &[])?;
    let pair = if req.dr_enabled == Some(true) {
        Some(dr::pair(&w.cfg, &ctx.region, &req.policy_category)?)
    } else {
        None
    };
    let bs = &mut w.backup;
    let server = bs.servers[&req.server_uuid].clone();
    let ptype = if filesystem { "FILESYSTEM" } else { "VM_IMAGE" };
    let mut b = new_backup(
        bs,
        &ctx.region,
        &req.name,
        &server,
        ptype,
        retention,
        req.encrypt_enabled.unwrap_or(true),
        paths,
        schedules,
        delay,
    );
    b.tags = tags.iter().map(|t| json!(t)).collect();
    let id = b.id.clone();
    bs.backups.insert(id.clone(), b);
    if let Some(to) = pair {
        dr::enable(bs, &id, &to, delay);
    }
    sync_response(&id)
}

/// ShowBackup, in the version's model.
pub(super) async fn show(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Reply {
    let mut w = world(&ctx);
    ok(backup(&mut w, &ctx.region, &id)?.detail(&ver))
}

/// DeleteBackup: `DELETING`, then gone with its schedules, histories, recovery points and
/// replica.
pub(super) async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let b = changeable(&mut w, &ctx.region, &id)?;
    if b.job_running() {
        return Err(conflict(format!(
            "a backup job of backup `{id}` is running"
        )));
    }
    if b.restore_running() {
        return Err(conflict(format!("a restore of backup `{id}` is running")));
    }
    let replica = b.replica.clone();
    for target in std::iter::once(id.clone()).chain(replica) {
        if let Some(b) = w.backup.backups.get_mut(&target) {
            b.state = "DELETING";
            b.modified_at = Utc::now();
            b.pending = Pending::after(delay, Next::Gone);
        }
    }
    sync_response(&id)
}

/// CheckBackupNameDuplicate: `result: true` when the name is taken in the region.
pub(super) async fn check_name(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let name = required(&q, "backup_name")?;
    let w = world(&ctx);
    let taken = w
        .backup
        .backups
        .values()
        .any(|b| b.region == ctx.region && b.name == name);
    ok(json!({"result": taken}))
}

/// ListBackupTargets: the servers of a category in the region (default size 5).
pub(super) async fn targets(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let category = required(&q, "server_category")?;
    one_of(&["query", "server_category"], category, &SERVER_CATEGORIES)?;
    let region = opt(&q, "region").unwrap_or(&ctx.region);
    let name = opt(&q, "server_name");
    let w = world(&ctx);
    let rows: Vec<(u64, Value)> = w
        .backup
        .servers
        .values()
        .filter(|s| s.region == region && s.category == category)
        .filter(|s| name.is_none_or(|n| s.name.contains(n)))
        .map(|s| (s.seq, s.target_row()))
        .collect();
    let (rows, total) = page(rows, &q, &[], ("server_name", false), 5, false)?;
    ok(list_body(rows, total))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionReq {
    retention_period: String,
}

/// UpdateRetentionPeriod: applies to recovery points taken from now on.
pub(super) async fn set_retention(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: RetentionReq = parse(&body)?;
    one_of(
        &["body", "retention_period"],
        &req.retention_period,
        &RETENTIONS,
    )?;
    let mut w = world(&ctx);
    let b = changeable(&mut w, &ctx.region, &id)?;
    b.retention = req.retention_period;
    b.modified_at = Utc::now();
    sync_response(&id)
}
