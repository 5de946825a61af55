//! SCP wire types both services share (responses), decoded leniently: the vendor's examples quote numbers and
//! booleans (`"size": "100"`, `"snapshot_policy_enabled": "true"`), spec-root types retention
//! counts as strings, timestamps come without a zone, and enum-like fields are kept as
//! strings so a value this adapter has never seen maps to an explicit "other" instead of
//! failing the whole response. Unknown fields are ignored.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;
use strata_core::error::{Error, Result};

/// An integer sent as a number or a numeric string; `null`/absent/unparseable → `None`.
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A boolean sent as a bool or as `"true"`/`"false"`.
pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => s.trim().to_ascii_lowercase().parse().ok(),
        _ => None,
    })
}

/// A list that may be `null`.
pub(crate) fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// SCP timestamps: naive ISO-8601 with microseconds (UTC, as the vendor SDK reads them), or
/// RFC 3339.
pub(crate) fn time(s: &Option<String>) -> Option<DateTime<Utc>> {
    let s = s.as_deref()?;
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// Decodes a response (or one of its members).
pub(crate) fn decode<T: DeserializeOwned>(v: &Value) -> Result<T> {
    serde_json::from_value(v.clone()).map_err(|e| Error::VendorFailed {
        vendor_status: None,
        vendor_code: None,
        message: format!("unexpected response shape: {e}"),
    })
}

/// A File Storage or Parallel File Storage volume (list item or detail).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Volume {
    #[serde(alias = "volume_id")]
    pub id: String,
    #[serde(alias = "volume_name")]
    pub name: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub type_name: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub endpoint_path: Option<String>,
    #[serde(default)]
    pub mount_path: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub usage: Option<u64>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub encryption_enabled: Option<bool>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub capacity_tb: Option<u64>,
}

/// A snapshot (list item or create answer).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Snapshot {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub size: Option<u64>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// ListSnapshots: every snapshot of a volume and their total size.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SnapshotList {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub snapshots: Vec<Snapshot>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub snapshot_size_total_byte: Option<u64>,
}

/// An access rule of either service (File Storage has no IP list, PFS no rule state).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Rule {
    pub object_id: String,
    pub object_type: String,
    #[serde(default)]
    pub access_rule_state: Option<String>,
    #[serde(default)]
    pub access_state: Option<String>,
}

impl Rule {
    /// The rule's state, whichever service reported it.
    pub fn state(&self) -> Option<&str> {
        self.access_rule_state
            .as_deref()
            .or(self.access_state.as_deref())
    }
}

/// ListAccessRules.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RuleList {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub access_rules: Vec<Rule>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn loose_vendor_examples_decode() {
        let s: Snapshot = decode(&json!({"id": "40htrre5b-eww25", "name": "v.2024-10-01_14215", "state": "available", "size": "100", "created_at": "2024-07-30T04:54:33.219373"})).unwrap();
        assert_eq!(s.size, Some(100));
        assert_eq!(
            time(&s.created_at).unwrap().to_rfc3339(),
            "2024-07-30T04:54:33.219373+00:00"
        );
        let v: Volume = decode(&json!({"id": "a", "name": "n", "state": "someday_new_state", "encryption_enabled": "true", "usage": 5.0})).unwrap();
        assert_eq!((v.encryption_enabled, v.usage), (Some(true), Some(5)));
        assert!(time(&Some("2024-07-30T04:54:33Z".into())).is_some());
        assert!(time(&Some("yesterday".into())).is_none());
    }
}
