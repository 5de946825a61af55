//! The OpenAPI document, derived from the handlers by utoipa.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as OpenApiDoc, Ref, RefOr};
use utoipa::{Modify, OpenApi};

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
            let ops: [(bool, &mut Option<Operation>); 5] = [
                (false, &mut item.get),
                (true, &mut item.post),
                (true, &mut item.put),
                (true, &mut item.patch),
                (true, &mut item.delete),
            ];
            for (mutation, op) in ops
                .into_iter()
                .filter_map(|(m, op)| Some((m, op.as_mut()?)))
            {
                let r = &mut op.responses.responses;
                for (status, desc) in [
                    ("400", "The request breaks the schema (`invalid_argument`, `invalid_id`, …)"),
                    ("404", "Not found"),
                    ("422", "Not offered by the provider (`unsupported_value`, `unsupported_by_provider`), a page token this list did not issue (`invalid_page_token`), or refused by the vendor (`vendor_rejected`)"),
                    ("5XX", "Gateway or vendor failure"),
                ] {
                    r.entry(status.into())
                        .or_insert_with(|| RefOr::T(problem(desc)));
                }
                if mutation {
                    r.entry("409".into()).or_insert_with(|| {
                        RefOr::T(problem("The name is taken (`already_exists`), the resource is busy (`conflict`, retryable) or must first be brought into another state (`failed_precondition`)"))
                    });
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
