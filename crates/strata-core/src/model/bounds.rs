//! Upper bounds on every request body, the same on every provider (a provider's capability
//! document may be stricter). They are checked when the body is read, before anything else,
//! and published in the OpenAPI document next to each field.

use crate::error::{Error, Result};

use super::*;

/// Most labels on one resource.
pub const MAX_LABELS: usize = 64;
/// Longest label key, in bytes.
pub const MAX_LABEL_KEY: usize = 63;
/// Longest label value, in bytes.
pub const MAX_LABEL_VALUE: usize = 255;
/// Most access rules in one request.
pub const MAX_ACCESS_RULES: usize = 256;
/// Longest name, rule value, network or server id, in bytes.
pub const MAX_NAME: usize = 255;
/// Longest description, in bytes.
pub const MAX_DESCRIPTION: usize = 1024;
/// Most vendor-specific `options` keys.
pub const MAX_OPTIONS: usize = 32;
/// Most weekdays in a schedule.
pub const MAX_DAYS: usize = 7;

/// The OpenAPI schema of a `labels` map, with its bounds.
pub fn labels_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(format!(
            "Labels: at most {MAX_LABELS}, keys up to {MAX_LABEL_KEY} bytes, values up to {MAX_LABEL_VALUE}."
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

/// A request body with bounded size. The gateway's body extractor requires it, so a body
/// type cannot be accepted without saying what its bounds are.
pub trait Bounded {
    /// `Err(invalid_argument)` naming the first field past its bound.
    fn check_bounds(&self) -> Result<()>;
}

fn text(field: &str, value: &str, max: usize) -> Result<()> {
    if value.len() > max {
        return Err(Error::invalid(
            field,
            format!("`{field}` must be at most {max} bytes, got {}", value.len()),
        ));
    }
    Ok(())
}

fn opt_text(field: &str, value: Option<&str>, max: usize) -> Result<()> {
    value.map_or(Ok(()), |v| text(field, v, max))
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

impl Bounded for CreateVolume {
    fn check_bounds(&self) -> Result<()> {
        text("provider", &self.provider, MAX_NAME)?;
        text("name", &self.name, MAX_NAME)?;
        opt_text("description", self.description.as_deref(), MAX_DESCRIPTION)?;
        opt_text("tier", self.tier.as_deref(), MAX_NAME)?;
        rules("access_rules", &self.access_rules)?;
        labels("labels", &self.labels)?;
        count("options", self.options.len(), MAX_OPTIONS)
    }
}

impl Bounded for UpdateVolume {
    fn check_bounds(&self) -> Result<()> {
        opt_text("description", self.description.as_deref(), MAX_DESCRIPTION)?;
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
        text("network", &self.network, MAX_NAME)
    }
}

impl Bounded for Attachment {
    fn check_bounds(&self) -> Result<()> {
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
        text("timezone", &self.timezone, MAX_NAME)
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
                ..rule
            }],
        };
        assert_eq!(
            long.check_bounds().unwrap_err().field(),
            Some("rules[0].value")
        );
    }
}
