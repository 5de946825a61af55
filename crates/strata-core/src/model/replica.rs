use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::VendorFields;

/// Normalized status of a replica; the vendor's own status is kept in `vendor`.
///
/// - `creating`: being set up; the first transfer has not finished.
/// - `active`: replicating.
/// - `paused`: stopped; no transfers until started again.
/// - `updating`: a change (reverse, frequency) is in progress.
/// - `deleting`: being deleted.
/// - `error`: the vendor reports replication as failed.
/// - `unknown`: the vendor reported a state Strata does not know; see `vendor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaStatus {
    /// `creating`: being set up; the first transfer has not finished.
    Creating,
    /// `active`: replicating on its schedule.
    Active,
    /// `paused`: stopped; no transfers until started again.
    Paused,
    /// `updating`: a change (reverse, frequency) is in progress.
    Updating,
    /// `deleting`: being deleted.
    Deleting,
    /// `error`: the vendor reports replication as failed.
    Error,
    /// `unknown`: the vendor reported a state Strata does not know; see `vendor`.
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
///
/// - `forward`: from the original source to the destination.
/// - `reverse`: from the destination back to the original source, after a `reverse` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaDirection {
    /// `forward`: from the original source to the destination.
    Forward,
    /// `reverse`: from the destination back to the original source, after a reverse.
    Reverse,
}

/// How often a replica transfers: `five_minutes`, `hourly`, `daily`, `weekly` or `monthly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaFrequency {
    /// `five_minutes`: every five minutes.
    FiveMinutes,
    /// `hourly`: every hour.
    Hourly,
    /// `daily`: every day.
    Daily,
    /// `weekly`: every week.
    Weekly,
    /// `monthly`: every month.
    Monthly,
}

/// Statistics of a replica's most recent transfer, as the vendor reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TransferStats {
    /// When the transfer finished (RFC 3339, UTC), where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Bytes transferred, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// How long the transfer took, in seconds, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// How far the destination is behind, in seconds: the time since the last successful
    /// transfer ended, as of this answer; absent when no transfer has succeeded yet or the
    /// vendor does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_seconds: Option<u64>,
}

/// A cross-region replication relationship between two volumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Replica {
    /// Global id of the replica (`rep_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider the replica belongs to (the source volume's).
    pub provider: String,
    /// Global id of the source volume.
    pub source_volume_id: String,
    /// Global id of the destination volume; absent until the vendor has created it, or
    /// where the vendor does not expose it (the demo provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_volume_id: Option<String>,
    /// The vendor's region code of the destination volume.
    pub destination_region: String,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: ReplicaStatus,
    /// Which way data currently flows.
    pub direction: ReplicaDirection,
    /// How often data is transferred; absent where the vendor replicates every change
    /// (NHN Cloud).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub frequency: Option<ReplicaFrequency>,
    /// The most recent transfer; absent before the first one, or where the vendor does not
    /// report transfers (only NHN Cloud does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub last_transfer: Option<TransferStats>,
    /// When the replica was created (RFC 3339, UTC); absent where the vendor does not report
    /// it (SCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated (they differ
    /// from vendor to vendor and are not part of the stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/volumes/{id}/replicas`: replicate the volume to another region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"destination_region": "KR2", "frequency": "hourly"}))]
pub struct CreateReplica {
    /// Region to replicate to, one of the kind's `replication_regions` (the vendor's region
    /// code, e.g. `KR2` or `kr-east1`).
    #[schema(max_length = 255, example = "KR2")]
    pub destination_region: String,
    /// Name of the destination volume; must fit the kind's `name` rules. Absent: derived
    /// from the source volume's name (`<name>-replica` on NHN Cloud, `<name>_replica` on
    /// SCP). The demo provider creates no destination volume and ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub destination_name: Option<String>,
    /// How often to transfer. Absent: the provider's default (`hourly` on SCP and the demo
    /// provider). NHN Cloud replicates every change and refuses a frequency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
}

/// Body of `PATCH /v1/replicas/{id}` (needs the `replica_update` feature; SCP File Storage).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"frequency": "daily"}))]
pub struct UpdateReplica {
    /// New transfer frequency; absent: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
}
