//! What every operation shares, stated once: the bearer scheme, the statuses each kind of
//! route can answer with the problem `code`s they carry, the response headers, the id and
//! paging parameter rules, and the scope and async notes in each description.
//!
//! Routes are classified by what they do ([`Shape`]), so a route added later is documented
//! like its peers without anyone remembering to.

use strata_core::ids::{IdGrammar, ResourceType, MAX_ID_LEN};
use strata_core::paging::MAX_PAGE_SIZE;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as OpenApiDoc, Ref, RefOr};
use utoipa::Modify;

use crate::problem::PROBLEM_JSON;

/// The `wait` query parameter's form: a whole number with an optional unit.
pub const WAIT_PATTERN: &str = "^[0-9]{1,9}(ms|s|m)?$";

/// Applies the conventions to a complete document (every route merged).
pub struct Conventions;

/// What a route does, as far as its documentation is concerned.
struct Shape {
    /// Under `/v1`: needs a bearer token.
    secured: bool,
    /// Changes something (any method but GET).
    mutation: bool,
    /// Takes a JSON body.
    body: bool,
    /// Takes path or query parameters.
    params: bool,
    /// Addresses something that may not exist (a path id, a provider named in the query or
    /// body).
    lookup: bool,
    /// Calls a provider (and so its vendor).
    vendor: bool,
    /// Pages with `page_token`.
    paged: bool,
    /// Answers with an operation (`202` + `Location`, or `200` when done within `wait`).
    asynchronous: bool,
    /// `PATCH`, `PUT` or `DELETE`: takes `If-Match`.
    conditional_write: bool,
    /// Needs the shared state (operation records, idempotency records): a change, or the
    /// operation routes.
    store: bool,
}

impl Shape {
    fn of(path: &str, op: &Operation, method: &HttpMethod) -> Self {
        let params = op.parameters.as_deref().unwrap_or_default();
        let has = |name: &str| params.iter().any(|p| p.name == name);
        let vendor = [
            "/v1/volumes",
            "/v1/snapshots",
            "/v1/replicas",
            "/v1/volume-groups",
            "/v1/group-snapshots",
            "/v1/backup",
            "/v1/recovery-points",
            "/v1/restore-jobs",
            "/v1/archive",
        ]
        .iter()
        .any(|p| path.starts_with(p));
        Shape {
            secured: path.starts_with("/v1/"),
            mutation: !matches!(method, HttpMethod::Get),
            body: op.request_body.is_some(),
            params: !params.is_empty(),
            lookup: vendor
                || params
                    .iter()
                    .any(|p| p.parameter_in == ParameterIn::Path || p.name == "provider"),
            vendor,
            paged: has("page_token"),
            asynchronous: op.responses.responses.contains_key("202"),
            conditional_write: matches!(
                method,
                HttpMethod::Patch | HttpMethod::Put | HttpMethod::Delete
            ),
            store: path.starts_with("/v1/")
                && (!matches!(method, HttpMethod::Get) || path.starts_with("/v1/operations")),
        }
    }

    fn scope(&self) -> Option<&'static str> {
        match (self.secured, self.mutation) {
            (false, _) => None,
            (true, false) => Some("storage.read"),
            (true, true) => Some("storage.write"),
        }
    }
}

impl Modify for Conventions {
    fn modify(&self, doc: &mut OpenApiDoc) {
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .description(Some(
                            "A JWT (HS256 or RS256, per the gateway's `[auth]` settings) whose \
                             `scope` claim holds `storage.read` for reads and `storage.write` \
                             for changes; `strata demo` prints one and `strata token` mints \
                             one for development.",
                        ))
                        .build(),
                ),
            );
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [
                (HttpMethod::Get, &mut item.get),
                (HttpMethod::Post, &mut item.post),
                (HttpMethod::Put, &mut item.put),
                (HttpMethod::Patch, &mut item.patch),
                (HttpMethod::Delete, &mut item.delete),
            ];
            for (method, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                super::headers::headers(path, op, &method);
                let shape = Shape::of(path, op, &method);
                parameters(path, op);
                responses(&shape, op);
                describe(&shape, op);
                op.security = Some(vec![if shape.secured {
                    SecurityRequirement::new("bearer", Vec::<String>::new())
                } else {
                    // Open on purpose: say so, rather than leave the requirement undefined.
                    SecurityRequirement::default()
                }]);
            }
        }
        super::links::links(doc);
        conditions(doc);
    }
}

/// Publishes the rules that tie one field to another (core `model::rules`) on their schemas,
/// as `allOf` of `if`/`then` (utoipa has no attribute for them: they go in as the one
/// extension key, which serializes beside the schema's other keywords).
fn conditions(doc: &mut OpenApiDoc) {
    use utoipa::openapi::extensions::Extensions;
    use utoipa::openapi::Schema;
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (name, all_of) in strata_core::model::rules::schema_conditions() {
        if let Some(RefOr::T(Schema::Object(obj))) = components.schemas.get_mut(name) {
            obj.extensions
                .get_or_insert_with(Extensions::default)
                .insert("allOf".into(), all_of);
        }
    }
}

/// The resource type a path's `{id}` names.
fn id_type(path: &str) -> Option<ResourceType> {
    let first = path.strip_prefix("/v1/")?.split('/').next()?;
    Some(match first {
        "volumes" => ResourceType::Volume,
        "snapshots" => ResourceType::Snapshot,
        "replicas" => ResourceType::Replica,
        "volume-groups" => ResourceType::VolumeGroup,
        "group-snapshots" => ResourceType::GroupSnapshot,
        "backups" => ResourceType::Backup,
        "backup-jobs" => ResourceType::BackupJob,
        "recovery-points" => ResourceType::RecoveryPoint,
        "restore-jobs" => ResourceType::RestoreJob,
        "backup-agents" => ResourceType::BackupAgent,
        "archives" => ResourceType::Archive,
        "archive-jobs" => ResourceType::ArchiveJob,
        _ => return None,
    })
}

fn string(pattern: &str, max: usize) -> RefOr<utoipa::openapi::Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .min_length(Some(1))
        .max_length(Some(max))
        .into()
}

/// The enforced form of every parameter whose name the gateway gives one meaning everywhere.
fn parameters(path: &str, op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        let schema = match (p.parameter_in.clone(), p.name.as_str()) {
            (ParameterIn::Path, "id") => match id_type(path) {
                Some(t) => string(&t.id_pattern(), MAX_ID_LEN),
                None => continue,
            },
            (ParameterIn::Path, "target" | "server") => {
                string(IdGrammar::TOKEN_PATTERN, IdGrammar::MAX_LEN)
            }
            (ParameterIn::Query, "wait") => string(WAIT_PATTERN, 11),
            (ParameterIn::Query, "page_size") => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Int32,
                )))
                .minimum(Some(0))
                .maximum(Some(MAX_PAGE_SIZE))
                .into(),
            _ => continue,
        };
        p.schema = Some(schema);
    }
}

fn problem(description: String) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem")))),
    )
}

fn header(description: &str, ty: Type) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(ty))
        .description(Some(description))
        .build()
}

fn codes(list: &[&str]) -> String {
    list.iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error statuses a route of this shape can answer, with their codes.
fn error_responses(s: &Shape) -> Vec<(&'static str, Response)> {
    // Plain problems here; those with headers go straight to `out`. Sorted at the end.
    let mut plain: Vec<(&'static str, String)> = Vec::new();
    let mut add = |status: &'static str, text: String| plain.push((status, text));
    let mut out = Vec::new();
    if s.params || s.body {
        add(
            "400",
            format!(
                "The request breaks this document's schema: {} (`field` names the input).",
                codes(&[
                    "invalid_argument",
                    "invalid_id",
                    "invalid_json",
                    "invalid_body"
                ])
            ),
        );
    }
    if s.secured {
        out.push((
            "401",
            problem(format!(
                "No valid bearer token: {}.",
                codes(&["unauthenticated"])
            ))
            .header(
                "WWW-Authenticate",
                header("The bearer challenge (RFC 6750).", Type::String),
            ),
        ));
        add(
            "403",
            format!(
                "The token lacks the scope this route needs, or may not use the provider: {}.",
                codes(&["insufficient_scope", "provider_forbidden"])
            ),
        );
    }
    if s.lookup {
        add(
            "404",
            "No such resource or provider: `<resource>_not_found` (e.g. `volume_not_found`, \
             `operation_not_found`, `mount_target_not_found`), `provider_not_found`."
                .into(),
        );
    }
    if s.vendor && s.mutation {
        out.push((
            "409",
            problem(format!(
                "The resource's state does not allow it: {} (a resource with this name \
                 exists; not retryable), {} (busy: retry later), {} (needs another state \
                 first, e.g. no snapshots or attachments; not retryable); or a request with \
                 this `Idempotency-Key` is still running: {} (retry after `Retry-After`).",
                codes(&["already_exists"]),
                codes(&["conflict"]),
                codes(&["failed_precondition"]),
                codes(&["idempotency_key_in_use"])
            ))
            .header(
                "Retry-After",
                header("Seconds to wait before trying again.", Type::Integer),
            ),
        ));
    }
    if s.conditional_write && s.secured {
        add(
            "412",
            format!(
                "`If-Match` names no current representation of the resource: {}.",
                codes(&["precondition_failed"])
            ),
        );
    }
    if s.body {
        add(
            "413",
            format!(
                "The body is larger than the gateway accepts: {}.",
                codes(&["payload_too_large"])
            ),
        );
        add(
            "415",
            format!(
                "The body is not `application/json`: {}.",
                codes(&["unsupported_media_type"])
            ),
        );
    }
    if s.vendor || s.paged {
        let mut list = vec![];
        if s.vendor {
            list.extend([
                "unsupported_by_provider",
                "unsupported_value",
                "vendor_rejected",
            ]);
        }
        if s.paged {
            list.push("invalid_page_token");
        }
        if s.mutation {
            list.push("idempotency_key_reused");
        }
        add(
            "422",
            format!(
                "Valid by this document, but not for this target: {}. The provider's \
                 capabilities (`GET /v1/providers/{{id}}`) say what it offers.",
                codes(&list)
            ),
        );
    }
    if s.vendor {
        add(
            "502",
            format!(
                "The vendor failed or refused the gateway's credentials: {}.",
                codes(&["vendor_error", "vendor_unauthenticated"])
            ),
        );
        add(
            "504",
            format!(
                "The vendor did not answer in time: {}.",
                codes(&["vendor_timeout", "operation_timeout"])
            ),
        );
    }
    // The edge's own limits hold on every route (`[server]` settings).
    add(
        "414",
        format!(
            "The request target is longer than the gateway reads: {}.",
            codes(&["uri_too_long"])
        ),
    );
    add(
        "431",
        format!(
            "The request's headers are larger than the gateway reads: {}.",
            codes(&["headers_too_large"])
        ),
    );
    let unavailable = if s.vendor {
        "The vendor is unreachable or throttling, its circuit is open, or the gateway is \
         shutting down"
    } else {
        "The gateway is shutting down"
    };
    out.push((
        "503",
        problem(format!(
            "{unavailable}{}: {}. Retryable.",
            if s.store {
                ", or its shared state (Redis) is unreachable"
            } else {
                ""
            },
            codes(
                &[
                    &["vendor_unavailable"][..usize::from(s.vendor)],
                    &["shared_state_unavailable"][..usize::from(s.store)],
                    &["shutting_down"][..],
                ]
                .concat()
            )
        ))
        .header(
            "Retry-After",
            header("Seconds to wait before trying again.", Type::Integer),
        ),
    ));
    out.extend(plain.into_iter().map(|(k, text)| (k, problem(text))));
    out.sort_by_key(|(k, _)| *k);
    out.into_iter().map(|(k, b)| (k, b.build())).collect()
}

fn responses(s: &Shape, op: &mut Operation) {
    let request_id = || {
        header(
            "The request's id: the client's `X-Request-Id` when it sent a valid one, else \
             a new one. Quote it when reporting a problem.",
            Type::String,
        )
    };
    for (status, resp) in error_responses(s) {
        op.responses
            .responses
            .entry(status.into())
            .or_insert(RefOr::T(resp));
    }
    let etag = || {
        header(
            "The strong entity tag of this representation (from its bytes: every replica \
             gives the same tag for the same representation); send it back in `If-None-Match` \
             or `If-Match`.",
            Type::String,
        )
    };
    if s.secured && !s.mutation && op.responses.responses.contains_key("200") {
        op.responses.responses.insert(
            "304".into(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "Not modified: `If-None-Match` names the current representation's \
                         `ETag`; no body.",
                    )
                    .header("ETag", etag())
                    .build(),
            ),
        );
    }
    for (status, resp) in op.responses.responses.iter_mut() {
        let RefOr::T(resp) = resp else { continue };
        if status == "200" && s.asynchronous && s.mutation {
            // A dry run answers 200 with its document instead of an operation.
            for content in resp.content.values_mut() {
                if let Some(schema) = content.schema.take() {
                    content.schema = Some(
                        utoipa::openapi::schema::OneOfBuilder::new()
                            .item(schema)
                            .item(Ref::from_schema_name("DryRun"))
                            .into(),
                    );
                }
            }
        }
        if resp.description.trim().is_empty() {
            resp.description = default_description(s, status, resp);
        }
        resp.headers.insert("X-Request-Id".into(), request_id());
        match status.as_str() {
            "202" if s.asynchronous => {
                resp.headers.insert(
                    "Location".into(),
                    header(
                        "The operation to poll: `/v1/operations/{id}`.",
                        Type::String,
                    ),
                );
            }
            _ => {}
        }
        match status.as_str() {
            "200" | "202" if s.secured && s.mutation => {
                resp.headers.insert(
                    "Idempotent-Replayed".into(),
                    header(
                        "`true` when this is the stored first response to the request's \
                         `Idempotency-Key`, replayed.",
                        Type::String,
                    ),
                );
            }
            _ => {}
        }
        match status.as_str() {
            "200" if s.secured && !s.mutation => {
                resp.headers.insert("ETag".into(), etag());
                resp.headers.insert(
                    "Age".into(),
                    header(
                        "Seconds since the answer was read from the vendor; present only \
                         when it came from the gateway's cache. Send `Cache-Control: \
                         no-cache` to read through.",
                        Type::Integer,
                    ),
                );
            }
            _ => {}
        }
    }
}

/// What a success answers, for routes that did not say: the operation's two answers, or the
/// schema the body holds.
fn default_description(s: &Shape, status: &str, resp: &Response) -> String {
    match status {
        "202" => "Accepted: the operation is running; poll the `Location` it names.".into(),
        "200" if s.asynchronous => {
            "Done within `wait`: the finished operation (`result` holds the settled resource); \
             with `validate_only=true`, the `DryRun` document instead."
                .into()
        }
        _ => {
            let schema = resp.content.values().find_map(|c| match &c.schema {
                Some(RefOr::Ref(r)) => r.ref_location.rsplit('/').next().map(str::to_string),
                _ => None,
            });
            match schema {
                Some(name) => format!("The `{name}`."),
                None => "Success.".into(),
            }
        }
    }
}

/// Adds the scope and, for changes, the async behaviour to the operation's description.
fn describe(s: &Shape, op: &mut Operation) {
    let mut notes = Vec::new();
    match s.scope() {
        Some(scope) => notes.push(format!("**Scope:** `{scope}`.")),
        None => notes.push("**Open:** no token needed.".into()),
    }
    if s.asynchronous && s.mutation {
        notes.push(
            "**Dry run:** with `?validate_only=true` the request is checked exactly as a real \
             one, then answered `200` with a `DryRun` document: the vendor requests it would \
             send (method, URL, headers with credentials redacted, body), none of them sent."
                .to_string(),
        );
        notes.push(
            "**Asynchronous:** answers `202 Accepted` with an `Operation` whose `Location` \
             header points at `/v1/operations/{id}`; poll it until `done`. With `?wait=30s` \
             the gateway waits up to that long (at most the configured maximum) and answers \
             `200` with the finished operation when it settles in time."
                .to_string(),
        );
    }
    let text = notes.join("\n\n");
    op.description = Some(match op.description.take() {
        Some(d) if !d.trim().is_empty() => format!("{d}\n\n{text}"),
        _ => text,
    });
}
