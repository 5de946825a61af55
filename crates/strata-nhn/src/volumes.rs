//! Volumes, access rules, mount targets and usage of an [`NhnProvider`].

use async_trait::async_trait;
use reqwest::Method;
use serde_json::json;
use serde_json::Value;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::VolumeOps;

use crate::caps::{OPT_CIFS, OPT_RESERVE, OPT_SUBNETS};
use crate::wire::{self, field};
use crate::{map, NhnProvider};

fn strings(field: &str, v: &Value) -> Result<Vec<String>> {
    v.as_array()
        .and_then(|a| {
            a.iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| {
            Error::unsupported_value(field, format!("`{field}` must be an array of strings"))
        })
}

/// The provider's page token: `limit:page`, so a changed client page size cannot shift pages.
fn page_cursor(req: &PageRequest, max: u32) -> Result<(u32, u32)> {
    match &req.page_token {
        None => Ok((req.page_size.clamp(1, max), 1)),
        Some(t) => t
            .split_once(':')
            .and_then(|(l, p)| Some((l.parse().ok()?, p.parse().ok()?)))
            .filter(|(l, p)| *l >= 1 && *l <= max && *p >= 1)
            .ok_or(Error::InvalidPageToken),
    }
}

#[async_trait]
impl VolumeOps for NhnProvider {
    async fn list_volumes(
        &self,
        _ctx: &CallCtx,
        filter: &VolumeFilter,
        page: &PageRequest,
    ) -> Result<Page<Volume>> {
        if filter.kind.is_some_and(|k| k != VolumeKind::File) {
            return Ok(Page {
                items: vec![],
                next_page_token: None,
            });
        }
        let (limit, n) = page_cursor(page, self.caps.max_page_size)?;
        let mut query = vec![
            ("limit", limit.to_string()),
            ("page", n.to_string()),
            ("sort", "name:asc".to_string()),
        ];
        if let Some(name) = &filter.name {
            query.push(("nameContains", name.clone()));
        }
        let body = self
            .nas
            .call(Method::GET, &["v1", "volumes"], &query, None)
            .await?;
        let raw: Vec<wire::NasVolume> = field(&body, "volumes")?;
        let paging: wire::Paging = field(&body, "paging")?;
        let fetched = raw.len() as u64;
        // NAS cannot filter by status; that filter applies per page (pages may come up short).
        let items = raw
            .iter()
            .map(|v| map::volume(&self.ids, v))
            .filter(|v| filter.matches(v))
            .collect();
        let seen = u64::from(n - 1) * u64::from(limit) + fetched;
        Ok(Page {
            items,
            next_page_token: (fetched > 0 && seen < paging.total_count)
                .then(|| format!("{limit}:{}", n + 1)),
        })
    }

    async fn get_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Volume> {
        let vid = self.own(id)?;
        Ok(map::volume(&self.ids, &self.raw_volume(vid).await?))
    }

    async fn create_volume(&self, _ctx: &CallCtx, req: &CreateVolume) -> Result<Volume> {
        let protocol = req.protocol.unwrap_or(Protocol::Nfs);
        let mut spec = json!({
            "name": req.name,
            "sizeGb": req.size_gib,
            "acl": map::acl(&req.access_rules),
            "encryption": {"enabled": req.encrypted},
            "mountProtocol": {"protocol": protocol.as_str()},
        });
        if let Some(d) = &req.description {
            spec["description"] = json!(d);
        }
        if let Some(v) = req.options.get(OPT_SUBNETS) {
            let subnets = strings(&format!("options.{OPT_SUBNETS}"), v)?;
            if subnets.len() > 3 {
                return Err(Error::unsupported_value(
                    format!("options.{OPT_SUBNETS}"),
                    "at most 3 subnets can be given",
                ));
            }
            spec["interfaces"] = subnets.iter().map(|s| json!({ "subnetId": s })).collect();
        }
        if let Some(v) = req.options.get(OPT_CIFS) {
            if protocol != Protocol::Cifs {
                return Err(Error::unsupported_value(
                    format!("options.{OPT_CIFS}"),
                    "CIFS credentials apply to cifs volumes only",
                ));
            }
            spec["mountProtocol"]["cifsAuthIds"] =
                json!(strings(&format!("options.{OPT_CIFS}"), v)?);
        }
        if let Some(v) = req.options.get(OPT_RESERVE) {
            let pct = v.as_u64().filter(|p| *p <= 100).ok_or_else(|| {
                Error::unsupported_value(
                    format!("options.{OPT_RESERVE}"),
                    "must be a whole number from 0 to 100",
                )
            })?;
            spec["snapshotPolicy"] = json!({ "reservePercent": pct });
        }
        let body = self
            .nas(
                Method::POST,
                &["v1", "volumes"],
                Some(json!({ "volume": spec })),
            )
            .await?;
        Ok(map::volume(&self.ids, &field(&body, "volume")?))
    }

    async fn update_volume(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateVolume,
    ) -> Result<Volume> {
        let vid = self.own(id)?;
        let mut fields = json!({});
        if let Some(s) = req.size_gib {
            fields["sizeGb"] = json!(s);
        }
        if let Some(d) = &req.description {
            fields["description"] = json!(d);
        }
        if let Some(r) = &req.access_rules {
            fields["acl"] = json!(map::acl(r));
        }
        self.patch(vid, fields).await?;
        self.get_volume(ctx, id).await
    }

    async fn delete_volume(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let vid = self.own(id)?;
        self.nas(Method::DELETE, &["v1", "volumes", vid], None)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, id.encode()))?;
        Ok(())
    }

    async fn get_access_rules(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<AccessRule>> {
        let v = self.raw_volume(self.own(id)?).await?;
        Ok(map::access_rules(&v.acl))
    }

    async fn set_access_rules(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        rules: &[AccessRule],
    ) -> Result<Vec<AccessRule>> {
        let acl = map::acl(rules);
        self.patch(self.own(id)?, json!({ "acl": acl })).await?;
        Ok(map::access_rules(&map::acl(rules)))
    }

    async fn list_mount_targets(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Vec<MountTarget>> {
        let v = self.raw_volume(self.own(id)?).await?;
        Ok(v.interfaces
            .iter()
            .map(|i| map::mount_target(&v, i))
            .collect())
    }

    async fn create_mount_target(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &CreateMountTarget,
    ) -> Result<MountTarget> {
        let vid = self.own(id)?;
        let v = self.raw_volume(vid).await?;
        let body = self
            .nas(
                Method::POST,
                &["v1", "volumes", vid, "interfaces"],
                Some(json!({"interface": {"subnetId": req.network}})),
            )
            .await?;
        Ok(map::mount_target(&v, &field(&body, "interface")?))
    }

    async fn delete_mount_target(&self, _ctx: &CallCtx, id: &GlobalId, target: &str) -> Result<()> {
        let vid = self.own(id)?;
        self.nas(
            Method::DELETE,
            &["v1", "volumes", vid, "interfaces", target],
            None,
        )
        .await?;
        Ok(())
    }

    async fn get_usage(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Usage> {
        let vid = self.own(id)?;
        let path = ["v1", "volumes", vid, "usage"];
        let (v, usage) = tokio::join!(self.raw_volume(vid), self.nas(Method::GET, &path, None));
        let v = v?;
        let u: wire::Usage = field(
            &usage.map_err(Error::vendor_404_as(ResourceType::Volume, id.encode()))?,
            "usage",
        )?;
        Ok(Usage {
            size_bytes: v.size_gb * map::GIB,
            used_bytes: u.used_gb * map::GIB,
            snapshot_bytes: u.snapshot_used_gb.map(|g| g * map::GIB),
        })
    }
}
