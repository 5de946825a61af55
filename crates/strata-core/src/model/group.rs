use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{VendorFields, VolumeStatus};

/// A consistency group of block volumes, snapshotted and replicated together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VolumeGroup {
    /// Global id of the group (`vg_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider the group belongs to.
    pub provider: String,
    /// Name of the group, as given at creation.
    pub name: String,
    /// Normalized status of the group.
    pub status: VolumeStatus,
    /// Global ids of the member volumes.
    pub volume_ids: Vec<String>,
    /// When the vendor created the group (RFC 3339, UTC); absent where the vendor does not
    /// report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/volume-groups` (needs the `volume_groups` feature).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVolumeGroup {
    /// Id of the provider to create the group with.
    pub provider: String,
    /// Name of the group.
    pub name: String,
    /// Global ids of the block volumes to group, all of that provider.
    pub volume_ids: Vec<String>,
}
