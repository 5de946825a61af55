//! Volumes of the in-memory provider.

use super::*;

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
            return Err(Error::already_exists(format!(
                "a volume named `{}` already exists",
                req.name
            )));
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
            .validate_update(Some(rec.vol.size_gib), req)?;
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
            return Err(Error::failed_precondition(
                "delete the volume's replicas first",
            ));
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
