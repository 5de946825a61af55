//! Replicas (NAS volume mirrors) of an [`NhnProvider`].

use async_trait::async_trait;
use reqwest::Method;
use serde_json::json;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::provider::ReplicaOps;

use crate::wire::{self, field};
use crate::{map, NhnProvider};

impl NhnProvider {
    async fn stat(&self, vid: &str, mid: &str) -> Option<wire::MirrorStat> {
        let body = self
            .nas(
                Method::GET,
                &["v1", "volumes", vid, "volume-mirrors", mid, "stat"],
                None,
            )
            .await
            .ok()?;
        field(&body, "volumeMirrorStat").ok()
    }

    async fn mirror_action(&self, ctx: &CallCtx, id: &GlobalId, action: &str) -> Result<Replica> {
        let vid = self.parent(id)?;
        let mid = &id.vendor_id;
        self.nas(
            Method::POST,
            &["v1", "volumes", vid, "volume-mirrors", mid, action],
            None,
        )
        .await
        .map_err(Error::vendor_404_as(ResourceType::Replica, id.encode()))?;
        self.get_replica(ctx, id).await
    }
}

#[async_trait]
impl ReplicaOps for NhnProvider {
    async fn list_replicas(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<Replica>> {
        let vid = self.own(volume)?;
        let v = self.raw_volume(vid).await?;
        let stats =
            futures::future::join_all(v.mirrors.iter().map(|m| self.stat(vid, &m.id))).await;
        Ok(v.mirrors
            .iter()
            .zip(stats)
            .map(|(m, s)| map::replica(&self.ids, vid, m, s.as_ref()))
            .collect())
    }

    async fn get_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        let vid = self.parent(id)?;
        let v = self.raw_volume(vid).await.map_err(|e| match e {
            Error::NotFound { .. } => Error::not_found(ResourceType::Replica, id.encode()),
            other => other,
        })?;
        let m = v
            .mirrors
            .iter()
            .find(|m| m.id == id.vendor_id)
            .ok_or_else(|| Error::not_found(ResourceType::Replica, id.encode()))?;
        let stat = self.stat(vid, &m.id).await;
        Ok(map::replica(&self.ids, vid, m, stat.as_ref()))
    }

    async fn create_replica(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateReplica,
    ) -> Result<Replica> {
        let vid = self.own(volume)?;
        if req.frequency.is_some() {
            return Err(Error::unsupported_value(
                "frequency",
                "NHN replicates every change; a frequency cannot be chosen",
            ));
        }
        let src = self.raw_volume(vid).await?;
        let name = req
            .destination_name
            .clone()
            .unwrap_or_else(|| format!("{}-replica", src.name));
        self.file_caps()?.name.check("destination_name", &name)?;
        let protocol = src
            .mount_protocol
            .as_ref()
            .map_or("nfs", |m| m.protocol.as_str());
        let body = self
            .nas(
                Method::POST,
                &["v1", "volumes", vid, "volume-mirrors"],
                Some(json!({"volumeMirror": {
                    "dstRegion": req.destination_region,
                    "dstTenantId": self.tenant_id,
                    "dstVolume": {
                        "name": name,
                        // The destination must match the source's size and protocol.
                        "sizeGb": src.size_gb,
                        "description": format!("replica of {}", src.name),
                        "acl": src.acl,
                        "mountProtocol": {"protocol": protocol},
                    },
                }})),
            )
            .await?;
        let m: wire::NasMirror = field(&body, "volumeMirror")?;
        Ok(map::replica(&self.ids, vid, &m, None))
    }

    async fn delete_replica(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let vid = self.parent(id)?;
        self.nas(
            Method::DELETE,
            &["v1", "volumes", vid, "volume-mirrors", &id.vendor_id],
            None,
        )
        .await
        .map_err(Error::vendor_404_as(ResourceType::Replica, id.encode()))?;
        Ok(())
    }

    async fn start_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.mirror_action(ctx, id, "start").await
    }

    async fn stop_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.mirror_action(ctx, id, "stop").await
    }

    async fn reverse_replica(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Replica> {
        self.mirror_action(ctx, id, "invert-direction").await
    }
}
