//! SCP File Storage (`filestorage`, 21 operations) over the shared world.
//!
//! States: volumes `creating` → `available` → (`restoring` → `available`) → `deleting` → gone;
//! access rules `adding` → `active`, `removing` → gone; snapshots `creating` → `available`;
//! replications `creating` → `active`, `paused` while their policy is `paused`, and
//! `deleting` → gone (the replica volume in the other region stays, as on SCP). Every
//! request first settles whatever is due.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    accepted, check_name, conflict, invalid, lock, new_id, not_found, ok, one_of, page, parse,
    settle_volumes, ts, volume_id_param, Base, Ctx, Fail, Pending, Reply, Rule, Settle, Shared,
    Snap, World, Q,
};

const GIB: u64 = 1 << 30;
const TYPES: [&str; 3] = ["HDD", "SSD", "HighPerformanceSSD"];
const OBJECT_TYPES: [&str; 5] = ["VM", "BM", "GPU", "GPU_NODE", "ENDPOINT"];
const FREQUENCIES: [&str; 5] = ["5min", "hourly", "daily", "weekly", "monthly"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

#[derive(Clone, Deserialize)]
struct Schedule {
    frequency: String,
    #[serde(default)]
    day_of_week: Option<String>,
    hour: String,
}

struct Sched {
    id: String,
    s: Schedule,
}

struct Volume {
    base: Base,
    protocol: String,
    type_name: String,
    purpose: &'static str,
    file_unit_recovery: bool,
    usage_gib: u64,
    scheds: Vec<Sched>,
    retention: Option<u32>,
}

impl Deref for Volume {
    type Target = Base;
    fn deref(&self) -> &Base {
        &self.base
    }
}

impl DerefMut for Volume {
    fn deref_mut(&mut self) -> &mut Base {
        &mut self.base
    }
}

struct Replication {
    id: String,
    src: String,
    dst: String,
    src_region: String,
    dst_region: String,
    frequency: String,
    kind: String,
    policy: &'static str,
    status: &'static str,
    pending: Option<Pending<Settle>>,
    backup_retention: Option<u32>,
}

/// File Storage volumes of every region and the replications between them.
#[derive(Default)]
pub(crate) struct Files {
    volumes: BTreeMap<String, Volume>,
    replications: BTreeMap<String, Replication>,
}

impl Files {
    fn tick(&mut self) {
        settle_volumes(&mut self.volumes);
        let now = Instant::now();
        let mut gone = vec![];
        for r in self.replications.values_mut() {
            match Pending::due(&mut r.pending, now) {
                Some(Settle::Ready) => {
                    r.status = if r.policy == "paused" {
                        "paused"
                    } else {
                        "active"
                    }
                }
                Some(Settle::Gone) => gone.push(r.id.clone()),
                None => {}
            }
        }
        for id in gone {
            self.replications.remove(&id);
        }
    }

    pub(crate) fn seed(
        &mut self,
        id: &str,
        region: &str,
        name: &str,
        protocol: &str,
        type_name: &str,
    ) {
        let mut v = new_volume(id, region, name, protocol, type_name, "none");
        v.state = "available";
        v.usage_gib = 12;
        self.volumes.insert(id.to_string(), v);
    }

    pub(crate) fn run_schedule(&mut self, volume_id: &str) -> bool {
        self.tick();
        let Some(v) = self.volumes.get_mut(volume_id) else {
            return false;
        };
        if v.scheds.is_empty() {
            return false;
        }
        let snap = new_snapshot(&new_id(), v);
        v.snaps.push(Snap {
            state: "available",
            scheduled: true,
            pending: None,
            ..snap
        });
        // Retention keeps the newest scheduled snapshots; manual ones are the user's.
        if let Some(keep) = v.retention.filter(|k| *k > 0) {
            let scheduled = v.snaps.iter().filter(|s| s.scheduled).count();
            let mut excess = scheduled.saturating_sub(keep as usize);
            v.snaps.retain(|s| {
                let drop = s.scheduled && excess > 0;
                excess -= usize::from(drop);
                !drop
            });
        }
        true
    }
}

fn new_volume(
    id: &str,
    region: &str,
    name: &str,
    protocol: &str,
    type_name: &str,
    purpose: &'static str,
) -> Volume {
    Volume {
        base: Base::new(id, region, name),
        protocol: protocol.into(),
        type_name: type_name.into(),
        purpose,
        file_unit_recovery: false,
        usage_gib: 0,
        scheds: vec![],
        retention: None,
    }
}

fn new_snapshot(id: &str, v: &Volume) -> Snap {
    let now = Utc::now();
    Snap {
        id: id.into(),
        name: format!("{}.{}", v.name, now.format("%Y-%m-%d_%H%M%S%3f")),
        size: v.usage_gib * GIB,
        scheduled: false,
        state: "creating",
        pending: None,
        created_at: now,
    }
}

fn type_id(type_name: &str) -> String {
    format!("type-{}", type_name.to_ascii_lowercase())
}

fn volume_json(v: &Volume, account: &str, detail: bool) -> Value {
    let mut j = json!({
        "id": v.id, "name": v.name, "protocol": v.protocol, "state": v.state,
        "account_id": account, "created_at": ts(v.created_at),
        "type_id": type_id(&v.type_name), "type_name": v.type_name, "purpose": v.purpose,
    });
    if detail {
        let ip = format!(
            "10.{}.0.{}",
            if v.region.ends_with("east1") { 20 } else { 10 },
            5
        );
        let ready = v.state != "creating";
        j["encryption_enabled"] = json!(true);
        j["file_unit_recovery_enabled"] = json!(v.file_unit_recovery);
        j["usage"] = json!(v.usage_gib);
        j["endpoint_path"] = if ready { json!(ip) } else { Value::Null };
        j["path"] = match (ready, v.protocol.as_str()) {
            (false, _) => Value::Null,
            (true, "CIFS") => json!(format!("\\\\{ip}\\{}", v.name)),
            (true, _) => json!(format!("{ip}:/{}", v.name)),
        };
        j["cifs_id"] = if v.protocol == "CIFS" {
            json!(format!("{}_user", v.name))
        } else {
            Value::Null
        };
    }
    j
}

fn replication_json(r: &Replication, w: &World, detail: bool) -> Value {
    let name = |id: &str| w.file.volumes.get(id).map(|v| v.name.clone());
    let mut j = json!({
        "replication_id": r.id, "replication_frequency": r.frequency,
        "source_volume_id": r.src, "source_volume_region": r.src_region,
        "source_volume_access_level": "rw",
        "replication_volume_id": r.dst, "replication_volume_region": r.dst_region,
        "replication_volume_access_level": "ro", "replication_type": r.kind,
    });
    if detail {
        j["source_volume_name"] = json!(name(&r.src));
        j["replication_volume_name"] = json!(name(&r.dst));
        j["replication_policy"] = json!(r.policy);
        j["replication_status"] = json!(r.status);
        j["backup_retention_count"] = json!(r.backup_retention);
    }
    j
}

/// Locks the world and settles what is due.
fn world(ctx: &Ctx) -> std::sync::MutexGuard<'_, World> {
    let mut w = lock(&ctx.world);
    w.file.tick();
    w
}

/// A volume of this region.
fn volume<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Volume, Fail> {
    w.file
        .volumes
        .get_mut(id)
        .filter(|v| v.region == region)
        .ok_or_else(|| not_found("volume", id))
}

#[derive(Deserialize)]
struct Tag {
    key: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct CreateVolume {
    name: String,
    protocol: String,
    type_name: String,
    #[serde(default)]
    snapshot_id: Option<String>,
    #[serde(default)]
    cifs_password: Option<String>,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

fn check_cifs_password(p: &str) -> Result<(), Fail> {
    let ok = (6..=20).contains(&p.chars().count())
        && p.chars().any(|c| c.is_ascii_alphabetic())
        && p.chars().any(|c| c.is_ascii_digit())
        && p.chars().any(|c| !c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            &["body", "cifs_password"],
            "6-20 characters with a letter, a digit and a special character",
        ))
    }
}

async fn create_volume(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateVolume = parse(&body)?;
    check_name("name", &req.name)?;
    one_of(&["body", "protocol"], &req.protocol, &["NFS", "CIFS"])?;
    one_of(&["body", "type_name"], &req.type_name, &TYPES)?;
    match (&req.cifs_password, req.protocol.as_str()) {
        (Some(_), "NFS") => {
            return Err(invalid(
                &["body", "cifs_password"],
                "cifs_password applies to CIFS volumes only",
            ))
        }
        (Some(p), _) => check_cifs_password(p)?,
        _ => {}
    }
    for (i, t) in req.tags.iter().flatten().enumerate() {
        if t.key.is_empty() || t.key.len() > 128 || t.value.as_ref().is_some_and(|v| v.len() > 256)
        {
            return Err(invalid(
                &["body", "tags", &i.to_string()],
                "tag key 1-128, value at most 256 characters",
            ));
        }
    }
    if req.tags.as_ref().is_some_and(|t| t.len() > 50) {
        return Err(invalid(&["body", "tags"], "at most 50 tags"));
    }
    let mut w = world(&ctx);
    let region = ctx.region.clone();
    if w.file
        .volumes
        .values()
        .any(|v| v.region == region && v.name == req.name)
    {
        return Err(conflict(format!(
            "a volume named `{}` already exists",
            req.name
        )));
    }
    let mut usage = 0;
    if let Some(sid) = &req.snapshot_id {
        let src = w
            .file
            .volumes
            .values()
            .filter(|v| v.region == region)
            .find_map(|v| {
                v.snaps
                    .iter()
                    .find(|s| &s.id == sid)
                    .map(|s| (s.state, s.size))
            })
            .ok_or_else(|| not_found("snapshot", sid))?;
        if src.0 != "available" {
            return Err(conflict(format!("snapshot `{sid}` is {}", src.0)));
        }
        usage = src.1 / GIB;
    }
    let id = new_id();
    let delay = w.cfg.delay;
    let mut v = new_volume(
        &id,
        &region,
        &req.name,
        &req.protocol,
        &req.type_name,
        "none",
    );
    v.pending = Pending::after(delay, Settle::Ready);
    v.usage_gib = usage;
    w.file.volumes.insert(id.clone(), v);
    accepted(Some(json!({
        "protocol": req.protocol, "snapshot_id": req.snapshot_id, "type_name": req.type_name,
        "volume_id": id, "volume_name": req.name,
    })))
}

async fn list_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    if let Some(t) = q.get("type_name").filter(|t| !t.is_empty()) {
        one_of(&["query", "type_name"], t, &TYPES)?;
    }
    let w = world(&ctx);
    let matching: Vec<&Volume> = w
        .file
        .volumes
        .values()
        .filter(|v| v.region == ctx.region)
        .filter(|v| q.get("name").is_none_or(|n| v.name.contains(n.as_str())))
        .filter(|v| {
            q.get("type_name")
                .filter(|t| !t.is_empty())
                .is_none_or(|t| &v.type_name == t)
        })
        .collect();
    let (items, count) = page(matching, |v| (v.name.clone(), v.created_at), &q)?;
    let account = w.cfg.account_id.clone();
    ok(json!({
        "count": count,
        "filestorages": items.iter().map(|v| volume_json(v, &account, false)).collect::<Vec<_>>(),
    }))
}

async fn show_volume(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let account = w.cfg.account_id.clone();
    let v = volume(&mut w, &ctx.region, &id)?;
    ok(volume_json(v, &account, true))
}

#[derive(Deserialize)]
struct SetVolume {
    file_unit_recovery_enabled: bool,
}

async fn set_volume(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: SetVolume = parse(&body)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    v.file_unit_recovery = req.file_unit_recovery_enabled;
    accepted(Some(
        json!({"file_unit_recovery_enabled": v.file_unit_recovery}),
    ))
}

async fn delete_volume(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    if w.file
        .replications
        .values()
        .any(|r| r.src == id || r.dst == id)
    {
        return Err(conflict("the volume has replications; delete them first"));
    }
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    v.state = "deleting";
    v.pending = Pending::after(delay, Settle::Gone);
    accepted(None)
}

async fn list_rules(State(ctx): State<Ctx>, Path(id): Path<String>) -> Reply {
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &id)?;
    let rules: Vec<Value> = v
        .rules
        .iter()
        .map(|r| json!({"access_rule_state": r.state, "object_type": r.object_type, "object_id": r.object_id}))
        .collect();
    ok(json!({"count": rules.len(), "volume_id": v.id, "access_rules": rules}))
}

#[derive(Deserialize)]
struct SetRule {
    object_id: String,
    object_type: String,
    action: String,
}

async fn set_rule(State(ctx): State<Ctx>, Path(id): Path<String>, body: Bytes) -> Reply {
    let req: SetRule = parse(&body)?;
    one_of(&["body", "object_type"], &req.object_type, &OBJECT_TYPES)?;
    one_of(&["body", "action"], &req.action, &["add", "remove"])?;
    if req.object_id.is_empty() {
        return Err(invalid(&["body", "object_id"], "must not be empty"));
    }
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &id)?;
    v.available()?;
    let existing = v
        .rules
        .iter_mut()
        .find(|r| r.object_type == req.object_type && r.object_id == req.object_id);
    match (req.action.as_str(), existing) {
        ("add", Some(_)) => return Err(conflict("the object already has access")),
        ("add", None) => v.rules.push(Rule {
            object_type: req.object_type.clone(),
            object_id: req.object_id.clone(),
            state: "adding",
            pending: Pending::after(delay, Settle::Ready),
            ip: None,
        }),
        (_, Some(r)) if r.state != "removing" => {
            r.state = "removing";
            r.pending = Pending::after(delay, Settle::Gone);
        }
        _ => return Err(not_found("access rule", &req.object_id)),
    }
    accepted(Some(
        json!({"volume_id": id, "object_type": req.object_type, "object_id": req.object_id, "action": req.action}),
    ))
}

#[derive(Deserialize)]
struct CreateSnapshot {
    volume_id: String,
}

async fn create_snapshot(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateSnapshot = parse(&body)?;
    let mut w = world(&ctx);
    let (sid, delay) = (new_id(), w.cfg.delay);
    let v = volume(&mut w, &ctx.region, &req.volume_id)?;
    v.available()?;
    let mut s = new_snapshot(&sid, v);
    s.pending = Pending::after(delay, Settle::Ready);
    let mut body = s.json();
    body["volume_id"] = json!(v.id);
    v.snaps.push(s);
    accepted(Some(json!({ "snapshot": body })))
}

async fn list_snapshots(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let total: u64 = v.snaps.iter().map(|s| s.size).sum();
    ok(json!({
        "count": v.snaps.len(),
        "snapshots": v.snaps.iter().map(Snap::json).collect::<Vec<_>>(),
        "snapshot_size_total_byte": total,
    }))
}

async fn delete_snapshot(State(ctx): State<Ctx>, Path(sid): Path<String>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let i = v
        .snaps
        .iter()
        .position(|s| s.id == sid)
        .ok_or_else(|| not_found("snapshot", &sid))?;
    if v.state == "restoring" {
        return Err(conflict("a restore is running on the volume"));
    }
    v.snaps.remove(i);
    accepted(None)
}

async fn restore_snapshot(State(ctx): State<Ctx>, Path(sid): Path<String>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let v = volume(&mut w, &ctx.region, &vid)?;
    let s = v
        .snaps
        .iter()
        .find(|s| s.id == sid)
        .ok_or_else(|| not_found("snapshot", &sid))?;
    if s.state != "available" {
        return Err(conflict(format!("snapshot `{sid}` is {}", s.state)));
    }
    let body = s.json();
    v.available()?;
    v.usage_gib = s.size / GIB;
    v.state = "restoring";
    v.pending = Pending::after(delay, Settle::Ready);
    accepted(Some(json!({ "snapshot": body })))
}

fn check_schedule(s: &Schedule) -> Result<(), Fail> {
    one_of(
        &["body", "snapshot_schedule", "frequency"],
        &s.frequency,
        &["WEEKLY", "DAILY"],
    )?;
    if let Some(d) = &s.day_of_week {
        one_of(&["body", "snapshot_schedule", "day_of_week"], d, &DAYS)?;
    }
    if s.frequency == "WEEKLY" && s.day_of_week.is_none() {
        return Err(invalid(
            &["body", "snapshot_schedule", "day_of_week"],
            "a WEEKLY schedule needs day_of_week",
        ));
    }
    let hour_ok = s.hour.parse::<u8>().is_ok_and(|h| h < 24)
        && (s.hour.len() == 1 || !s.hour.starts_with('0'));
    if !hour_ok {
        return Err(invalid(
            &["body", "snapshot_schedule", "hour"],
            format!("`{}` does not match ^([0-9]|1[0-9]|2[0-3])$", s.hour),
        ));
    }
    Ok(())
}

fn check_retention(n: Option<i64>) -> Result<Option<u32>, Fail> {
    match n {
        None => Ok(None),
        Some(n) if (1..=128).contains(&n) => Ok(Some(n as u32)),
        Some(n) => Err(invalid(
            &["body", "snapshot_retention_count"],
            format!("must be 1-128, got {n}"),
        )),
    }
}

fn schedule_json(s: &Schedule) -> Value {
    json!({"frequency": s.frequency, "day_of_week": s.day_of_week, "hour": s.hour})
}

#[derive(Deserialize)]
struct CreateSchedule {
    #[serde(default)]
    snapshot_retention_count: Option<i64>,
    volume_id: String,
    snapshot_schedule: Schedule,
}

async fn create_schedule(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateSchedule = parse(&body)?;
    check_schedule(&req.snapshot_schedule)?;
    let retention = check_retention(req.snapshot_retention_count)?;
    let mut w = world(&ctx);
    let id = new_id();
    let v = volume(&mut w, &ctx.region, &req.volume_id)?;
    v.available()?;
    let dup = v.scheds.iter().any(|x| {
        x.s.frequency == req.snapshot_schedule.frequency
            && x.s.day_of_week == req.snapshot_schedule.day_of_week
            && x.s.hour == req.snapshot_schedule.hour
    });
    if dup {
        return Err(conflict("the same schedule already exists"));
    }
    if retention.is_some() {
        v.retention = retention;
    }
    v.scheds.push(Sched {
        id,
        s: req.snapshot_schedule.clone(),
    });
    accepted(Some(json!({
        "snapshot_retention_count": v.retention, "volume_id": v.id,
        "snapshot_schedule": schedule_json(&req.snapshot_schedule),
    })))
}

async fn list_schedules(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let scheds: Vec<Value> = v
        .scheds
        .iter()
        .map(|x| {
            let mut j = schedule_json(&x.s);
            j["id"] = json!(x.id);
            j
        })
        .collect();
    ok(json!({
        "snapshot_retention_count": v.retention.unwrap_or(0), "volume_id": v.id,
        "snapshot_policy_enabled": !v.scheds.is_empty(), "snapshot_schedule": scheds,
    }))
}

#[derive(Deserialize)]
struct SetSchedule {
    #[serde(default)]
    snapshot_retention_count: Option<i64>,
    snapshot_schedule: Schedule,
}

async fn set_schedule(
    State(ctx): State<Ctx>,
    Path(sid): Path<String>,
    Query(q): Q,
    body: Bytes,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let req: SetSchedule = parse(&body)?;
    check_schedule(&req.snapshot_schedule)?;
    let retention = check_retention(req.snapshot_retention_count)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let x = v
        .scheds
        .iter_mut()
        .find(|x| x.id == sid)
        .ok_or_else(|| not_found("snapshot schedule", &sid))?;
    x.s = req.snapshot_schedule.clone();
    if retention.is_some() {
        v.retention = retention;
    }
    accepted(Some(json!({
        "snapshot_retention_count": v.retention, "volume_id": v.id,
        "snapshot_schedule": schedule_json(&req.snapshot_schedule),
    })))
}

async fn delete_schedule(State(ctx): State<Ctx>, Path(sid): Path<String>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let v = volume(&mut w, &ctx.region, &vid)?;
    let i = v
        .scheds
        .iter()
        .position(|x| x.id == sid)
        .ok_or_else(|| not_found("snapshot schedule", &sid))?;
    v.scheds.remove(i);
    accepted(None)
}

#[derive(Deserialize)]
struct CreateReplication {
    name: String,
    #[serde(default)]
    cifs_password: Option<String>,
    replication_frequency: String,
    region: String,
    volume_id: String,
    #[serde(default)]
    backup_retention_count: Option<i64>,
    replication_type: String,
}

fn check_backup_retention(n: Option<i64>) -> Result<Option<u32>, Fail> {
    match n {
        None => Ok(None),
        Some(n) if (1..=128).contains(&n) => Ok(Some(n as u32)),
        Some(n) => Err(invalid(
            &["body", "backup_retention_count"],
            format!("must be 1-128, got {n}"),
        )),
    }
}

async fn create_replication(State(ctx): State<Ctx>, body: Bytes) -> Reply {
    let req: CreateReplication = parse(&body)?;
    check_name("name", &req.name)?;
    one_of(
        &["body", "replication_frequency"],
        &req.replication_frequency,
        &FREQUENCIES,
    )?;
    one_of(
        &["body", "replication_type"],
        &req.replication_type,
        &["replication", "backup"],
    )?;
    let backup_retention = check_backup_retention(req.backup_retention_count)?;
    if let Some(p) = &req.cifs_password {
        check_cifs_password(p)?;
    }
    let mut w = world(&ctx);
    if !w.peer_regions(&ctx.region).contains(&req.region) {
        return Err(invalid(
            &["body", "region"],
            format!("cannot replicate from {} to `{}`", ctx.region, req.region),
        ));
    }
    if w.file
        .volumes
        .values()
        .any(|v| v.region == req.region && v.name == req.name)
    {
        return Err(conflict(format!(
            "a volume named `{}` already exists in {}",
            req.name, req.region
        )));
    }
    let (rid, did, delay) = (new_id(), new_id(), w.cfg.delay);
    let src = volume(&mut w, &ctx.region, &req.volume_id)?;
    src.available()?;
    if src.purpose == "replication" {
        return Err(conflict("a replica volume cannot be replicated"));
    }
    let mut dst = new_volume(
        &did,
        &req.region,
        &req.name,
        &src.protocol,
        &src.type_name,
        "replication",
    );
    dst.pending = Pending::after(delay, Settle::Ready);
    let protocol = src.protocol.clone();
    w.file.volumes.insert(did.clone(), dst);
    w.file.replications.insert(
        rid.clone(),
        Replication {
            id: rid.clone(),
            src: req.volume_id.clone(),
            dst: did.clone(),
            src_region: ctx.region.clone(),
            dst_region: req.region.clone(),
            frequency: req.replication_frequency,
            kind: req.replication_type,
            policy: "use",
            status: "creating",
            pending: Pending::after(delay, Settle::Ready),
            backup_retention,
        },
    );
    accepted(Some(json!({
        "replication_id": rid, "replication_status": "creating",
        "source_volume_id": req.volume_id, "source_volume_region": ctx.region, "protocol": protocol,
        "replication_volume_id": did, "replication_volume_region": req.region,
    })))
}

/// A replication the volume takes part in (as source or replica).
fn replication<'a>(
    w: &'a mut World,
    region: &str,
    vid: &str,
    rid: &str,
) -> Result<&'a mut Replication, Fail> {
    volume(w, region, vid)?;
    w.file
        .replications
        .get_mut(rid)
        .filter(|r| r.src == vid || r.dst == vid)
        .ok_or_else(|| not_found("replication", rid))
}

async fn list_replications(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    volume(&mut w, &ctx.region, &vid)?;
    let items: Vec<Value> = w
        .file
        .replications
        .values()
        .filter(|r| r.src == vid || r.dst == vid)
        .map(|r| replication_json(r, &w, false))
        .collect();
    ok(json!({"count": items.len(), "replications": items}))
}

async fn show_replication(State(ctx): State<Ctx>, Path(rid): Path<String>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    replication(&mut w, &ctx.region, &vid, &rid)?;
    let r = &w.file.replications[&rid];
    ok(replication_json(r, &w, true))
}

#[derive(Deserialize)]
struct UpdateReplication {
    #[serde(default)]
    replication_policy: Option<String>,
    #[serde(default)]
    replication_frequency: Option<String>,
    #[serde(default)]
    backup_retention_count: Option<i64>,
    replication_update_type: String,
}

async fn set_replication(
    State(ctx): State<Ctx>,
    Path(rid): Path<String>,
    Query(q): Q,
    body: Bytes,
) -> Reply {
    let vid = volume_id_param(&q)?;
    let req: UpdateReplication = parse(&body)?;
    one_of(
        &["body", "replication_update_type"],
        &req.replication_update_type,
        &["policy", "modify_schedule", "frequency"],
    )?;
    let backup_retention = check_backup_retention(req.backup_retention_count)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let r = replication(&mut w, &ctx.region, &vid, &rid)?;
    if matches!(r.status, "creating" | "deleting") {
        return Err(conflict(format!("replication `{rid}` is {}", r.status)));
    }
    if req.replication_update_type == "policy" {
        let policy = req.replication_policy.as_deref().ok_or_else(|| {
            invalid(
                &["body", "replication_policy"],
                "required for a policy update",
            )
        })?;
        one_of(&["body", "replication_policy"], policy, &["use", "paused"])?;
        r.policy = if policy == "use" { "use" } else { "paused" };
        r.status = "updating";
        r.pending = Pending::after(delay / 2, Settle::Ready);
    } else {
        if req.replication_frequency.is_none() && backup_retention.is_none() {
            return Err(invalid(
                &["body", "replication_frequency"],
                "nothing to modify",
            ));
        }
        if let Some(f) = &req.replication_frequency {
            one_of(&["body", "replication_frequency"], f, &FREQUENCIES)?;
            r.frequency = f.clone();
        }
        if backup_retention.is_some() {
            r.backup_retention = backup_retention;
        }
    }
    let body = replication_json(&w.file.replications[&rid], &w, false);
    accepted(Some(body))
}

async fn delete_replication(State(ctx): State<Ctx>, Path(rid): Path<String>, Query(q): Q) -> Reply {
    let vid = volume_id_param(&q)?;
    let mut w = world(&ctx);
    let delay = w.cfg.delay;
    let r = replication(&mut w, &ctx.region, &vid, &rid)?;
    if r.policy != "paused" || r.status != "paused" {
        return Err(conflict("pause the replication before deleting it"));
    }
    r.status = "deleting";
    r.pending = Pending::after(delay, Settle::Gone);
    accepted(None)
}

async fn replication_regions(State(ctx): State<Ctx>, Query(q): Q) -> Reply {
    let source = q
        .get("source_region_name")
        .ok_or_else(|| invalid(&["query", "source_region_name"], "field required"))?;
    let kind = q
        .get("replication_type")
        .ok_or_else(|| invalid(&["query", "replication_type"], "field required"))?;
    one_of(
        &["query", "replication_type"],
        kind,
        &["replication", "backup"],
    )?;
    let t = q
        .get("type_name")
        .ok_or_else(|| invalid(&["query", "type_name"], "field required"))?;
    one_of(&["query", "type_name"], t, &["HDD", "SSD"])?;
    let w = world(&ctx);
    if !w.cfg.regions.contains(source) {
        return Err(not_found("region", source));
    }
    ok(json!({"regions": w.peer_regions(source)}))
}

pub(crate) fn router(world: Shared, region: String) -> Router {
    Router::new()
        .route("/v1/volumes", get(list_volumes).post(create_volume))
        .route(
            "/v1/volumes/{id}",
            get(show_volume).put(set_volume).delete(delete_volume),
        )
        .route(
            "/v1/volumes/{id}/access-rules",
            get(list_rules).put(set_rule),
        )
        .route("/v1/snapshots", get(list_snapshots).post(create_snapshot))
        .route("/v1/snapshots/{id}", axum::routing::delete(delete_snapshot))
        .route("/v1/snapshots/{id}/restore", put(restore_snapshot))
        .route(
            "/v1/snapshot-schedules",
            get(list_schedules).post(create_schedule),
        )
        .route(
            "/v1/snapshot-schedules/{id}",
            put(set_schedule).delete(delete_schedule),
        )
        .route(
            "/v1/replications",
            get(list_replications).post(create_replication),
        )
        .route("/v1/replications/regions", get(replication_regions))
        .route(
            "/v1/replications/{id}",
            get(show_replication)
                .put(set_replication)
                .delete(delete_replication),
        )
        .fallback(|| async { super::fail(StatusCode::NOT_FOUND, "no such operation") })
        .with_state(Ctx { world, region })
}
