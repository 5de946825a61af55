//! Each layer on its own, around a scripted provider.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::json;
use strata_core::capability::Capabilities;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::provider::*;

use super::*;

/// Answers `get_volume` and `create_volume` from a script of results, counting calls and the
/// most calls in flight at once.
struct Scripted {
    info: ProviderInfo,
    caps: Capabilities,
    script: Mutex<Vec<Result<()>>>,
    calls: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    delay: Duration,
}

fn scripted(script: Vec<Result<()>>, delay: Duration) -> Arc<Scripted> {
    Arc::new(Scripted {
        info: serde_json::from_value(
            json!({"id": "p", "vendor": "memory", "region": "r", "display_name": "p"}),
        )
        .unwrap(),
        caps: Capabilities::default(),
        script: Mutex::new(script),
        calls: AtomicUsize::new(0),
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        delay,
    })
}

fn volume() -> Volume {
    serde_json::from_value(json!({
        "id": "vol_x", "provider": "p", "kind": "file", "name": "v", "status": "available",
        "size_gib": 300, "region": "r", "encrypted": false,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
    }))
    .unwrap()
}

impl Scripted {
    async fn answer(&self) -> Result<Volume> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let next = {
            let mut s = self.script.lock().unwrap();
            if s.is_empty() {
                Ok(())
            } else {
                s.remove(0)
            }
        };
        next.map(|()| volume())
    }
}

#[async_trait]
impl VolumeOps for Scripted {
    async fn get_volume(&self, _ctx: &CallCtx, _id: &GlobalId) -> Result<Volume> {
        self.answer().await
    }
    async fn create_volume(&self, _ctx: &CallCtx, _req: &CreateVolume) -> Result<Volume> {
        self.answer().await
    }
}
impl SnapshotOps for Scripted {}
impl ReplicaOps for Scripted {}
impl VolumeGroupOps for Scripted {}
impl BackupOps for Scripted {}
impl ArchiveOps for Scripted {}

#[async_trait]
impl Provider for Scripted {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
}

fn unavailable() -> Result<()> {
    Err(Error::VendorUnavailable {
        retry_after_secs: None,
        message: "down".into(),
    })
}

fn id() -> GlobalId {
    GlobalId::new(ResourceType::Volume, "p", Some(VolumeKind::File), "v")
}

fn create() -> CreateVolume {
    serde_json::from_value(json!({"provider": "p", "kind": "file", "name": "n"})).unwrap()
}

fn quick_retries() -> LayersConfig {
    LayersConfig {
        retry_attempts: 3,
        retry_base_ms: 1,
        retry_max_ms: 2,
        ..LayersConfig::default()
    }
}

#[tokio::test]
async fn retries_repeatable_calls_only() {
    let inner = scripted(vec![unavailable(), unavailable()], Duration::ZERO);
    let p = Layered::provider(Retry::new(inner.clone(), &quick_retries(), Metrics::new()));
    let ctx = CallCtx::default();
    assert!(p.get_volume(&ctx, &id()).await.is_ok());
    assert_eq!(
        inner.calls.load(Ordering::SeqCst),
        3,
        "two failures, then the answer"
    );

    let inner = scripted(vec![unavailable()], Duration::ZERO);
    let p = Layered::provider(Retry::new(inner.clone(), &quick_retries(), Metrics::new()));
    assert!(p.create_volume(&ctx, &create()).await.is_err());
    assert_eq!(
        inner.calls.load(Ordering::SeqCst),
        1,
        "a create is sent once"
    );

    let inner = scripted(vec![Err(Error::invalid("x", "no"))], Duration::ZERO);
    let p = Layered::provider(Retry::new(inner.clone(), &quick_retries(), Metrics::new()));
    assert!(p.get_volume(&ctx, &id()).await.is_err());
    assert_eq!(
        inner.calls.load(Ordering::SeqCst),
        1,
        "a client error is final"
    );
}

#[tokio::test(start_paused = true)]
async fn a_vendor_retry_after_is_waited_for_and_never_past_the_deadline() {
    let come_back = |secs| -> Result<()> {
        Err(Error::VendorUnavailable {
            retry_after_secs: Some(secs),
            message: "throttled".into(),
        })
    };
    let inner = scripted(vec![come_back(2)], Duration::ZERO);
    let p = Layered::provider(Retry::new(inner.clone(), &quick_retries(), Metrics::new()));
    let started = tokio::time::Instant::now();
    assert!(p.get_volume(&CallCtx::default(), &id()).await.is_ok());
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited as asked"
    );
    assert_eq!(inner.calls.load(Ordering::SeqCst), 2);

    // Asked to come back after the call's deadline (here the configured one): answered at
    // once, Retry-After and all.
    let inner = scripted(vec![come_back(30)], Duration::ZERO);
    let cfg = LayersConfig {
        deadline_ms: 5_000,
        ..quick_retries()
    };
    let p = Layered::provider(Retry::new(inner.clone(), &cfg, Metrics::new()));
    let ctx = CallCtx::default();
    let started = tokio::time::Instant::now();
    let e = p.get_volume(&ctx, &id()).await.unwrap_err();
    assert_eq!(
        (e.retry_after_secs(), started.elapsed()),
        (Some(30), Duration::ZERO)
    );
    assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn backoff_stays_within_its_cap() {
    let r = Retry::new(
        scripted(vec![], Duration::ZERO),
        &quick_retries(),
        Metrics::new(),
    );
    for attempt in 0..20 {
        assert!(r.delay(attempt) <= Duration::from_millis(2));
    }
}

#[tokio::test]
async fn the_breaker_opens_fails_fast_and_lets_one_probe_through() {
    let inner = scripted(vec![unavailable(), unavailable()], Duration::ZERO);
    let p = Layered::provider(Breaker::new(
        inner.clone(),
        2,
        Duration::from_millis(50),
        Metrics::new(),
    ));
    let ctx = CallCtx::default();
    assert!(p.get_volume(&ctx, &id()).await.is_err());
    assert!(p.get_volume(&ctx, &id()).await.is_err());
    let open = p.get_volume(&ctx, &id()).await.unwrap_err();
    assert_eq!(open.code(), "vendor_unavailable");
    assert_eq!(open.retry_after_secs(), Some(1));
    assert_eq!(
        inner.calls.load(Ordering::SeqCst),
        2,
        "an open circuit calls nothing"
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert!(
        p.get_volume(&ctx, &id()).await.is_ok(),
        "the probe closes it"
    );
    assert!(p.get_volume(&ctx, &id()).await.is_ok());
    assert_eq!(inner.calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn deadlines_end_slow_calls() {
    let inner = scripted(vec![], Duration::from_millis(300));
    let p = Layered::provider(Deadline::new(
        inner,
        super::deadline::Deadlines {
            default: Duration::from_millis(30),
            family: BTreeMap::new(),
        },
    ));
    let err = p.get_volume(&CallCtx::default(), &id()).await.unwrap_err();
    assert_eq!(err, Error::VendorTimeout);
}

#[tokio::test]
async fn the_limit_caps_calls_in_flight() {
    let inner = scripted(vec![], Duration::from_millis(20));
    let p = Layered::provider(Limit::new(inner.clone(), 2));
    let (ctx, id) = (CallCtx::default(), id());
    let calls = (0..6).map(|_| p.get_volume(&ctx, &id));
    let answers = futures::future::join_all(calls).await;
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(inner.max_in_flight.load(Ordering::SeqCst), 2);
}

/// A scripted provider behind a cache with a long TTL.
fn cached() -> (Arc<Scripted>, Arc<dyn Provider>) {
    let inner = scripted(vec![], Duration::ZERO);
    let p = Layered::provider(Cache::new(
        inner.clone(),
        Metrics::new(),
        100,
        Duration::from_secs(60),
        BTreeMap::new(),
        &crate::shared::invalidation::Invalidations::local(),
    ));
    (inner, p)
}

#[tokio::test]
async fn the_cache_serves_hits_and_forgets_on_writes_and_probes() {
    let (inner, p) = cached();
    let (ctx, id) = (CallCtx::default(), id());
    let calls = || inner.calls.load(Ordering::SeqCst);
    p.get_volume(&ctx, &id).await.unwrap();
    p.get_volume(&ctx, &id).await.unwrap();
    assert_eq!(calls(), 1, "the second read is a hit");
    p.create_volume(&ctx, &create()).await.unwrap();
    p.get_volume(&ctx, &id).await.unwrap();
    assert_eq!(calls(), 3, "a write ends what was cached");
    let probe = ctx.probe();
    p.get_volume(&probe, &id).await.unwrap();
    assert_eq!(calls(), 4, "a probe always asks the vendor");
    p.get_volume(&ctx, &id).await.unwrap();
    assert_eq!(
        calls(),
        4,
        "and leaves its fresh answer for the next reader"
    );
}

#[tokio::test]
async fn a_dry_run_neither_reads_fills_nor_invalidates_the_cache() {
    let (inner, p) = cached();
    let (ctx, id) = (CallCtx::default(), id());
    let calls = || inner.calls.load(Ordering::SeqCst);
    p.get_volume(&ctx, &id).await.unwrap();
    assert_eq!(calls(), 1);
    let log = strata_core::dry_run::DryRunLog::new();
    strata_core::dry_run::scope(log, async {
        // Past the cache to the adapter (which records instead of sending), even for a hit,
        // and a probe-style read bumps no generation.
        p.get_volume(&ctx, &id).await.unwrap();
        p.get_volume(&ctx.probe(), &id).await.unwrap();
        p.create_volume(&ctx, &create()).await.unwrap();
    })
    .await;
    assert_eq!(calls(), 4);
    p.get_volume(&ctx, &id).await.unwrap();
    assert_eq!(
        calls(),
        4,
        "what was cached before the dry run is still served"
    );
}
