//! Backup's 30 vendor operations (reference §3), one typed fn each, numbered as in the
//! reference's endpoint table. Paths are built from segments (the client percent-encodes
//! each); lists always send `page` and `size` (§2.1: the defaults differ per operation), and
//! an explicit `sort`. DeleteBackupRestoreTarget is a DELETE with a JSON body, and
//! CheckBackupMasterConnectionState a GET that changes something (recorded as a mutation in
//! a dry run). Every call goes through the signed transport, so a dry run records it
//! instead of sending it.

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::error::Result;

use crate::client::ScpClient;

const V: &str = "v1";
const BACKUPS: &str = "backups";
const AGENTS: &str = "backup-agents";

/// A vendor page: the 0-based page index and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VendorPage {
    pub page: u64,
    pub size: u32,
}

fn paged(p: VendorPage, sort: Option<&str>) -> Vec<(&'static str, String)> {
    let mut q = vec![("page", p.page.to_string()), ("size", p.size.to_string())];
    if let Some(s) = sort {
        q.push(("sort", s.to_string()));
    }
    q
}

fn opt(q: &mut Vec<(&'static str, String)>, key: &'static str, v: Option<&str>) {
    if let Some(v) = v {
        q.push((key, v.to_string()));
    }
}

// ---- backups (§4.1) ----

/// 1. ListBackups (oldest first, so pages stay put while policies are added).
pub(crate) async fn list_backups(
    c: &ScpClient,
    name: Option<&str>,
    p: VendorPage,
) -> Result<Value> {
    let mut q = paged(p, Some("created_at:asc"));
    opt(&mut q, "name", name);
    c.call(Method::GET, &[V, BACKUPS], &q, None).await
}

/// 2. CreateBackup (the 1.0 or 1.1 body, built by the caller).
pub(crate) async fn create_backup(c: &ScpClient, body: &Value) -> Result<Value> {
    c.call(Method::POST, &[V, BACKUPS], &[], Some(body)).await
}

/// 3. ShowBackup.
pub(crate) async fn show_backup(c: &ScpClient, bid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, BACKUPS, bid], &[], None).await
}

/// 4. DeleteBackup.
pub(crate) async fn delete_backup(c: &ScpClient, bid: &str) -> Result<Value> {
    c.call(Method::DELETE, &[V, BACKUPS, bid], &[], None).await
}

/// 5. CheckBackupNameDuplicate (`result: true`: the name is taken).
pub(crate) async fn check_name(c: &ScpClient, name: &str) -> Result<Value> {
    let q = [("backup_name", name.to_string())];
    c.call(
        Method::GET,
        &[V, BACKUPS, "check-name-duplication"],
        &q,
        None,
    )
    .await
}

/// 6. ListBackupTargets of one server category.
pub(crate) async fn list_backup_targets(
    c: &ScpClient,
    category: &str,
    p: VendorPage,
) -> Result<Value> {
    let mut q = vec![("server_category", category.to_string())];
    q.extend(paged(p, None));
    c.call(Method::GET, &[V, BACKUPS, "backup-targets"], &q, None)
        .await
}

/// 7. UpdateRetentionPeriod.
pub(crate) async fn update_retention(c: &ScpClient, bid: &str, period: &str) -> Result<Value> {
    let body = json!({"retention_period": period});
    let path = [V, BACKUPS, bid, "retention-period"];
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

/// 8. UpdateReplicationUse (seed only; used with 1.1 only).
pub(crate) async fn update_replication(c: &ScpClient, bid: &str, on: bool) -> Result<Value> {
    let body = json!({"dr_enabled": on});
    let path = [V, BACKUPS, bid, "replication"];
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

/// 9. ListBackupRegionRelationship from `region` (`backup_master_type` only in 1.1).
pub(crate) async fn list_region_relationship(
    c: &ScpClient,
    region: &str,
    master_type: Option<&str>,
) -> Result<Value> {
    let mut q = vec![("from_region", region.to_string())];
    opt(&mut q, "backup_master_type", master_type);
    c.call(Method::GET, &[V, BACKUPS, "region-relationship"], &q, None)
        .await
}

/// 10. ManualBackup (no body, no job id back).
pub(crate) async fn manual_backup(c: &ScpClient, bid: &str) -> Result<Value> {
    let path = [V, BACKUPS, bid, "manual-backup"];
    c.call(Method::POST, &path, &[], None).await
}

// ---- schedules and histories (§4.2) ----

/// 11. ListBackupSchedules (not paginated).
pub(crate) async fn list_schedules(c: &ScpClient, bid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, BACKUPS, bid, "schedules"], &[], None)
        .await
}

/// 12. SetBackupSchedule (replaces the whole set).
pub(crate) async fn set_schedules(c: &ScpClient, bid: &str, schedules: &Value) -> Result<Value> {
    let body = json!({"schedules": schedules});
    let path = [V, BACKUPS, bid, "schedules"];
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

/// 13. ListBackupHistories, newest first, optionally of one `backup_job_state`.
pub(crate) async fn list_histories(
    c: &ScpClient,
    bid: &str,
    state: Option<&str>,
    p: VendorPage,
) -> Result<Value> {
    let mut q = paged(p, Some("backup_start_time:desc"));
    opt(&mut q, "backup_job_state", state);
    let path = [V, BACKUPS, bid, "backup-histories"];
    c.call(Method::GET, &path, &q, None).await
}

// ---- filesystem paths (§4.3) ----

/// 14. CheckFilesystemPathDuplication (`result: true`: protected by a policy already).
pub(crate) async fn check_path(c: &ScpClient, server_uuid: &str, path: &str) -> Result<Value> {
    let q = [
        ("filesystem_path", path.to_string()),
        ("server_uuid", server_uuid.to_string()),
    ];
    let p = [V, BACKUPS, "check-filesystem-duplication"];
    c.call(Method::GET, &p, &q, None).await
}

/// 15. SetFilesystemPath (the array form of the union).
pub(crate) async fn set_paths(c: &ScpClient, bid: &str, paths: &[String]) -> Result<Value> {
    let body = json!({"backup_filesystem_paths": paths});
    let path = [V, BACKUPS, bid, "filesystem-path"];
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

// ---- recovery points and image restore (§4.4) ----

/// 16. ListBackupRestoreTargets, newest first.
pub(crate) async fn list_restore_targets(c: &ScpClient, bid: &str, p: VendorPage) -> Result<Value> {
    let q = paged(p, Some("backup_start_time:desc"));
    let path = [V, BACKUPS, bid, "restore-targets"];
    c.call(Method::GET, &path, &q, None).await
}

/// 17. DeleteBackupRestoreTarget: a DELETE with a JSON body.
pub(crate) async fn delete_restore_target(c: &ScpClient, bid: &str, rp: &str) -> Result<Value> {
    let body = json!({"restore_target_ids": [rp]});
    let path = [V, BACKUPS, bid, "restore-targets"];
    c.call(Method::DELETE, &path, &[], Some(&body)).await
}

/// 18. RestoreBackup (202) to a new server.
pub(crate) async fn restore_backup(c: &ScpClient, bid: &str, body: &Value) -> Result<Value> {
    let path = [V, BACKUPS, bid, "restore"];
    c.call(Method::POST, &path, &[], Some(body)).await
}

/// 19. CheckBackupRestoreServerNameDuplicate (`result: true`: the name is taken).
pub(crate) async fn check_restore_name(c: &ScpClient, name: &str) -> Result<Value> {
    let q = [("restore_server_name", name.to_string())];
    let path = [V, BACKUPS, "restore", "check-name-duplication"];
    c.call(Method::GET, &path, &q, None).await
}

/// 20. ListBackupRestoreSubnets in `region` (always sent, §8 #11).
pub(crate) async fn list_restore_subnets(c: &ScpClient, bid: &str, region: &str) -> Result<Value> {
    let q = [("region", region.to_string())];
    let path = [V, BACKUPS, bid, "restore", "restorable-subnets"];
    c.call(Method::GET, &path, &q, None).await
}

/// 21. ListBackupRestoreHistories, newest first.
pub(crate) async fn list_restore_histories(
    c: &ScpClient,
    bid: &str,
    p: VendorPage,
) -> Result<Value> {
    let q = paged(p, Some("restore_start_time:desc"));
    let path = [V, BACKUPS, bid, "restore-histories"];
    c.call(Method::GET, &path, &q, None).await
}

// ---- filesystem restore (§4.5) ----

/// 22. ListAgentBackupRestoreTargetServers.
pub(crate) async fn list_restore_servers(c: &ScpClient, bid: &str, p: VendorPage) -> Result<Value> {
    let q = paged(p, None);
    let path = [V, BACKUPS, bid, "agent-backup-restore-targets"];
    c.call(Method::GET, &path, &q, None).await
}

/// 23. RestoreAgentBackup (200) onto an existing server's paths.
pub(crate) async fn restore_agent_backup(c: &ScpClient, bid: &str, body: &Value) -> Result<Value> {
    let path = [V, BACKUPS, bid, "restore-agent-backup"];
    c.call(Method::POST, &path, &[], Some(body)).await
}

// ---- agents (§4.6) ----

/// 24. ListBackupAgents, oldest first.
pub(crate) async fn list_agents(c: &ScpClient, p: VendorPage) -> Result<Value> {
    let q = paged(p, Some("created_at:asc"));
    c.call(Method::GET, &[V, AGENTS], &q, None).await
}

/// 25. CreateBackupAgent.
pub(crate) async fn create_agent(c: &ScpClient, server_uuid: &str) -> Result<Value> {
    let body = json!({"server_uuid": server_uuid});
    c.call(Method::POST, &[V, AGENTS], &[], Some(&body)).await
}

/// 26. ShowBackupAgent.
pub(crate) async fn show_agent(c: &ScpClient, aid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, AGENTS, aid], &[], None).await
}

/// 27. DeleteBackupAgent.
pub(crate) async fn delete_agent(c: &ScpClient, aid: &str) -> Result<Value> {
    c.call(Method::DELETE, &[V, AGENTS, aid], &[], None).await
}

/// 28. CheckBackupMasterConnectionState.
///
/// A GET answering 202 that starts a check, so a dry run records it as a mutation.
pub(crate) async fn check_connection(c: &ScpClient, aid: &str) -> Result<Value> {
    let path = [V, AGENTS, aid, "check-connection-state"];
    c.call_mutating(Method::GET, &path, &[], None).await
}

/// 29. ShowBackupAgentInstallFilePath (`LINUX` or `WINDOWS`).
pub(crate) async fn install_file_path(c: &ScpClient, os_type: &str) -> Result<Value> {
    let q = [("os_type", os_type.to_string())];
    let path = [V, AGENTS, "agent-install-file-path"];
    c.call(Method::GET, &path, &q, None).await
}

/// 30. ListTargetsOfBackupAgent of one server category, by server name.
pub(crate) async fn list_agent_targets(
    c: &ScpClient,
    category: &str,
    p: VendorPage,
) -> Result<Value> {
    let mut q = vec![("server_category", category.to_string())];
    q.extend(paged(p, Some("server_name:asc")));
    c.call(Method::GET, &[V, AGENTS, "targets"], &q, None).await
}
