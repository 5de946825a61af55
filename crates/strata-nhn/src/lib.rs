//! # strata-nhn
//!
//! The NHN Cloud NAS adapter: an IaaS [token client](token) with a moka cache, the NAS
//! [HTTP client](client) (header envelope, error mapping, one re-issue on 401), and the
//! [`NhnProvider`] that maps NAS volumes, interfaces, snapshots, snapshot policies and
//! volume-mirrors onto Strata's model. Reference: `shared/vendor/nhn-nas.md`.

pub mod client;
mod map;
pub mod token;
mod wire;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};
use strata_core::capability::*;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, IdGrammar, ResourceType};
use strata_core::model::*;
use strata_core::paging::{page_slice, Page, PageRequest};
use strata_core::provider::*;
use strata_core::secret::Secret;

pub use client::NasClient;
pub use map::Ids;
pub use token::TokenClient;

use wire::field;

/// The vendor name used in configuration.
pub const VENDOR: &str = "nhn";

/// The regions NHN offers NAS in.
pub const REGIONS: [&str; 3] = ["KR1", "KR2", "KR3"];

/// How to reach one NHN region with one tenant's credentials.
#[derive(Debug, Clone)]
pub struct NhnConfig {
    pub provider_id: String,
    pub display_name: Option<String>,
    /// `KR1`, `KR2` or `KR3`.
    pub region: String,
    /// Identity base, with or without `/v2.0`.
    pub identity_url: String,
    pub tenant_id: String,
    pub username: String,
    /// The API password (not the console password).
    pub password: Secret,
    /// Overrides the NAS URL from the token's catalog.
    pub nas_url: Option<String>,
    /// Regions replicas may be created in.
    pub replication_regions: Vec<String>,
    /// region → provider id of this tenant there, so replica volume ids are routable.
    pub peers: BTreeMap<String, String>,
    /// Timeout of each vendor call.
    pub timeout: Duration,
    /// Re-issue tokens this long (at most a tenth of their life) before they expire.
    pub token_margin: Duration,
}

impl NhnConfig {
    /// A configuration with defaults for everything but the credentials.
    pub fn new(
        provider_id: &str,
        region: &str,
        identity_url: &str,
        tenant_id: &str,
        username: &str,
        password: Secret,
    ) -> Self {
        NhnConfig {
            provider_id: provider_id.into(),
            display_name: None,
            region: region.into(),
            identity_url: identity_url.into(),
            tenant_id: tenant_id.into(),
            username: username.into(),
            password,
            nas_url: None,
            replication_regions: REGIONS
                .iter()
                .filter(|r| !r.eq_ignore_ascii_case(region))
                .map(|r| r.to_string())
                .collect(),
            peers: BTreeMap::new(),
            timeout: client::DEFAULT_TIMEOUT,
            token_margin: Duration::from_secs(300),
        }
    }
}

/// Options accepted in `CreateVolume.options`.
const OPT_SUBNETS: &str = "subnet_ids";
const OPT_CIFS: &str = "cifs_auth_ids";
const OPT_RESERVE: &str = "snapshot_reserve_percent";

/// NHN's documented limits as a capability document.
pub fn capabilities(replication_regions: Vec<String>) -> Capabilities {
    use Feature::*;
    let file = KindCapabilities {
        features: BTreeSet::from([
            VolumeCreate,
            VolumeDelete,
            VolumeResize,
            VolumeShrink,
            AccessRules,
            MountTargets,
            MountTargetManage,
            Usage,
            SnapshotCreate,
            SnapshotDelete,
            SnapshotRestoreInPlace,
            RestoreHistory,
            SnapshotSchedule,
            ReplicaCreate,
            ReplicaDelete,
            ReplicaStartStop,
            ReplicaReverse,
        ]),
        size: SizeLimits {
            min_gib: 300,
            max_gib: 10_000,
            step_gib: 100,
            elastic: false,
        },
        protocols: vec![Protocol::Nfs, Protocol::Cifs],
        tiers: vec![],
        name: NameRules::word(1, 100),
        access_rule_kinds: vec![AccessRuleKind::Ip, AccessRuleKind::Cidr],
        max_access_rules: None,
        access_levels: vec![AccessLevel::ReadWrite],
        server_types: vec![],
        snapshot_names: true,
        labels: false,
        schedule: Some(ScheduleLimits {
            frequencies: vec![ScheduleFrequency::Daily, ScheduleFrequency::Weekly],
            minutes: true,
            max_retention_count: Some(30),
            timezones: vec!["Asia/Seoul".into(), "UTC".into()],
        }),
        replication_regions,
        encryption: true,
        options: BTreeMap::from([
            (
                OPT_SUBNETS.into(),
                "subnet ids to create mount targets in (array, at most 3)".into(),
            ),
            (
                OPT_CIFS.into(),
                "CIFS credential ids allowed to mount (array; cifs volumes only)".into(),
            ),
            (
                OPT_RESERVE.into(),
                "percent of the size reserved for snapshots, 0–100 (default 5)".into(),
            ),
        ]),
    };
    Capabilities {
        volumes: BTreeMap::from([(VolumeKind::File, file)]),
        max_page_size: 100,
        ..Default::default()
    }
}

/// One NHN region of one tenant.
///
/// Requests are checked against [`capabilities`] by the gateway before they reach this
/// provider; it adds only the checks the capability document cannot express (option types,
/// snapshot names, replica frequency).
pub struct NhnProvider {
    info: ProviderInfo,
    caps: Capabilities,
    ids: Ids,
    tenant_id: String,
    nas: NasClient,
}

fn strings(field: &str, v: &Value) -> Result<Vec<String>> {
    v.as_array()
        .and_then(|a| {
            a.iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| Error::invalid(field, format!("`{field}` must be an array of strings")))
}

impl NhnProvider {
    pub fn new(cfg: NhnConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| Error::Internal(format!("http client: {e}")))?;
        let tokens = TokenClient::new(
            http.clone(),
            &cfg.identity_url,
            &cfg.tenant_id,
            &cfg.username,
            cfg.password.clone(),
            cfg.token_margin,
        );
        Ok(NhnProvider {
            info: ProviderInfo {
                id: cfg.provider_id.clone(),
                vendor: Vendor::Nhn,
                region: cfg.region.clone(),
                display_name: cfg
                    .display_name
                    .clone()
                    .unwrap_or_else(|| format!("NHN Cloud NAS ({})", cfg.region)),
            },
            caps: capabilities(cfg.replication_regions.clone()),
            ids: Ids {
                provider: cfg.provider_id.clone(),
                region: cfg.region.clone(),
                kind: VolumeKind::File,
                peers: cfg.peers.clone(),
            },
            tenant_id: cfg.tenant_id.clone(),
            nas: NasClient::new(http, tokens, &cfg.region, cfg.nas_url.clone()),
        })
    }

    fn file_caps(&self) -> Result<&KindCapabilities> {
        self.caps.kind(VolumeKind::File)
    }

    /// Checks the id is ours and returns its vendor id.
    fn own<'a>(&self, id: &'a GlobalId) -> Result<&'a str> {
        if id.provider != self.info.id {
            return Err(Error::invalid(
                "id",
                format!("the id belongs to provider `{}`", id.provider),
            ));
        }
        id.check_grammar(IdGrammar::Uuid)?;
        Ok(&id.vendor_id)
    }

    /// The parent volume of a snapshot or replica id.
    fn parent<'a>(&self, id: &'a GlobalId) -> Result<&'a str> {
        self.own(id)?;
        id.parent
            .as_deref()
            .ok_or_else(|| Error::invalid("id", "the id does not name its volume"))
    }

    async fn nas(&self, method: Method, path: &[&str], body: Option<Value>) -> Result<Value> {
        self.nas.call(method, path, &[], body.as_ref()).await
    }

    async fn raw_volume(&self, vid: &str) -> Result<wire::NasVolume> {
        let body = self
            .nas(Method::GET, &["v1", "volumes", vid], None)
            .await
            .map_err(Error::vendor_404_as(
                ResourceType::Volume,
                self.ids.volume(vid),
            ))?;
        field(&body, "volume")
    }

    /// PATCH always carries `sizeGb`: the older reference marks it required. The current size
    /// is read only when the change does not set one.
    async fn patch(&self, vid: &str, mut fields: Value) -> Result<()> {
        if fields.get("sizeGb").is_none() {
            fields["sizeGb"] = json!(self.raw_volume(vid).await?.size_gb);
        }
        self.nas(
            Method::PATCH,
            &["v1", "volumes", vid],
            Some(json!({ "volume": fields })),
        )
        .await
        .map_err(Error::vendor_404_as(
            ResourceType::Volume,
            self.ids.volume(vid),
        ))?;
        Ok(())
    }

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

/// The provider's page token: `limit:page`, so a changed client page size cannot shift pages.
fn page_cursor(req: &PageRequest, max: u32) -> Result<(u32, u32)> {
    match &req.page_token {
        None => Ok((req.page_size.clamp(1, max), 1)),
        Some(t) => t
            .split_once(':')
            .and_then(|(l, p)| Some((l.parse().ok()?, p.parse().ok()?)))
            .filter(|(l, p)| *l >= 1 && *l <= max && *p >= 1)
            .ok_or_else(|| Error::invalid("page_token", "the page token is not valid")),
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
                return Err(Error::invalid(
                    format!("options.{OPT_SUBNETS}"),
                    "at most 3 subnets can be given",
                ));
            }
            spec["interfaces"] = subnets.iter().map(|s| json!({ "subnetId": s })).collect();
        }
        if let Some(v) = req.options.get(OPT_CIFS) {
            if protocol != Protocol::Cifs {
                return Err(Error::invalid(
                    format!("options.{OPT_CIFS}"),
                    "CIFS credentials apply to cifs volumes only",
                ));
            }
            spec["mountProtocol"]["cifsAuthIds"] =
                json!(strings(&format!("options.{OPT_CIFS}"), v)?);
        }
        if let Some(v) = req.options.get(OPT_RESERVE) {
            let pct = v.as_u64().filter(|p| *p <= 100).ok_or_else(|| {
                Error::invalid(
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

#[async_trait]
impl SnapshotOps for NhnProvider {
    async fn list_snapshots(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        let vid = self.own(volume)?;
        // The vendor returns every snapshot at once; page locally.
        let body = self
            .nas(Method::GET, &["v1", "volumes", vid, "snapshots"], None)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        let raw: Vec<wire::NasSnapshot> = field(&body, "snapshots")?;
        let all: Vec<Snapshot> = raw
            .iter()
            .map(|s| map::snapshot(&self.ids, vid, s))
            .collect();
        page_slice(&all, page)
    }

    async fn get_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Snapshot> {
        let vid = self.parent(id)?;
        let body = self
            .nas(
                Method::GET,
                &["v1", "volumes", vid, "snapshots", &id.vendor_id],
                None,
            )
            .await
            .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
        Ok(map::snapshot(&self.ids, vid, &field(&body, "snapshot")?))
    }

    async fn create_snapshot(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        let vid = self.own(volume)?;
        if req.description.is_some() {
            return Err(Error::invalid(
                "description",
                "NHN snapshots have no description",
            ));
        }
        let name = req
            .name
            .clone()
            .unwrap_or_else(|| format!("snap-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S")));
        if name.trim().is_empty() || name.len() > 255 || name.contains('/') {
            return Err(Error::invalid(
                "name",
                "a snapshot name is 1–255 characters without `/`",
            ));
        }
        let body = self
            .nas(
                Method::POST,
                &["v1", "volumes", vid, "snapshots"],
                Some(json!({"snapshot": {"name": name}})),
            )
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        Ok(map::snapshot(&self.ids, vid, &field(&body, "snapshot")?))
    }

    async fn delete_snapshot(&self, ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let vid = self.parent(id)?;
        if self.get_snapshot(ctx, id).await?.preserved {
            return Err(Error::FailedPrecondition {
                message: "the snapshot is preserved by replication and cannot be deleted".into(),
            });
        }
        self.nas(
            Method::DELETE,
            &["v1", "volumes", vid, "snapshots", &id.vendor_id],
            None,
        )
        .await
        .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
        Ok(())
    }

    async fn restore_snapshot(
        &self,
        ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreSnapshot,
    ) -> Result<Volume> {
        let vid = self.parent(id)?;
        if req.mode == RestoreMode::NewVolume {
            return Err(Error::unsupported(Feature::SnapshotClone.operation()));
        }
        self.nas(
            Method::POST,
            &["v1", "volumes", vid, "snapshots", &id.vendor_id, "restore"],
            None,
        )
        .await
        .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
        self.get_volume(ctx, &self.ids.gid(ResourceType::Volume, vid))
            .await
    }

    async fn list_restores(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<Vec<RestoreRecord>> {
        let vid = self.own(volume)?;
        let mut out = Vec::new();
        for page in 1.. {
            let body = self
                .nas
                .call(
                    Method::GET,
                    &["v1", "volumes", vid, "restore-histories"],
                    &[
                        ("limit", "100".into()),
                        ("page", page.to_string()),
                        ("sort", "requestedAt:asc".into()),
                    ],
                    None,
                )
                .await
                .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
            let items: Vec<wire::RestoreHistory> = field(&body, "restoreHistories")?;
            let total = field::<wire::Paging>(&body, "paging")?.total_count;
            let empty = items.is_empty();
            out.extend(items.iter().map(|r| map::restore(&self.ids, vid, r)));
            if empty || out.len() as u64 >= total {
                break;
            }
        }
        Ok(out)
    }

    async fn get_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
    ) -> Result<Option<SnapshotSchedule>> {
        let v = self.raw_volume(self.own(volume)?).await?;
        Ok(v.snapshot_policy.as_ref().and_then(map::schedule))
    }

    async fn put_snapshot_schedule(
        &self,
        _ctx: &CallCtx,
        volume: &GlobalId,
        s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        let vid = self.own(volume)?;
        self.patch(vid, json!({ "snapshotPolicy": map::policy(s)? }))
            .await?;
        let mut out = s.clone();
        if s.frequency == ScheduleFrequency::Daily {
            out.days.clear();
        }
        Ok(out)
    }

    async fn delete_snapshot_schedule(&self, _ctx: &CallCtx, volume: &GlobalId) -> Result<()> {
        let vid = self.own(volume)?;
        self.patch(vid, json!({"snapshotPolicy": {"schedule": null}}))
            .await
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
            return Err(Error::invalid(
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

impl VolumeGroupOps for NhnProvider {}
impl BackupOps for NhnProvider {}
impl ArchiveOps for NhnProvider {}

#[async_trait]
impl Provider for NhnProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    /// NAS volumes, snapshots, interfaces and mirrors are all addressed by UUID.
    fn id_grammar(&self) -> IdGrammar {
        IdGrammar::Uuid
    }
    /// Healthy when a token can be had (cached or freshly issued).
    async fn health(&self) -> Health {
        match self.nas.tokens().token().await {
            Ok(_) => Health {
                ok: true,
                detail: None,
            },
            Err(e) => Health {
                ok: false,
                detail: Some(e.public_detail()),
            },
        }
    }
}
