//! Block volume snapshots, restores, recoveries and snapshot schedules.

use async_trait::async_trait;
use strata_core::capability::Feature;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{page_slice, Page, PageRequest};
use strata_core::provider::SnapshotOps;

use super::{api, map, wire, BlockStorage};
use crate::shared::wire::decode;
use crate::shared::{child_not_found, parent, refuse_description};

impl BlockStorage {
    /// List Volume Snapshots of `vid` (every snapshot at once); a 404 means the volume is gone.
    async fn snapshot_list(&self, vid: &str) -> Result<Vec<Snapshot>> {
        let raw = api::list_snapshots(&self.api, vid)
            .await
            .map_err(self.volume_gone(vid))?;
        let list: wire::SnapshotList = decode(&raw)?;
        Ok(list
            .snapshots
            .iter()
            .map(|s| map::snapshot(&self.ids, vid, s))
            .collect())
    }

    /// The name of a recovery volume: the request's, or `<source>-rec` fitted to the rules.
    fn recovery_name(&self, asked: Option<&str>, source: &str) -> Result<String> {
        let name = asked.map_or_else(|| map::derived_name("", source, "-rec"), str::to_string);
        self.check_name("volume_name", &name)?;
        Ok(name)
    }
}

#[async_trait]
impl SnapshotOps for BlockStorage {
    /// The vendor does not page snapshots: paged here, the token an offset.
    async fn list_snapshots(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        page_slice(&self.snapshot_list(&volume.vendor_id).await?, page)
    }

    /// There is no Show Snapshot: found in its volume's list.
    async fn get_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Snapshot> {
        let vid = parent(id)?;
        let all = self
            .snapshot_list(vid)
            .await
            .map_err(child_not_found(ResourceType::Snapshot, id))?;
        let want = id.encode();
        all.into_iter()
            .find(|s| s.id == want)
            .ok_or_else(|| Error::not_found(ResourceType::Snapshot, want))
    }

    /// Needs a snapshot reserve (the vendor's snapshot rate): refused before the call
    /// without one. The vendor names the snapshot.
    async fn create_snapshot(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        refuse_description(req.description.as_deref())?;
        let vid = &volume.vendor_id;
        let (v, _) = self.show(vid).await?;
        if v.snapshot_rate.unwrap_or(0) == 0 {
            return Err(Error::failed_precondition(format!(
                "the volume has no snapshot reserve: set a snapshot reserve first: PUT /v1/volumes/{}/snapshot-reserve",
                volume.encode()
            )));
        }
        let raw = api::create_snapshot(&self.api, vid)
            .await
            .map_err(self.volume_gone(vid))?;
        let created = map::snapshot(&self.ids, vid, &decode(&raw)?);
        // The answer has no date or size: the list has them.
        Ok(self
            .snapshot_list(vid)
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|s| s.id == created.id))
            .unwrap_or(created))
    }

    async fn delete_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        api::delete_snapshot(&self.api, parent(id)?, &id.vendor_id)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
        Ok(())
    }

    /// In place: Restore Volume Snapshot (synchronous), then the volume. Into a new volume
    /// (1.1+): Create Volume Recovery, then the new volume.
    async fn restore_snapshot(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreSnapshot,
    ) -> Result<Volume> {
        let vid = parent(id)?;
        let gone = Error::vendor_404_as(ResourceType::Snapshot, id.encode());
        match req.mode {
            RestoreMode::InPlace => {
                api::restore_snapshot(&self.api, vid, &id.vendor_id)
                    .await
                    .map_err(gone)?;
                self.read(vid).await
            }
            RestoreMode::NewVolume => {
                self.need(self.version.has_recovery(), Feature::SnapshotClone)?;
                let (src, _) = self
                    .show(vid)
                    .await
                    .map_err(child_not_found(ResourceType::Snapshot, id))?;
                let name = self.recovery_name(
                    req.volume_name.as_deref(),
                    src.name.as_deref().unwrap_or("volume"),
                )?;
                let raw = api::create_recovery(&self.api, vid, &name, &id.vendor_id)
                    .await
                    .map_err(gone)?;
                let new = Self::resource_id(&raw)?;
                self.read_new(&new, &name, src.disk_type.as_deref()).await
            }
        }
    }

    /// From Show Volume's `snapshot_schedule` (`NONE` or absent: no schedule).
    async fn get_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
    ) -> Result<Option<SnapshotSchedule>> {
        let (v, _) = self.show(&volume.vendor_id).await?;
        Ok(map::schedule(v.snapshot_schedule.as_ref()))
    }

    /// Create when the volume has none, else Set.
    async fn put_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        let vid = &volume.vendor_id;
        let body = map::schedule_body(s)?;
        let (v, _) = self.show(vid).await?;
        let create = map::schedule(v.snapshot_schedule.as_ref()).is_none();
        let raw = api::put_schedule(&self.api, vid, create, &body)
            .await
            .map_err(self.volume_gone(vid))?;
        let answered: wire::Schedule = decode(&raw)?;
        Ok(map::schedule(Some(&answered)).unwrap_or_else(|| normalized(s)))
    }

    /// Idempotent: no schedule is already done.
    async fn delete_snapshot_schedule(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<()> {
        let vid = &volume.vendor_id;
        let (v, _) = self.show(vid).await?;
        if map::schedule(v.snapshot_schedule.as_ref()).is_none() {
            return Ok(());
        }
        api::delete_schedule(&self.api, vid)
            .await
            .map_err(self.volume_gone(vid))?;
        Ok(())
    }
}

/// A schedule as the vendor keeps it: on the hour, Korean time, no days when daily.
pub(crate) fn normalized(s: &SnapshotSchedule) -> SnapshotSchedule {
    let mut out = s.clone();
    out.minute = 0;
    out.retention_count = None;
    out.timezone = super::caps::SCHEDULE_TIMEZONE.into();
    if out.frequency == ScheduleFrequency::Daily {
        out.days.clear();
    }
    out
}
