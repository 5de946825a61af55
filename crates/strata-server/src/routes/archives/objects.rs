//! An archive's objects and object versions, and recovering them into object storage.

use serde::{Deserialize, Serialize};
use strata_core::catalogue::Op;
use strata_core::ids::ResourceType;
use strata_core::model::*;
use strata_core::operation::Operation;
use utoipa::{IntoParams, ToSchema};

use super::archive_check;
use crate::routes::backups::page_of;
use crate::routes::*;

/// Which entries of an archive to list, and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectListParams {
    /// The folder whose direct children to list (ending in `/`); absent: the root.
    #[param(schema_with = folder_schema)]
    pub folder: Option<String>,
    /// Only entries whose key contains this text.
    #[param(max_length = 255)]
    pub name: Option<String>,
    /// Only objects (`file`) or only folders (`folder`).
    #[serde(rename = "type")]
    pub object_type: Option<ObjectType>,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// A page of an archive's objects and folders.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArchiveObjectList {
    /// The entries of this page: folders first, then objects, by key.
    pub objects: Vec<ArchiveObject>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The objects and folders directly under a folder of the archive.
#[utoipa::path(get, path = "/v1/archives/{id}/objects", tag = "archives", params(("id" = String, Path, description = "Archive id"), ObjectListParams), responses((status = 200, body = ArchiveObjectList)))]
pub async fn list_archive_objects(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ObjectListParams>,
) -> ApiResult {
    if let Some(f) = &q.folder {
        check_object_path("folder", f, PathKind::Folder).map_err(Problem::from)?;
    }
    if let Some(n) = &q.name {
        if n.chars().count() > 255 {
            return Err(Problem::from(strata_core::Error::invalid(
                "name",
                "`name` must be at most 255 characters",
            )));
        }
    }
    let t = r.target(&id, ResourceType::Archive)?;
    archive_check(&t.p, |_| Ok(()))?;
    let filter = ObjectFilter {
        folder: q.folder,
        name: q.name,
        object_type: q.object_type,
    };
    let page = page_of(
        &t.p,
        PageParams {
            page_size: q.page_size,
            page_token: q.page_token,
        },
    );
    let objects = t
        .call(t.p.list_archive_objects(&r.ctx, &t.id, &filter, &page))
        .await?;
    Ok(ok(&ArchiveObjectList {
        objects: objects.items,
        next_page_token: objects.next_page_token,
    }))
}

/// Deletes objects and folders (everything under them) from the archive, with every
/// version. The vendor removes them on its own once it accepted the request.
#[utoipa::path(post, path = "/v1/archives/{id}/objects/delete", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams), request_body = DeleteObjects,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_archive_objects(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<DeleteObjects>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Archive)?;
    m.run(
        &t,
        Op::ArchiveObjectDelete,
        |t| archive_check(&t.p, |_| Ok(())),
        |p, ctx, id| p.delete_archive_objects(ctx, id, &req),
    )
    .await
}

/// Which object's versions to list, and paging.
#[derive(Debug, Deserialize)]
pub struct VersionListParams {
    /// Key of the object.
    pub key: String,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

// Written out: the derive drops `required` from a parameter whose schema is built by a
// function (the key's pattern is one definition, shared with the bodies).
impl IntoParams for VersionListParams {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::Required;
        let key = ParameterBuilder::new()
            .name("key")
            .parameter_in(ParameterIn::Query)
            .required(Required::True)
            .description(Some("Key of the object."))
            .schema(Some(object_key_schema()))
            .build();
        let mut params = vec![key];
        params.extend(PageParams::into_params(|| Some(ParameterIn::Query)));
        params
    }
}

/// A page of an object's archived versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectVersionList {
    /// The versions of this page, newest first.
    pub versions: Vec<ObjectVersion>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The archived versions of one object, newest first. Only where the provider's
/// `archives.versioning` is `true`.
#[utoipa::path(get, path = "/v1/archives/{id}/object-versions", tag = "archives", params(("id" = String, Path, description = "Archive id"), VersionListParams), responses((status = 200, body = ObjectVersionList)))]
pub async fn list_object_versions(
    r: Req,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionListParams>,
) -> ApiResult {
    check_object_path("key", &q.key, PathKind::Key).map_err(Problem::from)?;
    let t = r.target(&id, ResourceType::Archive)?;
    archive_check(&t.p, |a| a.check_versioning())?;
    let page = page_of(
        &t.p,
        PageParams {
            page_size: q.page_size,
            page_token: q.page_token,
        },
    );
    let versions = t
        .call(t.p.list_object_versions(&r.ctx, &t.id, &q.key, &page))
        .await?;
    Ok(ok(&ObjectVersionList {
        versions: versions.items,
        next_page_token: versions.next_page_token,
    }))
}

/// Deletes archived versions of one object; when the current one goes, the newest remaining
/// becomes current, and the object goes with its last version. Only where the provider's
/// `archives.versioning` is `true`.
#[utoipa::path(post, path = "/v1/archives/{id}/object-versions/delete", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams), request_body = DeleteVersions,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_object_versions(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<DeleteVersions>,
) -> ApiResult {
    let t = m.target(&id, ResourceType::Archive)?;
    m.run(
        &t,
        Op::ArchiveVersionDelete,
        |t| archive_check(&t.p, |a| a.check_versioning()),
        |p, ctx, id| p.delete_object_versions(ctx, id, &req),
    )
    .await
}

/// Recovers objects and folders into an object storage bucket (`target_bucket`, in the
/// archive's region), where they stay as ordinary objects; the archived copies stay too.
///
/// The operation settles with the recovery job once it finished (`succeeded`, `failed`,
/// `cancelled`); cancel it with `POST /v1/archive-jobs/{id}/cancel`. Where the vendor
/// answers without a job id (SCP), the gateway finds the job in the vendor's recovery
/// history: the newest recovery into `target_bucket` that started after the request.
#[utoipa::path(post, path = "/v1/archives/{id}/recover", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams), request_body = RecoverObjects,
    responses((status = 202, body = Operation, description = "Settles with the finished recovery job"), (status = 200, body = Operation)))]
pub async fn recover_archive_objects(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RecoverObjects>,
) -> ApiResult {
    let a = m.target(&id, ResourceType::Archive)?;
    archive_check(&a.p, |_| Ok(()))?;
    let job = a
        .call(a.p.recover_archive_objects(&m.ctx, &a.id, &req))
        .await?;
    let t = Target::returned(&a.p, &job.id, ResourceType::ArchiveJob)?;
    m.track(Op::ArchiveRecover, t).await
}

/// Recovers one archived version of an object into an object storage bucket. Only where
/// the provider's `archives.versioning` is `true`; settles like `POST /v1/archives/{id}/recover`.
#[utoipa::path(post, path = "/v1/archives/{id}/object-versions/recover", tag = "archives", params(("id" = String, Path, description = "Archive id"), MutationParams), request_body = RecoverVersion,
    responses((status = 202, body = Operation, description = "Settles with the finished recovery job"), (status = 200, body = Operation)))]
pub async fn recover_object_version(
    m: Mutation,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RecoverVersion>,
) -> ApiResult {
    let a = m.target(&id, ResourceType::Archive)?;
    archive_check(&a.p, |c| c.check_versioning())?;
    let job = a
        .call(a.p.recover_object_version(&m.ctx, &a.id, &req))
        .await?;
    let t = Target::returned(&a.p, &job.id, ResourceType::ArchiveJob)?;
    m.track(Op::ArchiveVersionRecover, t).await
}
