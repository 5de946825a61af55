//! SCP Backup (`backup`, API 1.1 or 1.0) mapped onto backup policies, jobs, recovery points,
//! restores, backup targets and agents. Reference: `shared/vendor/scp-backup.md`.
//!
//! Vendor quirks handled here and in the sibling files:
//! - **Versions** (§4.0): pinned per service (`versions.backup`, default `1.1`). Only 1.1
//!   has DR: `dr_enabled` is sent on create only under 1.1, the DR fields are read when
//!   present, and UpdateReplicationUse (seed only, §8 #5) is used only under 1.1; under 1.0
//!   the capability document offers no replication region and `replicate` is refused
//!   before any call. `backup_master_type` is sent to ListBackupRegionRelationship only
//!   under 1.1.
//! - **No ids back**: CreateBackup's `resource.id` is the new policy (provider hint); when it
//!   is missing the policy is found by name. CreateBackupAgent's likewise, else by server.
//!   ManualBackup and the restores return no job id: the job is the newest history row that
//!   started at or after the call ([`jobs`]), and a restore row has no id at all, so its id
//!   is derived from (backup, restore server name, start time) ([`map::restore_id`]).
//! - **Paging** (§2.1): `page` is a page *index* and `size` its length, with defaults that
//!   differ per operation, so both are always sent, with an explicit sort. The gateway's
//!   page token is the item offset; an offset that does not fall on a vendor page boundary
//!   (the page size changed between pages) is served from two vendor pages, so nothing is
//!   lost or repeated ([`BackupService::page`]). `count` may be missing or `""`.
//! - **Lists are thin**: ListBackups rows lack the server, kind, encryption and DR fields,
//!   and ShowBackup lacks the schedules, so a policy is read with ShowBackup +
//!   ListBackupSchedules (for each listed policy too).
//! - **Validation the vendor does by separate calls**: the name (CheckBackupNameDuplicate),
//!   each filesystem path (CheckFilesystemPathDuplication) and an image restore's server
//!   name (CheckBackupRestoreServerNameDuplicate) are checked before the mutation; `true`
//!   means taken (409 `already_exists`). These checks are GETs, so a dry run shows them and
//!   says that what follows depends on their answers.
//! - **Schedules**: the vendor needs at least one entry on create, and SetBackupSchedule
//!   replaces the set; an empty schedule is refused before any call. On read, `start_day`
//!   and `start_week` are dropped where the frequency does not use them (the vendor stores
//!   what it is sent, §6.5).
//! - **Unusual HTTP**: DeleteBackupRestoreTarget is a DELETE with a JSON body;
//!   CheckBackupMasterConnectionState is a GET answering 202 that starts a check, recorded as
//!   a mutation in a dry run ([`ScpClient::call_mutating`]).
//! - **Tolerant decoding** ([`wire`]): quoted numbers and booleans, `count: ""`,
//!   `links: [""]`, `null` lists, naive timestamps, open enum strings.
//! - **Not mapped onto the model**: tags (they live in SCP's tag service: `labels` are not
//!   offered), `server_guid` on create (optional; the policy is identified by
//!   `server_uuid`), `restore_region` of an image restore (restores go to the backup's
//!   region), the list filters by server name and agent IP, and history time windows.

mod agents;
pub(crate) mod api;
pub(crate) mod caps;
mod jobs;
pub(crate) mod map;
pub(crate) mod wire;

use std::future::Future;

use serde_json::{json, Value};
use strata_core::capability::BackupCapabilities;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};

use crate::client::ScpClient;
use crate::shared::wire::decode;
use api::VendorPage;
use map::BackupIds;

/// Largest vendor page this adapter asks for.
const MAX_PAGE: u32 = 100;

/// SCP Backup in one region.
pub(crate) struct BackupService {
    pub api: ScpClient,
    pub ids: BackupIds,
    /// The pinned API version (`1.1` or `1.0`).
    pub version: String,
    pub caps: BackupCapabilities,
}

impl BackupService {
    /// Backup speaking API `version` through `api`; `dr_regions` from the configuration.
    pub fn new(api: ScpClient, ids: BackupIds, version: &str) -> Self {
        BackupService {
            caps: caps::capabilities(version, ids.dr_regions.clone()),
            api,
            ids,
            version: version.into(),
        }
    }

    fn v11(&self) -> bool {
        caps::replicates(&self.version)
    }

    /// The `backup_not_found` error of backup `bid`.
    fn gone(&self, bid: &str) -> impl FnOnce(Error) -> Error {
        Error::vendor_404_as(ResourceType::Backup, self.ids.backup(bid))
    }

    /// One page of a vendor list, from the gateway's offset token: the rows and the next
    /// token. `fetch` asks for one vendor page.
    pub(crate) async fn page<F, Fut>(
        req: &PageRequest,
        fetch: F,
    ) -> Result<(Vec<Value>, Option<String>)>
    where
        F: Fn(VendorPage) -> Fut,
        Fut: Future<Output = Result<Value>>,
    {
        let offset: u64 = match &req.page_token {
            None => 0,
            Some(t) => t.parse().map_err(|_| Error::InvalidPageToken)?,
        };
        let size = req.page_size.clamp(1, MAX_PAGE);
        let n = u64::from(size);
        let (first, skip) = (offset / n, (offset % n) as usize);
        let l: wire::List<Value> = decode(&fetch(VendorPage { page: first, size }).await?)?;
        let mut ended = l.contents.len() < size as usize;
        let mut count = l.count;
        let mut rows: Vec<Value> = l.contents.into_iter().skip(skip).collect();
        if skip > 0 && !ended {
            // The offset lies inside a vendor page: the rest comes from the next one.
            let next: wire::List<Value> = decode(
                &fetch(VendorPage {
                    page: first + 1,
                    size,
                })
                .await?,
            )?;
            ended = next.contents.len() < size as usize;
            count = next.count.or(count);
            rows.extend(next.contents);
        }
        rows.truncate(size as usize);
        let after = offset + rows.len() as u64;
        let more = !rows.is_empty() && count.map_or(!ended, |c| after < c);
        Ok((rows, more.then(|| after.to_string())))
    }

    /// Every row of a vendor list (pages of [`MAX_PAGE`], at most `pages` of them), for the
    /// lookups by a field the vendor cannot filter on.
    pub(crate) async fn scan<F, Fut>(
        pages: u64,
        fetch: F,
        mut found: impl FnMut(&Value) -> bool,
    ) -> Result<Option<Value>>
    where
        F: Fn(VendorPage) -> Fut,
        Fut: Future<Output = Result<Value>>,
    {
        for page in 0..pages {
            let l: wire::List<Value> = decode(
                &fetch(VendorPage {
                    page,
                    size: MAX_PAGE,
                })
                .await?,
            )?;
            let last = l.contents.len() < MAX_PAGE as usize;
            if let Some(v) = l.contents.into_iter().find(|v| found(v)) {
                return Ok(Some(v));
            }
            if last {
                break;
            }
        }
        Ok(None)
    }

    /// The vendor id of a backup id (or of the backup a child id is addressed under).
    pub(crate) fn backup_vid(id: &GlobalId) -> Result<&str> {
        match id.rtype {
            ResourceType::Backup => Ok(&id.vendor_id),
            _ => id
                .parent
                .as_deref()
                .ok_or_else(|| Error::invalid("id", "the id names no backup policy")),
        }
    }

    /// ShowBackup: the decoded detail and the raw answer.
    pub(crate) async fn show(&self, bid: &str) -> Result<(wire::BackupDetail, Value)> {
        let raw = api::show_backup(&self.api, bid)
            .await
            .map_err(self.gone(bid))?;
        Ok((decode(&raw)?, raw))
    }

    /// The policy `bid` as the model has it.
    pub(crate) async fn read(&self, bid: &str) -> Result<Backup> {
        let ((d, raw), schedules) = futures::try_join!(self.show(bid), async {
            let raw = api::list_schedules(&self.api, bid)
                .await
                .map_err(self.gone(bid))?;
            Ok(decode::<wire::List<wire::Schedule>>(&raw)?.contents)
        })?;
        Ok(map::backup(&self.ids, &d, &raw, &schedules))
    }

    /// Policies a page at a time (oldest first), each read in full.
    pub async fn list_backups(
        &self,
        filter: &BackupFilter,
        req: &PageRequest,
    ) -> Result<Page<Backup>> {
        let name = filter.name.as_deref();
        let (rows, next) = Self::page(req, |p| api::list_backups(&self.api, name, p)).await?;
        let rows: Vec<wire::BackupRow> = rows.iter().map(decode).collect::<Result<_>>()?;
        let read = rows.iter().map(|r| self.read(&r.id));
        let mut items = vec![];
        for b in futures::future::join_all(read).await {
            match b {
                Ok(b) => items.push(b),
                // Deleted between the list and the read.
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    /// Refuses an empty schedule: the vendor needs at least one entry (§4.1.2).
    fn need_schedules(s: &[BackupSchedule]) -> Result<()> {
        if s.is_empty() {
            return Err(Error::unsupported_value(
                "schedules",
                "SCP Backup policies need at least one schedule entry",
            ));
        }
        Ok(())
    }

    /// `already_exists` when a policy is named `name` (CheckBackupNameDuplicate).
    async fn check_name(&self, name: &str) -> Result<()> {
        let c: wire::Check = decode(&api::check_name(&self.api, name).await?)?;
        if c.result == Some(true) {
            return Err(Error::already_exists(format!(
                "a backup policy named `{name}` already exists"
            )));
        }
        Ok(())
    }

    /// `already_exists` naming the first of `paths` another policy protects on the server
    /// (CheckFilesystemPathDuplication for each path not in `own`).
    async fn check_paths(&self, server: &str, paths: &[String], own: &[String]) -> Result<()> {
        for p in paths.iter().filter(|p| !own.contains(p)) {
            let c: wire::Check = decode(&api::check_path(&self.api, server, p).await?)?;
            if c.result == Some(true) {
                return Err(Error::already_exists(format!(
                    "path `{p}` of server `{server}` is already protected by a backup policy"
                )));
            }
        }
        Ok(())
    }

    /// `unsupported_value` under 1.0, which has no DR.
    fn dr_offered(&self) -> Result<()> {
        if !self.v11() {
            return Err(Error::unsupported_value(
                "replicate",
                "replication needs SCP Backup API 1.1 (this provider is pinned to 1.0)",
            ));
        }
        Ok(())
    }

    /// `failed_precondition` when the vendor pairs the region with no DR region for this
    /// kind (ListBackupRegionRelationship).
    async fn check_dr(&self, kind: BackupKind) -> Result<()> {
        let master = match kind {
            BackupKind::Image => "AGENTLESS",
            BackupKind::Filesystem => "AGENT",
        };
        let raw = api::list_region_relationship(&self.api, &self.ids.region, Some(master)).await?;
        let pairs: wire::List<wire::RegionPair> = decode(&raw)?;
        if !pairs.contents.iter().any(|p| p.to_region.is_some()) {
            return Err(Error::failed_precondition(format!(
                "SCP pairs region `{}` with no DR region for {master} backups",
                self.ids.region
            )));
        }
        Ok(())
    }

    /// Creates a policy: name (and paths) checked unused first, then CreateBackup with the
    /// body of the pinned version; returns it as read.
    pub async fn create_backup(&self, req: &CreateBackup) -> Result<Backup> {
        Self::need_schedules(&req.schedules)?;
        if req.replicate {
            self.dr_offered()?;
        }
        self.check_name(&req.name).await?;
        if req.kind == BackupKind::Filesystem {
            self.check_paths(&req.server_id, &req.paths, &[]).await?;
        }
        if req.replicate {
            self.check_dr(req.kind).await?;
        }
        let (category, policy_type) = map::kind_wire(req.kind);
        let mut body = json!({
            "name": req.name,
            "policy_category": category,
            "policy_type": policy_type,
            "server_uuid": req.server_id,
            "server_category": map::category(req.server_type),
            "schedules": req.schedules.iter().map(map::schedule_wire).collect::<Vec<_>>(),
            "retention_period": map::retention_wire(req.retention),
            // Always sent: the seed defaults to true, the spec to false (§8 #8).
            "encrypt_enabled": req.encrypted,
            "region": self.ids.region,
        });
        if req.kind == BackupKind::Filesystem {
            body["filesystem_paths"] = json!(req.paths);
        }
        if self.v11() {
            body["dr_enabled"] = json!(req.replicate);
        }
        let env: wire::Envelope = decode(&api::create_backup(&self.api, &body).await?)?;
        let bid = match env.resource.and_then(|r| r.id).filter(|i| !i.is_empty()) {
            Some(id) => id,
            // `resource.id` is the new policy (provider hint); without it, find the policy by
            // its name, which the name check made unique.
            None => self.find_by_name(&req.name).await?,
        };
        self.read(&bid).await
    }

    async fn find_by_name(&self, name: &str) -> Result<String> {
        let found = Self::scan(
            10,
            |p| api::list_backups(&self.api, Some(name), p),
            |v| v["name"].as_str() == Some(name),
        )
        .await?;
        found
            .and_then(|v| v["id"].as_str().map(str::to_string))
            .ok_or_else(|| Error::VendorFailed {
                vendor_status: None,
                vendor_code: None,
                message: format!("the created backup policy `{name}` is not listed"),
            })
    }

    /// Retention, then schedules, then paths, then replication; returns the policy as read.
    pub async fn update_backup(&self, bid: &str, req: &UpdateBackup) -> Result<Backup> {
        if let Some(s) = &req.schedules {
            Self::need_schedules(s)?;
        }
        if req.replicate.is_some() {
            self.dr_offered()?;
        }
        let detail = match (&req.paths, req.replicate) {
            (None, None) => None,
            _ => Some(self.show(bid).await?.0),
        };
        let kind = |d: &wire::BackupDetail| {
            map::kind(d.policy_type.as_deref(), d.policy_category.as_deref())
                .unwrap_or(BackupKind::Image)
        };
        if let (Some(p), Some(d)) = (&req.paths, &detail) {
            if kind(d) != BackupKind::Filesystem {
                return Err(Error::unsupported_value(
                    "paths",
                    "an `image` policy copies the whole server: it has no paths",
                ));
            }
            self.check_paths(&d.server_uuid, p, &d.filesystem_paths)
                .await?;
        }
        let replicate = match (req.replicate, &detail) {
            (Some(on), Some(d)) if d.dr_enabled.unwrap_or(false) != on => {
                if on {
                    self.check_dr(kind(d)).await?;
                }
                Some(on)
            }
            _ => None,
        };
        if let Some(r) = req.retention {
            api::update_retention(&self.api, bid, map::retention_wire(r))
                .await
                .map_err(self.gone(bid))?;
        }
        if let Some(s) = &req.schedules {
            let wire_form = Value::Array(s.iter().map(map::schedule_wire).collect());
            api::set_schedules(&self.api, bid, &wire_form)
                .await
                .map_err(self.gone(bid))?;
        }
        if let Some(p) = &req.paths {
            api::set_paths(&self.api, bid, p)
                .await
                .map_err(self.gone(bid))?;
        }
        if let Some(on) = replicate {
            api::update_replication(&self.api, bid, on)
                .await
                .map_err(self.gone(bid))?;
        }
        self.read(bid).await
    }

    /// DeleteBackup.
    pub async fn delete_backup(&self, bid: &str) -> Result<()> {
        api::delete_backup(&self.api, bid)
            .await
            .map_err(self.gone(bid))?;
        Ok(())
    }

    /// Health: a one-row ListBackups.
    pub async fn health(&self) -> Result<()> {
        api::list_backups(&self.api, None, VendorPage { page: 0, size: 1 }).await?;
        Ok(())
    }
}
