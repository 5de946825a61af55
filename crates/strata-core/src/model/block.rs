//! What block volumes have beyond every volume: the servers they are attached to, QoS, the
//! snapshot reserve that enables their snapshots, and where they came from.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::whole;

/// Where a block volume came from.
///
/// - `original`: created by a client.
/// - `replica`: the destination of a replication.
/// - `recovery`: created from a snapshot (`POST /v1/snapshots/{id}/restore` with mode
///   `new_volume`, or a volume group's recovery).
/// - `backup`: a backup copy made by the vendor.
/// - `unknown`: the vendor reported an origin Strata does not know; see `vendor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolumeOrigin {
    /// `original`: created by a client.
    Original,
    /// `replica`: the destination of a replication.
    Replica,
    /// `recovery`: created from a snapshot.
    Recovery,
    /// `backup`: a backup copy made by the vendor.
    Backup,
    /// `unknown`: an origin Strata does not know; see `vendor`.
    Unknown,
}

/// A server a block volume is attached to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttachedServer {
    /// The vendor's id of the server; use it in
    /// `DELETE /v1/volumes/{id}/attachments/{server}`.
    pub server_id: String,
    /// The vendor's server type, lowercase (`bm` bare metal, `mngc` multi-node GPU cluster
    /// on SCP); absent where the vendor does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_type: Option<String>,
    /// The server's name, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Quality of service of a block volume: its provisioned performance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"iops": 3000, "throughput_mbps": 125}))]
pub struct Qos {
    /// I/O operations per second, within the kind's `qos.min_iops`–`qos.max_iops`
    /// (3000–16000 on SCP). Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 1, maximum = 1_000_000, example = 3000)]
    pub iops: u32,
    /// Throughput in MB/s, within the kind's `qos.min_throughput_mbps`–`max_throughput_mbps`
    /// (125–1000 on SCP). Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 1, maximum = 1_000_000, example = 125)]
    pub throughput_mbps: u32,
}

/// A change of QoS in `PATCH /v1/volumes/{id}`: absent fields keep their current value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"iops": 6000}))]
pub struct QosUpdate {
    /// New I/O operations per second, within the kind's `qos` limits; absent: unchanged.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole::option::deserialize"
    )]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub iops: Option<u32>,
    /// New throughput in MB/s, within the kind's `qos` limits; absent: unchanged.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole::option::deserialize"
    )]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub throughput_mbps: Option<u32>,
}

/// The snapshot reserve of a block volume: space set aside for its snapshots, as a
/// percentage of its size. Where the kind's `snapshot_reserve.required` is `true`, snapshots
/// can be taken only while a reserve is set (`PUT /v1/volumes/{id}/snapshot-reserve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"percent": 100}))]
pub struct SnapshotReserve {
    /// The reserve, in percent of the volume's size, within the kind's
    /// `snapshot_reserve.min_percent`–`max_percent`. Any JSON integer spelling is accepted.
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 1, maximum = 1000, example = 100)]
    pub percent: u32,
}

/// What a block volume has beyond every volume (`Volume.block`, present on volumes of kind
/// `block` only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlockDetails {
    /// The servers the volume is attached to (at most the kind's
    /// `attachments.max_per_volume`).
    #[serde(default)]
    pub attachments: Vec<AttachedServer>,
    /// The addresses of the volume's iSCSI targets, which attached servers log in to.
    #[serde(default)]
    pub target_addresses: Vec<String>,
    /// Provisioned performance; absent where none is set or the vendor (or the API version
    /// the adapter is pinned to) does not report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub qos: Option<Qos>,
    /// The snapshot reserve in percent of the size; absent while none is set (and snapshots
    /// are then off where the kind requires a reserve).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_reserve_percent: Option<u32>,
    /// Where the volume came from.
    pub origin: VolumeOrigin,
    /// Global id of the volume group the volume is a member of; absent when it is in none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_group_id: Option<String>,
}

/// Smallest and largest QoS figure the schema allows (a provider's `qos` limits are
/// narrower).
const QOS_BOUNDS: (u32, u32) = (1, 1_000_000);

fn qos_figure(field: &str, v: Option<u32>) -> crate::error::Result<()> {
    v.map_or(Ok(()), |v| {
        super::bounds::range(field, v, QOS_BOUNDS.0, QOS_BOUNDS.1)
    })
}

impl Qos {
    /// The schema's bounds of both figures (`invalid_argument` past them).
    pub(crate) fn check_bounds(&self) -> crate::error::Result<()> {
        qos_figure("qos.iops", Some(self.iops))?;
        qos_figure("qos.throughput_mbps", Some(self.throughput_mbps))
    }
}

impl QosUpdate {
    /// The schema's bounds of the figures given.
    pub(crate) fn check_bounds(&self) -> crate::error::Result<()> {
        qos_figure("qos.iops", self.iops)?;
        qos_figure("qos.throughput_mbps", self.throughput_mbps)
    }
}

impl super::bounds::Bounded for SnapshotReserve {
    fn check_bounds(&self) -> crate::error::Result<()> {
        super::bounds::range("percent", self.percent, 1, 1000)
    }
}
