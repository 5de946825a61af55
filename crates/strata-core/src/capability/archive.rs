//! What a provider offers for archives, and the checks a request must pass against it
//! before any vendor call.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::NameRules;
use crate::error::{Error, Result};
use crate::model::{CreateArchive, PutArchivePolicy, UpdateArchive};

/// Archive capabilities of a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveCapabilities {
    /// Rules for archive names.
    pub name: NameRules,
    /// Whether a create request's `labels` are accepted (they cannot be changed later).
    pub labels: bool,
    /// Whether archives can keep every archived version of an object (`versioning`), and
    /// versions can be listed, deleted and recovered one by one.
    pub versioning: bool,
    /// Whether scheduled archiving can be paused and resumed
    /// (`POST /v1/archives/{id}/policy/pause|resume`).
    pub policy_pause: bool,
    /// Whether a policy can archive only the objects under a `prefix`; when `false` it
    /// always covers the whole source bucket.
    pub policy_prefix: bool,
    /// Fewest days a policy may wait before archiving an object.
    pub min_after_days: u32,
    /// Most days a policy may wait before archiving an object.
    pub max_after_days: u32,
    /// How often archiving runs, in words (e.g. `daily`).
    pub archiving_schedule: String,
}

impl super::Capabilities {
    /// The archive capabilities, or `unsupported_by_provider` when the provider has none.
    pub fn archives(&self) -> Result<&ArchiveCapabilities> {
        self.archives
            .as_ref()
            .ok_or_else(|| Error::unsupported("archive.create"))
    }
}

impl ArchiveCapabilities {
    /// Checks a create request: name rules, labels and versioning.
    pub fn check_create(&self, req: &CreateArchive) -> Result<()> {
        self.name.check("name", &req.name)?;
        if !req.labels.is_empty() && !self.labels {
            return Err(Error::unsupported_value(
                "labels",
                "this provider does not store archive labels",
            ));
        }
        if req.versioning {
            self.check_versioning()?;
        }
        Ok(())
    }

    /// Checks an update request.
    pub fn check_update(&self, req: &UpdateArchive) -> Result<()> {
        if req.versioning.is_some() {
            self.check_versioning()?;
        }
        Ok(())
    }

    /// `unsupported_by_provider` unless archives can version objects.
    pub fn check_versioning(&self) -> Result<()> {
        if self.versioning {
            Ok(())
        } else {
            Err(Error::unsupported("archive.versioning"))
        }
    }

    /// `unsupported_by_provider` unless policies can be paused.
    pub fn check_pause(&self) -> Result<()> {
        if self.policy_pause {
            Ok(())
        } else {
            Err(Error::unsupported("archive.policy.enable"))
        }
    }

    /// Checks a policy: its days and, where not offered, the absence of a prefix.
    pub fn check_policy(&self, p: &PutArchivePolicy) -> Result<()> {
        if p.prefix.is_some() && !self.policy_prefix {
            return Err(Error::unsupported_value(
                "prefix",
                "this provider archives whole buckets: leave `prefix` out",
            ));
        }
        if p.after_days < self.min_after_days || p.after_days > self.max_after_days {
            return Err(Error::unsupported_value(
                "after_days",
                format!(
                    "`after_days` must be {}–{} here, got {}",
                    self.min_after_days, self.max_after_days, p.after_days
                ),
            ));
        }
        Ok(())
    }
}
