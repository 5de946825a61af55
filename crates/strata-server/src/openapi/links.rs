//! OpenAPI links from lists to the routes that take their items' ids, and from every `202`
//! to the operation it names.

use utoipa::openapi::{OpenApi as OpenApiDoc, RefOr};

/// Where a list's items lead: (list route, JSON pointer to the first item's id, the routes
/// that take that id). Stated as OpenAPI links, so generated clients and stateful testers
/// (schemathesis) follow real ids instead of guessing.
const LINKS: &[(&str, &str, &str)] = &[
    ("/v1/volumes", "/volumes/0/id", "/v1/volumes/{id}"),
    (
        "/v1/volumes/{id}/snapshots",
        "/snapshots/0/id",
        "/v1/snapshots/{id}",
    ),
    (
        "/v1/volumes/{id}/replicas",
        "/replicas/0/id",
        "/v1/replicas/{id}",
    ),
    (
        "/v1/volume-groups",
        "/volume_groups/0/id",
        "/v1/volume-groups/{id}",
    ),
    (
        "/v1/volume-groups/{id}/snapshots",
        "/snapshots/0/id",
        "/v1/group-snapshots/{id}",
    ),
    ("/v1/backups", "/backups/0/id", "/v1/backups/{id}"),
    (
        "/v1/backups/{id}/jobs",
        "/jobs/0/id",
        "/v1/backup-jobs/{id}",
    ),
    (
        "/v1/backups/{id}/recovery-points",
        "/recovery_points/0/id",
        "/v1/recovery-points/{id}",
    ),
    (
        "/v1/backups/{id}/restores",
        "/restores/0/id",
        "/v1/restore-jobs/{id}",
    ),
    (
        "/v1/backup-agents",
        "/agents/0/id",
        "/v1/backup-agents/{id}",
    ),
    ("/v1/archives", "/archives/0/id", "/v1/archives/{id}"),
    (
        "/v1/archives/{id}/jobs",
        "/jobs/0/id",
        "/v1/archive-jobs/{id}",
    ),
    (
        "/v1/archive-policies",
        "/policies/0/archive_id",
        "/v1/archives/{id}",
    ),
    ("/v1/operations", "/operations/0/id", "/v1/operations/{id}"),
];

pub(super) fn links(doc: &mut OpenApiDoc) {
    use utoipa::openapi::extensions::Extensions;
    use utoipa::openapi::link::LinkBuilder;
    let op_ids = |doc: &OpenApiDoc, prefix: &str| -> Vec<String> {
        doc.paths
            .paths
            .iter()
            .filter(|(p, _)| *p == prefix || p.starts_with(&format!("{prefix}/")))
            .flat_map(|(_, item)| {
                [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                    .into_iter()
                    .flatten()
                    .filter_map(|op| op.operation_id.clone())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let mut plan = Vec::new();
    for (list, pointer, target) in LINKS {
        plan.push((*list, "200", *pointer, op_ids(doc, target)));
    }
    let poll = op_ids(doc, "/v1/operations/{id}");
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let list_links = plan
                .iter()
                .filter(|(list, ..)| *list == path.as_str() && op.operation_id.is_some())
                .filter(|_| op.responses.responses.contains_key("200"));
            let mut add = Vec::new();
            for (_, status, pointer, targets) in list_links {
                for t in targets {
                    add.push((*status, t.clone(), format!("$response.body#{pointer}")));
                }
            }
            if op.responses.responses.contains_key("202") {
                for t in poll.iter().filter(|t| op.operation_id.as_ref() != Some(t)) {
                    add.push(("202", t.clone(), "$response.body#/id".to_string()));
                }
            }
            for (status, target, value) in add {
                if let Some(RefOr::T(resp)) = op.responses.responses.get_mut(status) {
                    // utoipa 5.5 serializes `Link::operation_id` as `operation_id`, which is
                    // not OpenAPI; the one extension key spells it `operationId` instead.
                    let mut id = Extensions::default();
                    id.insert("operationId".into(), target.clone().into());
                    resp.links.insert(
                        target,
                        RefOr::T(
                            LinkBuilder::new()
                                .parameter("id", value)
                                .extensions(Some(id))
                                .build(),
                        ),
                    );
                }
            }
        }
    }
}
