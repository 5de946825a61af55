//! SCP File Storage (`filestorage`) mapped onto file volumes.
//!
//! Vendor quirks handled here: capacity is elastic (no size), access rules name SCP objects
//! (VM, BM, GPU, GPU_NODE, ENDPOINT) and change one per call, snapshots are server-named,
//! a volume has several DAILY/WEEKLY schedules sharing one retention count, and a replication
//! must be paused before it can be deleted. Every mutation answers 202 without a state, so
//! the gateway settles it by polling [`FileStorage::get_volume`] (which reports `updating`
//! while access rules are still being applied).
//!
//! This module holds the thin trait impls; [`api`] the vendor calls, [`wire`] the shapes,
//! [`map`] the pure mapping and [`caps`] the capability document.

pub(crate) mod api;
pub(crate) mod caps;
pub(crate) mod map;
pub(crate) mod wire;

use async_trait::async_trait;
use serde_json::{json, Value};
use strata_core::capability::NameRules;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::{ReplicaOps, SnapshotOps, VolumeOps};

use crate::client::DEFAULT_TIMEOUT;
use crate::shared::map::volume_status;
use crate::shared::wire::decode;
use crate::shared::{
    api as shared_api, child_not_found, parent, refuse_initial_rules, VolumeService, GIB,
};
use caps::{OPT_CIFS_PASSWORD, OPT_FILE_UNIT_RECOVERY};
use map::{derived_name, frequency_wire, object_of, replica_status, schedule_of, wire_schedules};

/// Replication frequency used when the caller does not choose one.
pub(crate) const DEFAULT_REPLICA_FREQUENCY: ReplicaFrequency = ReplicaFrequency::Hourly;

/// File Storage in one region.
pub(crate) struct FileStorage {
    pub svc: VolumeService,
    pub names: NameRules,
}

impl FileStorage {
    fn map_volume(&self, v: &crate::shared::wire::Volume, raw: &Value) -> Volume {
        map::volume(&self.svc.ids, v, raw)
    }

    /// One page of the vendor's list (name-sorted), and the vendor's total.
    pub(crate) async fn page(
        &self,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Volume>, u64)> {
        self.svc
            .page(name, offset, limit, |v, raw| self.map_volume(v, raw))
            .await
    }

    async fn schedules(&self, vid: &str) -> Result<wire::ScheduleList> {
        decode(
            &api::list_schedules(&self.svc.api, vid)
                .await
                .map_err(self.svc.volume_gone(vid))?,
        )
    }

    async fn replication(&self, id: &GlobalId) -> Result<(wire::Replication, Value)> {
        let raw = api::show_replication(&self.svc.api, &id.vendor_id, parent(id)?)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Replica, id.encode()))?;
        Ok((decode(&raw)?, raw))
    }

    async fn update_replication(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        body: Value,
    ) -> Result<Replica> {
        api::update_replication(&self.svc.api, &id.vendor_id, parent(id)?, &body)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Replica, id.encode()))?;
        self.get_replica(ctx, id).await
    }

    async fn set_policy(&self, ctx: &CallCtx, id: &GlobalId, policy: &str) -> Result<Replica> {
        self.update_replication(ctx, id, api::policy_body(policy))
            .await
    }

    /// Waits (bounded) for a pause to take effect, so the delete that follows is accepted.
    async fn wait_paused(&self, id: &GlobalId) -> Result<()> {
        let deadline = std::time::Instant::now() + DEFAULT_TIMEOUT;
        loop {
            let (r, _) = self.replication(id).await?;
            if replica_status(
                r.replication_status.as_deref(),
                r.replication_policy.as_deref(),
            ) == ReplicaStatus::Paused
            {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(Error::conflict(
                    "the replication did not pause in time; try the delete again",
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

#[async_trait]
impl VolumeOps for FileStorage {
    async fn get_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Volume> {
        self.svc
            .volume(&id.vendor_id, |v, raw| self.map_volume(v, raw))
            .await
    }

    async fn create_volume(&self, _ctx: &CallCtx, req: &CreateVolume) -> Result<Volume> {
        refuse_initial_rules(&req.access_rules)?;
        let protocol = req.protocol.unwrap_or(Protocol::Nfs);
        let mut body = json!({
            "name": req.name,
            "protocol": protocol.as_str().to_ascii_uppercase(),
            "type_name": req.tier.clone().unwrap_or_else(|| "HDD".into()),
        });
        if let Some(p) = req.options.get(OPT_CIFS_PASSWORD) {
            let field = format!("options.{OPT_CIFS_PASSWORD}");
            let p = p
                .as_str()
                .ok_or_else(|| Error::unsupported_value(&field, "must be a string"))?;
            if protocol != Protocol::Cifs {
                return Err(Error::unsupported_value(
                    field,
                    "a CIFS password applies to cifs volumes only",
                ));
            }
            body["cifs_password"] = json!(p);
        }
        let raw = shared_api::create_volume(&self.svc.api, &body).await?;
        let created: crate::shared::wire::Volume = decode(&raw)?;
        // The 202 carries no state: the volume is being created.
        let mut v = self.map_volume(&created, &raw);
        v.status = VolumeStatus::Creating;
        Ok(v)
    }

    async fn update_volume(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateVolume,
    ) -> Result<Volume> {
        // A description is refused by the capability document (`descriptions: false`).
        if let Some(v) = req.options.get(OPT_FILE_UNIT_RECOVERY) {
            let on = v.as_bool().ok_or_else(|| {
                Error::unsupported_value(
                    format!("options.{OPT_FILE_UNIT_RECOVERY}"),
                    "must be `true` or `false`",
                )
            })?;
            api::set_volume(&self.svc.api, &id.vendor_id, on).await?;
        }
        if let Some(rules) = &req.access_rules {
            self.set_access_rules(ctx, id, rules).await?;
        }
        self.get_volume(ctx, id).await
    }

    async fn delete_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.svc.delete_volume(id).await
    }

    async fn get_access_rules(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<AccessRule>> {
        self.svc.access_rules(&id.vendor_id).await
    }

    /// SCP changes one rule per call: remove what is no longer wanted, then add what is new.
    async fn set_access_rules(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        rules: &[AccessRule],
    ) -> Result<Vec<AccessRule>> {
        let vid = &id.vendor_id;
        let current: Vec<(String, String)> = self
            .svc
            .live_rules(vid)
            .await?
            .into_iter()
            .map(|r| (r.object_type.to_ascii_uppercase(), r.object_id))
            .collect();
        let wanted: Vec<(String, String)> = rules.iter().map(object_of).collect();
        let removes = current
            .iter()
            .filter(|c| !wanted.contains(c))
            .map(|c| (c, "remove"));
        let adds = wanted
            .iter()
            .filter(|w| !current.contains(w))
            .map(|w| (w, "add"));
        for ((object_type, object_id), action) in removes.chain(adds).collect::<Vec<_>>() {
            let body =
                json!({"object_id": object_id, "object_type": object_type, "action": action});
            api::set_access_rule(&self.svc.api, vid, &body)
                .await
                .map_err(Error::vendor_404_as(ResourceType::Volume, id.encode()))?;
        }
        Ok(rules.to_vec())
    }

    async fn list_mount_targets(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<MountTarget>> {
        let (v, _) = self.svc.show(&id.vendor_id).await?;
        let status = volume_status(v.state.as_deref());
        Ok(vec![MountTarget {
            id: None,
            path: v.path.clone(),
            protocol: map::protocol(v.protocol.as_deref()),
            network: None,
            address: v.endpoint_path.clone(),
            status,
        }])
    }

    /// SCP reports usage in GiB and provisions nothing: the size is what is used.
    async fn get_usage(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Usage> {
        let vid = &id.vendor_id;
        let ((v, _), snaps) = futures::try_join!(self.svc.show(vid), self.svc.snapshot_list(vid))?;
        let used = v.usage.unwrap_or(0) * GIB;
        Ok(Usage {
            size_bytes: used,
            used_bytes: used,
            snapshot_bytes: snaps.snapshot_size_total_byte,
        })
    }
}

crate::shared::snapshot_ops!(FileStorage {
    /// In place: `PUT …/restore`. Into a new volume: `CreateVolume` with `snapshot_id`, same
    /// protocol and type as the source.
    async fn restore_snapshot(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreSnapshot,
    ) -> Result<Volume> {
        let vid = parent(id)?;
        let volume_gid = self.svc.ids.gid(ResourceType::Volume, vid);
        match req.mode {
            RestoreMode::InPlace => {
                api::restore_snapshot(&self.svc.api, &id.vendor_id, vid)
                    .await
                    .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
                self.get_volume(ctx, &volume_gid).await
            }
            RestoreMode::NewVolume => {
                let (src, _) = self.svc.show(vid).await?;
                let name = req
                    .volume_name
                    .clone()
                    .unwrap_or_else(|| derived_name(&src.name, "_clone"));
                self.names.check("volume_name", &name)?;
                let body = json!({
                    "name": name,
                    "protocol": src.protocol.clone().unwrap_or_else(|| "NFS".into()),
                    "type_name": src.type_name.clone().unwrap_or_else(|| "HDD".into()),
                    "snapshot_id": id.vendor_id,
                });
                let raw = shared_api::create_volume(&self.svc.api, &body)
                    .await
                    .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
                let mut v = self.map_volume(&decode(&raw)?, &raw);
                v.status = VolumeStatus::Creating;
                Ok(v)
            }
        }
    }

    async fn get_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
    ) -> Result<Option<SnapshotSchedule>> {
        Ok(schedule_of(&self.schedules(&volume.vendor_id).await?))
    }

    /// Rewrites the volume's vendor schedules in place, creating or deleting the difference;
    /// the retention count travels with every write (SCP keeps one per volume).
    async fn put_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        let vid = &volume.vendor_id;
        let current = self.schedules(vid).await?.snapshot_schedule;
        let wanted = wire_schedules(s);
        let retention = s.retention_count;
        for (i, want) in wanted.iter().enumerate() {
            let mut body = json!({"snapshot_schedule": want});
            if let Some(n) = retention {
                body["snapshot_retention_count"] = json!(n);
            }
            match current.get(i).and_then(|c| c.id.as_deref()) {
                Some(sid) => {
                    api::update_schedule(&self.svc.api, sid, vid, &body).await?;
                }
                None => {
                    body["volume_id"] = json!(vid);
                    api::create_schedule(&self.svc.api, &body).await?;
                }
            }
        }
        for extra in current
            .iter()
            .skip(wanted.len())
            .filter_map(|c| c.id.as_deref())
        {
            api::delete_schedule(&self.svc.api, extra, vid).await?;
        }
        let mut out = s.clone();
        if out.frequency == ScheduleFrequency::Daily {
            out.days.clear();
        }
        out.days.sort();
        out.days.dedup();
        Ok(out)
    }

    async fn delete_snapshot_schedule(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<()> {
        let vid = &volume.vendor_id;
        let current = self.schedules(vid).await?.snapshot_schedule;
        if current.is_empty() {
            return Err(Error::not_found(
                ResourceType::Volume,
                format!("{}/snapshot-schedule", volume.encode()),
            ));
        }
        for sid in current.iter().filter_map(|c| c.id.as_deref()) {
            api::delete_schedule(&self.svc.api, sid, vid).await?;
        }
        Ok(())
    }
});

#[async_trait]
impl ReplicaOps for FileStorage {
    async fn list_replicas(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<Replica>> {
        let vid = &volume.vendor_id;
        let raw = api::list_replications(&self.svc.api, vid)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        let ids: Vec<String> = raw["replications"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["replication_id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        // List items carry no status: show each one.
        let shown = futures::future::try_join_all(ids.iter().map(|rid| {
            let gid = self
                .svc
                .ids
                .gid(ResourceType::Replica, rid)
                .with_parent(vid.as_str());
            async move { self.replication(&gid).await }
        }))
        .await?;
        Ok(shown
            .iter()
            .map(|(r, raw)| map::replica(&self.svc.ids, vid, r, raw))
            .collect())
    }

    async fn get_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        let (r, raw) = self
            .replication(id)
            .await
            .map_err(child_not_found(ResourceType::Replica, id))?;
        Ok(map::replica(&self.svc.ids, parent(id)?, &r, &raw))
    }

    /// Checks the target against the vendor's region lookup for the source's type, then
    /// creates a continuously synced replica volume there.
    async fn create_replica(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateReplica,
    ) -> Result<Replica> {
        let vid = &volume.vendor_id;
        let (src, _) = self.svc.show(vid).await?;
        let name = req
            .destination_name
            .clone()
            .unwrap_or_else(|| derived_name(&src.name, "_replica"));
        self.names.check("destination_name", &name)?;
        // The lookup knows only HDD and SSD; the performance tier replicates like SSD.
        let type_name = match src.type_name.as_deref() {
            Some("HDD") | None => "HDD",
            Some(_) => "SSD",
        };
        let regions =
            api::replication_regions(&self.svc.api, &self.svc.ids.region, type_name).await?;
        let allowed: Vec<&str> = regions["regions"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !allowed.contains(&req.destination_region.as_str()) {
            return Err(Error::unsupported_value(
                "destination_region",
                format!(
                    "SCP does not replicate {type_name} volumes from {} to `{}` (allowed: {})",
                    self.svc.ids.region,
                    req.destination_region,
                    allowed.join(", ")
                ),
            ));
        }
        let body = json!({
            "name": name,
            "replication_frequency": frequency_wire(req.frequency.unwrap_or(DEFAULT_REPLICA_FREQUENCY)),
            "region": req.destination_region,
            "volume_id": vid,
            "replication_type": "replication",
        });
        let raw = api::create_replication(&self.svc.api, &body)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        let created = wire::Replication {
            replication_frequency: Some(
                frequency_wire(req.frequency.unwrap_or(DEFAULT_REPLICA_FREQUENCY)).into(),
            ),
            ..decode(&raw)?
        };
        Ok(map::replica(&self.svc.ids, vid, &created, &raw))
    }

    async fn update_replica(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateReplica,
    ) -> Result<Replica> {
        match req.frequency {
            Some(f) => {
                self.update_replication(ctx, id, json!({"replication_update_type": "modify_schedule", "replication_frequency": frequency_wire(f)}))
                    .await
            }
            None => self.get_replica(ctx, id).await,
        }
    }

    /// SCP deletes only paused replications: pause first when needed.
    async fn delete_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let (r, _) = self
            .replication(id)
            .await
            .map_err(child_not_found(ResourceType::Replica, id))?;
        let status = replica_status(
            r.replication_status.as_deref(),
            r.replication_policy.as_deref(),
        );
        if status != ReplicaStatus::Paused {
            if r.replication_policy.as_deref() != Some("paused") {
                self.set_policy(ctx, id, "paused").await?;
            }
            self.wait_paused(id).await?;
        }
        api::delete_replication(&self.svc.api, &id.vendor_id, parent(id)?)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Replica, id.encode()))?;
        Ok(())
    }

    async fn start_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.set_policy(ctx, id, "use").await
    }

    async fn stop_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.set_policy(ctx, id, "paused").await
    }
}
