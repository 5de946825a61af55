//! What both SCP services answer with and check requests by: failures in the vendor's two
//! shapes, success replies, body parsing, timestamps, the documented value rules and paging.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// A failure: a status and its body.
pub(crate) struct Fail(StatusCode, Value);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

pub(crate) type Reply = Result<Response, Fail>;

/// A 400 in the official `ValidationErrorModel[]` shape.
pub(crate) fn invalid(loc: &[&str], msg: impl Into<String>) -> Fail {
    Fail(
        StatusCode::BAD_REQUEST,
        json!([{"loc": loc, "msg": msg.into(), "type_": "value_error", "ctx": null}]),
    )
}

/// Any other failure, as `{code, message}`.
pub(crate) fn fail(status: StatusCode, message: impl Into<String>) -> Fail {
    Fail(
        status,
        json!({"code": status.canonical_reason().unwrap_or("Error").replace(' ', ""), "message": message.into()}),
    )
}

/// A failure in Block Storage's shape: `{"errors":[{"code": …, "detail": …}]}`, the code
/// being the status's reason without spaces (`BadRequest`, `NotFound`, `Conflict`).
pub(crate) fn block_error(status: StatusCode, detail: impl Into<String>) -> Fail {
    Fail(
        status,
        json!({"errors": [{
            "code": status.canonical_reason().unwrap_or("Error").replace(' ', ""),
            "detail": detail.into(),
        }]}),
    )
}

impl Fail {
    /// The same failure in Block Storage's shape (the front's refusals).
    pub(crate) fn into_block(self) -> Fail {
        let detail = self.1["message"].as_str().unwrap_or("").to_string();
        block_error(self.0, detail)
    }
}

pub(crate) fn not_found(what: &str, id: &str) -> Fail {
    fail(StatusCode::NOT_FOUND, format!("{what} `{id}` not found"))
}

pub(crate) fn conflict(message: impl Into<String>) -> Fail {
    fail(StatusCode::CONFLICT, message)
}

/// A 404 in the `{"errors":[…]}` shape of Block Storage, Backup and Archive Storage.
pub(crate) fn errors_not_found(what: &str, id: &str) -> Fail {
    block_error(StatusCode::NOT_FOUND, format!("{what} `{id}` not found"))
}

/// A 409 in the `{"errors":[…]}` shape.
pub(crate) fn errors_conflict(detail: impl Into<String>) -> Fail {
    block_error(StatusCode::CONFLICT, detail)
}

/// Whether a body the operation is documented without is absent: empty, blank or `{}`.
pub(crate) fn no_body_sent(body: &Bytes) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
        || serde_json::from_slice::<serde_json::Map<String, Value>>(body)
            .is_ok_and(|m| m.is_empty())
}

pub(crate) fn ok(body: Value) -> Reply {
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}

pub(crate) fn accepted(body: Option<Value>) -> Reply {
    Ok(match body {
        Some(b) => (StatusCode::ACCEPTED, axum::Json(b)).into_response(),
        None => StatusCode::ACCEPTED.into_response(),
    })
}

/// Parses a JSON body; schema errors are 400 `ValidationErrorModel[]`.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Fail> {
    serde_json::from_slice(body).map_err(|e| invalid(&["body"], e.to_string()))
}

/// The vendor's timestamp form: naive ISO-8601 with microseconds.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The documented name rule `^[a-z]([a-z0-9_]){2,20}$`.
pub(crate) fn check_name(loc: &str, name: &str) -> Result<(), Fail> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && (3..=21).contains(&name.len())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            &["body", loc],
            format!("string does not match regex \"^[a-z]([a-z0-9_]){{2,20}}$\": `{name}`"),
        ))
    }
}

/// Checks a value against a closed set, the way the spec's `^(A|B)$` patterns do.
pub(crate) fn one_of(loc: &[&str], v: &str, allowed: &[&str]) -> Result<(), Fail> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(invalid(
            loc,
            format!("`{v}` is not one of {}", allowed.join("|")),
        ))
    }
}

pub(crate) type Q = axum::extract::Query<BTreeMap<String, String>>;

/// The `volume_id` query parameter children are addressed with.
pub(crate) fn volume_id_param(q: &BTreeMap<String, String>) -> Result<String, Fail> {
    q.get("volume_id")
        .cloned()
        .ok_or_else(|| invalid(&["query", "volume_id"], "field required"))
}

/// `offset`/`limit`/`sort` over a name-and-time-keyed list; returns the page and the total.
pub(crate) fn page<T: Clone>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> (String, DateTime<Utc>),
    q: &BTreeMap<String, String>,
) -> Result<(Vec<T>, usize), Fail> {
    let num = |k: &str, default: usize| -> Result<usize, Fail> {
        q.get(k).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| invalid(&["query", k], format!("`{v}` is not a valid integer")))
        })
    };
    let (offset, limit) = (num("offset", 0)?, num("limit", 20)?);
    match q.get("sort").map(String::as_str).filter(|s| !s.is_empty()) {
        None | Some("created_at:asc") => items.sort_by_key(|i| key(i).1),
        Some("created_at:desc") => items.sort_by_key(|i| std::cmp::Reverse(key(i).1)),
        Some("name:asc") => items.sort_by_key(|i| key(i).0),
        Some("name:desc") => items.sort_by_key(|i| std::cmp::Reverse(key(i).0)),
        Some(other) => {
            return Err(invalid(
                &["query", "sort"],
                format!(
                "`{other}` does not match ^(name:asc|name:desc|created_at:asc|created_at:desc)$"
            ),
            ))
        }
    }
    let total = items.len();
    Ok((items.into_iter().skip(offset).take(limit).collect(), total))
}
