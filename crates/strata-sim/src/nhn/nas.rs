//! The NAS API (`/v1/volumes…`, 20 operations) over a stateful world.
//!
//! Transitional statuses are modelled with a deadline: every request first settles whatever
//! is due ([`Nas::tick`]), so a volume is `BUILDING` until `delay` has passed, then `ACTIVE`.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{envelope_error, lock, Shared, World};

const GIB: u64 = 1 << 30;
const MAX_SUBNETS_PER_VOLUME: usize = 3;

/// A failure answered with the vendor's error envelope.
struct Fail(StatusCode, String);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        envelope_error(self.0, &self.1)
    }
}

type Reply = Result<Response, Fail>;

fn bad(message: impl Into<String>) -> Fail {
    Fail(StatusCode::BAD_REQUEST, message.into())
}

fn not_found(what: &str) -> Fail {
    Fail(StatusCode::NOT_FOUND, format!("{what} not found"))
}

/// A success answer: `body` plus the `header` envelope.
fn reply(status: StatusCode, mut body: Value) -> Response {
    let message = match status {
        StatusCode::CREATED => "Created",
        StatusCode::ACCEPTED => "Accepted",
        _ => "Success",
    };
    body["header"] =
        json!({"isSuccessful": true, "resultCode": status.as_u16(), "resultMessage": message});
    (status, axum::Json(body)).into_response()
}

fn accepted() -> Reply {
    Ok(reply(StatusCode::ACCEPTED, json!({})))
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Fail> {
    serde_json::from_slice(body).map_err(|e| bad(format!("Invalid request body: {e}")))
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// A change that completes at `until`.
#[derive(Clone, Copy)]
struct Pending<T> {
    until: Instant,
    then: T,
}

#[derive(Clone, Copy, PartialEq)]
enum Settle {
    Active,
    Gone,
}

#[derive(Clone, Copy, PartialEq)]
enum MirrorSettle {
    Initialized,
    Start,
    Stop,
    Invert,
    Gone,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Schedule {
    time: String,
    time_offset: String,
    weekdays: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Policy {
    max_scheduled_count: Option<u32>,
    reserve_percent: u32,
    schedule: Option<Schedule>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_scheduled_count: None,
            reserve_percent: 5,
            schedule: None,
        }
    }
}

struct Interface {
    id: String,
    subnet_id: String,
    ip: String,
    status: &'static str,
    pending: Option<Pending<Settle>>,
}

struct Snap {
    id: String,
    name: String,
    size: u64,
    kind: &'static str,
    preserved: bool,
    created_at: DateTime<Utc>,
    seq: u64,
}

struct RestoreHistory {
    snapshot_id: String,
    snapshot_name: String,
    requested_at: DateTime<Utc>,
    restored_at: Option<DateTime<Utc>>,
    result: &'static str,
    until: Instant,
}

struct Volume {
    id: String,
    region: String,
    tenant_id: String,
    project_id: String,
    name: String,
    description: Option<String>,
    size_gb: u64,
    acl: Vec<String>,
    encrypted: bool,
    protocol: String,
    cifs_auth_ids: Option<Vec<String>>,
    policy: Policy,
    status: &'static str,
    pending: Option<Pending<Settle>>,
    interfaces: Vec<Interface>,
    snapshots: Vec<Snap>,
    restores: Vec<RestoreHistory>,
    used_gb: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone)]
struct Transfer {
    bytes: u64,
    end: DateTime<Utc>,
}

struct Mirror {
    id: String,
    src: String,
    dst: String,
    src_region: String,
    dst_region: String,
    src_name: String,
    dst_name: String,
    tenant_id: String,
    dst_tenant_id: String,
    project_id: String,
    status: &'static str,
    pending: Option<Pending<MirrorSettle>>,
    direction: &'static str,
    direction_changed_at: Option<DateTime<Utc>>,
    halted: bool,
    last_transfer: Option<Transfer>,
    created_at: DateTime<Utc>,
}

impl Mirror {
    /// The (sending, receiving) volume ids in the current direction.
    fn flow(&self) -> (&str, &str) {
        if self.direction == "FORWARD" {
            (&self.src, &self.dst)
        } else {
            (&self.dst, &self.src)
        }
    }

    fn involves(&self, volume_id: &str) -> bool {
        self.src == volume_id || self.dst == volume_id
    }
}

/// The NAS world: volumes of every region, and the mirrors between them.
#[derive(Default)]
pub(crate) struct Nas {
    volumes: BTreeMap<String, Volume>,
    mirrors: BTreeMap<String, Mirror>,
    seq: u64,
}

/// A volume to seed directly, already `ACTIVE`.
#[derive(Debug, Clone)]
pub struct SeedVolume {
    pub name: String,
    pub size_gb: u64,
    /// `nfs` or `cifs`.
    pub protocol: String,
    pub acl: Vec<String>,
    pub subnet_ids: Vec<String>,
}

impl SeedVolume {
    /// An NFS volume with no ACL and no interface.
    pub fn nfs(name: &str, size_gb: u64) -> Self {
        SeedVolume {
            name: name.into(),
            size_gb,
            protocol: "nfs".into(),
            acl: vec![],
            subnet_ids: vec![],
        }
    }
}

// ---- validation (documented rules, §5.2 of the reference) ----

fn check_size(size: u64) -> Result<(), Fail> {
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

fn check_acl(acl: &[String]) -> Result<(), Fail> {
    for entry in acl {
        let (ip, len) = entry.split_once('/').unwrap_or((entry, "32"));
        if ip.parse::<std::net::Ipv4Addr>().is_err() || len.parse::<u8>().map_or(true, |l| l > 32) {
            return Err(bad(format!("acl entry `{entry}` is not an IP or CIDR")));
        }
    }
    Ok(())
}

fn check_hhmm(s: &str, signed: bool) -> bool {
    let s = if signed {
        match s.strip_prefix('+').or_else(|| s.strip_prefix('-')) {
            Some(rest) => rest,
            None => return false,
        }
    } else {
        s
    };
    let Some((h, m)) = s.split_once(':') else {
        return false;
    };
    h.len() == 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyReq {
    max_scheduled_count: Option<u32>,
    reserve_percent: Option<u32>,
    /// Absent keeps the schedule; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    schedule: Option<Value>,
}

/// Keeps an explicit `null` as `Some(Value::Null)`, unlike `Option`'s default.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl PolicyReq {
    /// Validates and applies onto `p`.
    fn apply(&self, p: &mut Policy) -> Result<(), Fail> {
        if let Some(n) = self.max_scheduled_count {
            if !(1..=30).contains(&n) {
                return Err(bad(format!(
                    "maxScheduledCount must be between 1 and 30 (got {n})"
                )));
            }
            p.max_scheduled_count = Some(n);
        }
        if let Some(r) = self.reserve_percent {
            if r > 100 {
                return Err(bad("reservePercent must be between 0 and 100"));
            }
            p.reserve_percent = r;
        }
        match &self.schedule {
            None => {}
            Some(Value::Null) => p.schedule = None,
            Some(v) => {
                let s: Schedule = serde_json::from_value(v.clone())
                    .map_err(|e| bad(format!("Invalid schedule: {e}")))?;
                if !check_hhmm(&s.time, false) {
                    return Err(bad("schedule.time must be HH:MM"));
                }
                if !check_hhmm(&s.time_offset, true) {
                    return Err(bad("schedule.timeOffset must be +HH:MM or -HH:MM"));
                }
                if s.weekdays.iter().any(|d| *d > 6) {
                    return Err(bad("schedule.weekdays must be between 0 and 6"));
                }
                p.schedule = Some(s);
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MountReq {
    protocol: Option<String>,
    cifs_auth_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct EncryptionReq {
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InterfaceReq {
    subnet_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VolumeReq {
    name: Option<String>,
    size_gb: Option<u64>,
    description: Option<String>,
    acl: Option<Vec<String>>,
    encryption: Option<EncryptionReq>,
    interfaces: Option<Vec<InterfaceReq>>,
    mount_protocol: Option<MountReq>,
    snapshot_policy: Option<PolicyReq>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PatchReq {
    acl: Option<Vec<String>>,
    description: Option<String>,
    mount_protocol: Option<MountReq>,
    size_gb: Option<u64>,
    snapshot_policy: Option<PolicyReq>,
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
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn interface(&mut self, subnet_id: &str, delay: std::time::Duration) -> Interface {
        let n = self.next_seq();
        Interface {
            id: uuid::Uuid::new_v4().to_string(),
            subnet_id: subnet_id.to_string(),
            ip: format!(
                "10.{}.{}.{}",
                1 + n / 65_536 % 200,
                n / 256 % 256,
                4 + n % 250
            ),
            status: "BUILDING",
            pending: Some(Pending {
                until: Instant::now() + delay,
                then: Settle::Active,
            }),
        }
    }

    /// Validates a create spec and builds the volume (status `BUILDING`).
    fn build_volume(
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

    pub(crate) fn seed(
        &mut self,
        region: &str,
        tenant: &str,
        project: &str,
        seed: SeedVolume,
    ) -> String {
        let req = VolumeReq {
            name: Some(seed.name),
            size_gb: Some(seed.size_gb),
            description: Some("seeded by the simulator".into()),
            acl: Some(seed.acl),
            encryption: None,
            interfaces: Some(
                seed.subnet_ids
                    .into_iter()
                    .map(|s| InterfaceReq { subnet_id: Some(s) })
                    .collect(),
            ),
            mount_protocol: Some(MountReq {
                protocol: Some(seed.protocol),
                cifs_auth_ids: None,
            }),
            snapshot_policy: None,
        };
        let mut v = self
            .build_volume(region, tenant, project, req, std::time::Duration::ZERO)
            .unwrap_or_else(|_| panic!("invalid seed volume"));
        v.status = "ACTIVE";
        v.pending = None;
        for i in &mut v.interfaces {
            i.status = "ACTIVE";
            i.pending = None;
        }
        let id = v.id.clone();
        self.volumes.insert(id.clone(), v);
        id
    }

    /// Settles everything whose deadline has passed.
    fn tick(&mut self) {
        let now = Instant::now();
        let due = |p: &Option<Pending<Settle>>| p.is_some_and(|p| p.until <= now);
        let mut gone = vec![];
        for v in self.volumes.values_mut() {
            if due(&v.pending) {
                match v.pending.take().map(|p| p.then) {
                    Some(Settle::Gone) => gone.push(v.id.clone()),
                    _ => v.status = "ACTIVE",
                }
            }
            v.interfaces.retain_mut(|i| {
                if due(&i.pending) {
                    let then = i.pending.take().map(|p| p.then);
                    if then == Some(Settle::Gone) {
                        return false;
                    }
                    i.status = "ACTIVE";
                }
                true
            });
            for r in &mut v.restores {
                if r.restored_at.is_none() && r.until <= now {
                    r.restored_at = Some(Utc::now());
                    r.result = "SUCCESS";
                }
            }
        }
        for id in gone {
            self.volumes.remove(&id);
        }
        let due_mirrors: Vec<String> = self
            .mirrors
            .values()
            .filter(|m| m.pending.is_some_and(|p| p.until <= now))
            .map(|m| m.id.clone())
            .collect();
        for id in due_mirrors {
            self.settle_mirror(&id);
        }
    }

    fn settle_mirror(&mut self, id: &str) {
        let Some(m) = self.mirrors.get_mut(id) else {
            return;
        };
        let Some(p) = m.pending.take() else { return };
        m.status = "INITIALIZED";
        match p.then {
            MirrorSettle::Gone => {
                let (src, dst) = (m.src.clone(), m.dst.clone());
                self.mirrors.remove(id);
                // The replication snapshots were only protected for the mirror's sake.
                for vid in [src, dst] {
                    if let Some(v) = self.volumes.get_mut(&vid) {
                        v.snapshots.retain(|s| s.kind != "MIRROR");
                    }
                }
                return;
            }
            MirrorSettle::Stop => m.halted = true,
            MirrorSettle::Invert => {
                m.direction = if m.direction == "FORWARD" {
                    "REVERSE"
                } else {
                    "FORWARD"
                };
                m.direction_changed_at = Some(Utc::now());
                m.halted = false;
            }
            MirrorSettle::Initialized | MirrorSettle::Start => m.halted = false,
        }
        if m.halted {
            return;
        }
        // A transfer runs from the sending side and leaves a preserved MIRROR snapshot.
        let sender = m.flow().0.to_string();
        let seq = self.next_seq();
        let Some(m) = self.mirrors.get_mut(id) else {
            return;
        };
        let Some(v) = self.volumes.get_mut(&sender) else {
            return;
        };
        m.last_transfer = Some(Transfer {
            bytes: v.used_gb * GIB,
            end: Utc::now(),
        });
        let now = Utc::now();
        v.snapshots.push(Snap {
            id: uuid::Uuid::new_v4().to_string(),
            name: format!("{}.mirror.%{}", v.name, now.format("%Y%m%d%H%M%S")),
            size: v.used_gb * 1024 * 1024,
            kind: "MIRROR",
            preserved: true,
            created_at: now,
            seq,
        });
    }

    pub(crate) fn run_schedule(&mut self, volume_id: &str) -> bool {
        self.tick();
        let seq = self.next_seq();
        let Some(v) = self.volumes.get_mut(volume_id) else {
            return false;
        };
        if v.policy.schedule.is_none() {
            return false;
        }
        let now = Utc::now();
        v.snapshots.push(Snap {
            id: uuid::Uuid::new_v4().to_string(),
            name: format!("{}.auto.{}", v.name, now.format("%Y%m%d%H%M%S%3f")),
            size: v.used_gb * 1024 * 1024,
            kind: "SCHEDULED",
            preserved: false,
            created_at: now,
            seq,
        });
        // Retention counts scheduled snapshots only; the oldest goes first.
        let max = v.policy.max_scheduled_count.unwrap_or(30) as usize;
        while v.snapshots.iter().filter(|s| s.kind == "SCHEDULED").count() > max {
            if let Some(pos) = v.snapshots.iter().position(|s| s.kind == "SCHEDULED") {
                v.snapshots.remove(pos);
            }
        }
        true
    }

    fn mirror_json(&self, m: &Mirror, role: &str) -> Value {
        json!({
            "id": m.id, "role": role, "status": m.status, "direction": m.direction,
            "directionChangedAt": m.direction_changed_at.map(ts),
            "srcProjectId": m.project_id, "srcRegion": m.src_region, "srcTenantId": m.tenant_id,
            "srcVolumeId": m.src, "srcVolumeName": m.src_name,
            "dstProjectId": m.project_id, "dstRegion": m.dst_region, "dstTenantId": m.dst_tenant_id,
            "dstVolumeId": m.dst, "dstVolumeName": m.dst_name,
            "createdAt": ts(m.created_at),
        })
    }

    fn volume_json(&self, v: &Volume) -> Value {
        let interfaces: Vec<Value> = v
            .interfaces
            .iter()
            .map(|i| {
                let path = (i.status == "ACTIVE").then(|| {
                    if v.protocol == "cifs" {
                        format!("\\\\{}\\{}", i.ip, v.name)
                    } else {
                        format!("{}:/{}", i.ip, v.name)
                    }
                });
                json!({"id": i.id, "path": path, "status": i.status, "subnetId": i.subnet_id, "tenantId": v.tenant_id})
            })
            .collect();
        let mirrors: Vec<Value> = self
            .mirrors
            .values()
            .filter_map(|m| {
                if m.src == v.id {
                    Some(self.mirror_json(m, "SOURCE"))
                } else if m.dst == v.id {
                    Some(self.mirror_json(m, "DESTINATION"))
                } else {
                    None
                }
            })
            .collect();
        let mut mount = json!({"protocol": v.protocol});
        if let Some(ids) = &v.cifs_auth_ids {
            mount["cifsAuthIds"] = json!(ids);
        }
        let mut encryption = json!({"enabled": v.encrypted});
        if v.encrypted {
            encryption["keys"] = json!([{"keyId": format!("{}-k1", v.id), "keyStoreId": 1},
                                        {"keyId": format!("{}-k2", v.id), "keyStoreId": 1}]);
        }
        json!({
            "id": v.id, "name": v.name, "status": v.status, "description": v.description,
            "sizeGb": v.size_gb, "projectId": v.project_id, "tenantId": v.tenant_id,
            "acl": v.acl, "encryption": encryption, "interfaces": interfaces, "mirrors": mirrors,
            "mountProtocol": mount, "snapshotPolicy": v.policy,
            "createdAt": ts(v.created_at), "updatedAt": ts(v.updated_at), "stationId": null,
        })
    }

    /// The volume `id` if it lives in `region`.
    fn vol(&mut self, region: &str, id: &str) -> Result<&mut Volume, Fail> {
        self.volumes
            .get_mut(id)
            .filter(|v| v.region == region)
            .ok_or_else(|| not_found("Volume"))
    }

    fn active(&mut self, region: &str, id: &str) -> Result<&mut Volume, Fail> {
        let v = self.vol(region, id)?;
        if v.status != "ACTIVE" {
            return Err(bad(format!(
                "The volume is {} and cannot be changed now",
                v.status
            )));
        }
        Ok(v)
    }

    fn mirror_of(&mut self, region: &str, vid: &str, mid: &str) -> Result<&mut Mirror, Fail> {
        self.vol(region, vid)?;
        self.mirrors
            .get_mut(mid)
            .filter(|m| m.involves(vid))
            .ok_or_else(|| not_found("Volume mirror"))
    }
}

// ---- paging and sorting ----

struct Paging {
    limit: usize,
    page: usize,
    sort: Option<(String, bool)>,
}

fn paging(q: &HashMap<String, String>, keys: &[&str]) -> Result<Paging, Fail> {
    let num = |k: &str, default: usize| -> Result<usize, Fail> {
        match q.get(k) {
            None => Ok(default),
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(format!("{k} must be a positive integer"))),
        }
    };
    let sort = match q.get("sort") {
        None => None,
        Some(s) => {
            let (key, dir) = s.split_once(':').unwrap_or((s, "asc"));
            if !keys.contains(&key) || !matches!(dir, "asc" | "desc") {
                return Err(bad(format!(
                    "sort must be one of {} followed by :asc or :desc",
                    keys.join(", ")
                )));
            }
            Some((key.to_string(), dir == "desc"))
        }
    };
    Ok(Paging {
        limit: num("limit", 50)?.min(1000),
        page: num("page", 1)?,
        sort,
    })
}

fn page_of<T: Clone>(all: Vec<T>, p: &Paging) -> (Vec<T>, Value) {
    let total = all.len();
    let items = all
        .into_iter()
        .skip((p.page - 1).saturating_mul(p.limit))
        .take(p.limit)
        .collect();
    (
        items,
        json!({"limit": p.limit, "page": p.page, "totalCount": total}),
    )
}

/// Sorts JSON objects by a field (strings and numbers), stably.
fn sort_json(items: &mut [Value], sort: &Option<(String, bool)>) {
    if let Some((key, desc)) = sort {
        items.sort_by(|a, b| {
            let o = match (&a[key], &b[key]) {
                (Value::Number(x), Value::Number(y)) => x
                    .as_f64()
                    .partial_cmp(&y.as_f64())
                    .unwrap_or(std::cmp::Ordering::Equal),
                (x, y) => x.as_str().unwrap_or("").cmp(y.as_str().unwrap_or("")),
            };
            if *desc {
                o.reverse()
            } else {
                o
            }
        });
    }
}

// ---- handlers ----

#[derive(Clone)]
struct Ctx {
    world: Shared,
    region: String,
}

impl Ctx {
    /// Locks the world after settling what is due.
    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        let mut w = lock(&self.world);
        w.nas.tick();
        w
    }
}

async fn list_volumes(State(c): State<Ctx>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let p = paging(&q, &["id", "name", "sizeGb", "createdAt", "updatedAt"])?;
    let num = |k: &str| -> Result<Option<u64>, Fail> {
        q.get(k)
            .map(|s| {
                s.parse::<u64>()
                    .map_err(|_| bad(format!("{k} must be a number")))
            })
            .transpose()
    };
    let (size, min, max) = (num("sizeGb")?, num("minSizeGb")?, num("maxSizeGb")?);
    let w = c.world();
    let mut items: Vec<Value> = w
        .nas
        .volumes
        .values()
        .filter(|v| v.region == c.region)
        .filter(|v| size.is_none_or(|s| v.size_gb == s))
        .filter(|v| min.is_none_or(|s| v.size_gb >= s))
        .filter(|v| max.is_none_or(|s| v.size_gb <= s))
        .filter(|v| q.get("name").is_none_or(|n| &v.name == n))
        .filter(|v| {
            q.get("nameContains")
                .is_none_or(|n| v.name.contains(n.as_str()))
        })
        .filter(|v| {
            q.get("subnetId")
                .is_none_or(|s| v.interfaces.iter().any(|i| &i.subnet_id == s))
        })
        .map(|v| w.nas.volume_json(v))
        .collect();
    // Without a sort the vendor's order is creation order.
    items.sort_by(|a, b| a["createdAt"].as_str().cmp(&b["createdAt"].as_str()));
    sort_json(&mut items, &p.sort);
    let (volumes, paging) = page_of(items, &p);
    Ok(reply(
        StatusCode::OK,
        json!({"paging": paging, "volumes": volumes}),
    ))
}

#[derive(Deserialize)]
struct CreateBody {
    volume: VolumeReq,
}

async fn create_volume(State(c): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateBody = parse(&body)?;
    let mut w = c.world();
    let (delay, tenant, project) = (
        w.cfg.delay,
        w.cfg.tenant_id.clone(),
        w.cfg.project_id.clone(),
    );
    let v = w
        .nas
        .build_volume(&c.region, &tenant, &project, req.volume, delay)?;
    let body = json!({"volume": w.nas.volume_json(&v)});
    w.nas.volumes.insert(v.id.clone(), v);
    Ok(reply(StatusCode::CREATED, body))
}

async fn get_volume(State(c): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = c.world();
    w.nas.vol(&c.region, &id)?;
    let v = &w.nas.volumes[&id];
    Ok(reply(
        StatusCode::OK,
        json!({"volume": w.nas.volume_json(v)}),
    ))
}

#[derive(Deserialize)]
struct PatchBody {
    volume: PatchReq,
}

async fn update_volume(State(c): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: PatchBody = parse(&body)?;
    let req = req.volume;
    let mut w = c.world();
    let delay = w.cfg.delay;
    let receiving = w
        .nas
        .mirrors
        .values()
        .any(|m| !m.halted && m.flow().1 == id);
    let v = w.nas.active(&c.region, &id)?;
    if let Some(size) = req.size_gb {
        check_size(size)?;
        if receiving && size != v.size_gb {
            return Err(bad(
                "A replication destination can be resized only after replication is stopped",
            ));
        }
    }
    if let Some(acl) = &req.acl {
        check_acl(acl)?;
    }
    if let Some(m) = &req.mount_protocol {
        if let Some(p) = &m.protocol {
            if p != &v.protocol {
                return Err(bad("mountProtocol.protocol cannot be changed"));
            }
        }
        if m.cifs_auth_ids.is_some() && m.protocol.as_deref() != Some("cifs") {
            return Err(bad(
                "mountProtocol.protocol must be cifs when cifsAuthIds is changed",
            ));
        }
    }
    let mut policy = v.policy.clone();
    if let Some(p) = &req.snapshot_policy {
        p.apply(&mut policy)?;
    }
    // Validated: apply everything at once.
    v.policy = policy;
    if let Some(size) = req.size_gb {
        v.size_gb = size;
    }
    if let Some(acl) = req.acl {
        v.acl = acl;
    }
    if let Some(d) = req.description {
        v.description = Some(d);
    }
    if let Some(ids) = req.mount_protocol.and_then(|m| m.cifs_auth_ids) {
        v.cifs_auth_ids = Some(ids);
    }
    v.updated_at = Utc::now();
    v.status = "UPDATING";
    v.pending = Some(Pending {
        until: Instant::now() + delay,
        then: Settle::Active,
    });
    accepted()
}

async fn delete_volume(State(c): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = c.world();
    let delay = w.cfg.delay;
    w.nas.vol(&c.region, &id)?;
    if w.nas.mirrors.values().any(|m| m.involves(&id)) {
        return Err(bad("Delete the volume's replication before deleting it"));
    }
    let v = w.nas.active(&c.region, &id)?;
    v.status = "DELETING";
    v.pending = Some(Pending {
        until: Instant::now() + delay,
        then: Settle::Gone,
    });
    accepted()
}

#[derive(Deserialize)]
struct InterfaceBody {
    interface: InterfaceReq,
}

async fn create_interface(State(c): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: InterfaceBody = parse(&body)?;
    let subnet = req
        .interface
        .subnet_id
        .ok_or_else(|| bad("interface.subnetId is required"))?;
    let mut w = c.world();
    let delay = w.cfg.delay;
    let v = w.nas.active(&c.region, &id)?;
    if v.interfaces.iter().any(|i| i.subnet_id == subnet) {
        return Err(bad("The volume already has an interface on this subnet"));
    }
    if v.interfaces.len() >= MAX_SUBNETS_PER_VOLUME {
        return Err(bad("A volume can have at most 3 interfaces"));
    }
    let iface = w.nas.interface(&subnet, delay);
    let v = w.nas.vol(&c.region, &id)?;
    let body = json!({"interface": {"id": iface.id, "path": null, "status": iface.status,
                                    "subnetId": iface.subnet_id, "tenantId": v.tenant_id}});
    v.interfaces.push(iface);
    Ok(reply(StatusCode::CREATED, body))
}

async fn delete_interface(State(c): State<Ctx>, Path((id, iid)): Path<(String, String)>) -> Reply {
    let mut w = c.world();
    let delay = w.cfg.delay;
    let v = w.nas.vol(&c.region, &id)?;
    let i = v
        .interfaces
        .iter_mut()
        .find(|i| i.id == iid)
        .ok_or_else(|| not_found("Interface"))?;
    if i.status != "ACTIVE" {
        return Err(bad(format!("The interface is {}", i.status)));
    }
    i.status = "DELETING";
    i.pending = Some(Pending {
        until: Instant::now() + delay,
        then: Settle::Gone,
    });
    accepted()
}

async fn restore_histories(
    State(c): State<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let p = paging(
        &q,
        &[
            "snapshotId",
            "snapshotName",
            "requestedAt",
            "restoredAt",
            "requestedUser",
            "requestedIp",
            "result",
        ],
    )?;
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let mut items: Vec<Value> = v
        .restores
        .iter()
        .map(|r| {
            json!({"requestedAt": ts(r.requested_at), "requestedIp": "10.163.23.45",
                   "requestedUser": "37be6ac0-d660-11e7-ae46-005056ac1497",
                   "restoredAt": r.restored_at.map(ts), "result": r.result,
                   "snapshotId": r.snapshot_id, "snapshotName": r.snapshot_name, "volumeId": v.id})
        })
        .collect();
    sort_json(&mut items, &p.sort);
    let (items, paging) = page_of(items, &p);
    Ok(reply(
        StatusCode::OK,
        json!({"paging": paging, "restoreHistories": items}),
    ))
}

async fn usage(State(c): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let reserve = v.size_gb * u64::from(v.policy.reserve_percent) / 100;
    // Each snapshot holds about 1 GB of changed blocks; the reserve absorbs them first.
    let snap_used = v.snapshots.len() as u64;
    let in_reserve = snap_used.min(reserve);
    let in_user = snap_used - in_reserve;
    Ok(reply(
        StatusCode::OK,
        json!({"usage": {"snapshotReserveGb": reserve, "usedGb": v.used_gb + in_user,
                         "snapshotUsedGb": snap_used, "snapshotUsedGbInReservedSpace": in_reserve,
                         "snapshotUsedGbInUserSpace": in_user, "userDataGb": v.used_gb}}),
    ))
}

fn snapshot_json(s: &Snap) -> Value {
    json!({"id": s.id, "name": s.name, "size": s.size, "type": s.kind,
           "preserved": s.preserved, "createdAt": ts(s.created_at)})
}

async fn list_snapshots(State(c): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let items: Vec<Value> = v.snapshots.iter().map(snapshot_json).collect();
    Ok(reply(StatusCode::OK, json!({"snapshots": items})))
}

#[derive(Deserialize)]
struct SnapshotReq {
    name: Option<String>,
}

#[derive(Deserialize)]
struct SnapshotBody {
    snapshot: SnapshotReq,
}

async fn create_snapshot(State(c): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: SnapshotBody = parse(&body)?;
    let name = req
        .snapshot
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| bad("snapshot.name is required"))?;
    if name.len() > 255 || name.contains('/') {
        return Err(bad(
            "snapshot.name must be at most 255 characters without '/'",
        ));
    }
    let mut w = c.world();
    let seq = w.nas.next_seq();
    let v = w.nas.active(&c.region, &id)?;
    if v.snapshots.iter().any(|s| s.name == name) {
        return Err(bad(format!("A snapshot named {name} already exists")));
    }
    let snap = Snap {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        size: v.used_gb * 1024 * 1024,
        kind: "NORMAL",
        preserved: false,
        created_at: Utc::now(),
        seq,
    };
    let body = json!({"snapshot": snapshot_json(&snap)});
    v.snapshots.push(snap);
    Ok(reply(StatusCode::CREATED, body))
}

async fn get_snapshot(
    State(c): State<Ctx>,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let s = v
        .snapshots
        .iter()
        .find(|s| s.id == sid)
        .ok_or_else(|| not_found("Snapshot"))?;
    let mut body = snapshot_json(s);
    if q.get("showReclaimableSpace").map(String::as_str) == Some("true") {
        body["reclaimableSpace"] = json!(s.size / 4);
    }
    Ok(reply(StatusCode::OK, json!({"snapshot": body})))
}

async fn delete_snapshot(State(c): State<Ctx>, Path((id, sid)): Path<(String, String)>) -> Reply {
    let mut w = c.world();
    let v = w.nas.vol(&c.region, &id)?;
    let pos = v
        .snapshots
        .iter()
        .position(|s| s.id == sid)
        .ok_or_else(|| not_found("Snapshot"))?;
    if v.snapshots[pos].preserved {
        return Err(bad("A preserved snapshot cannot be deleted"));
    }
    v.snapshots.remove(pos);
    accepted()
}

async fn restore_snapshot(State(c): State<Ctx>, Path((id, sid)): Path<(String, String)>) -> Reply {
    let mut w = c.world();
    let delay = w.cfg.delay;
    let v = w.nas.active(&c.region, &id)?;
    let snap = v
        .snapshots
        .iter()
        .find(|s| s.id == sid)
        .ok_or_else(|| not_found("Snapshot"))?;
    let (seq, name) = (snap.seq, snap.name.clone());
    // Rolling back discards every newer snapshot (documented console behaviour).
    v.snapshots.retain(|s| s.seq <= seq);
    let until = Instant::now() + delay;
    v.restores.push(RestoreHistory {
        snapshot_id: sid,
        snapshot_name: name,
        requested_at: Utc::now(),
        restored_at: None,
        result: "IN_PROGRESS",
        until,
    });
    v.status = "UPDATING";
    v.pending = Some(Pending {
        until,
        then: Settle::Active,
    });
    accepted()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MirrorReq {
    dst_region: Option<String>,
    dst_tenant_id: Option<String>,
    dst_volume: Option<VolumeReq>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MirrorBody {
    volume_mirror: MirrorReq,
}

async fn create_mirror(State(c): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: MirrorBody = parse(&body)?;
    let req = req.volume_mirror;
    let dst_region = req.dst_region.ok_or_else(|| bad("dstRegion is required"))?;
    let dst_tenant = req
        .dst_tenant_id
        .ok_or_else(|| bad("dstTenantId is required"))?;
    let spec = req.dst_volume.ok_or_else(|| bad("dstVolume is required"))?;
    let mut w = c.world();
    let (delay, tenant, project) = (
        w.cfg.delay,
        w.cfg.tenant_id.clone(),
        w.cfg.project_id.clone(),
    );
    if !w.cfg.regions.contains(&dst_region) {
        return Err(bad(format!("dstRegion {dst_region} is not a NAS region")));
    }
    if dst_tenant != tenant {
        return Err(bad("dstTenantId is not a project of this organization"));
    }
    if dst_region == c.region {
        return Err(bad(
            "Replication within the same project needs a different region",
        ));
    }
    if w.nas.mirrors.values().any(|m| m.involves(&id)) {
        return Err(bad("The volume is already replicated"));
    }
    let src = w.nas.active(&c.region, &id)?;
    let (src_name, src_size, src_protocol) = (src.name.clone(), src.size_gb, src.protocol.clone());
    let dst = w
        .nas
        .build_volume(&dst_region, &dst_tenant, &project, spec, delay)?;
    if src_protocol == "cifs" && dst.protocol != "cifs" {
        return Err(bad("The destination of a cifs volume must be cifs"));
    }
    if dst.size_gb != src_size {
        return Err(bad("dstVolume.sizeGb must equal the source volume's size"));
    }
    let m = Mirror {
        id: uuid::Uuid::new_v4().to_string(),
        src: id.clone(),
        dst: dst.id.clone(),
        src_region: c.region.clone(),
        dst_region,
        src_name,
        dst_name: dst.name.clone(),
        tenant_id: tenant,
        dst_tenant_id: dst_tenant,
        project_id: project,
        status: "PENDING",
        pending: Some(Pending {
            until: Instant::now() + delay,
            then: MirrorSettle::Initialized,
        }),
        direction: "FORWARD",
        direction_changed_at: None,
        halted: false,
        last_transfer: None,
        created_at: Utc::now(),
    };
    let body = json!({"volumeMirror": w.nas.mirror_json(&m, "SOURCE")});
    w.nas.volumes.insert(dst.id.clone(), dst);
    w.nas.mirrors.insert(m.id.clone(), m);
    Ok(reply(StatusCode::CREATED, body))
}

/// Starts a mirror change that settles after the delay.
fn mirror_change(c: &Ctx, id: &str, mid: &str, then: MirrorSettle) -> Reply {
    let mut w = c.world();
    let delay = w.cfg.delay;
    let m = w.nas.mirror_of(&c.region, id, mid)?;
    if m.status != "INITIALIZED" {
        return Err(bad(format!("The volume mirror is {}", m.status)));
    }
    match then {
        MirrorSettle::Stop if m.halted => return Err(bad("Replication is already stopped")),
        MirrorSettle::Start if !m.halted => return Err(bad("Replication is already active")),
        _ => {}
    }
    m.status = if then == MirrorSettle::Gone {
        "DELETING"
    } else {
        "UPDATING"
    };
    m.pending = Some(Pending {
        until: Instant::now() + delay,
        then,
    });
    accepted()
}

async fn delete_mirror(State(c): State<Ctx>, Path((id, mid)): Path<(String, String)>) -> Reply {
    mirror_change(&c, &id, &mid, MirrorSettle::Gone)
}

async fn start_mirror(State(c): State<Ctx>, Path((id, mid)): Path<(String, String)>) -> Reply {
    mirror_change(&c, &id, &mid, MirrorSettle::Start)
}

async fn stop_mirror(State(c): State<Ctx>, Path((id, mid)): Path<(String, String)>) -> Reply {
    mirror_change(&c, &id, &mid, MirrorSettle::Stop)
}

async fn invert_mirror(State(c): State<Ctx>, Path((id, mid)): Path<(String, String)>) -> Reply {
    mirror_change(&c, &id, &mid, MirrorSettle::Invert)
}

async fn mirror_stat(State(c): State<Ctx>, Path((id, mid)): Path<(String, String)>) -> Reply {
    let mut w = c.world();
    let m = w.nas.mirror_of(&c.region, &id, &mid)?;
    let status = match m.status {
        "INITIALIZED" if m.halted => "HALT",
        "INITIALIZED" => "ACTIVE",
        other => other,
    };
    let t = m.last_transfer.clone();
    Ok(reply(
        StatusCode::OK,
        json!({"volumeMirrorStat": {
            "status": status,
            "lastTransferStatus": t.as_ref().map(|_| "SUCCESS"),
            "lastTransferBytes": t.as_ref().map_or(0, |t| t.bytes),
            "lastTransferEndTime": t.as_ref().map(|t| ts(t.end)),
            "lastSuccessTransferBytes": t.as_ref().map_or(0, |t| t.bytes),
            "lastSuccessTransferEndTime": t.as_ref().map(|t| ts(t.end)),
        }}),
    ))
}

/// Every NAS call needs a live token (`X-Auth-Token`).
async fn authenticate(State(c): State<Ctx>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let valid = token.is_some_and(|t| lock(&c.world).identity.check(&t).is_some());
    if !valid {
        return envelope_error(StatusCode::UNAUTHORIZED, "Authorization failed");
    }
    next.run(req).await
}

pub(crate) fn router(world: Shared, region: String) -> Router {
    let ctx = Ctx { world, region };
    let vm = "/v1/volumes/{id}/volume-mirrors/{mid}";
    Router::new()
        .route("/v1/volumes", get(list_volumes).post(create_volume))
        .route(
            "/v1/volumes/{id}",
            get(get_volume).patch(update_volume).delete(delete_volume),
        )
        .route("/v1/volumes/{id}/interfaces", post(create_interface))
        .route(
            "/v1/volumes/{id}/interfaces/{iid}",
            axum::routing::delete(delete_interface),
        )
        .route("/v1/volumes/{id}/restore-histories", get(restore_histories))
        .route("/v1/volumes/{id}/usage", get(usage))
        .route(
            "/v1/volumes/{id}/snapshots",
            get(list_snapshots).post(create_snapshot),
        )
        .route(
            "/v1/volumes/{id}/snapshots/{sid}",
            get(get_snapshot).delete(delete_snapshot),
        )
        .route(
            "/v1/volumes/{id}/snapshots/{sid}/restore",
            post(restore_snapshot),
        )
        .route("/v1/volumes/{id}/volume-mirrors", post(create_mirror))
        .route(vm, axum::routing::delete(delete_mirror))
        .route(&format!("{vm}/invert-direction"), post(invert_mirror))
        .route(&format!("{vm}/start"), post(start_mirror))
        .route(&format!("{vm}/stop"), post(stop_mirror))
        .route(&format!("{vm}/stat"), get(mirror_stat))
        .fallback(|| async { envelope_error(StatusCode::NOT_FOUND, "Not Found") })
        .method_not_allowed_fallback(|| async {
            envelope_error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
        })
        .route_layer(axum::middleware::from_fn_with_state(
            ctx.clone(),
            authenticate,
        ))
        .with_state(ctx)
}
