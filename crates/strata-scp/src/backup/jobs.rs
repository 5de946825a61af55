//! Runs, jobs, recovery points and restores of a policy.
//!
//! The vendor returns no id for a manual run or a restore, and restore rows have none at
//! all. After the call, the new row is looked up in the history: the newest row whose start
//! is at or after the call's start, less [`SKEW`] for a vendor clock behind ours (a
//! manual run's row preferred over a scheduled one that started in that window; a restore's
//! matched by its server). The row may take a moment to appear, so the lookup is retried
//! [`ATTEMPTS`] times, [`PAUSE`] apart. These lookups are GETs: a dry run stops at the
//! mutation before them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};

use super::api::{self, VendorPage};
use super::{map, wire, BackupService};
use crate::shared::wire::{decode, time};

/// How far behind ours the vendor's clock may be when a new row is looked for.
const SKEW: Duration = Duration::from_secs(60);
/// Lookups of a new history row.
const ATTEMPTS: u32 = 10;
/// Pause between lookups.
const PAUSE: Duration = Duration::from_millis(200);
/// Most vendor pages a lookup by id reads (100 rows each).
const SCAN_PAGES: u64 = 20;

fn not_listed(what: &str) -> Error {
    Error::VendorFailed {
        vendor_status: None,
        vendor_code: None,
        message: format!(
            "the vendor accepted the {what} but its history shows no new row yet; list the \
             backup's history to follow it"
        ),
    }
}

fn since(start: DateTime<Utc>) -> DateTime<Utc> {
    start - chrono::Duration::from_std(SKEW).unwrap_or_default()
}

impl BackupService {
    /// ManualBackup, then the job it started (see the module doc).
    pub async fn run_backup(&self, bid: &str) -> Result<BackupJob> {
        let start = Utc::now();
        api::manual_backup(&self.api, bid)
            .await
            .map_err(self.gone(bid))?;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(PAUSE).await;
            }
            let raw = api::list_histories(&self.api, bid, None, VendorPage { page: 0, size: 20 })
                .await
                .map_err(self.gone(bid))?;
            let rows: wire::List<Value> = decode(&raw)?;
            let mut fresh = vec![];
            for v in rows.contents {
                let h: wire::History = decode(&v)?;
                if time(&h.backup_start_time).is_some_and(|t| t >= since(start)) {
                    fresh.push((h, v));
                }
            }
            // Newest first; a manual row wins over a scheduled one in the window.
            fresh.sort_by_key(|(h, _)| {
                (
                    map::trigger(h) != JobTrigger::Manual,
                    std::cmp::Reverse(time(&h.backup_start_time)),
                )
            });
            if let Some(j) = fresh
                .iter()
                .find_map(|(h, v)| map::job(&self.ids, bid, h, v))
            {
                return Ok(j);
            }
        }
        Err(not_listed("manual backup"))
    }

    /// The policy's jobs, newest first, optionally in one state.
    pub async fn list_backup_jobs(
        &self,
        bid: &str,
        status: Option<JobStatus>,
        req: &PageRequest,
    ) -> Result<Page<BackupJob>> {
        let state = match status {
            None => None,
            Some(s) => match map::job_state_wire(s) {
                Some(w) => Some(w),
                // A state the vendor's jobs are never in.
                None => {
                    return Ok(Page {
                        items: vec![],
                        next_page_token: None,
                    })
                }
            },
        };
        let (rows, next) = Self::page(req, |p| api::list_histories(&self.api, bid, state, p))
            .await
            .map_err(self.gone(bid))?;
        let mut items = vec![];
        for v in rows {
            let h: wire::History = decode(&v)?;
            items.extend(map::job(&self.ids, bid, &h, &v));
        }
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    /// A job, found in its policy's history.
    pub async fn get_backup_job(&self, id: &GlobalId) -> Result<BackupJob> {
        let bid = Self::backup_vid(id)?;
        let missing = || Error::not_found(ResourceType::BackupJob, id.encode());
        let found = Self::scan(
            SCAN_PAGES,
            |p| api::list_histories(&self.api, bid, None, p),
            |v| v["backup_job_guid"].as_str() == Some(id.vendor_id.as_str()),
        )
        .await
        .map_err(Error::vendor_404_as(ResourceType::BackupJob, id.encode()))?
        .ok_or_else(missing)?;
        let h: wire::History = decode(&found)?;
        map::job(&self.ids, bid, &h, &found).ok_or_else(missing)
    }

    /// The policy's recovery points, newest first.
    pub async fn list_recovery_points(
        &self,
        bid: &str,
        req: &PageRequest,
    ) -> Result<Page<RecoveryPoint>> {
        let (rows, next) = Self::page(req, |p| api::list_restore_targets(&self.api, bid, p))
            .await
            .map_err(self.gone(bid))?;
        let items = rows
            .iter()
            .map(|v| Ok(map::recovery_point(&self.ids, bid, &decode(v)?, v)))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    /// DeleteBackupRestoreTarget of one recovery point.
    pub async fn delete_recovery_point(&self, id: &GlobalId) -> Result<()> {
        let bid = Self::backup_vid(id)?;
        api::delete_restore_target(&self.api, bid, &id.vendor_id)
            .await
            .map_err(Error::vendor_404_as(
                ResourceType::RecoveryPoint,
                id.encode(),
            ))?;
        Ok(())
    }

    /// The vendor id of a restore request's recovery point, which must be one of `bid`'s.
    fn recovery_point_of(&self, bid: &str, raw: &str) -> Result<String> {
        let bad = || {
            Error::invalid(
                "recovery_point_id",
                "not a recovery point of this backup policy",
            )
        };
        let rp = GlobalId::parse_as(raw, ResourceType::RecoveryPoint).map_err(|_| bad())?;
        if rp.provider != self.ids.provider || rp.parent.as_deref() != Some(bid) {
            return Err(bad());
        }
        Ok(rp.vendor_id)
    }

    /// An image restore (RestoreBackup, after the server name check) or a filesystem
    /// restore (RestoreAgentBackup), then the restore it started (see the module doc).
    pub async fn restore_backup(&self, bid: &str, req: &RestoreBackup) -> Result<RestoreJob> {
        let rp = self.recovery_point_of(bid, &req.recovery_point_id)?;
        let (d, _) = self.show(bid).await?;
        let kind = map::kind(d.policy_type.as_deref(), d.policy_category.as_deref())
            .unwrap_or(BackupKind::Image);
        self.caps.validate_restore(kind, req)?;
        let start = Utc::now();
        // What identifies the new row: the new server's name, or the target server's id.
        let (name, server) = match (&req.server, &req.filesystem) {
            (Some(s), _) => {
                let c: wire::Check = decode(&api::check_restore_name(&self.api, &s.name).await?)?;
                if c.result == Some(true) {
                    return Err(Error::already_exists(format!(
                        "a server named `{}` already exists",
                        s.name
                    )));
                }
                let mut body = json!({
                    "restore_target_id": rp,
                    "restore_server_name": s.name,
                    // Always sent: required in the seed, optional in the spec (§8 #9).
                    "server_type_id": s.server_type,
                });
                if let Some(sub) = &s.subnet_id {
                    body["networks"] = json!([{ "subnet_id": sub }]);
                }
                if !s.security_group_ids.is_empty() {
                    body["security_groups"] = json!(s.security_group_ids);
                }
                api::restore_backup(&self.api, bid, &body)
                    .await
                    .map_err(self.gone(bid))?;
                (Some(s.name.clone()), None)
            }
            (None, Some(f)) => {
                let paths: Vec<Value> = f
                    .paths
                    .iter()
                    .map(|p| json!({"source": p.source, "destination": p.destination}))
                    .collect();
                let body = json!({
                    "restore_target_id": rp,
                    "restore_server_uuid": f.server_id,
                    "filesystem_paths": paths,
                    "overwrite": f.overwrite,
                });
                api::restore_agent_backup(&self.api, bid, &body)
                    .await
                    .map_err(self.gone(bid))?;
                (None, Some(f.server_id.clone()))
            }
            (None, None) => {
                return Err(Error::invalid("server", "give `server` or `filesystem`"));
            }
        };
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(PAUSE).await;
            }
            let raw = api::list_restore_histories(&self.api, bid, VendorPage { page: 0, size: 20 })
                .await
                .map_err(self.gone(bid))?;
            let rows: wire::List<Value> = decode(&raw)?;
            let mut best: Option<(wire::RestoreHistory, Value)> = None;
            for v in rows.contents {
                let h: wire::RestoreHistory = decode(&v)?;
                let t = time(&h.restore_start_time);
                let ours = match (&name, &server) {
                    (Some(n), _) => h.restore_server_name.as_deref() == Some(n.as_str()),
                    (_, Some(s)) => h.restore_server_id.as_deref().is_none_or(|i| i == s),
                    _ => true,
                };
                let newer = best
                    .as_ref()
                    .is_none_or(|(b, _)| t > time(&b.restore_start_time));
                if ours && t.is_some_and(|t| t >= since(start)) && newer {
                    best = Some((h, v));
                }
            }
            if let Some((h, v)) = best {
                return Ok(map::restore_job(&self.ids, bid, &h, &v));
            }
        }
        Err(not_listed("restore"))
    }

    /// The policy's restores, newest first.
    pub async fn list_restore_jobs(
        &self,
        bid: &str,
        req: &PageRequest,
    ) -> Result<Page<RestoreJob>> {
        let (rows, next) = Self::page(req, |p| api::list_restore_histories(&self.api, bid, p))
            .await
            .map_err(self.gone(bid))?;
        let items = rows
            .iter()
            .map(|v| Ok(map::restore_job(&self.ids, bid, &decode(v)?, v)))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    /// A restore, found in its policy's restore history by its derived id.
    pub async fn get_restore_job(&self, id: &GlobalId) -> Result<RestoreJob> {
        let bid = Self::backup_vid(id)?;
        let missing = || Error::not_found(ResourceType::RestoreJob, id.encode());
        let found = Self::scan(
            SCAN_PAGES,
            |p| api::list_restore_histories(&self.api, bid, p),
            |v| {
                decode::<wire::RestoreHistory>(v)
                    .is_ok_and(|h| map::restore_id(bid, &h) == id.vendor_id)
            },
        )
        .await
        .map_err(Error::vendor_404_as(ResourceType::RestoreJob, id.encode()))?
        .ok_or_else(missing)?;
        Ok(map::restore_job(&self.ids, bid, &decode(&found)?, &found))
    }

    /// Subnets a server restored from the policy can use, in `region` (default: the
    /// provider's, where the policy is).
    pub async fn list_restore_subnets(
        &self,
        bid: &str,
        region: Option<&str>,
    ) -> Result<Vec<RestoreSubnet>> {
        let region = region.unwrap_or(&self.ids.region);
        let raw = api::list_restore_subnets(&self.api, bid, region)
            .await
            .map_err(self.gone(bid))?;
        let l: wire::SubnetList = decode(&raw)?;
        l.subnets
            .iter()
            .map(|v| {
                let s: wire::Subnet = decode(v)?;
                Ok(RestoreSubnet {
                    name: s.name.unwrap_or_default(),
                    cidr: s.cidr,
                    vendor: map::vendor(v, &["id", "name", "cidr"]),
                    id: s.id,
                })
            })
            .collect()
    }

    /// Servers a filesystem backup can be restored onto.
    pub async fn list_restore_servers(
        &self,
        bid: &str,
        req: &PageRequest,
    ) -> Result<Page<BackupTarget>> {
        let (rows, next) = Self::page(req, |p| api::list_restore_servers(&self.api, bid, p))
            .await
            .map_err(self.gone(bid))?;
        let items = rows
            .iter()
            .map(|v| Ok(map::target(&decode(v)?, v, None)))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_page_token: next,
        })
    }
}
