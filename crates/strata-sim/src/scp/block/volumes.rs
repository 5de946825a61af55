//! Volumes (`/v1/volumes`, `/v1/volumes/{volume_id}`): list, create, show, delete, and the
//! volume models every version answers with.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{
    async_response, bad, check_volume_name, conflict, in_range, one_of, page, parse, ts, Key,
};
use super::{volume, world, Attachment, Blocks, Next, Schedule, Vol};
use crate::scp::api::{ok, Fail, Reply, Q};
use crate::scp::front::ApiVersion;
use crate::scp::{Ctx, ScpSimConfig};

/// Who the simulator says created and modified everything.
pub(super) const USER: &str = "sim-user@samsung.com";

/// The synthesized name of an attached server.
pub(super) fn server_name(a: &Attachment) -> String {
    let prefix = if a.kind == "BM" { "bm" } else { "mngc" };
    format!("{prefix}-{}", a.id.chars().take(8).collect::<String>())
}

fn server_json(a: &Attachment, cfg: &ScpSimConfig, region: &str) -> Value {
    let (image, srn) = if a.kind == "BM" {
        ("RHEL 8.8 for BM", "scp-baremetal:baremetal")
    } else {
        ("Ubuntu 22.04 for MNGC", "scp-multinode-gpucluster:node")
    };
    json!({
        "id": a.id, "image_name": image, "name": server_name(a), "state": "RUNNING", "type": a.kind,
        "srn": format!("srn:{}::{}:{region}::{srn}/{}", cfg.environment, cfg.account_id, a.id),
    })
}

/// The two iSCSI targets of a volume (stable per volume).
fn iscsi_ips(v: &Vol) -> Value {
    let n = u8::from_str_radix(&v.id[..2], 16).unwrap_or(4);
    json!([format!("172.30.{n}.3"), format!("172.30.{n}.4")])
}

fn recovery_side(b: &Blocks, id: &str) -> Value {
    let v = b.volumes.get(id);
    json!({
        "id": id,
        "name": v.map(|v| v.name.clone()).unwrap_or_default(),
        "attachments": v.map(|v| v.attachments.iter().map(|a| json!({"id": a.id, "type": a.kind})).collect::<Vec<_>>()).unwrap_or_default(),
    })
}

/// `VolumeModel` (1.0 without `recovery`, 1.1) or `VolumeModelV1Dot2` (adds `qos`).
pub(super) fn volume_model(b: &Blocks, cfg: &ScpSimConfig, v: &Vol, version: &str) -> Value {
    let mut j = json!({
        "account_id": cfg.account_id,
        "attachments": v.attachments.iter().map(|a| server_json(a, cfg, &v.region)).collect::<Vec<_>>(),
        "created_at": ts(v.created_at), "created_by": USER,
        "disk_type": v.disk_type, "external_errors": [],
        "has_origin": b.has_origin(v), "has_replication": b.has_replication(&v.id),
        "id": v.id, "is_encryption": true, "iscsi_target_ips": iscsi_ips(v),
        "modified_at": ts(v.modified_at), "modified_by": USER,
        "name": v.name, "previous_state": v.previous_state, "purpose": v.purpose,
        "size_gb": v.size_gb, "snapshot_rate": v.snapshot_rate,
        "snapshot_schedule": Schedule::json(v.schedule.as_ref()),
        "srn": format!("srn:{}::{}:{}::baremetal-blockstorage:volume/{}", cfg.environment, cfg.account_id, v.region, v.id),
        "state": v.state, "storage_volume_name": v.storage_name,
    });
    if let Some(g) = v.group.as_ref().and_then(|g| b.groups.get(g)) {
        j["volume_group"] = json!({"id": g.id, "name": g.name});
    }
    if version >= "1.1" {
        j["recovery"] = match &v.recovery {
            Some((o, r)) => {
                json!({"origin_volume": recovery_side(b, o), "recovery_volume": recovery_side(b, r)})
            }
            None => Value::Null,
        };
    }
    if version >= "1.2" {
        j["qos"] = match v.qos {
            Some((iops, throughput)) => json!({"iops": iops, "throughput": throughput}),
            None => Value::Null,
        };
    }
    j
}

/// `VolumeListModel`.
fn list_model(b: &Blocks, v: &Vol) -> Value {
    json!({
        "attachments": v.attachments.iter().map(|a| json!({"id": a.id, "name": server_name(a)})).collect::<Vec<_>>(),
        "created_at": ts(v.created_at), "created_by": USER, "disk_type": v.disk_type,
        "has_relation": b.has_replication(&v.id) || b.has_origin(v) || v.recovery.is_some(),
        "id": v.id, "is_in_volume_group": v.group.is_some(),
        "is_snapshot_activated": v.snapshot_rate > 0, "iscsi_target_ips": iscsi_ips(v),
        "modified_at": ts(v.modified_at), "modified_by": USER, "name": v.name,
        "purpose": v.purpose, "size_gb": v.size_gb, "state": v.state,
        "volume_group": match v.group.as_ref().and_then(|g| b.groups.get(g)) {
            Some(g) => json!({"id": g.id, "name": g.name}),
            None => json!(""),
        },
    })
}

pub(super) async fn list(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let w = world(&ctx);
    let b = &w.block;
    let has = |filter: &str, s: &str| q.get(filter).is_none_or(|f| s.contains(f.as_str()));
    let matching: Vec<&Vol> = b
        .volumes
        .values()
        .filter(|v| v.region == ctx.region && has("name", &v.name))
        .filter(|v| {
            q.get("object_name").is_none_or(|f| {
                v.attachments
                    .iter()
                    .any(|a| server_name(a).contains(f.as_str()))
            })
        })
        .filter(|v| {
            q.get("volume_group_name").is_none_or(|f| {
                v.group
                    .as_ref()
                    .and_then(|g| b.groups.get(g))
                    .is_some_and(|g| g.name.contains(f.as_str()))
            })
        })
        .collect();
    let fields = ["created_at", "modified_at", "name", "size_gb"];
    let (items, total) = page(
        matching,
        &fields,
        |v, f| match f {
            "name" => Key::S(v.name.clone()),
            "size_gb" => Key::N(v.size_gb),
            "modified_at" => Key::S(ts(v.modified_at)),
            _ => Key::S(ts(v.created_at)),
        },
        &q,
    )?;
    ok(json!({
        "total_count": total,
        "volumes": items.iter().map(|v| list_model(b, v)).collect::<Vec<_>>(),
    }))
}

/// `AttachmentListModel` in requests.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AttachmentReq {
    object_id: String,
    object_type: String,
}

/// Checks attachments asked for and turns them into [`Attachment`]s.
pub(super) fn attachments(reqs: Vec<AttachmentReq>) -> Result<Vec<Attachment>, Fail> {
    let mut out: Vec<Attachment> = vec![];
    for a in reqs {
        if a.object_id.is_empty() {
            return Err(bad("attachments: object_id must not be empty"));
        }
        one_of("attachments: object_type", &a.object_type, &["BM", "MNGC"])?;
        if out.iter().any(|o| o.id == a.object_id) {
            return Err(bad(format!(
                "attachments: server `{}` is listed twice",
                a.object_id
            )));
        }
        out.push(Attachment {
            id: a.object_id,
            kind: a.object_type,
        });
    }
    if out.len() > 8 {
        return Err(bad("a volume can be attached to at most 8 servers"));
    }
    Ok(out)
}

/// `QoSModel`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Qos {
    iops: i64,
    throughput: i64,
}

/// Checks QoS values against `QoSModel`'s ranges.
pub(super) fn check_qos(iops: Option<i64>, throughput: Option<i64>) -> Result<(), Fail> {
    if let Some(i) = iops {
        in_range("qos iops", i, 3000, 16000)?;
    }
    if let Some(t) = throughput {
        in_range("qos throughput", t, 125, 1000)?;
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    attachments: Vec<AttachmentReq>,
    disk_type: String,
    name: String,
    size_gb: i64,
    #[serde(default)]
    tags: Option<Vec<Value>>,
    #[serde(default)]
    qos: Option<Qos>,
}

pub(super) async fn create(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    body: Bytes,
) -> Reply {
    let req: Create = parse(&body)?;
    check_volume_name("name", &req.name)?;
    in_range("size_gb", req.size_gb, 1, 16384)?;
    one_of("disk_type", &req.disk_type, &["SSD", "HDD"])?;
    let atts = attachments(req.attachments)?;
    if let Some(q) = &req.qos {
        if ver.as_str() < "1.2" {
            return Err(bad("qos is accepted only in API version 1.2"));
        }
        if req.disk_type != "SSD" {
            return Err(bad("qos applies to SSD volumes only"));
        }
        check_qos(Some(q.iops), Some(q.throughput))?;
    }
    let mut w = world(&ctx);
    if w.block
        .volumes
        .values()
        .any(|v| v.region == ctx.region && v.name == req.name)
    {
        return Err(conflict(format!(
            "a volume named `{}` already exists in {}",
            req.name, ctx.region
        )));
    }
    let delay = w.cfg.delay;
    let mut v = Vol::new(
        &ctx.region,
        &req.name,
        &req.disk_type,
        req.size_gb as u64,
        "ORG",
    );
    if let Some(q) = req.qos {
        v.qos = Some((q.iops, q.throughput));
    }
    v.attachments = atts;
    v.tags = req.tags.unwrap_or_default();
    let rest = v.at_rest();
    v.begin("CREATING", Next::To(rest), delay);
    let id = v.id.clone();
    w.block.volumes.insert(id.clone(), v);
    async_response(&id)
}

pub(super) async fn show(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Reply {
    let mut w = world(&ctx);
    volume(&mut w, &ctx.region, &id)?;
    let v = &w.block.volumes[&id];
    ok(json!({"result": volume_model(&w.block, &w.cfg, v, &ver)}))
}

pub(super) async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let replicated = {
        let v = volume(&mut w, &ctx.region, &id)?;
        v.ready()?;
        if !v.attachments.is_empty() {
            return Err(conflict(
                "volume is attached: detach all attachments before deleting",
            ));
        }
        if v.group.is_some() {
            return Err(conflict(
                "volume is in a volume group: remove it from the group before deleting",
            ));
        }
        w.block.vrep_of(&id).is_some()
            || w.block
                .greps
                .values()
                .any(|r| r.members.iter().any(|m| m.0 == id || m.1 == id))
    };
    if replicated {
        return Err(conflict(
            "volume has a replication: delete the replication before deleting the volume",
        ));
    }
    let v = volume(&mut w, &ctx.region, &id)?;
    v.begin("DELETING", Next::Gone, delay);
    async_response(&id)
}
