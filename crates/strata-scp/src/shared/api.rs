//! The vendor operations File Storage and Parallel File Storage share: the same paths and
//! shapes under each service's own host. One typed fn per operation; paths are built from
//! segments (the client percent-encodes each), never by concatenating ids.

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::error::Result;

use crate::client::ScpClient;

/// Where a service lists a volume's access rules.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RulesAt {
    /// `/v1/volumes/{id}/access-rules` (File Storage).
    UnderVolume,
    /// `/v1/access-rules?volume_id=` (Parallel File Storage).
    TopLevel,
}

/// The `?volume_id=` query that scopes calls about a volume's children.
pub(crate) fn of_volume(vid: &str) -> [(&'static str, String); 1] {
    [("volume_id", vid.to_string())]
}

/// ListVolumes: one name-sorted page from `offset`.
pub(crate) async fn list_volumes(
    c: &ScpClient,
    name: Option<&str>,
    offset: u64,
    limit: u32,
) -> Result<Value> {
    let mut query = vec![
        ("offset", offset.to_string()),
        ("limit", limit.to_string()),
        ("sort", "name:asc".to_string()),
    ];
    if let Some(n) = name {
        query.push(("name", n.to_string()));
    }
    c.call(Method::GET, &["v1", "volumes"], &query, None).await
}

/// ShowVolume.
pub(crate) async fn show_volume(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(Method::GET, &["v1", "volumes", vid], &[], None)
        .await
}

/// CreateVolume (the body differs per service).
pub(crate) async fn create_volume(c: &ScpClient, body: &Value) -> Result<Value> {
    c.call(Method::POST, &["v1", "volumes"], &[], Some(body))
        .await
}

/// DeleteVolume.
pub(crate) async fn delete_volume(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(Method::DELETE, &["v1", "volumes", vid], &[], None)
        .await
}

/// ListAccessRules, wherever the service keeps them.
pub(crate) async fn list_access_rules(c: &ScpClient, vid: &str, at: RulesAt) -> Result<Value> {
    match at {
        RulesAt::TopLevel => {
            c.call(Method::GET, &["v1", "access-rules"], &of_volume(vid), None)
                .await
        }
        RulesAt::UnderVolume => {
            c.call(
                Method::GET,
                &["v1", "volumes", vid, "access-rules"],
                &[],
                None,
            )
            .await
        }
    }
}

/// ListSnapshots of one volume (not paged by the vendor).
pub(crate) async fn list_snapshots(c: &ScpClient, vid: &str) -> Result<Value> {
    c.call(Method::GET, &["v1", "snapshots"], &of_volume(vid), None)
        .await
}

/// CreateSnapshot (server-named).
pub(crate) async fn create_snapshot(c: &ScpClient, vid: &str) -> Result<Value> {
    let body = json!({ "volume_id": vid });
    c.call(Method::POST, &["v1", "snapshots"], &[], Some(&body))
        .await
}

/// DeleteSnapshot.
pub(crate) async fn delete_snapshot(c: &ScpClient, sid: &str, vid: &str) -> Result<Value> {
    c.call(
        Method::DELETE,
        &["v1", "snapshots", sid],
        &of_volume(vid),
        None,
    )
    .await
}
