//! Volume mirrors (`/v1/volumes/{id}/volume-mirrors…`): replication to a volume in another
//! region, created with it; start, stop, invert, stat and delete, each settling after the
//! delay and leaving a preserved `MIRROR` snapshot per transfer.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::snapshots::Snap;
use super::validation::VolumeReq;
use super::{accepted, bad, not_found, parse, reply, ts, Ctx, Fail, Nas, Pending, Reply};

const GIB: u64 = 1 << 30;

#[derive(Clone, Copy, PartialEq)]
pub(super) enum MirrorSettle {
    Initialized,
    Start,
    Stop,
    Invert,
    Gone,
}

#[derive(Clone)]
struct Transfer {
    bytes: u64,
    end: DateTime<Utc>,
}

pub(super) struct Mirror {
    pub(super) id: String,
    pub(super) src: String,
    pub(super) dst: String,
    pub(super) src_region: String,
    pub(super) dst_region: String,
    pub(super) src_name: String,
    pub(super) dst_name: String,
    pub(super) tenant_id: String,
    pub(super) dst_tenant_id: String,
    pub(super) project_id: String,
    pub(super) status: &'static str,
    pub(super) pending: Option<Pending<MirrorSettle>>,
    pub(super) direction: &'static str,
    pub(super) direction_changed_at: Option<DateTime<Utc>>,
    pub(super) halted: bool,
    last_transfer: Option<Transfer>,
    pub(super) created_at: DateTime<Utc>,
}

impl Mirror {
    /// The (sending, receiving) volume ids in the current direction.
    pub(super) fn flow(&self) -> (&str, &str) {
        if self.direction == "FORWARD" {
            (&self.src, &self.dst)
        } else {
            (&self.dst, &self.src)
        }
    }

    pub(super) fn involves(&self, volume_id: &str) -> bool {
        self.src == volume_id || self.dst == volume_id
    }
}

impl Nas {
    pub(super) fn settle_mirror(&mut self, id: &str) {
        let Some(m) = self.mirrors.get_mut(id) else {
            return;
        };
        let Some(p) = m.pending.take() else { return };
        m.status = "INITIALIZED";
        match p.then {
            MirrorSettle::Gone => {
                let (src, dst) = (m.src.clone(), m.dst.clone());
                self.mirrors.remove(id);
                // The replication snapshots were only protected for the mirror's sake.
                for vid in [src, dst] {
                    if let Some(v) = self.volumes.get_mut(&vid) {
                        v.snapshots.retain(|s| s.kind != "MIRROR");
                    }
                }
                return;
            }
            MirrorSettle::Stop => m.halted = true,
            MirrorSettle::Invert => {
                m.direction = if m.direction == "FORWARD" {
                    "REVERSE"
                } else {
                    "FORWARD"
                };
                m.direction_changed_at = Some(Utc::now());
                m.halted = false;
            }
            MirrorSettle::Initialized | MirrorSettle::Start => m.halted = false,
        }
        if m.halted {
            return;
        }
        // A transfer runs from the sending side and leaves a preserved MIRROR snapshot.
        let sender = m.flow().0.to_string();
        let seq = self.next_seq();
        let Some(m) = self.mirrors.get_mut(id) else {
            return;
        };
        let Some(v) = self.volumes.get_mut(&sender) else {
            return;
        };
        m.last_transfer = Some(Transfer {
            bytes: v.used_gb * GIB,
            end: Utc::now(),
        });
        let now = Utc::now();
        v.snapshots.push(Snap {
            id: uuid::Uuid::new_v4().to_string(),
            name: format!("{}.mirror.%{}", v.name, now.format("%Y%m%d%H%M%S")),
            size: v.used_gb * 1024 * 1024,
            kind: "MIRROR",
            preserved: true,
            created_at: now,
            seq,
        });
    }

    pub(super) fn mirror_json(&self, m: &Mirror, role: &str) -> Value {
        json!({
            "id": m.id, "role": role, "status": m.status, "direction": m.direction,
            "directionChangedAt": m.direction_changed_at.map(ts),
            "srcProjectId": m.project_id, "srcRegion": m.src_region, "srcTenantId": m.tenant_id,
            "srcVolumeId": m.src, "srcVolumeName": m.src_name,
            "dstProjectId": m.project_id, "dstRegion": m.dst_region, "dstTenantId": m.dst_tenant_id,
            "dstVolumeId": m.dst, "dstVolumeName": m.dst_name,
            "createdAt": ts(m.created_at),
        })
    }

    fn mirror_of(&mut self, region: &str, vid: &str, mid: &str) -> Result<&mut Mirror, Fail> {
        self.vol(region, vid)?;
        self.mirrors
            .get_mut(mid)
            .filter(|m| m.involves(vid))
            .ok_or_else(|| not_found("Volume mirror"))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MirrorReq {
    dst_region: Option<String>,
    dst_tenant_id: Option<String>,
    dst_volume: Option<VolumeReq>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MirrorBody {
    volume_mirror: MirrorReq,
}

pub(super) async fn create_mirror(
    State(c): State<Ctx>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: MirrorBody = parse(&body)?;
    let req = req.volume_mirror;
    let dst_region = req.dst_region.ok_or_else(|| bad("dstRegion is required"))?;
    let dst_tenant = req
        .dst_tenant_id
        .ok_or_else(|| bad("dstTenantId is required"))?;
    let spec = req.dst_volume.ok_or_else(|| bad("dstVolume is required"))?;
    let mut w = c.world();
    let (delay, tenant, project) = (
        w.cfg.delay,
        w.cfg.tenant_id.clone(),
        w.cfg.project_id.clone(),
    );
    if !w.cfg.regions.contains(&dst_region) {
        return Err(bad(format!("dstRegion {dst_region} is not a NAS region")));
    }
    if dst_tenant != tenant {
        return Err(bad("dstTenantId is not a project of this organization"));
    }
    if dst_region == c.region {
        return Err(bad(
            "Replication within the same project needs a different region",
        ));
    }
    if w.nas.mirrors.values().any(|m| m.involves(&id)) {
        return Err(bad("The volume is already replicated"));
    }
    let src = w.nas.active(&c.region, &id)?;
    let (src_name, src_size, src_protocol) = (src.name.clone(), src.size_gb, src.protocol.clone());
    let dst = w
        .nas
        .build_volume(&dst_region, &dst_tenant, &project, spec, delay)?;
    if src_protocol == "cifs" && dst.protocol != "cifs" {
        return Err(bad("The destination of a cifs volume must be cifs"));
    }
    if dst.size_gb != src_size {
        return Err(bad("dstVolume.sizeGb must equal the source volume's size"));
    }
    let m = Mirror {
        id: uuid::Uuid::new_v4().to_string(),
        src: id.clone(),
        dst: dst.id.clone(),
        src_region: c.region.clone(),
        dst_region,
        src_name,
        dst_name: dst.name.clone(),
        tenant_id: tenant,
        dst_tenant_id: dst_tenant,
        project_id: project,
        status: "PENDING",
        pending: Some(Pending {
            until: Instant::now() + delay,
            then: MirrorSettle::Initialized,
        }),
        direction: "FORWARD",
        direction_changed_at: None,
        halted: false,
        last_transfer: None,
        created_at: Utc::now(),
    };
    let body = json!({"volumeMirror": w.nas.mirror_json(&m, "SOURCE")});
    w.nas.volumes.insert(dst.id.clone(), dst);
    w.nas.mirrors.insert(m.id.clone(), m);
    Ok(reply(StatusCode::CREATED, body))
}

/// Starts a mirror change that settles after the delay.
fn mirror_change(c: &Ctx, id: &str, mid: &str, then: MirrorSettle) -> Reply {
    let mut w = c.world();
    let delay = w.cfg.delay;
    let m = w.nas.mirror_of(&c.region, id, mid)?;
    if m.status != "INITIALIZED" {
        return Err(bad(format!("The volume mirror is {}", m.status)));
    }
    match then {
        MirrorSettle::Stop if m.halted => return Err(bad("Replication is already stopped")),
        MirrorSettle::Start if !m.halted => return Err(bad("Replication is already active")),
        _ => {}
    }
    m.status = if then == MirrorSettle::Gone {
        "DELETING"
    } else {
        "UPDATING"
    };
    m.pending = Some(Pending {
        until: Instant::now() + delay,
        then,
    });
    accepted()
}

pub(super) async fn delete_mirror(
    State(c): State<Ctx>,
    Path((id, mid)): Path<(String, String)>,
) -> Reply {
    mirror_change(&c, &id, &mid, MirrorSettle::Gone)
}

pub(super) async fn start_mirror(
    State(c): State<Ctx>,
    Path((id, mid)): Path<(String, String)>,
) -> Reply {
    mirror_change(&c, &id, &mid, MirrorSettle::Start)
}

pub(super) async fn stop_mirror(
    State(c): State<Ctx>,
    Path((id, mid)): Path<(String, String)>,
) -> Reply {
    mirror_change(&c, &id, &mid, MirrorSettle::Stop)
}

pub(super) async fn invert_mirror(
    State(c): State<Ctx>,
    Path((id, mid)): Path<(String, String)>,
) -> Reply {
    mirror_change(&c, &id, &mid, MirrorSettle::Invert)
}

pub(super) async fn mirror_stat(
    State(c): State<Ctx>,
    Path((id, mid)): Path<(String, String)>,
) -> Reply {
    let mut w = c.world();
    let m = w.nas.mirror_of(&c.region, &id, &mid)?;
    let status = match m.status {
        "INITIALIZED" if m.halted => "HALT",
        "INITIALIZED" => "ACTIVE",
        other => other,
    };
    let t = m.last_transfer.clone();
    Ok(reply(
        StatusCode::OK,
        json!({"volumeMirrorStat": {
            "status": status,
            "lastTransferStatus": t.as_ref().map(|_| "SUCCESS"),
            "lastTransferBytes": t.as_ref().map_or(0, |t| t.bytes),
            "lastTransferEndTime": t.as_ref().map(|t| ts(t.end)),
            "lastSuccessTransferBytes": t.as_ref().map_or(0, |t| t.bytes),
            "lastSuccessTransferEndTime": t.as_ref().map(|t| ts(t.end)),
        }}),
    ))
}
