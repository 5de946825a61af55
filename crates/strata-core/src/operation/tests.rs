//! Tests of operation records, the store and the tracker.

use super::*;
use crate::paging::PageRequest;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn tracker(timeout: Duration) -> Tracker {
    Tracker::new(
        Arc::new(MemoryOperationStore::default()),
        Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(80),
            factor: 2.0,
            timeout,
        },
    )
}

fn rec(op: &Operation) -> OperationRecord {
    OperationRecord::new(op.clone(), chrono::Utc::now())
}

#[tokio::test(start_paused = true)]
async fn settles_on_success_after_pending_polls() {
    let t = tracker(Duration::from_secs(60));
    let polls = Arc::new(AtomicU32::new(0));
    let p = polls.clone();
    let op = t
        .track(
            t.record(
                Operation::start("volume.create", "demo", Some("vol_x".into())),
                None,
            ),
            move || {
                let n = p.fetch_add(1, Ordering::SeqCst);
                async move {
                    Ok(if n < 3 {
                        Probe::Pending
                    } else {
                        Probe::Done(Some(serde_json::json!({"ok": true})))
                    })
                }
            },
        )
        .await
        .unwrap();
    assert!(!op.done);
    let done = t.wait(&op.id, Duration::from_secs(10)).await.unwrap();
    assert_eq!(done.state, OperationState::Succeeded);
    assert!(done.done && done.end_time.is_some() && done.error.is_none());
    assert_eq!(done.result, Some(serde_json::json!({"ok": true})));
    assert_eq!(polls.load(Ordering::SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn fails_on_failed_probe_and_on_permanent_error() {
    let t = tracker(Duration::from_secs(60));
    let op = t
        .drive(
            t.record(Operation::start("snapshot.create", "demo", None), None),
            || async {
                Ok(Probe::Failed(Error::VendorFailed {
                    vendor_status: None,
                    vendor_code: None,
                    message: "disk error".into(),
                }))
            },
        )
        .await
        .unwrap();
    assert_eq!(op.state, OperationState::Failed);
    assert_eq!(op.error.as_ref().unwrap().code, "vendor_error");

    let op = t
        .drive(
            t.record(Operation::start("volume.update", "demo", None), None),
            || async { Err::<Probe, _>(Error::not_found(ResourceType::Volume, "v")) },
        )
        .await
        .unwrap();
    assert_eq!(op.error.unwrap().code, "volume_not_found");
}

#[tokio::test(start_paused = true)]
async fn times_out_and_keeps_polling_through_transient_errors() {
    let t = tracker(Duration::from_secs(5));
    let polls = Arc::new(AtomicU32::new(0));
    let p = polls.clone();
    let start = tokio::time::Instant::now();
    let op = t
        .drive(
            t.record(Operation::start("replica.create", "demo", None), None),
            move || {
                let n = p.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n % 2 == 0 {
                        Err(Error::VendorUnavailable {
                            retry_after_secs: None,
                            message: "flaky".into(),
                        })
                    } else {
                        Ok(Probe::Pending)
                    }
                }
            },
        )
        .await
        .unwrap();
    assert_eq!(op.state, OperationState::Failed);
    assert_eq!(op.error.as_ref().unwrap().code, "operation_timeout");
    // The deadline is wall-clock (it is shared between replicas): within a millisecond.
    let took = start.elapsed();
    assert!(
        took <= Duration::from_secs(5) && took > Duration::from_millis(4999),
        "{took:?}"
    );
    // 10+20+40 ms, then every 80 ms until 5 s: about 63 polls, far fewer than 500 at a flat 10 ms.
    let n = polls.load(Ordering::SeqCst);
    assert!((55..=70).contains(&n), "polled {n} times");
    let stored = t.store().get(&op.id).await.unwrap().unwrap();
    assert_eq!(stored.operation, op);
}

#[tokio::test]
async fn store_lists_newest_first_with_paging_and_filters() {
    let store = MemoryOperationStore::new(1000);
    let mut ids = Vec::new();
    for i in 0..25 {
        let mut op = Operation::start("volume.create", if i % 2 == 0 { "a" } else { "b" }, None);
        if i % 5 == 0 {
            op.succeed(None);
        }
        store.put(&rec(&op)).await.unwrap();
        ids.push(op.id);
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = store
            .list(
                &OperationFilter::default(),
                &PageRequest {
                    page_size: 7,
                    page_token: token,
                },
            )
            .await
            .unwrap();
        seen.extend(page.items.into_iter().map(|o| o.id));
        match page.next_page_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);
    let a = store
        .list(
            &OperationFilter {
                provider: Some("a".into()),
                ..Default::default()
            },
            &PageRequest {
                page_size: 100,
                page_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(a.items.len(), 13);
    let done = store
        .list(
            &OperationFilter {
                done: Some(true),
                ..Default::default()
            },
            &PageRequest {
                page_size: 100,
                page_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(done.items.len(), 5);
}

#[tokio::test]
async fn store_evicts_oldest_finished_first() {
    let store = MemoryOperationStore::new(3);
    let running = Operation::start("k", "p", None);
    store.put(&rec(&running)).await.unwrap();
    for _ in 0..5 {
        let mut op = Operation::start("k", "p", None);
        op.succeed(None);
        store.put(&rec(&op)).await.unwrap();
    }
    assert!(
        store.get(&running.id).await.unwrap().is_some(),
        "running operations are kept"
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_waits_with_the_operation_as_it_stands() {
    let t = tracker(Duration::from_secs(600));
    let op = t
        .track(
            t.record(Operation::start("volume.create", "demo", None), None),
            || async { Ok(Probe::Pending) },
        )
        .await
        .unwrap();
    let waiter = {
        let t = t.clone();
        let id = op.id.clone();
        tokio::spawn(async move { t.wait(&id, Duration::from_secs(30)).await })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!waiter.is_finished());
    let started = tokio::time::Instant::now();
    t.begin_shutdown();
    let got = waiter.await.unwrap().unwrap();
    assert!(!got.done && got.id == op.id);
    assert!(started.elapsed() < Duration::from_millis(50));
    // Later waits return at once too.
    let again = t.wait(&op.id, Duration::from_secs(30)).await.unwrap();
    assert!(!again.done);
    assert!(started.elapsed() < Duration::from_millis(50));
}

#[tokio::test]
async fn leases_exclude_other_owners_until_they_expire() {
    let store = MemoryOperationStore::default();
    let ttl = Duration::from_millis(60);
    assert!(store.lease("op_1", "a", ttl).await.unwrap());
    assert!(store.lease("op_1", "a", ttl).await.unwrap(), "renewal");
    assert!(!store.lease("op_1", "b", ttl).await.unwrap());
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert!(
        store.lease("op_1", "b", ttl).await.unwrap(),
        "expired: taken over"
    );
    store.release("op_1", "a").await.unwrap();
    assert!(
        !store.lease("op_1", "a", ttl).await.unwrap(),
        "only the holder releases"
    );
    store.release("op_1", "b").await.unwrap();
    assert!(store.lease("op_1", "a", ttl).await.unwrap());
}

struct Settled;

impl Probes for Settled {
    fn probe(&self, rec: &OperationRecord) -> Result<ProbeFn> {
        let result = serde_json::json!({"target": rec.operation.target, "detail": rec.detail});
        Ok(Box::new(move || {
            let result = result.clone();
            Box::pin(async move { Ok(Probe::Done(Some(result))) })
        }))
    }
}

#[tokio::test]
async fn another_tracker_takes_over_an_orphaned_operation() {
    let store: Arc<dyn OperationStore> = Arc::new(MemoryOperationStore::default());
    let backoff = Backoff {
        initial: Duration::from_millis(5),
        max: Duration::from_millis(10),
        factor: 2.0,
        timeout: Duration::from_secs(60),
    };
    let lease = Duration::from_millis(90);
    let dead = Tracker::new(store.clone(), backoff).with_lease(lease);
    // A replica that recorded an operation, took its lease and died before settling it.
    let mut rec = dead.record(
        Operation::start("volume.mount_target.create", "p", Some("vol_x".into())),
        Some("mt-1".into()),
    );
    rec.operation.principal = Some("alice".into());
    store.put(&rec).await.unwrap();
    assert!(store.lease(rec.id(), dead.owner(), lease).await.unwrap());
    let live = Tracker::new(store.clone(), backoff)
        .with_lease(lease)
        .with_probes(Arc::new(Settled));
    assert_eq!(
        live.take_over_once().await.unwrap(),
        0,
        "the lease is still held"
    );
    tokio::time::sleep(lease + Duration::from_millis(20)).await;
    assert_eq!(live.take_over_once().await.unwrap(), 1);
    let done = live.wait(rec.id(), Duration::from_secs(5)).await.unwrap();
    assert!(done.done, "{done:?}");
    assert_eq!(
        done.result,
        Some(serde_json::json!({"target": "vol_x", "detail": "mt-1"}))
    );
    assert_eq!(done.principal.as_deref(), Some("alice"));
    assert!(store.running().await.unwrap().is_empty());
    assert_eq!(live.take_over_once().await.unwrap(), 0, "nothing left");
}

/// A family with a timeout of its own (archive recoveries take hours) is tracked that long;
/// the others the backoff's timeout.
#[test]
fn families_may_have_their_own_timeout() {
    let t = tracker(Duration::from_secs(60)).with_family_timeouts(
        [(
            crate::catalogue::Family::Archive,
            Duration::from_secs(4 * 3600),
        )]
        .into(),
    );
    assert_eq!(
        t.timeout_of("archive.recover"),
        Duration::from_secs(4 * 3600)
    );
    assert_eq!(t.timeout_of("volume.create"), Duration::from_secs(60));
    assert_eq!(t.timeout_of("no.such.kind"), Duration::from_secs(60));
    let r = t.record(Operation::start("archive.recover", "p", None), None);
    let left = r.deadline - chrono::Utc::now();
    assert!(left > chrono::Duration::minutes(235), "{left}");
}
