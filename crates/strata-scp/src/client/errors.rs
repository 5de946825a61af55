//! How a failed SCP answer becomes a core error.
//!
//! SCP documents no error codes beyond the HTTP status (references §2.5 of the file
//! services and of Backup, §2.6 of Block Storage):
//! `400` for validation (a FastAPI `ValidationErrorModel[]` in the official spec; Block
//! Storage answers `{"errors": [{"code", "detail"}]}`, `detail` a string or a list), `404` for
//! unknown ids, `409` for state conflicts (a name already used, a volume that is not
//! `available`, something still in use), with no documented body. So the status classifies
//! first (401 is the gateway's own credentials; 404 becomes the asked resource's
//! `*_not_found` at the call site, through `Error::vendor_404_as`; 5xx a vendor failure),
//! and a 400/409 is then read by its message:
//!
//! | the message says | core error |
//! |---|---|
//! | `… already exists`, `… already has access`, `duplicate`, a name `in use` or `taken` | `AlreadyExists` |
//! | `is creating/editing/updating/deleting/restoring/…`, `is running`, `in progress`, `busy` | `Conflict` (retryable) |
//! | `… them/it/each first`, `before deleting`, `cannot be replicated`, `in use`, `attached`, `mounted`, `has snapshots/replications/access rules` | `FailedPrecondition` |
//! | anything else | `VendorRejected` (422 `vendor_rejected`) |
//!
//! SCP documents none of these texts. The patterns are generic phrasings of each condition,
//! matched case-insensitively; they cover the messages the simulator answers with and should
//! be checked against the live service's. A 409 that says none of them stays
//! `vendor_rejected`: guessing it retryable could make clients retry forever. The client
//! sees the message sanitized, never raw.

use serde_json::Value;
use strata_core::error::Error;
use strata_core::refusal::{classify, Condition, Refusal};

/// Transitional volume, snapshot, rule and replication states.
const BUSY_STATES: &[&str] = &[
    "creating",
    "attaching",
    "detaching",
    "initializing",
    "resyncing",
    "editing",
    "updating",
    "deleting",
    "restoring",
    "adding",
    "removing",
    "pending",
    "running",
];

/// The `{"errors": [{"code", "detail"}]}` body of Block Storage: the details joined (each a
/// string or a list of strings), and the first code.
fn block_errors(v: &Value) -> Option<(String, Option<String>)> {
    let errors = v.get("errors")?.as_array()?;
    let mut parts = vec![];
    for e in errors {
        match &e["detail"] {
            Value::String(s) => parts.push(s.clone()),
            Value::Array(a) => parts.extend(a.iter().filter_map(Value::as_str).map(str::to_string)),
            _ => {}
        }
    }
    let code = errors
        .iter()
        .find_map(|e| e["code"].as_str())
        .map(str::to_string);
    (!parts.is_empty()).then(|| (parts.join("; "), code))
}

/// A readable message from an SCP error body: Block Storage's `{"errors": [{detail}]}`, the
/// FastAPI-style `ValidationErrorModel[]` (`[{loc, msg}]`) of the official spec, a
/// `{message}`/`{msg}`/`{detail}` object, or the raw text (shortened).
pub(crate) fn error_message(text: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    if let Some((message, _)) = parsed.as_ref().and_then(block_errors) {
        return message;
    }
    let from_json = parsed.as_ref().and_then(|v| match v {
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|e| {
                    let msg = e["msg"].as_str()?;
                    let loc: Vec<String> = e["loc"]
                        .as_array()
                        .map(|l| {
                            l.iter()
                                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    Some(if loc.is_empty() {
                        msg.to_string()
                    } else {
                        format!("{}: {msg}", loc.join("."))
                    })
                })
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Object(o) => ["message", "msg", "detail", "error"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str).map(str::to_string)),
        _ => None,
    });
    from_json.unwrap_or_else(|| {
        let t = text.trim();
        if t.is_empty() {
            "no error body".into()
        } else {
            t.chars().take(300).collect()
        }
    })
}

/// Classifies a failed answer by its status, then a 400/409 by its message.
pub(crate) fn vendor_error(status: u16, text: &str, retry_after: Option<u64>) -> Error {
    let code = serde_json::from_str::<Value>(text)
        .ok()
        .as_ref()
        .and_then(block_errors)
        .and_then(|(_, code)| code);
    match status {
        401 => Error::VendorUnauthenticated,
        _ => match classify(status, error_message(text), retry_after, condition) {
            Error::VendorRejected {
                vendor_status,
                vendor_code: None,
                message,
            } => Error::VendorRejected {
                vendor_status,
                vendor_code: code,
                message,
            },
            other => other,
        },
    }
}

/// The condition a refusal's message names, when it names one the core models.
fn condition(r: &Refusal) -> Option<Condition> {
    if r.name_taken()
        || r.says(&[
            "already exists",
            "already has access",
            "already attached",
            "duplicate",
        ])
    {
        return Some(Condition::AlreadyExists);
    }
    if r.follows("is", BUSY_STATES) || r.says(&["in progress", "busy", "being deleted"]) {
        return Some(Condition::Busy);
    }
    let needs = r.follows(
        "has",
        &[
            "snapshots",
            "replications",
            "replication",
            "access",
            "rules",
        ],
    ) || r.says(&[
        "them first",
        "it first",
        "each first",
        "before deleting",
        "before changing",
        "cannot be replicated",
        "in use",
        "attached",
        "mounted",
    ]);
    needs.then_some(Condition::NeedsOtherState)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::ids::ResourceType;

    fn code(status: u16, body: &str) -> (u16, String, bool) {
        let e = vendor_error(status, body, None);
        (e.http_status(), e.code(), e.retryable())
    }

    fn conflict(message: &str) -> String {
        serde_json::json!({"code": "Conflict", "message": message}).to_string()
    }

    #[test]
    fn validation_error_models_become_one_message() {
        let body = r#"[{"loc":["body","name"],"msg":"string does not match regex","type_":"value_error"},{"loc":["query","limit",0],"msg":"bad"}]"#;
        assert_eq!(
            error_message(body),
            "body.name: string does not match regex; query.limit.0: bad"
        );
        assert_eq!(
            error_message(r#"{"code":"Conflict","message":"busy"}"#),
            "busy"
        );
        assert_eq!(error_message(""), "no error body");
        assert_eq!(error_message("<html>oops</html>"), "<html>oops</html>");
    }

    #[test]
    fn block_storage_error_bodies_are_read() {
        let one = r#"{"errors":[{"code":"Conflict","detail":"volume `v1` is attaching: wait until it settles"}]}"#;
        assert_eq!(
            error_message(one),
            "volume `v1` is attaching: wait until it settles"
        );
        assert_eq!(code(409, one), (409, "conflict".into(), true));
        let list = r#"{"errors":[{"detail":["size_gb must be 1-16384","name is required"]}]}"#;
        assert_eq!(
            error_message(list),
            "size_gb must be 1-16384; name is required"
        );
        let bad =
            r#"{"errors":[{"code":"BadRequest","detail":"qos applies to SSD volumes only"}]}"#;
        let e = vendor_error(400, bad, None);
        assert_eq!(
            (e.code(), e.vendor_code()),
            ("vendor_rejected".into(), Some("BadRequest"))
        );
        for (m, want) in [
            (
                "volume is attached: detach all attachments before deleting",
                "failed_precondition",
            ),
            (
                "volume is in a volume group: remove it from the group before deleting",
                "failed_precondition",
            ),
            (
                "the volume group has a replication: delete it before changing members",
                "failed_precondition",
            ),
            (
                "server `s1` is already attached to the volume",
                "already_exists",
            ),
            ("the replication is being deleted", "conflict"),
            (
                "cannot break a replication that is initializing",
                "conflict",
            ),
        ] {
            let body =
                serde_json::json!({"errors": [{"code": "Conflict", "detail": m}]}).to_string();
            assert_eq!(code(409, &body).1, want, "{m}");
        }
    }

    #[test]
    fn statuses_map_to_core_errors() {
        assert_eq!(code(400, "[]"), (422, "vendor_rejected".into(), false));
        assert_eq!(code(401, "").1, "vendor_unauthenticated");
        assert_eq!(code(409, "{}"), (422, "vendor_rejected".into(), false));
        assert_eq!(code(429, ""), (503, "vendor_unavailable".into(), true));
        assert_eq!(code(503, ""), (502, "vendor_error".into(), true));
        let nf =
            Error::vendor_404_as(ResourceType::Snapshot, "snap_x")(vendor_error(404, "", None));
        assert_eq!(
            (nf.http_status(), nf.code()),
            (404, "snapshot_not_found".into())
        );
    }

    #[test]
    fn backup_error_bodies_are_read() {
        // SCP Backup answers business rules as `{"errors": [{code, detail}]}` and request
        // validation as `ValidationErrorModel[]` (`type_`, or `type`).
        let body = |m: &str| json_errors(m);
        assert_eq!(
            code(409, &body("a backup named `web` already exists")).1,
            "already_exists"
        );
        assert_eq!(
            code(409, &body("a backup job of `b1` is running")),
            (409, "conflict".into(), true)
        );
        let vem = r#"[{"loc":["body","retention_period"],"msg":"not a valid enum","type":"type_error.enum","ctx":null}]"#;
        assert_eq!(
            error_message(vem),
            "body.retention_period: not a valid enum"
        );
        assert_eq!(code(400, vem).1, "vendor_rejected");
    }

    fn json_errors(m: &str) -> String {
        serde_json::json!({"errors": [{"code": "Conflict", "detail": m}]}).to_string()
    }

    #[test]
    fn duplicates_already_exist() {
        for m in [
            "a volume named `data` already exists",
            "a volume named `data_replica` already exists in kr-east1",
            "the object already has access",
            "GPU node `n1` already has access",
            "the same schedule already exists",
            "The volume name is already in use",
        ] {
            assert_eq!(
                code(409, &conflict(m)),
                (409, "already_exists".into(), false),
                "{m}"
            );
        }
    }

    #[test]
    fn transitional_states_are_busy() {
        for m in [
            "volume `v1` is creating",
            "volume `v1` is editing",
            "volume `v1` is restoring",
            "snapshot `s1` is creating",
            "replication `r1` is deleting",
            "a restore is running on the volume",
            "another request is in progress",
        ] {
            assert_eq!(
                code(409, &conflict(m)),
                (409, "conflict".into(), true),
                "{m}"
            );
        }
    }

    #[test]
    fn states_the_client_must_change_are_failed_preconditions() {
        for m in [
            "the volume has replications; delete them first",
            "pause the replication before deleting it",
            "a replica volume cannot be replicated",
            "the volume has access rules",
            "the volume is in use",
            "snapshots are not activated on every member volume: set a snapshot rate on each first",
        ] {
            assert_eq!(
                code(409, &conflict(m)),
                (409, "failed_precondition".into(), false),
                "{m}"
            );
        }
    }

    #[test]
    fn other_refusals_stay_vendor_rejected() {
        let vem = r#"[{"loc":["body","capacity_tb"],"msg":"capacity can only grow: 1 TB is not more than the current 2 TB"}]"#;
        assert_eq!(code(400, vem), (422, "vendor_rejected".into(), false));
        assert_eq!(
            code(409, &conflict("something we have never seen")),
            (422, "vendor_rejected".into(), false)
        );
        let e = vendor_error(
            409,
            &conflict("a volume named `x` already exists at 10.1.2.3"),
            None,
        );
        assert_eq!(
            e.public_detail(),
            "a volume named `x` already exists at [address]"
        );
    }
}
