//! Global resource ids.
//!
//! A global id routes a request to the right provider and vendor resource without any lookup:
//! it carries the provider id, the volume kind (SCP runs a separate service per kind), the
//! vendor's own id and, where the vendor addresses a resource under its parent (NHN and SCP
//! file snapshots live under a volume), the parent's vendor id.
//!
//! Wire form: `<prefix>_<payload>`, where `prefix` names the resource type (`vol`, `snap`, …)
//! and `payload` is unpadded base64url of
//! `version(1) kind(1) varint-len provider  varint-len vendor_id  has_parent(1) [varint-len parent]`.
//! The form is URL-safe, deterministic (one id has one spelling) and versioned. Clients must
//! treat ids as opaque.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::model::VolumeKind;

const VERSION: u8 = 1;

/// The resource types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    /// A volume (`vol_…`).
    Volume,
    /// A snapshot of a volume (`snap_…`).
    Snapshot,
    /// A replica of a volume in another region (`rep_…`).
    Replica,
    /// A volume group (`vg_…`).
    VolumeGroup,
    /// A snapshot of a volume group, taken of every member at once (`gsnap_…`).
    GroupSnapshot,
    /// A backup policy (`bkp_…`).
    Backup,
    /// A recovery point of a backup (`rp_…`).
    RecoveryPoint,
    /// A run of a backup policy (`bjob_…`).
    BackupJob,
    /// A restore of a backup (`rjob_…`).
    RestoreJob,
    /// A backup agent (`agt_…`).
    BackupAgent,
    /// An archive vault (`arc_…`).
    Archive,
    /// An archiving or recovery job (`ajob_…`).
    ArchiveJob,
}

impl ResourceType {
    /// All resource types, for exhaustive tests and docs.
    pub const ALL: [ResourceType; 12] = [
        ResourceType::Volume,
        ResourceType::Snapshot,
        ResourceType::Replica,
        ResourceType::VolumeGroup,
        ResourceType::GroupSnapshot,
        ResourceType::Backup,
        ResourceType::RecoveryPoint,
        ResourceType::BackupJob,
        ResourceType::RestoreJob,
        ResourceType::BackupAgent,
        ResourceType::Archive,
        ResourceType::ArchiveJob,
    ];

    /// The short prefix that starts ids of this type.
    pub fn prefix(self) -> &'static str {
        match self {
            ResourceType::Volume => "vol",
            ResourceType::Snapshot => "snap",
            ResourceType::Replica => "rep",
            ResourceType::VolumeGroup => "vg",
            ResourceType::GroupSnapshot => "gsnap",
            ResourceType::Backup => "bkp",
            ResourceType::RecoveryPoint => "rp",
            ResourceType::BackupJob => "bjob",
            ResourceType::RestoreJob => "rjob",
            ResourceType::BackupAgent => "agt",
            ResourceType::Archive => "arc",
            ResourceType::ArchiveJob => "ajob",
        }
    }

    /// The singular snake_case name, used in error codes such as `volume_not_found`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::Volume => "volume",
            ResourceType::Snapshot => "snapshot",
            ResourceType::Replica => "replica",
            ResourceType::VolumeGroup => "volume_group",
            ResourceType::GroupSnapshot => "group_snapshot",
            ResourceType::Backup => "backup",
            ResourceType::RecoveryPoint => "recovery_point",
            ResourceType::BackupJob => "backup_job",
            ResourceType::RestoreJob => "restore_job",
            ResourceType::BackupAgent => "backup_agent",
            ResourceType::Archive => "archive",
            ResourceType::ArchiveJob => "archive_job",
        }
    }

    fn from_prefix(prefix: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.prefix() == prefix)
    }

    /// The documented form of this type's ids, as a JSON Schema pattern (with
    /// [`MAX_ID_LEN`] as `maxLength`): the prefix, `_`, then unpadded base64url.
    pub fn id_pattern(self) -> String {
        format!("^{}_[A-Za-z0-9_-]+$", self.prefix())
    }

    /// Whether `raw` has the documented form of an id of this type ([`Self::id_pattern`],
    /// at most [`MAX_ID_LEN`] characters). Such an id either names a resource or names
    /// nothing (404); an id without this form is malformed (400).
    pub fn has_id_form(self, raw: &str) -> bool {
        raw.len() <= MAX_ID_LEN
            && raw.strip_prefix(self.prefix()).is_some_and(|rest| {
                rest.strip_prefix('_').is_some_and(|payload| {
                    !payload.is_empty()
                        && payload
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
                })
            })
    }
}

/// Longest global id the gateway reads, in characters: room for a provider id and a vendor
/// id and parent of [`IdGrammar::MAX_LEN`] each.
pub const MAX_ID_LEN: usize = 512;

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a string is not a valid global id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The id is the empty string.
    #[error("the id is empty")]
    Empty,
    /// The id has no `_` separating prefix and payload.
    #[error("the id has no `<type>_` prefix")]
    MissingPrefix,
    /// The prefix names no resource type.
    #[error("unknown id prefix `{0}`")]
    UnknownPrefix(String),
    /// The id is of another resource type than the one expected.
    #[error("expected a {expected} id but got a {found} id")]
    WrongType {
        /// The type the caller expected.
        expected: ResourceType,
        /// The type the id names.
        found: ResourceType,
    },
    /// The payload is not canonical unpadded base64url, or its bytes are malformed.
    #[error("the id is not valid base64url")]
    Encoding,
    /// The payload ends before all its parts.
    #[error("the id is truncated")]
    Truncated,
    /// The payload's format version is not one this gateway reads.
    #[error("unsupported id version {0}")]
    Version(u8),
    /// The payload's volume kind tag is unknown.
    #[error("unknown volume kind tag {0}")]
    Kind(u8),
    /// Bytes follow the last part of the payload.
    #[error("the id has trailing bytes")]
    Trailing,
    /// The provider, vendor id or parent is not UTF-8.
    #[error("an id component is not UTF-8")]
    Utf8,
    /// The id's type and kind name no service of the provider it names.
    #[error("no service of the provider serves a {0} id of this kind")]
    Unroutable(ResourceType),
    /// The vendor part does not fit the vendor's id grammar (see [`IdGrammar`]).
    #[error("the id does not name a valid {0} resource")]
    VendorId(&'static str),
}

impl IdError {
    /// Whether an id of the documented form failed only because its payload decodes to
    /// nothing this gateway issued (bad base64 length, unknown version or kind, truncated):
    /// such an id names no resource. Crafted payloads whose vendor part breaks the token
    /// grammar, and ids of another form, are malformed instead.
    pub fn names_nothing(&self) -> bool {
        matches!(
            self,
            IdError::Encoding
                | IdError::Truncated
                | IdError::Version(_)
                | IdError::Kind(_)
                | IdError::Trailing
                | IdError::Utf8
        )
    }
}

/// What a vendor's own resource ids look like.
///
/// A global id is client-supplied base64, so its vendor part is untrusted: it is checked
/// against [`IdGrammar::Token`] whenever a global id is decoded, and against the owning
/// provider's narrower grammar before any vendor call. Together with
/// [`vendor_path`](crate::vendor_path), which percent-encodes every segment, no id can steer a
/// vendor call to another path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdGrammar {
    /// 1–128 characters of `A-Z a-z 0-9 - _ .`, not only dots. Every vendor's ids fit it
    /// (UUIDs, 32-hex ids, `EXE-<uuid>` job ids, `mem-vol-000001`).
    Token,
    /// A hyphenated UUID, any case (`fc8b111a-32b7-45d3-b123-ff3ecaaf768a`): NHN Cloud.
    Uuid,
}

impl IdGrammar {
    /// Longest vendor id any grammar accepts.
    pub const MAX_LEN: usize = 128;

    /// [`IdGrammar::Token`] as a JSON Schema pattern (with `maxLength` [`Self::MAX_LEN`]):
    /// the raw vendor ids a path may carry (mount targets, servers).
    pub const TOKEN_PATTERN: &'static str = "^[A-Za-z0-9._-]*[A-Za-z0-9_-][A-Za-z0-9._-]*$";

    /// Whether `s` is a vendor id of this grammar.
    pub fn accepts(self, s: &str) -> bool {
        match self {
            IdGrammar::Token => {
                (1..=Self::MAX_LEN).contains(&s.len())
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                    && !s.bytes().all(|b| b == b'.')
            }
            IdGrammar::Uuid => {
                s.len() == 36
                    && s.bytes().enumerate().all(|(i, b)| match i {
                        8 | 13 | 18 | 23 => b == b'-',
                        _ => b.is_ascii_hexdigit(),
                    })
            }
        }
    }

    /// `Ok` when `s` fits, else [`IdError::VendorId`] naming `what`.
    pub fn check(self, s: &str, what: &'static str) -> Result<(), IdError> {
        if self.accepts(s) {
            Ok(())
        } else {
            Err(IdError::VendorId(what))
        }
    }
}

/// A parsed global id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalId {
    /// The type of the resource.
    pub rtype: ResourceType,
    /// The configured provider id, e.g. `nhn-kr1`.
    pub provider: String,
    /// The volume kind the resource belongs to, where the vendor splits services by kind.
    pub kind: Option<VolumeKind>,
    /// The vendor's own id of the resource.
    pub vendor_id: String,
    /// The vendor id of the parent resource, where the vendor addresses the resource under it.
    pub parent: Option<String>,
}

impl GlobalId {
    /// A global id without a parent.
    pub fn new(
        rtype: ResourceType,
        provider: impl Into<String>,
        kind: Option<VolumeKind>,
        vendor_id: impl Into<String>,
    ) -> Self {
        GlobalId {
            rtype,
            provider: provider.into(),
            kind,
            vendor_id: vendor_id.into(),
            parent: None,
        }
    }

    /// Sets the parent vendor id.
    pub fn with_parent(mut self, parent: impl Into<String>) -> Self {
        self.parent = Some(parent.into());
        self
    }

    /// Parses an id and checks that it is of the expected type.
    pub fn parse_as(s: &str, expected: ResourceType) -> Result<Self, IdError> {
        let id: GlobalId = s.parse()?;
        if id.rtype != expected {
            return Err(IdError::WrongType {
                expected,
                found: id.rtype,
            });
        }
        Ok(id)
    }

    /// Checks the vendor part (and the parent's) against a provider's id grammar.
    pub fn check_grammar(&self, grammar: IdGrammar) -> Result<(), IdError> {
        grammar.check(&self.vendor_id, self.rtype.name())?;
        match &self.parent {
            Some(p) => grammar.check(p, "parent"),
            None => Ok(()),
        }
    }

    /// The wire form.
    pub fn encode(&self) -> String {
        let mut buf = Vec::with_capacity(
            8 + self.provider.len()
                + self.vendor_id.len()
                + self.parent.as_ref().map_or(0, String::len),
        );
        buf.push(VERSION);
        buf.push(kind_tag(self.kind));
        put_str(&mut buf, &self.provider);
        put_str(&mut buf, &self.vendor_id);
        match &self.parent {
            None => buf.push(0),
            Some(p) => {
                buf.push(1);
                put_str(&mut buf, p);
            }
        }
        let prefix = self.rtype.prefix();
        let mut out = String::with_capacity(prefix.len() + 1 + buf.len().div_ceil(3) * 4);
        out.push_str(prefix);
        out.push('_');
        URL_SAFE_NO_PAD.encode_string(&buf, &mut out);
        out
    }
}

/// A global id serializes as its wire form.
impl Serialize for GlobalId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.encode())
    }
}

impl fmt::Display for GlobalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl FromStr for GlobalId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        // Prefixes never contain `_`; the payload may (base64url), so split at the first one.
        let (prefix, payload) = s.split_once('_').ok_or(IdError::MissingPrefix)?;
        let rtype = ResourceType::from_prefix(prefix)
            .ok_or_else(|| IdError::UnknownPrefix(truncate(prefix, 16)))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| IdError::Encoding)?;
        // Reject non-canonical spellings (e.g. trailing bits set) so one id has one form
        // (re-encoded on the stack: ids are short).
        let mut again = [0u8; 512];
        let canonical = match URL_SAFE_NO_PAD.encode_slice(&bytes, &mut again) {
            Ok(n) => &again[..n] == payload.as_bytes(),
            Err(_) => URL_SAFE_NO_PAD.encode(&bytes) == payload,
        };
        if !canonical {
            return Err(IdError::Encoding);
        }
        let mut r = Reader(&bytes);
        let version = r.byte()?;
        if version != VERSION {
            return Err(IdError::Version(version));
        }
        let kind = tag_kind(r.byte()?)?;
        let provider = r.string()?;
        let vendor_id = r.string()?;
        let parent = match r.byte()? {
            0 => None,
            1 => Some(r.string()?),
            _ => return Err(IdError::Encoding),
        };
        if !r.0.is_empty() {
            return Err(IdError::Trailing);
        }
        // Untrusted: every vendor part must at least be a plain token before anything routes it.
        IdGrammar::Token.check(&vendor_id, rtype.name())?;
        if let Some(p) = &parent {
            IdGrammar::Token.check(p, "parent")?;
        }
        Ok(GlobalId {
            rtype,
            provider,
            kind,
            vendor_id,
            parent,
        })
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn kind_tag(kind: Option<VolumeKind>) -> u8 {
    match kind {
        None => 0,
        Some(VolumeKind::Block) => 1,
        Some(VolumeKind::File) => 2,
        Some(VolumeKind::ParallelFile) => 3,
    }
}

fn tag_kind(tag: u8) -> Result<Option<VolumeKind>, IdError> {
    Ok(match tag {
        0 => None,
        1 => Some(VolumeKind::Block),
        2 => Some(VolumeKind::File),
        3 => Some(VolumeKind::ParallelFile),
        other => return Err(IdError::Kind(other)),
    })
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    let mut n = s.len();
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            buf.push(b);
            break;
        }
        buf.push(b | 0x80);
    }
    buf.extend_from_slice(s.as_bytes());
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, IdError> {
        let (&b, rest) = self.0.split_first().ok_or(IdError::Truncated)?;
        self.0 = rest;
        Ok(b)
    }

    fn varint(&mut self) -> Result<usize, IdError> {
        let mut n: usize = 0;
        for shift in (0..28).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                // Canonical form only: no superfluous zero continuation bytes.
                if b == 0 && shift > 0 {
                    return Err(IdError::Encoding);
                }
                return Ok(n);
            }
        }
        Err(IdError::Encoding)
    }

    fn string(&mut self) -> Result<String, IdError> {
        let len = self.varint()?;
        if len > self.0.len() {
            return Err(IdError::Truncated);
        }
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(s.to_vec()).map_err(|_| IdError::Utf8)
    }
}

/// Mints the global ids of one provider's resources of one volume kind, and routes ids of
/// volumes in other regions to the provider configured there for the same account.
#[derive(Debug, Clone)]
pub struct ProviderIds {
    /// The configured provider id, e.g. `nhn-kr1`.
    pub provider: String,
    /// The provider's region.
    pub region: String,
    /// The volume kind the ids are minted for.
    pub kind: VolumeKind,
    /// region → provider id of the same vendor account there.
    pub peers: BTreeMap<String, String>,
}

impl ProviderIds {
    /// The global id of the resource of `rtype` with this vendor id.
    pub fn gid(&self, rtype: ResourceType, vendor_id: &str) -> GlobalId {
        GlobalId::new(rtype, self.provider.clone(), Some(self.kind), vendor_id)
    }

    /// A child (snapshot, replica) addressed under its volume, for vendors that need both.
    pub fn child(&self, rtype: ResourceType, volume: &str, vendor_id: &str) -> String {
        self.gid(rtype, vendor_id).with_parent(volume).encode()
    }

    /// The encoded global id of the volume with this vendor id.
    pub fn volume(&self, vendor_id: &str) -> String {
        self.gid(ResourceType::Volume, vendor_id).encode()
    }

    /// A volume id in `region` (matched ignoring case): routable when a provider is configured
    /// there, else the raw vendor id (the resource's `vendor` fields say which region it is in).
    pub fn volume_in(&self, region: &str, vendor_id: &str) -> String {
        if region.eq_ignore_ascii_case(&self.region) {
            return self.volume(vendor_id);
        }
        match self
            .peers
            .iter()
            .find(|(r, _)| r.eq_ignore_ascii_case(region))
        {
            Some((_, p)) => {
                GlobalId::new(ResourceType::Volume, p.clone(), Some(self.kind), vendor_id).encode()
            }
            None => vendor_id.to_string(),
        }
    }
}

#[cfg(test)]
#[path = "ids_tests.rs"]
mod tests;
