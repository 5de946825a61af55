//! Snapshots, restores and schedules of the in-memory provider.

use super::*;

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
            Some(s) if s.snap.preserved => Err(Error::failed_precondition(
                "preserved snapshots cannot be deleted",
            )),
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
            return Err(Error::conflict("the snapshot is not available yet"));
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
                    attachments: vec![],
                    qos: None,
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
