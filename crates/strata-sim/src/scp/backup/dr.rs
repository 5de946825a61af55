//! DR replication of backups: ListBackupRegionRelationship (the region pairs) and
//! UpdateReplicationUse (`PUT /v1/backups/{backup_id}/replication`), with the replica
//! backup made in the paired region.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{
    conflict, hex_id, invalid_at, one_of, opt, parse, sync_response, uuid, MASTER_TYPES,
};
use super::model::{Backup, Next};
use super::{changeable, world, Backups};
use crate::scp::api::{ok, Fail, Reply, Q};
use crate::scp::base::Pending;
use crate::scp::front::ApiVersion;
use crate::scp::{Ctx, ScpSimConfig};

/// Every `(from_region, to_region)` pair for a backup-master type: each served region with
/// each other one for `AGENTLESS` and `AGENT`, none for the SAP masters.
fn pairs(cfg: &ScpSimConfig, master_type: &str) -> Vec<(String, String)> {
    if !["AGENTLESS", "AGENT"].contains(&master_type) {
        return vec![];
    }
    let mut out = vec![];
    for from in &cfg.regions {
        for to in cfg.regions.iter().filter(|r| *r != from) {
            out.push((from.clone(), to.clone()));
        }
    }
    out
}

/// The DR region paired with `region` for a policy category (409 when there is none).
pub(super) fn pair(cfg: &ScpSimConfig, region: &str, category: &str) -> Result<String, Fail> {
    pairs(cfg, category)
        .into_iter()
        .find(|(from, _)| from == region)
        .map(|(_, to)| to)
        .ok_or_else(|| conflict(format!("region `{region}` has no DR region pair")))
}

/// Makes the replica of `id` in `to` (copies of its recovery points included).
pub(super) fn enable(bs: &mut Backups, id: &str, to: &str, delay: Duration) {
    let seq = bs.next_seq();
    let Some(o) = bs.backups.get_mut(id) else {
        return;
    };
    let now = Utc::now();
    let replica = Backup {
        id: hex_id(),
        name: format!("{}_DR", o.name),
        region: to.to_string(),
        category: o.category,
        policy_type: o.policy_type,
        server_uuid: o.server_uuid.clone(),
        server_name: o.server_name.clone(),
        server_category: o.server_category,
        server_os_type: o.server_os_type,
        server_region: o.server_region.clone(),
        retention: o.retention.clone(),
        encrypt: o.encrypt,
        paths: o.paths.clone(),
        agent_id: o.agent_id.clone(),
        role: "REPLICA",
        origin: Some(o.id.clone()),
        replica: None,
        dr_region: None,
        state: if delay.is_zero() {
            "AVAILABLE"
        } else {
            "CREATING"
        },
        pending: if delay.is_zero() {
            None
        } else {
            Pending::after(delay, Next::Available)
        },
        schedules: vec![],
        jobs: vec![],
        points: o
            .points
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.id = uuid();
                p
            })
            .collect(),
        restores: vec![],
        created_at: now,
        modified_at: now,
        seq,
        tags: vec![],
    };
    o.replica = Some(replica.id.clone());
    o.dr_region = Some(to.to_string());
    o.modified_at = now;
    bs.backups.insert(replica.id.clone(), replica);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplicationReq {
    dr_enabled: bool,
}

/// UpdateReplicationUse (both versions, as the seed documents it under 1.0 too).
pub(super) async fn set_replication(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: ReplicationReq = parse(&body)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let cfg = w.cfg.clone();
    let b = changeable(&mut w, &ctx.region, &id)?;
    match (req.dr_enabled, b.replica.clone()) {
        (true, None) => {
            let to = pair(&cfg, &ctx.region, b.category)?;
            enable(&mut w.backup, &id, &to, delay);
        }
        (false, Some(replica)) => {
            b.replica = None;
            b.dr_region = None;
            b.modified_at = Utc::now();
            if let Some(r) = w.backup.backups.get_mut(&replica) {
                r.state = "DELETING";
                r.pending = Pending::after(delay, Next::Gone);
            }
        }
        _ => {}
    }
    sync_response(&id)
}

/// ListBackupRegionRelationship (unpaginated; `backup_master_type` only in 1.1).
pub(super) async fn relationships(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Query(q): Q,
) -> Reply {
    let master = opt(&q, "backup_master_type");
    if ver == "1.0" && master.is_some() {
        return Err(invalid_at(
            &["query", "backup_master_type"],
            "backup_master_type is not a parameter in API version 1.0 (use 1.1)",
        ));
    }
    let master = master.unwrap_or("AGENTLESS");
    one_of(&["query", "backup_master_type"], master, &MASTER_TYPES)?;
    let cfg = world(&ctx).cfg.clone();
    let keep = |key: &str, v: &str| opt(&q, key).is_none_or(|f| f == v);
    let rows: Vec<Value> = pairs(&cfg, master)
        .into_iter()
        .filter(|(from, to)| {
            keep("from_region", from)
                && keep("from_availability_zone", from)
                && keep("to_region", to)
                && keep("to_availability_zone", to)
        })
        .map(|(from, to)| {
            json!({"from_region": from, "from_availability_zone": from,
                "to_region": to, "to_availability_zone": to})
        })
        .collect();
    ok(json!({"count": rows.len(), "contents": rows}))
}
