//! An in-memory provider implementing the core traits directly (no wire protocol).
//!
//! It keeps real state, enforces its own capability limits, and moves resources through
//! transitional states for a configurable delay, so the gateway's operation tracker, paging and
//! validation are exercised the way a real vendor would exercise them.

mod archive_state;
mod archives;
mod replicas;
mod snapshots;
mod volumes;

pub use archives::memory_archive_capabilities;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use strata_core::capability::*;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{page_slice, Page, PageRequest};
use strata_core::provider::*;

const GIB: u64 = 1 << 30;

struct VolumeRec {
    vol: Volume,
    rules: Vec<AccessRule>,
    /// Until then the volume shows `pending` instead of its resting status.
    busy_until: Option<(Instant, VolumeStatus)>,
    deleting_until: Option<Instant>,
    schedule: Option<SnapshotSchedule>,
    restores: Vec<RestoreRecord>,
}

struct SnapshotRec {
    snap: Snapshot,
    ready_at: Instant,
}

struct ReplicaRec {
    rep: Replica,
    ready_at: Instant,
}

#[derive(Default)]
struct State {
    volumes: BTreeMap<String, VolumeRec>,
    snapshots: BTreeMap<String, SnapshotRec>,
    replicas: BTreeMap<String, ReplicaRec>,
    arch: archive_state::ArchiveState,
    next: u64,
}

/// The in-memory provider.
pub struct MemoryProvider {
    info: ProviderInfo,
    caps: Capabilities,
    delay: Duration,
    state: Mutex<State>,
}

/// The capability document of the memory provider: file volumes only, NHN-like limits, and
/// archives.
pub fn memory_capabilities(replication_regions: Vec<String>) -> Capabilities {
    let kind = KindCapabilities {
        features: BTreeSet::from([
            Feature::VolumeCreate,
            Feature::VolumeDelete,
            Feature::VolumeResize,
            Feature::AccessRules,
            Feature::MountTargets,
            Feature::Usage,
            Feature::SnapshotCreate,
            Feature::SnapshotDelete,
            Feature::SnapshotRestoreInPlace,
            Feature::SnapshotClone,
            Feature::RestoreHistory,
            Feature::SnapshotSchedule,
            Feature::ReplicaCreate,
            Feature::ReplicaDelete,
            Feature::ReplicaStartStop,
        ]),
        size: SizeLimits {
            min_gib: 100,
            max_gib: 10_000,
            step_gib: 100,
            elastic: false,
        },
        protocols: vec![Protocol::Nfs, Protocol::Cifs],
        tiers: vec![],
        name: NameRules::word(1, 100),
        access_rule_kinds: vec![AccessRuleKind::Ip, AccessRuleKind::Cidr],
        max_access_rules: Some(32),
        access_levels: vec![],
        server_types: vec![],
        snapshot_names: true,
        labels: true,
        descriptions: true,
        schedule: Some(ScheduleLimits {
            frequencies: vec![ScheduleFrequency::Daily, ScheduleFrequency::Weekly],
            minutes: true,
            max_retention_count: Some(30),
            timezones: vec!["Asia/Seoul".into(), "UTC".into()],
            max_days: None,
            retention: true,
        }),
        replication_regions,
        encryption: true,
        attachments: None,
        qos: None,
        snapshot_reserve: None,
        options: BTreeMap::new(),
        update_options: BTreeMap::new(),
    };
    Capabilities {
        volumes: BTreeMap::from([(VolumeKind::File, kind)]),
        max_page_size: 100,
        archives: Some(archives::memory_archive_capabilities()),
        ..Default::default()
    }
}

impl MemoryProvider {
    /// A provider with id `id` in `region`; changes take `delay` to settle.
    pub fn new(id: &str, region: &str, delay: Duration) -> Self {
        MemoryProvider {
            info: ProviderInfo {
                id: id.into(),
                vendor: Vendor::Memory,
                region: region.into(),
                display_name: format!("In-memory demo ({region})"),
            },
            caps: memory_capabilities(vec![]),
            delay,
            state: Mutex::new(State::default()),
        }
    }

    /// Declares the regions replicas may go to.
    pub fn with_replication_regions(mut self, regions: Vec<String>) -> Self {
        self.caps = memory_capabilities(regions);
        self
    }

    fn gid(&self, rtype: ResourceType, vendor_id: &str) -> GlobalId {
        GlobalId::new(
            rtype,
            self.info.id.clone(),
            Some(VolumeKind::File),
            vendor_id,
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another request panicked mid-update; the maps are
        // still structurally valid, so keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn own(&self, id: &GlobalId) -> Result<()> {
        if id.provider != self.info.id {
            return Err(Error::invalid(
                "id",
                format!("the id belongs to provider `{}`", id.provider),
            ));
        }
        Ok(())
    }

    /// Seeds a settled volume (for the demo).
    pub fn seed_volume(&self, name: &str, size_gib: u64, protocol: Protocol) -> Volume {
        let req = CreateVolume {
            attachments: vec![],
            qos: None,
            provider: self.info.id.clone(),
            kind: VolumeKind::File,
            name: name.into(),
            description: Some("seeded by the demo".into()),
            size_gib,
            protocol: Some(protocol),
            tier: None,
            encrypted: false,
            access_rules: vec![],
            labels: Labels::new(),
            options: Default::default(),
        };
        let mut st = self.lock();
        let v = self.insert_volume(&mut st, &req, None);
        st.volumes.get_mut(&v).expect("just inserted").busy_until = None;
        Self::view(st.volumes.get(&v).expect("just inserted"))
    }

    fn insert_volume(&self, st: &mut State, req: &CreateVolume, busy: Option<Instant>) -> String {
        st.next += 1;
        let vendor_id = format!("mem-vol-{:06}", st.next);
        let now = Utc::now();
        let vol = Volume {
            block: None,
            id: self.gid(ResourceType::Volume, &vendor_id).encode(),
            provider: self.info.id.clone(),
            kind: VolumeKind::File,
            name: req.name.clone(),
            description: req.description.clone(),
            status: VolumeStatus::Available,
            size_gib: req.size_gib,
            protocol: Some(req.protocol.unwrap_or(Protocol::Nfs)),
            tier: None,
            encrypted: req.encrypted,
            region: self.info.region.clone(),
            zone: None,
            labels: req.labels.clone(),
            created_at: Some(now),
            updated_at: Some(now),
            vendor: serde_json::Map::from_iter([(
                "memory_id".to_string(),
                serde_json::Value::from(vendor_id.clone()),
            )]),
        };
        st.volumes.insert(
            vendor_id.clone(),
            VolumeRec {
                vol,
                rules: req.access_rules.clone(),
                busy_until: busy.map(|t| (t, VolumeStatus::Creating)),
                deleting_until: None,
                schedule: None,
                restores: vec![],
            },
        );
        vendor_id
    }

    fn view(rec: &VolumeRec) -> Volume {
        let mut v = rec.vol.clone();
        let now = Instant::now();
        if rec.deleting_until.is_some() {
            v.status = VolumeStatus::Deleting;
        } else if let Some((until, status)) = rec.busy_until {
            if now < until {
                v.status = status;
            }
        }
        v
    }

    /// Looks a volume up, dropping it if its deletion has completed.
    fn volume<'a>(st: &'a mut State, id: &GlobalId) -> Result<&'a mut VolumeRec> {
        let gone = st
            .volumes
            .get(&id.vendor_id)
            .and_then(|r| r.deleting_until)
            .is_some_and(|t| Instant::now() >= t);
        if gone {
            st.volumes.remove(&id.vendor_id);
            st.snapshots.retain(|_, s| s.snap.volume_id != id.encode());
        }
        st.volumes
            .get_mut(&id.vendor_id)
            .ok_or_else(|| Error::not_found(ResourceType::Volume, id.encode()))
    }

    fn settled(rec: &VolumeRec) -> Result<()> {
        if Self::view(rec).status.is_transitional() {
            return Err(Error::conflict(
                "the volume is busy with another change; retry when it is available",
            ));
        }
        Ok(())
    }

    fn snap_view(&self, rec: &SnapshotRec) -> Snapshot {
        let mut s = rec.snap.clone();
        if Instant::now() < rec.ready_at {
            s.status = SnapshotStatus::Creating;
        }
        s
    }

    fn rep_view(rec: &ReplicaRec) -> Replica {
        let mut r = rec.rep.clone();
        if Instant::now() < rec.ready_at {
            r.status = ReplicaStatus::Creating;
        }
        r
    }
}

impl MemoryProvider {
    fn set_replica_status(&self, id: &GlobalId, status: ReplicaStatus) -> Result<Replica> {
        self.own(id)?;
        let mut st = self.lock();
        let rec = st
            .replicas
            .get_mut(&id.vendor_id)
            .ok_or_else(|| Error::not_found(ResourceType::Replica, id.encode()))?;
        if Instant::now() < rec.ready_at {
            return Err(Error::conflict("the replica is still being created"));
        }
        rec.rep.status = status;
        Ok(Self::rep_view(rec))
    }
}

impl VolumeGroupOps for MemoryProvider {}
impl BackupOps for MemoryProvider {}

#[async_trait]
impl Provider for MemoryProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
}

#[cfg(test)]
mod tests;
