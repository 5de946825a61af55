//! The OpenAPI document, derived from the handlers by utoipa.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as OpenApiDoc, Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;

use crate::problem::{ProblemDetails, PROBLEM_JSON};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Strata",
        description = "One storage API across clouds: volumes (block, file, parallel file), snapshots and schedules, replicas, volume groups, backups and archives, translated to Samsung Cloud Platform and NHN Cloud.\n\nEvery `/v1` call needs `Authorization: Bearer <JWT>` with `storage.read` (reads) or `storage.write` (changes). Errors are RFC 9457 `application/problem+json` with a stable `code`. Changes answer `202 Accepted` with an operation; add `?wait=30s` to block until it is done.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "This gateway")),
    components(schemas(ProblemDetails, crate::routes::replicas::ReplicaAction)),
    tags(
        (name = "providers", description = "Configured providers and their capabilities"),
        (name = "volumes", description = "Volumes of every kind, their access rules, mount targets and usage"),
        (name = "snapshots", description = "Snapshots, restores and snapshot schedules"),
        (name = "replicas", description = "Cross-region replication"),
        (name = "operations", description = "Long-running operations"),
        (name = "operations-endpoints", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

/// Adds what every operation shares, in one place: the bearer scheme and its requirement on
/// `/v1`, and the problem+json error responses.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A JWT with `storage.read` / `storage.write` scopes; `strata token` mints one for development."))
                    .build(),
            ),
        );
        let problem = |desc: &str| {
            ResponseBuilder::new()
                .description(desc)
                .content(
                    PROBLEM_JSON,
                    Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem")))),
                )
                .build()
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let secured = path.starts_with("/v1/");
            let ops: [&mut Option<Operation>; 5] = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                let r = &mut op.responses.responses;
                for (status, desc) in [
                    ("400", "Invalid request"),
                    ("404", "Not found"),
                    ("422", "Unsupported by the provider"),
                    ("5XX", "Gateway or vendor failure"),
                ] {
                    r.entry(status.into())
                        .or_insert_with(|| RefOr::T(problem(desc)));
                }
                if secured {
                    r.entry("401".into())
                        .or_insert_with(|| RefOr::T(problem("Missing or invalid bearer token")));
                    r.entry("403".into()).or_insert_with(|| {
                        RefOr::T(problem("Missing scope or provider not allowed"))
                    });
                    op.security = Some(vec![SecurityRequirement::new(
                        "bearer",
                        Vec::<String>::new(),
                    )]);
                } else {
                    // Open on purpose: say so, rather than leave the requirement undefined.
                    op.security = Some(vec![SecurityRequirement::default()]);
                }
            }
        }
    }
}

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
