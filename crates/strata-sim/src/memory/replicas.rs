//! Replicas of the in-memory provider.

use super::*;

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
