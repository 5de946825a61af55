use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{VendorFields, VolumeStatus};

/// A consistency group of block volumes, snapshotted and replicated together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VolumeGroup {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub status: VolumeStatus,
    /// Global ids of the member volumes.
    pub volume_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/volume-groups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVolumeGroup {
    pub provider: String,
    pub name: String,
    /// Global ids of the volumes to group (all of one provider).
    pub volume_ids: Vec<String>,
}
