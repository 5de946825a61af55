//! The OpenAPI document, derived from the handlers by utoipa.

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::problem::ProblemDetails;

mod conventions;
mod headers;
mod links;
pub use conventions::{Conventions, WAIT_PATTERN};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Strata",
        description = "One storage API across clouds: volumes (block, file, parallel file), snapshots and schedules, replicas, volume groups, backups and archives, translated to Samsung Cloud Platform and NHN Cloud.\n\n## Getting a token\nEvery `/v1` call needs `Authorization: Bearer <JWT>` whose `scope` holds `storage.read` (reads) or `storage.write` (changes). `strata demo` prints a token valid for that run; against a configured gateway, `strata --config strata.toml token --sub alice` mints one (scopes `storage.read storage.write` by default) with the configured HS256 secret, or use one from your identity provider (RS256 via JWKS). In Swagger UI press **Authorize**, paste the token (without `Bearer`), and it is kept across page reloads.\n\n## Conventions\nErrors are RFC 9457 `application/problem+json` with a stable `code` and `retryable`; `400` means the request breaks this document, `422` that it is valid but the target provider cannot do it (its capabilities are at `GET /v1/providers/{id}`). Changes answer `202 Accepted` with an operation to poll at its `Location`; add `?wait=30s` to wait for it. Reads may come from a short-lived cache (`Age` header); `Cache-Control: no-cache` reads through. Every answer carries `X-Request-Id`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "The Strata maintainers"),
    ),
    servers((url = "/", description = "This gateway")),
    components(schemas(
        ProblemDetails,
        crate::routes::replicas::ReplicaAction,
        crate::routes::volume_groups::MembersAction,
        crate::routes::backups::AgentOs,
        strata_core::dry_run::DryRun,
        strata_core::dry_run::VendorRequest
    )),
    tags(
        (name = "providers", description = "Configured providers and their capabilities"),
        (name = "volumes", description = "Volumes of every kind, their access rules, mount targets and usage"),
        (name = "snapshots", description = "Snapshots, restores and snapshot schedules"),
        (name = "replicas", description = "Cross-region replication"),
        (name = "volume-groups", description = "Consistency groups of block volumes: members, group snapshots, schedules, replication and recovery"),
        (name = "backups", description = "Backup policies, their jobs and recovery points, restores, and backup agents"),
        (name = "archives", description = "Archives (cold-tier buckets filled from object storage by an archiving policy), their objects and versions, recoveries into object storage, and archiving and recovery jobs"),
        (name = "operations", description = "Long-running operations"),
        (name = "health", description = "Liveness, readiness and Prometheus metrics (no token needed)"),
    )
)]
struct ApiDoc;

pub use crate::routes::{open_router, v1_router};

/// The complete OpenAPI document from the routers' own documents. The conventions are applied
/// here, once all paths are in (the derive's `modifiers` run before any route is merged).
pub fn document(parts: impl IntoIterator<Item = OpenApiDoc>) -> OpenApiDoc {
    let mut doc = ApiDoc::openapi();
    for part in parts {
        doc.merge(part);
    }
    Conventions.modify(&mut doc);
    doc
}

/// Where the gateway serves its OpenAPI document (JSON).
pub const DOCUMENT_PATH: &str = "/openapi.json";

/// Serves `doc` at [`DOCUMENT_PATH`], serialized once.
pub fn document_router<S: Clone + Send + Sync + 'static>(doc: OpenApiDoc) -> Router<S> {
    let json = Bytes::from(serde_json::to_vec(&doc).expect("the OpenAPI document serializes"));
    Router::new().route(
        DOCUMENT_PATH,
        get(move || {
            let json = json.clone();
            async move { ([(CONTENT_TYPE, "application/json")], json) }
        }),
    )
}

/// Swagger UI at `/docs/`, from the assets vendored into `utoipa-swagger-ui`, for the document
/// at [`DOCUMENT_PATH`]. Every setting of the page is here.
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/docs").config(
        Config::new([DOCUMENT_PATH])
            // Never send the document to swagger.io's online validator (Swagger UI does for
            // any page not served from localhost), nor show its badge.
            .validator_url("none")
            // Keep the bearer token of "Authorize" across page reloads (the browser's local
            // storage of this origin).
            .persist_authorization(true)
            // "Try it out" is chosen per operation: the calls are real, against real providers.
            .try_it_out_enabled(false),
    )
}

/// The complete OpenAPI document, without building an app.
pub fn spec() -> OpenApiDoc {
    document([
        v1_router().split_for_parts().1,
        open_router().split_for_parts().1,
    ])
}

/// The document as YAML, as checked in at `openapi/strata.yaml`.
pub fn spec_yaml() -> String {
    spec()
        .to_yaml()
        .expect("the OpenAPI document serializes to YAML")
}
