//! Block Storage's 41 vendor operations (reference §3), one typed fn each, numbered as in
//! the reference's endpoint table. Paths are built from segments (the client
//! percent-encodes each); operations documented without a body send none (§2.8), and Detach
//! sends its body with DELETE. Every call goes through the signed transport, so a dry run
//! records it (bodies included) instead of sending it.

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::error::Result;

use crate::client::ScpClient;

const V: &str = "v1";
const VOLUMES: &str = "volumes";
const GROUPS: &str = "volume-groups";

/// A page query: `offset`, `limit`, name order and an optional `name` filter.
fn page_query(name: Option<&str>, offset: u64, limit: u32) -> Vec<(&'static str, String)> {
    let mut q = vec![
        ("offset", offset.to_string()),
        ("limit", limit.to_string()),
        ("sort", "name:asc".to_string()),
    ];
    if let Some(n) = name {
        q.push(("name", n.to_string()));
    }
    q
}

// ---- volumes ----

/// 1. List Volumes.
pub(crate) async fn list_volumes(
    c: &ScpClient,
    name: Option<&str>,
    offset: u64,
    limit: u32,
) -> Result<Value> {
    let q = page_query(name, offset, limit);
    c.call(Method::GET, &[V, VOLUMES], &q, None).await
}

/// 2. Create Volume (202; `qos` only in 1.2).
pub(crate) async fn create_volume(c: &ScpClient, body: &Value) -> Result<Value> {
    c.call(Method::POST, &[V, VOLUMES], &[], Some(body)).await
}

/// 3. Show Volume (`{result}`).
pub(crate) async fn show_volume(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, VOLUMES, vid], &[], None).await
}

/// 4. Delete Volume (202).
pub(crate) async fn delete_volume(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(Method::DELETE, &[V, VOLUMES, vid], &[], None).await
}

/// 5. Attach Volume.
pub(crate) async fn attach(
    c: &ScpClient,
    vid: &str,
    object_id: &str,
    object_type: &str,
) -> Result<Value> {
    let body = json!({"attachments": [{"object_id": object_id, "object_type": object_type}]});
    c.call(
        Method::POST,
        &[V, VOLUMES, vid, "attachments"],
        &[],
        Some(&body),
    )
    .await
}

/// 6. Detach Volume: a DELETE with a JSON body.
pub(crate) async fn detach(c: &ScpClient, vid: &str, object_id: &str) -> Result<Value> {
    let body = json!({"attachments": [object_id]});
    c.call(
        Method::DELETE,
        &[V, VOLUMES, vid, "attachments"],
        &[],
        Some(&body),
    )
    .await
}

/// 7. Set Volume QoS (1.2 only; absent figures keep their value).
pub(crate) async fn set_qos(c: &ScpClient, vid: &str, body: &Value) -> Result<Value> {
    c.call(Method::PUT, &[V, VOLUMES, vid, "qos"], &[], Some(body))
        .await
}

// ---- volume snapshots ----

/// 8. List Volume Snapshots (not paginated).
pub(crate) async fn list_snapshots(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, VOLUMES, vid, "snapshots"], &[], None)
        .await
}

/// 9. Create Volume Snapshot (no body; synchronous).
pub(crate) async fn create_snapshot(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(Method::POST, &[V, VOLUMES, vid, "snapshots"], &[], None)
        .await
}

/// 10. Delete Volume Snapshot.
pub(crate) async fn delete_snapshot(c: &ScpClient, vid: &str, sid: &str) -> Result<Value> {
    c.call(
        Method::DELETE,
        &[V, VOLUMES, vid, "snapshots", sid],
        &[],
        None,
    )
    .await
}

/// 11. Restore Volume Snapshot (in place; no body).
pub(crate) async fn restore_snapshot(c: &ScpClient, vid: &str, sid: &str) -> Result<Value> {
    let path = [V, VOLUMES, vid, "snapshots", sid, "restore"];
    c.call(Method::PUT, &path, &[], None).await
}

/// 12./13. Create (POST) or Set (PUT) Volume Snapshot Rate.
pub(crate) async fn put_rate(c: &ScpClient, vid: &str, create: bool, rate: u32) -> Result<Value> {
    let m = if create { Method::POST } else { Method::PUT };
    let body = json!({"snapshot_rate": rate});
    c.call(m, &[V, VOLUMES, vid, "snapshot-rates"], &[], Some(&body))
        .await
}

/// 14. Delete Volume Snapshot Rate.
pub(crate) async fn delete_rate(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(
        Method::DELETE,
        &[V, VOLUMES, vid, "snapshot-rates"],
        &[],
        None,
    )
    .await
}

/// 15./16. Create (POST) or Set (PUT) Volume Snapshot Schedule.
pub(crate) async fn put_schedule(
    c: &ScpClient,
    vid: &str,
    create: bool,
    body: &Value,
) -> Result<Value> {
    let m = if create { Method::POST } else { Method::PUT };
    c.call(m, &[V, VOLUMES, vid, "snapshot-schedules"], &[], Some(body))
        .await
}

/// 17. Delete Volume Snapshot Schedule.
pub(crate) async fn delete_schedule(c: &ScpClient, vid: &str) -> Result<Value> {
    let path = [V, VOLUMES, vid, "snapshot-schedules"];
    c.call(Method::DELETE, &path, &[], None).await
}

// ---- volume replication and recovery ----

/// 18. Create Volume Replication (202).
pub(crate) async fn create_replication(c: &ScpClient, vid: &str, body: &Value) -> Result<Value> {
    c.call(
        Method::POST,
        &[V, VOLUMES, vid, "replications"],
        &[],
        Some(body),
    )
    .await
}

/// 19. Show Volume Replication (`{result}`).
pub(crate) async fn show_replication(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, VOLUMES, vid, "replications"], &[], None)
        .await
}

/// 20. Delete Volume Replication (202).
pub(crate) async fn delete_replication(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(
        Method::DELETE,
        &[V, VOLUMES, vid, "replications"],
        &[],
        None,
    )
    .await
}

/// 21. Set Volume Replication Cycle.
pub(crate) async fn set_cycle(c: &ScpClient, vid: &str, cycle: &str) -> Result<Value> {
    let body = json!({"cycle": cycle});
    let path = [V, VOLUMES, vid, "replications", "cycle"];
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

/// 22. Set Volume Replication Policy (`RESYNC` or `BREAK`).
pub(crate) async fn set_policy(c: &ScpClient, vid: &str, policy: &str) -> Result<Value> {
    let body = json!({"policy": policy});
    let path = [V, VOLUMES, vid, "replications", "policy"];
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

/// 23. Create Volume Recovery (1.1+; 202).
pub(crate) async fn create_recovery(
    c: &ScpClient,
    vid: &str,
    name: &str,
    sid: &str,
) -> Result<Value> {
    let body = json!({"name": name, "snapshot_id": sid});
    c.call(
        Method::POST,
        &[V, VOLUMES, vid, "recoveries"],
        &[],
        Some(&body),
    )
    .await
}

// ---- volume groups ----

/// 24. List Volume Groups.
pub(crate) async fn list_groups(
    c: &ScpClient,
    name: Option<&str>,
    offset: u64,
    limit: u32,
) -> Result<Value> {
    let q = page_query(name, offset, limit);
    c.call(Method::GET, &[V, GROUPS], &q, None).await
}

/// 25. Create Volume Group (202).
pub(crate) async fn create_group(c: &ScpClient, name: &str, volume_ids: &[&str]) -> Result<Value> {
    let body = json!({"name": name, "volume_ids": volume_ids});
    c.call(Method::POST, &[V, GROUPS], &[], Some(&body)).await
}

/// 26. Show Volume Group (`{result}`).
pub(crate) async fn show_group(c: &ScpClient, gid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, GROUPS, gid], &[], None).await
}

/// 27./28. Add (`add`) or Remove (`remove`) Volume Group Members.
pub(crate) async fn members(
    c: &ScpClient,
    gid: &str,
    action: &str,
    volume_ids: &[&str],
) -> Result<Value> {
    let body = json!({"volume_ids": volume_ids});
    c.call(
        Method::PUT,
        &[V, GROUPS, gid, "members", action],
        &[],
        Some(&body),
    )
    .await
}

/// 29. List Volume Group Snapshots (not paginated).
pub(crate) async fn list_group_snapshots(c: &ScpClient, gid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, GROUPS, gid, "snapshots"], &[], None)
        .await
}

/// 30. Create Volume Group Snapshot (no body; synchronous).
pub(crate) async fn create_group_snapshot(c: &ScpClient, gid: &str) -> Result<Value> {
    c.call(Method::POST, &[V, GROUPS, gid, "snapshots"], &[], None)
        .await
}

/// 31. Delete Volume Group Snapshot.
pub(crate) async fn delete_group_snapshot(c: &ScpClient, gid: &str, sid: &str) -> Result<Value> {
    c.call(
        Method::DELETE,
        &[V, GROUPS, gid, "snapshots", sid],
        &[],
        None,
    )
    .await
}

/// 32. Restore Volume Group Snapshot (in place; no body).
pub(crate) async fn restore_group_snapshot(c: &ScpClient, gid: &str, sid: &str) -> Result<Value> {
    let path = [V, GROUPS, gid, "snapshots", sid, "restore"];
    c.call(Method::PUT, &path, &[], None).await
}

/// 33./34. Create (POST) or Set (PUT) Volume Group Snapshot Schedule.
pub(crate) async fn put_group_schedule(
    c: &ScpClient,
    gid: &str,
    create: bool,
    body: &Value,
) -> Result<Value> {
    let m = if create { Method::POST } else { Method::PUT };
    c.call(m, &[V, GROUPS, gid, "snapshot-schedules"], &[], Some(body))
        .await
}

/// 35. Delete Volume Group Snapshot Schedule.
pub(crate) async fn delete_group_schedule(c: &ScpClient, gid: &str) -> Result<Value> {
    let path = [V, GROUPS, gid, "snapshot-schedules"];
    c.call(Method::DELETE, &path, &[], None).await
}

/// 36. Create Volume Group Replication (202).
pub(crate) async fn create_group_replication(
    c: &ScpClient,
    gid: &str,
    body: &Value,
) -> Result<Value> {
    c.call(
        Method::POST,
        &[V, GROUPS, gid, "replications"],
        &[],
        Some(body),
    )
    .await
}

/// 37. Show Volume Group Replication (`{result}`).
pub(crate) async fn show_group_replication(c: &ScpClient, gid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, GROUPS, gid, "replications"], &[], None)
        .await
}

/// 38. Delete Volume Group Replication (synchronous 200 `{result}`).
pub(crate) async fn delete_group_replication(c: &ScpClient, gid: &str) -> Result<Value> {
    c.call(Method::DELETE, &[V, GROUPS, gid, "replications"], &[], None)
        .await
}

/// 39. Set Volume Group Replication Cycle.
pub(crate) async fn set_group_cycle(c: &ScpClient, gid: &str, cycle: &str) -> Result<Value> {
    let body = json!({"cycle": cycle});
    let path = [V, GROUPS, gid, "replications", "cycle"];
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

/// 40. Set Volume Group Replication Policy (`RESYNC` or `BREAK`).
pub(crate) async fn set_group_policy(c: &ScpClient, gid: &str, policy: &str) -> Result<Value> {
    let body = json!({"policy": policy});
    let path = [V, GROUPS, gid, "replications", "policy"];
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

/// 41. Create Volume Group Recovery (1.1+; 202).
pub(crate) async fn create_group_recovery(
    c: &ScpClient,
    gid: &str,
    prefix: &str,
    sid: &str,
) -> Result<Value> {
    let body = json!({"block_storage_name_prefix": prefix, "snapshot_id": sid});
    c.call(
        Method::POST,
        &[V, GROUPS, gid, "recoveries"],
        &[],
        Some(&body),
    )
    .await
}
