//! Volumes (`/v1/volumes`, `/v1/volumes/{id}`, `…/usage`): list, create, show, update,
//! delete, usage; and volumes seeded directly by the simulator.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::interfaces::InterfaceReq;
use super::paging::{page_of, paging, sort_json};
use super::schedules::PolicyReq;
use super::validation::{check_acl, check_size, MountReq, VolumeReq};
use super::{accepted, bad, parse, reply, ts, Ctx, Fail, Nas, Pending, Reply, Settle, Volume};

/// A volume to seed directly, already `ACTIVE`.
#[derive(Debug, Clone)]
pub struct SeedVolume {
    /// Name of the volume.
    pub name: String,
    /// Size in GB, as NHN NAS counts it.
    pub size_gb: u64,
    /// `nfs` or `cifs`.
    pub protocol: String,
    /// ACL entries: IPv4 addresses or CIDR networks allowed to mount.
    pub acl: Vec<String>,
    /// Subnets to give the volume an interface in, one interface each.
    pub subnet_ids: Vec<String>,
}

impl SeedVolume {
    /// An NFS volume with no ACL and no interface.
    pub fn nfs(name: &str, size_gb: u64) -> Self {
        SeedVolume {
            name: name.into(),
            size_gb,
            protocol: "nfs".into(),
            acl: vec![],
            subnet_ids: vec![],
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PatchReq {
    acl: Option<Vec<String>>,
    description: Option<String>,
    mount_protocol: Option<MountReq>,
    size_gb: Option<u64>,
    snapshot_policy: Option<PolicyReq>,
}

impl Nas {
    pub(crate) fn seed(
        &mut self,
        region: &str,
        tenant: &str,
        project: &str,
        seed: SeedVolume,
    ) -> String {
        let req = VolumeReq {
            name: Some(seed.name),
            size_gb: Some(seed.size_gb),
            description: Some("seeded by the simulator".into()),
            acl: Some(seed.acl),
            encryption: None,
            interfaces: Some(
                seed.subnet_ids
                    .into_iter()
                    .map(|s| InterfaceReq { subnet_id: Some(s) })
                    .collect(),
            ),
            mount_protocol: Some(MountReq {
                protocol: Some(seed.protocol),
                cifs_auth_ids: None,
            }),
            snapshot_policy: None,
        };
        let mut v = self
            .build_volume(region, tenant, project, req, std::time::Duration::ZERO)
            .unwrap_or_else(|_| panic!("invalid seed volume"));
        v.status = "ACTIVE";
        v.pending = None;
        for i in &mut v.interfaces {
            i.status = "ACTIVE";
            i.pending = None;
        }
        let id = v.id.clone();
        self.volumes.insert(id.clone(), v);
        id
    }

    fn volume_json(&self, v: &Volume) -> Value {
        let interfaces: Vec<Value> = v
            .interfaces
            .iter()
            .map(|i| {
                let path = (i.status == "ACTIVE").then(|| {
                    if v.protocol == "cifs" {
                        format!("\\\\{}\\{}", i.ip, v.name)
                    } else {
                        format!("{}:/{}", i.ip, v.name)
                    }
                });
                json!({"id": i.id, "path": path, "status": i.status, "subnetId": i.subnet_id, "tenantId": v.tenant_id})
            })
            .collect();
        let mirrors: Vec<Value> = self
            .mirrors
            .values()
            .filter_map(|m| {
                if m.src == v.id {
                    Some(self.mirror_json(m, "SOURCE"))
                } else if m.dst == v.id {
                    Some(self.mirror_json(m, "DESTINATION"))
                } else {
                    None
                }
            })
            .collect();
        let mut mount = json!({"protocol": v.protocol});
        if let Some(ids) = &v.cifs_auth_ids {
            mount["cifsAuthIds"] = json!(ids);
        }
        let mut encryption = json!({"enabled": v.encrypted});
        if v.encrypted {
            encryption["keys"] = json!([{"keyId": format!("{}-k1", v.id), "keyStoreId": 1},
                                        {"keyId": format!("{}-k2", v.id), "keyStoreId": 1}]);
        }
        json!({
            "id": v.id, "name": v.name, "status": v.status, "description": v.description,
            "sizeGb": v.size_gb, "projectId": v.project_id, "tenantId": v.tenant_id,
            "acl": v.acl, "encryption": encryption, "interfaces": interfaces, "mirrors": mirrors,
            "mountProtocol": mount, "snapshotPolicy": v.policy,
            "createdAt": ts(v.created_at), "updatedAt": ts(v.updated_at), "stationId": null,
        })
    }
}

pub(super) async fn list_volumes(
    State(c): State<Ctx>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let p = paging(&q, &["id", "name", "sizeGb", "createdAt", "updatedAt"])?;
    let num = |k: &str| -> Result<Option<u64>, Fail> {
        q.get(k)
            .map(|s| {
                s.parse::<u64>()
                    .map_err(|_| bad(format!("{k} must be a number")))
            })
            .transpose()
    };
    let (size, min, max) = (num("sizeGb")?, num("minSizeGb")?, num("maxSizeGb")?);
    let w = c.world();
    let mut items: Vec<Value> = w
        .nas
        .volumes
        .values()
        .filter(|v| v.region == c.region)
        .filter(|v| size.is_none_or(|s| v.size_gb == s))
        .filter(|v| min.is_none_or(|s| v.size_gb >= s))
        .filter(|v| max.is_none_or(|s| v.size_gb <= s))
        .filter(|v| q.get("name").is_none_or(|n| &v.name == n))
        .filter(|v| {
            q.get("nameContains")
                .is_none_or(|n| v.name.contains(n.as_str()))
        })
        .filter(|v| {
            q.get("subnetId")
                .is_none_or(|s| v.interfaces.iter().any(|i| &i.subnet_id == s))
        })
        .map(|v| w.nas.volume_json(v))
        .collect();
    // Without a sort the vendor's order is creation order.
    items.sort_by(|a, b| a["createdAt"].as_str().cmp(&b["createdAt"].as_str()));
    sort_json(&mut items, &p.sort);
    let (volumes, paging) = page_of(items, &p);
    Ok(reply(
        StatusCode::OK,
        json!({"paging": paging, "volumes": volumes}),
    ))
}

#[derive(Deserialize)]
struct CreateBody {
    volume: VolumeReq,
}

pub(super) async fn create_volume(State(c): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateBody = parse(&body)?;
    let mut w = c.world();
    let (delay, tenant, project) = (
        w.cfg.delay,
        w.cfg.tenant_id.clone(),
        w.cfg.project_id.clone(),
    );
    let v = w
        .nas
        .build_volume(&c.region, &tenant, &project, req.volume, delay)?;
    let body = json!({"volume": w.nas.volume_json(&v)});
    w.nas.volumes.insert(v.id.clone(), v);
    Ok(reply(StatusCode::CREATED, body))
}

pub(super) async fn get_volume(State(c): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = c.world();
    w.nas.vol(&c.region, &id)?;
    let v = &w.nas.volumes[&id];
    Ok(reply(
        StatusCode::OK,
        json!({"volume": w.nas.volume_json(v)}),
    ))
}

#[derive(Deserialize)]
struct PatchBody {
    volume: PatchReq,
}

pub(super) async fn update_volume(
    State(c): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: PatchBody = parse(&body)?;
    let req = req.volume;
    let mut w = c.world();
    let delay = w.cfg.delay;
    let receiving = w
        .nas
        .mirrors
        .values()
        .any(|m| !m.halted && m.flow().1 == id);
    let v = w.nas.active(&c.region, &id)?;
    if let Some(size) = req.size_gb {
        check_size(size)?;
        if receiving && size != v.size_gb {
            return Err(bad(
                "A replication destination can be resized only after replication is stopped",
            ));
        }
    }
    if let Some(acl) = &req.acl {
        check_acl(acl)?;
    }
    if let Some(m) = &req.mount_protocol {
        if let Some(p) = &m.protocol {
            if p != &v.protocol {
                return Err(bad("mountProtocol.protocol cannot be changed"));
            }
        }
        if m.cifs_auth_ids.is_some() && m.protocol.as_deref() != Some("cifs") {
            return Err(bad(
                "mountProtocol.protocol must be cifs when cifsAuthIds is changed",
            ));
        }
    }
    let mut policy = v.policy.clone();
    if let Some(p) = &req.snapshot_policy {
        p.apply(&mut policy)?;
    }
    // Validated: apply everything at once.
    v.policy = policy;
    if let Some(size) = req.size_gb {
        v.size_gb = size;
    }
    if let Some(acl) = req.acl {
        v.acl = acl;
    }
    if let Some(d) = req.description {
        v.description = Some(d);
    }
    if let Some(ids) = req.mount_protocol.and_then(|m| m.cifs_auth_ids) {
        v.cifs_auth_ids = Some(ids);
    }
    v.updated_at = Utc::now();
    v.status = "UPDATING";
    v.pending = Some(Pending {
        until: Instant::now() + delay,
        then: Settle::Active,
    });
    accepted()
}

pub(super) async fn delete_volume(State(c): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = c.world();
    let delay = w.cfg.delay;
    w.nas.vol(&c.region, &id)?;
    if w.nas.mirrors.values().any(|m| m.involves(&id)) {
        return Err(bad("Delete the volume's replication before deleting it"));
    }
    let v = w.nas.active(&c.region, &id)?;
    v.status = "DELETING";
    v.pending = Some(Pending {
        until: Instant::now() + delay,
        then: Settle::Gone,
    });
    accepted()
}

pub(super) async fn usage(State(c): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let reserve = v.size_gb * u64::from(v.policy.reserve_percent) / 100;
    // Each snapshot holds about 1 GB of changed blocks; the reserve absorbs them first.
    let snap_used = v.snapshots.len() as u64;
    let in_reserve = snap_used.min(reserve);
    let in_user = snap_used - in_reserve;
    Ok(reply(
        StatusCode::OK,
        json!({"usage": {"snapshotReserveGb": reserve, "usedGb": v.used_gb + in_user,
                         "snapshotUsedGb": snap_used, "snapshotUsedGbInReservedSpace": in_reserve,
                         "snapshotUsedGbInUserSpace": in_user, "userDataGb": v.used_gb}}),
    ))
}
