//! Recovery points (restore targets) of a backup: ListBackupRestoreTargets and
//! DeleteBackupRestoreTarget (`DELETE /v1/backups/{backup_id}/restore-targets` with a JSON
//! body), and the restore history (ListBackupRestoreHistories).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::Deserialize;

use super::common::{
    bad, conflict, in_window, list_body, not_found, one_of, opt, page, parse, sync_response,
    time_param, RESTORE_STATES,
};
use super::{backup, changeable, world};
use crate::scp::api::{ok, Reply, Q};
use crate::scp::Ctx;

const POINT_FIELDS: [&str; 7] = [
    "restore_target_id",
    "backup_start_time",
    "is_restore_available",
    "retention_period",
    "schedule_id",
    "schedule_name",
    "usage_gb",
];

const RESTORE_FIELDS: [&str; 12] = [
    "backup_id",
    "backup_start_time",
    "restore_start_time",
    "restore_end_time",
    "restore_state",
    "restore_server_id",
    "restore_server_name",
    "schedule_name",
    "created_at",
    "created_by",
    "modified_at",
    "modified_by",
];

/// ListBackupRestoreTargets (window on `backup_start_time`).
pub(super) async fn list(State(ctx): State<Ctx>, Path(id): Path<String>, Query(q): Q) -> Reply {
    let (from, to) = (
        time_param(&q, "backup_start_time")?,
        time_param(&q, "backup_end_time")?,
    );
    let mut w = world(&ctx);
    let b = backup(&mut w, &ctx.region, &id)?;
    let rows = b
        .points
        .iter()
        .filter(|p| in_window(p.start, from, to))
        .map(|p| (p.seq, p.json()))
        .collect();
    let (rows, total) = page(
        rows,
        &q,
        &POINT_FIELDS,
        ("backup_start_time", true),
        20,
        true,
    )?;
    ok(list_body(rows, total))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteReq {
    restore_target_ids: Vec<String>,
}

/// DeleteBackupRestoreTarget: all or nothing (404 for an id not of this backup, 409 while
/// one is being restored).
pub(super) async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: DeleteReq = parse(&body)?;
    if req.restore_target_ids.is_empty() {
        return Err(bad(
            "restore_target_ids must name at least one restore target",
        ));
    }
    let mut w = world(&ctx);
    let b = changeable(&mut w, &ctx.region, &id)?;
    for t in &req.restore_target_ids {
        if !b.points.iter().any(|p| &p.id == t) {
            return Err(not_found("restore target", t));
        }
        if b.restores
            .iter()
            .any(|r| r.state == "INPROGRESS" && &r.point_id == t)
        {
            return Err(conflict(format!("restore target `{t}` is being restored")));
        }
    }
    b.points.retain(|p| !req.restore_target_ids.contains(&p.id));
    b.modified_at = Utc::now();
    sync_response(&id)
}

/// ListBackupRestoreHistories (default `created_at:desc`; window on `restore_start_time`).
pub(super) async fn histories(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    Query(q): Q,
) -> Reply {
    let state = opt(&q, "restore_state");
    if let Some(s) = state {
        one_of(&["query", "restore_state"], s, &RESTORE_STATES)?;
    }
    let (from, to) = (time_param(&q, "start_time")?, time_param(&q, "end_time")?);
    let mut w = world(&ctx);
    let b = backup(&mut w, &ctx.region, &id)?;
    let rows = b
        .restores
        .iter()
        .filter(|r| state.is_none_or(|s| r.state == s))
        .filter(|r| in_window(r.start, from, to))
        .map(|r| (r.seq, r.json(&b.id)))
        .collect();
    let (rows, total) = page(rows, &q, &RESTORE_FIELDS, ("created_at", true), 20, true)?;
    ok(list_body(rows, total))
}
