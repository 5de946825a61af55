//! Samsung Cloud Platform simulator: File Storage (`filestorage`) and Parallel File Storage
//! (`parallel-filestorage`), behind a signature-verifying front like SCP's API gateway.
//!
//! [`ScpSim::start`] binds one listener per (service, region), all on 127.0.0.1 port 0 and
//! sharing one world, so a File Storage replication creates its replica volume in the other
//! region. Every request must be signed exactly as SCP requires ([`front`]); mutations answer
//! 202 and the resources move through their states for [`ScpSimConfig::delay`].
//!
//! Fidelity notes (see `shared/vendor/scp-file-storage.md`, `scp-parallel-file-storage.md`):
//! validation failures answer 400 with the FastAPI-style `ValidationErrorModel[]` body of the
//! official spec; unknown ids 404; state conflicts 409 with `{code, message}`; timestamps are
//! naive ISO-8601 with microseconds; ids are opaque strings.

mod file;
mod front;
mod pfs;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults::Faults;

pub use front::{signature, SIGNATURE_WINDOW};

/// The simulated SCP account and its behaviour.
#[derive(Debug, Clone)]
pub struct ScpSimConfig {
    pub access_key: String,
    pub secret_key: String,
    /// `Scp-AccountId`; requests may sign with it or with an empty account id.
    pub account_id: String,
    /// The environment code of the hosts (`s`, `g`, `e`).
    pub environment: String,
    /// Regions served, each with its own listener per service.
    pub regions: Vec<String>,
    /// How long resources stay in their transitional states.
    pub delay: Duration,
}

impl Default for ScpSimConfig {
    fn default() -> Self {
        ScpSimConfig {
            access_key: "sim-access-key".into(),
            secret_key: "sim-secret-key".into(),
            account_id: "rwww523320dfvwbbefefsdvwdadsfa24c".into(),
            environment: "s".into(),
            regions: vec!["kr-west1".into(), "kr-east1".into()],
            delay: Duration::from_millis(200),
        }
    }
}

/// An SCP service the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    FileStorage,
    ParallelFileStorage,
}

impl Service {
    /// The service id, as in host names and `Scp-Api-Version`.
    pub fn id(self) -> &'static str {
        match self {
            Service::FileStorage => "filestorage",
            Service::ParallelFileStorage => "parallel-filestorage",
        }
    }

    /// API versions the service answers.
    fn versions(self) -> &'static [&'static str] {
        match self {
            Service::FileStorage => &["1.0", "1.1"],
            Service::ParallelFileStorage => &["1.0"],
        }
    }
}

/// The shared state of the simulated account.
pub(crate) struct World {
    pub cfg: ScpSimConfig,
    pub file: file::Files,
    pub pfs: pfs::Parallel,
}

/// A fresh opaque id (uuid-shaped, like the vendor's).
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl World {
    /// Regions of the same environment other than `region` (replication targets).
    pub fn peer_regions(&self, region: &str) -> Vec<String> {
        self.cfg
            .regions
            .iter()
            .filter(|r| r.as_str() != region)
            .cloned()
            .collect()
    }
}

pub(crate) type Shared = Arc<Mutex<World>>;

pub(crate) fn lock(w: &Shared) -> MutexGuard<'_, World> {
    // A poisoned lock means a handler panicked mid-update; keep serving what is there.
    w.lock().unwrap_or_else(|e| e.into_inner())
}

/// A failure: a status and its body.
pub(crate) struct Fail(StatusCode, Value);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

pub(crate) type Reply = Result<Response, Fail>;

/// A 400 in the official `ValidationErrorModel[]` shape.
pub(crate) fn invalid(loc: &[&str], msg: impl Into<String>) -> Fail {
    Fail(
        StatusCode::BAD_REQUEST,
        json!([{"loc": loc, "msg": msg.into(), "type_": "value_error", "ctx": null}]),
    )
}

/// Any other failure, as `{code, message}`.
pub(crate) fn fail(status: StatusCode, message: impl Into<String>) -> Fail {
    Fail(
        status,
        json!({"code": status.canonical_reason().unwrap_or("Error").replace(' ', ""), "message": message.into()}),
    )
}

pub(crate) fn not_found(what: &str, id: &str) -> Fail {
    fail(StatusCode::NOT_FOUND, format!("{what} `{id}` not found"))
}

pub(crate) fn conflict(message: impl Into<String>) -> Fail {
    fail(StatusCode::CONFLICT, message)
}

fn fault_body(status: StatusCode) -> Response {
    fail(
        status,
        status.canonical_reason().unwrap_or("Injected failure"),
    )
    .into_response()
}

pub(crate) fn ok(body: Value) -> Reply {
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}

pub(crate) fn accepted(body: Option<Value>) -> Reply {
    Ok(match body {
        Some(b) => (StatusCode::ACCEPTED, axum::Json(b)).into_response(),
        None => StatusCode::ACCEPTED.into_response(),
    })
}

/// Parses a JSON body; schema errors are 400 `ValidationErrorModel[]`.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Fail> {
    serde_json::from_slice(body).map_err(|e| invalid(&["body"], e.to_string()))
}

/// The vendor's timestamp form: naive ISO-8601 with microseconds.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The documented name rule `^[a-z]([a-z0-9_]){2,20}$`.
pub(crate) fn check_name(loc: &str, name: &str) -> Result<(), Fail> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && (3..=21).contains(&name.len())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            &["body", loc],
            format!("string does not match regex \"^[a-z]([a-z0-9_]){{2,20}}$\": `{name}`"),
        ))
    }
}

/// Checks a value against a closed set, the way the spec's `^(A|B)$` patterns do.
pub(crate) fn one_of(loc: &[&str], v: &str, allowed: &[&str]) -> Result<(), Fail> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(invalid(
            loc,
            format!("`{v}` is not one of {}", allowed.join("|")),
        ))
    }
}

/// A change that completes at `until`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending<T> {
    pub until: Instant,
    pub then: T,
}

impl<T: Copy> Pending<T> {
    pub fn after(delay: Duration, then: T) -> Option<Self> {
        Some(Pending {
            until: Instant::now() + delay,
            then,
        })
    }

    /// Takes the outcome when it is due.
    pub fn due(slot: &mut Option<Self>, now: Instant) -> Option<T> {
        match slot {
            Some(p) if p.until <= now => slot.take().map(|p| p.then),
            _ => None,
        }
    }
}

/// What a pending change turns into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Settle {
    Ready,
    Gone,
}

/// An access rule: an SCP object allowed on a volume (`adding` → `active`, `removing` →
/// gone). Parallel File Storage also resolves the object to an access IP.
pub(crate) struct Rule {
    pub object_type: String,
    pub object_id: String,
    pub state: &'static str,
    pub pending: Option<Pending<Settle>>,
    pub ip: Option<String>,
}

/// A snapshot (`creating` → `available`), named by the service.
pub(crate) struct Snap {
    pub id: String,
    pub name: String,
    pub size: u64,
    /// Taken by a schedule (only those count against a retention).
    pub scheduled: bool,
    pub state: &'static str,
    pub pending: Option<Pending<Settle>>,
    pub created_at: DateTime<Utc>,
}

impl Snap {
    pub fn json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "state": self.state, "size": self.size, "created_at": ts(self.created_at)})
    }
}

/// What every volume of both services has: identity, its state with the pending change,
/// its access rules and snapshots. Each service's volume derefs to it.
pub(crate) struct Base {
    pub id: String,
    pub region: String,
    pub name: String,
    pub state: &'static str,
    pub pending: Option<Pending<Settle>>,
    pub created_at: DateTime<Utc>,
    pub rules: Vec<Rule>,
    pub snaps: Vec<Snap>,
}

impl Base {
    /// A volume being created.
    pub fn new(id: &str, region: &str, name: &str) -> Self {
        Base {
            id: id.into(),
            region: region.into(),
            name: name.into(),
            state: "creating",
            pending: None,
            created_at: Utc::now(),
            rules: vec![],
            snaps: vec![],
        }
    }

    /// Settles what is due on the volume and its children; `true` when the volume is gone.
    pub fn settle(&mut self, now: Instant) -> bool {
        let gone = match Pending::due(&mut self.pending, now) {
            Some(Settle::Ready) => {
                self.state = "available";
                false
            }
            Some(Settle::Gone) => true,
            None => false,
        };
        for r in &mut self.rules {
            if let Some(Settle::Ready) = Pending::due(&mut r.pending, now) {
                r.state = "active";
            }
        }
        self.rules
            .retain(|r| !(r.state == "removing" && r.pending.is_none()));
        for s in &mut self.snaps {
            if Pending::due(&mut s.pending, now).is_some() {
                s.state = "available";
            }
        }
        gone
    }

    /// Mutations need an available volume (409 otherwise).
    pub fn available(&self) -> Result<(), Fail> {
        if self.state == "available" {
            Ok(())
        } else {
            Err(conflict(format!("volume `{}` is {}", self.id, self.state)))
        }
    }
}

/// Settles every volume of a service, dropping the ones whose deletion completed.
pub(crate) fn settle_volumes<V: std::ops::DerefMut<Target = Base>>(
    volumes: &mut BTreeMap<String, V>,
) {
    let now = Instant::now();
    volumes.retain(|_, v| !v.settle(now));
}

/// The handler state of one service in one region.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub world: Shared,
    pub region: String,
}

pub(crate) type Q = axum::extract::Query<BTreeMap<String, String>>;

/// The `volume_id` query parameter children are addressed with.
pub(crate) fn volume_id_param(q: &BTreeMap<String, String>) -> Result<String, Fail> {
    q.get("volume_id")
        .cloned()
        .ok_or_else(|| invalid(&["query", "volume_id"], "field required"))
}

/// `offset`/`limit`/`sort` over a name-and-time-keyed list; returns the page and the total.
pub(crate) fn page<T: Clone>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> (String, DateTime<Utc>),
    q: &BTreeMap<String, String>,
) -> Result<(Vec<T>, usize), Fail> {
    let num = |k: &str, default: usize| -> Result<usize, Fail> {
        q.get(k).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| invalid(&["query", k], format!("`{v}` is not a valid integer")))
        })
    };
    let (offset, limit) = (num("offset", 0)?, num("limit", 20)?);
    match q.get("sort").map(String::as_str).filter(|s| !s.is_empty()) {
        None | Some("created_at:asc") => items.sort_by_key(|i| key(i).1),
        Some("created_at:desc") => items.sort_by_key(|i| std::cmp::Reverse(key(i).1)),
        Some("name:asc") => items.sort_by_key(|i| key(i).0),
        Some("name:desc") => items.sort_by_key(|i| std::cmp::Reverse(key(i).0)),
        Some(other) => {
            return Err(invalid(
                &["query", "sort"],
                format!(
                "`{other}` does not match ^(name:asc|name:desc|created_at:asc|created_at:desc)$"
            ),
            ))
        }
    }
    let total = items.len();
    Ok((items.into_iter().skip(offset).take(limit).collect(), total))
}

/// A running SCP simulator. Dropping it stops the listeners.
pub struct ScpSim {
    world: Shared,
    urls: BTreeMap<(Service, String), String>,
    faults: BTreeMap<Service, Faults>,
    tasks: Vec<JoinHandle<()>>,
}

async fn serve(router: Router) -> std::io::Result<(String, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((url, task))
}

impl ScpSim {
    /// Starts File Storage and Parallel File Storage in every configured region.
    pub async fn start(cfg: ScpSimConfig) -> std::io::Result<ScpSim> {
        let world: Shared = Arc::new(Mutex::new(World {
            cfg: cfg.clone(),
            file: file::Files::default(),
            pfs: pfs::Parallel::default(),
        }));
        let mut urls = BTreeMap::new();
        let mut faults: BTreeMap<Service, Faults> = BTreeMap::new();
        let mut tasks = Vec::new();
        for service in [Service::FileStorage, Service::ParallelFileStorage] {
            let f: Faults = faults.entry(service).or_default().clone();
            for region in &cfg.regions {
                let api = match service {
                    Service::FileStorage => file::router(world.clone(), region.clone()),
                    Service::ParallelFileStorage => pfs::router(world.clone(), region.clone()),
                };
                let (f, w) = (f.clone(), world.clone());
                let router = api
                    .layer(axum::middleware::from_fn(move |req, next| {
                        front::verify(w.clone(), service, req, next)
                    }))
                    .layer(axum::middleware::from_fn(move |req, next| {
                        f.clone().inject(fault_body, req, next)
                    }));
                let (url, task) = serve(router).await?;
                urls.insert((service, region.clone()), url);
                tasks.push(task);
            }
        }
        Ok(ScpSim {
            world,
            urls,
            faults,
            tasks,
        })
    }

    /// The base URL of a service in a region (what `endpoints.<service>` points at).
    pub fn url(&self, service: Service, region: &str) -> Option<&str> {
        self.urls
            .get(&(service, region.to_string()))
            .map(String::as_str)
    }

    /// The account configuration (credentials to give the adapter).
    pub fn config(&self) -> ScpSimConfig {
        lock(&self.world).cfg.clone()
    }

    /// Fault knobs and request log of a service (every region).
    pub fn faults(&self, service: Service) -> &Faults {
        &self.faults[&service]
    }

    /// Creates a settled File Storage volume directly (demo and fixtures); returns its id.
    pub fn seed_file_volume(
        &self,
        region: &str,
        name: &str,
        protocol: &str,
        type_name: &str,
    ) -> String {
        let mut w = lock(&self.world);
        let id = new_id();
        w.file.seed(&id, region, name, protocol, type_name);
        id
    }

    /// Creates a settled Parallel File Storage volume directly; returns its id.
    pub fn seed_parallel_volume(&self, region: &str, name: &str, capacity_tb: u64) -> String {
        let mut w = lock(&self.world);
        let id = new_id();
        w.pfs.seed(&id, region, name, capacity_tb);
        id
    }

    /// Runs a File Storage volume's snapshot schedules now, applying its retention count, as
    /// the vendor's scheduler does at the scheduled hour. Returns whether a snapshot was taken.
    pub fn run_snapshot_schedule(&self, volume_id: &str) -> bool {
        lock(&self.world).file.run_schedule(volume_id)
    }
}

impl Drop for ScpSim {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
