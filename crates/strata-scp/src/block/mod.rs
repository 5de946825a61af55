//! SCP Block Storage for bare-metal servers (`baremetal-blockstorage`, API 1.0/1.1/1.2)
//! mapped onto block volumes and volume groups. Reference: `shared/vendor/scp-block-storage.md`.
//!
//! Vendor quirks handled here and in the sibling files:
//! - **Versions** (§1.2): the adapter is pinned per service (`versions.block`, default
//!   `1.2`). QoS exists only in 1.2 (create body, Show, `PUT /qos`), recoveries (restore into
//!   a new volume or group) only in 1.1+; the capability document ([`caps`]) says so and the
//!   calls refuse them before the vendor when pinned lower.
//! - **Envelopes** (§2.5): Show Volume/Group/Replication answers are wrapped in `result`,
//!   the rest flat; Attach/Detach answer `{attachments}` in 1.2 and `{result: VolumeModel}`
//!   before; both are accepted ([`wire::answered_volume`]): the older answer is the volume,
//!   after the newer one the volume is read.
//! - **Async** (§2.4): the eight 202 operations carry `resource_id` (the new volume, group
//!   or recovery); there is no request-status endpoint, so the gateway settles by polling
//!   Show. A just-created volume that Show does not know yet is reported `creating`.
//!   Snapshots, attach/detach and group replication delete are synchronous.
//! - **Unusual HTTP** (§2.8): Detach is a DELETE with a JSON body; snapshot create and
//!   restore send no body; schedules, snapshot rates and replications are singletons with
//!   POST (create) vs PUT (set), so the adapter reads first and picks the method.
//! - **Tolerant decoding** (§2.9, [`wire`]): `""` for absent objects and days, numbers as
//!   strings, `result` as a bool or `""`, unknown enum values as `Unknown`.
//! - **States** (§6): `DELETED` is reported as not found; `ATTACHING`/`DETACHING`/`EDITING`
//!   are `updating`; the misspelled `SNAPMIRROED` is an active replica, `BROKEN_OFF` paused.
//! - **Snapshots** have no get, no state and no name of the caller's: get is list + find,
//!   lists are paged locally, and a snapshot needs a snapshot rate (the model's snapshot
//!   reserve) first, which is refused as `failed_precondition` before the vendor call.
//! - **Replicas**: at most one per volume (and per group), so a replica's id is derived
//!   from its source volume's vendor id; the destination is routed to the peer provider of
//!   its region. `BREAK` is stop (the destination becomes writable), `RESYNC` start.
//! - **Deletes**: an attached volume must be detached first (`failed_precondition`); a
//!   detach of a server that is not attached is a 404 naming the attachment; volume groups
//!   cannot be deleted (no vendor operation).
//!
//! This module holds the service, its shared reads and the volume operations; [`snapshots`],
//! [`replication`] and [`groups`] the other families; [`api`] the 41 vendor calls, [`wire`]
//! the shapes, [`map`] the pure mapping and [`caps`] the capability documents.

pub(crate) mod api;
pub(crate) mod caps;
mod groups;
pub(crate) mod map;
mod replication;
mod snapshots;
pub(crate) mod wire;

use async_trait::async_trait;
use serde_json::{json, Value};
use strata_core::capability::{Feature, KindCapabilities, NameRules};
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ProviderIds, ResourceType};
use strata_core::model::*;
use strata_core::provider::VolumeOps;

use crate::client::ScpClient;
use crate::shared::wire::decode;
use caps::ApiVersion;

/// Block Storage in one region.
pub(crate) struct BlockStorage {
    pub api: ScpClient,
    pub ids: ProviderIds,
    pub version: ApiVersion,
    /// The block kind's capability document (QoS tiers).
    pub caps: KindCapabilities,
    pub names: NameRules,
}

impl BlockStorage {
    /// Block Storage speaking API `version` through `api`.
    pub fn new(api: ScpClient, ids: ProviderIds, version: &str, regions: Vec<String>) -> Self {
        let version = ApiVersion::parse(version);
        BlockStorage {
            api,
            ids,
            version,
            caps: caps::capabilities(version, regions),
            names: caps::name_rules(),
        }
    }

    /// The `volume_not_found` error of volume `vid`.
    fn volume_gone(&self, vid: &str) -> impl FnOnce(Error) -> Error {
        Error::vendor_404_as(ResourceType::Volume, self.ids.volume(vid))
    }

    /// Show Volume: the decoded model and the raw `result`; `DELETED` is not found.
    pub(crate) async fn show(&self, vid: &str) -> Result<(wire::Volume, Value)> {
        let raw = api::show_volume(&self.api, vid)
            .await
            .map_err(self.volume_gone(vid))?;
        let model = wire::result(&raw).clone();
        let v: wire::Volume = decode(&model)?;
        if map::is_gone(&v) {
            return Err(Error::not_found(ResourceType::Volume, self.ids.volume(vid)));
        }
        Ok((v, model))
    }

    /// The volume `vid`, as the model has it.
    pub(crate) async fn read(&self, vid: &str) -> Result<Volume> {
        let (v, raw) = self.show(vid).await?;
        Ok(map::volume(&self.ids, &v, &raw))
    }

    /// A volume just accepted: as read, or `creating` while Show does not know it yet.
    pub(crate) async fn read_new(
        &self,
        vid: &str,
        name: &str,
        tier: Option<&str>,
    ) -> Result<Volume> {
        match self.read(vid).await {
            Err(Error::NotFound { .. }) => Ok(map::creating(&self.ids, vid, name, tier)),
            other => other,
        }
    }

    /// The `resource_id` of a 202 answer.
    pub(crate) fn resource_id(raw: &Value) -> Result<String> {
        let a: wire::Accepted = decode(raw)?;
        a.resource_id.ok_or_else(|| Error::VendorFailed {
            vendor_status: Some(202),
            vendor_code: None,
            message: "the vendor accepted the request without a resource_id".into(),
        })
    }

    /// One page of List Volumes (name order) and the vendor's total.
    pub(crate) async fn page(
        &self,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Volume>, u64)> {
        let raw = api::list_volumes(&self.api, name, offset, limit).await?;
        let items = raw["volumes"].as_array().cloned().unwrap_or_default();
        let mut vols = Vec::with_capacity(items.len());
        for r in &items {
            let v: wire::Volume = decode(r)?;
            if !map::is_gone(&v) {
                vols.push(map::volume(&self.ids, &v, r));
            }
        }
        let total = wire::count(&raw["total_count"]).unwrap_or(offset + items.len() as u64);
        Ok((vols, total))
    }

    /// The volume after Attach/Detach: the 1.0/1.1 answer is the volume itself; the 1.2
    /// answer lists attachments only, so the volume is read.
    async fn after_attachments(&self, vid: &str, raw: &Value) -> Result<Volume> {
        match wire::answered_volume(raw) {
            Some((v, model)) => Ok(map::volume(&self.ids, &v, &model)),
            None => self.read(vid).await,
        }
    }

    /// Refuses what the pinned API version does not have.
    fn need(&self, have: bool, f: Feature) -> Result<()> {
        if have {
            Ok(())
        } else {
            Err(Error::unsupported(f.operation()))
        }
    }

    /// `name` checked against the block name rules as `field`.
    fn check_name(&self, field: &str, name: &str) -> Result<()> {
        self.names.check(field, name)
    }
}

#[async_trait]
impl VolumeOps for BlockStorage {
    async fn get_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Volume> {
        self.read(&id.vendor_id).await
    }

    /// `{name, size_gb, disk_type (SSD when absent), attachments, qos (1.2)}`; tags are never
    /// sent (the vendor cannot report them back, so labels are refused by the document).
    async fn create_volume(&self, _ctx: &CallCtx, req: &CreateVolume) -> Result<Volume> {
        let tier = req.tier.clone().unwrap_or_else(|| "SSD".into());
        let attachments: Vec<Value> = req
            .attachments
            .iter()
            .map(|a| {
                json!({
                    "object_id": a.server_id,
                    "object_type": a.server_type.as_deref().unwrap_or("bm").to_ascii_uppercase(),
                })
            })
            .collect();
        let mut body = json!({
            "name": req.name,
            "size_gb": req.size_gib,
            "disk_type": tier,
            "attachments": attachments,
        });
        if let Some(q) = req.qos {
            self.need(self.version.has_qos(), Feature::Qos)?;
            self.caps
                .check_qos(Some(&tier), Some(q.iops), Some(q.throughput_mbps))?;
            body["qos"] = json!({"iops": q.iops, "throughput": q.throughput_mbps});
        }
        let raw = api::create_volume(&self.api, &body).await?;
        let vid = Self::resource_id(&raw)?;
        self.read_new(&vid, &req.name, Some(&tier)).await
    }

    /// Only QoS can change (name, size and tier are immutable; the document refuses them).
    async fn update_volume(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateVolume,
    ) -> Result<Volume> {
        if req.size_gib.is_some() {
            return Err(Error::unsupported(Feature::VolumeResize.operation()));
        }
        let vid = &id.vendor_id;
        if let Some(q) = req.qos {
            self.need(self.version.has_qos(), Feature::Qos)?;
            let current = self.read(vid).await?;
            self.caps
                .check_qos(current.tier.as_deref(), q.iops, q.throughput_mbps)?;
            let mut body = json!({});
            if let Some(i) = q.iops {
                body["iops"] = json!(i);
            }
            if let Some(t) = q.throughput_mbps {
                body["throughput"] = json!(t);
            }
            api::set_qos(&self.api, vid, &body)
                .await
                .map_err(self.volume_gone(vid))?;
        }
        self.read(vid).await
    }

    /// The vendor requires every server detached first: refused before the call.
    async fn delete_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let vid = &id.vendor_id;
        let (v, _) = self.show(vid).await?;
        if !v.attachments.is_empty() {
            return Err(Error::failed_precondition(format!(
                "the volume is attached to {} server(s): detach every server first (DELETE /v1/volumes/{}/attachments/{{server}})",
                v.attachments.len(),
                id.encode()
            )));
        }
        api::delete_volume(&self.api, vid)
            .await
            .map_err(self.volume_gone(vid))?;
        Ok(())
    }

    /// One iSCSI target per address.
    async fn list_mount_targets(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<MountTarget>> {
        let (v, _) = self.show(&id.vendor_id).await?;
        let status = map::volume_status(v.state);
        Ok(v.iscsi_target_ips
            .iter()
            .map(|ip| MountTarget {
                id: None,
                path: None,
                protocol: Some(Protocol::Iscsi),
                network: None,
                address: Some(ip.clone()),
                status,
            })
            .collect())
    }

    async fn attach(&self, _ctx: &CallCtx, id: &GlobalId, att: &Attachment) -> Result<Volume> {
        let vid = &id.vendor_id;
        let kind = att
            .server_type
            .as_deref()
            .unwrap_or("bm")
            .to_ascii_uppercase();
        let raw = api::attach(&self.api, vid, &att.server_id, &kind)
            .await
            .map_err(self.volume_gone(vid))?;
        self.after_attachments(vid, &raw).await
    }

    /// Reads first: a server that is not attached is a 404 naming the attachment.
    async fn detach(&self, _ctx: &CallCtx, id: &GlobalId, server_id: &str) -> Result<Volume> {
        let vid = &id.vendor_id;
        let (v, _) = self.show(vid).await?;
        if !v.attachments.iter().any(|s| s.id == server_id) {
            return Err(Error::not_found(
                ResourceType::Volume,
                format!("{}/attachments/{server_id}", id.encode()),
            ));
        }
        let raw = api::detach(&self.api, vid, server_id)
            .await
            .map_err(self.volume_gone(vid))?;
        self.after_attachments(vid, &raw).await
    }

    /// Create Volume Snapshot Rate when none is set, else Set.
    async fn put_snapshot_reserve(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        r: &SnapshotReserve,
    ) -> Result<SnapshotReserve> {
        let vid = &id.vendor_id;
        let (v, _) = self.show(vid).await?;
        let create = v.snapshot_rate.unwrap_or(0) == 0;
        let raw = api::put_rate(&self.api, vid, create, r.percent)
            .await
            .map_err(self.volume_gone(vid))?;
        let rate: wire::Rate = decode(&raw)?;
        Ok(SnapshotReserve {
            percent: rate
                .snapshot_rate
                .and_then(|p| u32::try_from(p).ok())
                .filter(|p| *p > 0)
                .unwrap_or(r.percent),
        })
    }

    /// Idempotent: no reserve set is already done.
    async fn delete_snapshot_reserve(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let vid = &id.vendor_id;
        let (v, _) = self.show(vid).await?;
        if v.snapshot_rate.unwrap_or(0) == 0 {
            return Ok(());
        }
        api::delete_rate(&self.api, vid)
            .await
            .map_err(self.volume_gone(vid))?;
        Ok(())
    }
}
