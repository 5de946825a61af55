//! Shared helpers for the end-to-end tests: start a gateway on port 0 and mint tokens, and
//! start a real Redis ([`redis::RedisServer`]).

pub mod redis;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use strata_server::config::{Config, SecretSource};
use strata_server::state::Registry;
use strata_server::{serve, Gateway, RunningServer};
use strata_sim::memory::MemoryProvider;
use strata_sim::nhn::{NhnSim, NhnSimConfig};
use strata_sim::scp::{ScpSim, ScpSimConfig};

pub mod contract;

/// The HS256 secret test gateways use.
pub const SECRET: &str = "test-secret-0123456789abcdef0123456789";

/// A file under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A test configuration: HS256 plus the fixture JWKS file, fast operation polling.
pub fn test_config() -> Config {
    let mut cfg = Config {
        listen: "127.0.0.1:0".into(),
        ..Config::default()
    };
    cfg.auth.hs256_secret = Some(SecretSource::Literal(SECRET.into()));
    cfg.auth.jwks_file = Some(fixture("jwks.json"));
    cfg.operations.initial_poll_ms = 10;
    cfg.operations.max_poll_ms = 50;
    cfg.operations.timeout_seconds = 30;
    cfg
}

/// Two in-memory providers, `mem-a` (KR1, replicates to KR2) and `mem-b` (KR2).
pub fn memory_registry(delay: Duration) -> Registry {
    memory_registry_with_a(delay).0
}

/// [`memory_registry`], and `mem-a` itself (for its test hooks: archiving runs, object
/// storage buckets).
pub fn memory_registry_with_a(delay: Duration) -> (Registry, Arc<MemoryProvider>) {
    let mut r = Registry::new();
    let a = Arc::new(
        MemoryProvider::new("mem-a", "KR1", delay).with_replication_regions(vec!["KR2".into()]),
    );
    r.insert(a.clone());
    r.insert(Arc::new(MemoryProvider::new("mem-b", "KR2", delay)));
    (r, a)
}

/// A gateway serving on a free port.
pub struct TestGateway {
    pub base: String,
    /// Where `/metrics` is served when `server.metrics_listen` gives it an address of its own.
    pub metrics_addr: Option<std::net::SocketAddr>,
    pub http: reqwest::Client,
    pub gateway: Gateway,
    server: Option<RunningServer>,
}

impl TestGateway {
    /// Starts a gateway with `cfg` and `registry`.
    pub async fn start_with(cfg: Config, registry: Registry) -> TestGateway {
        Self::serve_gateway(
            Gateway::with_registry(cfg, registry)
                .await
                .expect("gateway builds"),
        )
        .await
    }

    async fn serve_gateway(gateway: Gateway) -> TestGateway {
        let server = serve(&gateway, "127.0.0.1:0", Duration::from_secs(5), false)
            .await
            .expect("gateway serves");
        TestGateway {
            base: format!("http://{}", server.addr),
            metrics_addr: server.metrics_addr,
            http: reqwest::Client::new(),
            gateway,
            server: Some(server),
        }
    }

    /// Starts a gateway on the test config and two memory providers.
    /// A gateway whose providers are built from `cfg.providers`, as `strata serve` builds them.
    pub async fn start_from_config(cfg: Config) -> TestGateway {
        Self::serve_gateway(Gateway::from_config(cfg).await.expect("gateway builds")).await
    }

    pub async fn start() -> TestGateway {
        Self::start_with(test_config(), memory_registry(Duration::from_millis(30))).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with a full-scope HS256 token.
    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(token(&claims("tester", "storage.read storage.write")))
    }

    /// Stops the server, draining in-flight requests.
    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await.expect("server stops cleanly");
        }
    }
}

/// Standard claims valid for an hour.
/// The NHN simulator (KR1 + KR2) and a gateway with providers `nhn-kr1` and `nhn-kr2`.
pub async fn start_nhn(delay: Duration, token_ttl: Duration) -> (TestGateway, NhnSim) {
    start_nhn_with(test_config(), delay, token_ttl).await
}

/// [`start_nhn`] with a configuration of the test's own (layers, limits).
pub async fn start_nhn_with(
    mut cfg: Config,
    delay: Duration,
    token_ttl: Duration,
) -> (TestGateway, NhnSim) {
    let sim = NhnSim::start(NhnSimConfig {
        regions: vec!["KR1".into(), "KR2".into()],
        delay,
        token_ttl,
        ..Default::default()
    })
    .await
    .expect("simulator starts");
    cfg.providers = strata_server::demo::nhn_provider_configs(&sim, &["KR1", "KR2"]);
    (TestGateway::start_from_config(cfg).await, sim)
}

/// The SCP simulator (kr-west1 + kr-east1) and a gateway with providers `scp-kr-west1` and
/// `scp-kr-east1`, built from ordinary provider configuration.
pub async fn start_scp(delay: Duration) -> (TestGateway, ScpSim) {
    let sim = ScpSim::start(ScpSimConfig {
        delay,
        ..Default::default()
    })
    .await
    .expect("simulator starts");
    // Servers SCP Backup can protect and put agents on.
    for region in ["kr-west1", "kr-east1"] {
        for name in ["web-01", "web-02", "web-03"] {
            sim.seed_backup_target(region, name, "VIRTUAL_SERVER", "LINUX");
        }
    }
    let mut cfg = test_config();
    cfg.providers = strata_server::demo::scp_provider_configs(&sim, &["kr-west1", "kr-east1"]);
    (TestGateway::start_from_config(cfg).await, sim)
}

/// Waits for an operation answer (`202` or `200`) to finish, through its `Location` and the
/// gateway's own `?wait=`; returns the finished operation, which must have succeeded.
pub async fn settle(gw: &TestGateway, resp: (u16, reqwest::header::HeaderMap, Value)) -> Value {
    let (status, headers, op) = resp;
    assert!(
        status == 200 || status == 202,
        "expected an operation, got {status}: {op}"
    );
    let loc = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location header")
        .to_string();
    assert_eq!(
        loc,
        format!("/v1/operations/{}", op["id"].as_str().unwrap())
    );
    let done = if op["done"] == true {
        op
    } else {
        let (s, _, done) = send(gw.req(reqwest::Method::GET, &format!("{loc}?wait=30s"))).await;
        assert_eq!(s, 200, "operation done: {done}");
        done
    };
    assert_eq!(done["state"], "succeeded", "{done}");
    done
}

/// Sends a mutation (with an optional JSON body) and waits for its operation to succeed;
/// returns the finished operation.
pub async fn run_op(
    gw: &TestGateway,
    m: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut rb = gw.req(m, path);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    settle(gw, send(rb).await).await
}

pub fn claims(sub: &str, scope: &str) -> Value {
    let now = chrono_now();
    json!({"sub": sub, "iss": "strata", "aud": "strata", "exp": now + 3600, "nbf": now - 1, "iat": now, "scope": scope})
}

pub fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// An HS256 token with the test secret.
pub fn token(claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("token encodes")
}

/// An RS256 or ES256 token signed with a fixture key and `kid`.
pub fn signed(alg: Algorithm, pem_file: &str, kid: &str, claims: &Value) -> String {
    let pem = std::fs::read(fixture(pem_file)).expect("fixture key");
    let key = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        other => panic!("unsupported test algorithm {other:?}"),
    }
    .expect("fixture key parses");
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &key).expect("token encodes")
}

/// Sends a request and returns status, headers and JSON body (Null when empty).
pub async fn send(rb: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = rb.send().await.expect("request is answered");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("body reads");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, headers, body)
}

/// Asserts the response is a well-formed problem with `status` and `code`; returns the body.
pub fn assert_problem(
    resp: &(u16, reqwest::header::HeaderMap, Value),
    status: u16,
    code: &str,
) -> Value {
    let (got, headers, body) = resp;
    assert_eq!(*got, status, "status; body: {body}");
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "content type; body: {body}"
    );
    assert_eq!(body["status"], status, "status member; body: {body}");
    assert_eq!(body["code"], code, "code; body: {body}");
    assert_eq!(body["type"], format!("urn:strata:problem:{code}"));
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "title; body: {body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "detail; body: {body}"
    );
    let rid = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id header");
    assert_eq!(
        body["request_id"], rid,
        "request id in body matches the header"
    );
    body.clone()
}
