use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::whole;
use super::{Labels, VendorFields};

/// The kind of a volume.
///
/// - `block`: a block device attached to servers (SCP Block Storage BM).
/// - `file`: a shared file system mounted over NFS or CIFS (SCP File Storage, NHN Cloud NAS,
///   the in-memory demo provider).
/// - `parallel_file`: a parallel file system mounted with the vendor's client (SCP Parallel
///   File Storage).
///
/// A provider's capabilities list the kinds it offers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VolumeKind {
    /// `block`: a block device attached to servers (SCP Block Storage BM).
    Block,
    /// `file`: a shared file system over NFS or CIFS (SCP File Storage, NHN NAS).
    File,
    /// `parallel_file`: a parallel file system mounted with the vendor's client (SCP Parallel
    /// File Storage).
    ParallelFile,
}

impl VolumeKind {
    /// Every kind, in this order.
    pub const ALL: [VolumeKind; 3] = [
        VolumeKind::Block,
        VolumeKind::File,
        VolumeKind::ParallelFile,
    ];

    /// The name used in the API and in ids: `block`, `file` or `parallel_file`.
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeKind::Block => "block",
            VolumeKind::File => "file",
            VolumeKind::ParallelFile => "parallel_file",
        }
    }
}

impl std::fmt::Display for VolumeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for VolumeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        VolumeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!("unknown volume kind `{s}` (expected block, file or parallel_file)")
            })
    }
}

/// Normalized status of a volume (or of a mount target); the vendor's own status is kept
/// in the resource's `vendor` fields.
///
/// - `creating`: being created.
/// - `available`: ready; file volumes are `available` whenever they serve mounts.
/// - `in_use`: attached to at least one server (block volumes).
/// - `updating`: a change (resize, access rules, attach or detach, restore) is in progress.
/// - `deleting`: being deleted.
/// - `error`: the vendor reports the volume as failed.
/// - `unknown`: the vendor reported a state Strata does not know; see `vendor`.
///
/// `creating`, `updating` and `deleting` are transitional: operations settle once the
/// volume leaves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolumeStatus {
    /// `creating`: being created.
    Creating,
    /// `available`: ready and not attached (file volumes are `available` whenever they serve
    /// mounts).
    Available,
    /// `in_use`: attached to at least one server (block volumes).
    InUse,
    /// `updating`: a change (resize, access rules, attach/detach, restore) is in progress.
    Updating,
    /// `deleting`: being deleted.
    Deleting,
    /// `error`: the vendor reports the volume as failed.
    Error,
    /// `unknown`: the vendor reported a state Strata does not know; see `vendor`.
    Unknown,
}

impl VolumeStatus {
    /// Whether the volume is still moving towards a settled state.
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            VolumeStatus::Creating | VolumeStatus::Updating | VolumeStatus::Deleting
        )
    }
}

/// The protocol clients mount a volume with.
///
/// - `nfs`: NFS.
/// - `cifs`: CIFS (SMB).
/// - `parallel_fs`: the vendor's own parallel file system client (parallel file volumes).
/// - `iscsi`: iSCSI (block volumes; attached servers log in to the volume's targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// `nfs`: NFS.
    Nfs,
    /// `cifs`: CIFS (SMB).
    Cifs,
    /// `parallel_fs`: the vendor's own parallel file system client.
    ParallelFs,
    /// `iscsi`: iSCSI (block volumes).
    Iscsi,
}

impl Protocol {
    /// The name used in the API: `nfs`, `cifs`, `parallel_fs` or `iscsi`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Nfs => "nfs",
            Protocol::Cifs => "cifs",
            Protocol::ParallelFs => "parallel_fs",
            Protocol::Iscsi => "iscsi",
        }
    }
}

/// A volume of any kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Volume {
    /// Global id of the volume (`vol_…`), assigned by the gateway; opaque: use it as is in
    /// `/v1/volumes/{id}`.
    #[schema(example = "vol_AQIHbmhuLWtyMQR2b2wxAA")]
    pub id: String,
    /// Id of the provider the volume belongs to (see `GET /v1/providers`).
    #[schema(example = "nhn-kr1")]
    pub provider: String,
    /// Kind of the volume.
    pub kind: VolumeKind,
    /// Name of the volume, as given at creation (or as the vendor named it).
    pub name: String,
    /// Free-text description, set by clients; absent when there is none or the vendor keeps
    /// no descriptions (SCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: VolumeStatus,
    /// Provisioned size, in GiB. 0 for kinds whose capacity is elastic (SCP File Storage:
    /// see `capabilities.volumes.<kind>.size.elastic` and the volume's usage). SCP Parallel
    /// File Storage sizes in whole TB, reported here as 1024 GiB per TB.
    #[schema(example = 500)]
    pub size_gib: u64,
    /// Protocol clients mount the volume with (`iscsi` for block volumes); absent where the
    /// vendor does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub protocol: Option<Protocol>,
    /// Vendor disk or performance tier, e.g. `HDD`, `SSD` or `HighPerformanceSSD` on SCP File
    /// Storage; absent where the vendor has no tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Whether the data is encrypted at rest, as the vendor reports it.
    pub encrypted: bool,
    /// The vendor's region code of the volume, the same as its provider's `region`.
    #[schema(example = "KR1")]
    pub region: String,
    /// Availability zone, for vendors that place volumes in zones; absent otherwise (no
    /// current provider reports one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Labels of the volume.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    #[schema(schema_with = super::bounds::labels_volume_schema)]
    pub labels: Labels,
    /// When the vendor created the volume (RFC 3339, UTC); absent where the vendor does not
    /// report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the vendor last changed the volume (RFC 3339, UTC); absent where the vendor does
    /// not report it (SCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// What a block volume has beyond every volume (attachments, iSCSI targets, QoS,
    /// snapshot reserve, origin, group); absent on other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub block: Option<super::BlockDetails>,
    /// The vendor's own fields that have no place in the model, untranslated (names and values
    /// as the vendor sends them; they differ from vendor to vendor and are not part of the
    /// stable API).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Request body of `POST /v1/volumes`. The provider's capability document
/// (`GET /v1/providers/{id}`, under `capabilities.volumes.<kind>`) states what each field
/// may hold there; a body outside it is refused before the vendor is called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "provider": "demo-kr1",
    "kind": "file",
    "name": "app-data",
    "description": "Shared data of the app servers",
    "size_gib": 100,
    "protocol": "nfs",
    "access_rules": [{"kind": "cidr", "value": "10.0.0.0/24", "access": "read_write"}],
    "labels": {"team": "data"}
}))]
pub struct CreateVolume {
    /// Id of the provider to create the volume with (see `GET /v1/providers`).
    #[schema(example = "demo-kr1", max_length = 255)]
    pub provider: String,
    /// Kind of volume to create; the provider must offer it (a key of its
    /// `capabilities.volumes`).
    pub kind: VolumeKind,
    /// Name of the volume; must fit the kind's `name` rules (length and pattern, e.g. 1–100
    /// letters, digits, `_` and `-` on NHN Cloud; 3–21 lowercase letters, digits and `_`,
    /// starting with a letter, on SCP).
    #[schema(example = "app-data", max_length = 255)]
    pub name: String,
    /// Free-text description, up to 255 characters; absent: none. SCP keeps no descriptions
    /// and refuses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub description: Option<String>,
    /// Size in GiB: from the kind's `size.min_gib` to `size.max_gib`, a multiple of
    /// `size.step_gib`. Leave it out (or 0) for kinds whose capacity is elastic
    /// (`size.elastic`). Any JSON integer spelling is accepted (`100`, `100.0`, `1e2`).
    #[schema(example = 100)]
    #[serde(default, deserialize_with = "whole::deserialize")]
    pub size_gib: u64,
    /// Protocol to mount the volume with, one of the kind's `protocols`. Required when the
    /// kind offers more than one; absent: the only one offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// Disk or performance tier, one of the kind's `tiers` (refused where the list is empty);
    /// absent: the vendor's default (`HDD` on SCP File Storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub tier: Option<String>,
    /// Ask for encryption at rest; refused where the kind's `encryption` is `false`. Default
    /// `false`.
    #[serde(default)]
    pub encrypted: bool,
    /// Access rules to create the volume with (at most 256, and at most the kind's
    /// `max_access_rules`); absent or empty: no rules. SCP refuses initial rules: set them
    /// with `PUT /v1/volumes/{id}/access-rules` once the volume is available.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 256)]
    pub access_rules: Vec<AccessRule>,
    /// Labels to attach.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    #[schema(schema_with = super::bounds::labels_schema)]
    pub labels: Labels,
    /// Servers to attach a block volume to when it is created (at most 64, and at most the
    /// kind's `attachments.max_per_volume`); needs the `attachments` feature. Where the
    /// kind's `attachments.required_on_create` is `true` at least one is required.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 64)]
    pub attachments: Vec<Attachment>,
    /// Provisioned performance of a block volume, within the kind's `qos` limits (refused
    /// where the kind has none, or for a tier its `qos.tiers` does not list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub qos: Option<super::Qos>,
    /// Vendor-specific options.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(schema_with = super::bounds::options_schema)]
    pub options: serde_json::Map<String, serde_json::Value>,
}

/// Request body of `PATCH /v1/volumes/{id}`. Absent fields are left unchanged; the change is
/// checked against the volume's current size and its kind's capabilities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "size_gib": 200,
    "description": "Shared data of the app servers, grown for the spring release",
    "labels": {"team": "data", "tier": "gold"}
}))]
pub struct UpdateVolume {
    /// New size in GiB, within the kind's `size` limits. Larger than the current size needs
    /// the `volume_resize` feature, smaller also `volume_shrink`; the current size is no
    /// change. Any JSON integer spelling is accepted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole::option::deserialize"
    )]
    pub size_gib: Option<u64>,
    /// New description, up to 255 characters. SCP keeps no descriptions and refuses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub description: Option<String>,
    /// The complete new set of access rules, replacing the current one (`[]` removes every
    /// rule); needs the `access_rules` feature. At most 256, and at most the kind's
    /// `max_access_rules`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 256)]
    pub access_rules: Option<Vec<AccessRule>>,
    /// Replaces the labels when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::bounds::labels_update_schema)]
    pub labels: Option<Labels>,
    /// Changes the QoS of a block volume (absent fields of it keep their value), within the
    /// kind's `qos` limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub qos: Option<super::QosUpdate>,
    /// Vendor-specific settings to change, each one of the kind's `update_options` (e.g.
    /// `file_unit_recovery` on SCP File Storage); absent or empty: none.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(schema_with = super::bounds::update_options_schema)]
    pub options: serde_json::Map<String, serde_json::Value>,
}

/// What an access rule grants access to.
///
/// - `ip`: a single IPv4 address, e.g. `10.0.0.7`.
/// - `cidr`: an IPv4 network in CIDR notation, e.g. `10.0.0.0/24`.
/// - `server`: a vendor resource by id (server, GPU node, endpoint…), its type in
///   `server_type`.
///
/// A kind's `access_rule_kinds` lists those it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessRuleKind {
    /// `ip`: a single IPv4 address.
    Ip,
    /// `cidr`: an IPv4 network in CIDR notation.
    Cidr,
    /// `server`: a vendor resource by id (server, GPU node, endpoint); see `server_type`.
    Server,
}

/// Level of access an access rule grants: `read_only`, or `read_write` (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// `read_only`: read access only.
    ReadOnly,
    /// `read_write`: read and write access (the default).
    #[default]
    ReadWrite,
}

/// One access rule of a file or parallel file volume: who may mount it, and how.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "cidr", "value": "10.0.0.0/24", "access": "read_write"}))]
pub struct AccessRule {
    /// What the rule grants access to; one of the kind's `access_rule_kinds`.
    pub kind: AccessRuleKind,
    /// Who is granted access: an IPv4 address for `ip` rules, an IPv4 network
    /// (`a.b.c.d/0`–`/32`) for `cidr` rules, the vendor's resource id (up to 128 bytes) for
    /// `server` rules.
    #[schema(example = "10.0.0.0/24", max_length = 255)]
    pub value: String,
    /// The vendor's object type of a `server` rule, required there: one of the kind's
    /// `server_types` (e.g. `vm`, `bm`, `gpu`, `gpu_node`, `endpoint` on SCP File Storage).
    /// Not used by `ip` and `cidr` rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub server_type: Option<String>,
    /// Level of access granted, one of the kind's `access_levels` (any when that list is
    /// empty); `read_write` when absent.
    #[serde(default)]
    pub access: AccessLevel,
}

/// Body of `PUT /v1/volumes/{id}/access-rules`: the complete new rule set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rules": [
    {"kind": "cidr", "value": "10.0.0.0/24", "access": "read_write"},
    {"kind": "ip", "value": "10.0.1.7", "access": "read_write"}
]}))]
pub struct AccessRules {
    /// The complete rule set, replacing the current one; `[]` removes every rule. At most
    /// 256, and at most the kind's `max_access_rules`.
    #[schema(max_items = 256)]
    pub rules: Vec<AccessRule>,
}

/// Body of `POST /v1/volumes/{id}/mount-targets`: a new mount target on a network (needs
/// the `mount_target_manage` feature; NHN Cloud NAS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"network": "cb779d62-72ef-43b6-b368-3fe28dcd812b"}))]
pub struct CreateMountTarget {
    /// The vendor's id of the network (on NHN Cloud: the subnet id) to expose the volume in;
    /// not blank.
    #[schema(
        example = "cb779d62-72ef-43b6-b368-3fe28dcd812b",
        min_length = 1,
        max_length = 255,
        pattern = r"\S"
    )]
    pub network: String,
}

/// Where and how clients mount a file volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MountTarget {
    /// The vendor's id of the mount target (on NHN Cloud: the interface id), to use in
    /// `DELETE /v1/volumes/{id}/mount-targets/{target}`; absent where a volume has one fixed
    /// target (SCP, the demo provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The string to mount, e.g. `10.0.0.5:/vol1` (NFS) or `\\10.0.0.5\vol1` (CIFS); absent
    /// until the target is ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Protocol to mount with; absent where the vendor does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub protocol: Option<Protocol>,
    /// The network the target is in, as the vendor names it (on NHN Cloud: the subnet id);
    /// absent where the vendor does not say (SCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Address (IP or host name) clients connect to, where the vendor reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// State of the target (the volume's own status where the vendor has none per target);
    /// a `creating` target is not mountable yet.
    pub status: VolumeStatus,
}

/// Space used on a volume, in bytes (vendors that report GiB are converted at 2^30 bytes per
/// GiB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Usage {
    /// Capacity of the volume, in bytes. Elastic volumes (SCP File Storage) provision
    /// nothing: their capacity is the space in use.
    pub size_bytes: u64,
    /// Space in use, in bytes.
    pub used_bytes: u64,
    /// Space held by snapshots, in bytes; absent where the vendor does not report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_bytes: Option<u64>,
}

/// A server to attach a block volume to: the body of `POST /v1/volumes/{id}/attachments`
/// (needs the `attachments` feature; SCP Block Storage), and an item of a create request's
/// `attachments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"server_id": "3f5e8c1a-9d2b-4c7e-8a6f-1b2c3d4e5f60", "server_type": "bm"}))]
pub struct Attachment {
    /// The vendor's id of the server to attach the volume to; not blank.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub server_id: String,
    /// The vendor's server type, one of the kind's `attachments.server_types` (`bm` bare
    /// metal or `mngc` multi-node GPU cluster on SCP); absent: the first of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub server_type: Option<String>,
}

/// Filters of a volume list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VolumeFilter {
    /// Only volumes of this kind.
    pub kind: Option<VolumeKind>,
    /// Only volumes in this status.
    pub status: Option<VolumeStatus>,
    /// Substring match on the name.
    pub name: Option<String>,
}

impl VolumeFilter {
    /// Whether a volume passes the filter (for providers that cannot filter server-side).
    pub fn matches(&self, v: &Volume) -> bool {
        self.kind.is_none_or(|k| k == v.kind)
            && self.status.is_none_or(|s| s == v.status)
            && self.name.as_deref().is_none_or(|n| v.name.contains(n))
    }
}
