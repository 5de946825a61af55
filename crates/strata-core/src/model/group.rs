//! Volume groups: consistency groups of block volumes, snapshotted, scheduled, replicated
//! and recovered together.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bounds::{count, opt_text, text, Bounded, MAX_NAME};
use super::{
    Labels, ReplicaFrequency, ReplicaStatus, SnapshotStatus, VendorFields, VolumeOrigin,
    VolumeStatus,
};
use crate::error::Result;

/// Most volumes one request may add to or remove from a group, or create it with.
pub const MAX_GROUP_VOLUMES: usize = 64;

/// A consistency group of block volumes: its members are snapshotted, replicated and
/// recovered together, at one point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VolumeGroup {
    /// Global id of the group (`vg_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider the group belongs to.
    pub provider: String,
    /// Name of the group, as given at creation (or derived by the vendor for replica and
    /// recovery groups).
    pub name: String,
    /// Normalized status: `creating`, `available`, `updating` (members, schedule or a
    /// restore changing), `deleting`, `error` or `unknown`.
    pub status: VolumeStatus,
    /// Global ids of the member volumes.
    pub volume_ids: Vec<String>,
    /// Where the group came from: `original`, `replica` (the destination of a group
    /// replication) or `recovery` (recovered from a group snapshot).
    pub origin: VolumeOrigin,
    /// Whether the group is replicated to another region (see
    /// `GET /v1/volume-groups/{id}/replica`).
    pub replicated: bool,
    /// The vendor's region code of the group.
    pub region: String,
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

/// Body of `POST /v1/volume-groups`: a group of block volumes of one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "provider": "scp-kr-west1",
    "name": "analytics",
    "volume_ids": ["vol_AQEMc2NwLWtyLXdlc3QxIDVjYTFhYjFlMDAwMDQwMDA4MDAwMDAwMDAwMDBhMDAxAA"]
}))]
pub struct CreateVolumeGroup {
    /// Id of the provider to create the group with; it must offer `volume_groups`.
    #[schema(max_length = 255, example = "scp-kr-west1")]
    pub provider: String,
    /// Name of the group; must fit the provider's `volume_groups.name` rules.
    #[schema(max_length = 255, example = "analytics")]
    pub name: String,
    /// Global ids of the block volumes to group (at least one, at most 64), all of that
    /// provider and in no other group.
    #[schema(schema_with = super::bounds::volume_ids_schema)]
    pub volume_ids: Vec<String>,
    /// Labels to attach; only providers whose `volume_groups.labels` is `true` accept a
    /// non-empty map (SCP keeps them as vendor tags it does not report back).
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    #[schema(schema_with = super::bounds::labels_schema)]
    pub labels: Labels,
}

/// Body of `POST /v1/volume-groups/{id}/members/{action}`: the volumes to add or remove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"volume_ids": ["vol_AQEMc2NwLWtyLXdlc3QxIDVjYTFhYjFlMDAwMDQwMDA4MDAwMDAwMDAwMDBiMDAyAA"]}))]
pub struct GroupMembers {
    /// Global ids of the block volumes (at least one, at most 64), of the group's provider.
    #[schema(schema_with = super::bounds::volume_ids_schema)]
    pub volume_ids: Vec<String>,
}

/// A snapshot of a whole volume group: every member at one point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GroupSnapshot {
    /// Global id of the group snapshot (`gsnap_…`), assigned by the gateway; opaque.
    pub id: String,
    /// Id of the provider the snapshot belongs to.
    pub provider: String,
    /// Global id of the volume group the snapshot was taken of.
    pub volume_group_id: String,
    /// Name of the snapshot, as the vendor generated it (callers cannot choose one on SCP).
    pub name: String,
    /// Normalized status.
    pub status: SnapshotStatus,
    /// When the snapshot was taken (RFC 3339, UTC); absent where the vendor does not report
    /// it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// How a group snapshot is restored.
///
/// - `in_place`: roll every member of the group back to the snapshot (the default).
/// - `new_group`: recover the snapshot into a new group of new volumes (feature
///   `group_clone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupRestoreMode {
    /// `in_place`: roll every member back to the snapshot.
    #[default]
    InPlace,
    /// `new_group`: recover into a new group of new volumes.
    NewGroup,
}

/// Body of `POST /v1/group-snapshots/{id}/restore`; `{}` restores in place.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mode": "new_group", "volume_name_prefix": "rec-"}))]
pub struct RestoreGroupSnapshot {
    /// Restore in place (the default) or into a new group.
    #[serde(default)]
    pub mode: GroupRestoreMode,
    /// For `new_group`: the prefix of the new member volumes' names (each is the prefix and
    /// the member's name, which must then fit the block kind's `name` rules). Absent:
    /// `rec-`. Not used by `in_place`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub volume_name_prefix: Option<String>,
}

/// The replication of a whole volume group to another region (one per group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GroupReplica {
    /// Global id of the source volume group.
    pub volume_group_id: String,
    /// Id of the provider the group belongs to.
    pub provider: String,
    /// Global id of the destination group; absent until the vendor has created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_group_id: Option<String>,
    /// The vendor's region code of the destination group.
    pub destination_region: String,
    /// Normalized status: `creating`, `active` (mirroring), `paused` (stopped: the
    /// destination is writable), `updating`, `deleting`, `error` or `unknown`.
    pub status: ReplicaStatus,
    /// How often data is transferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub frequency: Option<ReplicaFrequency>,
    /// The vendor's own fields that have no place in the model, untranslated.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Body of `POST /v1/volume-groups/{id}/replica`: replicate the group to another region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "destination_region": "kr-east1",
    "destination_name": "orders-db-dr",
    "volume_name_prefix": "dr-",
    "frequency": "hourly"
}))]
pub struct CreateGroupReplica {
    /// Region to replicate to, one of `volume_groups.replication_regions`.
    #[schema(max_length = 255, example = "kr-east1")]
    pub destination_region: String,
    /// Name of the destination group; must fit the `volume_groups.name` rules. Absent:
    /// the group's name with `-dr` appended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub destination_name: Option<String>,
    /// Prefix of the destination member volumes' names (each is the prefix and the
    /// member's name, which must fit the block kind's `name` rules). Absent: `dr-`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub volume_name_prefix: Option<String>,
    /// How often to transfer; absent: `hourly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ReplicaFrequency>,
}

impl Bounded for CreateVolumeGroup {
    fn check_bounds(&self) -> Result<()> {
        text("provider", &self.provider, MAX_NAME)?;
        text("name", &self.name, MAX_NAME)?;
        members("volume_ids", &self.volume_ids)?;
        super::bounds::labels("labels", &self.labels)
    }
}

impl Bounded for GroupMembers {
    fn check_bounds(&self) -> Result<()> {
        members("volume_ids", &self.volume_ids)
    }
}

impl Bounded for RestoreGroupSnapshot {
    fn check_bounds(&self) -> Result<()> {
        opt_text(
            "volume_name_prefix",
            self.volume_name_prefix.as_deref(),
            MAX_NAME,
        )
    }
}

impl Bounded for CreateGroupReplica {
    fn check_bounds(&self) -> Result<()> {
        text("destination_region", &self.destination_region, MAX_NAME)?;
        opt_text(
            "destination_name",
            self.destination_name.as_deref(),
            MAX_NAME,
        )?;
        opt_text(
            "volume_name_prefix",
            self.volume_name_prefix.as_deref(),
            MAX_NAME,
        )
    }
}

fn members(field: &str, ids: &[String]) -> Result<()> {
    if ids.is_empty() {
        return Err(crate::error::Error::invalid(
            field,
            format!("`{field}` must name at least one volume"),
        ));
    }
    count(field, ids.len(), MAX_GROUP_VOLUMES)?;
    for (i, id) in ids.iter().enumerate() {
        text(&format!("{field}[{i}]"), id, crate::ids::MAX_ID_LEN)?;
    }
    Ok(())
}
