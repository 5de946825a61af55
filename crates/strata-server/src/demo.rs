//! `strata demo`: the gateway with built-in providers and no cloud account.

use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;
use strata_core::model::Protocol;
use strata_sim::memory::MemoryProvider;

use crate::config::{Config, SecretSource};
use crate::state::Registry;

/// The demo configuration: a random HS256 secret (tokens are valid for this run only) and
/// the given listen address.
pub fn demo_config(listen: &str) -> Config {
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let mut cfg = Config {
        listen: listen.into(),
        ..Config::default()
    };
    cfg.auth.hs256_secret = Some(SecretSource::Literal(hex::encode(secret)));
    cfg.operations.initial_poll_ms = 100;
    cfg.operations.max_poll_ms = 1000;
    cfg
}

/// The demo providers, seeded with sample volumes. Simulated vendor providers join as their
/// adapters land.
pub fn demo_registry() -> Registry {
    let kr1 = MemoryProvider::new("demo-kr1", "KR1", Duration::from_secs(2))
        .with_replication_regions(vec!["KR2".into()]);
    kr1.seed_volume("shared-assets", 500, Protocol::Nfs);
    kr1.seed_volume("build-cache", 1000, Protocol::Nfs);
    let kr2 = MemoryProvider::new("demo-kr2", "KR2", Duration::from_secs(2))
        .with_replication_regions(vec!["KR1".into()]);
    kr2.seed_volume("windows-profiles", 300, Protocol::Cifs);
    let mut r = Registry::new();
    r.insert(Arc::new(kr1));
    r.insert(Arc::new(kr2));
    r
}
