//! SCP Block Storage for bare-metal servers (`baremetal-blockstorage`, 41 operations in API
//! versions 1.0, 1.1 and 1.2) over the shared world. Reference:
//! `shared/vendor/scp-block-storage.md` (§ numbers below are its sections).
//!
//! Fidelity notes:
//! - Paths, methods and 200/202 as §2.4: the eight async operations answer 202
//!   `{request_id: "req-<uuid>", resource_id}`; envelopes (`{"result": …}` or flat) as §2.5.
//! - Versions from the front's [`ApiVersion`](crate::scp::front::ApiVersion): Set Volume QoS
//!   and the `qos` of Create/Show Volume exist only in 1.2, both recoveries only in 1.1+
//!   (older versions: 404); Attach/Detach answer `{attachments:[…]}` in 1.2 and
//!   `{result: VolumeModel}` before; the 1.0 models have no `recovery`.
//! - Failures are `{"errors":[{"code":"BadRequest|NotFound|Conflict…","detail":"…"}]}`
//!   (§2.6): validation 400, unknown ids (also ids in bodies) 404, state conflicts 409.
//! - Ids: volumes and groups 32 lowercase hex, snapshots hyphenated uuids; timestamps
//!   `2024-08-01T07:06:23.315Z`; SRN `srn:{env}::{account}:{region}::baremetal-blockstorage:volume/{id}`.
//! - States (§6): volumes `CREATING` → `IN_USE` (attached) | `AVAILABLE`; `ATTACHING` →
//!   `IN_USE`; `DETACHING` → `IN_USE` | `AVAILABLE`; QoS, snapshot rate, schedule and restore
//!   `EDITING` → the previous state; `DELETING` → gone (404). Groups `CREATING` → `AVAILABLE`,
//!   member changes, schedules and group restores `EDITING` → `AVAILABLE`. Replication
//!   `sync_state`: `INITIALIZING` → `SNAPMIRROED` (vendor spelling); `BREAK` → `BROKEN_OFF`;
//!   `RESYNC` → `RESYNCING` → `SNAPMIRROED`. Transitions take [`ScpSimConfig::delay`]
//!   (crate::scp::ScpSimConfig); every request first settles what is due.
//!
//! Simulator choices where the reference is silent:
//! - Any mutation of a volume or group in a `*ING` state is 409 (`volume … is creating`);
//!   so is deleting a volume that is attached, in a group or in a replication, creating a
//!   volume whose name exists in the region, and a second replication.
//! - Group names: 1–28 characters. Names built from prefixes (group replication and
//!   recovery members, `<prefix><member name>`) must pass the volume name rule (400).
//! - `snapshot_rate` is the snapshot reserve in percent of the volume size, 1–100.
//!   Deleting the rate is refused (409) while snapshots exist. Each snapshot reports 1% of
//!   the volume size as `snapshot_size_mb`; `snapshot_total_usage` is their sum in MB.
//! - A group snapshot needs every member's snapshots activated (400 otherwise), and
//!   `is_snapshot_policy` of a group says they all are.
//! - SSD volumes created without `qos` get 3000 IOPS / 125 MB/s; HDD volumes have no QoS
//!   (`qos: null` in 1.2) and refuse it (400).
//! - Removing every member of a group is 400; a member must be settled to join or leave.
//! - Detaching a server that is not attached is 400; attaching one twice is 409; at most 8.
//! - Attached servers are synthesized from their ids (`bm-<8 hex>` or `mngc-<8 hex>`,
//!   `RUNNING`). Group replication also marks its members (`has_replication`/`has_origin`)
//!   but Show Volume Replication on a member answers 404 (only the group relation exists).
//! - Deleting a volume replication keeps the replica as an ordinary, writable volume;
//!   deleting a group replication (synchronous) keeps the replica group the same way.
//!
//! This file holds the service's world ([`Blocks`]), the state machine (`tick`) and the
//! router; each resource has its file.

mod attachments;
mod common;
mod group_replications;
mod group_snapshots;
mod groups;
mod recoveries;
mod replications;
mod schedules;
mod snapshots;
mod volumes;

use std::collections::BTreeMap;
use std::time::Instant;

use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::scp::api::{block_error, Fail};
use crate::scp::base::Pending;
use crate::scp::{lock, Ctx, Shared, World};
use common::{conflict, hex_id, not_found};

/// What a pending volume change turns into.
#[derive(Debug, Clone, Copy)]
pub(super) enum Next {
    To(&'static str),
    Gone,
}

/// A server a volume is attached to.
#[derive(Clone)]
pub(super) struct Attachment {
    pub id: String,
    pub kind: String,
}

/// A snapshot schedule: weekly on `day`, else daily, at `hour`.
#[derive(Clone)]
pub(super) struct Schedule {
    pub day: Option<String>,
    pub hour: i64,
}

impl Schedule {
    /// `{day_of_week, frequency, hour}`; `None` is frequency `NONE`.
    pub fn json(s: Option<&Schedule>) -> Value {
        match s {
            Some(s) => json!({
                "day_of_week": s.day.clone().unwrap_or_default(),
                "frequency": if s.day.is_some() { "WEEKLY" } else { "DAILY" },
                "hour": s.hour,
            }),
            None => json!({"day_of_week": "", "frequency": "NONE", "hour": 0}),
        }
    }
}

/// A volume snapshot.
pub(super) struct Snap {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub size_mb: f64,
}

/// A volume.
pub(super) struct Vol {
    pub id: String,
    pub region: String,
    pub name: String,
    pub disk_type: String,
    pub size_gb: u64,
    pub state: &'static str,
    pub previous_state: &'static str,
    pub pending: Option<Pending<Next>>,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub attachments: Vec<Attachment>,
    pub purpose: &'static str,
    pub qos: Option<(i64, i64)>,
    pub snapshot_rate: i64,
    pub schedule: Option<Schedule>,
    pub snaps: Vec<Snap>,
    pub storage_name: String,
    pub group: Option<String>,
    /// `(origin volume, recovery volume)` when this volume has a recovery relation.
    pub recovery: Option<(String, String)>,
    pub tags: Vec<Value>,
}

impl Vol {
    /// A volume being created (`CREATING`, nothing pending yet).
    pub fn new(
        region: &str,
        name: &str,
        disk_type: &str,
        size_gb: u64,
        purpose: &'static str,
    ) -> Vol {
        let now = Utc::now();
        let id = hex_id();
        Vol {
            storage_name: format!("vo{}{}", now.format("%Y%m%d%H%M"), &id[..11]),
            id,
            region: region.into(),
            name: name.into(),
            disk_type: disk_type.into(),
            size_gb,
            state: "CREATING",
            previous_state: "CREATING",
            pending: None,
            created_at: now,
            modified_at: now,
            attachments: vec![],
            purpose,
            qos: (disk_type == "SSD").then_some((3000, 125)),
            snapshot_rate: 0,
            schedule: None,
            snaps: vec![],
            group: None,
            recovery: None,
            tags: vec![],
        }
    }

    /// The state a settled volume rests in: `IN_USE` when attached, else `AVAILABLE`.
    pub fn at_rest(&self) -> &'static str {
        if self.attachments.is_empty() {
            "AVAILABLE"
        } else {
            "IN_USE"
        }
    }

    /// Enters the transitional state `ing`, settling to `then` after `delay`.
    pub fn begin(&mut self, ing: &'static str, then: Next, delay: std::time::Duration) {
        self.previous_state = self.state;
        self.state = ing;
        self.pending = Pending::after(delay, then);
        self.modified_at = Utc::now();
    }

    /// `EDITING` → back to the current state.
    pub fn edit(&mut self, delay: std::time::Duration) {
        let back = self.state;
        self.begin("EDITING", Next::To(back), delay);
    }

    /// Mutations need a settled volume (409 while `*ING`).
    pub fn ready(&self) -> Result<(), Fail> {
        if self.state.ends_with("ING") {
            Err(conflict(format!(
                "volume `{}` is {}: wait until it settles",
                self.id,
                self.state.to_lowercase().replace('_', " ")
            )))
        } else {
            Ok(())
        }
    }

    /// Takes a snapshot now.
    pub fn take_snapshot(&mut self) -> &Snap {
        let now = Utc::now();
        self.snaps.push(Snap {
            id: common::snapshot_id(),
            name: format!(
                "{}___snapshot-create-bm-blockstorage.{}",
                self.storage_name,
                now.format("%Y-%m-%d_%H%M%S")
            ),
            created_at: now,
            size_mb: self.size_gb as f64 * 10.24,
        });
        self.snaps.last().expect("just pushed")
    }
}

/// A group snapshot, with the members it covers `(id, name, disk_type, size_gb)`.
pub(super) struct GroupSnap {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub members: Vec<(String, String, String, u64)>,
}

/// A volume group (consistency group).
pub(super) struct Group {
    pub id: String,
    pub region: String,
    pub name: String,
    pub state: &'static str,
    pub pending: Option<Pending<&'static str>>,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub members: Vec<String>,
    pub purpose: &'static str,
    pub schedule: Option<Schedule>,
    pub snaps: Vec<GroupSnap>,
    /// `(origin group, recovery group)` when this group has a recovery relation.
    pub recovery: Option<(String, String)>,
    pub storage_name: String,
    pub tags: Vec<Value>,
}

impl Group {
    /// A group being created (`CREATING`).
    pub fn new(region: &str, name: &str, members: Vec<String>, purpose: &'static str) -> Group {
        let now = Utc::now();
        let id = hex_id();
        Group {
            storage_name: format!("go0{}{}", now.format("%y%m%d%H%M"), &id[..11]),
            id,
            region: region.into(),
            name: name.into(),
            state: "CREATING",
            pending: None,
            created_at: now,
            modified_at: now,
            members,
            purpose,
            schedule: None,
            snaps: vec![],
            recovery: None,
            tags: vec![],
        }
    }

    /// Enters `state`, settling to `AVAILABLE` after `delay`.
    pub fn begin(&mut self, state: &'static str, delay: std::time::Duration) {
        self.state = state;
        self.pending = Pending::after(delay, "AVAILABLE");
        self.modified_at = Utc::now();
    }

    /// Mutations need a settled group (409 while `*ING`).
    pub fn ready(&self) -> Result<(), Fail> {
        if self.state.ends_with("ING") {
            Err(conflict(format!(
                "volume group `{}` is {}: wait until it settles",
                self.id,
                self.state.to_lowercase()
            )))
        } else {
            Ok(())
        }
    }
}

/// What a pending replication change turns into.
#[derive(Debug, Clone, Copy)]
pub(super) enum RepNext {
    Mirrored,
    Gone,
}

/// A replication relation from `src` to its replica `dst` (volumes or groups).
pub(super) struct Rep {
    pub src: String,
    pub dst: String,
    pub cycle: String,
    pub sync_state: &'static str,
    pub pending: Option<Pending<RepNext>>,
    /// Group replications: `(source member, replica member)`.
    pub members: Vec<(String, String)>,
}

impl Rep {
    /// The access the replica side has: `READ` while mirrored, `READ_WRITE` once broken off.
    pub fn replica_auth(&self) -> &'static str {
        if self.sync_state == "BROKEN_OFF" {
            "READ_WRITE"
        } else {
            "READ"
        }
    }
}

/// Block Storage volumes and groups of every region and the relations between them.
#[derive(Default)]
pub(crate) struct Blocks {
    pub(super) volumes: BTreeMap<String, Vol>,
    pub(super) groups: BTreeMap<String, Group>,
    /// Volume replications by source volume id.
    pub(super) vreps: BTreeMap<String, Rep>,
    /// Group replications by source group id.
    pub(super) greps: BTreeMap<String, Rep>,
}

impl Blocks {
    fn tick(&mut self) {
        let now = Instant::now();
        let mut gone = vec![];
        for v in self.volumes.values_mut() {
            match Pending::due(&mut v.pending, now) {
                Some(Next::To(s)) => {
                    v.previous_state = v.state;
                    v.state = s;
                    v.modified_at = Utc::now();
                }
                Some(Next::Gone) => gone.push(v.id.clone()),
                None => {}
            }
        }
        for id in gone {
            self.volumes.remove(&id);
        }
        for g in self.groups.values_mut() {
            if let Some(s) = Pending::due(&mut g.pending, now) {
                g.state = s;
                g.modified_at = Utc::now();
            }
        }
        for reps in [&mut self.vreps, &mut self.greps] {
            let mut gone = vec![];
            for (k, r) in reps.iter_mut() {
                match Pending::due(&mut r.pending, now) {
                    Some(RepNext::Mirrored) => r.sync_state = "SNAPMIRROED",
                    Some(RepNext::Gone) => gone.push(k.clone()),
                    None => {}
                }
            }
            for k in gone {
                reps.remove(&k);
            }
        }
    }

    /// The volume replication `id` takes part in (either side).
    pub(super) fn vrep_of(&self, id: &str) -> Option<&Rep> {
        self.vreps.values().find(|r| r.src == id || r.dst == id)
    }

    /// The group replication `id` takes part in (either side).
    pub(super) fn grep_of(&self, id: &str) -> Option<&Rep> {
        self.greps.values().find(|r| r.src == id || r.dst == id)
    }

    /// Whether volume `id` is a replication source (its own or its group's).
    pub(super) fn has_replication(&self, id: &str) -> bool {
        self.vreps.contains_key(id)
            || self
                .greps
                .values()
                .any(|r| r.members.iter().any(|m| m.0 == id))
    }

    /// Whether volume `v` is a replica or a recovery copy.
    pub(super) fn has_origin(&self, v: &Vol) -> bool {
        self.vreps.values().any(|r| r.dst == v.id)
            || self
                .greps
                .values()
                .any(|r| r.members.iter().any(|m| m.1 == v.id))
            || v.recovery.as_ref().is_some_and(|(_, rec)| rec == &v.id)
    }

    pub(crate) fn seed_volume(
        &mut self,
        region: &str,
        name: &str,
        disk_type: &str,
        size_gb: u64,
        attachments: &[(&str, &str)],
    ) -> String {
        self.tick();
        let mut v = Vol::new(region, name, disk_type, size_gb, "ORG");
        v.attachments = attachments
            .iter()
            .map(|(id, kind)| Attachment {
                id: id.to_string(),
                kind: kind.to_string(),
            })
            .collect();
        v.state = v.at_rest();
        let id = v.id.clone();
        self.volumes.insert(id.clone(), v);
        id
    }

    pub(crate) fn seed_group(&mut self, region: &str, name: &str, volume_ids: &[&str]) -> String {
        self.tick();
        let mut g = Group::new(
            region,
            name,
            volume_ids.iter().map(|s| s.to_string()).collect(),
            "ORG",
        );
        g.state = "AVAILABLE";
        for id in volume_ids {
            if let Some(v) = self.volumes.get_mut(*id) {
                v.group = Some(g.id.clone());
            }
        }
        let id = g.id.clone();
        self.groups.insert(id.clone(), g);
        id
    }

    pub(crate) fn run_schedule(&mut self, volume_id: &str) -> bool {
        self.tick();
        match self.volumes.get_mut(volume_id) {
            Some(v) if v.schedule.is_some() && v.snapshot_rate > 0 => {
                v.take_snapshot();
                true
            }
            _ => false,
        }
    }
}

/// Locks the world and settles what is due.
pub(super) fn world(ctx: &Ctx) -> std::sync::MutexGuard<'_, World> {
    let mut w = lock(&ctx.world);
    w.block.tick();
    w
}

/// A volume of this region (404 otherwise).
pub(super) fn volume<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Vol, Fail> {
    w.block
        .volumes
        .get_mut(id)
        .filter(|v| v.region == region)
        .ok_or_else(|| not_found("volume", id))
}

/// A volume group of this region (404 otherwise).
pub(super) fn group<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Group, Fail> {
    w.block
        .groups
        .get_mut(id)
        .filter(|g| g.region == region)
        .ok_or_else(|| not_found("volume group", id))
}

/// The router of one region.
pub(crate) fn router(world: Shared, region: String) -> Router {
    use attachments as at;
    use group_replications as grr;
    use group_snapshots as gs;
    use recoveries as rc;
    use replications as rp;
    use schedules as sc;
    use snapshots as sn;
    use volumes as vo;
    Router::new()
        .route("/v1/volumes", get(vo::list).post(vo::create))
        .route("/v1/volumes/{volume_id}", get(vo::show).delete(vo::delete))
        .route(
            "/v1/volumes/{volume_id}/attachments",
            post(at::attach).delete(at::detach),
        )
        .route("/v1/volumes/{volume_id}/qos", put(at::set_qos))
        .route(
            "/v1/volumes/{volume_id}/snapshots",
            get(sn::list).post(sn::create),
        )
        .route(
            "/v1/volumes/{volume_id}/snapshots/{snapshot_id}",
            delete(sn::delete),
        )
        .route(
            "/v1/volumes/{volume_id}/snapshots/{snapshot_id}/restore",
            put(sn::restore),
        )
        .route(
            "/v1/volumes/{volume_id}/snapshot-rates",
            post(sn::create_rate)
                .put(sn::set_rate)
                .delete(sn::delete_rate),
        )
        .route(
            "/v1/volumes/{volume_id}/snapshot-schedules",
            post(sc::create_volume)
                .put(sc::set_volume)
                .delete(sc::delete_volume),
        )
        .route(
            "/v1/volumes/{volume_id}/replications",
            post(rp::create).get(rp::show).delete(rp::delete),
        )
        .route(
            "/v1/volumes/{volume_id}/replications/cycle",
            put(rp::set_cycle),
        )
        .route(
            "/v1/volumes/{volume_id}/replications/policy",
            put(rp::set_policy),
        )
        .route(
            "/v1/volumes/{volume_id}/recoveries",
            post(rc::create_volume),
        )
        .route("/v1/volume-groups", get(groups::list).post(groups::create))
        .route("/v1/volume-groups/{group_id}", get(groups::show))
        .route(
            "/v1/volume-groups/{group_id}/members/add",
            put(groups::add_members),
        )
        .route(
            "/v1/volume-groups/{group_id}/members/remove",
            put(groups::remove_members),
        )
        .route(
            "/v1/volume-groups/{group_id}/snapshots",
            get(gs::list).post(gs::create),
        )
        .route(
            "/v1/volume-groups/{group_id}/snapshots/{snapshot_id}",
            delete(gs::delete),
        )
        .route(
            "/v1/volume-groups/{group_id}/snapshots/{snapshot_id}/restore",
            put(gs::restore),
        )
        .route(
            "/v1/volume-groups/{group_id}/snapshot-schedules",
            post(sc::create_group)
                .put(sc::set_group)
                .delete(sc::delete_group),
        )
        .route(
            "/v1/volume-groups/{group_id}/replications",
            post(grr::create).get(grr::show).delete(grr::delete),
        )
        .route(
            "/v1/volume-groups/{group_id}/replications/cycle",
            put(grr::set_cycle),
        )
        .route(
            "/v1/volume-groups/{group_id}/replications/policy",
            put(grr::set_policy),
        )
        .route(
            "/v1/volume-groups/{group_id}/recoveries",
            post(rc::create_group),
        )
        .fallback(|| async { block_error(StatusCode::NOT_FOUND, "no such operation") })
        .with_state(Ctx { world, region })
}
