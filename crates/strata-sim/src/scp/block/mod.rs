//! SCP Block Storage for bare-metal servers (`baremetal-blockstorage`, 41 operations in API
//! versions 1.0, 1.1 and 1.2) over the shared world. Reference:
//! `shared/vendor/scp-block-storage.md` (§ numbers below are its sections).
//!
//! Fidelity notes:
//! - Paths, methods and 200/202 as §2.4: the eight async operations answer 202
//!   `{request_id: "req-<uuid>", resource_id}`; envelopes (`{"result": …}` or flat) as §2.5.
//! - Versions from the front's `ApiVersion` request extension: Set Volume QoS
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
//!   `RESYNC` → `RESYNCING` → `SNAPMIRROED`. Transitions take
//!   [`ScpSimConfig::delay`](crate::scp::ScpSimConfig::delay); every request first settles
//!   what is due.
//!
//! Simulator choices where the reference is silent:
//! - Any mutation of a volume or group in a `*ING` state is 409 (`volume … is creating`;
//!   the reference's [inferred] 400 is not used), also snapshot create/delete/restore. So
//!   is deleting a volume that is attached, in a group or in a replication, a volume or
//!   group name that exists in the region, a second replication, and a member in a group.
//! - Ids given in bodies (`volume_ids`, `snapshot_id`) that do not exist answer 404 too.
//! - Group names: 1–28 characters. Names built from prefixes must pass the volume name
//!   rule (400): group replication members `<prefix><member name>`, group recovery members
//!   `<prefix><member name>` and the recovery group `<prefix><group name>`.
//! - `snapshot_rate` is the snapshot reserve in percent of the volume size, 1–100; PUT and
//!   DELETE without one are 404, POST with one 409. Deleting the rate is refused (409) while
//!   snapshots exist. Each snapshot reports 1% of the volume size as `snapshot_size_mb`;
//!   `snapshot_capacity_mb` is size × rate, `snapshot_total_usage` the snapshots' sum in MB.
//! - A group snapshot needs every member's snapshots activated (400 otherwise), and a
//!   group's `is_snapshot_policy` says they all are. Schedule PUT/DELETE without one: 404.
//! - SSD volumes created without `qos` get 3000 IOPS / 125 MB/s; HDD volumes have no QoS
//!   (`qos: null` in 1.2) and refuse it (400).
//! - Removing every member of a group is 400; members must be settled to join or leave;
//!   membership is frozen (409) while the group has a replication.
//! - Attach needs at least one server; attaching one twice is 409; more than 8 is 400.
//!   Detaching a server that is not attached is 400.
//! - Attached servers are synthesized from their ids (`bm-<8 hex>` or `mngc-<8 hex>`,
//!   `RUNNING`); `object_name` filters on those names. List filters match substrings.
//! - `sort` needs `field:asc|desc` for every part (fields `created_at`, `modified_at`,
//!   `name`, and `size_gb` for volumes); default `created_at:desc`.
//! - `BREAK` needs `SNAPMIRROED` and `RESYNC` needs `BROKEN_OFF` (409 otherwise); a
//!   relation being deleted refuses changes (409). Cycle and policy can be set from either
//!   side. Group replication marks its members (`has_replication`/`has_origin`) but Show
//!   Volume Replication on a member answers 404 (only the group relation exists).
//! - Deleting a volume replication keeps the replica as an ordinary, writable volume;
//!   deleting a group replication (synchronous) keeps the replica group the same way.
//! - A recovery re-points the origin's `recovery` to its newest recovery copy.
//! - Tags are kept but never shown; `created_by`/`modified_by` are `sim-user@samsung.com`.
//!
//! This file holds the service's world ([`Blocks`]), the state machine (`tick`) and the
//! router; `model` has the resources, `common` the shared answers and checks, and each
//! resource's operations have their file.

mod attachments;
mod common;
mod group_replications;
mod group_snapshots;
mod groups;
mod model;
mod recoveries;
mod replications;
mod schedules;
mod snapshots;
mod volumes;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Instant;

use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Router;
use chrono::Utc;

use crate::scp::api::{block_error, Fail};
use crate::scp::base::Pending;
use crate::scp::{lock, Ctx, Shared, World};
use common::not_found;
use model::{Attachment, Group, GroupSnap, Next, Rep, RepNext, Schedule, Vol};

/// Block Storage volumes and groups of every region and the relations between them.
#[derive(Default)]
pub(crate) struct Blocks {
    volumes: BTreeMap<String, Vol>,
    groups: BTreeMap<String, Group>,
    /// Volume replications by source volume id.
    vreps: BTreeMap<String, Rep>,
    /// Group replications by source group id.
    greps: BTreeMap<String, Rep>,
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
    fn vrep_of(&self, id: &str) -> Option<&Rep> {
        self.vreps.values().find(|r| r.src == id || r.dst == id)
    }

    /// The group replication `id` takes part in (either side).
    fn grep_of(&self, id: &str) -> Option<&Rep> {
        self.greps.values().find(|r| r.src == id || r.dst == id)
    }

    /// Whether volume `id` is a replication source (its own or its group's).
    fn has_replication(&self, id: &str) -> bool {
        self.vreps.contains_key(id)
            || self
                .greps
                .values()
                .any(|r| r.members.iter().any(|m| m.0 == id))
    }

    /// Whether volume `v` is a replica or a recovery copy.
    fn has_origin(&self, v: &Vol) -> bool {
        self.vreps.values().any(|r| r.dst == v.id)
            || self
                .greps
                .values()
                .any(|r| r.members.iter().any(|m| m.1 == v.id))
            || v.recovery.as_ref().is_some_and(|(_, rec)| rec == &v.id)
    }

    pub(crate) fn seed_volume(
        &mut self,
        id: Option<&str>,
        region: &str,
        name: &str,
        disk_type: &str,
        size_gb: u64,
        attachments: &[(&str, &str)],
    ) -> String {
        self.tick();
        let mut v = Vol::new(region, name, disk_type, size_gb, "ORG");
        if let Some(id) = id {
            v.id = id.to_string();
        }
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
fn world(ctx: &Ctx) -> std::sync::MutexGuard<'_, World> {
    let mut w = lock(&ctx.world);
    w.block.tick();
    w
}

/// A volume of this region (404 otherwise).
fn volume<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Vol, Fail> {
    w.block
        .volumes
        .get_mut(id)
        .filter(|v| v.region == region)
        .ok_or_else(|| not_found("volume", id))
}

/// A volume group of this region (404 otherwise).
fn group<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut Group, Fail> {
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
