//! Attach and Detach (`/v1/volumes/{volume_id}/attachments`, synchronous but through
//! `ATTACHING`/`DETACHING`) and Set Volume QoS (`/v1/volumes/{volume_id}/qos`, 1.2 only).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Extension;
use serde::Deserialize;
use serde_json::json;

use super::common::{bad, conflict, parse, since};
use super::volumes::{attachments, check_qos, volume_model, AttachmentReq};
use super::{volume, world, Next};
use crate::scp::api::{ok, Reply};
use crate::scp::front::ApiVersion;
use crate::scp::Ctx;

/// 1.2 answers the attachments the volume now has; 1.0 and 1.1 the whole volume.
fn answer(ctx: &Ctx, id: &str, ver: &str) -> Reply {
    let w = world(ctx);
    let v = &w.block.volumes[id];
    if ver >= "1.2" {
        ok(
            json!({"attachments": v.attachments.iter().map(|a| json!({"object_id": a.id, "object_type": a.kind})).collect::<Vec<_>>()}),
        )
    } else {
        ok(json!({"result": volume_model(&w.block, &w.cfg, v, ver)}))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Attach {
    attachments: Vec<AttachmentReq>,
}

pub(super) async fn attach(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: Attach = parse(&body)?;
    let new = attachments(req.attachments)?;
    if new.is_empty() {
        return Err(bad("attachments must list at least one server"));
    }
    {
        let mut w = world(&ctx);
        let delay = w.cfg.delay;
        let v = volume(&mut w, &ctx.region, &id)?;
        v.ready()?;
        if let Some(a) = new
            .iter()
            .find(|a| v.attachments.iter().any(|o| o.id == a.id))
        {
            return Err(conflict(format!(
                "server `{}` is already attached to the volume",
                a.id
            )));
        }
        if v.attachments.len() + new.len() > 8 {
            return Err(bad("a volume can be attached to at most 8 servers"));
        }
        v.attachments.extend(new);
        v.begin("ATTACHING", Next::To("IN_USE"), delay);
    }
    answer(&ctx, &id, &ver)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Detach {
    attachments: Vec<String>,
}

pub(super) async fn detach(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let req: Detach = parse(&body)?;
    if req.attachments.is_empty() {
        return Err(bad("attachments must list at least one server id"));
    }
    {
        let mut w = world(&ctx);
        let delay = w.cfg.delay;
        let v = volume(&mut w, &ctx.region, &id)?;
        v.ready()?;
        if let Some(s) = req
            .attachments
            .iter()
            .find(|s| !v.attachments.iter().any(|a| &&a.id == s))
        {
            return Err(bad(format!("server `{s}` is not attached to the volume")));
        }
        v.attachments.retain(|a| !req.attachments.contains(&a.id));
        let rest = v.at_rest();
        v.begin("DETACHING", Next::To(rest), delay);
    }
    answer(&ctx, &id, &ver)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetQos {
    #[serde(default)]
    iops: Option<i64>,
    #[serde(default)]
    throughput: Option<i64>,
}

pub(super) async fn set_qos(
    State(ctx): State<Ctx>,
    Extension(ApiVersion(ver)): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    since(&ver, "1.2")?;
    let req: SetQos = parse(&body)?;
    check_qos(req.iops, req.throughput)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    if v.disk_type != "SSD" {
        return Err(bad("qos applies to SSD volumes only"));
    }
    v.ready()?;
    let (iops, throughput) = v.qos.unwrap_or((3000, 125));
    let qos = (
        req.iops.unwrap_or(iops),
        req.throughput.unwrap_or(throughput),
    );
    v.qos = Some(qos);
    v.edit(delay);
    ok(json!({"iops": qos.0, "throughput": qos.1}))
}
