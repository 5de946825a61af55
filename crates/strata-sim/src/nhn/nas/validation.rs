//! A volume's create spec (shared by volume creation, mirror destinations and seeding) and
//! the documented validation rules (§5.2 of the reference).

use std::time::Instant;

use chrono::Utc;
use serde::Deserialize;

use super::interfaces::{InterfaceReq, MAX_SUBNETS_PER_VOLUME};
use super::schedules::{Policy, PolicyReq};
use super::{bad, Fail, Nas, Pending, Settle, Volume};

pub(super) fn check_size(size: u64) -> Result<(), Fail> {
    if !(300..=10_000).contains(&size) || size % 100 != 0 {
        return Err(bad(format!(
            "sizeGb must be between 300 and 10000 in units of 100 (got {size})"
        )));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), Fail> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(bad(
            "name must be 1-100 characters of letters, digits, '-' and '_'",
        ));
    }
    Ok(())
}

pub(super) fn check_acl(acl: &[String]) -> Result<(), Fail> {
    for entry in acl {
        let (ip, len) = entry.split_once('/').unwrap_or((entry, "32"));
        if ip.parse::<std::net::Ipv4Addr>().is_err() || len.parse::<u8>().map_or(true, |l| l > 32) {
            return Err(bad(format!("acl entry `{entry}` is not an IP or CIDR")));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MountReq {
    pub(super) protocol: Option<String>,
    pub(super) cifs_auth_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
pub(super) struct EncryptionReq {
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VolumeReq {
    pub(super) name: Option<String>,
    pub(super) size_gb: Option<u64>,
    pub(super) description: Option<String>,
    pub(super) acl: Option<Vec<String>>,
    pub(super) encryption: Option<EncryptionReq>,
    pub(super) interfaces: Option<Vec<InterfaceReq>>,
    pub(super) mount_protocol: Option<MountReq>,
    pub(super) snapshot_policy: Option<PolicyReq>,
}

fn check_protocol(p: Option<&str>) -> Result<String, Fail> {
    match p {
        Some(p @ ("nfs" | "cifs")) => Ok(p.to_string()),
        Some(other) => Err(bad(format!(
            "mountProtocol.protocol must be nfs or cifs (got {other})"
        ))),
        None => Err(bad("mountProtocol.protocol is required")),
    }
}

impl Nas {
    /// Validates a create spec and builds the volume (status `BUILDING`).
    pub(super) fn build_volume(
        &mut self,
        region: &str,
        tenant: &str,
        project: &str,
        req: VolumeReq,
        delay: std::time::Duration,
    ) -> Result<Volume, Fail> {
        let name = req.name.ok_or_else(|| bad("name is required"))?;
        check_name(&name)?;
        let size = req.size_gb.ok_or_else(|| bad("sizeGb is required"))?;
        check_size(size)?;
        let mount = req
            .mount_protocol
            .ok_or_else(|| bad("mountProtocol is required"))?;
        let protocol = check_protocol(mount.protocol.as_deref())?;
        if mount.cifs_auth_ids.is_some() && protocol != "cifs" {
            return Err(bad("cifsAuthIds can only be set on cifs volumes"));
        }
        let acl = req.acl.unwrap_or_default();
        check_acl(&acl)?;
        let mut policy = Policy::default();
        if let Some(p) = &req.snapshot_policy {
            p.apply(&mut policy)?;
        }
        let subnets: Vec<String> = req
            .interfaces
            .unwrap_or_default()
            .into_iter()
            .map(|i| {
                i.subnet_id
                    .ok_or_else(|| bad("interfaces[].subnetId is required"))
            })
            .collect::<Result<_, _>>()?;
        if subnets.len() > MAX_SUBNETS_PER_VOLUME {
            return Err(bad("A volume can have at most 3 interfaces"));
        }
        if self
            .volumes
            .values()
            .any(|v| v.region == region && v.name == name)
        {
            return Err(bad(format!("A volume named {name} already exists")));
        }
        let now = Utc::now();
        let interfaces = subnets.iter().map(|s| self.interface(s, delay)).collect();
        Ok(Volume {
            id: uuid::Uuid::new_v4().to_string(),
            region: region.to_string(),
            tenant_id: tenant.to_string(),
            project_id: project.to_string(),
            name,
            description: req.description,
            size_gb: size,
            acl,
            encrypted: req.encryption.and_then(|e| e.enabled).unwrap_or(false),
            protocol,
            cifs_auth_ids: mount.cifs_auth_ids,
            policy,
            status: "BUILDING",
            pending: Some(Pending {
                until: Instant::now() + delay,
                then: Settle::Active,
            }),
            interfaces,
            snapshots: vec![],
            restores: vec![],
            used_gb: (size / 20).max(1),
            created_at: now,
            updated_at: now,
        })
    }
}
