use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Labels, VendorFields};

/// The three kinds of volume Strata manages.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VolumeKind {
    /// A block device attached to servers (SCP Block Storage BM).
    Block,
    /// A shared file system over NFS or CIFS (SCP File Storage, NHN NAS).
    File,
    /// A parallel file system mounted with the vendor's client (SCP Parallel File Storage).
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

/// Normalized volume status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolumeStatus {
    /// Being created.
    Creating,
    /// Ready and not attached (file volumes are `available` whenever they serve mounts).
    Available,
    /// Attached to at least one server (block volumes).
    InUse,
    /// A change (resize, access rules, attach/detach, restore) is in progress.
    Updating,
    /// Being deleted.
    Deleting,
    /// The vendor reports the volume as failed.
    Error,
    /// The vendor reported a state Strata does not know; see `vendor`.
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

/// File-sharing protocol of a file volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// NFS.
    Nfs,
    /// CIFS (SMB).
    Cifs,
    /// The vendor's own parallel file system client.
    ParallelFs,
}

impl Protocol {
    /// The name used in the API: `nfs`, `cifs` or `parallel_fs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Nfs => "nfs",
            Protocol::Cifs => "cifs",
            Protocol::ParallelFs => "parallel_fs",
        }
    }
}

/// A volume of any kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Volume {
    /// Global id (opaque).
    #[schema(example = "vol_AQIHbmhuLWtyMQR2b2wxAA")]
    pub id: String,
    /// Provider id.
    pub provider: String,
    /// What kind of volume it is.
    pub kind: VolumeKind,
    /// Name of the volume.
    pub name: String,
    /// Free-text description, where set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Normalized status; the vendor's own status is in `vendor`.
    pub status: VolumeStatus,
    /// Provisioned size in GiB (SCP parallel file storage reports TB; converted).
    pub size_gib: u64,
    /// Protocol clients mount a file volume with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// Vendor disk or performance tier (`HDD`, `SSD`, …) where the vendor has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Whether the data is encrypted at rest.
    pub encrypted: bool,
    /// The vendor region the volume is in.
    pub region: String,
    /// Availability zone, where the vendor places volumes in zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Labels of the volume, where the provider stores them.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    /// When the vendor created the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the vendor last changed the volume, where it reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The vendor's untranslated fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vendor: VendorFields,
}

/// Request body of `POST /v1/volumes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVolume {
    /// The provider to create the volume with.
    #[schema(example = "nhn-kr1", max_length = 255)]
    pub provider: String,
    /// Kind of volume to create; the provider must offer it.
    pub kind: VolumeKind,
    /// Name of the volume; must fit the kind's name rules (see capabilities).
    #[schema(example = "app-data", max_length = 255)]
    pub name: String,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1024)]
    pub description: Option<String>,
    /// Size in GiB; must fit the provider's limits for the kind (see capabilities). Leave it
    /// out (0) for kinds whose capacity is elastic.
    #[schema(example = 300)]
    #[serde(default)]
    pub size_gib: u64,
    /// Required for file volumes on providers that offer several protocols.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// Disk or performance tier, one of the kind's `tiers` (see capabilities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub tier: Option<String>,
    /// Ask for encryption at rest, where the kind offers it.
    #[serde(default)]
    pub encrypted: bool,
    /// Access rules to start with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 256)]
    pub access_rules: Vec<AccessRule>,
    /// At most 64 labels; keys up to 63 bytes, values up to 255.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    #[schema(schema_with = super::bounds::labels_schema)]
    pub labels: Labels,
    /// Vendor-specific options the model has no field for (documented per provider in
    /// its capabilities); at most 32 keys.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(value_type = Object)]
    pub options: serde_json::Map<String, serde_json::Value>,
}

/// Request body of `PATCH /v1/volumes/{id}`. Absent fields are left unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateVolume {
    /// New size in GiB (growing only, within the provider's limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_gib: Option<u64>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1024)]
    pub description: Option<String>,
    /// Replaces the access rules when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 256)]
    pub access_rules: Option<Vec<AccessRule>>,
    /// Replaces the labels when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::bounds::labels_schema)]
    pub labels: Option<Labels>,
}

/// What an access rule grants access to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessRuleKind {
    /// A single IP address.
    Ip,
    /// An IPv4 network in CIDR notation.
    Cidr,
    /// A vendor resource by id (server, GPU node, endpoint); see `server_type`.
    Server,
}

/// Level of access an access rule grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// Read access only.
    ReadOnly,
    /// Read and write access (the default).
    #[default]
    ReadWrite,
}

/// One access rule of a file or parallel file volume.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRule {
    /// What the rule grants access to.
    pub kind: AccessRuleKind,
    /// The address, network or vendor resource id.
    #[schema(example = "10.0.0.0/24", max_length = 255)]
    pub value: String,
    /// For `server` rules: the vendor's object type (`vm`, `bm`, `gpu_node`, `endpoint`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub server_type: Option<String>,
    /// Level of access granted; `read_write` when absent.
    #[serde(default)]
    pub access: AccessLevel,
}

/// Body of `PUT /v1/volumes/{id}/access-rules`: the complete new rule set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRules {
    /// The complete rule set; an empty list leaves no rules.
    #[schema(max_items = 256)]
    pub rules: Vec<AccessRule>,
}

/// A request for a new mount target on a network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMountTarget {
    /// The vendor network (subnet) id to expose the volume in.
    #[schema(example = "cb779d62-72ef-43b6-b368-3fe28dcd812b", max_length = 255)]
    pub network: String,
}

/// Where and how clients mount a file volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MountTarget {
    /// Vendor id of the interface or path, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The string to mount, e.g. `10.0.0.5:/vol1` or `\\10.0.0.5\vol1`; absent until the
    /// target is ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Protocol to mount with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// The network (subnet) the target sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Address (IP or host name) clients connect to, where the vendor reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// State of the target; pending targets are not yet mountable.
    pub status: VolumeStatus,
}

/// Space used on a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Usage {
    /// Capacity of the volume, in bytes.
    pub size_bytes: u64,
    /// Space in use, in bytes.
    pub used_bytes: u64,
    /// Space held by snapshots, where the vendor reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_bytes: Option<u64>,
}

/// Body of `POST /v1/volumes/{id}/attachments` (block volumes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// Vendor id of the server.
    #[schema(max_length = 255)]
    pub server_id: String,
    /// Vendor server type, e.g. `bm`.
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
