//! SCP Parallel File Storage (`parallel-filestorage`) mapped onto parallel file volumes.
//!
//! Capacity is whole TB (1–1000, grow only), so sizes are multiples of 1024 GiB; only GPU
//! nodes can be granted access and one bulk call carries every add and remove; snapshots are
//! server-named and can only be created, listed and deleted. Restores, schedules and
//! replicas are not offered: the trait defaults answer `unsupported_by_provider`, matching
//! the capability document.

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{page_slice, Page, PageRequest};
use strata_core::provider::{ReplicaOps, SnapshotOps, VolumeOps};

use crate::client::{or_not_found, ScpClient};
use crate::file::{parent, rule_pending, rule_removing, snapshot_status, volume_status};
use crate::ids::Ids;
use crate::wire::{self, decode, time};
use crate::{refuse_description, refuse_initial_rules, rule_of, vendor_fields};

const KIND: VolumeKind = VolumeKind::ParallelFile;
/// GiB per TB of `capacity_tb`.
pub(crate) const GIB_PER_TB: u64 = 1024;

pub(crate) struct ParallelFileStorage {
    pub api: ScpClient,
    pub ids: Ids,
}

impl ParallelFileStorage {
    fn map_volume(&self, v: &wire::Volume, raw: &Value) -> Volume {
        Volume {
            id: self.ids.volume(KIND, &v.id),
            provider: self.ids.provider.clone(),
            kind: KIND,
            name: v.name.clone(),
            description: None,
            status: volume_status(v.state.as_deref()),
            size_gib: v.capacity_tb.unwrap_or(0) * GIB_PER_TB,
            protocol: Some(Protocol::ParallelFs),
            tier: None,
            encrypted: false,
            region: self.ids.region.clone(),
            zone: None,
            labels: Default::default(),
            created_at: time(&v.created_at),
            updated_at: None,
            vendor: vendor_fields(raw, &["id", "name", "created_at"]),
        }
    }

    async fn show(&self, vid: &str) -> Result<(wire::Volume, Value)> {
        let raw = self
            .api
            .call(Method::GET, &format!("/v1/volumes/{vid}"), &[], None)
            .await
            .map_err(or_not_found(
                ResourceType::Volume,
                self.ids.volume(KIND, vid),
            ))?;
        Ok((decode(&raw)?, raw))
    }

    async fn rules(&self, vid: &str) -> Result<Vec<wire::Rule>> {
        let raw = self
            .api
            .call(
                Method::GET,
                "/v1/access-rules",
                &[("volume_id", vid.to_string())],
                None,
            )
            .await
            .map_err(or_not_found(
                ResourceType::Volume,
                self.ids.volume(KIND, vid),
            ))?;
        Ok(decode::<wire::RuleList>(&raw)?.access_rules)
    }

    pub(crate) async fn page(
        &self,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Volume>, u64)> {
        let mut query = vec![
            ("offset", offset.to_string()),
            ("limit", limit.to_string()),
            ("sort", "name:asc".to_string()),
        ];
        if let Some(n) = name {
            query.push(("name", n.to_string()));
        }
        let raw = self
            .api
            .call(Method::GET, "/v1/volumes", &query, None)
            .await?;
        let items = raw["parallel_filestorages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let vols = items
            .iter()
            .map(|r| Ok(self.map_volume(&decode(r)?, r)))
            .collect::<Result<Vec<_>>>()?;
        let total = raw["count"].as_u64().unwrap_or(offset + vols.len() as u64);
        Ok((vols, total))
    }

    fn map_snapshot(&self, vid: &str, s: &wire::Snapshot) -> Snapshot {
        Snapshot {
            id: self.ids.child(ResourceType::Snapshot, KIND, vid, &s.id),
            provider: self.ids.provider.clone(),
            volume_id: self.ids.volume(KIND, vid),
            name: s.name.clone(),
            description: None,
            status: snapshot_status(s.state.as_deref()),
            origin: SnapshotOrigin::Manual,
            size_bytes: s.size,
            preserved: false,
            created_at: time(&s.created_at),
            vendor: Default::default(),
        }
    }

    async fn snapshots(&self, vid: &str) -> Result<Vec<wire::Snapshot>> {
        let raw = self
            .api
            .call(
                Method::GET,
                "/v1/snapshots",
                &[("volume_id", vid.to_string())],
                None,
            )
            .await
            .map_err(or_not_found(
                ResourceType::Volume,
                self.ids.volume(KIND, vid),
            ))?;
        Ok(decode::<wire::SnapshotList>(&raw)?.snapshots)
    }
}

/// Whole TB for a size the gateway already checked against the 1024 GiB step.
fn capacity_tb(size_gib: u64) -> u64 {
    size_gib.div_ceil(GIB_PER_TB)
}

#[async_trait]
impl VolumeOps for ParallelFileStorage {
    async fn get_volume(&self, id: &GlobalId) -> Result<Volume> {
        let vid = &id.vendor_id;
        let ((v, raw), rules) = futures::try_join!(self.show(vid), self.rules(vid))?;
        let mut vol = self.map_volume(&v, &raw);
        if vol.status == VolumeStatus::Available
            && rules
                .iter()
                .any(|r| rule_pending(r.access_state.as_deref()))
        {
            vol.status = VolumeStatus::Updating;
        }
        Ok(vol)
    }

    async fn create_volume(&self, req: &CreateVolume) -> Result<Volume> {
        refuse_description(req.description.as_deref())?;
        refuse_initial_rules(&req.access_rules)?;
        let body = json!({"name": req.name, "capacity_tb": capacity_tb(req.size_gib)});
        let raw = self
            .api
            .call(Method::POST, "/v1/volumes", &[], Some(&body))
            .await?;
        let mut v = self.map_volume(&decode(&raw)?, &raw);
        // The example answers `available`, but the file system is still being built.
        if v.status == VolumeStatus::Available {
            v.status = VolumeStatus::Creating;
        }
        Ok(v)
    }

    async fn update_volume(&self, id: &GlobalId, req: &UpdateVolume) -> Result<Volume> {
        refuse_description(req.description.as_deref())?;
        let vid = &id.vendor_id;
        if let Some(size) = req.size_gib {
            let (v, _) = self.show(vid).await?;
            let tb = capacity_tb(size);
            if Some(tb) != v.capacity_tb {
                self.api
                    .call(
                        Method::PUT,
                        &format!("/v1/volumes/{vid}/capacity"),
                        &[],
                        Some(&json!({"capacity_tb": tb})),
                    )
                    .await
                    .map_err(or_not_found(ResourceType::Volume, id.encode()))?;
            }
        }
        if let Some(rules) = &req.access_rules {
            self.set_access_rules(id, rules).await?;
        }
        self.get_volume(id).await
    }

    async fn delete_volume(&self, id: &GlobalId) -> Result<()> {
        self.api
            .call(
                Method::DELETE,
                &format!("/v1/volumes/{}", id.vendor_id),
                &[],
                None,
            )
            .await
            .map_err(or_not_found(ResourceType::Volume, id.encode()))?;
        Ok(())
    }

    async fn get_access_rules(&self, id: &GlobalId) -> Result<Vec<AccessRule>> {
        Ok(self
            .rules(&id.vendor_id)
            .await?
            .iter()
            .filter(|r| !rule_removing(r.access_state.as_deref()))
            .map(rule_of)
            .collect())
    }

    /// One bulk call with both deltas (each array always present, possibly empty).
    async fn set_access_rules(
        &self,
        id: &GlobalId,
        rules: &[AccessRule],
    ) -> Result<Vec<AccessRule>> {
        let vid = &id.vendor_id;
        let current: Vec<String> = self
            .rules(vid)
            .await?
            .into_iter()
            .filter(|r| !rule_removing(r.access_state.as_deref()))
            .map(|r| r.object_id)
            .collect();
        let wanted: Vec<String> = rules.iter().map(|r| r.value.clone()).collect();
        let delta = |from: &[String], minus: &[String]| -> Vec<Value> {
            from.iter()
                .filter(|x| !minus.contains(x))
                .map(|x| json!({"object_id": x, "object_type": "GPU_NODE"}))
                .collect()
        };
        let (add, remove) = (delta(&wanted, &current), delta(&current, &wanted));
        if !add.is_empty() || !remove.is_empty() {
            self.api
                .call(
                    Method::PUT,
                    "/v1/access-rules",
                    &[("volume_id", vid.to_string())],
                    Some(&json!({"add_access_rules": add, "remove_access_rules": remove})),
                )
                .await
                .map_err(or_not_found(ResourceType::Volume, id.encode()))?;
        }
        Ok(rules.to_vec())
    }

    async fn list_mount_targets(&self, id: &GlobalId) -> Result<Vec<MountTarget>> {
        let (v, _) = self.show(&id.vendor_id).await?;
        Ok(vec![MountTarget {
            id: None,
            path: v.mount_path.clone(),
            protocol: Some(Protocol::ParallelFs),
            network: None,
            address: v
                .mount_path
                .as_deref()
                .and_then(|p| p.split([':', '@']).next())
                .map(str::to_string),
            status: volume_status(v.state.as_deref()),
        }])
    }
}

#[async_trait]
impl SnapshotOps for ParallelFileStorage {
    async fn list_snapshots(
        &self,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        let vid = &volume.vendor_id;
        let all: Vec<Snapshot> = self
            .snapshots(vid)
            .await?
            .iter()
            .map(|s| self.map_snapshot(vid, s))
            .collect();
        page_slice(&all, page)
    }

    async fn get_snapshot(&self, id: &GlobalId) -> Result<Snapshot> {
        let vid = parent(id)?;
        let list = self.snapshots(vid).await.map_err(|e| match e {
            Error::NotFound { .. } => Error::not_found(ResourceType::Snapshot, id.encode()),
            other => other,
        })?;
        list.iter()
            .find(|s| s.id == id.vendor_id)
            .map(|s| self.map_snapshot(vid, s))
            .ok_or_else(|| Error::not_found(ResourceType::Snapshot, id.encode()))
    }

    async fn create_snapshot(&self, volume: &GlobalId, req: &CreateSnapshot) -> Result<Snapshot> {
        refuse_description(req.description.as_deref())?;
        let vid = &volume.vendor_id;
        let raw = self
            .api
            .call(
                Method::POST,
                "/v1/snapshots",
                &[],
                Some(&json!({"volume_id": vid})),
            )
            .await
            .map_err(or_not_found(ResourceType::Volume, volume.encode()))?;
        Ok(self.map_snapshot(vid, &decode(&raw["snapshot"])?))
    }

    async fn delete_snapshot(&self, id: &GlobalId) -> Result<()> {
        let vid = parent(id)?;
        self.api
            .call(
                Method::DELETE,
                &format!("/v1/snapshots/{}", id.vendor_id),
                &[("volume_id", vid.to_string())],
                None,
            )
            .await
            .map_err(or_not_found(ResourceType::Snapshot, id.encode()))?;
        Ok(())
    }
}

impl ReplicaOps for ParallelFileStorage {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_whole_terabytes() {
        assert_eq!(capacity_tb(1024), 1);
        assert_eq!(capacity_tb(2048), 2);
        assert_eq!(capacity_tb(1025), 2);
    }
}
