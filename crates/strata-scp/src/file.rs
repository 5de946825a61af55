//! SCP File Storage (`filestorage`) mapped onto file volumes.
//!
//! Vendor quirks handled here: capacity is elastic (no size), access rules name SCP objects
//! (VM, BM, GPU, GPU_NODE, ENDPOINT) and change one per call, snapshots are server-named,
//! a volume has several DAILY/WEEKLY schedules sharing one retention count, and a replication
//! must be paused before it can be deleted. Every mutation answers 202 without a state, so
//! the gateway settles it by polling [`FileStorage::get_volume`] (which reports `updating`
//! while access rules are still being applied).

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};
use strata_core::capability::NameRules;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::{ReplicaOps, SnapshotOps, VolumeOps};

use crate::common::{
    child_not_found, parent, refuse_description, refuse_initial_rules, vendor_fields,
    volume_status, Service,
};
use crate::wire::{self, decode, time};
use crate::{GIB, OPT_CIFS_PASSWORD};

const KIND: VolumeKind = VolumeKind::File;
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/// Replication frequency used when the caller does not choose one.
pub(crate) const DEFAULT_REPLICA_FREQUENCY: ReplicaFrequency = ReplicaFrequency::Hourly;

pub(crate) struct FileStorage {
    pub svc: Service,
    pub names: NameRules,
}

fn protocol(p: Option<&str>) -> Option<Protocol> {
    match p?.to_ascii_uppercase().as_str() {
        "NFS" => Some(Protocol::Nfs),
        "CIFS" => Some(Protocol::Cifs),
        _ => None,
    }
}

fn frequency_wire(f: ReplicaFrequency) -> &'static str {
    match f {
        ReplicaFrequency::FiveMinutes => "5min",
        ReplicaFrequency::Hourly => "hourly",
        ReplicaFrequency::Daily => "daily",
        ReplicaFrequency::Weekly => "weekly",
        ReplicaFrequency::Monthly => "monthly",
    }
}

fn frequency(s: Option<&str>) -> Option<ReplicaFrequency> {
    Some(match s? {
        "5min" => ReplicaFrequency::FiveMinutes,
        "hourly" => ReplicaFrequency::Hourly,
        "daily" => ReplicaFrequency::Daily,
        "weekly" => ReplicaFrequency::Weekly,
        "monthly" => ReplicaFrequency::Monthly,
        _ => return None,
    })
}

/// Replica status from SCP's open `replication_status` and its `use`/`paused` policy.
fn replica_status(status: Option<&str>, policy: Option<&str>) -> ReplicaStatus {
    let status = status.unwrap_or("").to_ascii_lowercase();
    match status.as_str() {
        "creating" => ReplicaStatus::Creating,
        "updating" => ReplicaStatus::Updating,
        "deleting" => ReplicaStatus::Deleting,
        "error" | "failed" => ReplicaStatus::Error,
        _ if policy == Some("paused") || status == "paused" => ReplicaStatus::Paused,
        "active" | "running" | "completed" | "available" | "use" => ReplicaStatus::Active,
        _ => ReplicaStatus::Unknown,
    }
}

/// The vendor schedules that express one neutral schedule: one DAILY, or one WEEKLY per day.
pub(crate) fn wire_schedules(s: &SnapshotSchedule) -> Vec<Value> {
    let hour = s.hour.to_string();
    match s.frequency {
        ScheduleFrequency::Daily => vec![json!({"frequency": "DAILY", "hour": hour})],
        ScheduleFrequency::Weekly => {
            let mut days = s.days.clone();
            days.sort();
            days.dedup();
            days.iter()
                .map(|d| json!({"frequency": "WEEKLY", "day_of_week": DAYS[usize::from(d.number_from_sunday())], "hour": hour}))
                .collect()
        }
    }
}

/// The neutral schedule of a volume's vendor schedules (`None` when it has none). A DAILY
/// schedule wins over WEEKLY ones; the hour is the first schedule's.
pub(crate) fn schedule_of(list: &wire::ScheduleList) -> Option<SnapshotSchedule> {
    let first = list.snapshot_schedule.first()?;
    let daily = list
        .snapshot_schedule
        .iter()
        .find(|s| s.frequency.eq_ignore_ascii_case("DAILY"));
    let mut days: Vec<Weekday> = list
        .snapshot_schedule
        .iter()
        .filter_map(|s| s.day_of_week.as_deref())
        .filter_map(|d| DAYS.iter().position(|x| x.eq_ignore_ascii_case(d)))
        .filter_map(|i| Weekday::from_number_from_sunday(i as u8))
        .collect();
    days.sort();
    days.dedup();
    Some(SnapshotSchedule {
        frequency: if daily.is_some() {
            ScheduleFrequency::Daily
        } else {
            ScheduleFrequency::Weekly
        },
        days: if daily.is_some() { vec![] } else { days },
        hour: daily.unwrap_or(first).hour,
        minute: 0,
        timezone: crate::SCHEDULE_TIMEZONE.into(),
        retention_count: list
            .snapshot_retention_count
            .filter(|n| *n > 0)
            .map(|n| n as u32),
    })
}

/// A neutral `server` rule as the vendor's (object type, object id).
fn object_of(r: &AccessRule) -> (String, String) {
    (
        r.server_type
            .as_deref()
            .unwrap_or("vm")
            .to_ascii_uppercase(),
        r.value.clone(),
    )
}

/// A name for a volume derived from another, within SCP's 21 characters.
fn derived_name(base: &str, suffix: &str) -> String {
    let keep = 21usize.saturating_sub(suffix.len());
    format!("{}{suffix}", &base[..base.len().min(keep)])
}

impl FileStorage {
    fn map_volume(&self, v: &wire::Volume, raw: &Value) -> Volume {
        Volume {
            id: self.svc.ids.volume(&v.id),
            provider: self.svc.ids.provider.clone(),
            kind: KIND,
            name: v.name.clone(),
            description: None,
            status: volume_status(v.state.as_deref()),
            size_gib: 0,
            protocol: protocol(v.protocol.as_deref()),
            tier: v.type_name.clone(),
            encrypted: v.encryption_enabled.unwrap_or(false),
            region: self.svc.ids.region.clone(),
            zone: None,
            labels: Default::default(),
            created_at: time(&v.created_at),
            updated_at: None,
            vendor: vendor_fields(
                raw,
                &[
                    "id",
                    "name",
                    "created_at",
                    "encryption_enabled",
                    "type_name",
                ],
            ),
        }
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
        self.svc
            .list_under(&["v1", "snapshot-schedules"], vid)
            .await
    }

    fn map_replica(&self, vid: &str, r: &wire::Replication, raw: &Value) -> Replica {
        let src_region = r
            .source_volume_region
            .clone()
            .unwrap_or_else(|| self.svc.ids.region.clone());
        let dst_region = r.replication_volume_region.clone().unwrap_or_default();
        Replica {
            id: self
                .svc
                .ids
                .child(ResourceType::Replica, vid, &r.replication_id),
            provider: self.svc.ids.provider.clone(),
            source_volume_id: self.svc.ids.volume_in(&src_region, &r.source_volume_id),
            destination_volume_id: Some(
                self.svc
                    .ids
                    .volume_in(&dst_region, &r.replication_volume_id),
            ),
            destination_region: dst_region,
            status: replica_status(
                r.replication_status.as_deref(),
                r.replication_policy.as_deref(),
            ),
            direction: ReplicaDirection::Forward,
            frequency: frequency(r.replication_frequency.as_deref()),
            last_transfer: None,
            created_at: None,
            vendor: vendor_fields(raw, &["replication_id", "replication_frequency"]),
        }
    }

    async fn replication(&self, id: &GlobalId) -> Result<(wire::Replication, Value)> {
        let path = ["v1", "replications", &id.vendor_id];
        let raw = self
            .svc
            .child_call(Method::GET, &path, id, ResourceType::Replica, None)
            .await?;
        Ok((decode(&raw)?, raw))
    }

    async fn update_replication(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        body: Value,
    ) -> Result<Replica> {
        let path = ["v1", "replications", &id.vendor_id];
        self.svc
            .child_call(Method::PUT, &path, id, ResourceType::Replica, Some(&body))
            .await?;
        self.get_replica(ctx, id).await
    }

    async fn set_policy(&self, ctx: &CallCtx, id: &GlobalId, policy: &str) -> Result<Replica> {
        self.update_replication(
            ctx,
            id,
            json!({"replication_update_type": "policy", "replication_policy": policy}),
        )
        .await
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
        refuse_description(req.description.as_deref())?;
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
                .ok_or_else(|| Error::invalid(&field, "must be a string"))?;
            if protocol != Protocol::Cifs {
                return Err(Error::invalid(
                    field,
                    "a CIFS password applies to cifs volumes only",
                ));
            }
            body["cifs_password"] = json!(p);
        }
        let raw = self
            .svc
            .api
            .call(Method::POST, &["v1", "volumes"], &[], Some(&body))
            .await?;
        let created: wire::Volume = decode(&raw)?;
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
        refuse_description(req.description.as_deref())?;
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
        let path = ["v1", "volumes", vid, "access-rules"];
        for ((object_type, object_id), action) in removes.chain(adds).collect::<Vec<_>>() {
            let body =
                json!({"object_id": object_id, "object_type": object_type, "action": action});
            self.svc
                .api
                .call(Method::PUT, &path, &[], Some(&body))
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
            protocol: protocol(v.protocol.as_deref()),
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

#[async_trait]
impl SnapshotOps for FileStorage {
    async fn list_snapshots(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        self.svc.list_snapshots(volume, page).await
    }

    async fn get_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Snapshot> {
        self.svc.get_snapshot(id).await
    }

    async fn create_snapshot(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        self.svc.create_snapshot(volume, req).await
    }

    async fn delete_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.svc.delete_snapshot(id).await
    }

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
                let path = ["v1", "snapshots", &id.vendor_id, "restore"];
                self.svc
                    .child_call(Method::PUT, &path, id, ResourceType::Snapshot, None)
                    .await?;
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
                let raw = self
                    .svc
                    .api
                    .call(Method::POST, &["v1", "volumes"], &[], Some(&body))
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
        let q = [("volume_id", vid.to_string())];
        for (i, want) in wanted.iter().enumerate() {
            let mut body = json!({"snapshot_schedule": want});
            if let Some(n) = retention {
                body["snapshot_retention_count"] = json!(n);
            }
            match current.get(i).and_then(|c| c.id.as_deref()) {
                Some(sid) => {
                    self.svc
                        .api
                        .call(
                            Method::PUT,
                            &["v1", "snapshot-schedules", sid],
                            &q,
                            Some(&body),
                        )
                        .await?;
                }
                None => {
                    body["volume_id"] = json!(vid);
                    self.svc
                        .api
                        .call(
                            Method::POST,
                            &["v1", "snapshot-schedules"],
                            &[],
                            Some(&body),
                        )
                        .await?;
                }
            }
        }
        for extra in current
            .iter()
            .skip(wanted.len())
            .filter_map(|c| c.id.as_deref())
        {
            self.svc
                .api
                .call(
                    Method::DELETE,
                    &["v1", "snapshot-schedules", extra],
                    &q,
                    None,
                )
                .await?;
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
            self.svc
                .api
                .call(
                    Method::DELETE,
                    &["v1", "snapshot-schedules", sid],
                    &[("volume_id", vid.to_string())],
                    None,
                )
                .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl ReplicaOps for FileStorage {
    async fn list_replicas(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<Replica>> {
        let vid = &volume.vendor_id;
        let raw = self
            .svc
            .api
            .call(
                Method::GET,
                &["v1", "replications"],
                &[("volume_id", vid.to_string())],
                None,
            )
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
            .map(|(r, raw)| self.map_replica(vid, r, raw))
            .collect())
    }

    async fn get_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        let (r, raw) = self
            .replication(id)
            .await
            .map_err(child_not_found(ResourceType::Replica, id))?;
        Ok(self.map_replica(parent(id)?, &r, &raw))
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
        let regions = self
            .svc
            .api
            .call(
                Method::GET,
                &["v1", "replications", "regions"],
                &[
                    ("source_region_name", self.svc.ids.region.clone()),
                    ("replication_type", "replication".into()),
                    ("type_name", type_name.into()),
                ],
                None,
            )
            .await?;
        let allowed: Vec<&str> = regions["regions"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !allowed.contains(&req.destination_region.as_str()) {
            return Err(Error::invalid(
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
        let raw = self
            .svc
            .api
            .call(Method::POST, &["v1", "replications"], &[], Some(&body))
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        let created = wire::Replication {
            replication_frequency: Some(
                frequency_wire(req.frequency.unwrap_or(DEFAULT_REPLICA_FREQUENCY)).into(),
            ),
            ..decode(&raw)?
        };
        Ok(self.map_replica(vid, &created, &raw))
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
        let path = ["v1", "replications", &id.vendor_id];
        self.svc
            .child_call(Method::DELETE, &path, id, ResourceType::Replica, None)
            .await?;
        Ok(())
    }

    async fn start_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.set_policy(ctx, id, "use").await
    }

    async fn stop_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.set_policy(ctx, id, "paused").await
    }
}

impl FileStorage {
    /// Waits (bounded) for a pause to take effect, so the delete that follows is accepted.
    async fn wait_paused(&self, id: &GlobalId) -> Result<()> {
        let deadline = std::time::Instant::now() + crate::client::DEFAULT_TIMEOUT;
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
                return Err(Error::Conflict {
                    message: "the replication did not pause in time; try the delete again".into(),
                });
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(freq: ScheduleFrequency, days: Vec<Weekday>) -> SnapshotSchedule {
        SnapshotSchedule {
            frequency: freq,
            days,
            hour: 2,
            minute: 0,
            timezone: "Asia/Seoul".into(),
            retention_count: Some(5),
        }
    }

    #[test]
    fn weekly_schedules_become_one_vendor_schedule_per_day_and_back() {
        let s = sched(
            ScheduleFrequency::Weekly,
            vec![Weekday::Saturday, Weekday::Tuesday],
        );
        let wire = wire_schedules(&s);
        assert_eq!(
            wire,
            vec![
                json!({"frequency": "WEEKLY", "day_of_week": "TUE", "hour": "2"}),
                json!({"frequency": "WEEKLY", "day_of_week": "SAT", "hour": "2"}),
            ]
        );
        let list: wire::ScheduleList =
            decode(&json!({"snapshot_retention_count": 5, "snapshot_schedule": wire})).unwrap();
        let back = schedule_of(&list).unwrap();
        assert_eq!(back.days, vec![Weekday::Tuesday, Weekday::Saturday]);
        assert_eq!((back.hour, back.retention_count), (2, Some(5)));
        let daily = wire_schedules(&sched(ScheduleFrequency::Daily, vec![]));
        assert_eq!(daily, vec![json!({"frequency": "DAILY", "hour": "2"})]);
        let none: wire::ScheduleList =
            decode(&json!({"snapshot_retention_count": 0, "snapshot_schedule": []})).unwrap();
        assert_eq!(schedule_of(&none), None);
    }

    #[test]
    fn open_states_map_to_unknown() {
        assert_eq!(volume_status(Some("available")), VolumeStatus::Available);
        assert_eq!(volume_status(Some("migrating")), VolumeStatus::Unknown);
        assert_eq!(
            replica_status(Some("active"), Some("paused")),
            ReplicaStatus::Paused
        );
        assert_eq!(
            replica_status(Some("creating"), Some("use")),
            ReplicaStatus::Creating
        );
        assert_eq!(
            replica_status(Some("syncing_v2"), Some("use")),
            ReplicaStatus::Unknown
        );
        assert_eq!(frequency(Some("5min")), Some(ReplicaFrequency::FiveMinutes));
        assert_eq!(frequency(Some("yearly")), None);
    }

    #[test]
    fn derived_names_fit_the_vendor_limit() {
        assert_eq!(
            derived_name("abcdefghijklmnopqrstu", "_replica"),
            "abcdefghijklm_replica"
        );
        assert_eq!(derived_name("data", "_clone"), "data_clone");
    }
}
