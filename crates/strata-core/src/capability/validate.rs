//! Validation of requests against a kind's capabilities, before any vendor call.
//!
//! What a provider does not offer (a size outside its limits, a tier, protocol, region,
//! name form or option it lacks) is `unsupported_value` (422): the request is valid by the
//! schema, the provider cannot serve it. What breaks the schema itself, the same on every
//! provider (an hour past 23, a malformed address), stays `invalid_argument` (400).

use super::*;

impl KindCapabilities {
    /// Whether the feature is supported.
    pub fn supports(&self, f: Feature) -> bool {
        self.features.contains(&f)
    }

    /// `Ok` when supported, else the `unsupported_by_provider` error.
    pub fn require(&self, f: Feature) -> Result<()> {
        if self.supports(f) {
            Ok(())
        } else {
            Err(Error::unsupported(f.operation()))
        }
    }

    fn check_size(&self, field: &str, size: u64) -> Result<()> {
        let SizeLimits {
            min_gib,
            max_gib,
            step_gib,
            elastic,
        } = self.size;
        if elastic {
            if size != 0 {
                return Err(Error::unsupported_value(
                    field,
                    format!("capacity is elastic here: leave `{field}` out, got {size}"),
                ));
            }
            return Ok(());
        }
        if size < min_gib || size > max_gib || (step_gib > 1 && size % step_gib != 0) {
            let step = if step_gib > 1 {
                format!(" in steps of {step_gib}")
            } else {
                String::new()
            };
            return Err(Error::unsupported_value(
                field,
                format!("`{field}` must be between {min_gib} and {max_gib} GiB{step}, got {size}"),
            ));
        }
        Ok(())
    }

    fn check_labels(&self, given: bool) -> Result<()> {
        if given && !self.labels {
            return Err(Error::unsupported_value(
                "labels",
                "this provider cannot store labels on volumes",
            ));
        }
        Ok(())
    }

    fn check_rules(&self, rules: &[AccessRule]) -> Result<()> {
        if rules.is_empty() {
            return Ok(());
        }
        self.require(Feature::AccessRules)?;
        if let Some(max) = self.max_access_rules {
            if rules.len() > max {
                return Err(Error::unsupported_value(
                    "access_rules",
                    format!(
                        "at most {max} access rules are allowed, got {}",
                        rules.len()
                    ),
                ));
            }
        }
        for (i, r) in rules.iter().enumerate() {
            let field = format!("access_rules[{i}]");
            if !self.access_rule_kinds.contains(&r.kind) {
                return Err(Error::unsupported_value(
                    field,
                    format!(
                        "access rule kind `{}` is not supported here (allowed: {})",
                        wire(&r.kind),
                        join(self.access_rule_kinds.iter().map(wire))
                    ),
                ));
            }
            if !self.access_levels.is_empty() && !self.access_levels.contains(&r.access) {
                return Err(Error::unsupported_value(
                    format!("{field}.access"),
                    format!(
                        "access `{}` is not offered here (allowed: {})",
                        wire(&r.access),
                        join(self.access_levels.iter().map(wire))
                    ),
                ));
            }
            check_rule_value(&field, r)?;
            if r.kind == AccessRuleKind::Server {
                match r.server_type.as_deref() {
                    Some(t) if self.server_types.iter().any(|x| x == t) => {}
                    _ => {
                        return Err(Error::unsupported_value(
                            format!("{field}.server_type"),
                            format!(
                                "a server rule needs `server_type`, one of: {}",
                                join(self.server_types.iter().map(String::as_str))
                            ),
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    /// Validates a snapshot name given by the caller.
    pub fn validate_snapshot_name(&self, name: &str) -> Result<()> {
        if !self.snapshot_names {
            return Err(Error::unsupported_value(
                "name",
                "this provider names snapshots itself; leave `name` out",
            ));
        }
        self.name.check("name", name)
    }

    /// Validates a create request for this kind.
    pub fn validate_create(&self, req: &CreateVolume) -> Result<()> {
        self.require(Feature::VolumeCreate)?;
        self.name.check("name", &req.name)?;
        self.check_size("size_gib", req.size_gib)?;
        match req.protocol {
            Some(p) if !self.protocols.contains(&p) => {
                return Err(Error::unsupported_value(
                    "protocol",
                    format!(
                        "protocol `{}` is not offered for {} volumes here (allowed: {})",
                        p.as_str(),
                        req.kind,
                        join(self.protocols.iter().map(|p| p.as_str()))
                    ),
                ))
            }
            // The schema leaves `protocol` out; a provider with several needs to be told.
            None if self.protocols.len() > 1 => {
                return Err(Error::unsupported_value(
                    "protocol",
                    format!(
                        "`protocol` is required (one of: {})",
                        join(self.protocols.iter().map(|p| p.as_str()))
                    ),
                ))
            }
            _ => {}
        }
        if let Some(t) = &req.tier {
            if !self.tiers.iter().any(|x| x == t) {
                return Err(Error::unsupported_value(
                    "tier",
                    format!(
                        "tier `{t}` is not offered (allowed: {})",
                        join(self.tiers.iter().map(String::as_str))
                    ),
                ));
            }
        }
        if req.encrypted && !self.encryption {
            return Err(Error::unsupported_value(
                "encrypted",
                "encryption at rest is not offered for this kind",
            ));
        }
        // `options` are the provider's own: an unknown key is one this provider lacks.
        if let Some(k) = req.options.keys().find(|k| !self.options.contains_key(*k)) {
            return Err(Error::unsupported_value(
                format!("options.{k}"),
                format!(
                    "unknown option `{k}` (allowed: {})",
                    join(self.options.keys().map(String::as_str))
                ),
            ));
        }
        if let Some(d) = &req.description {
            self.check_description(d)?;
        }
        self.check_labels(!req.labels.is_empty())?;
        self.check_rules(&req.access_rules)?;
        self.check_attachments(&req.attachments)?;
        match &req.qos {
            Some(q) => self.check_qos(req.tier.as_deref(), Some(q.iops), Some(q.throughput_mbps)),
            None => Ok(()),
        }
    }

    /// Validates an update request against the current size.
    pub fn validate_update(&self, current_size_gib: Option<u64>, req: &UpdateVolume) -> Result<()> {
        // Without the current size (checked before reading the volume, so a dry run refuses
        // what it can before its first vendor call) only the size's own form is checked.
        match (req.size_gib, current_size_gib) {
            (Some(size), None) => self.check_size("size_gib", size)?,
            (Some(size), Some(current)) if size != current => {
                self.require(Feature::VolumeResize)?;
                self.check_size("size_gib", size)?;
                if size < current && !self.supports(Feature::VolumeShrink) {
                    return Err(Error::unsupported_value("size_gib", format!("volumes can only grow: {size} GiB is smaller than the current {current} GiB")));
                }
            }
            _ => {}
        }
        if let Some(d) = &req.description {
            self.check_description(d)?;
        }
        if let Some(rules) = &req.access_rules {
            self.require(Feature::AccessRules)?;
            self.check_rules(rules)?;
        }
        if let Some(q) = &req.qos {
            self.check_qos(None, q.iops, q.throughput_mbps)?;
        }
        if let Some(k) = req
            .options
            .keys()
            .find(|k| !self.update_options.contains_key(*k))
        {
            return Err(Error::unsupported_value(
                format!("options.{k}"),
                format!(
                    "unknown option `{k}` (allowed: {})",
                    join(self.update_options.keys().map(String::as_str))
                ),
            ));
        }
        self.check_labels(req.labels.as_ref().is_some_and(|l| !l.is_empty()))
    }

    /// Validates a full replacement of the access rules.
    pub fn validate_access_rules(&self, rules: &[AccessRule]) -> Result<()> {
        self.require(Feature::AccessRules)?;
        self.check_rules(rules)
    }

    /// Validates a snapshot schedule.
    pub fn validate_schedule(&self, s: &SnapshotSchedule) -> Result<()> {
        self.require(Feature::SnapshotSchedule)?;
        let limits = self
            .schedule
            .as_ref()
            .ok_or_else(|| Error::unsupported(Feature::SnapshotSchedule.operation()))?;
        limits.check(s)
    }
}

impl ScheduleLimits {
    /// Checks a schedule against these limits (the feature is checked by the caller).
    pub fn check(&self, s: &SnapshotSchedule) -> Result<()> {
        let limits = self;
        if !limits.frequencies.contains(&s.frequency) {
            return Err(Error::unsupported_value(
                "frequency",
                format!("frequency `{}` is not offered", wire(&s.frequency)),
            ));
        }
        if s.hour > 23 {
            return Err(Error::invalid(
                "hour",
                format!("`hour` must be 0–23, got {}", s.hour),
            ));
        }
        if s.minute > 59 {
            return Err(Error::invalid(
                "minute",
                format!("`minute` must be 0–59, got {}", s.minute),
            ));
        }
        if !limits.minutes && s.minute != 0 {
            return Err(Error::unsupported_value(
                "minute",
                format!(
                    "`minute` must be 0 (this provider schedules on the hour), got {}",
                    s.minute
                ),
            ));
        }
        match s.frequency {
            ScheduleFrequency::Weekly if s.days.is_empty() => {
                return Err(Error::invalid(
                    "days",
                    "a weekly schedule needs at least one day",
                ))
            }
            ScheduleFrequency::Daily if !s.days.is_empty() => {
                return Err(Error::invalid("days", "a daily schedule takes no days"))
            }
            _ => {}
        }
        if let Some(max) = limits.max_days {
            if s.days.len() > max {
                return Err(Error::unsupported_value(
                    "days",
                    format!(
                        "a weekly schedule may name at most {max} day(s) here, got {}",
                        s.days.len()
                    ),
                ));
            }
        }
        if !limits.retention && s.retention_count.is_some() {
            return Err(Error::unsupported_value(
                "retention_count",
                "this provider keeps no retention setting for schedules: leave `retention_count` out",
            ));
        }
        if !limits.timezones.iter().any(|t| t == &s.timezone) {
            return Err(Error::unsupported_value(
                "timezone",
                format!(
                    "time zone `{}` is not accepted (allowed: {})",
                    s.timezone,
                    join(limits.timezones.iter().map(String::as_str))
                ),
            ));
        }
        match (s.retention_count, limits.max_retention_count) {
            (Some(0), _) => Err(Error::invalid(
                "retention_count",
                "`retention_count` must be at least 1",
            )),
            (Some(n), Some(max)) if n > max => Err(Error::unsupported_value(
                "retention_count",
                format!("`retention_count` must be at most {max}, got {n}"),
            )),
            _ => Ok(()),
        }
    }
}

impl KindCapabilities {
    /// Validates the destination region of a new replica.
    pub fn validate_replica_region(&self, region: &str) -> Result<()> {
        self.require(Feature::ReplicaCreate)?;
        if !self.replication_regions.iter().any(|r| r == region) {
            return Err(Error::unsupported_value(
                "destination_region",
                format!(
                    "cannot replicate to `{region}` (allowed: {})",
                    join(self.replication_regions.iter().map(String::as_str))
                ),
            ));
        }
        Ok(())
    }
}

/// An enum value as clients write it (`read_write`, not `ReadWrite`): its serde name.
pub(super) fn wire(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::from("?"),
    }
}

pub(super) fn join<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let v: Vec<S> = items.into_iter().collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")
    }
}

impl KindCapabilities {
    /// A volume description: refused where the provider keeps none; the schema allows 1024
    /// characters, what providers store is shorter.
    fn check_description(&self, d: &str) -> Result<()> {
        if !self.descriptions {
            return Err(Error::unsupported_value(
                "description",
                "this provider keeps no volume descriptions",
            ));
        }
        check_description_length(d)
    }
}

fn check_description_length(d: &str) -> Result<()> {
    if d.chars().count() > 255 {
        return Err(Error::unsupported_value(
            "description",
            "`description` must be at most 255 characters here",
        ));
    }
    Ok(())
}

fn check_rule_value(field: &str, r: &AccessRule) -> Result<()> {
    use crate::model::rules;
    // The documented forms (model::rules), also published as schema conditions.
    let ok = match r.kind {
        AccessRuleKind::Ip => rules::is_ipv4(&r.value),
        AccessRuleKind::Cidr => rules::is_cidr(&r.value),
        AccessRuleKind::Server => rules::is_server_id(&r.value),
    };
    if ok {
        Ok(())
    } else {
        let want = match r.kind {
            AccessRuleKind::Ip => "an IPv4 address",
            AccessRuleKind::Cidr => "an IPv4 network such as 10.0.0.0/24",
            AccessRuleKind::Server => "a server id",
        };
        Err(Error::invalid(
            format!("{field}.value"),
            format!("`{}` is not {want}", r.value),
        ))
    }
}
