//! Backup agents (`/v1/backup-agents…`): ListBackupAgents, CreateBackupAgent,
//! ShowBackupAgent, DeleteBackupAgent, CheckBackupMasterConnectionState (a GET answering
//! 202), ShowBackupAgentInstallFilePath and ListTargetsOfBackupAgent.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::backups::Tag;
use super::common::{
    alnum, async_response, conflict, list_body, no_body, not_found, one_of, opt, outcome, page,
    parse, required, sync_response, ts, ts_opt, Outcome, OS_TYPES, SERVER_CATEGORIES, USER,
};
use super::model::{Agent, Next};
use super::{seed, world, Backups};
use crate::scp::api::{ok, Fail, Reply, Q};
use crate::scp::base::Pending;
use crate::scp::{Ctx, World};

const ROW_FIELDS: [&str; 12] = [
    "id",
    "name",
    "state",
    "connection_state",
    "backup_policy_count",
    "server_backup_agent_ip",
    "server_name",
    "account_id",
    "created_at",
    "created_by",
    "modified_at",
    "modified_by",
];

const TARGET_FIELDS: [&str; 4] = [
    "server_uuid",
    "server_name",
    "server_state",
    "server_backup_agent_ip",
];

/// The installer of the agent for an OS type.
pub(super) fn install_file_path(os_type: &str) -> String {
    format!("http://{}-agent", os_type.to_ascii_lowercase())
}

/// Registers an `AVAILABLE` agent on a server (no connection check yet).
pub(super) fn new_agent(bs: &mut Backups, region: &str, server_uuid: &str) -> Agent {
    let seq = bs.next_seq();
    let now = Utc::now();
    Agent {
        id: format!(
            "BACKUP_AGENT-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        ),
        name: format!("agent_{}", alnum(6).to_ascii_lowercase()),
        region: region.to_string(),
        server_uuid: server_uuid.to_string(),
        state: "AVAILABLE",
        pending: None,
        connection_state: None,
        connection_check_time: None,
        check: None,
        master_name: format!("backupmaster-{region}"),
        master_ip: seed::ip(1, 100),
        created_at: now,
        modified_at: now,
        seq,
        tags: vec![],
    }
}

/// The number of policies that use an agent (also those being deleted).
fn policy_count(bs: &Backups, id: &str) -> usize {
    bs.backups
        .values()
        .filter(|b| b.agent_id.as_deref() == Some(id) && b.origin.is_none())
        .count()
}

/// A `BackupAgentResponse` row, or with `detail` the `BackupAgentDetailResponse`.
fn agent_json(w: &World, a: &Agent, detail: bool) -> Value {
    let s = w.backup.servers.get(&a.server_uuid);
    let mut j = json!({"id": a.id, "name": a.name, "state": a.state,
        "connection_state": a.connection_state,
        "backup_policy_count": policy_count(&w.backup, &a.id),
        "server_backup_agent_ip": s.map(|s| s.ip.clone()),
        "server_name": s.map(|s| s.name.clone()),
        "account_id": w.cfg.account_id,
        "created_at": ts(a.created_at), "created_by": USER,
        "modified_at": ts(a.modified_at), "modified_by": USER});
    if detail {
        j["backup_master_ip"] = json!(a.master_ip);
        j["backup_master_name"] = json!(a.master_name);
        j["connection_check_time"] = ts_opt(a.connection_check_time);
        j["install_file_path"] = json!(s.map(|s| install_file_path(s.os_type)));
        j["server_category"] = json!(s.map(|s| s.category));
        j["server_gateway_ip"] = json!(s.map(|s| s.gateway_ip.clone()));
        j["server_os_type"] = json!(s.map(|s| s.os_type));
        j["server_uuid"] = json!(a.server_uuid);
    }
    j
}

/// An agent of this region (404 otherwise).
fn agent<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Agent, Fail> {
    w.backup
        .agents
        .get_mut(id)
        .filter(|a| a.region == region)
        .ok_or_else(|| not_found("backup agent", id))
}

/// ListBackupAgents.
pub(super) async fn list(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let w = world(&ctx);
    let (name, ip, server) = (
        opt(&q, "name"),
        opt(&q, "server_backup_agent_ip"),
        opt(&q, "server_name"),
    );
    let rows = w
        .backup
        .agents
        .values()
        .filter(|a| a.region == ctx.region)
        .map(|a| (a.seq, agent_json(&w, a, false)))
        .filter(|(_, r)| name.is_none_or(|n| r["name"].as_str().is_some_and(|v| v.contains(n))))
        .filter(|(_, r)| ip.is_none_or(|n| r["server_backup_agent_ip"] == n))
        .filter(|(_, r)| {
            server.is_none_or(|n| r["server_name"].as_str().is_some_and(|v| v.contains(n)))
        })
        .collect();
    let (rows, total) = page(rows, &q, &ROW_FIELDS, ("created_at", true), 20, true)?;
    ok(list_body(rows, total))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateReq {
    server_uuid: String,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

/// CreateBackupAgent: one agent per server (409 for a second one).
pub(super) async fn create(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateReq = parse(&body)?;
    let mut w = world(&ctx);
    let bs = &mut w.backup;
    if bs
        .servers
        .get(&req.server_uuid)
        .is_none_or(|s| s.region != ctx.region)
    {
        return Err(not_found("server", &req.server_uuid));
    }
    if let Some(a) = bs.agent_of(&req.server_uuid) {
        return Err(conflict(format!(
            "a backup agent already exists on server `{}`: `{}`",
            req.server_uuid, a.id
        )));
    }
    let mut a = new_agent(bs, &ctx.region, &req.server_uuid);
    a.tags = req
        .tags
        .unwrap_or_default()
        .iter()
        .map(|t| json!(t))
        .collect();
    let id = a.id.clone();
    bs.agents.insert(id.clone(), a);
    sync_response(&id)
}

/// ShowBackupAgent.
pub(super) async fn show(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    agent(&mut w, &ctx.region, &id)?;
    let a = &w.backup.agents[&id];
    ok(agent_json(&w, a, true))
}

/// DeleteBackupAgent: refused while policies use it; `DELETING`, then gone.
pub(super) async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let count = policy_count(&w.backup, &id);
    let a = agent(&mut w, &ctx.region, &id)?;
    if a.state == "DELETING" {
        return Err(conflict(format!("backup agent `{id}` is deleting")));
    }
    if count > 0 {
        return Err(conflict(format!(
            "backup agent `{id}` is used by {count} backup policies: delete them first"
        )));
    }
    a.state = "DELETING";
    a.modified_at = Utc::now();
    a.pending = Pending::after(delay, Next::Gone);
    sync_response(&id)
}

/// CheckBackupMasterConnectionState: 202; `connection_state` and `connection_check_time`
/// change after the delay (`FAIL` when the server's name contains `fail`).
pub(super) async fn check_connection(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let server = w
        .backup
        .agents
        .get(&id)
        .and_then(|a| w.backup.servers.get(&a.server_uuid))
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let a = agent(&mut w, &ctx.region, &id)?;
    if a.state == "DELETING" {
        return Err(conflict(format!("backup agent `{id}` is deleting")));
    }
    let result = if outcome(&server) == Outcome::Fail {
        "FAIL"
    } else {
        "SUCCESS"
    };
    a.check = Pending::after(delay, result);
    async_response(&id)
}

/// ShowBackupAgentInstallFilePath.
pub(super) async fn install_path(Query(q): Q) -> Reply {
    let os = required(&q, "os_type")?;
    one_of(&["query", "os_type"], os, &OS_TYPES)?;
    ok(json!({"install_file_path": install_file_path(os)}))
}

/// ListTargetsOfBackupAgent: servers of a category in the region without an agent
/// (default `server_name:asc`).
pub(super) async fn targets(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let category = required(&q, "server_category")?;
    one_of(&["query", "server_category"], category, &SERVER_CATEGORIES)?;
    let name = opt(&q, "server_name");
    let w = world(&ctx);
    let bs = &w.backup;
    let rows = bs
        .servers
        .values()
        .filter(|s| s.region == ctx.region && s.category == category)
        .filter(|s| bs.agent_of(&s.uuid).is_none())
        .filter(|s| name.is_none_or(|n| s.name.contains(n)))
        .map(|s| {
            let row = json!({"server_uuid": s.uuid, "server_name": s.name,
                "server_state": "RUNNING", "server_backup_agent_ip": s.ip});
            (s.seq, row)
        })
        .collect();
    let (rows, total) = page(rows, &q, &TARGET_FIELDS, ("server_name", false), 20, true)?;
    ok(list_body(rows, total))
}
