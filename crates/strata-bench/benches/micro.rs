//! Criterion micro-benchmarks of the gateway's per-request hot paths:
//! `cargo bench -p strata-bench` (add `-- --warm-up-time 1 --measurement-time 2` for a quick run).
// `criterion_group!` generates a public function without documentation.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::Protocol;
use strata_core::provider::Provider;
use strata_core::secret::Secret;
use strata_scp::client::Signer;
use strata_server::auth::{mint_hs256, Authenticator};
use strata_server::config::{AuthConfig, SecretSource};
use strata_server::layers::{stack, LayersConfig};
use strata_sim::memory::MemoryProvider;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// The SCP signer: HMAC-SHA256 over one request, with its headers.
fn scp_signer(c: &mut Criterion) {
    let signer = Signer::new(
        "AKIA0123456789",
        Secret::new("0123456789abcdef0123456789abcdef"),
        Some("a1b2c3d4e5".into()),
    );
    let url = "https://filestorage.kr-west1.e.samsungsdscloud.com/v1/filestorages/volumes/3f1c9a7e2b4d4e0f8a6b5c4d3e2f1a0b?size=20&page=0";
    c.bench_function("scp signer: headers of one request", |b| {
        b.iter(|| {
            signer.headers(
                black_box("GET"),
                black_box(url),
                black_box(1_700_000_000_000),
            )
        })
    });
}

/// Global ids: the wire form of every id in every answer, and parsing one per request.
fn global_ids(c: &mut Criterion) {
    let id = GlobalId::new(
        ResourceType::Volume,
        "nhn-kr1",
        None,
        "6a8f4f0e-3a2b-4c5d-9e8f-7a6b5c4d3e2f",
    );
    let wire = id.encode();
    c.bench_function("global id: encode", |b| b.iter(|| black_box(&id).encode()));
    c.bench_function("global id: decode", |b| {
        b.iter(|| {
            black_box(wire.as_str())
                .parse::<GlobalId>()
                .expect("valid id")
        })
    });
}

/// JWT verification of an HS256 token: from the verified-token cache, and without it.
fn jwt_verify(c: &mut Criterion) {
    let rt = runtime();
    let secret = "bench-secret-0123456789abcdef0123456789";
    let cached_cfg = AuthConfig {
        hs256_secret: Some(SecretSource::Literal(secret.into())),
        ..AuthConfig::default()
    };
    let uncached_cfg = AuthConfig {
        cache_max_seconds: 0,
        ..cached_cfg.clone()
    };
    let token = mint_hs256(
        &Secret::new(secret),
        &cached_cfg,
        "bench",
        "storage.read storage.write",
        Duration::from_secs(3600),
        None,
    )
    .expect("token mints");
    for (name, cfg) in [
        ("jwt verify: cached", cached_cfg),
        ("jwt verify: uncached", uncached_cfg),
    ] {
        let auth = rt
            .block_on(Authenticator::new(&cfg))
            .expect("authenticator builds");
        let (auth, token) = (&auth, token.as_str());
        c.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| async move { auth.verify(black_box(token)).await.expect("valid token") })
        });
    }
}

/// `get_volume` answered from the response cache of the provider layer stack, next to the
/// same call on the bare in-memory provider.
fn layer_cache_hit(c: &mut Criterion) {
    let rt = runtime();
    let (bare, layered, id) = rt.block_on(async {
        let memory = MemoryProvider::new("mem-a", "KR1", Duration::ZERO);
        let volume = memory.seed_volume("bench", 100, Protocol::Nfs);
        let id: GlobalId = volume.id.parse().expect("valid id");
        let bare: Arc<dyn Provider> = Arc::new(memory);
        let cfg = LayersConfig {
            cache_ttl_ms: 600_000,
            ..LayersConfig::default()
        };
        let layered = stack(
            bare.clone(),
            &cfg,
            &strata_server::metrics::Metrics::new(),
            &strata_server::shared::invalidation::Invalidations::local(),
        );
        (bare, layered, id)
    });
    let ctx = CallCtx::default();
    for (name, p) in [
        ("provider get_volume: memory, bare", &bare),
        (
            "provider get_volume: memory, layer stack cache hit",
            &layered,
        ),
    ] {
        let (ctx, id) = (&ctx, &id);
        c.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| async move { p.get_volume(ctx, black_box(id)).await.expect("volume") })
        });
    }
}

criterion_group!(micro, scp_signer, global_ids, jwt_verify, layer_cache_hit);
criterion_main!(micro);
