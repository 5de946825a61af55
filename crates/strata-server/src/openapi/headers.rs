//! The request headers every route of a kind reads, documented by shape (conditional
//! requests and `Idempotency-Key`).

use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::RefOr;

/// The request headers the gateway reads on every route of a kind: `If-None-Match` on reads,
/// `If-Match` on `PATCH`/`PUT`/`DELETE`, `Idempotency-Key` on every change (`/v1` only).
pub(super) fn headers(path: &str, op: &mut Operation, method: &HttpMethod) {
    use utoipa::openapi::path::ParameterBuilder;
    use utoipa::openapi::Required;
    if !path.starts_with("/v1/") {
        return;
    }
    let param = |name: &str, description: &str, schema: RefOr<utoipa::openapi::Schema>| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(schema))
            .build()
    };
    let tag = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(crate::conditional::MAX_TAGS_LEN))
            .into()
    };
    let mut add = Vec::new();
    if matches!(method, HttpMethod::Get) {
        add.push(param(
            "If-None-Match",
            "Entity tags (`ETag`s) the client holds: when one is the current representation's, \
             the answer is `304 Not Modified` without a body.",
            tag(),
        ));
    } else {
        if matches!(
            method,
            HttpMethod::Patch | HttpMethod::Put | HttpMethod::Delete
        ) {
            add.push(param(
                "If-Match",
                "Change only if the resource's current representation has one of these entity \
                 tags (strong comparison; `*`: if it exists). Otherwise `412 \
                 precondition_failed`, before any vendor call.",
                tag(),
            ));
        }
        add.push(param(
            "Idempotency-Key",
            &format!(
                "Makes the change safe to retry: the first response to a key (per token \
                 subject) is kept for 24 hours (`idempotency.window_seconds`) and replayed to a \
                 retry of the same request with `Idempotent-Replayed: true`; the same key with \
                 another method, path or body is `422 idempotency_key_reused`, a retry while \
                 the first still runs `409 idempotency_key_in_use`. {} printable ASCII \
                 characters at most.",
                crate::idempotency::MAX_KEY_LEN
            ),
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(crate::idempotency::KEY_PATTERN))
                .min_length(Some(1))
                .max_length(Some(crate::idempotency::MAX_KEY_LEN))
                .into(),
        ));
    }
    op.parameters.get_or_insert_with(Vec::new).extend(add);
}
