//! Bounds on every request body, the same on every provider (a provider's capability
//! document may be stricter). They are checked when the body is read, before anything else,
//! and published in the OpenAPI document next to each field, so a body that is valid
//! against the schema is never refused for its bounds, and the other way round.
//!
//! Lengths count characters (Unicode scalar values), as JSON Schema's `maxLength` does, not
//! bytes.

use crate::error::{Error, Result};

use super::*;

/// Most labels on one resource.
pub const MAX_LABELS: usize = 64;
/// Longest label key, in characters.
pub const MAX_LABEL_KEY: usize = 63;
/// Longest label value, in characters.
pub const MAX_LABEL_VALUE: usize = 255;
/// Most access rules in one request.
pub const MAX_ACCESS_RULES: usize = 256;
/// Longest name, provider id, region, tier, time zone, rule value, network or server id, in
/// characters.
pub const MAX_NAME: usize = 255;
/// Longest description of a volume, in characters (the gateway's limit on every provider).
pub const MAX_VOLUME_DESCRIPTION: usize = 255;
/// Longest description of a snapshot, in characters.
pub const MAX_DESCRIPTION: usize = 1024;
/// Most vendor-specific `options` keys.
pub const MAX_OPTIONS: usize = 32;
/// Most weekdays in a schedule.
pub const MAX_DAYS: usize = 7;
/// Latest hour of a schedule (hours are 0–23).
pub const MAX_HOUR: u8 = 23;
/// Latest minute of a schedule (minutes are 0–59).
pub const MAX_MINUTE: u8 = 59;
/// Fewest scheduled snapshots a schedule may keep, when it sets `retention_count`.
pub const MIN_RETENTION_COUNT: u32 = 1;

/// A labels map with its bounds, described by `description`; `null` allowed when `nullable`.
fn labels_object(description: &str, nullable: bool) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, SchemaType, Type};
    let schema_type = if nullable {
        SchemaType::from_iter([Type::Object, Type::Null])
    } else {
        SchemaType::Type(Type::Object)
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .description(Some(format!(
            "{description} At most {MAX_LABELS} labels; keys up to {MAX_LABEL_KEY} characters, values up to {MAX_LABEL_VALUE} characters."
        )))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_LABEL_KEY)),
        ))
        .additional_properties(Some(AdditionalProperties::RefOr(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_LABEL_VALUE))
                .into(),
        )))
        .max_properties(Some(MAX_LABELS))
        .build()
}

/// The OpenAPI schema of the `labels` of a create request, with its bounds.
pub fn labels_schema() -> utoipa::openapi::Object {
    labels_object(
        "Labels (key → value) to attach, set by the client; only providers whose capabilities say `labels: true` store them, the others refuse a non-empty map. Empty or absent: no labels.",
        false,
    )
}

/// The OpenAPI schema of the `labels` of an update request: the new complete map.
pub fn labels_update_schema() -> utoipa::openapi::Object {
    labels_object(
        "Replaces all the labels of the volume when present (`{}` removes them all); absent or `null` leaves them unchanged. Only providers whose capabilities say `labels: true` accept a non-empty map.",
        true,
    )
}

/// The OpenAPI schema of the `labels` a volume reports.
pub fn labels_volume_schema() -> utoipa::openapi::Object {
    labels_object(
        "Labels (key → value) of the volume, as last set by clients; absent when there are none or the provider does not store labels.",
        false,
    )
}

/// The OpenAPI schema of the vendor-specific `options` of a create request.
pub fn options_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(format!(
            "Vendor-specific options the model has no field for, set by the client; each provider lists the keys it accepts, with their meaning, in its capabilities (`options` of the kind), and refuses any other key. At most {MAX_OPTIONS} keys. Absent: none."
        )))
        .max_properties(Some(MAX_OPTIONS))
        .build()
}

/// A request body with bounded size. The gateway's body extractor requires it, so a body
/// type cannot be accepted without saying what its bounds are.
pub trait Bounded {
    /// `Err(invalid_argument)` naming the first field past its bound.
    fn check_bounds(&self) -> Result<()>;
}

fn text(field: &str, value: &str, max: usize) -> Result<()> {
    // Counting stops one past the bound, so an over-long value costs no more than that.
    let n = value.chars().take(max + 1).count();
    if n > max {
        return Err(Error::invalid(
            field,
            format!(
                "`{field}` must be at most {max} characters, got {}",
                value.chars().count()
            ),
        ));
    }
    Ok(())
}

fn opt_text(field: &str, value: Option<&str>, max: usize) -> Result<()> {
    value.map_or(Ok(()), |v| text(field, v, max))
}

/// Not empty, and not only white space (schema: `minLength: 1`, `pattern: \S`).
fn not_blank(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    Ok(())
}

fn count(field: &str, n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::invalid(
            field,
            format!("`{field}` may hold at most {max} entries, got {n}"),
        ));
    }
    Ok(())
}

fn range<T: PartialOrd + std::fmt::Display + Copy>(
    field: &str,
    value: T,
    min: T,
    max: T,
) -> Result<()> {
    if value < min || value > max {
        return Err(Error::invalid(
            field,
            format!("`{field}` must be {min}–{max}, got {value}"),
        ));
    }
    Ok(())
}

fn labels(field: &str, labels: &Labels) -> Result<()> {
    count(field, labels.len(), MAX_LABELS)?;
    for (k, v) in labels {
        text(&format!("{field}.key"), k, MAX_LABEL_KEY)?;
        text(&format!("{field}.{k}"), v, MAX_LABEL_VALUE)?;
    }
    Ok(())
}

fn rules(field: &str, rules: &[AccessRule]) -> Result<()> {
    count(field, rules.len(), MAX_ACCESS_RULES)?;
    for (i, r) in rules.iter().enumerate() {
        text(&format!("{field}[{i}].value"), &r.value, MAX_NAME)?;
        opt_text(
            &format!("{field}[{i}].server_type"),
            r.server_type.as_deref(),
            MAX_NAME,
        )?;
    }
    Ok(())
}

fn hour_minute(hour: u8, minute: u8) -> Result<()> {
    range("hour", hour, 0, MAX_HOUR)?;
    range("minute", minute, 0, MAX_MINUTE)
}

impl Bounded for CreateVolume {
    fn check_bounds(&self) -> Result<()> {
        text("provider", &self.provider, MAX_NAME)?;
        text("name", &self.name, MAX_NAME)?;
        opt_text(
            "description",
            self.description.as_deref(),
            MAX_VOLUME_DESCRIPTION,
        )?;
        opt_text("tier", self.tier.as_deref(), MAX_NAME)?;
        rules("access_rules", &self.access_rules)?;
        labels("labels", &self.labels)?;
        count("options", self.options.len(), MAX_OPTIONS)
    }
}

impl Bounded for UpdateVolume {
    fn check_bounds(&self) -> Result<()> {
        opt_text(
            "description",
            self.description.as_deref(),
            MAX_VOLUME_DESCRIPTION,
        )?;
        rules(
            "access_rules",
            self.access_rules.as_deref().unwrap_or_default(),
        )?;
        self.labels.as_ref().map_or(Ok(()), |l| labels("labels", l))
    }
}

impl Bounded for AccessRules {
    fn check_bounds(&self) -> Result<()> {
        rules("rules", &self.rules)
    }
}

impl Bounded for CreateMountTarget {
    fn check_bounds(&self) -> Result<()> {
        not_blank("network", &self.network)?;
        text("network", &self.network, MAX_NAME)
    }
}

impl Bounded for Attachment {
    fn check_bounds(&self) -> Result<()> {
        not_blank("server_id", &self.server_id)?;
        text("server_id", &self.server_id, MAX_NAME)?;
        opt_text("server_type", self.server_type.as_deref(), MAX_NAME)
    }
}

impl Bounded for CreateSnapshot {
    fn check_bounds(&self) -> Result<()> {
        opt_text("name", self.name.as_deref(), MAX_NAME)?;
        opt_text("description", self.description.as_deref(), MAX_DESCRIPTION)
    }
}

impl Bounded for RestoreSnapshot {
    fn check_bounds(&self) -> Result<()> {
        opt_text("volume_name", self.volume_name.as_deref(), MAX_NAME)
    }
}

impl Bounded for SnapshotSchedule {
    fn check_bounds(&self) -> Result<()> {
        count("days", self.days.len(), MAX_DAYS)?;
        hour_minute(self.hour, self.minute)?;
        text("timezone", &self.timezone, MAX_NAME)?;
        match self.retention_count {
            Some(n) if n < MIN_RETENTION_COUNT => Err(Error::invalid(
                "retention_count",
                format!("`retention_count` must be at least {MIN_RETENTION_COUNT}, got {n}"),
            )),
            _ => Ok(()),
        }
    }
}

impl Bounded for CreateReplica {
    fn check_bounds(&self) -> Result<()> {
        text("destination_region", &self.destination_region, MAX_NAME)?;
        opt_text(
            "destination_name",
            self.destination_name.as_deref(),
            MAX_NAME,
        )
    }
}

impl Bounded for UpdateReplica {
    fn check_bounds(&self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};
    use utoipa::{PartialSchema, ToSchema};

    use super::*;

    #[test]
    fn bounds_name_the_field() {
        let mut v = UpdateVolume {
            labels: Some(
                (0..=MAX_LABELS)
                    .map(|i| (format!("k{i}"), "v".into()))
                    .collect(),
            ),
            ..Default::default()
        };
        assert_eq!(v.check_bounds().unwrap_err().field(), Some("labels"));
        v.labels = Some([("k".repeat(64), "v".to_string())].into());
        assert_eq!(v.check_bounds().unwrap_err().field(), Some("labels.key"));
        v.labels = Some([("k".into(), "v".repeat(256))].into());
        assert_eq!(v.check_bounds().unwrap_err().field(), Some("labels.k"));
        v.labels = Some(
            (0..MAX_LABELS)
                .map(|i| (format!("k{i}"), "v".into()))
                .collect(),
        );
        assert!(v.check_bounds().is_ok());
        let rule = AccessRule {
            kind: AccessRuleKind::Ip,
            value: "10.0.0.1".into(),
            server_type: None,
            access: AccessLevel::ReadWrite,
        };
        let too_many = AccessRules {
            rules: vec![rule.clone(); MAX_ACCESS_RULES + 1],
        };
        assert_eq!(too_many.check_bounds().unwrap_err().field(), Some("rules"));
        let long = AccessRules {
            rules: vec![AccessRule {
                value: "x".repeat(MAX_NAME + 1),
                ..rule.clone()
            }],
        };
        assert_eq!(
            long.check_bounds().unwrap_err().field(),
            Some("rules[0].value")
        );
        let long_type = AccessRules {
            rules: vec![AccessRule {
                server_type: Some("x".repeat(MAX_NAME + 1)),
                ..rule
            }],
        };
        assert_eq!(
            long_type.check_bounds().unwrap_err().field(),
            Some("rules[0].server_type")
        );
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        // 255 three-byte characters: 765 bytes, within the 255-character bound.
        let name = "가".repeat(MAX_NAME);
        let snap = CreateSnapshot {
            name: Some(name.clone()),
            description: None,
        };
        assert!(snap.check_bounds().is_ok());
        let key = "키".repeat(MAX_LABEL_KEY);
        let v = UpdateVolume {
            labels: Some([(key, "값".repeat(MAX_LABEL_VALUE))].into()),
            ..Default::default()
        };
        assert!(v.check_bounds().is_ok());
        let err = CreateSnapshot {
            name: Some(format!("{name}가")),
            description: None,
        }
        .check_bounds()
        .unwrap_err();
        assert_eq!(err.field(), Some("name"));
        assert!(
            err.to_string().contains("at most 255 characters, got 256"),
            "{err}"
        );
    }

    #[test]
    fn schedules_are_bounded_on_every_provider() {
        let ok: SnapshotSchedule = serde_json::from_value(
            json!({"frequency": "daily", "hour": 23, "minute": 59, "retention_count": 1}),
        )
        .unwrap();
        assert!(ok.check_bounds().is_ok());
        for (field, value) in [
            ("hour", json!(24)),
            ("minute", json!(60)),
            ("retention_count", json!(0)),
        ] {
            let mut body = json!({"frequency": "daily", "hour": 3});
            body[field] = value;
            let s: SnapshotSchedule = serde_json::from_value(body).unwrap();
            assert_eq!(s.check_bounds().unwrap_err().field(), Some(field));
        }
    }

    #[test]
    fn blank_networks_and_server_ids_are_refused() {
        for network in ["", "  "] {
            let m = CreateMountTarget {
                network: network.into(),
            };
            assert_eq!(m.check_bounds().unwrap_err().field(), Some("network"));
        }
        let a = Attachment {
            server_id: " ".into(),
            server_type: None,
        };
        assert_eq!(a.check_bounds().unwrap_err().field(), Some("server_id"));
    }

    /// The schema of `T` as JSON.
    fn schema_of<T: PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).unwrap()
    }

    /// Reads `body` as `T` and checks its bounds: `Ok`, or the field refused (`"(serde)"`
    /// when the body does not even deserialize).
    fn verdict<T: DeserializeOwned + Bounded>(body: &Value) -> std::result::Result<(), String> {
        let value: T = serde_json::from_value(body.clone()).map_err(|e| format!("(serde) {e}"))?;
        value
            .check_bounds()
            .map_err(|e| e.field().unwrap_or("?").to_string())
    }

    /// Every request body has a schema-level example that is valid, and every limit its
    /// schema states for a top-level field is the limit `check_bounds` enforces: a value at
    /// the limit (counted in characters) passes, one past it is refused naming the field.
    fn schema_limits_are_enforced<T: ToSchema + DeserializeOwned + Bounded>() -> usize {
        let name = T::name();
        let schema = schema_of::<T>();
        let example = schema
            .get("example")
            .or_else(|| schema.get("examples").and_then(|e| e.get(0)))
            .unwrap_or_else(|| panic!("{name} has no schema-level example: {schema}"))
            .clone();
        assert_eq!(verdict::<T>(&example), Ok(()), "{name} example {example}");
        let mut checked = 0;
        let props = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (field, p) in props {
            let with = |v: Value| {
                let mut b = example.clone();
                b[&field] = v;
                verdict::<T>(&b)
            };
            let refused = Err(field.clone());
            if let Some(max) = p["maxLength"].as_u64() {
                let max = max as usize;
                assert_eq!(
                    with(json!("é".repeat(max))),
                    Ok(()),
                    "{name}.{field} at {max}"
                );
                assert_eq!(
                    with(json!("x".repeat(max + 1))),
                    refused,
                    "{name}.{field} past {max}"
                );
                checked += 1;
            }
            if p["minLength"].as_u64() == Some(1) {
                assert_eq!(with(json!("")), refused, "{name}.{field} empty");
                checked += 1;
            }
            if let Some(pattern) = p["pattern"].as_str() {
                assert_eq!(pattern, r"\S", "{name}.{field}: only `\\S` is checked here");
                assert_eq!(with(json!(" \t")), refused, "{name}.{field} blank");
                checked += 1;
            }
            if let Some(max) = p["maximum"].as_u64() {
                assert_eq!(with(json!(max)), Ok(()), "{name}.{field} at {max}");
                assert_eq!(with(json!(max + 1)), refused, "{name}.{field} past {max}");
                checked += 1;
            }
            if let Some(min) = p["minimum"].as_u64().filter(|m| *m > 0) {
                assert_eq!(with(json!(min)), Ok(()), "{name}.{field} at {min}");
                assert_eq!(with(json!(min - 1)), refused, "{name}.{field} below {min}");
                checked += 1;
            }
            if let Some(max) = p["maxItems"].as_u64() {
                let item = example[&field]
                    .get(0)
                    .cloned()
                    .unwrap_or_else(|| json!({"kind": "ip", "value": "10.0.0.1"}));
                let max = max as usize;
                assert_eq!(
                    with(json!(vec![item.clone(); max])),
                    Ok(()),
                    "{name}.{field} at {max}"
                );
                assert_eq!(
                    with(json!(vec![item; max + 1])),
                    refused,
                    "{name}.{field} past {max}"
                );
                checked += 1;
            }
            if let Some(max) = p["maxProperties"].as_u64() {
                let map = |n: u64| -> Value {
                    (0..n)
                        .map(|i| (format!("k{i}"), json!("v")))
                        .collect::<serde_json::Map<_, _>>()
                        .into()
                };
                assert_eq!(with(map(max)), Ok(()), "{name}.{field} at {max}");
                assert_eq!(with(map(max + 1)), refused, "{name}.{field} past {max}");
                checked += 1;
            }
            if let Some(max) = p["propertyNames"]["maxLength"].as_u64() {
                let key = |n: usize| json!({ "é".repeat(n): "v" });
                assert_eq!(
                    with(key(max as usize)),
                    Ok(()),
                    "{name}.{field} key at {max}"
                );
                assert_eq!(with(key(max as usize + 1)), Err(format!("{field}.key")));
                checked += 1;
            }
            if let Some(max) = p["additionalProperties"]["maxLength"].as_u64() {
                let value = |n: usize| json!({ "k": "é".repeat(n) });
                assert_eq!(
                    with(value(max as usize)),
                    Ok(()),
                    "{name}.{field} value at {max}"
                );
                assert_eq!(with(value(max as usize + 1)), Err(format!("{field}.k")));
                checked += 1;
            }
        }
        checked
    }

    #[test]
    fn every_request_body_has_a_valid_example_and_its_schema_limits_are_enforced() {
        let checked = [
            schema_limits_are_enforced::<CreateVolume>(),
            schema_limits_are_enforced::<UpdateVolume>(),
            schema_limits_are_enforced::<AccessRules>(),
            schema_limits_are_enforced::<CreateMountTarget>(),
            schema_limits_are_enforced::<Attachment>(),
            schema_limits_are_enforced::<CreateSnapshot>(),
            schema_limits_are_enforced::<RestoreSnapshot>(),
            schema_limits_are_enforced::<SnapshotSchedule>(),
            schema_limits_are_enforced::<CreateReplica>(),
            schema_limits_are_enforced::<UpdateReplica>(),
        ];
        // Each body with limits had them checked (a renamed schema key would show as 0).
        assert_eq!(checked, [9, 5, 1, 3, 4, 2, 1, 5, 2, 0]);
    }
}
