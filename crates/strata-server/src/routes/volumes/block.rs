//! What block volumes have beyond every volume: the servers they are attached to and the
//! snapshot reserve their snapshots need.

use serde::Serialize;
use strata_core::capability::Feature;
use strata_core::catalogue::Op;
use strata_core::ids::ResourceType;
use strata_core::model::*;
use strata_core::operation::Operation;
use utoipa::ToSchema;

use crate::routes::*;

/// The servers a block volume is attached to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    /// The attached servers.
    pub attachments: Vec<AttachedServer>,
}

/// A server named in a body (`server_id`): any text is valid by the schema, but one outside
/// the vendor id grammar names no server there, so it cannot steer the vendor call (404
/// `server_not_found`, before any vendor call).
pub(crate) fn server_ref(
    p: &std::sync::Arc<dyn strata_core::provider::Provider>,
    raw: &str,
) -> Result<(), Problem> {
    let fits = strata_core::ids::IdGrammar::Token
        .check(raw, "vendor")
        .is_ok()
        && p.id_grammar().check(raw, "vendor").is_ok();
    if fits {
        return Ok(());
    }
    Err(Problem::new(
        axum::http::StatusCode::NOT_FOUND,
        "server_not_found",
        "Not found",
        "no server has that id".to_string(),
    )
    .with_provider(&p.info().id))
}

/// The servers a block volume is attached to.
#[utoipa::path(get, path = "/v1/volumes/{id}/attachments", tag = "volumes", params(("id" = String, Path, description = "Volume id")), responses((status = 200, body = AttachmentList)))]
pub async fn list_attachments(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::Volume)?;
    t.require(Feature::Attachments)?;
    let v = t.call(t.p.get_volume(&r.ctx, &t.id)).await?;
    Ok(ok(&AttachmentList {
        attachments: v.block.map(|b| b.attachments).unwrap_or_default(),
    }))
}

/// Attaches a block volume to a server.
#[utoipa::path(post, path = "/v1/volumes/{id}/attachments", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = Attachment,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn attach(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Attachment>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run(
        &t,
        Op::VolumeAttach,
        |t| {
            server_ref(&t.p, &body.server_id)?;
            t.check(|k| k.validate_attachment(&body))
        },
        |p, ctx, id| p.attach(ctx, id, &body),
    )
    .await
}

/// Detaches a block volume from a server.
#[utoipa::path(delete, path = "/v1/volumes/{id}/attachments/{server}", tag = "volumes",
    params(("id" = String, Path, description = "Volume id"), ("server" = String, Path, description = "Vendor server id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn detach(m: Mutation, ApiPath((id, server)): ApiPath<(String, String)>) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run(
        &t,
        Op::VolumeDetach,
        |t| {
            vendor_ref(&t.p, &server, "server", "server")?;
            t.require(Feature::Attachments)
        },
        |p, ctx, id| p.detach(ctx, id, &server),
    )
    .await
}

/// Sets (or changes) the snapshot reserve of a block volume: space kept for its snapshots,
/// in percent of its size.
///
/// Where the kind's `snapshot_reserve.required` is `true` (SCP), snapshots can be taken only
/// while a reserve is set. The operation settles with the volume.
#[utoipa::path(put, path = "/v1/volumes/{id}/snapshot-reserve", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams), request_body = SnapshotReserve,
    responses((status = 202, body = Operation, description = "Settles with the volume"), (status = 200, body = Operation)))]
pub async fn put_snapshot_reserve(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SnapshotReserve>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run(
        &t,
        Op::SnapshotReservePut,
        |t| t.check(|k| k.validate_snapshot_reserve(&body)),
        |p, ctx, id| {
            Box::pin(async move {
                p.put_snapshot_reserve(ctx, id, &body).await?;
                Ok(())
            })
        },
    )
    .await
}

/// Removes the snapshot reserve of a block volume; snapshots can then no longer be taken
/// where the kind requires a reserve.
#[utoipa::path(delete, path = "/v1/volumes/{id}/snapshot-reserve", tag = "volumes", params(("id" = String, Path, description = "Volume id"), MutationParams),
    responses((status = 202, body = Operation, description = "Settles with the volume"), (status = 200, body = Operation)))]
pub async fn delete_snapshot_reserve(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::Volume)?;
    m.run(
        &t,
        Op::SnapshotReserveDelete,
        |t| t.require(Feature::SnapshotReserve),
        |p, ctx, id| p.delete_snapshot_reserve(ctx, id),
    )
    .await
}
