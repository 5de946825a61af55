use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{VendorFields, VolumeStatus};

/// A consistency group of block volumes, snapshotted and replicated together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VolumeGroup {
    /// Global id (opaque).
    pub id: String,
    /// Provider id.
    pub provider: String,
    /// Name of the group.
    pub name: String,
    /// Normalized status of the group.
    pub status: VolumeStatus,
    /// Global ids of the member volumes.
    pub volume_ids: Vec<String>,
    /// When the vendor created the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's untranslated fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/volume-groups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVolumeGroup {
    /// The provider to create the group with.
    pub provider: String,
    /// Name of the group.
    pub name: String,
    /// Global ids of the volumes to group (all of one provider).
    pub volume_ids: Vec<String>,
}
