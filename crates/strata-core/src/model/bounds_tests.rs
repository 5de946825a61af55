//! Tests of the request body bounds (`bounds.rs`).

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
        // Id patterns (`^rp_…`) are checked where the id is parsed, not by the bounds.
        if let Some(pattern) = p["pattern"].as_str().filter(|p| !p.starts_with('^')) {
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
            let item = example[&field].get(0).cloned().unwrap_or_else(|| {
                if field == "attachments" {
                    json!({"server_id": "s1"})
                } else if field == "paths" {
                    json!("/data")
                } else if field == "schedules" {
                    json!({"level": "full", "frequency": "daily", "hour": 1})
                } else {
                    json!({"kind": "ip", "value": "10.0.0.1"})
                }
            });
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
        schema_limits_are_enforced::<SnapshotReserve>(),
        schema_limits_are_enforced::<CreateVolumeGroup>(),
        schema_limits_are_enforced::<GroupMembers>(),
        schema_limits_are_enforced::<RestoreGroupSnapshot>(),
        schema_limits_are_enforced::<CreateGroupReplica>(),
        schema_limits_are_enforced::<CreateBackup>(),
        schema_limits_are_enforced::<UpdateBackup>(),
        schema_limits_are_enforced::<RestoreBackup>(),
        schema_limits_are_enforced::<CreateBackupAgent>(),
    ];
    // Each body with limits had them checked (a renamed schema key would show as 0).
    assert_eq!(
        checked,
        [10, 6, 1, 3, 4, 2, 1, 5, 2, 0, 2, 6, 1, 1, 3, 10, 2, 1, 4]
    );
}

/// Blank is what the schema's ECMAScript `\S` calls blank, not Unicode white space.
#[test]
fn blank_is_ecmascript_white_space() {
    assert!(not_blank("f", " \t\u{a0}\u{3000}").is_err());
    assert!(not_blank("f", "").is_err());
    assert!(not_blank("f", "\u{85}").is_ok());
    assert!(not_blank("f", " x ").is_ok());
}
