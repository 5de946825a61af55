//! Criterion micro-benchmarks of the gateway's per-request hot paths (and a whole cached read
//! through the router in process, with its allocations per request):
//! `cargo bench -p strata-bench` (add `-- --warm-up-time 1 --measurement-time 2` for a quick run).
// `criterion_group!` generates a public function without documentation.
#![allow(missing_docs)]

use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use tower::ServiceExt;

use criterion::{criterion_group, criterion_main, Criterion};
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::Protocol;
use strata_core::provider::Provider;
use strata_core::secret::Secret;
use strata_scp::client::Signer;
use strata_server::auth::{mint_hs256, Authenticator, ConnectionAuth};
use strata_server::config::{AuthConfig, SecretSource};
use strata_server::layers::{stack, LayersConfig};
use strata_server::state::Registry;
use strata_server::Gateway;
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

/// Counts allocations (to report allocations per request) around mimalloc, the allocator the
/// gateway ships with.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A whole cached `GET /v1/volumes/{id}` through the gateway's router in process (no socket):
/// the edge, the `/v1` pipeline with a connection that already verified the token, routing,
/// extraction, the layer stack's cache hit and the cached rendition; next to a bare axum
/// router serializing the same volume. Prints the allocations per request of each.
fn router_cached_read(c: &mut Criterion) {
    let rt = runtime();
    let secret = "bench-secret-0123456789abcdef0123456789";
    let (gateway, baseline, path, bearer) = rt.block_on(async {
        let memory = MemoryProvider::new("mem-a", "KR1", Duration::ZERO);
        let volume = memory.seed_volume("bench", 100, Protocol::Nfs);
        let mut registry = Registry::new();
        registry.insert(Arc::new(memory));
        let mut cfg = strata_server::Config::default();
        cfg.auth.hs256_secret = Some(SecretSource::Literal(secret.into()));
        cfg.layers.cache_ttl_ms = 600_000;
        let token = mint_hs256(
            &Secret::new(secret),
            &cfg.auth,
            "bench",
            "storage.read",
            Duration::from_secs(3600),
            None,
        )
        .expect("token mints");
        let gw = Gateway::with_registry(cfg, registry)
            .await
            .expect("gateway builds");
        let path = format!("/v1/volumes/{}", volume.id);
        let baseline = axum::Router::new().route(
            "/v1/volumes/{id}",
            axum::routing::get(move || {
                let v = volume.clone();
                async move { axum::Json(v) }
            }),
        );
        (gw.router(), baseline, path, format!("Bearer {token}"))
    });
    // One connection: its token verified once, as on a keep-alive connection.
    let conn = Arc::new(ConnectionAuth::default());
    let request = || {
        Request::get(path.as_str())
            .header(header::AUTHORIZATION, bearer.as_str())
            .body(Body::empty())
            .expect("request builds")
    };
    let serve = |app: &axum::Router| {
        let resp = conn.scope(app.clone().oneshot(request()));
        async move {
            let resp = resp.await.expect("infallible");
            assert_eq!(resp.status(), 200);
            axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .expect("body")
        }
    };
    const N: u64 = 2_000;
    for (name, app) in [("gateway", &gateway), ("bare axum", &baseline)] {
        let per_request = rt.block_on(async {
            serve(app).await; // fills the cache and renders the answer
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            for _ in 0..N {
                serve(app).await;
            }
            (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / N as f64
        });
        println!("router {name}: {per_request:.1} allocations per cached GET /v1/volumes/{{id}}");
    }
    for (name, app) in [
        ("router: cached GET /v1/volumes/{id}, gateway", &gateway),
        (
            "router: GET /v1/volumes/{id}, bare axum baseline",
            &baseline,
        ),
    ] {
        let serve = &serve;
        c.bench_function(name, |b| b.to_async(&rt).iter(|| serve(app)));
    }
}

criterion_group!(
    micro,
    scp_signer,
    global_ids,
    jwt_verify,
    layer_cache_hit,
    router_cached_read
);
criterion_main!(micro);
