//! What every Backup operation answers with and checks requests by: the two failure shapes
//! (request validation as the spec's `ValidationErrorModel[]`, business rules as
//! `{"errors":[{code, detail}]}`), the `SyncResponse`/`AsyncResponse` envelopes, ids and
//! timestamps in the vendor's forms, the documented enums, and paging with sorting.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::scp::api::{block_error, no_body_sent, Fail, Reply};

/// Who the simulator says created and modified everything (32 hex, like the vendor's ids).
pub(super) const USER: &str = "90dddfc2b1e04edba54ba2b41539a9ac";

pub(super) const POLICY_CATEGORIES: [&str; 2] = ["AGENTLESS", "AGENT"];
pub(super) const POLICY_TYPES: [&str; 2] = ["VM_IMAGE", "FILESYSTEM"];
pub(super) const SERVER_CATEGORIES: [&str; 3] =
    ["VIRTUAL_SERVER", "GPU_SERVER", "BAREMETAL_SERVER"];
pub(super) const RETENTIONS: [&str; 5] = ["WEEK_2", "MONTH_1", "MONTH_3", "MONTH_6", "YEAR_1"];
pub(super) const SCHEDULE_TYPES: [&str; 2] = ["FULL", "INCREMENTAL"];
pub(super) const FREQUENCIES: [&str; 3] = ["DAILY", "WEEKLY", "MONTHLY"];
pub(super) const DAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
pub(super) const WEEKS: [&str; 5] = ["WEEK_1", "WEEK_2", "WEEK_3", "WEEK_4", "WEEK_LAST"];
pub(super) const JOB_STATES: [&str; 5] =
    ["SUCCESS", "PARTIAL_SUCCESS", "FAILED", "INPROGRESS", "ALL"];
pub(super) const RESTORE_STATES: [&str; 3] = ["COMPLETED", "FAILED", "INPROGRESS"];
pub(super) const MASTER_TYPES: [&str; 4] = ["AGENT", "AGENTLESS", "AGENT_SAP_INT", "AGENT_SAP_EXT"];
pub(super) const OS_TYPES: [&str; 2] = ["WINDOWS", "LINUX"];

/// A request-validation 400 (`ValidationErrorModel[]`) for the value at `loc`.
pub(super) use crate::scp::api::invalid as invalid_at;

/// A business-rule 400.
pub(super) fn bad(detail: impl Into<String>) -> Fail {
    block_error(StatusCode::BAD_REQUEST, detail)
}

/// 404 and 409 in the `errors` shape.
pub(super) use crate::scp::api::{errors_conflict as conflict, errors_not_found as not_found};

/// A fresh 32-hex id (backups, schedules, servers' guids are uuids).
pub(super) fn hex_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A fresh hyphenated uuid (restore targets, jobs, servers).
pub(super) fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `n` random lowercase alphanumerics (schedule and agent name suffixes).
pub(super) fn alnum(n: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut r = rand::thread_rng();
    (0..n)
        .map(|_| CHARS[r.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// The vendor's timestamp form: RFC 3339 UTC to the second with `Z`.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An optional timestamp (`null` when unknown).
pub(super) fn ts_opt(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(t)))
}

fn envelope(id: &str) -> Value {
    json!({"request_id": uuid(), "resource": {"id": id, "links": []}})
}

/// 200 `SyncResponse` naming `id`.
pub(super) fn sync_response(id: &str) -> Reply {
    Ok((StatusCode::OK, axum::Json(envelope(id))).into_response())
}

/// 202 `AsyncResponse` naming `id`.
pub(super) fn async_response(id: &str) -> Reply {
    Ok((StatusCode::ACCEPTED, axum::Json(envelope(id))).into_response())
}

/// Parses a JSON body; a schema error (missing or unknown field, wrong type) is a
/// request-validation 400.
pub(super) use crate::scp::api::parse;

/// Operations documented without a body take none: an empty body or `{}` is accepted.
pub(super) fn no_body(body: &Bytes) -> Result<(), Fail> {
    if no_body_sent(body) {
        Ok(())
    } else {
        Err(invalid_at(
            &["body"],
            "this operation takes no request body",
        ))
    }
}

/// Checks a value against one of the reference's enums (a request-validation 400).
pub(super) fn one_of(loc: &[&str], v: &str, allowed: &[&str]) -> Result<(), Fail> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(invalid_at(
            loc,
            format!(
                "{} must be one of {}, got `{v}`",
                loc.last().unwrap_or(&"value"),
                allowed.join(", ")
            ),
        ))
    }
}

/// A required query parameter.
pub(super) fn required<'a>(q: &'a BTreeMap<String, String>, key: &str) -> Result<&'a str, Fail> {
    q.get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            invalid_at(
                &["query", key],
                format!("query parameter {key} is required"),
            )
        })
}

/// An optional, non-empty query parameter.
pub(super) fn opt<'a>(q: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    q.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

/// An optional RFC 3339 time window bound.
pub(super) fn time_param(
    q: &BTreeMap<String, String>,
    key: &str,
) -> Result<Option<DateTime<Utc>>, Fail> {
    opt(q, key)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    invalid_at(
                        &["query", key],
                        format!("{key} must be an RFC 3339 date-time, got `{v}`"),
                    )
                })
        })
        .transpose()
}

/// Whether `t` (to the second) lies in the inclusive window `[from, to]`.
pub(super) fn in_window(
    t: DateTime<Utc>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> bool {
    let t = t.timestamp();
    from.is_none_or(|f| t >= f.timestamp()) && to.is_none_or(|e| t <= e.timestamp())
}

/// How a list is ordered when no `sort` is given: `(field, descending)`.
pub(super) type Order = (&'static str, bool);

fn cmp_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            _ => 4,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&y.as_f64().unwrap_or(0.0)),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A non-negative integer query parameter.
fn num(q: &BTreeMap<String, String>, key: &str, default: usize) -> Result<usize, Fail> {
    opt(q, key).map_or(Ok(default), |v| {
        v.parse().map_err(|_| {
            invalid_at(
                &["query", key],
                format!("{key} must be an integer >= 0, got `{v}`"),
            )
        })
    })
}

/// `page` (0-based page index), `size` and `sort` (`field:asc|desc`, one key, any field of
/// the row model in `fields`) over rows given with their creation sequence, which breaks
/// ties in the direction of the sort. `sortable: false` ignores `sort` (lists without it).
/// Returns the page and the total count.
pub(super) fn page(
    mut rows: Vec<(u64, Value)>,
    q: &BTreeMap<String, String>,
    fields: &[&str],
    default: Order,
    default_size: usize,
    sortable: bool,
) -> Result<(Vec<Value>, usize), Fail> {
    let (page, size) = (num(q, "page", 0)?, num(q, "size", default_size)?);
    let (field, desc) = match opt(q, "sort").filter(|_| sortable) {
        None => (default.0.to_string(), default.1),
        Some(s) => {
            let (f, d) = s.split_once(':').unwrap_or((s, ""));
            if !fields.contains(&f) || !["asc", "desc"].contains(&d) {
                return Err(invalid_at(
                    &["query", "sort"],
                    format!(
                        "sort `{s}` must be field:asc or field:desc with field one of {}",
                        fields.join(", ")
                    ),
                ));
            }
            (f.to_string(), d == "desc")
        }
    };
    rows.sort_by(|(sa, a), (sb, b)| {
        let o = cmp_values(&a[&field], &b[&field]).then(sa.cmp(sb));
        if desc {
            o.reverse()
        } else {
            o
        }
    });
    let total = rows.len();
    let skip = page.saturating_mul(size);
    Ok((
        rows.into_iter()
            .skip(skip)
            .take(size)
            .map(|(_, r)| r)
            .collect(),
        total,
    ))
}

/// The paginated list envelope `{contents, count}` (count: the total before paging).
pub(super) fn list_body(contents: Vec<Value>, count: usize) -> Value {
    json!({"contents": contents, "count": count})
}

/// A filesystem path as compared for duplicates: a trailing `/` trimmed (except `/`).
pub(super) fn norm_path(p: &str) -> String {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        "/".to_string()
    } else {
        t.to_string()
    }
}

/// Whether a deterministic outcome is asked for by a name: `fail` → failure, `partial` →
/// partial success (case-insensitive substrings).
pub(super) fn outcome(name: &str) -> Outcome {
    let n = name.to_ascii_lowercase();
    if n.contains("fail") {
        Outcome::Fail
    } else if n.contains("partial") {
        Outcome::Partial
    } else {
        Outcome::Ok
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Outcome {
    Ok,
    Partial,
    Fail,
}
