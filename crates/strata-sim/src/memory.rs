//! An in-memory provider implementing the core traits directly (no wire protocol).
//!
//! It keeps real state, enforces its own capability limits, and moves resources through
//! transitional states for a configurable delay, so the gateway's operation tracker, paging and
//! validation are exercised the way a real vendor would exercise them.

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
    next: u64,
}

/// The in-memory provider.
pub struct MemoryProvider {
    info: ProviderInfo,
    caps: Capabilities,
    delay: Duration,
    state: Mutex<State>,
}

/// The capability document of the memory provider: file volumes only, NHN-like limits.
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
        schedule: Some(ScheduleLimits {
            frequencies: vec![ScheduleFrequency::Daily, ScheduleFrequency::Weekly],
            minutes: true,
            max_retention_count: Some(30),
            timezones: vec!["Asia/Seoul".into(), "UTC".into()],
        }),
        replication_regions,
        encryption: true,
        options: BTreeMap::new(),
    };
    Capabilities {
        volumes: BTreeMap::from([(VolumeKind::File, kind)]),
        max_page_size: 100,
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
            return Err(Error::Conflict {
                message: "the volume is busy with another change; retry when it is available"
                    .into(),
            });
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

#[async_trait]
impl VolumeOps for MemoryProvider {
    async fn list_volumes(
        &self,
        _ctx: &CallCtx,
        filter: &VolumeFilter,
        page: &PageRequest,
    ) -> Result<Page<Volume>> {
        let mut st = self.lock();
        let ids: Vec<GlobalId> = st
            .volumes
            .keys()
            .map(|k| self.gid(ResourceType::Volume, k))
            .collect();
        let mut all = Vec::new();
        for id in ids {
            if let Ok(rec) = Self::volume(&mut st, &id) {
                let v = Self::view(rec);
                if filter.matches(&v) {
                    all.push(v);
                }
            }
        }
        // The gateway merges providers by name; serve pages in that order, as NHN does.
        all.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        page_slice(&all, page)
    }

    async fn get_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Volume> {
        self.own(id)?;
        let mut st = self.lock();
        Ok(Self::view(Self::volume(&mut st, id)?))
    }

    async fn create_volume(&self, _ctx: &CallCtx, req: &CreateVolume) -> Result<Volume> {
        let caps = self.caps.kind(req.kind)?;
        caps.validate_create(req)?;
        let mut st = self.lock();
        if st
            .volumes
            .values()
            .any(|r| r.vol.name == req.name && r.deleting_until.is_none())
        {
            return Err(Error::Conflict {
                message: format!("a volume named `{}` already exists", req.name),
            });
        }
        let id = self.insert_volume(&mut st, req, Some(Instant::now() + self.delay));
        Ok(Self::view(&st.volumes[&id]))
    }

    async fn update_volume(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateVolume,
    ) -> Result<Volume> {
        self.own(id)?;
        let mut st = self.lock();
        let rec = Self::volume(&mut st, id)?;
        Self::settled(rec)?;
        self.caps
            .kind(VolumeKind::File)?
            .validate_update(rec.vol.size_gib, req)?;
        if let Some(s) = req.size_gib {
            rec.vol.size_gib = s;
        }
        if let Some(d) = &req.description {
            rec.vol.description = Some(d.clone());
        }
        if let Some(r) = &req.access_rules {
            rec.rules = r.clone();
        }
        if let Some(l) = &req.labels {
            rec.vol.labels = l.clone();
        }
        rec.vol.updated_at = Some(Utc::now());
        rec.busy_until = Some((Instant::now() + self.delay, VolumeStatus::Updating));
        Ok(Self::view(rec))
    }

    async fn delete_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.own(id)?;
        let mut st = self.lock();
        let has_replicas = st
            .replicas
            .values()
            .any(|r| r.rep.source_volume_id == id.encode());
        let rec = Self::volume(&mut st, id)?;
        if rec.deleting_until.is_some() {
            return Ok(());
        }
        Self::settled(rec)?;
        if has_replicas {
            return Err(Error::FailedPrecondition {
                message: "delete the volume's replicas first".into(),
            });
        }
        rec.deleting_until = Some(Instant::now() + self.delay);
        Ok(())
    }

    async fn get_access_rules(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<AccessRule>> {
        self.own(id)?;
        let mut st = self.lock();
        Ok(Self::volume(&mut st, id)?.rules.clone())
    }

    async fn set_access_rules(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        rules: &[AccessRule],
    ) -> Result<Vec<AccessRule>> {
        self.update_volume(
            ctx,
            id,
            &UpdateVolume {
                access_rules: Some(rules.to_vec()),
                ..Default::default()
            },
        )
        .await?;
        Ok(rules.to_vec())
    }

    async fn list_mount_targets(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Vec<MountTarget>> {
        let v = self.get_volume(ctx, id).await?;
        let address = "192.0.2.10".to_string();
        let path = match v.protocol {
            Some(Protocol::Cifs) => format!("\\\\{address}\\{}", v.name),
            _ => format!("{address}:/{}", v.name),
        };
        Ok(vec![MountTarget {
            id: None,
            path: Some(path),
            protocol: v.protocol,
            network: Some("192.0.2.0/24".into()),
            address: Some(address),
            status: v.status,
        }])
    }

    async fn get_usage(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Usage> {
        let v = self.get_volume(ctx, id).await?;
        let size = v.size_gib * GIB;
        Ok(Usage {
            size_bytes: size,
            used_bytes: size / 10,
            snapshot_bytes: Some(0),
        })
    }
}

#[async_trait]
impl SnapshotOps for MemoryProvider {
    async fn list_snapshots(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        self.own(volume)?;
        let mut st = self.lock();
        Self::volume(&mut st, volume)?;
        let vid = volume.encode();
        let all: Vec<Snapshot> = st
            .snapshots
            .values()
            .filter(|s| s.snap.volume_id == vid)
            .map(|s| self.snap_view(s))
            .collect();
        page_slice(&all, page)
    }

    async fn get_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Snapshot> {
        self.own(id)?;
        let st = self.lock();
        st.snapshots
            .get(&id.vendor_id)
            .map(|s| self.snap_view(s))
            .ok_or_else(|| Error::not_found(ResourceType::Snapshot, id.encode()))
    }

    async fn create_snapshot(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        self.own(volume)?;
        let mut st = self.lock();
        let rec = Self::volume(&mut st, volume)?;
        Self::settled(rec)?;
        let size = rec.vol.size_gib * GIB / 10;
        st.next += 1;
        let vendor_id = format!("mem-snap-{:06}", st.next);
        let name = req
            .name
            .clone()
            .unwrap_or_else(|| format!("snap-{}", Utc::now().format("%Y%m%d%H%M%S")));
        if let Some(caps) = self.caps.volumes.get(&VolumeKind::File) {
            caps.name.check("name", &name)?;
        }
        let snap = Snapshot {
            id: self
                .gid(ResourceType::Snapshot, &vendor_id)
                .with_parent(volume.vendor_id.clone())
                .encode(),
            provider: self.info.id.clone(),
            volume_id: volume.encode(),
            name,
            description: req.description.clone(),
            status: SnapshotStatus::Available,
            origin: SnapshotOrigin::Manual,
            size_bytes: Some(size),
            preserved: false,
            created_at: Some(Utc::now()),
            vendor: Default::default(),
        };
        let rec = SnapshotRec {
            snap,
            ready_at: Instant::now() + self.delay,
        };
        let view = self.snap_view(&rec);
        st.snapshots.insert(vendor_id, rec);
        Ok(view)
    }

    async fn delete_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.own(id)?;
        let mut st = self.lock();
        match st.snapshots.get(&id.vendor_id) {
            None => Err(Error::not_found(ResourceType::Snapshot, id.encode())),
            Some(s) if s.snap.preserved => Err(Error::FailedPrecondition {
                message: "preserved snapshots cannot be deleted".into(),
            }),
            Some(_) => {
                st.snapshots.remove(&id.vendor_id);
                Ok(())
            }
        }
    }

    async fn restore_snapshot(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreSnapshot,
    ) -> Result<Volume> {
        let snap = self.get_snapshot(ctx, id).await?;
        if snap.status != SnapshotStatus::Available {
            return Err(Error::Conflict {
                message: "the snapshot is not available yet".into(),
            });
        }
        let vol_id = GlobalId::parse_as(&snap.volume_id, ResourceType::Volume)?;
        let mut st = self.lock();
        let now = Instant::now() + self.delay;
        match req.mode {
            RestoreMode::InPlace => {
                let rec = Self::volume(&mut st, &vol_id)?;
                Self::settled(rec)?;
                rec.busy_until = Some((now, VolumeStatus::Updating));
                rec.restores.push(RestoreRecord {
                    snapshot_name: snap.name.clone(),
                    snapshot_id: Some(snap.id.clone()),
                    succeeded: true,
                    started_at: Some(Utc::now()),
                    finished_at: Some(
                        Utc::now() + chrono::Duration::from_std(self.delay).unwrap_or_default(),
                    ),
                });
                Ok(Self::view(rec))
            }
            RestoreMode::NewVolume => {
                let src = Self::volume(&mut st, &vol_id)?.vol.clone();
                let name = req
                    .volume_name
                    .clone()
                    .unwrap_or_else(|| format!("{}-from-{}", src.name, snap.name));
                self.caps
                    .kind(VolumeKind::File)?
                    .name
                    .check("volume_name", &name)?;
                let create = CreateVolume {
                    provider: self.info.id.clone(),
                    kind: VolumeKind::File,
                    name,
                    description: Some(format!("cloned from snapshot {}", snap.name)),
                    size_gib: src.size_gib,
                    protocol: src.protocol,
                    tier: None,
                    encrypted: src.encrypted,
                    access_rules: vec![],
                    labels: src.labels.clone(),
                    options: Default::default(),
                };
                let new_id = self.insert_volume(&mut st, &create, Some(now));
                Ok(Self::view(&st.volumes[&new_id]))
            }
        }
    }

    async fn list_restores(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<RestoreRecord>> {
        self.own(volume)?;
        let mut st = self.lock();
        Ok(Self::volume(&mut st, volume)?.restores.clone())
    }

    async fn get_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
    ) -> Result<Option<SnapshotSchedule>> {
        self.own(volume)?;
        let mut st = self.lock();
        Ok(Self::volume(&mut st, volume)?.schedule.clone())
    }

    async fn put_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        self.own(volume)?;
        self.caps.kind(VolumeKind::File)?.validate_schedule(s)?;
        let mut st = self.lock();
        Self::volume(&mut st, volume)?.schedule = Some(s.clone());
        Ok(s.clone())
    }

    async fn delete_snapshot_schedule(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<()> {
        self.own(volume)?;
        let mut st = self.lock();
        Self::volume(&mut st, volume)?.schedule = None;
        Ok(())
    }
}

#[async_trait]
impl ReplicaOps for MemoryProvider {
    async fn list_replicas(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<Replica>> {
        self.own(volume)?;
        let mut st = self.lock();
        Self::volume(&mut st, volume)?;
        let vid = volume.encode();
        Ok(st
            .replicas
            .values()
            .filter(|r| r.rep.source_volume_id == vid)
            .map(Self::rep_view)
            .collect())
    }

    async fn get_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.own(id)?;
        let st = self.lock();
        st.replicas
            .get(&id.vendor_id)
            .map(Self::rep_view)
            .ok_or_else(|| Error::not_found(ResourceType::Replica, id.encode()))
    }

    async fn create_replica(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateReplica,
    ) -> Result<Replica> {
        self.own(volume)?;
        self.caps
            .kind(VolumeKind::File)?
            .validate_replica_region(&req.destination_region)?;
        let mut st = self.lock();
        Self::settled(Self::volume(&mut st, volume)?)?;
        st.next += 1;
        let vendor_id = format!("mem-rep-{:06}", st.next);
        let rep = Replica {
            id: self
                .gid(ResourceType::Replica, &vendor_id)
                .with_parent(volume.vendor_id.clone())
                .encode(),
            provider: self.info.id.clone(),
            source_volume_id: volume.encode(),
            destination_volume_id: None,
            destination_region: req.destination_region.clone(),
            status: ReplicaStatus::Active,
            direction: ReplicaDirection::Forward,
            frequency: req.frequency.or(Some(ReplicaFrequency::Hourly)),
            last_transfer: None,
            created_at: Some(Utc::now()),
            vendor: Default::default(),
        };
        let rec = ReplicaRec {
            rep,
            ready_at: Instant::now() + self.delay,
        };
        let view = Self::rep_view(&rec);
        st.replicas.insert(vendor_id, rec);
        Ok(view)
    }

    async fn delete_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.own(id)?;
        let mut st = self.lock();
        st.replicas
            .remove(&id.vendor_id)
            .map(|_| ())
            .ok_or_else(|| Error::not_found(ResourceType::Replica, id.encode()))
    }

    async fn start_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.set_replica_status(id, ReplicaStatus::Active)
    }

    async fn stop_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.set_replica_status(id, ReplicaStatus::Paused)
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
            return Err(Error::Conflict {
                message: "the replica is still being created".into(),
            });
        }
        rec.rep.status = status;
        Ok(Self::rep_view(rec))
    }
}

impl VolumeGroupOps for MemoryProvider {}
impl BackupOps for MemoryProvider {}
impl ArchiveOps for MemoryProvider {}

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
mod tests {
    use super::*;

    const CTX: &CallCtx = &CallCtx {
        request_id: None,
        deadline: None,
        cache: strata_core::context::CachePolicy::Normal,
        principal: None,
    };

    fn create(name: &str) -> CreateVolume {
        serde_json::from_value(serde_json::json!({"provider":"m","kind":"file","name":name,"size_gib":300,"protocol":"nfs"})).unwrap()
    }

    #[tokio::test]
    async fn volume_moves_through_creating_to_available_and_is_deleted() {
        let p = MemoryProvider::new("m", "KR1", Duration::from_millis(50));
        let v = p.create_volume(CTX, &create("a")).await.unwrap();
        assert_eq!(v.status, VolumeStatus::Creating);
        let id: GlobalId = v.id.parse().unwrap();
        assert_eq!(
            p.create_snapshot(CTX, &id, &CreateSnapshot::default())
                .await
                .unwrap_err()
                .code(),
            "conflict"
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(
            p.get_volume(CTX, &id).await.unwrap().status,
            VolumeStatus::Available
        );
        p.delete_volume(CTX, &id).await.unwrap();
        assert_eq!(
            p.get_volume(CTX, &id).await.unwrap().status,
            VolumeStatus::Deleting
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(
            p.get_volume(CTX, &id).await.unwrap_err().code(),
            "volume_not_found"
        );
    }

    #[tokio::test]
    async fn refuses_what_its_capabilities_refuse() {
        let p = MemoryProvider::new("m", "KR1", Duration::ZERO);
        let e = p
            .create_volume(
                CTX,
                &CreateVolume {
                    size_gib: 150,
                    ..create("a")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("size_gib"));
        p.create_volume(CTX, &create("a")).await.unwrap();
        assert_eq!(
            p.create_volume(CTX, &create("a")).await.unwrap_err().code(),
            "conflict"
        );
        let id: GlobalId = p
            .list_volumes(
                CTX,
                &VolumeFilter::default(),
                &PageRequest {
                    page_size: 10,
                    page_token: None,
                },
            )
            .await
            .unwrap()
            .items[0]
            .id
            .parse()
            .unwrap();
        let e = p
            .create_replica(
                CTX,
                &id,
                &CreateReplica {
                    destination_region: "KR2".into(),
                    destination_name: None,
                    frequency: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("destination_region"));
        assert_eq!(
            p.reverse_replica(CTX, &id).await.unwrap_err().code(),
            "unsupported_by_provider"
        );
    }
}
