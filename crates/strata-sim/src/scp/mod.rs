//! Samsung Cloud Platform simulator: File Storage (`filestorage`), Parallel File Storage
//! (`parallel-filestorage`), Block Storage for bare metal (`baremetal-blockstorage`),
//! Backup (`backup`) and Archive Storage (`archivestorage`), behind a signature-verifying front like SCP's API gateway.
//!
//! [`ScpSim::start`] binds one listener per (service, region), all on 127.0.0.1 port 0 and
//! sharing one world, so a File Storage or Block Storage replication creates its replica volume
//! in the other region, and a Backup DR replication its replica backup in the paired region.
//! Every request must be signed exactly as SCP requires ([`front`]); mutations answer 202 (or
//! 200 where the vendor does) and the resources move through their states for
//! [`ScpSimConfig::delay`].
//!
//! Fidelity notes for the file services (see `shared/vendor/scp-file-storage.md`,
//! `scp-parallel-file-storage.md`): validation failures answer 400 with the FastAPI-style
//! `ValidationErrorModel[]` body of the official spec; unknown ids 404; state conflicts 409
//! with `{code, message}`; timestamps are naive ISO-8601 with microseconds; ids are opaque
//! strings. Block Storage (`scp-block-storage.md`) has its own conventions, listed in `block`:
//! every failure there (also the front's and injected ones) is `{"errors":[{code, detail}]}`.
//! Backup (`scp-backup.md`) is documented in `backup`: request-validation failures are the
//! spec's `ValidationErrorModel[]`, every other failure `{"errors":[{code, detail}]}`.
//! Archive Storage (`scp-archive-storage.md`) is documented in `archive` and answers in
//! Backup's two shapes.
//!
//! This file holds the account ([`ScpSimConfig`], the shared `World`) and [`ScpSim`];
//! [`front`] verifies signatures, `api` has the answers and request checks both services
//! share, `base` the volume base (state, rules, snapshots, pending changes), and each service
//! has its folder with one file per resource: `file`, `parallel_file`, `block`, `backup` and
//! `archive`.
//! Backup also keeps the account's server inventory (the servers it can protect, restore
//! onto and register agents on), seeded with [`ScpSim::seed_backup_target`].

mod api;
mod archive;
mod backup;
mod base;
mod block;
mod file;
mod front;
mod parallel_file;
#[cfg(test)]
mod testing;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults::Faults;
use api::fail;

pub use front::{signature, SIGNATURE_WINDOW};

/// The simulated SCP account and its behaviour.
#[derive(Debug, Clone)]
pub struct ScpSimConfig {
    /// Access key requests must be signed with (`Scp-AccessKey`).
    pub access_key: String,
    /// Secret key the request signatures are checked against.
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
    /// File Storage (`filestorage`).
    FileStorage,
    /// Parallel File Storage (`parallel-filestorage`).
    ParallelFileStorage,
    /// Block Storage for bare-metal servers (`baremetal-blockstorage`).
    BlockStorage,
    /// Backup (`backup`): backup policies, recovery points, restores and agents.
    Backup,
    /// Archive Storage (`archivestorage`): archive buckets filled from Object Storage
    /// buckets by archiving policies, and recoveries back into them.
    ArchiveStorage,
}

impl Service {
    /// The service id, as in host names and `Scp-Api-Version`.
    pub fn id(self) -> &'static str {
        match self {
            Service::FileStorage => "filestorage",
            Service::ParallelFileStorage => "parallel-filestorage",
            Service::BlockStorage => "baremetal-blockstorage",
            Service::Backup => "backup",
            Service::ArchiveStorage => "archivestorage",
        }
    }

    /// Every spelling of the service word accepted in `Scp-Api-Version` (Block Storage also
    /// takes the Go SDK's `baremetalblockstorage`).
    fn version_names(self) -> &'static [&'static str] {
        match self {
            Service::FileStorage => &["filestorage"],
            Service::ParallelFileStorage => &["parallel-filestorage"],
            Service::BlockStorage => &["baremetal-blockstorage", "baremetalblockstorage"],
            Service::Backup => &["backup"],
            Service::ArchiveStorage => &["archivestorage"],
        }
    }

    /// Whether `word` names this service in `Scp-Api-Version` (Backup and Archive Storage
    /// match in any case, as their references ask of simulators).
    fn named(self, word: &str) -> bool {
        match self {
            Service::Backup | Service::ArchiveStorage => self
                .version_names()
                .iter()
                .any(|n| n.eq_ignore_ascii_case(word)),
            _ => self.version_names().contains(&word),
        }
    }

    /// The version assumed when `Scp-Api-Version` is missing (Backup and Archive Storage:
    /// the current 1.1, as the Backup reference suggests; the others refuse the call).
    fn default_version(self) -> Option<&'static str> {
        match self {
            Service::Backup | Service::ArchiveStorage => Some("1.1"),
            _ => None,
        }
    }

    /// Whether failures (the front's and injected ones) use `{"errors":[{code, detail}]}`.
    fn errors_shape(self) -> bool {
        matches!(
            self,
            Service::BlockStorage | Service::Backup | Service::ArchiveStorage
        )
    }

    /// API versions the service answers.
    fn versions(self) -> &'static [&'static str] {
        match self {
            Service::FileStorage => &["1.0", "1.1"],
            Service::ParallelFileStorage => &["1.0"],
            Service::BlockStorage => &["1.0", "1.1", "1.2"],
            Service::Backup => &["1.0", "1.1"],
            Service::ArchiveStorage => &["1.0", "1.1"],
        }
    }
}

/// The shared state of the simulated account.
pub(crate) struct World {
    pub cfg: ScpSimConfig,
    pub file: file::Files,
    pub pfs: parallel_file::Parallel,
    pub block: block::Blocks,
    pub backup: backup::Backups,
    pub archive: archive::Archives,
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

fn fault_body(status: StatusCode) -> Response {
    fail(
        status,
        status.canonical_reason().unwrap_or("Injected failure"),
    )
    .into_response()
}

fn block_fault_body(status: StatusCode) -> Response {
    api::block_error(
        status,
        status.canonical_reason().unwrap_or("Injected failure"),
    )
    .into_response()
}

/// The handler state of one service in one region.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub world: Shared,
    pub region: String,
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
    /// Starts File Storage, Parallel File Storage, Block Storage, Backup and Archive Storage
    /// in every configured region.
    pub async fn start(cfg: ScpSimConfig) -> std::io::Result<ScpSim> {
        let world: Shared = Arc::new(Mutex::new(World {
            cfg: cfg.clone(),
            file: file::Files::default(),
            pfs: parallel_file::Parallel::default(),
            block: block::Blocks::default(),
            backup: backup::Backups::default(),
            archive: archive::Archives::default(),
        }));
        let mut urls = BTreeMap::new();
        let mut faults: BTreeMap<Service, Faults> = BTreeMap::new();
        let mut tasks = Vec::new();
        for service in [
            Service::FileStorage,
            Service::ParallelFileStorage,
            Service::BlockStorage,
            Service::Backup,
            Service::ArchiveStorage,
        ] {
            let f: Faults = faults.entry(service).or_default().clone();
            for region in &cfg.regions {
                let api = match service {
                    Service::FileStorage => file::router(world.clone(), region.clone()),
                    Service::ParallelFileStorage => {
                        parallel_file::router(world.clone(), region.clone())
                    }
                    Service::BlockStorage => block::router(world.clone(), region.clone()),
                    Service::Backup => backup::router(world.clone(), region.clone()),
                    Service::ArchiveStorage => archive::router(world.clone(), region.clone()),
                };
                let render = if service.errors_shape() {
                    block_fault_body
                } else {
                    fault_body
                };
                let (f, w) = (f.clone(), world.clone());
                let router = api
                    .layer(axum::middleware::from_fn(move |req, next| {
                        front::verify(w.clone(), service, req, next)
                    }))
                    .layer(axum::middleware::from_fn(move |req, next| {
                        f.clone().inject(render, req, next)
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

    /// Creates a settled Block Storage volume directly (demo and fixtures): `IN_USE` with the
    /// given `(object_id, object_type)` attachments (`BM` or `MNGC`), `AVAILABLE` without any.
    /// Returns its id (32 lowercase hex).
    pub fn seed_block_volume(
        &self,
        region: &str,
        name: &str,
        disk_type: &str,
        size_gb: u64,
        attachments: &[(&str, &str)],
    ) -> String {
        lock(&self.world)
            .block
            .seed_volume(None, region, name, disk_type, size_gb, attachments)
    }

    /// Like [`ScpSim::seed_block_volume`], with the vendor id chosen by the caller (32
    /// lowercase hex, as the vendor's), so a demo can name the volume in documentation.
    pub fn seed_block_volume_as(
        &self,
        id: &str,
        region: &str,
        name: &str,
        disk_type: &str,
        size_gb: u64,
    ) -> String {
        lock(&self.world)
            .block
            .seed_volume(Some(id), region, name, disk_type, size_gb, &[])
    }

    /// Creates a settled (`AVAILABLE`) Block Storage volume group of existing volumes of the
    /// region; returns its id.
    pub fn seed_volume_group(&self, region: &str, name: &str, volume_ids: &[&str]) -> String {
        lock(&self.world).block.seed_group(region, name, volume_ids)
    }

    /// Takes a Block Storage volume's scheduled snapshot now, as the vendor's scheduler does
    /// at the scheduled hour. Returns whether a snapshot was taken (the volume has a schedule
    /// and its snapshots are activated by a snapshot rate).
    pub fn run_block_snapshot_schedule(&self, volume_id: &str) -> bool {
        lock(&self.world).block.run_schedule(volume_id)
    }
}

impl Drop for ScpSim {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
