//! SCP File Storage (`filestorage`, 21 operations) over the shared world.
//!
//! States: volumes `creating` → `available` → (`restoring` → `available`) → `deleting` → gone;
//! access rules `adding` → `active`, `removing` → gone; snapshots `creating` → `available`;
//! replications `creating` → `active`, `paused` while their policy is `paused`, and
//! `deleting` → gone (the replica volume in the other region stays, as on SCP). Every
//! request first settles whatever is due.
//!
//! This file holds the service's world ([`Files`], its volumes) and router; each resource's
//! operations have their own file: [`volumes`], [`rules`] (access rules), [`snapshots`],
//! [`schedules`] (snapshot schedules and the scheduler) and [`replications`].

mod replications;
mod rules;
mod schedules;
mod snapshots;
mod volumes;

use std::collections::BTreeMap;
use std::time::Instant;

use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::Router;

use crate::scp::api::{fail, invalid, not_found, Fail};
use crate::scp::base::{derefs_to_base, settle_volumes, Base, Pending, Settle};
use crate::scp::{lock, Ctx, Shared, World};
use replications::Replication;
use schedules::Sched;

const GIB: u64 = 1 << 30;

struct FileVolume {
    base: Base,
    protocol: String,
    type_name: String,
    purpose: &'static str,
    file_unit_recovery: bool,
    usage_gib: u64,
    scheds: Vec<Sched>,
    retention: Option<u32>,
}

derefs_to_base!(FileVolume);

/// File Storage volumes of every region and the replications between them.
#[derive(Default)]
pub(crate) struct Files {
    volumes: BTreeMap<String, FileVolume>,
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
}

fn new_volume(
    id: &str,
    region: &str,
    name: &str,
    protocol: &str,
    type_name: &str,
    purpose: &'static str,
) -> FileVolume {
    FileVolume {
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

/// Locks the world and settles what is due.
fn world(ctx: &Ctx) -> std::sync::MutexGuard<'_, World> {
    let mut w = lock(&ctx.world);
    w.file.tick();
    w
}

/// A volume of this region.
fn volume<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut FileVolume, Fail> {
    w.file
        .volumes
        .get_mut(id)
        .filter(|v| v.region == region)
        .ok_or_else(|| not_found("volume", id))
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

pub(crate) fn router(world: Shared, region: String) -> Router {
    Router::new()
        .route(
            "/v1/volumes",
            get(volumes::list_volumes).post(volumes::create_volume),
        )
        .route(
            "/v1/volumes/{id}",
            get(volumes::show_volume)
                .put(volumes::set_volume)
                .delete(volumes::delete_volume),
        )
        .route(
            "/v1/volumes/{id}/access-rules",
            get(rules::list_rules).put(rules::set_rule),
        )
        .route(
            "/v1/snapshots",
            get(snapshots::list_snapshots).post(snapshots::create_snapshot),
        )
        .route(
            "/v1/snapshots/{id}",
            axum::routing::delete(snapshots::delete_snapshot),
        )
        .route(
            "/v1/snapshots/{id}/restore",
            put(snapshots::restore_snapshot),
        )
        .route(
            "/v1/snapshot-schedules",
            get(schedules::list_schedules).post(schedules::create_schedule),
        )
        .route(
            "/v1/snapshot-schedules/{id}",
            put(schedules::set_schedule).delete(schedules::delete_schedule),
        )
        .route(
            "/v1/replications",
            get(replications::list_replications).post(replications::create_replication),
        )
        .route(
            "/v1/replications/regions",
            get(replications::replication_regions),
        )
        .route(
            "/v1/replications/{id}",
            get(replications::show_replication)
                .put(replications::set_replication)
                .delete(replications::delete_replication),
        )
        .fallback(|| async { fail(StatusCode::NOT_FOUND, "no such operation") })
        .with_state(Ctx { world, region })
}
