//! What every Block Storage operation answers with and checks requests by: the
//! `{"errors":[{code, detail}]}` failures, the 202 `AsyncResponse`, ids and timestamps in the
//! vendor's forms, body parsing, the documented value rules, and paging with sorting.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::scp::api::{accepted, block_error, no_body_sent, Fail, Reply};

/// A 400 with this detail.
pub(super) fn bad(detail: impl Into<String>) -> Fail {
    block_error(StatusCode::BAD_REQUEST, detail)
}

/// 404 and 409 in the `errors` shape.
pub(super) use crate::scp::api::{errors_conflict as conflict, errors_not_found as not_found};

/// Operations that exist only from `min` on answer 404 to older versions, as on SCP.
pub(super) fn since(version: &str, min: &str) -> Result<(), Fail> {
    if version >= min {
        Ok(())
    } else {
        Err(block_error(
            StatusCode::NOT_FOUND,
            format!(
                "this operation does not exist in API version {version} (it needs {min} or later)"
            ),
        ))
    }
}

/// A fresh volume or volume-group id: 32 lowercase hex characters.
pub(super) fn hex_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A fresh snapshot id: a hyphenated uuid.
pub(super) fn snapshot_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The vendor's timestamp form: ISO-8601 UTC with milliseconds and `Z`.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The 202 `AsyncResponse` naming the affected resource.
pub(super) fn async_response(resource_id: &str) -> Reply {
    accepted(Some(json!({
        "request_id": format!("req-{}", uuid::Uuid::new_v4()),
        "resource_id": resource_id,
    })))
}

/// Parses a JSON body; a schema error (missing or unknown field, wrong type) is a 400.
pub(super) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Fail> {
    serde_json::from_slice(body).map_err(|e| bad(format!("invalid request body: {e}")))
}

/// Operations documented without a body take none: an empty body or `{}` is accepted.
pub(super) fn no_body(body: &Bytes) -> Result<(), Fail> {
    if no_body_sent(body) {
        Ok(())
    } else {
        Err(bad("this operation takes no request body"))
    }
}

/// The provider's volume name rule: 3–28 characters, `^[a-zA-Z][a-zA-Z0-9-]*$`.
pub(super) fn check_volume_name(field: &str, name: &str) -> Result<(), Fail> {
    let mut chars = name.chars();
    let ok = (3..=28).contains(&name.len())
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "{field} `{name}` is invalid: 3-28 characters, starting with a letter, then letters, digits or `-`"
        )))
    }
}

/// Volume-group names (undocumented; simulator rule): 1–28 characters.
pub(super) fn check_group_name(field: &str, name: &str) -> Result<(), Fail> {
    if name.trim().is_empty() || name.chars().count() > 28 {
        Err(bad(format!("{field} must be 1-28 characters")))
    } else {
        Ok(())
    }
}

/// Checks a value against a closed set (an enum of the reference).
pub(super) fn one_of(field: &str, v: &str, allowed: &[&str]) -> Result<(), Fail> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(bad(format!(
            "{field} `{v}` is not one of {}",
            allowed.join(", ")
        )))
    }
}

/// Checks an integer range.
pub(super) fn in_range(field: &str, v: i64, lo: i64, hi: i64) -> Result<(), Fail> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(bad(format!("{field} must be {lo}-{hi}, got {v}")))
    }
}

/// Replication cycles.
pub(super) const CYCLES: [&str; 5] = ["5MIN", "HOURLY", "DAILY", "WEEKLY", "MONTHLY"];
/// Replication policies.
pub(super) const POLICIES: [&str; 2] = ["RESYNC", "BREAK"];

/// A sortable value of a list item.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key {
    S(String),
    N(u64),
}

/// `offset`/`limit`/`sort` over a list: `key(item, field)` gives the value of a sortable
/// field (`None`: not sortable). Default order `created_at:desc`. Returns the page and the
/// total count.
pub(super) fn page<T>(
    mut items: Vec<T>,
    fields: &[&str],
    key: impl Fn(&T, &str) -> Key,
    q: &BTreeMap<String, String>,
) -> Result<(Vec<T>, usize), Fail> {
    let num = |k: &str, default: usize| -> Result<usize, Fail> {
        q.get(k).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| bad(format!("{k} must be a non-negative integer, got `{v}`")))
        })
    };
    let (offset, limit) = (num("offset", 0)?, num("limit", 20)?);
    let sort = q
        .get("sort")
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("created_at:desc");
    let mut order = vec![];
    for part in sort.split(',') {
        let (field, dir) = part.split_once(':').unwrap_or((part, ""));
        if !fields.contains(&field) || !["asc", "desc"].contains(&dir) {
            return Err(bad(format!(
                "sort `{part}` must be field:asc or field:desc with field one of {}",
                fields.join(", ")
            )));
        }
        order.push((field.to_string(), dir == "desc"));
    }
    items.sort_by(|a, b| {
        order.iter().fold(Ordering::Equal, |acc, (f, desc)| {
            acc.then_with(|| {
                let o = key(a, f).cmp(&key(b, f));
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            })
        })
    });
    let total = items.len();
    Ok((items.into_iter().skip(offset).take(limit).collect(), total))
}
