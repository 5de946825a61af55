//! The same demo gateway with `redis_url` set (a `redis-server` of the benchmark's own on a
//! free loopback port, or `--redis-url`): cached reads against the same baseline, and
//! `GET /v1/operations/{id}` on the Redis store next to the in-memory one.

use std::time::Duration;

use anyhow::Context;
use reqwest::{Client, Request};
use serde_json::{json, Value};
use strata_server::demo::{demo_config, demo_registry, DemoSimulators};
use strata_server::{serve, Gateway, RunningServer};

#[path = "../../../tests/src/redis.rs"]
mod redis;

/// A demo gateway on loopback, configured by `redis_url` (or not).
pub struct DemoGateway {
    /// Its base URL.
    pub base: String,
    _gateway: Gateway,
    _server: RunningServer,
    _sims: DemoSimulators,
    _redis: Option<redis::RedisServer>,
}

impl DemoGateway {
    /// With Redis: `url`, or a `redis-server` started here when `url` is `None`.
    pub async fn with_redis(
        url: Option<String>,
        auth: strata_server::config::AuthConfig,
    ) -> anyhow::Result<DemoGateway> {
        let (url, server) = match url {
            Some(u) => (u, None),
            None => {
                let r = redis::RedisServer::start();
                (r.url(), Some(r))
            }
        };
        let mut cfg = demo_config("127.0.0.1:0");
        cfg.layers.cache_ttl_ms = 60_000;
        cfg.layers.list_deadline_ms = 1_000;
        cfg.redis_url = Some(strata_server::config::SecretSource::Literal(url));
        // The same keys as the first gateway: one token for both.
        cfg.auth = auth;
        let grace = cfg.shutdown_grace();
        let (registry, sims) = demo_registry().await?;
        let gw = Gateway::with_registry(cfg, registry).await?;
        let srv = serve(&gw, "127.0.0.1:0", grace, false).await?;
        let base = format!("http://{}", srv.addr);
        let client = Client::new();
        for _ in 0..100 {
            let ready = client.get(format!("{base}/readyz")).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return Ok(DemoGateway {
                    base,
                    _gateway: gw,
                    _server: srv,
                    _sims: sims,
                    _redis: server,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("the Redis-configured gateway did not become ready (is Redis reachable?)")
    }
}

/// `GET {base}{path}` with `token`.
pub fn get(client: &Client, base: &str, path: &str, token: &str) -> anyhow::Result<Request> {
    Ok(client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .build()?)
}

/// The id of a volume of a provider whose id starts with `prefix`, listed on `base`.
pub async fn volume_id(
    client: &Client,
    base: &str,
    token: &str,
    prefix: &str,
) -> anyhow::Result<String> {
    let list: Value = client
        .execute(get(client, base, "/v1/volumes?page_size=500", token)?)
        .await?
        .json()
        .await?;
    list["volumes"]
        .as_array()
        .and_then(|vs| {
            vs.iter().find(|v| {
                v["provider"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(prefix))
            })
        })
        .and_then(|v| v["id"].as_str())
        .map(str::to_string)
        .with_context(|| format!("no `{prefix}` volume on {base}"))
}

/// Runs one operation to its end on `base` (a volume created on the in-memory `demo-kr1`) and
/// returns its id.
pub async fn finished_operation(
    client: &Client,
    base: &str,
    token: &str,
) -> anyhow::Result<String> {
    let name = format!("bench-{}", &uuid_like());
    let op: Value = client
        .post(format!("{base}/v1/volumes?wait=30s"))
        .bearer_auth(token)
        .json(&json!({"provider":"demo-kr1","kind":"file","name":name,"size_gib":100,"protocol":"nfs"}))
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(op["done"] == true, "the operation did not finish: {op}");
    op["id"]
        .as_str()
        .map(str::to_string)
        .context("the operation has an id")
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    )
}
