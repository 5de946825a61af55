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
/// Most servers a create request may attach a volume to.
pub const MAX_ATTACHMENTS: usize = 64;
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

/// The OpenAPI schema of a list of volume ids in a request body (`volume_ids` of a volume
/// group): 1–64 ids of the documented volume id form.
pub fn volume_ids_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let rtype = crate::ids::ResourceType::Volume;
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(rtype.id_pattern()))
                .max_length(Some(crate::ids::MAX_ID_LEN)),
        )
        .min_items(Some(1))
        .max_items(Some(super::group::MAX_GROUP_VOLUMES))
        .description(Some(format!(
            "Global ids of block volumes (`vol_…`): at least 1, at most {}.",
            super::group::MAX_GROUP_VOLUMES
        )))
        .build()
}

/// The OpenAPI schema of the vendor-specific `options` of an update request.
pub fn update_options_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(format!(
            "Vendor-specific settings to change, which the model has no field for; each provider lists the keys it accepts, with their meaning, in its capabilities (`update_options` of the kind), and refuses any other key. At most {MAX_OPTIONS} keys. Absent: none."
        )))
        .max_properties(Some(MAX_OPTIONS))
        .build()
}

/// The OpenAPI schema of a recovery point id in a request body: the documented id form.
pub fn recovery_point_id_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(crate::ids::ResourceType::RecoveryPoint.id_pattern()))
        .max_length(Some(crate::ids::MAX_ID_LEN))
        .description(Some(
            "Global id of the recovery point to restore (`rp_…`), one of the backup's.",
        ))
        .build()
}

/// A request body with bounded size. The gateway's body extractor requires it, so a body
/// type cannot be accepted without saying what its bounds are.
pub trait Bounded {
    /// `Err(invalid_argument)` naming the first field past its bound.
    fn check_bounds(&self) -> Result<()>;
}

pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<()> {
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

pub(crate) fn opt_text(field: &str, value: Option<&str>, max: usize) -> Result<()> {
    value.map_or(Ok(()), |v| text(field, v, max))
}

/// Not empty, and not only white space (schema: `minLength: 1`, `pattern: \S`).
pub(crate) fn not_blank(field: &str, value: &str) -> Result<()> {
    // The schema's `\S` is an ECMAScript class: its white space is not Unicode's (U+0085, for
    // one, is not blank there), so blank means only of those characters.
    let ecma_space = |c: char| {
        matches!(
            c,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
                ..='\u{200a}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{202f}'
                    | '\u{205f}'
                    | '\u{3000}'
                    | '\u{feff}'
        )
    };
    if value.chars().all(ecma_space) {
        return Err(Error::invalid(
            field,
            format!("`{field}` must not be empty"),
        ));
    }
    Ok(())
}

pub(crate) fn count(field: &str, n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::invalid(
            field,
            format!("`{field}` may hold at most {max} entries, got {n}"),
        ));
    }
    Ok(())
}

pub(crate) fn range<T: PartialOrd + std::fmt::Display + Copy>(
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

pub(crate) fn labels(field: &str, labels: &Labels) -> Result<()> {
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
        self.qos.as_ref().map_or(Ok(()), Qos::check_bounds)?;
        count("attachments", self.attachments.len(), MAX_ATTACHMENTS)?;
        for a in &self.attachments {
            a.check_bounds()?;
        }
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
        self.qos.as_ref().map_or(Ok(()), QosUpdate::check_bounds)?;
        count("options", self.options.len(), MAX_OPTIONS)?;
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
#[path = "bounds_tests.rs"]
mod tests;
