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
    /// Being deleted.
    Deleting,
    /// The vendor reports replication as failed.
    Error,
    /// The vendor reported a state Strata does not know; see `vendor`.
    Unknown,
}

impl ReplicaStatus {
    /// Whether the replica is still moving towards a settled state.
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
    /// From the original source to the destination.
    Forward,
    /// From the destination back to the original source, after a reverse.
    Reverse,
}

/// How often a replica transfers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaFrequency {
    /// Every five minutes.
    FiveMinutes,
    /// Every hour.
    Hourly,
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
}

/// Statistics of the most recent transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TransferStats {
    /// When the transfer finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Bytes transferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// How long the transfer took, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// How far the destination is behind: seconds since the last successful transfer ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<u64>,
}

/// A cross-region replication relationship between two volumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Replica {
    /// Global id (opaque).
    pub id: String,
    /// Provider id.
    pub provider: String,
    /// Global id of the source volume.
    pub source_volume_id: String,
    /// Global id of the destination volume, once the vendor has created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_volume_id: Option<String>,
    /// Region of the destination volume.
    pub destination_region: String,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: ReplicaStatus,
    /// Which way data currently flows.
    pub direction: ReplicaDirection,
    /// How often data is transferred; absent where the vendor replicates on change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
    /// The most recent transfer, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transfer: Option<TransferStats>,
    /// When the vendor created the replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's untranslated fields.
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
    /// How often to transfer, where the vendor lets the caller choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
}

/// Body of `PATCH /v1/replicas/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReplica {
    /// New transfer frequency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
}
