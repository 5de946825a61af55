#![cfg(feature = "demo")]
//! Two gateway processes (the real `strata` binary) on one real Redis, on loopback, sharing
//! an NHN simulator that counts every vendor request: operations, idempotent replays, cache
//! invalidations and a Redis outage are shared or survived across replicas, and a replica
//! killed with SIGKILL mid-operation loses nothing.

#[path = "../../../tests/src/redis.rs"]
mod redis;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis::RedisServer;
use reqwest::Method;
use serde_json::{json, Value};
use strata_server::auth::mint_hs256;
use strata_server::config::{AuthConfig, Secret};
use strata_sim::nhn::{NhnSim, NhnSimConfig};

const SECRET: &str = "replicas-test-secret-0123456789abcdef0123";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One `strata serve` process.
struct Replica {
    base: String,
    child: Child,
    log: PathBuf,
}

impl Replica {
    /// SIGKILL: no drain, no lease released.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Redis, the simulator and two replicas A and B.
struct Cluster {
    redis: RedisServer,
    sim: NhnSim,
    a: Replica,
    b: Replica,
    http: reqwest::Client,
    dir: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The gateway configuration both replicas share, as TOML.
fn config(sim: &NhnSim, redis: &RedisServer, cache_ttl_ms: u64) -> String {
    let mut toml = format!(
        "redis_url = \"{}\"\nlog_format = \"json\"\nlog_filter = \"info\"\n\
         [auth]\nhs256_secret = \"{SECRET}\"\n\
         [operations]\ninitial_poll_ms = 20\nmax_poll_ms = 100\ntimeout_seconds = 60\nlease_seconds = 1\n\
         [layers]\ncache_ttl_ms = {cache_ttl_ms}\n",
        redis.url()
    );
    for p in strata_server::demo::nhn_provider_configs(sim, &["KR1", "KR2"]) {
        toml.push_str(&format!(
            "[[providers]]\nid = \"{}\"\nvendor = \"{}\"\nregion = \"{}\"\n",
            p.id, p.vendor, p.region
        ));
        for (k, v) in p.settings {
            // JSON strings and arrays of strings are TOML values as written.
            toml.push_str(&format!("{k} = {v}\n"));
        }
    }
    toml
}

async fn start_replica(name: &str, dir: &std::path::Path) -> Replica {
    let port = free_port();
    let log = dir.join(format!("{name}.log"));
    let child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STRATA_CONFIG", dir.join("strata.toml"))
        .env("STRATA_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("strata starts");
    let mut r = Replica {
        base: format!("http://127.0.0.1:{port}"),
        child,
        log,
    };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = r.child.try_wait().expect("process state") {
            panic!(
                "replica {name} exited with {status}: {}",
                std::fs::read_to_string(&r.log).unwrap_or_default()
            );
        }
        if let Ok(resp) = http.get(r.url("/readyz")).send().await {
            if resp.status() == 200 {
                return r;
            }
        }
        assert!(
            Instant::now() < deadline,
            "replica {name} not ready in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn cluster(settle: Duration, cache_ttl_ms: u64) -> Cluster {
    let redis = RedisServer::start();
    let sim = NhnSim::start(NhnSimConfig {
        regions: vec!["KR1".into(), "KR2".into()],
        delay: settle,
        ..Default::default()
    })
    .await
    .expect("simulator starts");
    let dir = std::env::temp_dir().join(format!(
        "strata-replicas-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("strata.toml"), config(&sim, &redis, cache_ttl_ms)).expect("config");
    let (a, b) = tokio::join!(start_replica("a", &dir), start_replica("b", &dir));
    Cluster {
        redis,
        sim,
        a,
        b,
        http: reqwest::Client::new(),
        dir,
    }
}

fn token(sub: &str) -> String {
    mint_hs256(
        &Secret::new(SECRET),
        &AuthConfig::default(),
        sub,
        "storage.read storage.write",
        Duration::from_secs(3600),
        None,
    )
    .expect("token")
}

/// Sends `method path` to `r` as `sub` with an optional body and headers; returns status,
/// headers and JSON body.
async fn call(
    c: &Cluster,
    r: &Replica,
    sub: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut rb = c.http.request(method, r.url(path)).bearer_auth(token(sub));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let resp = rb.send().await.expect("answered");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, body)
}

fn create_body(name: &str) -> Value {
    json!({"provider":"nhn-kr1","kind":"file","name":name,"size_gib":300,"protocol":"nfs"})
}

/// Vendor creates the simulator saw.
fn vendor_creates(c: &Cluster) -> usize {
    c.sim
        .nas_faults()
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.uri.ends_with("/v1/volumes"))
        .count()
}

async fn ready(c: &Cluster, r: &Replica) -> (u16, Value) {
    let resp = c.http.get(r.url("/readyz")).send().await.expect("answered");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_operation_started_on_a_is_readable_waitable_and_listable_on_b() {
    let c = cluster(Duration::from_millis(300), 2_000).await;
    let (s, h, op) = call(
        &c,
        &c.a,
        "alice",
        Method::POST,
        "/v1/volumes",
        Some(&create_body("shared1")),
        &[],
    )
    .await;
    assert_eq!(s, 202, "{op}");
    let id = op["id"].as_str().unwrap();
    assert_eq!(h["location"], format!("/v1/operations/{id}"));
    let (s, _, got) = call(
        &c,
        &c.b,
        "alice",
        Method::GET,
        &format!("/v1/operations/{id}"),
        None,
        &[],
    )
    .await;
    assert!(s == 200 || s == 202, "readable on B: {got}");
    assert_eq!(got["kind"], "volume.create");
    let (s, _, done) = call(
        &c,
        &c.b,
        "alice",
        Method::GET,
        &format!("/v1/operations/{id}?wait=20s"),
        None,
        &[],
    )
    .await;
    assert_eq!(
        (s, &done["state"]),
        (200, &json!("succeeded")),
        "waitable on B: {done}"
    );
    let (s, _, list) = call(
        &c,
        &c.b,
        "alice",
        Method::GET,
        "/v1/operations?page_size=10",
        None,
        &[],
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        list["operations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id),
        "listable on B: {list}"
    );
    // Another subject sees none of it, on either replica.
    let (s, _, _) = call(
        &c,
        &c.b,
        "mallory",
        Method::GET,
        &format!("/v1/operations/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(s, 404);
    let (_, _, list) = call(
        &c,
        &c.a,
        "mallory",
        Method::GET,
        "/v1/operations",
        None,
        &[],
    )
    .await;
    assert_eq!(list["operations"], json!([]));
    assert_eq!(vendor_creates(&c), 1);
}

#[tokio::test]
async fn b_finishes_what_a_started_when_a_is_killed() {
    // The volume settles 3 s after the create; leases last 1 s.
    let mut c = cluster(Duration::from_secs(3), 2_000).await;
    let (s, _, op) = call(
        &c,
        &c.a,
        "alice",
        Method::POST,
        "/v1/volumes",
        Some(&create_body("orphan1")),
        &[],
    )
    .await;
    assert_eq!(s, 202, "{op}");
    let id = op["id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.a.kill();
    let started = Instant::now();
    let (s, _, done) = call(
        &c,
        &c.b,
        "alice",
        Method::GET,
        &format!("/v1/operations/{id}?wait=30s"),
        None,
        &[],
    )
    .await;
    assert_eq!(s, 200, "settled by B: {done}");
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["result"]["status"], "available", "{done}");
    assert!(started.elapsed() < Duration::from_secs(15));
    // Nothing stays running, and the vendor saw one create.
    let (_, _, running) = call(
        &c,
        &c.b,
        "alice",
        Method::GET,
        "/v1/operations?done=false",
        None,
        &[],
    )
    .await;
    assert_eq!(running["operations"], json!([]), "{running}");
    assert_eq!(vendor_creates(&c), 1, "no duplicate vendor mutation");
    let b_log = std::fs::read_to_string(&c.b.log).unwrap_or_default();
    assert!(
        b_log.contains("taking over an orphaned operation"),
        "{b_log}"
    );
}

#[tokio::test]
async fn one_idempotency_key_sent_to_both_replicas_creates_once() {
    let c = cluster(Duration::from_millis(200), 2_000).await;
    let body = create_body("idem1");
    let key = [("idempotency-key", "create-idem1-0001")];
    // Both clients retry on 409 (the first is still running), as the draft says to.
    let send = |r: &'static str| {
        let c = &c;
        let body = &body;
        async move {
            let replica = if r == "a" { &c.a } else { &c.b };
            for _ in 0..100 {
                let resp = call(
                    c,
                    replica,
                    "alice",
                    Method::POST,
                    "/v1/volumes",
                    Some(body),
                    &key,
                )
                .await;
                if resp.0 != 409 {
                    return resp;
                }
                assert_eq!(resp.2["code"], "idempotency_key_in_use");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("still in use after 100 tries");
        }
    };
    let (ra, rb) = tokio::join!(send("a"), send("b"));
    assert_eq!((ra.0, rb.0), (202, 202), "{} / {}", ra.2, rb.2);
    assert_eq!(
        ra.2["id"], rb.2["id"],
        "both clients get the same operation"
    );
    let replays = [&ra, &rb]
        .iter()
        .filter(|r| r.1.get("idempotent-replayed").is_some())
        .count();
    assert_eq!(replays, 1, "one ran, one was replayed");
    assert_eq!(vendor_creates(&c), 1, "exactly one vendor create");
    // After completion: still the same answer, from either replica.
    let id = ra.2["id"].as_str().unwrap();
    call(
        &c,
        &c.a,
        "alice",
        Method::GET,
        &format!("/v1/operations/{id}?wait=20s"),
        None,
        &[],
    )
    .await;
    let again = call(
        &c,
        &c.b,
        "alice",
        Method::POST,
        "/v1/volumes",
        Some(&body),
        &key,
    )
    .await;
    assert_eq!((again.0, &again.2["id"]), (202, &ra.2["id"]));
    assert_eq!(again.1["idempotent-replayed"], "true");
    // The same key with another body: 422, on either replica.
    let changed = call(
        &c,
        &c.a,
        "alice",
        Method::POST,
        "/v1/volumes",
        Some(&create_body("idem2")),
        &key,
    )
    .await;
    assert_eq!(
        (changed.0, &changed.2["code"]),
        (422, &json!("idempotency_key_reused")),
        "{}",
        changed.2
    );
    // Another principal's identical key is its own.
    let bob = call(
        &c,
        &c.b,
        "bob",
        Method::POST,
        "/v1/volumes",
        Some(&create_body("idem3")),
        &key,
    )
    .await;
    assert_eq!(bob.0, 202, "{}", bob.2);
    assert_ne!(bob.2["id"], ra.2["id"]);
    assert!(bob.1.get("idempotent-replayed").is_none());
    assert_eq!(vendor_creates(&c), 2);
}

#[tokio::test]
async fn a_write_on_a_is_read_fresh_on_b_within_the_cache_ttl() {
    // A minute of cache: only an invalidation from A can make B read the change.
    let c = cluster(Duration::from_millis(100), 60_000).await;
    let (s, _, op) = call(
        &c,
        &c.a,
        "alice",
        Method::POST,
        "/v1/volumes?wait=20s",
        Some(&create_body("fresh1")),
        &[],
    )
    .await;
    assert_eq!(s, 200, "{op}");
    let vol = op["result"]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/volumes/{vol}");
    let (s, _, before) = call(&c, &c.b, "alice", Method::GET, &path, None, &[]).await;
    assert_eq!((s, &before["size_gib"]), (200, &json!(300)));
    let (_, h, _) = call(&c, &c.b, "alice", Method::GET, &path, None, &[]).await;
    assert!(h.get("age").is_some(), "B now serves it from its cache");
    let (s, _, upd) = call(
        &c,
        &c.a,
        "alice",
        Method::PATCH,
        &format!("{path}?wait=20s"),
        Some(&json!({"size_gib": 500})),
        &[],
    )
    .await;
    assert_eq!(s, 200, "{upd}");
    let (s, _, after) = call(&c, &c.b, "alice", Method::GET, &path, None, &[]).await;
    assert_eq!(
        (s, &after["size_gib"]),
        (200, &json!(500)),
        "read-your-writes across replicas: {after}"
    );
}

#[tokio::test]
async fn a_redis_outage_flips_readiness_keeps_reads_refuses_changes_and_recovers() {
    let mut c = cluster(Duration::from_millis(100), 2_000).await;
    let (s, _, op) = call(
        &c,
        &c.a,
        "alice",
        Method::POST,
        "/v1/volumes?wait=20s",
        Some(&create_body("outage1")),
        &[],
    )
    .await;
    assert_eq!(s, 200, "{op}");
    let vol = op["result"]["id"].as_str().unwrap().to_string();
    c.redis.stop();
    let deadline = Instant::now() + Duration::from_secs(10);
    for r in [&c.a, &c.b] {
        loop {
            let (s, body) = ready(&c, r).await;
            if s == 503 {
                assert_eq!(body["redis"], "down", "{body}");
                break;
            }
            assert!(Instant::now() < deadline, "readiness did not flip: {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Reads go on, from the vendor.
    let (s, _, v) = call(
        &c,
        &c.b,
        "alice",
        Method::GET,
        &format!("/v1/volumes/{vol}"),
        None,
        &[("cache-control", "no-cache")],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, _, _) = call(&c, &c.a, "alice", Method::GET, "/v1/volumes", None, &[]).await;
    assert_eq!(s, 200);
    // Changes fail clearly, before any vendor call, with or without a key.
    let creates = vendor_creates(&c);
    for (r, key) in [(&c.a, None), (&c.b, Some("outage-key-1"))] {
        let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
        let (s, h, p) = call(
            &c,
            r,
            "alice",
            Method::POST,
            "/v1/volumes",
            Some(&create_body("outage2")),
            &headers,
        )
        .await;
        assert_eq!(
            (s, &p["code"], &p["retryable"]),
            (503, &json!("shared_state_unavailable"), &json!(true)),
            "{p}"
        );
        assert!(h.get("retry-after").is_some());
    }
    assert_eq!(
        vendor_creates(&c),
        creates,
        "no vendor call while Redis is down"
    );
    // Redis comes back: both replicas recover by themselves.
    c.redis.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    for r in [&c.a, &c.b] {
        while ready(&c, r).await.0 != 200 {
            assert!(Instant::now() < deadline, "replica did not recover");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    for (r, name) in [(&c.a, "after1"), (&c.b, "after2")] {
        let (s, _, op) = call(
            &c,
            r,
            "alice",
            Method::POST,
            "/v1/volumes?wait=20s",
            Some(&create_body(name)),
            &[("idempotency-key", name)],
        )
        .await;
        assert_eq!((s, &op["state"]), (200, &json!("succeeded")), "{op}");
    }
}
