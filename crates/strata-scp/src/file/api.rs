//! File Storage's own vendor operations (the shared ones are in `crate::shared::api`): one
//! typed fn each, paths from segments, children scoped with `?volume_id=`.

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::error::Result;

use crate::client::ScpClient;
use crate::shared::api::of_volume;

/// SetVolume: turns file-unit recovery on or off (the only setting of a volume that changes).
pub(super) async fn set_volume(
    c: &ScpClient,
    vid: &str,
    file_unit_recovery: bool,
) -> Result<Value> {
    let body = json!({ "file_unit_recovery_enabled": file_unit_recovery });
    c.call(Method::PUT, &["v1", "volumes", vid], &[], Some(&body))
        .await
}

/// SetAccessRule: adds or removes one rule (`body.action`).
pub(super) async fn set_access_rule(c: &ScpClient, vid: &str, body: &Value) -> Result<Value> {
    let path = ["v1", "volumes", vid, "access-rules"];
    c.call(Method::PUT, &path, &[], Some(body)).await
}

/// RestoreSnapshot: in place, onto its volume.
pub(super) async fn restore_snapshot(c: &ScpClient, sid: &str, vid: &str) -> Result<Value> {
    let path = ["v1", "snapshots", sid, "restore"];
    c.call(Method::PUT, &path, &of_volume(vid), None).await
}

/// ListSnapshotSchedules of a volume.
pub(super) async fn list_schedules(c: &ScpClient, vid: &str) -> Result<Value> {
    let path = ["v1", "snapshot-schedules"];
    c.call(Method::GET, &path, &of_volume(vid), None).await
}

/// CreateSnapshotSchedule (`body` names the volume).
pub(super) async fn create_schedule(c: &ScpClient, body: &Value) -> Result<Value> {
    let path = ["v1", "snapshot-schedules"];
    c.call(Method::POST, &path, &[], Some(body)).await
}

/// UpdateSnapshotSchedule.
pub(super) async fn update_schedule(
    c: &ScpClient,
    sid: &str,
    vid: &str,
    body: &Value,
) -> Result<Value> {
    let path = ["v1", "snapshot-schedules", sid];
    c.call(Method::PUT, &path, &of_volume(vid), Some(body))
        .await
}

/// DeleteSnapshotSchedule.
pub(super) async fn delete_schedule(c: &ScpClient, sid: &str, vid: &str) -> Result<Value> {
    let path = ["v1", "snapshot-schedules", sid];
    c.call(Method::DELETE, &path, &of_volume(vid), None).await
}

/// ListReplications of a volume (items carry ids only).
pub(super) async fn list_replications(c: &ScpClient, vid: &str) -> Result<Value> {
    let path = ["v1", "replications"];
    c.call(Method::GET, &path, &of_volume(vid), None).await
}

/// ShowReplication.
pub(super) async fn show_replication(c: &ScpClient, rid: &str, vid: &str) -> Result<Value> {
    let path = ["v1", "replications", rid];
    c.call(Method::GET, &path, &of_volume(vid), None).await
}

/// UpdateReplication (policy or schedule, per `body.replication_update_type`).
pub(super) async fn update_replication(
    c: &ScpClient,
    rid: &str,
    vid: &str,
    body: &Value,
) -> Result<Value> {
    let path = ["v1", "replications", rid];
    c.call(Method::PUT, &path, &of_volume(vid), Some(body))
        .await
}

/// DeleteReplication (only a paused one is accepted).
pub(super) async fn delete_replication(c: &ScpClient, rid: &str, vid: &str) -> Result<Value> {
    let path = ["v1", "replications", rid];
    c.call(Method::DELETE, &path, &of_volume(vid), None).await
}

/// ListReplicationRegions: where a volume of `type_name` in `region` may replicate to.
pub(super) async fn replication_regions(
    c: &ScpClient,
    region: &str,
    type_name: &str,
) -> Result<Value> {
    let query = [
        ("source_region_name", region.to_string()),
        ("replication_type", "replication".into()),
        ("type_name", type_name.into()),
    ];
    let path = ["v1", "replications", "regions"];
    c.call(Method::GET, &path, &query, None).await
}

/// CreateReplication.
pub(super) async fn create_replication(c: &ScpClient, body: &Value) -> Result<Value> {
    let path = ["v1", "replications"];
    c.call(Method::POST, &path, &[], Some(body)).await
}

/// The body of a replication policy change (`use` or `paused`).
pub(super) fn policy_body(policy: &str) -> Value {
    json!({"replication_update_type": "policy", "replication_policy": policy})
}
