//! The Redis stores against a real `redis-server`: operation records page newest first with
//! filters (AIP-158 tokens), leases exclude other owners until they lapse, running ids are
//! tracked, idempotency claims are atomic; and a gateway with `redis_url` reports Redis in
//! `/readyz`.

use std::sync::Arc;
use std::time::Duration;

use strata_core::operation::{Operation, OperationFilter, OperationRecord, OperationStore};
use strata_core::paging::PageRequest;
use strata_server::config::SecretSource;
use strata_server::shared::idempotency::{Claim, IdempotencyStore, RedisIdempotencyStore};
use strata_server::shared::operations::RedisOperationStore;
use strata_server::shared::Redis;
use strata_tests::redis::RedisServer;
use strata_tests::*;

async fn redis(server: &RedisServer) -> Arc<Redis> {
    let r = Redis::open(&strata_core::secret::Secret::new(server.url())).unwrap();
    for _ in 0..50 {
        if r.ping().await {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("Redis did not answer");
}

#[tokio::test]
async fn operation_records_page_filter_lease_and_track_running() {
    let server = RedisServer::start();
    let store = RedisOperationStore::new(redis(&server).await, Duration::from_secs(3600));
    assert!(store.shared());
    let mut ids = Vec::new();
    for i in 0..25 {
        let mut op = Operation::start("volume.create", if i % 2 == 0 { "a" } else { "b" }, None);
        if i % 5 == 0 {
            op.succeed(None);
        }
        store
            .put(&OperationRecord::new(op.clone(), chrono::Utc::now()))
            .await
            .unwrap();
        ids.push(op.id);
        // UUIDv7 ids order by millisecond; keep them distinct.
        tokio::time::sleep(Duration::from_millis(2)).await;
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
        assert!(page.items.len() <= 7);
        seen.extend(page.items.into_iter().map(|o| o.id));
        match page.next_page_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    let all = PageRequest {
        page_size: 100,
        page_token: None,
    };
    let b = OperationFilter {
        provider: Some("b".into()),
        ..Default::default()
    };
    assert_eq!(store.list(&b, &all).await.unwrap().items.len(), 12);
    let done = OperationFilter {
        done: Some(true),
        ..Default::default()
    };
    assert_eq!(store.list(&done, &all).await.unwrap().items.len(), 5);
    let bad = PageRequest {
        page_size: 5,
        page_token: Some("nope".into()),
    };
    assert!(store.list(&done, &bad).await.is_err());
    assert_eq!(store.running().await.unwrap().len(), 20);
    let got = store.get(&ids[3]).await.unwrap().unwrap();
    assert_eq!(got.operation.id, ids[3]);
    assert!(store.get("op_0000").await.unwrap().is_none());

    let ttl = Duration::from_millis(300);
    assert!(store.lease(&ids[1], "a", ttl).await.unwrap());
    assert!(store.lease(&ids[1], "a", ttl).await.unwrap(), "renewal");
    assert!(!store.lease(&ids[1], "b", ttl).await.unwrap());
    store.release(&ids[1], "b").await.unwrap();
    assert!(
        !store.lease(&ids[1], "b", ttl).await.unwrap(),
        "only the holder releases"
    );
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    assert!(
        store.lease(&ids[1], "b", ttl).await.unwrap(),
        "lapsed: taken over"
    );
}

#[tokio::test]
async fn idempotency_claims_are_atomic_across_clients() {
    let server = RedisServer::start();
    let (r1, r2) = (redis(&server).await, redis(&server).await);
    let (s1, s2) = (
        RedisIdempotencyStore::new(r1),
        RedisIdempotencyStore::new(r2),
    );
    let lock = Duration::from_secs(60);
    let (a, b) = tokio::join!(s1.claim("k", "f", lock), s2.claim("k", "f", lock));
    let claims = [a.unwrap(), b.unwrap()];
    assert_eq!(
        claims.iter().filter(|c| **c == Claim::Claimed).count(),
        1,
        "{claims:?}"
    );
    s1.abandon("k").await.unwrap();
    assert_eq!(s2.claim("k", "g", lock).await.unwrap(), Claim::Claimed);
}

#[tokio::test]
async fn readiness_reports_redis() {
    let mut server = RedisServer::start();
    let mut cfg = test_config();
    cfg.redis_url = Some(SecretSource::Literal(server.url()));
    let gw = TestGateway::start_with(cfg, memory_registry(Duration::from_millis(10))).await;
    let ready = |gw: &TestGateway| {
        let url = gw.url("/readyz");
        let http = gw.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let mut tries = 0;
    while ready(&gw).await.0 != 200 {
        tries += 1;
        assert!(tries < 50, "not ready with Redis up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ready(&gw).await.1["redis"], "up");
    server.stop();
    let mut tries = 0;
    loop {
        let (s, body) = ready(&gw).await;
        if s == 503 {
            assert_eq!(
                (body["status"].as_str(), body["redis"].as_str()),
                (Some("redis unavailable"), Some("down"))
            );
            break;
        }
        tries += 1;
        assert!(tries < 50, "readiness did not flip: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    gw.stop().await;
}
