//! File Storage access rules (`/v1/volumes/{id}/access-rules`): list, and add or remove
//! one SCP object (`adding` → `active`, `removing` → gone).

use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{volume, world};
use crate::scp::api::{accepted, conflict, invalid, not_found, ok, one_of, parse, Reply};
use crate::scp::base::{Pending, Rule, Settle};
use crate::scp::Ctx;

const OBJECT_TYPES: [&str; 5] = ["VM", "BM", "GPU", "GPU_NODE", "ENDPOINT"];

pub(super) async fn list_rules(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &id)?;
    let rules: Vec<Value> = v
        .rules
        .iter()
        .map(|r| json!({"access_rule_state": r.state, "object_type": r.object_type, "object_id": r.object_id}))
        .collect();
    ok(json!({"count": rules.len(), "volume_id": v.id, "access_rules": rules}))
}

#[derive(Deserialize)]
struct SetRule {
    object_id: String,
    object_type: String,
    action: String,
}

pub(super) async fn set_rule(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: SetRule = parse(&body)?;
    one_of(&["body", "object_type"], &req.object_type, &OBJECT_TYPES)?;
    one_of(&["body", "action"], &req.action, &["add", "remove"])?;
    if req.object_id.is_empty() {
        return Err(invalid(&["body", "object_id"], "must not be empty"));
    }
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    let existing = v
        .rules
        .iter_mut()
        .find(|r| r.object_type == req.object_type && r.object_id == req.object_id);
    match (req.action.as_str(), existing) {
        ("add", Some(_)) => return Err(conflict("the object already has access")),
        ("add", None) => v.rules.push(Rule {
            object_type: req.object_type.clone(),
            object_id: req.object_id.clone(),
            state: "adding",
            pending: Pending::after(delay, Settle::Ready),
            ip: None,
        }),
        (_, Some(r)) if r.state != "removing" => {
            r.state = "removing";
            r.pending = Pending::after(delay, Settle::Gone);
        }
        _ => return Err(not_found("access rule", &req.object_id)),
    }
    accepted(Some(
        json!({"volume_id": id, "object_type": req.object_type, "object_id": req.object_id, "action": req.action}),
    ))
}
