//! Recoveries (1.1 and 1.2 only; 404 before): a new volume from a volume snapshot
//! (`/v1/volumes/{volume_id}/recoveries`) and a new group from a group snapshot
//! (`/v1/volume-groups/{group_id}/recoveries`). Both answer 202; the copies have purpose
//! `RECOVERY`, the same disk type and size, no attachments (they settle `AVAILABLE`), and
//! `recovery` links origin and copy on both sides.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Extension;
use serde::Deserialize;

use super::common::{
    async_response, check_group_name, check_volume_name, conflict, not_found, parse, since,
};
use super::replications::name_taken;
use super::{group, volume, world, Group, Next, Vol};
use crate::scp::api::Reply;
use crate::scp::front::ApiVersion;
use crate::scp::Ctx;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VolumeRecovery {
    name: String,
    snapshot_id: String,
}

pub(super) async fn create_volume(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    since(&ver, "1.1")?;
    let req: VolumeRecovery = parse(&body)?;
    check_volume_name("name", &req.name)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    if !v.snaps.iter().any(|s| s.id == req.snapshot_id) {
        return Err(not_found("snapshot", &req.snapshot_id));
    }
    let (disk, size, qos) = (v.disk_type.clone(), v.size_gb, v.qos);
    if name_taken(&w, &ctx.region, &req.name) {
        return Err(conflict(format!(
            "a volume named `{}` already exists in {}",
            req.name, ctx.region
        )));
    }
    let mut copy = Vol::new(&ctx.region, &req.name, &disk, size, "RECOVERY");
    copy.qos = qos;
    copy.begin("CREATING", Next::To("AVAILABLE"), delay);
    let cid = copy.id.clone();
    copy.recovery = Some((id.clone(), cid.clone()));
    w.block.volumes.insert(cid.clone(), copy);
    if let Some(v) = w.block.volumes.get_mut(&id) {
        v.recovery = Some((id.clone(), cid.clone()));
    }
    async_response(&cid)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupRecovery {
    block_storage_name_prefix: String,
    snapshot_id: String,
}

pub(super) async fn create_group(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    since(&ver, "1.1")?;
    let req: GroupRecovery = parse(&body)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let g = group(&mut w, &ctx.region, &id)?;
    let snap = g
        .snaps
        .iter()
        .find(|s| s.id == req.snapshot_id)
        .ok_or_else(|| not_found("volume group snapshot", &req.snapshot_id))?;
    let prefix = &req.block_storage_name_prefix;
    let group_name = format!("{prefix}{}", g.name);
    check_group_name(
        "recovery volume group name (prefix + group name)",
        &group_name,
    )?;
    let members = snap.members.clone();
    for (_, name, _, _) in &members {
        let new = format!("{prefix}{name}");
        check_volume_name("recovery volume name (prefix + member name)", &new)?;
        if name_taken(&w, &ctx.region, &new) {
            return Err(conflict(format!(
                "a volume named `{new}` already exists in {}",
                ctx.region
            )));
        }
    }
    let mut copy = Group::new(&ctx.region, &group_name, vec![], "RECOVERY");
    copy.begin("CREATING", delay);
    let gid = copy.id.clone();
    copy.recovery = Some((id.clone(), gid.clone()));
    for (origin, name, disk, size) in members {
        let mut v = Vol::new(
            &ctx.region,
            &format!("{prefix}{name}"),
            &disk,
            size,
            "RECOVERY",
        );
        v.begin("CREATING", Next::To("AVAILABLE"), delay);
        v.group = Some(gid.clone());
        v.recovery = Some((origin.clone(), v.id.clone()));
        if let Some(o) = w.block.volumes.get_mut(&origin) {
            o.recovery = v.recovery.clone();
        }
        copy.members.push(v.id.clone());
        w.block.volumes.insert(v.id.clone(), v);
    }
    w.block.groups.insert(gid.clone(), copy);
    if let Some(g) = w.block.groups.get_mut(&id) {
        g.recovery = Some((id.clone(), gid.clone()));
    }
    async_response(&gid)
}
