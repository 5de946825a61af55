//! What the adapter's tests against the simulator share: a simulator whose changes settle
//! in 30 ms, the configuration of a provider of one service pinned to a version, a call
//! context, ids, pages and polling.

use std::time::{Duration, Instant};

use strata_core::context::CallCtx;
use strata_core::error::Result;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::paging::PageRequest;
use strata_core::secret::Secret;
use strata_sim::scp::{ScpSim, ScpSimConfig, Service};

use crate::{ScpConfig, ScpService};

pub(crate) const REGION: &str = "kr-west1";

pub(crate) async fn sim() -> ScpSim {
    ScpSim::start(ScpSimConfig {
        delay: Duration::from_millis(30),
        ..Default::default()
    })
    .await
    .expect("simulator starts")
}

/// The configuration of `scp-kr-west1` with the simulator's credentials and account, no
/// endpoints yet.
pub(crate) fn sim_config(sim: &ScpSim) -> ScpConfig {
    let c = sim.config();
    let mut cfg = ScpConfig::new(
        "scp-kr-west1",
        REGION,
        &c.environment,
        &c.access_key,
        Secret::new(c.secret_key.clone()),
    );
    cfg.account_id = Some(c.account_id.clone());
    cfg
}

/// The configuration of `scp-kr-west1` offering `service` only (served by the simulator's
/// `endpoint`), pinned to `version`.
pub(crate) fn one_service(
    sim: &ScpSim,
    service: ScpService,
    endpoint: Service,
    version: &str,
) -> ScpConfig {
    let mut cfg = sim_config(sim);
    cfg.services = vec![service];
    let url = sim.url(endpoint, REGION).expect("service url");
    cfg.endpoints.insert(service, url.to_string());
    cfg.versions.insert(service, version.into());
    cfg
}

pub(crate) fn ctx() -> CallCtx {
    CallCtx::for_request("test")
}

pub(crate) fn gid(s: &str, rtype: ResourceType) -> GlobalId {
    GlobalId::parse_as(s, rtype).expect("a global id")
}

pub(crate) fn page(n: u32) -> PageRequest {
    PageRequest {
        page_size: n,
        page_token: None,
    }
}

/// Polls `probe` until `done` holds (5 s at most).
pub(crate) async fn until<T, F, Fut>(what: &str, probe: F, done: impl Fn(&T) -> bool) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(v) = probe().await {
            if done(&v) {
                return v;
            }
        }
        assert!(Instant::now() < deadline, "{what} did not settle");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
