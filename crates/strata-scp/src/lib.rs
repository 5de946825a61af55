//! # strata-scp
//!
//! The Samsung Cloud Platform adapter: the shared [client] (request signer, signed HTTP,
//! error mapping), one folder per SCP service — File Storage (kind `file`), Parallel File
//! Storage (kind `parallel_file`), Block Storage for bare metal (kind `block`, and volume
//! groups), Backup (backup policies, jobs, recovery points, restores, agents) and Archive
//! Storage (archives, their objects, versions, policy and jobs), each with
//! its vendor calls, wire shapes, pure mapping and capability document — and the
//! [`ScpProvider`] that dispatches Strata's provider traits to them. The adapter parses its
//! own provider settings ([`ScpProvider::from_settings`]).
//! References: `shared/vendor/scp-file-storage.md`, `scp-parallel-file-storage.md`,
//! `scp-block-storage.md`, `scp-backup.md`, `scp-archive-storage.md`.

mod archive;
mod archive_dispatch;
mod backup;
mod backup_dispatch;
mod block;
mod caps;
pub mod client;
mod config;
mod file;
mod group_dispatch;
mod kind_dispatch;
mod parallel_file;
mod service;
mod shared;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_archive;
#[cfg(test)]
mod tests_backup;
#[cfg(test)]
mod tests_block;

use async_trait::async_trait;
use strata_core::capability::*;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, IdError, ProviderIds, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::*;
use strata_core::settings::{ProviderSettings, SettingsError};

pub use caps::{capabilities, capabilities_at, name_rules};
pub use client::{ScpClient, Signer};
pub use config::{ScpConfig, REGIONS};
pub use service::ScpService;

use archive::ArchiveService;
use backup::BackupService;
use block::BlockStorage;
use file::FileStorage;
use parallel_file::ParallelFileStorage;
use shared::{RulesAt, VolumeService};

/// The vendor name used in configuration.
pub const VENDOR: &str = "scp";

/// One SCP region of one account, offering any of File Storage, Parallel File Storage,
/// Block Storage, Backup and Archive Storage.
///
/// Requests are checked against [`capabilities`] by the gateway first; the service modules
/// add only what the document cannot express (no descriptions, rules after create, the
/// vendor's region lookup for replicas).
pub struct ScpProvider {
    info: ProviderInfo,
    caps: Capabilities,
    file: Option<FileStorage>,
    pfs: Option<ParallelFileStorage>,
    block: Option<BlockStorage>,
    backup: Option<BackupService>,
    archive: Option<ArchiveService>,
}

/// Most vendor calls one page of [`ScpProvider::list_volumes`] makes.
///
/// A page is filled from where its token points (or from the first service): each call asks
/// the current service for what the page still needs plus one, or for the largest vendor page
/// ([`Capabilities::max_page_size`]) when a status or name filter may drop volumes here; a
/// service listed to its end hands over to the next one. The page ends
/// - full, with a token at the next matching volume, found by looking one past the page (or
///   known to exist from the vendor's count when nothing is filtered here). The token holds
///   that volume's offset in its service, which may lie inside a vendor page: nothing is lost
///   or repeated;
/// - without a token, when every service is listed to its end (the page may then be short,
///   or empty when nothing matches);
/// - after `MAX_LIST_CALLS` calls, with a token at the scan position. This is the only way a
///   page with a token is short, or empty: the latter takes `MAX_LIST_CALLS` × 100 volumes in
///   a row that the filter drops.
///
/// Without a filter, and with a vendor that answers the pages it is asked for, a page takes at
/// most 2 calls (one per service it reaches, the look-ahead included). The bound keeps a page
/// within the gateway's list deadline, and its token makes progress, where an unbounded scan
/// could time out and be retried from the same place forever.
const MAX_LIST_CALLS: usize = 4;

/// What one service module implements (the trait defaults answer `unsupported_by_provider`).
trait KindOps: VolumeOps + SnapshotOps + ReplicaOps {}
impl<T: VolumeOps + SnapshotOps + ReplicaOps> KindOps for T {}

impl ScpProvider {
    /// Builds the provider from its configuration (no vendor call is made).
    pub fn new(cfg: ScpConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| Error::Internal(format!("http client: {e}")))?;
        let signer = Signer::new(
            &cfg.access_key,
            cfg.secret_key.clone(),
            cfg.account_id.clone(),
        );
        let version = |s: ScpService| {
            cfg.versions
                .get(&s)
                .map_or(s.default_version(), String::as_str)
        };
        let client = |s: ScpService| {
            let base = cfg.endpoints.get(&s).cloned().unwrap_or_else(|| {
                client::default_base_url(s.service_id(), &cfg.region, &cfg.environment)
            });
            ScpClient::new(
                http.clone(),
                signer.clone(),
                s.service_id(),
                version(s),
                &base,
                &cfg.accept_language,
            )
        };
        let ids = |kind: VolumeKind| ProviderIds {
            provider: cfg.provider_id.clone(),
            region: cfg.region.clone(),
            kind,
            peers: cfg.peers.clone(),
        };
        let service = |s: ScpService, kind, list_key, rules_at| VolumeService {
            api: client(s),
            ids: ids(kind),
            list_key,
            rules_at,
        };
        let has = |s| cfg.services.contains(&s);
        Ok(ScpProvider {
            info: ProviderInfo {
                id: cfg.provider_id.clone(),
                vendor: Vendor::Scp,
                region: cfg.region.clone(),
                display_name: cfg
                    .display_name
                    .clone()
                    .unwrap_or_else(|| format!("Samsung Cloud Platform ({})", cfg.region)),
            },
            caps: capabilities_at(
                &cfg.services,
                &cfg.versions,
                cfg.replication_regions.clone(),
            ),
            file: has(ScpService::File).then(|| FileStorage {
                svc: service(
                    ScpService::File,
                    VolumeKind::File,
                    "filestorages",
                    RulesAt::UnderVolume,
                ),
                names: name_rules(),
            }),
            pfs: has(ScpService::ParallelFile).then(|| ParallelFileStorage {
                svc: service(
                    ScpService::ParallelFile,
                    VolumeKind::ParallelFile,
                    "parallel_filestorages",
                    RulesAt::TopLevel,
                ),
            }),
            block: has(ScpService::Block).then(|| {
                BlockStorage::new(
                    client(ScpService::Block),
                    ids(VolumeKind::Block),
                    version(ScpService::Block),
                    cfg.replication_regions.clone(),
                )
            }),
            backup: has(ScpService::Backup).then(|| {
                BackupService::new(
                    client(ScpService::Backup),
                    backup::map::BackupIds {
                        provider: cfg.provider_id.clone(),
                        region: cfg.region.clone(),
                        peers: cfg.peers.clone(),
                        dr_regions: cfg.replication_regions.clone(),
                    },
                    version(ScpService::Backup),
                )
            }),
            archive: has(ScpService::Archive).then(|| {
                ArchiveService::new(
                    client(ScpService::Archive),
                    &cfg.provider_id,
                    version(ScpService::Archive),
                )
            }),
        })
    }

    /// Builds the provider from an `scp` provider table of the gateway's configuration;
    /// `all` is every configured provider, so the same account's providers in other regions
    /// become peers. See [`ScpConfig::from_settings`].
    pub fn from_settings(
        cfg: &ProviderSettings,
        all: &[ProviderSettings],
    ) -> std::result::Result<Self, SettingsError> {
        let c = ScpConfig::from_settings(cfg, all)?;
        Self::new(c).map_err(|e| cfg.error(e))
    }

    fn kind_ops(&self, kind: VolumeKind) -> Result<&dyn KindOps> {
        match kind {
            VolumeKind::File => self.file.as_ref().map(|f| f as &dyn KindOps),
            VolumeKind::ParallelFile => self.pfs.as_ref().map(|p| p as &dyn KindOps),
            VolumeKind::Block => self.block.as_ref().map(|b| b as &dyn KindOps),
        }
        .ok_or_else(|| Error::unsupported(format!("{kind} volumes")))
    }

    /// The service an id belongs to, from one table of (resource type, kind): volumes and
    /// their snapshots and replicas go to the service of their volume kind; nothing else
    /// (a backup, archive, volume group or job id, or an id without a kind) reaches a
    /// volume service.
    fn of(&self, id: &GlobalId) -> Result<&dyn KindOps> {
        self.own(id)?;
        match (id.rtype, id.kind) {
            (ResourceType::Volume | ResourceType::Snapshot | ResourceType::Replica, Some(kind)) => {
                self.kind_ops(kind)
            }
            (rtype, _) => Err(Error::InvalidId(IdError::Unroutable(rtype))),
        }
    }

    /// `Ok` when the id is of this provider.
    fn own(&self, id: &GlobalId) -> Result<()> {
        if id.provider != self.info.id {
            return Err(Error::invalid(
                "id",
                format!("the id belongs to provider `{}`", id.provider),
            ));
        }
        Ok(())
    }

    /// Block Storage, which serves volume groups; `unsupported_by_provider` when it is not
    /// configured.
    fn groups(&self) -> Result<&BlockStorage> {
        self.block
            .as_ref()
            .ok_or_else(|| Error::unsupported("volume groups"))
    }

    /// The service of a volume group or group snapshot id.
    fn group_of(&self, id: &GlobalId) -> Result<&BlockStorage> {
        self.own(id)?;
        match id.rtype {
            ResourceType::VolumeGroup | ResourceType::GroupSnapshot => self.groups(),
            rtype => Err(Error::InvalidId(IdError::Unroutable(rtype))),
        }
    }

    /// The services in list order, with the page-token letter of each.
    fn listed(&self) -> Vec<(char, VolumeKind)> {
        let mut v = vec![];
        if self.file.is_some() {
            v.push(('f', VolumeKind::File));
        }
        if self.pfs.is_some() {
            v.push(('p', VolumeKind::ParallelFile));
        }
        if self.block.is_some() {
            v.push(('b', VolumeKind::Block));
        }
        v
    }

    async fn service_page(
        &self,
        kind: VolumeKind,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Volume>, u64)> {
        match (kind, &self.file, &self.pfs, &self.block) {
            (VolumeKind::File, Some(f), _, _) => f.page(name, offset, limit).await,
            (VolumeKind::ParallelFile, _, Some(p), _) => p.page(name, offset, limit).await,
            (VolumeKind::Block, _, _, Some(b)) => b.page(name, offset, limit).await,
            _ => Ok((vec![], 0)),
        }
    }
}

// Dispatching impls: every method is written out (and checked by the lint), so a method the
// services offer is never lost to the trait's `unsupported` default.
#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl VolumeOps for ScpProvider {
    /// File volumes first, then parallel file volumes, then block volumes, each in the
    /// vendor's name order. The
    /// page token is `<service letter>:<offset>:<limit>`: the service and the vendor offset in
    /// it of the page's first volume, and the page size the listing started with. See
    /// [`MAX_LIST_CALLS`] for how a page is filled.
    async fn list_volumes(
        &self,
        _ctx: &CallCtx,
        filter: &VolumeFilter,
        page: &PageRequest,
    ) -> Result<Page<Volume>> {
        let services: Vec<(char, VolumeKind)> = self
            .listed()
            .into_iter()
            .filter(|(_, k)| filter.kind.is_none_or(|f| f == *k))
            .collect();
        let Some(first) = services.first() else {
            return Ok(Page {
                items: vec![],
                next_page_token: None,
            });
        };
        let max = self.caps.max_page_size;
        let (letter, offset, limit) = match &page.page_token {
            None => (first.0, 0, page.page_size.clamp(1, max)),
            Some(t) => {
                let mut parts = t.splitn(3, ':');
                let parsed = (|| {
                    let l = parts.next()?.chars().next()?;
                    let o: u64 = parts.next()?.parse().ok()?;
                    let n: u32 = parts.next()?.parse().ok()?;
                    Some((l, o, n))
                })();
                parsed
                    .filter(|(l, _, n)| services.iter().any(|s| s.0 == *l) && (1..=max).contains(n))
                    .ok_or(Error::InvalidPageToken)?
            }
        };
        let mut pos = services.iter().position(|s| s.0 == letter).unwrap_or(0);
        let mut offset = offset;
        let size = limit as usize;
        // Items the vendor returns but the filter may drop here: the status (the vendor has no
        // status filter) and, to be safe, the name (the vendor's match is not documented).
        let drops = filter.status.is_some() || filter.name.is_some();
        let token = |pos: usize, offset: u64| format!("{}:{offset}:{limit}", services[pos].0);
        let mut items: Vec<Volume> = Vec::with_capacity(size);
        // The vendor's count of the current service, once a call has told it.
        let mut total: Option<u64> = None;
        let mut calls = 0;
        loop {
            let Some(&(_, kind)) = services.get(pos) else {
                // Every service is listed to its end.
                return Ok(Page {
                    items,
                    next_page_token: None,
                });
            };
            if items.len() == size && !drops && total.is_some_and(|t| offset < t) {
                // Full, and the vendor's count says volumes follow (each of them matches).
                break;
            }
            if calls == MAX_LIST_CALLS {
                break;
            }
            let need = size - items.len();
            let ask = if drops {
                max
            } else {
                (need as u32 + 1).min(max)
            };
            let (raw, count) = self
                .service_page(kind, filter.name.as_deref(), offset, ask)
                .await?;
            calls += 1;
            let got = raw.len() as u64;
            for (i, v) in raw.into_iter().enumerate() {
                if !filter.matches(&v) {
                    continue;
                }
                if items.len() == size {
                    // The first volume of the next page: resume exactly there.
                    return Ok(Page {
                        items,
                        next_page_token: Some(token(pos, offset + i as u64)),
                    });
                }
                items.push(v);
            }
            offset += got;
            if got == 0 || offset >= count {
                pos += 1;
                offset = 0;
                total = None;
            } else {
                total = Some(count);
            }
        }
        Ok(Page {
            items,
            next_page_token: Some(token(pos, offset)),
        })
    }
    async fn get_volume(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Volume> {
        self.of(id)?.get_volume(ctx, id).await
    }
    async fn create_volume(&self, ctx: &CallCtx, req: &CreateVolume) -> Result<Volume> {
        self.kind_ops(req.kind)?.create_volume(ctx, req).await
    }
    async fn update_volume(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateVolume,
    ) -> Result<Volume> {
        self.of(id)?.update_volume(ctx, id, req).await
    }
    async fn delete_volume(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.of(id)?.delete_volume(ctx, id).await
    }
    async fn get_access_rules(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Vec<AccessRule>> {
        self.of(id)?.get_access_rules(ctx, id).await
    }
    async fn set_access_rules(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        rules: &[AccessRule],
    ) -> Result<Vec<AccessRule>> {
        self.of(id)?.set_access_rules(ctx, id, rules).await
    }
    async fn list_mount_targets(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Vec<MountTarget>> {
        self.of(id)?.list_mount_targets(ctx, id).await
    }
    async fn create_mount_target(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &CreateMountTarget,
    ) -> Result<MountTarget> {
        self.of(id)?.create_mount_target(ctx, id, req).await
    }
    async fn delete_mount_target(&self, ctx: &CallCtx, id: &GlobalId, target: &str) -> Result<()> {
        self.of(id)?.delete_mount_target(ctx, id, target).await
    }
    async fn get_usage(&self, ctx: &CallCtx, id: &GlobalId) -> Result<Usage> {
        self.of(id)?.get_usage(ctx, id).await
    }
    async fn attach(&self, ctx: &CallCtx, id: &GlobalId, att: &Attachment) -> Result<Volume> {
        self.of(id)?.attach(ctx, id, att).await
    }
    async fn detach(&self, ctx: &CallCtx, id: &GlobalId, server_id: &str) -> Result<Volume> {
        self.of(id)?.detach(ctx, id, server_id).await
    }
    async fn put_snapshot_reserve(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        r: &SnapshotReserve,
    ) -> Result<SnapshotReserve> {
        self.of(id)?.put_snapshot_reserve(ctx, id, r).await
    }
    async fn delete_snapshot_reserve(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        self.of(id)?.delete_snapshot_reserve(ctx, id).await
    }
}

#[async_trait]
impl Provider for ScpProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }
    /// The signed transport records its requests in a dry run (`client::transport`).
    fn records_dry_runs(&self) -> bool {
        true
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    /// Healthy when a signed one-item list is answered by every configured service.
    async fn health(&self) -> Health {
        let failed = |e: Error| Health {
            ok: false,
            detail: Some(e.public_detail()),
        };
        for (_, kind) in self.listed() {
            if let Err(e) = self.service_page(kind, None, 0, 1).await {
                return failed(e);
            }
        }
        if let Some(b) = &self.backup {
            if let Err(e) = b.health().await {
                return failed(e);
            }
        }
        if let Some(a) = &self.archive {
            if let Err(e) = a.health().await {
                return failed(e);
            }
        }
        Health {
            ok: true,
            detail: None,
        }
    }
}
