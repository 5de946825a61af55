//! The NAS API (`/v1/volumes…`, 20 operations) over a stateful world.
//!
//! Transitional statuses are modelled with a deadline: every request first settles whatever
//! is due ([`Nas::tick`]), so a volume is `BUILDING` until `delay` has passed, then `ACTIVE`.
//!
//! This file holds the world ([`Nas`] and its volumes), the vendor's envelope helpers, the
//! token check and the router. Each resource's operations have their own file: [`volumes`],
//! [`interfaces`], [`snapshots`] (with restores), [`schedules`] (the snapshot policy and its
//! scheduler) and [`mirrors`]; [`validation`] checks a volume spec, [`paging`] pages lists.

mod interfaces;
mod mirrors;
mod paging;
mod schedules;
mod snapshots;
mod validation;
mod volumes;

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::{envelope_error, lock, Shared, World};
use interfaces::Interface;
use mirrors::Mirror;
use schedules::Policy;
use snapshots::{RestoreHistory, Snap};

pub use volumes::SeedVolume;

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

/// The NAS world: volumes of every region, and the mirrors between them.
#[derive(Default)]
pub(crate) struct Nas {
    volumes: BTreeMap<String, Volume>,
    mirrors: BTreeMap<String, Mirror>,
    seq: u64,
}

impl Nas {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
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
}

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
        .route(
            "/v1/volumes",
            get(volumes::list_volumes).post(volumes::create_volume),
        )
        .route(
            "/v1/volumes/{id}",
            get(volumes::get_volume)
                .patch(volumes::update_volume)
                .delete(volumes::delete_volume),
        )
        .route(
            "/v1/volumes/{id}/interfaces",
            post(interfaces::create_interface),
        )
        .route(
            "/v1/volumes/{id}/interfaces/{iid}",
            axum::routing::delete(interfaces::delete_interface),
        )
        .route(
            "/v1/volumes/{id}/restore-histories",
            get(snapshots::restore_histories),
        )
        .route("/v1/volumes/{id}/usage", get(volumes::usage))
        .route(
            "/v1/volumes/{id}/snapshots",
            get(snapshots::list_snapshots).post(snapshots::create_snapshot),
        )
        .route(
            "/v1/volumes/{id}/snapshots/{sid}",
            get(snapshots::get_snapshot).delete(snapshots::delete_snapshot),
        )
        .route(
            "/v1/volumes/{id}/snapshots/{sid}/restore",
            post(snapshots::restore_snapshot),
        )
        .route(
            "/v1/volumes/{id}/volume-mirrors",
            post(mirrors::create_mirror),
        )
        .route(vm, axum::routing::delete(mirrors::delete_mirror))
        .route(
            &format!("{vm}/invert-direction"),
            post(mirrors::invert_mirror),
        )
        .route(&format!("{vm}/start"), post(mirrors::start_mirror))
        .route(&format!("{vm}/stop"), post(mirrors::stop_mirror))
        .route(&format!("{vm}/stat"), get(mirrors::mirror_stat))
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
