//! SCP Parallel File Storage (`parallel-filestorage`, 10 operations) over the shared world.
//!
//! States: volumes `creating` → `available` → (`editing` during a resize → `available`) →
//! `deleting` → gone; snapshots `creating` → `available`; GPU-node rules `adding` → `active`
//! (their access IPs with them) and `removing` → gone.
//!
//! This file holds the service's world ([`Parallel`], its volumes) and router; each resource's
//! operations have their own file: [`volumes`], [`rules`] (GPU-node access rules) and
//! [`snapshots`].

mod rules;
mod snapshots;
mod volumes;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use crate::scp::api::{fail, not_found, Fail};
use crate::scp::base::{derefs_to_base, settle_volumes, Base};
use crate::scp::{lock, Ctx, Shared, World};

struct ParallelVolume {
    base: Base,
    capacity_tb: u64,
}

derefs_to_base!(ParallelVolume);

/// Parallel File Storage volumes of every region.
#[derive(Default)]
pub(crate) struct Parallel {
    volumes: BTreeMap<String, ParallelVolume>,
    ips: u32,
}

impl Parallel {
    fn tick(&mut self) {
        settle_volumes(&mut self.volumes);
    }

    pub(crate) fn seed(&mut self, id: &str, region: &str, name: &str, capacity_tb: u64) {
        self.volumes.insert(
            id.into(),
            ParallelVolume {
                base: Base {
                    state: "available",
                    ..Base::new(id, region, name)
                },
                capacity_tb,
            },
        );
    }
}

/// Locks the world and settles what is due.
fn world(ctx: &Ctx) -> std::sync::MutexGuard<'_, World> {
    let mut w = lock(&ctx.world);
    w.pfs.tick();
    w
}

fn volume<'a>(w: &'a mut World, region: &str, id: &str) -> Result<&'a mut ParallelVolume, Fail> {
    w.pfs
        .volumes
        .get_mut(id)
        .filter(|v| v.region == region)
        .ok_or_else(|| not_found("volume", id))
}

pub(crate) fn router(world: Shared, region: String) -> Router {
    Router::new()
        .route(
            "/v1/volumes",
            get(volumes::list_volumes).post(volumes::create_volume),
        )
        .route(
            "/v1/volumes/{id}",
            get(volumes::show_volume).delete(volumes::delete_volume),
        )
        .route(
            "/v1/volumes/{id}/capacity",
            axum::routing::put(volumes::set_capacity),
        )
        .route(
            "/v1/access-rules",
            get(rules::list_rules).put(rules::set_rules),
        )
        .route(
            "/v1/snapshots",
            get(snapshots::list_snapshots).post(snapshots::create_snapshot),
        )
        .route(
            "/v1/snapshots/{id}",
            axum::routing::delete(snapshots::delete_snapshot),
        )
        .fallback(|| async { fail(StatusCode::NOT_FOUND, "no such operation") })
        .with_state(Ctx { world, region })
}
