//! Archive buckets (`/v1/buckets`, `/v1/buckets/{bucket_id}`): ListBuckets, CreateBucket,
//! ShowBucket, DeleteBucket, Show/SetBucketEncryption and (1.1) Show/SetBucketVersioning.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{conflict, invalid_at, no_body, num, opt, parse, since_1_1};
use super::model::Bucket;
use super::world;
use crate::scp::api::{accepted, ok, Reply, Q};
use crate::scp::front::ApiVersion;
use crate::scp::{new_id, Ctx};

/// A `Tag`: `key` 1–128 characters, `value` optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Tag {
    key: String,
    #[serde(default)]
    value: Option<String>,
}

/// `BucketCreateRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateReq {
    name: String,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

/// `BucketEncryptionRequest` and `BucketVersionRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagReq {
    enabled: bool,
}

/// The bucket-name rules of §4.1.2 (user guide); `Err` says which one is broken.
pub(super) fn name_rule(name: &str) -> Result<(), &'static str> {
    let bytes = name.as_bytes();
    if !(3..=63).contains(&name.len()) {
        return Err("must be 3 to 63 characters");
    }
    if !bytes
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'.')
    {
        return Err("may hold only lowercase letters, digits, `-` and `.`");
    }
    if !bytes[0].is_ascii_alphanumeric() {
        return Err("must start with a lowercase letter or a digit");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return Err("may not contain `..`, `.-` or `-.`");
    }
    if name.ends_with('.') || name.ends_with('-') {
        return Err("may not end with `.` or `-`");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err("may not be an IP address");
    }
    if name.contains("admin") {
        return Err("may not contain the word `admin`");
    }
    Ok(())
}

/// ListBuckets: `name` (substring) and `limit` (default 20), in creation order.
pub(super) async fn list(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let limit = num(&q, "limit", 20, 1)?;
    let name = opt(&q, "name");
    let mut w = world(&ctx);
    let r = w.archive.region(&ctx.region);
    let mut rows: Vec<&Bucket> = r
        .buckets
        .values()
        .filter(|b| name.is_none_or(|n| b.name.contains(n)))
        .collect();
    rows.sort_by_key(|b| b.seq);
    let buckets: Vec<Value> = rows
        .into_iter()
        .take(limit)
        .map(|b| json!({"id": b.id, "name": b.name}))
        .collect();
    ok(json!({ "buckets": buckets }))
}

/// CreateBucket: 201 `{id}`; the bucket is `ACTIVE` at once.
pub(super) async fn create(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateReq = parse(&body)?;
    name_rule(&req.name).map_err(|rule| {
        invalid_at(
            &["body", "name"],
            format!("bucket name {rule}: `{}`", req.name),
        )
    })?;
    let tags = req.tags.unwrap_or_default();
    for (i, t) in tags.iter().enumerate() {
        if !(1..=128).contains(&t.key.chars().count()) {
            return Err(invalid_at(
                &["body", "tags", &i.to_string(), "key"],
                "tag key must be 1 to 128 characters",
            ));
        }
    }
    let mut w = world(&ctx);
    let seq = w.archive.next_seq();
    let r = w.archive.region(&ctx.region);
    if r.buckets.values().any(|b| b.name == req.name) {
        return Err(conflict(format!("bucket `{}` already exists", req.name)));
    }
    let id = new_id();
    let tags = tags
        .into_iter()
        .map(|t| json!({"key": t.key, "value": t.value}))
        .collect();
    r.buckets
        .insert(id.clone(), Bucket::new(id.clone(), &req.name, tags, seq));
    Ok((StatusCode::CREATED, axum::Json(json!({ "id": id }))).into_response())
}

/// ShowBucket.
pub(super) async fn show(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(&id)?;
    ok(b.detail())
}

/// DeleteBucket: 409 while a history runs or (by default) while objects remain; else the
/// bucket, its policy and histories are gone at once.
pub(super) async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    no_body(&body)?;
    let mut w = world(&ctx);
    let nonempty_ok = w.archive.delete_nonempty;
    let r = w.archive.region(&ctx.region);
    let b = r.bucket(&id)?;
    if b.running() {
        return Err(conflict(format!(
            "bucket `{id}` has an archiving or recovery in progress"
        )));
    }
    if !nonempty_ok && !b.objects.is_empty() {
        return Err(conflict(format!("bucket `{id}` is not empty")));
    }
    r.buckets.remove(&id);
    accepted(None)
}

fn flag(id: &str, enabled: bool) -> Value {
    json!({"id": id, "enabled": enabled})
}

/// Reads a flag of a bucket.
fn show_flag(ctx: &Ctx, id: &str, get: fn(&Bucket) -> bool) -> Reply {
    let mut w = world(ctx);
    let b = w.archive.region(&ctx.region).bucket(id)?;
    ok(flag(id, get(b)))
}

/// Sets a flag of a bucket from a `{enabled}` body.
fn set_flag(ctx: &Ctx, id: &str, body: &Bytes, set: fn(&mut Bucket, bool)) -> Reply {
    let req: FlagReq = parse(body)?;
    let mut w = world(ctx);
    let b = w.archive.region(&ctx.region).bucket(id)?;
    set(b, req.enabled);
    ok(flag(id, req.enabled))
}

/// ShowBucketEncryption.
pub(super) async fn show_encryption(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    show_flag(&ctx, &id, |b| b.encrypted)
}

/// SetBucketEncryption (either way; affects later archiving only, which nothing shows).
pub(super) async fn set_encryption(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    set_flag(&ctx, &id, &body, |b, on| b.encrypted = on)
}

/// ShowBucketVersioning (1.1).
pub(super) async fn show_versioning(
    State(ctx): State<Ctx>,
    Extension(v): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Reply {
    since_1_1(&v)?;
    show_flag(&ctx, &id, |b| b.versioning)
}

/// SetBucketVersioning (1.1).
pub(super) async fn set_versioning(
    State(ctx): State<Ctx>,
    Extension(v): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    since_1_1(&v)?;
    set_flag(&ctx, &id, &body, |b, on| b.versioning = on)
}
