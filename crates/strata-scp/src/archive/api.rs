//! Archive Storage's 25 vendor operations (reference §3), one typed fn each, numbered as in
//! the reference's endpoint table. Paths are built from segments (the client percent-encodes
//! each, and the query values); date-times are sent in UTC with a `Z` (no `+` to be read
//! as a space). DeleteBucketObjects and DeleteBucketObjectVersions are DELETEs with a JSON
//! body. The six 1.1-only operations take a [`V11`], which only
//! [`ArchiveService::v11`](super::ArchiveService::v11) hands out, and only when the adapter
//! is pinned to 1.1: a 1.0 adapter cannot send them. Every call goes through the signed
//! transport, so a dry run records it instead of sending it.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use strata_core::error::Result;

use crate::client::ScpClient;

const V: &str = "v1";
const BUCKETS: &str = "buckets";
const POLICIES: &str = "archiving-policies";
const ARCHIVING: &str = "archiving-histories";
const RECOVERY: &str = "recovery-histories";

/// Proof that the adapter is pinned to API 1.1: the 1.1-only operations need one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct V11(pub(super) ());

/// A history kind: which of the two history families a call reads or cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum History {
    Archiving,
    Recovery,
}

impl History {
    fn root(self) -> &'static str {
        match self {
            History::Archiving => ARCHIVING,
            History::Recovery => RECOVERY,
        }
    }
}

/// A history time window and filter (§4.4.1, §4.5.3).
#[derive(Debug, Clone)]
pub(crate) struct Window<'a> {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub state: Option<&'a str>,
    pub offset: u64,
    pub limit: u32,
}

/// A date-time as sent: RFC 3339 in UTC with `Z`, to the second.
pub(crate) fn wire_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn bucket_q(bid: &str) -> (&'static str, String) {
    ("bucket_id", bid.to_string())
}

// ---- buckets (§4.1) ----

/// 1. ListBuckets (`limit` only: it cannot page), optionally by name (substring or exact:
///    undocumented).
pub(crate) async fn list_buckets(c: &ScpClient, name: Option<&str>, limit: u32) -> Result<Value> {
    let mut q = vec![("limit", limit.to_string())];
    if let Some(n) = name {
        q.push(("name", n.to_string()));
    }
    c.call(Method::GET, &[V, BUCKETS], &q, None).await
}

/// 2. CreateBucket (201 `{id}`), with tags.
pub(crate) async fn create_bucket(c: &ScpClient, body: &Value) -> Result<Value> {
    c.call(Method::POST, &[V, BUCKETS], &[], Some(body)).await
}

/// 3. ShowBucket.
pub(crate) async fn show_bucket(c: &ScpClient, bid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, BUCKETS, bid], &[], None).await
}

/// 4. DeleteBucket (202, no body).
pub(crate) async fn delete_bucket(c: &ScpClient, bid: &str) -> Result<Value> {
    c.call(Method::DELETE, &[V, BUCKETS, bid], &[], None).await
}

/// 5. ShowBucketEncryption.
pub(crate) async fn show_encryption(c: &ScpClient, bid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, BUCKETS, bid, "encryption"], &[], None)
        .await
}

/// 6. SetBucketEncryption.
pub(crate) async fn set_encryption(c: &ScpClient, bid: &str, on: bool) -> Result<Value> {
    let body = json!({"enabled": on});
    c.call(
        Method::PUT,
        &[V, BUCKETS, bid, "encryption"],
        &[],
        Some(&body),
    )
    .await
}

/// 7. ShowBucketVersioning (1.1).
pub(crate) async fn show_versioning(c: &ScpClient, _: V11, bid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, BUCKETS, bid, "versioning"], &[], None)
        .await
}

/// 8. SetBucketVersioning (1.1).
pub(crate) async fn set_versioning(c: &ScpClient, _: V11, bid: &str, on: bool) -> Result<Value> {
    let body = json!({"enabled": on});
    c.call(
        Method::PUT,
        &[V, BUCKETS, bid, "versioning"],
        &[],
        Some(&body),
    )
    .await
}

// ---- objects and versions (§4.2) ----

/// What ListBucketObjects lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObjectQuery<'a> {
    pub path: &'a str,
    pub name: Option<&'a str>,
    pub object_type: Option<&'static str>,
    pub marker: Option<&'a str>,
    pub limit: u32,
}

/// 9. ListBucketObjects (marker paging).
pub(crate) async fn list_objects(c: &ScpClient, bid: &str, o: &ObjectQuery<'_>) -> Result<Value> {
    let mut q = vec![
        ("object_path", o.path.to_string()),
        ("limit", o.limit.to_string()),
    ];
    if let Some(m) = o.marker {
        q.push(("marker", m.to_string()));
    }
    if let Some(n) = o.name {
        q.push(("object_name", n.to_string()));
    }
    if let Some(t) = o.object_type {
        q.push(("object_type", t.to_string()));
    }
    c.call(Method::GET, &[V, BUCKETS, bid, "objects"], &q, None)
        .await
}

/// 10. DeleteBucketObjects: a DELETE with a JSON body (202).
pub(crate) async fn delete_objects(c: &ScpClient, bid: &str, paths: &[String]) -> Result<Value> {
    let body = json!({"paths": paths});
    c.call(
        Method::DELETE,
        &[V, BUCKETS, bid, "objects"],
        &[],
        Some(&body),
    )
    .await
}

/// 11. ListBucketObjectVersions of one key (1.1, offset paging).
pub(crate) async fn list_versions(
    c: &ScpClient,
    _: V11,
    bid: &str,
    key: &str,
    offset: u64,
    limit: u32,
) -> Result<Value> {
    let q = [
        ("object_path", key.to_string()),
        ("offset", offset.to_string()),
        ("limit", limit.to_string()),
    ];
    let path = [V, BUCKETS, bid, "object-versions"];
    c.call(Method::GET, &path, &q, None).await
}

/// 12. DeleteBucketObjectVersions: a DELETE with a JSON body (1.1, 202); versions as
///     strings (§8 #3).
pub(crate) async fn delete_versions(
    c: &ScpClient,
    _: V11,
    bid: &str,
    key: &str,
    versions: &[String],
) -> Result<Value> {
    let body = json!({"path": key, "versions": versions});
    let path = [V, BUCKETS, bid, "object-versions"];
    c.call(Method::DELETE, &path, &[], Some(&body)).await
}

// ---- policies (§4.3) ----

/// 13. ListArchivingPolicies of a bucket (unpaged).
pub(crate) async fn list_policies(c: &ScpClient, bid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, POLICIES], &[bucket_q(bid)], None)
        .await
}

/// 14. CreateArchivingPolicy (`object_path` `/`, `object_lifecycle` a JSON string).
pub(crate) async fn create_policy(
    c: &ScpClient,
    bid: &str,
    source: &str,
    days: u32,
) -> Result<Value> {
    let body = json!({
        "archiving_source_bucket_name": source,
        "object_lifecycle": days.to_string(),
        "object_path": "/",
    });
    c.call(Method::POST, &[V, POLICIES], &[bucket_q(bid)], Some(&body))
        .await
}

/// 15. ShowArchivingPolicy.
pub(crate) async fn show_policy(c: &ScpClient, bid: &str, pid: &str) -> Result<Value> {
    c.call(Method::GET, &[V, POLICIES, pid], &[bucket_q(bid)], None)
        .await
}

/// 16. SetArchivingPolicy (`object_lifecycle` only).
pub(crate) async fn set_policy(c: &ScpClient, bid: &str, pid: &str, days: u32) -> Result<Value> {
    let body = json!({"object_lifecycle": days.to_string()});
    let path = [V, POLICIES, pid];
    c.call(Method::PUT, &path, &[bucket_q(bid)], Some(&body))
        .await
}

/// 17. SetArchivingPolicyState (1.1): `ACTIVE` or `INACTIVE`.
pub(crate) async fn set_policy_state(
    c: &ScpClient,
    _: V11,
    bid: &str,
    pid: &str,
    active: bool,
) -> Result<Value> {
    let body = json!({"state": if active { "ACTIVE" } else { "INACTIVE" }});
    let path = [V, POLICIES, pid, "state"];
    c.call(Method::PUT, &path, &[bucket_q(bid)], Some(&body))
        .await
}

// ---- histories (§4.4, §4.5) ----

/// 18. ListArchivingHistories / 23. ListRecoveryHistories in a window (offset paging).
pub(crate) async fn list_histories(
    c: &ScpClient,
    kind: History,
    bid: &str,
    w: &Window<'_>,
) -> Result<Value> {
    let mut q = vec![
        bucket_q(bid),
        ("start_at_from", wire_time(w.from)),
        ("start_at_to", wire_time(w.to)),
        ("offset", w.offset.to_string()),
        ("limit", w.limit.to_string()),
    ];
    if let Some(s) = w.state {
        q.push(("state", s.to_string()));
    }
    c.call(Method::GET, &[V, kind.root()], &q, None).await
}

/// 19. ShowArchivingHistory / 24. ShowRecoveryHistory (literal `detail` path, ids in
///     the query).
pub(crate) async fn show_history(
    c: &ScpClient,
    kind: History,
    bid: &str,
    hid: &str,
) -> Result<Value> {
    let q = [("id", hid.to_string()), bucket_q(bid)];
    c.call(Method::GET, &[V, kind.root(), "detail"], &q, None)
        .await
}

/// 20. CancelArchiving / 25. CancelRecovery (202, no body).
pub(crate) async fn cancel_history(
    c: &ScpClient,
    kind: History,
    bid: &str,
    hid: &str,
) -> Result<Value> {
    let q = [("id", hid.to_string()), bucket_q(bid)];
    let action = match kind {
        History::Archiving => "cancel-archiving",
        History::Recovery => "cancel-recovery",
    };
    c.call(Method::PUT, &[V, kind.root(), action], &q, None)
        .await
}

/// 21. RecoverObjects (202 `{id, recovery_target_bucket_name}`).
pub(crate) async fn recover_objects(c: &ScpClient, bid: &str, body: &Value) -> Result<Value> {
    let path = [V, BUCKETS, bid, "recover-objects"];
    c.call(Method::PUT, &path, &[], Some(body)).await
}

/// 22. RecoverObjectVersions (1.1; 202 `{id, recovery_target_bucket_name}`).
pub(crate) async fn recover_version(
    c: &ScpClient,
    _: V11,
    bid: &str,
    body: &Value,
) -> Result<Value> {
    let path = [V, BUCKETS, bid, "recover-object-versions"];
    c.call(Method::PUT, &path, &[], Some(body)).await
}
