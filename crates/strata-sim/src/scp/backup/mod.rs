//! SCP Backup (`backup`, 30 operations in API versions 1.0 and 1.1) over the shared world.
//! Reference: `shared/vendor/scp-backup.md` (§ numbers below are its sections).
//!
//! Fidelity notes:
//! - Paths, methods and statuses as §3: RestoreBackup and the connection check (a GET)
//!   answer 202 `AsyncResponse`, the other mutations 200 `SyncResponse`, both
//!   `{request_id: <uuid>, resource: {id, links: []}}` (§2.4). `resource.id` follows the
//!   reference's convention: the new backup or agent id on create, the new server's id on
//!   RestoreBackup, else the backup or agent addressed.
//! - Versions (front's `ApiVersion`; a missing `Scp-Api-Version` is 1.1, the service word
//!   matches in any case): CreateBackup takes `dr_enabled` only in 1.1 (1.0: a
//!   request-validation 400), ShowBackup adds `dr_enabled`, `dr_region`, `origin_backup_id`
//!   and `replica_backup_id` only in 1.1, ListBackupRegionRelationship takes
//!   `backup_master_type` only in 1.1 (1.0: 400). UpdateReplicationUse works in both (seed).
//! - Failures (§2.5): request validation (schema, unknown fields, enums, patterns, lengths,
//!   paging and sort parameters) is 400 `[{loc, msg, type_, ctx}]` (`ValidationErrorModel[]`);
//!   business rules are `{"errors":[{"code":"BadRequest|NotFound|Conflict","detail":"…"}]}`
//!   with 400, 404 (unknown ids, also ids in bodies) or 409 (duplicates: "already exists";
//!   state conflicts: "is running", "is deleting", "is creating"). The front's refusals and
//!   injected faults use the `errors` shape too.
//! - Lists: `page` is a 0-based page index, `size` its length (defaults as §2.1, any size
//!   accepted), `{contents, count}` with `count` the total before paging; `sort` is one
//!   `field:asc|desc` over any field of the row (400 otherwise); the default order is
//!   `created_at:desc` (`backup_start_time:desc` for histories and restore targets,
//!   `server_name:asc` for server lists); ties keep creation order in the sort's direction.
//!   Name filters match substrings (case-sensitive), the rest exactly; time windows are
//!   inclusive, to the second. Schedules, region relationships and subnets are unpaginated.
//! - Ids: backups and schedules 32 hex, agents `BACKUP_AGENT-<12 hex>` named
//!   `agent_<6 alnum>`, everything else uuids; timestamps RFC 3339 to the second with `Z`.
//!
//! States (they move after [`ScpSimConfig::delay`](crate::scp::ScpSimConfig::delay); every
//! request first settles what is due):
//! - Backup policy `CREATING` → `AVAILABLE`; DeleteBackup `DELETING` → gone (404).
//!   Replicas (`role_type` `REPLICA`) go the same way.
//! - Jobs (`backup_job_state`) `INPROGRESS` → `SUCCESS` | `PARTIAL_SUCCESS` | `FAILED` (the
//!   vendor has no queued state). A protected server whose name contains `fail` fails every
//!   job, one containing `partial` partially succeeds (case-insensitive). `SUCCESS` and
//!   `PARTIAL_SUCCESS` add a restorable recovery point with the job's `backup_start_time`,
//!   `schedule_*`, and the policy's retention at that moment; `FAILED` adds none.
//! - Restores (`restore_state`) `INPROGRESS` → `COMPLETED` | `FAILED`; a restore fails when
//!   the new server's name (image) or the target server's name (filesystem) contains
//!   `fail`. An image restore's `restore_server_id` is null until it completes, then the id
//!   RestoreBackup returned, and the new server joins the inventory (backup targets, name
//!   checks); a filesystem restore's is the target server from the start.
//! - Agents are `AVAILABLE` at once with `connection_state: null` (§4.6.2); the connection
//!   check (202) sets `connection_state` (`SUCCESS`, or `FAIL` when the server's name
//!   contains `fail`) and `connection_check_time` after the delay; DeleteBackupAgent
//!   `DELETING` → gone.
//!
//! Simulator choices where the reference is silent:
//! - Duplicates are 409 "already exists": a backup name in the region (CreateBackup; the
//!   name check answers `result: true` for a taken name), a filesystem path already
//!   protected on the server by another policy (exact match after trimming a trailing `/`),
//!   a restore server name used by any server of the account or by a running or completed
//!   restore, a second agent on a server.
//! - CreateBackup: `policy_category`/`policy_type` must pair (`AGENTLESS`+`VM_IMAGE`,
//!   `AGENT`+`FILESYSTEM`), `server_category` must be the server's, `server_uuid` must be a
//!   server of the region (404), `region` if sent must be the endpoint's (400), at least
//!   one schedule and, for `FILESYSTEM`, at least one path and an `AVAILABLE` agent on the
//!   server (409 otherwise); `VM_IMAGE` ignores `filesystem_paths`; `encrypt_enabled`
//!   defaults to `true` (seed). Tags are kept, never shown.
//! - Schedules are stored as received (DAILY keeps any `start_day`/`start_week`); WEEKLY
//!   needs `start_day`, MONTHLY `start_day` and `start_week` ("the Nth or last weekday");
//!   `start_time` is `HH:MM:SS`. SetBackupSchedule replaces the set; schedules equal in
//!   all five fields keep their id and name; a repeated item is 400. Names are `{type}_{frequency}_{start_time}-`
//!   and 6 alphanumerics.
//! - ManualBackup runs a full backup with `schedule_id`/`schedule_name` `MANUAL`; it needs
//!   an `AVAILABLE` original backup with no running job (409). Recovery points report
//!   20.0 GB for a full backup, 2.0 GB for an incremental one, half that on partial success.
//! - The scheduler ([`ScpSim::run_backup_schedules`](crate::scp::ScpSim::run_backup_schedules))
//!   starts one job per schedule of every `AVAILABLE` original backup without a running job
//!   (as if each schedule's time had come), then removes recovery points older than their
//!   own `retention_period` (`WEEK_2` 14 days, months as calendar months, `YEAR_1` 12).
//!   UpdateRetentionPeriod only affects future points.
//! - DR: every served region pairs with every other served region (the AZ is the region
//!   name) for `AGENTLESS` and `AGENT` masters, none for the SAP masters. Enabling
//!   (create with `dr_enabled` or UpdateReplicationUse) makes a replica named
//!   `{name}_DR` in the first paired region, `CREATING` → `AVAILABLE`, with copies of the
//!   recovery points, and every later point is copied to it; disabling deletes the
//!   replica. Setting the current value again is a no-op. Without a pair: 409. A replica
//!   refuses every change and its own deletion (409: "change the origin"); deleting an
//!   origin deletes its replica. Restores from a replica are allowed.
//! - DeleteBackup is 409 while a job or a restore of the backup is running, both restores
//!   while another restore of it is, DeleteBackupRestoreTarget (all or nothing; an empty
//!   list is 400) while the point is being restored, which retention also spares; changes
//!   to a `DELETING` backup are 409, so are a manual run or restore of a `CREATING` one.
//! - Restorable subnets are two fixed `ACTIVE` `GENERAL` subnets per region (ids derived
//!   from the region); `region` defaults to the endpoint's; an unknown region is 400.
//!   Image restores need a subnet from that list (400), may target any served region, and
//!   refuse `FILESYSTEM` policies (400). Filesystem restores need a `FILESYSTEM` policy,
//!   sources among its paths, and a target server from ListAgentBackupRestoreTargetServers:
//!   servers of the region with an `AVAILABLE` agent and the protected server's OS type.
//! - Backup targets list every server of the category in the region (`region` query, else
//!   the endpoint's; also protected servers); agent targets list the servers of the
//!   category without an agent. Lists without a documented `sort` ignore one.
//!   ListAgentBackupRestoreTargetServers answers for any policy of the region.
//! - RestoreAgentBackup accepts `overwrite` (default `false`) but nothing shows it; its
//!   history row has the target server's name and id. Restore-history `created_at` is the
//!   restore's start.
//! - Front: signatures are verified as for the other services (the reference suggests a
//!   simulator need not; the gateway's check is kept, the adapter signs every call).
//! - Installer paths: `http://linux-agent` and `http://windows-agent`.
//!
//! This file holds the service's world ([`Backups`]: servers, agents, backups), the state
//! machine (`tick`), the seeds and the router; `model` has the resources, `common` the
//! shared answers and checks, and each resource's operations have their file.

mod agents;
mod backups;
mod common;
mod dr;
mod filesystem;
mod model;
mod points;
mod restores;
mod runs;
mod schedules;
mod seed;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Instant;

use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use chrono::Utc;

use crate::scp::api::{block_error, Fail};
use crate::scp::base::Pending;
use crate::scp::{lock, Ctx, Shared, World};
use common::{conflict, not_found, uuid};
use model::{Agent, Backup, Next, Point, Server};

/// The account's servers, backup agents and backup policies of every region.
#[derive(Default)]
pub(crate) struct Backups {
    servers: BTreeMap<String, Server>,
    agents: BTreeMap<String, Agent>,
    backups: BTreeMap<String, Backup>,
    seq: u64,
}

impl Backups {
    /// The next creation sequence number (orders rows created in the same second).
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn tick(&mut self) {
        let now = Instant::now();
        let utc = Utc::now();
        let mut gone = vec![];
        for a in self.agents.values_mut() {
            match Pending::due(&mut a.pending, now) {
                Some(Next::Available) => a.state = "AVAILABLE",
                Some(Next::Gone) => gone.push(a.id.clone()),
                None => {}
            }
            if let Some(result) = Pending::due(&mut a.check, now) {
                a.connection_state = Some(result);
                a.connection_check_time = Some(utc);
                a.modified_at = utc;
            }
        }
        for id in gone {
            self.agents.remove(&id);
        }
        let mut seq = self.seq;
        let (mut gone, mut copies, mut servers) = (vec![], vec![], vec![]);
        for b in self.backups.values_mut() {
            match Pending::due(&mut b.pending, now) {
                Some(Next::Available) => {
                    b.state = "AVAILABLE";
                    b.modified_at = utc;
                }
                Some(Next::Gone) => gone.push(b.id.clone()),
                None => {}
            }
            for j in b.jobs.iter_mut() {
                let Some(state) = Pending::due(&mut j.pending, now) else {
                    continue;
                };
                j.state = state;
                j.end = Some(utc);
                if state == "FAILED" {
                    continue;
                }
                let full_gb = if j.full { 20.0 } else { 2.0 };
                seq += 1;
                let p = Point {
                    id: uuid(),
                    start: j.start,
                    available: true,
                    retention: b.retention.clone(),
                    schedule_id: j.schedule_id.clone(),
                    schedule_name: j.schedule_name.clone(),
                    usage_gb: if state == "SUCCESS" {
                        full_gb
                    } else {
                        full_gb / 2.0
                    },
                    seq,
                };
                if let Some(r) = &b.replica {
                    copies.push((r.clone(), p.clone()));
                }
                b.points.push(p);
            }
            for r in b.restores.iter_mut() {
                let Some(state) = Pending::due(&mut r.pending, now) else {
                    continue;
                };
                r.state = state;
                r.end = Some(utc);
                r.modified_at = utc;
                if let (Some(ns), "COMPLETED") = (&r.new_server, state) {
                    r.server_id = Some(ns.uuid.clone());
                    seq += 1;
                    servers.push(Server {
                        uuid: ns.uuid.clone(),
                        guid: uuid(),
                        region: ns.region.clone(),
                        name: r.server_name.clone(),
                        category: ns.category,
                        os_type: ns.os_type,
                        os_version: ns.os_version.clone(),
                        server_type: ns.server_type.clone(),
                        ip: seed::ip(seq, 10),
                        gateway_ip: seed::ip(seq, 1),
                        seq,
                    });
                }
            }
        }
        for id in gone {
            self.backups.remove(&id);
        }
        for (replica, mut p) in copies {
            if let Some(r) = self.backups.get_mut(&replica) {
                p.id = uuid();
                r.points.push(p);
            }
        }
        for s in servers {
            self.servers.insert(s.uuid.clone(), s);
        }
        self.seq = seq;
    }

    /// The agent of a server, unless it is being deleted.
    fn agent_of(&self, server_uuid: &str) -> Option<&Agent> {
        self.agents
            .values()
            .find(|a| a.server_uuid == server_uuid && a.state != "DELETING")
    }
}

/// Locks the world and settles what is due.
fn world(ctx: &Ctx) -> std::sync::MutexGuard<'_, World> {
    let mut w = lock(&ctx.world);
    w.backup.tick();
    w
}

/// A backup of this region (404 otherwise).
fn backup<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Backup, Fail> {
    w.backup
        .backups
        .get_mut(id)
        .filter(|b| b.region == region)
        .ok_or_else(|| not_found("backup", id))
}

/// A backup of this region that may be changed: not being deleted, not a DR replica.
fn changeable<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Backup, Fail> {
    let b = backup(w, region, id)?;
    if b.state == "DELETING" {
        return Err(conflict(format!("backup `{id}` is deleting")));
    }
    if let Some(origin) = &b.origin {
        return Err(conflict(format!(
            "backup `{id}` is a DR replica of `{origin}`: change the origin"
        )));
    }
    Ok(b)
}

/// The router of one region.
pub(crate) fn router(world: Shared, region: String) -> Router {
    use agents as ag;
    use backups as bk;
    use filesystem as fs;
    use points as pt;
    use restores as rs;
    use runs as rn;
    use schedules as sc;
    Router::new()
        .route("/v1/backups", get(bk::list).post(bk::create))
        .route("/v1/backups/backup-targets", get(bk::targets))
        .route("/v1/backups/check-name-duplication", get(bk::check_name))
        .route(
            "/v1/backups/check-filesystem-duplication",
            get(fs::check_path),
        )
        .route("/v1/backups/region-relationship", get(dr::relationships))
        .route(
            "/v1/backups/restore/check-name-duplication",
            get(rs::check_server_name),
        )
        .route("/v1/backups/{backup_id}", get(bk::show).delete(bk::delete))
        .route(
            "/v1/backups/{backup_id}/retention-period",
            put(bk::set_retention),
        )
        .route(
            "/v1/backups/{backup_id}/replication",
            put(dr::set_replication),
        )
        .route("/v1/backups/{backup_id}/manual-backup", post(rn::manual))
        .route(
            "/v1/backups/{backup_id}/schedules",
            get(sc::list).put(sc::set),
        )
        .route(
            "/v1/backups/{backup_id}/backup-histories",
            get(rn::histories),
        )
        .route(
            "/v1/backups/{backup_id}/filesystem-path",
            put(fs::set_paths),
        )
        .route(
            "/v1/backups/{backup_id}/restore-targets",
            get(pt::list).delete(pt::delete),
        )
        .route("/v1/backups/{backup_id}/restore", post(rs::restore_image))
        .route(
            "/v1/backups/{backup_id}/restore/restorable-subnets",
            get(rs::subnets),
        )
        .route(
            "/v1/backups/{backup_id}/restore-histories",
            get(pt::histories),
        )
        .route(
            "/v1/backups/{backup_id}/agent-backup-restore-targets",
            get(rs::agent_target_servers),
        )
        .route(
            "/v1/backups/{backup_id}/restore-agent-backup",
            post(rs::restore_filesystem),
        )
        .route("/v1/backup-agents", get(ag::list).post(ag::create))
        .route("/v1/backup-agents/targets", get(ag::targets))
        .route(
            "/v1/backup-agents/agent-install-file-path",
            get(ag::install_path),
        )
        .route(
            "/v1/backup-agents/{backup_agent_id}",
            get(ag::show).delete(ag::delete),
        )
        .route(
            "/v1/backup-agents/{backup_agent_id}/check-connection-state",
            get(ag::check_connection),
        )
        .fallback(|| async { block_error(StatusCode::NOT_FOUND, "no such operation") })
        .with_state(Ctx { world, region })
}
