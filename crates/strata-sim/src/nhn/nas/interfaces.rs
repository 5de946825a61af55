//! Interfaces (`/v1/volumes/{id}/interfaces…`): a volume's mount target on a subnet,
//! `BUILDING` → `ACTIVE`, `DELETING` → gone.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::{accepted, bad, not_found, parse, reply, Ctx, Nas, Pending, Reply, Settle};

pub(super) const MAX_SUBNETS_PER_VOLUME: usize = 3;

pub(super) struct Interface {
    pub(super) id: String,
    pub(super) subnet_id: String,
    pub(super) ip: String,
    pub(super) status: &'static str,
    pub(super) pending: Option<Pending<Settle>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct InterfaceReq {
    pub(super) subnet_id: Option<String>,
}

impl Nas {
    pub(super) fn interface(&mut self, subnet_id: &str, delay: std::time::Duration) -> Interface {
        let n = self.next_seq();
        Interface {
            id: uuid::Uuid::new_v4().to_string(),
            subnet_id: subnet_id.to_string(),
            ip: format!(
                "10.{}.{}.{}",
                1 + n / 65_536 % 200,
                n / 256 % 256,
                4 + n % 250
            ),
            status: "BUILDING",
            pending: Some(Pending {
                until: Instant::now() + delay,
                then: Settle::Active,
            }),
        }
    }
}

#[derive(Deserialize)]
struct InterfaceBody {
    interface: InterfaceReq,
}

pub(super) async fn create_interface(
    State(c): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: InterfaceBody = parse(&body)?;
    let subnet = req
        .interface
        .subnet_id
        .ok_or_else(|| bad("interface.subnetId is required"))?;
    let mut w = c.world();
    let delay = w.cfg.delay;
    let v = w.nas.active(&c.region, &id)?;
    if v.interfaces.iter().any(|i| i.subnet_id == subnet) {
        return Err(bad("The volume already has an interface on this subnet"));
    }
    if v.interfaces.len() >= MAX_SUBNETS_PER_VOLUME {
        return Err(bad("A volume can have at most 3 interfaces"));
    }
    let iface = w.nas.interface(&subnet, delay);
    let v = w.nas.vol(&c.region, &id)?;
    let body = json!({"interface": {"id": iface.id, "path": null, "status": iface.status,
                                    "subnetId": iface.subnet_id, "tenantId": v.tenant_id}});
    v.interfaces.push(iface);
    Ok(reply(StatusCode::CREATED, body))
}

pub(super) async fn delete_interface(
    State(c): State<Ctx>,
    Path((id, iid)): Path<(String, String)>,
) -> Reply {
    let mut w = c.world();
    let delay = w.cfg.delay;
    let v = w.nas.vol(&c.region, &id)?;
    let i = v
        .interfaces
        .iter_mut()
        .find(|i| i.id == iid)
        .ok_or_else(|| not_found("Interface"))?;
    if i.status != "ACTIVE" {
        return Err(bad(format!("The interface is {}", i.status)));
    }
    i.status = "DELETING";
    i.pending = Some(Pending {
        until: Instant::now() + delay,
        then: Settle::Gone,
    });
    accepted()
}
