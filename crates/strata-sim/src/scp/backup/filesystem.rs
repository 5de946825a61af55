//! Filesystem (agent) backup paths: CheckFilesystemPathDuplication
//! (`GET /v1/backups/check-filesystem-duplication`) and SetFilesystemPath
//! (`PUT /v1/backups/{backup_id}/filesystem-path`, an array or a single string).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::backups::{check_paths, path_taken};
use super::common::{bad, norm_path, parse, required, sync_response};
use super::{changeable, world};
use crate::scp::api::{ok, Reply, Q};
use crate::scp::Ctx;

/// `Backup_Filesystem_Paths`: an array of strings or one string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Paths {
    Many(Vec<String>),
    One(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PathsReq {
    backup_filesystem_paths: Paths,
}

/// CheckFilesystemPathDuplication: `result: true` when a policy on the server already
/// protects the path.
pub(super) async fn check_path(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let path = required(&q, "filesystem_path")?;
    let server = required(&q, "server_uuid")?;
    let w = world(&ctx);
    ok(json!({"result": path_taken(&w.backup, server, &norm_path(path), None)}))
}

/// SetFilesystemPath: replaces a `FILESYSTEM` policy's paths.
pub(super) async fn set_paths(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: PathsReq = parse(&body)?;
    let paths = match req.backup_filesystem_paths {
        Paths::Many(v) => v,
        Paths::One(s) => vec![s],
    };
    let mut w = world(&ctx);
    let b = changeable(&mut w, &ctx.region, &id)?;
    if !b.is_filesystem() {
        return Err(bad(format!(
            "backup `{id}` is a VM_IMAGE policy: only FILESYSTEM policies have paths"
        )));
    }
    let server = b.server_uuid.clone();
    let paths = check_paths(&w.backup, &server, &paths, Some(&id))?;
    let b = changeable(&mut w, &ctx.region, &id)?;
    b.paths = Some(paths);
    b.modified_at = Utc::now();
    sync_response(&id)
}
