//! Archiving policies (`/v1/archiving-policies?bucket_id=`): ListArchivingPolicies,
//! CreateArchivingPolicy, ShowArchivingPolicy, SetArchivingPolicy and (1.1)
//! SetArchivingPolicyState.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Extension;
use serde::Deserialize;
use serde_json::json;

use super::common::{
    conflict, invalid_at, not_found, one_of, parse, prefixed, required, since_1_1,
};
use super::model::{Bucket, Policy};
use super::world;
use crate::scp::api::{ok, Fail, Reply, Q};
use crate::scp::front::ApiVersion;
use crate::scp::Ctx;

pub(super) const POLICY_STATES: [&str; 2] = ["ACTIVE", "INACTIVE"];

/// `ArchivingPolicyCreateRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateReq {
    archiving_source_bucket_name: String,
    object_lifecycle: String,
    object_path: String,
}

/// `ArchivingPolicyUpdateRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateReq {
    object_lifecycle: String,
}

/// `ArchivingPolicyStateUpdateRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateReq {
    state: String,
}

/// `object_lifecycle`: a string holding an integer from 1 to 3650 (days).
fn lifecycle(v: &str) -> Result<u32, Fail> {
    v.parse::<u32>()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| {
            invalid_at(
                &["body", "object_lifecycle"],
                format!("object_lifecycle must be an integer from 1 to 3650 (days), got `{v}`"),
            )
        })
}

/// The policy `pid` of the bucket (404 when the bucket has another or none).
fn policy<'a>(b: &'a mut Bucket, pid: &str) -> Result<&'a mut Policy, Fail> {
    b.policy
        .as_mut()
        .filter(|p| p.id == pid)
        .ok_or_else(|| not_found("archiving policy", pid))
}

/// ListArchivingPolicies: the bucket's policy (at most one), unpaged.
pub(super) async fn list(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let bid = required(&q, "bucket_id")?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(bid)?;
    let rows: Vec<_> = b
        .policy
        .iter()
        .map(|p| {
            json!({"id": p.id, "object_lifecycle": p.lifecycle.to_string(), "object_path": "/",
                "state": p.state})
        })
        .collect();
    ok(json!({"count": rows.len(), "bucket_id": bid,
        "archiving_source_bucket_name": b.policy.as_ref().map(|p| &p.source),
        "archiving_policies": rows}))
}

/// CreateArchivingPolicy: 201 with the policy, `ACTIVE`.
pub(super) async fn create(State(ctx): State<Ctx>, Query(q): Q, body: Bytes) -> Reply {
    let bid = required(&q, "bucket_id")?.to_string();
    let req: CreateReq = parse(&body)?;
    if req.object_path != "/" {
        return Err(invalid_at(
            &["body", "object_path"],
            format!("string does not match regex \"^/$\": `{}`", req.object_path),
        ));
    }
    let days = lifecycle(&req.object_lifecycle)?;
    let mut w = world(&ctx);
    let r = w.archive.region(&ctx.region);
    let b = r.bucket(&bid)?;
    if let Some(p) = &b.policy {
        return Err(conflict(format!(
            "bucket `{bid}` already has archiving policy `{}`",
            p.id
        )));
    }
    let source = req.archiving_source_bucket_name;
    if !r.sources.contains_key(&source) {
        return Err(not_found("Object Storage bucket", &source));
    }
    if let Some(other) = r
        .buckets
        .values()
        .find(|o| o.policy.as_ref().is_some_and(|p| p.source == source))
    {
        return Err(conflict(format!(
            "Object Storage bucket `{source}` is already the archiving source of bucket `{}`",
            other.id
        )));
    }
    let b = r.bucket(&bid)?;
    let p = Policy {
        id: prefixed("SCH"),
        source,
        lifecycle: days,
        state: "ACTIVE",
    };
    let body = p.json(&bid);
    b.policy = Some(p);
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// ShowArchivingPolicy.
pub(super) async fn show(State(ctx): State<Ctx>, Path(pid): Path<String>, Query(q): Q) -> Reply {
    let bid = required(&q, "bucket_id")?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(bid)?;
    ok(policy(b, &pid)?.json(bid))
}

/// SetArchivingPolicy: changes `object_lifecycle`, the only mutable field.
pub(super) async fn set(
    State(ctx): State<Ctx>,
    Path(pid): Path<String>,
    Query(q): Q,
    body: Bytes,
) -> Reply {
    let bid = required(&q, "bucket_id")?;
    let req: UpdateReq = parse(&body)?;
    let days = lifecycle(&req.object_lifecycle)?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(bid)?;
    let p = policy(b, &pid)?;
    p.lifecycle = days;
    ok(p.json(bid))
}

/// SetArchivingPolicyState (1.1): `ACTIVE` or `INACTIVE` (the current state: a no-op).
pub(super) async fn set_state(
    State(ctx): State<Ctx>,
    Extension(v): Extension<ApiVersion>,
    Path(pid): Path<String>,
    Query(q): Q,
    body: Bytes,
) -> Reply {
    since_1_1(&v)?;
    let bid = required(&q, "bucket_id")?;
    let req: StateReq = parse(&body)?;
    one_of(&["body", "state"], &req.state, &POLICY_STATES)?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(bid)?;
    let p = policy(b, &pid)?;
    p.state = if req.state == "ACTIVE" {
        "ACTIVE"
    } else {
        "INACTIVE"
    };
    ok(json!({"id": p.id, "bucket_id": bid, "state": p.state}))
}
