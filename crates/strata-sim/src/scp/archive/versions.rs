//! Object versions (`/v1/buckets/{bucket_id}/object-versions`, 1.1 only):
//! ListBucketObjectVersions (offset paging) and DeleteBucketObjectVersions (a `DELETE` with
//! a JSON body).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{invalid_at, not_found, offset_page, parse, required, since_1_1};
use super::world;
use crate::scp::api::{accepted, ok, Reply, Q};
use crate::scp::front::ApiVersion;
use crate::scp::Ctx;

/// `ObjectVersionsDeleteRequest` (`versions` as strings, as the seed's example).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteReq {
    path: String,
    versions: Vec<String>,
}

/// ListBucketObjectVersions: the versions of one key, newest first; `count` is the total.
pub(super) async fn list(
    State(ctx): State<Ctx>,
    Extension(v): Extension<ApiVersion>,
    Path(id): Path<String>,
    Query(q): Q,
) -> Reply {
    since_1_1(&v)?;
    let path = required(&q, "object_path")?
        .trim_start_matches('/')
        .to_string();
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(&id)?;
    let versions = b
        .objects
        .get(&path)
        .ok_or_else(|| not_found("object", &path))?;
    let n = versions.len();
    let rows: Vec<Value> = versions
        .iter()
        .enumerate()
        .rev()
        .map(|(i, v)| v.json(&path, i + 1 == n))
        .collect();
    let (contents, total) = offset_page(rows, &q)?;
    ok(json!({"count": total, "contents": contents}))
}

/// DeleteBucketObjectVersions: all listed versions must exist (404 otherwise, nothing
/// removed); the newest remaining is latest, a key without versions is gone.
pub(super) async fn delete(
    State(ctx): State<Ctx>,
    Extension(v): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    since_1_1(&v)?;
    let req: DeleteReq = parse(&body)?;
    if req.versions.is_empty() {
        return Err(invalid_at(
            &["body", "versions"],
            "versions must name at least one version",
        ));
    }
    let path = req.path.trim_start_matches('/').to_string();
    let mut w = world(&ctx);
    let b = w.archive.region(&ctx.region).bucket(&id)?;
    let versions = b
        .objects
        .get_mut(&path)
        .ok_or_else(|| not_found("object", &path))?;
    if let Some(unknown) = req
        .versions
        .iter()
        .find(|v| !versions.iter().any(|x| &x.id == *v))
    {
        return Err(not_found("object version", unknown));
    }
    versions.retain(|x| !req.versions.contains(&x.id));
    if versions.is_empty() {
        b.objects.remove(&path);
    }
    accepted(None)
}
