//! Recovery into Object Storage: RecoverObjects and (1.1) RecoverObjectVersions
//! (`/v1/buckets/{bucket_id}/recover-…`), and the recovery histories
//! (`/v1/recovery-histories`): ListRecoveryHistories, ShowRecoveryHistory (`/detail`) and
//! CancelRecovery (`/cancel-recovery`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;
use serde::Deserialize;
use serde_json::json;

use super::common::{invalid_at, no_body, not_found, one_of, parse, prefixed, since_1_1};
use super::histories::{cancel_run, ids, HistoryQuery};
use super::model::{Item, Outcome, Part, RecRun};
use super::objects::{keys_at, OBJECT_TYPES};
use super::{new_run, world, Region};
use crate::scp::api::{accepted, ok, Fail, Reply, Q};
use crate::scp::Ctx;

/// `ObjectRecoveryInfo`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InfoReq {
    source_object_path: String,
    object_type: String,
}

/// `ObjectRecoverRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecoverReq {
    recovery_target_bucket_name: String,
    recovery_infos: Vec<InfoReq>,
    overwrite: bool,
}

/// `ObjectVersionRecoverRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionReq {
    recovery_target_bucket_name: String,
    source_object_path: String,
    source_object_version: String,
    overwrite: bool,
}

/// Starts a recovery of `parts` from bucket `bid` into `target` (404 for an unknown target
/// bucket); answers 202 `{id: bid, recovery_target_bucket_name}`.
fn start(
    r: &mut Region,
    bid: &str,
    target: String,
    overwrite: bool,
    parts: Vec<Part>,
    delay: std::time::Duration,
    seq: u64,
) -> Reply {
    if !r.sources.contains_key(&target) {
        return Err(not_found("Object Storage bucket", &target));
    }
    let run = new_run(parts, Outcome::of(&target), delay, seq);
    let body = json!({"id": bid, "recovery_target_bucket_name": target});
    r.bucket(bid)?.recoveries.push(RecRun {
        run,
        recovery_id: prefixed("ARC"),
        target,
        overwrite,
    });
    accepted(Some(body))
}

/// RecoverObjects: `FILE` paths are keys, `FOLDER` paths prefixes (`/` everything); every
/// path must match an object (404).
pub(super) async fn recover_objects(
    State(ctx): State<Ctx>,
    Path(bid): Path<String>,
    body: Bytes,
) -> Reply {
    let req: RecoverReq = parse(&body)?;
    if req.recovery_infos.is_empty() {
        return Err(invalid_at(
            &["body", "recovery_infos"],
            "recovery_infos must name at least one path",
        ));
    }
    for (i, info) in req.recovery_infos.iter().enumerate() {
        one_of(
            &["body", "recovery_infos", &i.to_string(), "object_type"],
            &info.object_type,
            &OBJECT_TYPES,
        )?;
    }
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let seq = w.archive.next_seq();
    let r = w.archive.region(&ctx.region);
    let b = r.bucket(&bid)?;
    let parts = req
        .recovery_infos
        .iter()
        .map(|info| {
            let keys = keys_at(b, &info.source_object_path, info.object_type == "FOLDER");
            if keys.is_empty() {
                return Err(not_found("object path", &info.source_object_path));
            }
            let items = keys
                .iter()
                .filter_map(|k| {
                    b.objects[k].last().map(|v| Item {
                        key: k.clone(),
                        size: v.size,
                        etag: v.etag.clone(),
                    })
                })
                .collect();
            Ok(Part {
                path: info.source_object_path.clone(),
                items,
                done: 0,
            })
        })
        .collect::<Result<Vec<_>, Fail>>()?;
    start(
        r,
        &bid,
        req.recovery_target_bucket_name,
        req.overwrite,
        parts,
        delay,
        seq,
    )
}

/// RecoverObjectVersions (1.1): one version of one key.
pub(super) async fn recover_version(
    State(ctx): State<Ctx>,
    Extension(v): Extension<crate::scp::front::ApiVersion>,
    Path(bid): Path<String>,
    body: Bytes,
) -> Reply {
    since_1_1(&v)?;
    let req: VersionReq = parse(&body)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let seq = w.archive.next_seq();
    let r = w.archive.region(&ctx.region);
    let b = r.bucket(&bid)?;
    let key = req.source_object_path.trim_start_matches('/');
    let versions = b.objects.get(key).ok_or_else(|| not_found("object", key))?;
    let v = versions
        .iter()
        .find(|v| v.id == req.source_object_version)
        .ok_or_else(|| not_found("object version", &req.source_object_version))?;
    let part = Part {
        path: req.source_object_path.clone(),
        items: vec![Item {
            key: key.to_string(),
            size: v.size,
            etag: v.etag.clone(),
        }],
        done: 0,
    };
    start(
        r,
        &bid,
        req.recovery_target_bucket_name,
        req.overwrite,
        vec![part],
        delay,
        seq,
    )
}

/// ListRecoveryHistories.
pub(super) async fn list(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let hq = HistoryQuery::parse(&q)?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(hq.bucket_id)?;
    hq.answer(b.recoveries.iter().map(|r| (&r.run, r.row())), &q)
}

/// ShowRecoveryHistory.
pub(super) async fn show(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let (id, bid) = ids(&q)?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(bid)?;
    let r = b
        .recoveries
        .iter()
        .find(|r| r.run.id == id)
        .ok_or_else(|| not_found("recovery history", id))?;
    ok(r.detail(bid))
}

/// CancelRecovery (no body).
pub(super) async fn cancel(State(ctx): State<Ctx>, Query(q): Q, body: Bytes) -> Reply {
    let (id, bid) = ids(&q)?;
    no_body(&body)?;
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(bid)?;
    let r = b
        .recoveries
        .iter_mut()
        .find(|r| r.run.id == id)
        .ok_or_else(|| not_found("recovery history", id))?;
    cancel_run(&mut r.run)
}
