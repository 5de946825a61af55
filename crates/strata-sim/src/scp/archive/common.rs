//! What every Archive Storage operation answers with and checks requests by: the two failure
//! shapes (request validation as `ValidationErrorModel[]`, business rules as
//! `{"errors":[{code, detail}]}`), the 1.1-only gate, ids and timestamps in the vendor's
//! forms, query parameters, time windows and offset paging.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

use crate::scp::api::{block_error, no_body_sent, Fail};
use crate::scp::front::ApiVersion;

/// A request-validation 400 (`ValidationErrorModel[]`) for the value at `loc`.
pub(super) use crate::scp::api::invalid as invalid_at;

/// 404 and 409 in the `errors` shape.
pub(super) use crate::scp::api::{errors_conflict as conflict, errors_not_found as not_found};

/// The 1.1-only operations answer 404 to a 1.0 call, as an unknown route would.
pub(super) fn since_1_1(v: &ApiVersion) -> Result<(), Fail> {
    if v.0 == "1.0" {
        Err(block_error(
            StatusCode::NOT_FOUND,
            "no such operation in archivestorage 1.0",
        ))
    } else {
        Ok(())
    }
}

/// Parses a JSON body; schema errors (also unknown fields) are request-validation 400s.
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

/// Checks a value against one of the reference's `^(A|B)$` patterns.
pub(super) fn one_of(loc: &[&str], v: &str, allowed: &[&str]) -> Result<(), Fail> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(invalid_at(
            loc,
            format!(
                "string does not match regex \"^({})$\": `{v}`",
                allowed.join("|")
            ),
        ))
    }
}

/// A required query parameter.
pub(super) fn required<'a>(q: &'a BTreeMap<String, String>, key: &str) -> Result<&'a str, Fail> {
    opt(q, key).ok_or_else(|| invalid_at(&["query", key], "field required"))
}

/// An optional, non-empty query parameter.
pub(super) fn opt<'a>(q: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    q.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

/// An integer query parameter of at least `min`.
pub(super) fn num(
    q: &BTreeMap<String, String>,
    key: &str,
    default: usize,
    min: usize,
) -> Result<usize, Fail> {
    match opt(q, key) {
        None => Ok(default),
        Some(v) => v.parse().ok().filter(|n| *n >= min).ok_or_else(|| {
            invalid_at(
                &["query", key],
                format!("{key} must be an integer >= {min}, got `{v}`"),
            )
        }),
    }
}

/// `offset` (0-based item offset, default 0) and `limit` (default 20) over ordered rows.
pub(super) fn offset_page<T>(
    rows: Vec<T>,
    q: &BTreeMap<String, String>,
) -> Result<(Vec<T>, usize), Fail> {
    let (offset, limit) = (num(q, "offset", 0, 0)?, num(q, "limit", 20, 1)?);
    let total = rows.len();
    Ok((rows.into_iter().skip(offset).take(limit).collect(), total))
}

/// A required date-time query parameter: RFC 3339 (a space where the offset's `+` was, as
/// an unencoded `+` arrives), or naive ISO-8601 taken as UTC.
pub(super) fn time_param(q: &BTreeMap<String, String>, key: &str) -> Result<DateTime<Utc>, Fail> {
    let raw = required(q, key)?;
    parse_time(raw).ok_or_else(|| {
        invalid_at(
            &["query", key],
            format!("{key} must be a date-time, got `{raw}`"),
        )
    })
}

/// Parses a query date-time leniently (see [`time_param`]).
fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    // `…T00:00:00 09:00`: the offset's `+` arrived as a space.
    let plus = raw
        .rsplit_once(' ')
        .filter(|(_, off)| off.len() == 5 && off.as_bytes()[2] == b':')
        .map(|(t, off)| format!("{t}+{off}"));
    [Some(raw.to_string()), plus]
        .into_iter()
        .flatten()
        .find_map(|v| {
            DateTime::parse_from_rfc3339(&v)
                .map(|t| t.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                        .iter()
                        .find_map(|f| NaiveDateTime::parse_from_str(&v, f).ok())
                        .map(|t| t.and_utc())
                })
        })
}

/// Korea Standard Time, the offset history times are shown in (as the seed's examples).
fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("a valid offset")
}

/// A history time: RFC 3339 to the second with the `+09:00` offset.
pub(super) fn history_ts(t: DateTime<Utc>) -> String {
    t.with_timezone(&kst())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// An object time: microseconds and `+00:00`.
pub(super) fn object_ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// `PREFIX-<uuid v4>` (`SCH-`, `EXE-`, `ARC-`).
pub(super) fn prefixed(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

/// An S3-style version id: 31 characters of `[A-Za-z0-9._-]`.
pub(super) fn version_id() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
    let mut r = rand::thread_rng();
    (0..31)
        .map(|_| CHARS[r.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// A 32-hex etag, without quotes.
pub(super) fn etag() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn query_times_parse_leniently() {
        let want = parse_time("2025-04-01T00:00:00+09:00").expect("rfc 3339");
        assert_eq!(want.to_rfc3339(), "2025-03-31T15:00:00+00:00");
        for v in [
            "2025-04-01T00:00:00 09:00",
            "2025-03-31T15:00:00Z",
            "2025-03-31T15:00:00",
            "2025-03-31 15:00:00",
            "2025-03-31T15:00:00.000000",
        ] {
            assert_eq!(parse_time(v), Some(want), "{v}");
        }
        for v in ["yesterday", "2025-04-01", "2025-04-01T00:00:00 0900"] {
            assert_eq!(parse_time(v), None, "{v}");
        }
    }
}
