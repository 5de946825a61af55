//! Volume groups (the vendor's consistency groups): list, show, create, members, group
//! snapshots (with restore in place and recovery into a new group), the group snapshot
//! schedule and group replication. The vendor cannot delete, rename or update a group.

use async_trait::async_trait;
use serde_json::{json, Value};
use strata_core::capability::Feature;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{page_slice, Page, PageRequest};
use strata_core::provider::VolumeGroupOps;

use super::replication::DEFAULT_FREQUENCY;
use super::snapshots::normalized;
use super::{api, map, wire, BlockStorage};
use crate::shared::wire::decode;
use crate::shared::{child_not_found, parent};

/// Largest vendor page asked for.
const MAX_PAGE: u32 = 100;

impl BlockStorage {
    fn group_gone(&self, gid: &str) -> impl FnOnce(Error) -> Error {
        Error::vendor_404_as(ResourceType::VolumeGroup, map::group_id(&self.ids, gid))
    }

    /// The error of a group without a replication: `replica_not_found`, naming
    /// `<group id>/replica`.
    fn group_replica_gone(&self, gid: &str) -> Error {
        Error::not_found(
            ResourceType::Replica,
            format!("{}/replica", map::group_id(&self.ids, gid)),
        )
    }

    /// Show Volume Group: the decoded model and the raw `result`; `DELETED` is not found.
    async fn show_group(&self, gid: &str) -> Result<(wire::Group, Value)> {
        let raw = api::show_group(&self.api, gid)
            .await
            .map_err(self.group_gone(gid))?;
        let model = wire::result(&raw).clone();
        let g: wire::Group = decode(&model)?;
        if g.state == Some(wire::GroupState::Deleted) {
            return Err(Error::not_found(
                ResourceType::VolumeGroup,
                map::group_id(&self.ids, gid),
            ));
        }
        Ok((g, model))
    }

    async fn read_group(&self, gid: &str) -> Result<VolumeGroup> {
        let (g, raw) = self.show_group(gid).await?;
        Ok(map::group(&self.ids, &g, &raw))
    }

    /// A group just accepted: as read, or `creating` while Show does not know it yet.
    async fn read_new_group(
        &self,
        gid: &str,
        name: &str,
        members: &[String],
    ) -> Result<VolumeGroup> {
        match self.read_group(gid).await {
            Err(Error::NotFound { .. }) => {
                let g = wire::Group {
                    id: gid.into(),
                    name: Some(name.into()),
                    state: Some(wire::GroupState::Creating),
                    ..Default::default()
                };
                let mut group = map::group(&self.ids, &g, &Value::Null);
                group.volume_ids = members.to_vec();
                Ok(group)
            }
            other => other,
        }
    }

    /// Every group snapshot of `gid` (not paged by the vendor).
    async fn group_snapshot_list(&self, gid: &str) -> Result<Vec<GroupSnapshot>> {
        let raw = api::list_group_snapshots(&self.api, gid)
            .await
            .map_err(self.group_gone(gid))?;
        let list: wire::SnapshotList = decode(&raw)?;
        Ok(list
            .snapshots
            .iter()
            .map(|s| map::group_snapshot(&self.ids, gid, s))
            .collect())
    }

    /// Checks that `<prefix><member name>` fits the volume name rules for every member.
    fn check_prefix(&self, field: &str, prefix: &str, g: &wire::Group) -> Result<()> {
        for m in &g.member_volumes {
            let name = format!("{prefix}{}", m.name.as_deref().unwrap_or(""));
            self.names.check(field, &name).map_err(|_| {
                Error::unsupported_value(
                    field,
                    format!(
                        "`{prefix}` would name member `{}` `{name}`, which breaks the volume name rule: {}",
                        m.name.as_deref().unwrap_or(&m.id),
                        self.names.description
                    ),
                )
            })?;
        }
        Ok(())
    }

    async fn group_replication(&self, gid: &str) -> Result<GroupReplica> {
        let raw = match api::show_group_replication(&self.api, gid).await {
            Err(Error::VendorRejected {
                vendor_status: 404, ..
            }) => return Err(self.group_replica_gone(gid)),
            other => other?,
        };
        let r: wire::Replication = decode(wire::result(&raw))?;
        Ok(map::group_replica(&self.ids, gid, &r, &raw))
    }

    async fn group_policy(&self, gid: &str, policy: &str) -> Result<GroupReplica> {
        match api::set_group_policy(&self.api, gid, policy).await {
            Err(Error::VendorRejected {
                vendor_status: 404, ..
            }) => return Err(self.group_replica_gone(gid)),
            other => other?,
        };
        self.group_replication(gid).await
    }

    async fn set_members(
        &self,
        id: &GlobalId,
        action: &str,
        volumes: &[GlobalId],
    ) -> Result<VolumeGroup> {
        let gid = &id.vendor_id;
        let vids: Vec<&str> = volumes.iter().map(|v| v.vendor_id.as_str()).collect();
        api::members(&self.api, gid, action, &vids)
            .await
            .map_err(self.group_gone(gid))?;
        self.read_group(gid).await
    }
}

#[async_trait]
impl VolumeGroupOps for BlockStorage {
    /// One vendor page from the token's offset; List items carry no members, so each group
    /// of the page is shown (a group gone meanwhile is left out).
    async fn list_volume_groups(
        &self,
        _ctx: &CallCtx,
        name: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<VolumeGroup>> {
        let offset: u64 = match &page.page_token {
            None => 0,
            Some(t) => t.parse().map_err(|_| Error::InvalidPageToken)?,
        };
        let limit = page.page_size.clamp(1, MAX_PAGE);
        let raw = api::list_groups(&self.api, name, offset, limit).await?;
        let items: Vec<wire::Group> = raw["volume_groups"]
            .as_array()
            .map(|a| a.iter().filter_map(|g| decode(g).ok()).collect())
            .unwrap_or_default();
        let got = items.len() as u64;
        let total = wire::count(&raw["total_count"]).unwrap_or(offset + got);
        let shown = futures::future::join_all(items.iter().map(|g| self.read_group(&g.id))).await;
        let mut groups = vec![];
        for g in shown {
            match g {
                Ok(g) => groups.push(g),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let next = offset + got;
        Ok(Page {
            items: groups,
            next_page_token: (got > 0 && next < total).then(|| next.to_string()),
        })
    }

    async fn get_volume_group(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<VolumeGroup> {
        self.read_group(&id.vendor_id).await
    }

    /// `{name, volume_ids}` (tags never: labels are refused by the document).
    async fn create_volume_group(
        &self,
        _ctx: &CallCtx,
        req: &CreateVolumeGroup,
        volumes: &[GlobalId],
    ) -> Result<VolumeGroup> {
        let vids: Vec<&str> = volumes.iter().map(|v| v.vendor_id.as_str()).collect();
        let raw = api::create_group(&self.api, &req.name, &vids).await?;
        let gid = Self::resource_id(&raw)?;
        let members: Vec<String> = volumes.iter().map(GlobalId::encode).collect();
        self.read_new_group(&gid, &req.name, &members).await
    }

    async fn add_group_members(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        volumes: &[GlobalId],
    ) -> Result<VolumeGroup> {
        self.set_members(id, "add", volumes).await
    }

    async fn remove_group_members(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        volumes: &[GlobalId],
    ) -> Result<VolumeGroup> {
        self.set_members(id, "remove", volumes).await
    }

    async fn list_group_snapshots(
        &self,
        _ctx: &CallCtx,
        group: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<GroupSnapshot>> {
        page_slice(&self.group_snapshot_list(&group.vendor_id).await?, page)
    }

    async fn get_group_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<GroupSnapshot> {
        let all = self
            .group_snapshot_list(parent(id)?)
            .await
            .map_err(child_not_found(ResourceType::GroupSnapshot, id))?;
        let want = id.encode();
        all.into_iter()
            .find(|s| s.id == want)
            .ok_or_else(|| Error::not_found(ResourceType::GroupSnapshot, want))
    }

    /// Synchronous; the answer has no date, the list has it.
    async fn create_group_snapshot(
        &self,
        _ctx: &CallCtx,
        group: &GlobalId,
    ) -> Result<GroupSnapshot> {
        let gid = &group.vendor_id;
        let raw = api::create_group_snapshot(&self.api, gid)
            .await
            .map_err(self.group_gone(gid))?;
        let created = map::group_snapshot(&self.ids, gid, &decode(&raw)?);
        Ok(self
            .group_snapshot_list(gid)
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|s| s.id == created.id))
            .unwrap_or(created))
    }

    async fn delete_group_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        api::delete_group_snapshot(&self.api, parent(id)?, &id.vendor_id)
            .await
            .map_err(Error::vendor_404_as(
                ResourceType::GroupSnapshot,
                id.encode(),
            ))?;
        Ok(())
    }

    /// In place: Restore Volume Group Snapshot, then the group. Into a new group (1.1+):
    /// Create Volume Group Recovery with the member name prefix (`rec-` by default), then
    /// the new group.
    async fn restore_group_snapshot(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreGroupSnapshot,
    ) -> Result<VolumeGroup> {
        let gid = parent(id)?;
        let gone = Error::vendor_404_as(ResourceType::GroupSnapshot, id.encode());
        match req.mode {
            GroupRestoreMode::InPlace => {
                api::restore_group_snapshot(&self.api, gid, &id.vendor_id)
                    .await
                    .map_err(gone)?;
                self.read_group(gid).await
            }
            GroupRestoreMode::NewGroup => {
                self.need(self.version.has_recovery(), Feature::GroupClone)?;
                let (g, _) = self
                    .show_group(gid)
                    .await
                    .map_err(child_not_found(ResourceType::GroupSnapshot, id))?;
                let prefix = req.volume_name_prefix.as_deref().unwrap_or("rec-");
                self.check_prefix("volume_name_prefix", prefix, &g)?;
                let raw = api::create_group_recovery(&self.api, gid, prefix, &id.vendor_id)
                    .await
                    .map_err(gone)?;
                let new = Self::resource_id(&raw)?;
                let name = format!("{prefix}{}", g.name.as_deref().unwrap_or(""));
                self.read_new_group(&new, &name, &[]).await
            }
        }
    }

    async fn get_group_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        group: &GlobalId,
    ) -> Result<Option<SnapshotSchedule>> {
        let (g, _) = self.show_group(&group.vendor_id).await?;
        Ok(map::schedule(g.snapshot_schedule.as_ref()))
    }

    /// Create when the group has none, else Set.
    async fn put_group_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        group: &GlobalId,
        s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        let gid = &group.vendor_id;
        let body = map::schedule_body(s)?;
        let (g, _) = self.show_group(gid).await?;
        let create = map::schedule(g.snapshot_schedule.as_ref()).is_none();
        let raw = api::put_group_schedule(&self.api, gid, create, &body)
            .await
            .map_err(self.group_gone(gid))?;
        let answered: wire::Schedule = decode(&raw)?;
        Ok(map::schedule(Some(&answered)).unwrap_or_else(|| normalized(s)))
    }

    /// Idempotent: no schedule is already done.
    async fn delete_group_snapshot_schedule(&self, _ctx: &CallCtx, group: &GlobalId) -> Result<()> {
        let gid = &group.vendor_id;
        let (g, _) = self.show_group(gid).await?;
        if map::schedule(g.snapshot_schedule.as_ref()).is_none() {
            return Ok(());
        }
        api::delete_group_schedule(&self.api, gid)
            .await
            .map_err(self.group_gone(gid))?;
        Ok(())
    }

    /// `replica_not_found` (naming `<group id>/replica`) when the group has none.
    async fn get_group_replica(&self, _ctx: &CallCtx, group: &GlobalId) -> Result<GroupReplica> {
        self.group_replication(&group.vendor_id).await
    }

    /// `{cycle, name (<group>-dr), region, replication_volume_name_prefix (dr-)}`.
    async fn create_group_replica(
        &self,
        _ctx: &CallCtx,
        group: &GlobalId,
        req: &CreateGroupReplica,
    ) -> Result<GroupReplica> {
        let gid = &group.vendor_id;
        let (g, _) = self.show_group(gid).await?;
        let name = match &req.destination_name {
            Some(n) => n.clone(),
            None => map::derived_name("", g.name.as_deref().unwrap_or("group"), "-dr"),
        };
        self.check_name("destination_name", &name)?;
        let prefix = req.volume_name_prefix.as_deref().unwrap_or("dr-");
        self.check_prefix("volume_name_prefix", prefix, &g)?;
        let frequency = req.frequency.unwrap_or(DEFAULT_FREQUENCY);
        let body = json!({
            "cycle": map::cycle_wire(frequency),
            "name": name,
            "region": req.destination_region,
            "replication_volume_name_prefix": prefix,
        });
        api::create_group_replication(&self.api, gid, &body)
            .await
            .map_err(self.group_gone(gid))?;
        match self.group_replication(gid).await {
            Err(Error::NotFound { .. }) => Ok(GroupReplica {
                volume_group_id: group.encode(),
                provider: self.ids.provider.clone(),
                destination_group_id: None,
                destination_region: req.destination_region.clone(),
                status: ReplicaStatus::Creating,
                frequency: Some(frequency),
                vendor: Default::default(),
            }),
            other => other,
        }
    }

    /// Set Volume Group Replication Cycle.
    async fn update_group_replica(
        &self,
        _ctx: &CallCtx,
        group: &GlobalId,
        req: &UpdateReplica,
    ) -> Result<GroupReplica> {
        let gid = &group.vendor_id;
        if let Some(f) = req.frequency {
            match api::set_group_cycle(&self.api, gid, map::cycle_wire(f)).await {
                Err(Error::VendorRejected {
                    vendor_status: 404, ..
                }) => return Err(self.group_replica_gone(gid)),
                other => other?,
            };
        }
        self.group_replication(gid).await
    }

    /// Synchronous (200 `{result}`), unlike a volume's.
    async fn delete_group_replica(&self, _ctx: &CallCtx, group: &GlobalId) -> Result<()> {
        let gid = &group.vendor_id;
        let raw = match api::delete_group_replication(&self.api, gid).await {
            Err(Error::VendorRejected {
                vendor_status: 404, ..
            }) => return Err(self.group_replica_gone(gid)),
            other => other?,
        };
        let outcome: wire::Outcome = decode(&raw)?;
        if outcome.result == Some(false) {
            return Err(Error::VendorFailed {
                vendor_status: Some(200),
                vendor_code: None,
                message: "the vendor answered that the group replication was not deleted".into(),
            });
        }
        Ok(())
    }

    /// Policy `RESYNC`.
    async fn start_group_replica(&self, _ctx: &CallCtx, group: &GlobalId) -> Result<GroupReplica> {
        self.group_policy(&group.vendor_id, "RESYNC").await
    }

    /// Policy `BREAK`: the destination group becomes writable.
    async fn stop_group_replica(&self, _ctx: &CallCtx, group: &GlobalId) -> Result<GroupReplica> {
        self.group_policy(&group.vendor_id, "BREAK").await
    }
}
