//! Tests of operation records, the store and the tracker.

use super::*;
use std::sync::atomic::{AtomicU32, Ordering};

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

#[tokio::test(start_paused = true)]
async fn settles_on_success_after_pending_polls() {
    let t = tracker(Duration::from_secs(60));
    let polls = Arc::new(AtomicU32::new(0));
    let p = polls.clone();
    let op = t
        .track(
            Operation::start("volume.create", "demo", Some("vol_x".into())),
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
            Operation::start("snapshot.create", "demo", None),
            || async {
                Ok(Probe::Failed(Error::VendorFailed {
                    vendor_status: None,
                    vendor_code: None,
                    message: "disk error".into(),
                }))
            },
        )
        .await;
    assert_eq!(op.state, OperationState::Failed);
    assert_eq!(op.error.as_ref().unwrap().code, "vendor_error");

    let op = t
        .drive(Operation::start("volume.update", "demo", None), || async {
            Err::<Probe, _>(Error::not_found(ResourceType::Volume, "v"))
        })
        .await;
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
            Operation::start("replica.create", "demo", None),
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
        .await;
    assert_eq!(op.state, OperationState::Failed);
    assert_eq!(op.error.as_ref().unwrap().code, "operation_timeout");
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    // 10+20+40 ms, then every 80 ms until 5 s: about 63 polls, far fewer than 500 at a flat 10 ms.
    let n = polls.load(Ordering::SeqCst);
    assert!((55..=70).contains(&n), "polled {n} times");
    let stored = t.store().get(&op.id).await.unwrap().unwrap();
    assert_eq!(stored, op);
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
        store.put(&op).await.unwrap();
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
    store.put(&running).await.unwrap();
    for _ in 0..5 {
        let mut op = Operation::start("k", "p", None);
        op.succeed(None);
        store.put(&op).await.unwrap();
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
        .track(Operation::start("volume.create", "demo", None), || async {
            Ok(Probe::Pending)
        })
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
