//! The request rules that tie one field to another (an access rule's `value` to its `kind`, a
//! schedule's `days` to its `frequency`). They hold on every provider, so they are part of the
//! documented contract: the same definitions check requests here and are published in the
//! OpenAPI document as JSON Schema `if`/`then` conditions ([`schema_conditions`]).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

/// One IPv4 octet, 0–255, without leading zeros (as `std::net::Ipv4Addr` reads it).
const OCTET: &str = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

/// An IPv4 address in dotted-quad form.
pub static IPV4_PATTERN: LazyLock<String> = LazyLock::new(|| format!("^({OCTET}\\.){{3}}{OCTET}$"));

/// An IPv4 network: an address and a prefix length 0–32 (`10.0.0.0/24`).
pub static CIDR_PATTERN: LazyLock<String> =
    LazyLock::new(|| format!("^({OCTET}\\.){{3}}{OCTET}/(3[0-2]|[12]?[0-9])$"));

/// Longest server id in a `server` access rule, in characters.
pub const MAX_SERVER_ID: usize = 128;

static IPV4: LazyLock<Regex> = LazyLock::new(|| Regex::new(&IPV4_PATTERN).expect("valid"));
static CIDR: LazyLock<Regex> = LazyLock::new(|| Regex::new(&CIDR_PATTERN).expect("valid"));

/// Whether `s` is an IPv4 address as documented.
pub fn is_ipv4(s: &str) -> bool {
    IPV4.is_match(s)
}

/// Whether `s` is an IPv4 network as documented.
pub fn is_cidr(s: &str) -> bool {
    CIDR.is_match(s)
}

/// Whether `s` is a server id as documented: not blank, at most [`MAX_SERVER_ID`] characters.
pub fn is_server_id(s: &str) -> bool {
    !s.trim().is_empty() && s.chars().count() <= MAX_SERVER_ID
}

fn when(field: &str, value: &str, then: Value) -> Value {
    json!({
        "if": {"properties": {field: {"const": value}}, "required": [field]},
        "then": then,
    })
}

/// The cross-field conditions per schema name, as JSON Schema (`allOf` of `if`/`then`), for
/// the OpenAPI document.
pub fn schema_conditions() -> Vec<(&'static str, Value)> {
    let value = |schema: Value| json!({"properties": {"value": schema}});
    vec![
        (
            "AccessRule",
            json!([
                when("kind", "ip", value(json!({"pattern": *IPV4_PATTERN}))),
                when("kind", "cidr", value(json!({"pattern": *CIDR_PATTERN}))),
                when(
                    "kind",
                    "server",
                    value(json!({"pattern": "\\S", "maxLength": MAX_SERVER_ID})),
                ),
            ]),
        ),
        (
            "RecoverItem",
            json!([
                when(
                    "type",
                    "file",
                    json!({"properties": {"path": {"pattern": super::OBJECT_KEY_PATTERN}}})
                ),
                when(
                    "type",
                    "folder",
                    json!({"properties": {"path": {"pattern": super::FOLDER_PATTERN}}})
                ),
            ]),
        ),
        (
            "SnapshotSchedule",
            json!([
                when(
                    "frequency",
                    "daily",
                    json!({"properties": {"days": {"maxItems": 0}}})
                ),
                when(
                    "frequency",
                    "weekly",
                    json!({"properties": {"days": {"minItems": 1}}, "required": ["days"]}),
                ),
            ]),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_as_std_reads_them() {
        for s in [
            "0.0.0.0",
            "10.0.0.1",
            "255.255.255.255",
            "1.2.3.4",
            "01.2.3.4",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            " 1.2.3.4",
            "1.2.3.4/8",
            "a.b.c.d",
            "",
            "+1.2.3.4",
        ] {
            assert_eq!(is_ipv4(s), s.parse::<std::net::Ipv4Addr>().is_ok(), "{s:?}");
        }
        for (s, ok) in [
            ("10.0.0.0/24", true),
            ("0.0.0.0/0", true),
            ("1.2.3.4/32", true),
            ("1.2.3.4/33", false),
            ("1.2.3.4/08", false),
            ("1.2.3.4/+8", false),
            ("1.2.3.4", false),
            ("1.2.3.4/", false),
            ("300.2.3.4/8", false),
        ] {
            assert_eq!(is_cidr(s), ok, "{s:?}");
        }
        assert!(is_server_id("3f5e8c1a"));
        assert!(!is_server_id("  "));
        assert!(is_server_id(&"é".repeat(MAX_SERVER_ID)));
        assert!(!is_server_id(&"a".repeat(MAX_SERVER_ID + 1)));
    }
}
