//! Snapshots, restores and snapshot schedules of an [`NhnProvider`].

use async_trait::async_trait;
use reqwest::Method;
use serde_json::json;
use strata_core::capability::Feature;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{page_slice, Page, PageRequest};
use strata_core::provider::{SnapshotOps, VolumeOps};

use crate::wire::{self, field};
use crate::{map, NhnProvider};

#[async_trait]
impl SnapshotOps for NhnProvider {
    async fn list_snapshots(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        let vid = self.own(volume)?;
        // The vendor returns every snapshot at once; page locally.
        let body = self
            .nas(Method::GET, &["v1", "volumes", vid, "snapshots"], None)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        let raw: Vec<wire::NasSnapshot> = field(&body, "snapshots")?;
        let all: Vec<Snapshot> = raw
            .iter()
            .map(|s| map::snapshot(&self.ids, vid, s))
            .collect();
        page_slice(&all, page)
    }

    async fn get_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Snapshot> {
        let vid = self.parent(id)?;
        let body = self
            .nas(
                Method::GET,
                &["v1", "volumes", vid, "snapshots", &id.vendor_id],
                None,
            )
            .await
            .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
        Ok(map::snapshot(&self.ids, vid, &field(&body, "snapshot")?))
    }

    async fn create_snapshot(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        let vid = self.own(volume)?;
        if req.description.is_some() {
            return Err(Error::unsupported_value(
                "description",
                "NHN snapshots have no description",
            ));
        }
        let name = req
            .name
            .clone()
            .unwrap_or_else(|| format!("snap-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S")));
        if name.trim().is_empty() || name.len() > 255 || name.contains('/') {
            return Err(Error::unsupported_value(
                "name",
                "a snapshot name is 1–255 characters without `/`",
            ));
        }
        let body = self
            .nas(
                Method::POST,
                &["v1", "volumes", vid, "snapshots"],
                Some(json!({"snapshot": {"name": name}})),
            )
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        Ok(map::snapshot(&self.ids, vid, &field(&body, "snapshot")?))
    }

    async fn delete_snapshot(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let vid = self.parent(id)?;
        if self.get_snapshot(ctx, id).await?.preserved {
            return Err(Error::failed_precondition(
                "the snapshot is preserved by replication and cannot be deleted",
            ));
        }
        self.nas(
            Method::DELETE,
            &["v1", "volumes", vid, "snapshots", &id.vendor_id],
            None,
        )
        .await
        .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
        Ok(())
    }

    async fn restore_snapshot(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreSnapshot,
    ) -> Result<Volume> {
        let vid = self.parent(id)?;
        if req.mode == RestoreMode::NewVolume {
            return Err(Error::unsupported(Feature::SnapshotClone.operation()));
        }
        self.nas(
            Method::POST,
            &["v1", "volumes", vid, "snapshots", &id.vendor_id, "restore"],
            None,
        )
        .await
        .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
        self.get_volume(ctx, &self.ids.gid(ResourceType::Volume, vid))
            .await
    }

    async fn list_restores(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<RestoreRecord>> {
        let vid = self.own(volume)?;
        let mut out = Vec::new();
        for page in 1.. {
            let body = self
                .nas
                .call(
                    Method::GET,
                    &["v1", "volumes", vid, "restore-histories"],
                    &[
                        ("limit", "100".into()),
                        ("page", page.to_string()),
                        ("sort", "requestedAt:asc".into()),
                    ],
                    None,
                )
                .await
                .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
            let items: Vec<wire::RestoreHistory> = field(&body, "restoreHistories")?;
            let total = field::<wire::Paging>(&body, "paging")?.total_count;
            let empty = items.is_empty();
            out.extend(items.iter().map(|r| map::restore(&self.ids, vid, r)));
            if empty || out.len() as u64 >= total {
                break;
            }
        }
        Ok(out)
    }

    async fn get_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
    ) -> Result<Option<SnapshotSchedule>> {
        let v = self.raw_volume(self.own(volume)?).await?;
        Ok(v.snapshot_policy.as_ref().and_then(map::schedule))
    }

    async fn put_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        let vid = self.own(volume)?;
        self.patch(vid, json!({ "snapshotPolicy": map::policy(s)? }))
            .await?;
        let mut out = s.clone();
        if s.frequency == ScheduleFrequency::Daily {
            out.days.clear();
        }
        Ok(out)
    }

    async fn delete_snapshot_schedule(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<()> {
        let vid = self.own(volume)?;
        self.patch(vid, json!({"snapshotPolicy": {"schedule": null}}))
            .await
    }
}
