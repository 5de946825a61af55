//! The provider layers through the gateway, against the NHN simulator's fault injection and
//! request log: retries (idempotent calls only), the circuit breaker, the list deadline.

use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use strata_server::Config;
use strata_tests::*;

const HOUR: Duration = Duration::from_secs(3600);

fn config(f: impl FnOnce(&mut Config)) -> Config {
    let mut cfg = test_config();
    cfg.layers.retry_base_ms = 2;
    cfg.layers.retry_max_ms = 20;
    f(&mut cfg);
    cfg
}

fn create_body(name: &str) -> Value {
    json!({"provider":"nhn-kr1","kind":"file","name":name,"size_gib":300,"protocol":"nfs"})
}

/// A read that goes to the vendor (through retries, breaker and deadline), not the cache.
fn read(gw: &TestGateway, path: &str) -> reqwest::RequestBuilder {
    gw.req(Method::GET, path)
        .header("cache-control", "no-cache")
}

fn gets(log: &[strata_sim::faults::Recorded]) -> usize {
    log.iter().filter(|r| r.method == "GET").count()
}

/// Transient vendor failures of idempotent calls are retried; a create is sent once.
#[tokio::test]
async fn idempotent_calls_are_retried_and_creates_never_repeated() {
    let (gw, sim) = start_nhn_with(config(|_| {}), Duration::from_millis(10), HOUR).await;
    let op = run_op(&gw, Method::POST, "/v1/volumes", Some(create_body("r1"))).await;
    let vol = op["result"]["id"].as_str().unwrap().to_string();
    let log = sim.nas_faults();

    let before = log.requests().len();
    log.force_status(503, 2);
    let (s, _, v) = send(read(&gw, &format!("/v1/volumes/{vol}"))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        gets(&log.requests()[before..]),
        3,
        "two failures, one success"
    );

    let before = log.requests().len();
    log.force_status(503, 1);
    let resp = send(gw.req(Method::POST, "/v1/volumes").json(&create_body("r2"))).await;
    assert_problem(&resp, 502, "vendor_error");
    let posts = log.requests()[before..]
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "a create is never re-sent");
    gw.stop().await;
}

/// A vendor's `Retry-After` is honoured: the retry waits that long; when that is past the
/// call's deadline the client is answered at once with it.
#[tokio::test]
async fn a_vendor_retry_after_is_honoured_and_passed_on() {
    let cfg = config(|c| c.layers.deadline_ms = 5_000);
    let (gw, sim) = start_nhn_with(cfg, Duration::from_millis(10), HOUR).await;
    let op = run_op(&gw, Method::POST, "/v1/volumes", Some(create_body("ra"))).await;
    let vol = op["result"]["id"].as_str().unwrap().to_string();
    let log = sim.nas_faults();

    log.set_retry_after(Some(1));
    log.force_status(429, 1);
    let started = Instant::now();
    let (s, _, v) = send(read(&gw, &format!("/v1/volumes/{vol}"))).await;
    assert_eq!(s, 200, "{v}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as the vendor asked"
    );

    log.set_retry_after(Some(30));
    log.force_status(503, 1);
    let started = Instant::now();
    let resp = send(read(&gw, &format!("/v1/volumes/{vol}"))).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not held until the deadline"
    );
    let p = assert_problem(&resp, 503, "vendor_unavailable");
    assert_eq!(p["retryable"], true);
    assert_eq!(resp.1["retry-after"], "30");
    log.clear();
    gw.stop().await;
}

/// With 20 % of vendor calls failing with 503: no idempotent read fails over 1,000 requests,
/// and every create either happened once or not at all.
#[tokio::test]
async fn twenty_percent_vendor_failures_are_invisible_to_reads() {
    let cfg = config(|c| {
        c.layers.retry_attempts = 10;
        c.layers.breaker_failures = 0;
    });
    let (gw, sim) = start_nhn_with(cfg, Duration::from_millis(1), HOUR).await;
    let op = run_op(&gw, Method::POST, "/v1/volumes", Some(create_body("base"))).await;
    let vol = op["result"]["id"].as_str().unwrap().to_string();
    sim.nas_faults().set_error_rate(0.2, 503);

    let path = format!("/v1/volumes/{vol}");
    let statuses: Vec<u16> = futures::stream::iter(0..1000)
        .map(|_| async { send(read(&gw, &path)).await.0 })
        .buffer_unordered(16)
        .collect()
        .await;
    let failed = statuses.iter().filter(|s| **s != 200).count();
    assert_eq!(failed, 0, "failed reads: {failed} of 1000");

    // Creates under the same faults: each is answered 202 (sent once) or refused with 502.
    let mut accepted = 0;
    for i in 0..20 {
        let resp = send(
            gw.req(Method::POST, "/v1/volumes")
                .json(&create_body(&format!("c{i}"))),
        )
        .await;
        match resp.0 {
            202 => accepted += 1,
            502 => {}
            other => panic!("create answered {other}: {}", resp.2),
        }
    }
    sim.nas_faults().clear();
    let (_, _, list) =
        send(gw.req(Method::GET, "/v1/volumes?provider=nhn-kr1&page_size=500")).await;
    let created = list["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["name"].as_str().is_some_and(|n| n.starts_with('c')))
        .count();
    assert_eq!(
        created, accepted,
        "no create was duplicated or lost: {list}"
    );
    gw.stop().await;
}

/// After repeated transient failures the provider fails fast with a Retry-After, then a
/// probe call closes the circuit again.
#[tokio::test]
async fn the_breaker_opens_fails_fast_and_recovers() {
    let cfg = config(|c| {
        c.layers.retry_attempts = 1;
        c.layers.breaker_failures = 3;
        c.layers.breaker_cool_off_ms = 800;
    });
    let (gw, sim) = start_nhn_with(cfg, Duration::from_millis(10), HOUR).await;
    let op = run_op(&gw, Method::POST, "/v1/volumes", Some(create_body("b1"))).await;
    let vol = op["result"]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/volumes/{vol}");
    let log = sim.nas_faults();

    // A slow vendor, so failing fast is measurably faster than asking it.
    log.set_latency(Duration::from_millis(600));
    log.force_status(503, 3);
    for _ in 0..3 {
        assert_problem(&send(read(&gw, &path)).await, 502, "vendor_error");
    }
    let before = log.request_count();
    let started = Instant::now();
    let resp = send(read(&gw, &path)).await;
    let fast = started.elapsed();
    let p = assert_problem(&resp, 503, "vendor_unavailable");
    assert_eq!(p["retryable"], true);
    assert!(resp.1.get("retry-after").is_some(), "Retry-After is sent");
    assert_eq!(log.request_count(), before, "an open circuit sends nothing");
    assert!(fast < Duration::from_millis(300), "failed fast: {fast:?}");

    log.set_latency(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(send(read(&gw, &path)).await.0, 200, "the probe closes it");
    assert_eq!(send(read(&gw, &path)).await.0, 200);
    gw.stop().await;
}

/// A hanging provider does not hold a list: it is reported under `unreachable` with
/// `vendor_timeout` once the list deadline passes.
#[tokio::test]
async fn a_hanging_provider_is_reported_at_the_list_deadline() {
    let cfg = config(|c| c.layers.list_deadline_ms = 400);
    let (gw, sim) = start_nhn_with(cfg, Duration::from_millis(10), HOUR).await;
    sim.nas_faults().set_latency(Duration::from_secs(20));
    let started = Instant::now();
    let (s, _, list) = send(read(&gw, "/v1/volumes")).await;
    let took = started.elapsed();
    assert_eq!(s, 200, "{list}");
    assert!(
        took < Duration::from_secs(3),
        "answered at the deadline: {took:?}"
    );
    let unreachable = list["unreachable"].as_array().expect("unreachable");
    assert_eq!(unreachable.len(), 2, "{list}");
    assert!(
        unreachable.iter().all(|u| u["code"] == "vendor_timeout"),
        "{list}"
    );
    sim.nas_faults().clear();
    gw.stop().await;
}
