//! NHN Cloud simulator: the Keystone-style identity service and the NAS API (`nasv1`).
//!
//! [`NhnSim::start`] binds one listener for identity and one per region (`KR1`, `KR2`, …), all
//! on 127.0.0.1 port 0, sharing one world so that mirrors can create their destination volume
//! in another region. The token response's `serviceCatalog` points `nasv1` at those listeners,
//! exactly as the real catalog points at the regional hosts.
//!
//! Fidelity notes (see `shared/vendor/nhn-nas.md`): every NAS response carries the `header`
//! envelope; `X-Auth-Token` is checked on every call; volumes, interfaces, mirrors and restores
//! move through their transitional statuses for [`NhnSimConfig::delay`]; the documented
//! validation answers 400 with `isSuccessful: false`.

mod identity;
mod nas;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults::Faults;

pub use nas::SeedVolume;

/// Credentials and behaviour of the simulated NHN account.
#[derive(Debug, Clone)]
pub struct NhnSimConfig {
    /// Tenant id the identity service expects in token requests.
    pub tenant_id: String,
    /// Project id the simulated volumes and mirrors report as `projectId`.
    pub project_id: String,
    /// API user name the identity service accepts.
    pub username: String,
    /// API password the identity service accepts.
    pub password: String,
    /// Regions served, each on its own listener.
    pub regions: Vec<String>,
    /// Lifetime of issued tokens.
    pub token_ttl: Duration,
    /// How long volumes, interfaces, mirrors and restores stay in their transitional status.
    pub delay: Duration,
}

impl Default for NhnSimConfig {
    fn default() -> Self {
        NhnSimConfig {
            tenant_id: "3b6179e5fa6b499386b827357c4cb8c4".into(),
            project_id: "K3y0CgOy".into(),
            username: "user@example.com".into(),
            password: "sim-api-password".into(),
            regions: vec!["KR1".into(), "KR2".into(), "KR3".into()],
            token_ttl: Duration::from_secs(12 * 3600),
            delay: Duration::from_millis(200),
        }
    }
}

/// The shared state of the simulated account.
pub(crate) struct World {
    pub cfg: NhnSimConfig,
    pub identity: identity::Tokens,
    pub nas: nas::Nas,
}

pub(crate) type Shared = Arc<Mutex<World>>;

pub(crate) fn lock(w: &Shared) -> MutexGuard<'_, World> {
    // A poisoned lock means a handler panicked mid-update; keep serving what is there.
    w.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running NHN simulator. Dropping it stops the listeners.
pub struct NhnSim {
    world: Shared,
    identity_url: String,
    nas_urls: BTreeMap<String, String>,
    nas_faults: Faults,
    identity_faults: Faults,
    tasks: Vec<JoinHandle<()>>,
}

/// The NAS envelope for a failure.
pub(crate) fn envelope_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({"header": {
            "isSuccessful": false,
            "resultCode": status.as_u16(),
            "resultMessage": message,
        }})),
    )
        .into_response()
}

fn fault_body(status: StatusCode) -> Response {
    envelope_error(
        status,
        status.canonical_reason().unwrap_or("Injected failure"),
    )
}

fn keystone_fault(status: StatusCode) -> Response {
    identity::keystone_error(status, "Injected failure")
}

async fn serve(router: Router) -> std::io::Result<(String, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((url, task))
}

impl NhnSim {
    /// Starts identity and one NAS listener per configured region.
    pub async fn start(cfg: NhnSimConfig) -> std::io::Result<NhnSim> {
        let world: Shared = Arc::new(Mutex::new(World {
            identity: identity::Tokens::default(),
            nas: nas::Nas::default(),
            cfg: cfg.clone(),
        }));
        let nas_faults = Faults::default();
        let identity_faults = Faults::default();
        let mut tasks = Vec::new();
        let mut nas_urls = BTreeMap::new();
        for region in &cfg.regions {
            let f = nas_faults.clone();
            let router = nas::router(world.clone(), region.clone()).layer(
                axum::middleware::from_fn(move |req, next| f.clone().inject(fault_body, req, next)),
            );
            let (url, task) = serve(router).await?;
            nas_urls.insert(region.clone(), url);
            tasks.push(task);
        }
        lock(&world).identity.catalog = nas_urls.clone();
        let f = identity_faults.clone();
        let router =
            identity::router(world.clone()).layer(axum::middleware::from_fn(move |req, next| {
                f.clone().inject(keystone_fault, req, next)
            }));
        let (identity_url, task) = serve(router).await?;
        tasks.push(task);
        Ok(NhnSim {
            world,
            identity_url,
            nas_urls,
            nas_faults,
            identity_faults,
            tasks,
        })
    }

    /// The identity base URL (`POST {it}/v2.0/tokens`).
    pub fn identity_url(&self) -> &str {
        &self.identity_url
    }

    /// The NAS base URL of a region, as the catalog lists it.
    pub fn nas_url(&self, region: &str) -> Option<&str> {
        self.nas_urls.get(region).map(String::as_str)
    }

    /// The account configuration (credentials to give the adapter).
    pub fn config(&self) -> NhnSimConfig {
        lock(&self.world).cfg.clone()
    }

    /// Fault knobs and request log of every NAS region.
    pub fn nas_faults(&self) -> &Faults {
        &self.nas_faults
    }

    /// Fault knobs and request log of identity.
    pub fn identity_faults(&self) -> &Faults {
        &self.identity_faults
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> u64 {
        lock(&self.world).identity.issued
    }

    /// Invalidates every issued token, as changing the API password does.
    pub fn revoke_tokens(&self) {
        lock(&self.world).identity.revoke_all();
    }

    /// Changes the lifetime of tokens issued from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.world).cfg.token_ttl = ttl;
    }

    /// Creates a settled volume directly (demo and test fixtures); returns its id.
    pub fn seed_volume(&self, region: &str, seed: SeedVolume) -> String {
        let mut w = lock(&self.world);
        let (tenant, project) = (w.cfg.tenant_id.clone(), w.cfg.project_id.clone());
        w.nas.seed(region, &tenant, &project, seed)
    }

    /// Takes one scheduled snapshot of a volume now, applying `maxScheduledCount` retention,
    /// as the vendor's scheduler does at the policy's time.
    pub fn run_snapshot_schedule(&self, volume_id: &str) -> bool {
        lock(&self.world).nas.run_schedule(volume_id)
    }
}

impl Drop for NhnSim {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
