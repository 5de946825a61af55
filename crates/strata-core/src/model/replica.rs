use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::VendorFields;

/// Normalized replication status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaStatus {
    /// Being set up; the first transfer has not finished.
    Creating,
    /// Replicating on its schedule.
    Active,
    /// Stopped; no transfers until started again.
    Paused,
    /// A change (reverse, frequency) is in progress.
    Updating,
    Deleting,
    Error,
    Unknown,
}

impl ReplicaStatus {
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            ReplicaStatus::Creating | ReplicaStatus::Updating | ReplicaStatus::Deleting
        )
    }
}

/// Which way data flows relative to the replica's original source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaDirection {
    Forward,
    Reverse,
}

/// How often a replica transfers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaFrequency {
    FiveMinutes,
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

/// Statistics of the most recent transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TransferStats {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<u64>,
}

/// A cross-region replication relationship between two volumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Replica {
    pub id: String,
    pub provider: String,
    pub source_volume_id: String,
    /// Global id of the destination volume, once the vendor has created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_volume_id: Option<String>,
    pub destination_region: String,
    pub status: ReplicaStatus,
    pub direction: ReplicaDirection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transfer: Option<TransferStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/volumes/{id}/replicas`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReplica {
    /// Region to replicate to (see the provider's `replication_regions`).
    #[schema(max_length = 255)]
    pub destination_region: String,
    /// Name of the destination volume, where the vendor lets the caller choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub destination_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
}

/// Body of `PATCH /v1/replicas/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReplica {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
}
