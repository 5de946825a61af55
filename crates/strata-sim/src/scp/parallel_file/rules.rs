//! Parallel File Storage access rules (`/v1/access-rules`): GPU nodes added and removed in
//! batches, each resolved to an access IP.

use axum::body::Bytes;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{volume, world};
use crate::scp::api::{
    accepted, conflict, not_found, ok, one_of, parse, volume_id_param, Reply, Q,
};
use crate::scp::base::{Pending, Rule, Settle};
use crate::scp::Ctx;

pub(super) async fn list_rules(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let rules: Vec<Value> = v
        .rules
        .iter()
        .map(|r| {
            let ip_state = if r.state == "active" {
                "active"
            } else {
                r.state
            };
            json!({
                "object_id": r.object_id, "object_type": "GPU_NODE",
                "object_name": format!("gpu-node-{}", &r.object_id[..r.object_id.len().min(8)]),
                "object_state": "RUNNING",
                "access_state": if r.state == "active" { "all" } else { r.state },
                "access_ip_list": [{"access_ip": r.ip, "access_ip_state": ip_state}],
            })
        })
        .collect();
    ok(json!({"count": rules.len(), "volume_id": v.id, "access_rules": rules}))
}

#[derive(Deserialize)]
struct RuleRef {
    object_id: String,
    object_type: String,
}

#[derive(Deserialize)]
struct SetRules {
    add_access_rules: Vec<RuleRef>,
    remove_access_rules: Vec<RuleRef>,
}

pub(super) async fn set_rules(State(ctx): State<Ctx>, Query(q): Q, body: Bytes) -> Reply {
    let vid = volume_id_param(&q)?;
    let req: SetRules = parse(&body)?;
    for (list, name) in [
        (&req.add_access_rules, "add_access_rules"),
        (&req.remove_access_rules, "remove_access_rules"),
    ] {
        for (i, r) in list.iter().enumerate() {
            one_of(
                &["body", name, &i.to_string(), "object_type"],
                &r.object_type,
                &["GPU_NODE"],
            )?;
        }
    }
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let first_ip = w.pfs.ips;
    let v = volume(&mut w, &ctx.region, &vid)?;
    v.available()?;
    for r in &req.add_access_rules {
        if v.rules.iter().any(|x| x.object_id == r.object_id) {
            return Err(conflict(format!(
                "GPU node `{}` already has access",
                r.object_id
            )));
        }
    }
    for r in &req.remove_access_rules {
        if !v
            .rules
            .iter()
            .any(|x| x.object_id == r.object_id && x.state != "removing")
        {
            return Err(not_found("access rule", &r.object_id));
        }
    }
    let mut n = first_ip;
    for r in &req.add_access_rules {
        n += 1;
        v.rules.push(Rule {
            object_type: r.object_type.clone(),
            object_id: r.object_id.clone(),
            state: "adding",
            pending: Pending::after(delay, Settle::Ready),
            ip: Some(format!("10.31.{}.{}", n / 250, n % 250 + 1)),
        });
    }
    for r in &req.remove_access_rules {
        if let Some(x) = v.rules.iter_mut().find(|x| x.object_id == r.object_id) {
            x.state = "removing";
            x.pending = Pending::after(delay, Settle::Gone);
        }
    }
    w.pfs.ips = n;
    let echo = |l: &[RuleRef]| {
        l.iter()
            .map(|r| json!({"object_id": r.object_id, "object_type": r.object_type}))
            .collect::<Vec<_>>()
    };
    accepted(Some(json!({
        "add_access_rules": echo(&req.add_access_rules),
        "remove_access_rules": echo(&req.remove_access_rules),
        "volume_id": vid,
    })))
}
