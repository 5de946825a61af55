//! Archived objects (`/v1/buckets/{bucket_id}/objects`): ListBucketObjects (a hierarchical
//! listing with marker paging) and DeleteBucketObjects (a `DELETE` with a JSON body).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{invalid_at, not_found, num, one_of, opt, parse};
use super::model::{Bucket, Version};
use super::world;
use crate::scp::api::{accepted, ok, Fail, Reply, Q};
use crate::scp::Ctx;

pub(super) const OBJECT_TYPES: [&str; 2] = ["FILE", "FOLDER"];

/// `ObjectDeleteRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteReq {
    paths: Vec<String>,
}

/// The key prefix a folder path stands for: `""` for the root (`/`), else the path without
/// a leading `/` and with a trailing one.
pub(super) fn folder_prefix(path: &str) -> String {
    let p = path.trim_start_matches('/');
    if p.is_empty() || p.ends_with('/') {
        p.to_string()
    } else {
        format!("{p}/")
    }
}

/// The keys a path names: every key under a folder (trailing `/`, `/` the root), else the
/// one key (a leading `/` ignored). Empty when nothing matches.
pub(super) fn keys_at(b: &Bucket, path: &str, folder: bool) -> Vec<String> {
    if folder || path.ends_with('/') {
        let prefix = folder_prefix(path);
        b.objects
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect()
    } else {
        let key = path.trim_start_matches('/');
        b.objects
            .get_key_value(key)
            .map(|(k, _)| vec![k.clone()])
            .unwrap_or_default()
    }
}

/// The listing order: folders (rank 0) before files (rank 1), each by name.
type Entry<'a> = ((u8, String), Option<&'a Version>);

/// The direct children of `prefix`: folders named by their full key with a trailing `/`,
/// files with their latest version.
fn children<'a>(b: &'a Bucket, prefix: &str) -> BTreeMap<(u8, String), Option<&'a Version>> {
    let mut out = BTreeMap::new();
    for (key, versions) in b.objects.range(prefix.to_string()..) {
        let Some(rest) = key.strip_prefix(prefix) else {
            break;
        };
        match rest.find('/') {
            _ if rest.is_empty() => {}
            Some(i) => {
                out.insert((0, format!("{prefix}{}", &rest[..=i])), None);
            }
            None => {
                out.insert((1, key.clone()), versions.last());
            }
        }
    }
    out
}

fn row(((rank, name), v): &Entry<'_>) -> Value {
    json!({"object_name": name, "object_type": if *rank == 0 { "FOLDER" } else { "FILE" },
        "object_size": v.map(|v| v.size.to_string()),
        "modified_at": v.map(|v| super::common::object_ts(v.modified_at))})
}

/// ListBucketObjects: `object_path`, `object_name` (substring), `object_type`, `marker` and
/// `limit` (default 200).
pub(super) async fn list(State(ctx): State<Ctx>, Path(id): Path<String>, Query(q): Q) -> Reply {
    let limit = num(&q, "limit", 200, 1)?;
    let kind = opt(&q, "object_type");
    if let Some(k) = kind {
        one_of(&["query", "object_type"], k, &OBJECT_TYPES)?;
    }
    let prefix = folder_prefix(opt(&q, "object_path").unwrap_or("/"));
    let marker = opt(&q, "marker").map(|m| {
        let m = if prefix.is_empty() || m.starts_with(&prefix) {
            m.to_string()
        } else {
            format!("{prefix}{}", m.trim_start_matches('/'))
        };
        (u8::from(!m.ends_with('/')), m)
    });
    let name = opt(&q, "object_name");
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(&id)?;
    let matching: Vec<Entry<'_>> = children(b, &prefix)
        .into_iter()
        .filter(|((rank, n), _)| {
            kind.is_none_or(|k| (k == "FOLDER") == (*rank == 0))
                && name.is_none_or(|s| n.contains(s))
                && marker.as_ref().is_none_or(|m| (*rank, n) > (m.0, &m.1))
        })
        .collect();
    let truncated = matching.len() > limit;
    let contents: Vec<Value> = matching.iter().take(limit).map(row).collect();
    let next = truncated.then(|| contents.last().map(|r| r["object_name"].clone()));
    ok(
        json!({"count": contents.len(), "marker": next.flatten(), "is_truncated": truncated,
        "contents": contents}),
    )
}

/// DeleteBucketObjects: every path must match (404 otherwise, nothing removed); folders are
/// removed recursively, objects with all their versions.
pub(super) async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: DeleteReq = parse(&body)?;
    if req.paths.is_empty() {
        return Err(invalid_at(
            &["body", "paths"],
            "paths must name at least one object",
        ));
    }
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(&id)?;
    let keys = req
        .paths
        .iter()
        .map(|p| {
            let k = keys_at(b, p, false);
            if k.is_empty() {
                Err(not_found("object path", p))
            } else {
                Ok(k)
            }
        })
        .collect::<Result<Vec<_>, Fail>>()?;
    for k in keys.into_iter().flatten() {
        b.objects.remove(&k);
    }
    accepted(None)
}
