//! Connection hygiene and shutdown, over raw TCP where reqwest would hide it: slow request
//! heads, idle keep-alive connections, the connection cap, oversized heads, and what clients
//! in flight get when the gateway stops.

use std::time::{Duration, Instant};

use serde_json::json;
use strata_server::{serve, Gateway};
use strata_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: strata\r\n\r\n";

/// Reads until the peer closes; returns the time it took, or `None` if still open after `max`.
async fn closed_within(s: &mut TcpStream, max: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((start + max).into(), s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => continue,
        }
    }
}

/// Reads whatever arrives within `max`.
async fn read_some(s: &mut TcpStream, max: Duration) -> Option<String> {
    let mut buf = vec![0u8; 8192];
    match tokio::time::timeout(max, s.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
        _ => None,
    }
}

#[tokio::test]
async fn slow_heads_are_cut_off_and_the_connection_cap_holds() {
    let mut cfg = test_config();
    cfg.server.header_read_timeout_ms = 1000;
    cfg.server.keep_alive_idle_seconds = 30;
    cfg.server.max_connections = 40;
    let gw = TestGateway::start_with(cfg, memory_registry(Duration::ZERO)).await;
    let addr = gw.base.trim_start_matches("http://").to_string();

    // 40 clients start a request line and never finish it: the cap is full.
    let mut slow = Vec::new();
    for _ in 0..40 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"GET /healthz HT").await.unwrap();
        slow.push(s);
    }
    let opened = Instant::now();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // One more client sends a whole request: it is not served while the cap is full.
    let mut extra = TcpStream::connect(&addr).await.unwrap();
    extra.write_all(HEALTHZ).await.unwrap();
    assert_eq!(
        read_some(&mut extra, Duration::from_millis(500)).await,
        None,
        "a connection beyond the cap is not served"
    );
    // The slow clients are closed once the header-read timeout has passed.
    for s in &mut slow {
        let closed = closed_within(s, Duration::from_secs(5)).await;
        assert!(closed.is_some(), "a slow client was left open");
    }
    let elapsed = opened.elapsed();
    assert!(
        elapsed >= Duration::from_millis(850) && elapsed < Duration::from_secs(4),
        "closed after {elapsed:?}"
    );
    // Then the waiting client is served, and so is a normal request.
    let answer = read_some(&mut extra, Duration::from_secs(3)).await;
    assert!(
        answer
            .as_deref()
            .is_some_and(|a| a.starts_with("HTTP/1.1 200")),
        "{answer:?}"
    );
    let (s, _, _) = send(gw.http.get(gw.url("/healthz"))).await;
    assert_eq!(s, 200);
    gw.stop().await;
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed_after_the_idle_timeout() {
    let mut cfg = test_config();
    cfg.server.header_read_timeout_ms = 300;
    cfg.server.keep_alive_idle_seconds = 1;
    let gw = TestGateway::start_with(cfg, memory_registry(Duration::ZERO)).await;
    let addr = gw.base.trim_start_matches("http://").to_string();

    let mut s = TcpStream::connect(&addr).await.unwrap();
    for _ in 0..2 {
        s.write_all(HEALTHZ).await.unwrap();
        let answer = read_some(&mut s, Duration::from_secs(2)).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    // Idle now: the idle timeout (1 s), not the header-read timeout (0.3 s), closes it.
    let closed = closed_within(&mut s, Duration::from_secs(4)).await;
    assert!(
        closed.is_some_and(|d| d >= Duration::from_millis(800)),
        "closed after {closed:?}"
    );
    // A connection that never sends anything is a slow head.
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    let closed = closed_within(&mut silent, Duration::from_secs(3)).await;
    assert!(
        closed.is_some_and(|d| d < Duration::from_millis(900)),
        "closed after {closed:?}"
    );
    gw.stop().await;
}

#[tokio::test]
async fn oversized_uris_and_headers_are_problems() {
    let gw = TestGateway::start().await;
    let long = format!("/v1/volumes?page_token={}", "a".repeat(9 * 1024));
    let r = send(gw.req(reqwest::Method::GET, &long)).await;
    assert_problem(&r, 414, "uri_too_long");
    let r = send(gw.http.get(gw.url(&long))).await;
    assert_problem(&r, 414, "uri_too_long"); // before auth

    let r = send(
        gw.req(reqwest::Method::GET, "/v1/volumes")
            .header("x-big", "b".repeat(70 * 1024)),
    )
    .await;
    assert_problem(&r, 431, "headers_too_large");
    let many = |n: usize| {
        (0..n).fold(gw.req(reqwest::Method::GET, "/v1/volumes"), |rb, i| {
            rb.header(format!("x-h{i}"), "1")
        })
    };
    assert_problem(&send(many(80)).await, 431, "headers_too_large");
    // Past hyper's own limit (100 fields) the answer is hyper's bare 431.
    let r = many(150).send().await.expect("answered");
    assert_eq!(r.status(), 431);
    // Within the limits all is well.
    let r = send(
        gw.req(reqwest::Method::GET, "/v1/volumes")
            .header("x-big", "b".repeat(8 * 1024)),
    )
    .await;
    assert_eq!(r.0, 200, "{}", r.2);
    gw.stop().await;
}

#[tokio::test]
async fn stopping_answers_long_polls_with_the_operation_as_it_stands() {
    // Changes take a minute to settle: far longer than the test.
    let gw = Gateway::with_registry(test_config(), memory_registry(Duration::from_secs(60)))
        .await
        .unwrap();
    let server = serve(&gw, "127.0.0.1:0", Duration::from_secs(2), false)
        .await
        .unwrap();
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    let bearer = token(&claims("tester", "storage.read storage.write"));

    // One operation to long-poll on, started without waiting.
    let body =
        json!({"provider":"mem-a","kind":"file","name":"drain","size_gib":300,"protocol":"nfs"});
    let (s, _, op) = send(
        http.post(format!("{base}/v1/volumes"))
            .bearer_auth(&bearer)
            .json(&body),
    )
    .await;
    assert_eq!(s, 202, "{op}");
    let op_id = op["id"].as_str().unwrap().to_string();

    let create = tokio::spawn(send(
        http.post(format!("{base}/v1/volumes?wait=30s"))
            .bearer_auth(&bearer)
            .json(&json!({"provider":"mem-b","kind":"file","name":"drain2","size_gib":300,"protocol":"nfs"})),
    ));
    let poll = tokio::spawn(send(
        http.get(format!("{base}/v1/operations/{op_id}?wait=30s"))
            .bearer_auth(&bearer),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !create.is_finished() && !poll.is_finished(),
        "both are waiting"
    );

    let stopping = Instant::now();
    let stop = tokio::spawn(server.stop());
    for (what, task) in [("create", create), ("operation", poll)] {
        let (s, h, op) = tokio::time::timeout(Duration::from_secs(2), task)
            .await
            .unwrap_or_else(|_| panic!("{what}: no answer within the grace period"))
            .unwrap();
        assert_eq!(s, 202, "{what}: {op}");
        assert_eq!(op["done"], false, "{what}: {op}");
        let loc = h.get("location").and_then(|v| v.to_str().ok()).unwrap();
        assert_eq!(
            loc,
            format!("/v1/operations/{}", op["id"].as_str().unwrap())
        );
    }
    assert!(
        stopping.elapsed() < Duration::from_millis(1500),
        "answered at once"
    );
    tokio::time::timeout(Duration::from_secs(3), stop)
        .await
        .expect("the server stops within its grace period")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn stopping_answers_slow_vendor_calls_before_the_grace_period_ends() {
    let (gw, sim) = start_nhn(Duration::ZERO, Duration::from_secs(3600)).await;
    // Warm up (the adapter's IaaS token), then make the vendor slow.
    let (s, _, b) = send(gw.req(reqwest::Method::GET, "/v1/volumes?provider=nhn-kr1")).await;
    assert_eq!(s, 200, "{b}");
    sim.nas_faults().set_latency(Duration::from_secs(20));
    let slow = tokio::spawn(send(
        gw.req(reqwest::Method::GET, "/v1/volumes?provider=nhn-kr1")
            .header("cache-control", "no-cache"),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopping = Instant::now();
    // The test gateway's grace is 5 s: answers are due 1 s before it ends.
    let stop = tokio::spawn(gw.stop());
    let r = tokio::time::timeout(Duration::from_secs(5), slow)
        .await
        .expect("answered within the grace period")
        .unwrap();
    assert_problem(&r, 503, "shutting_down");
    let took = stopping.elapsed();
    assert!(
        took >= Duration::from_millis(3500) && took < Duration::from_millis(4800),
        "{took:?}"
    );
    stop.await.unwrap();
}
