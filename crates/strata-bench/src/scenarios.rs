//! The scenarios: the demo gateway started in-process exactly as `strata demo` builds it (with
//! a long cache TTL and a short list deadline), the baseline beside it, and one function per
//! measured question.

use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::{Client, Request};
use serde_json::{json, Value};
use strata_core::ids::GlobalId;
use strata_core::model::Volume;
use strata_server::auth::mint_hs256;
use strata_server::demo::{demo_config, demo_registry, DemoSimulators};
use strata_server::{serve, Gateway, RunningServer};

use crate::load::{self, LoadSettings, Stats};
use crate::shared::{self, DemoGateway};

/// One line of the results table.
pub struct Row {
    /// What was measured.
    pub scenario: String,
    /// The measurement.
    pub stats: Stats,
    /// Requests per second of the baseline this row is compared with, if any.
    pub baseline_rps: Option<f64>,
}

/// The gateway under test, its simulators, the baseline and the client driving both.
pub struct Bench {
    /// Driver settings shared by every load scenario.
    pub settings: LoadSettings,
    client: Client,
    gateway: String,
    baseline: String,
    token: String,
    auth: strata_server::config::AuthConfig,
    sims: DemoSimulators,
    volumes: Vec<Value>,
    _gateway: Gateway,
    _server: RunningServer,
}

impl Bench {
    /// Starts the demo gateway and the baseline on loopback ports chosen by the system.
    pub async fn start(settings: LoadSettings) -> anyhow::Result<Bench> {
        let mut cfg = demo_config("127.0.0.1:0");
        // Cached reads must stay cached for the whole run; a hanging provider is given up on
        // after a second instead of five.
        cfg.layers.cache_ttl_ms = 60_000;
        cfg.layers.list_deadline_ms = 1_000;
        let secret = cfg
            .auth
            .hs256_secret
            .as_ref()
            .context("the demo config has an HS256 secret")?
            .resolve()?;
        let token = mint_hs256(
            &secret,
            &cfg.auth,
            "bench",
            "storage.read storage.write storage.admin",
            Duration::from_secs(3600),
            None,
        )?;
        let grace = cfg.shutdown_grace();
        let auth_cfg = cfg.auth.clone();
        let (registry, sims) = demo_registry().await?;
        let gw = Gateway::with_registry(cfg, registry).await?;
        let server = serve(&gw, "127.0.0.1:0", grace, false).await?;
        let client = Client::builder().pool_max_idle_per_host(1024).build()?;
        let mut bench = Bench {
            settings,
            client,
            gateway: format!("http://{}", server.addr),
            baseline: String::new(),
            token,
            auth: auth_cfg,
            sims,
            volumes: vec![],
            _gateway: gw,
            _server: server,
        };
        let list = bench.get_json("/v1/volumes?page_size=500", false).await?;
        bench.volumes = list["volumes"]
            .as_array()
            .context("the volume list has `volumes`")?
            .clone();
        // The baseline serializes a real volume of the demo (an NHN one: the largest).
        let sample: Volume = serde_json::from_value(bench.volume_of("nhn-")?.clone())?;
        bench.baseline = crate::baseline::start(sample).await?;
        Ok(bench)
    }

    /// The first listed volume of a provider whose id starts with `prefix`.
    fn volume_of(&self, prefix: &str) -> anyhow::Result<&Value> {
        self.volumes
            .iter()
            .find(|v| {
                v["provider"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(prefix))
            })
            .with_context(|| format!("no demo volume of a `{prefix}` provider"))
    }

    fn volume_id(&self, prefix: &str) -> anyhow::Result<String> {
        Ok(self.volume_of(prefix)?["id"]
            .as_str()
            .context("volumes have an `id`")?
            .to_string())
    }

    /// A gateway request: `/v1` paths carry the token; `no_cache` asks past the cache.
    fn gateway_req(&self, path: &str, no_cache: bool) -> anyhow::Result<Request> {
        let mut b = self.client.get(format!("{}{path}", self.gateway));
        if path.starts_with("/v1") {
            b = b.bearer_auth(&self.token);
        }
        if no_cache {
            b = b.header("cache-control", "no-cache");
        }
        Ok(b.build()?)
    }

    async fn get_json(&self, path: &str, no_cache: bool) -> anyhow::Result<Value> {
        let resp = self
            .client
            .execute(self.gateway_req(path, no_cache)?)
            .await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        anyhow::ensure!(status.is_success(), "GET {path}: {status} {body}");
        Ok(body)
    }

    async fn measure(&self, req: Request, settings: LoadSettings) -> Stats {
        load::run(&self.client, req, settings).await
    }

    /// `GET /healthz` on the baseline and on the gateway.
    pub async fn healthz(&self) -> anyhow::Result<Vec<Row>> {
        let base = self
            .measure(
                self.client
                    .get(format!("{}/healthz", self.baseline))
                    .build()?,
                self.settings,
            )
            .await;
        let gw = self
            .measure(self.gateway_req("/healthz", false)?, self.settings)
            .await;
        Ok(vec![
            row("baseline: axum GET /healthz", base, None),
            row("gateway: GET /healthz", gw, Some(base.rps)),
        ])
    }

    /// Cached `GET /v1/volumes/{id}` of a memory, an NHN and an SCP volume, and the warm list
    /// across every demo provider, against the baseline's volume document.
    pub async fn cached_reads(&self) -> anyhow::Result<Vec<Row>> {
        let base = self
            .measure(
                self.client
                    .get(format!("{}/v1/volumes/x", self.baseline))
                    .build()?,
                self.settings,
            )
            .await;
        let mut rows = vec![row("baseline: axum GET /v1/volumes/x", base, None)];
        for (label, prefix) in [("memory", "demo-"), ("NHN", "nhn-"), ("SCP", "scp-")] {
            let path = format!("/v1/volumes/{}", self.volume_id(prefix)?);
            let stats = self
                .measure(self.gateway_req(&path, false)?, self.settings)
                .await;
            rows.push(row(
                &format!("gateway: GET /v1/volumes/{{id}} cached, {label}"),
                stats,
                Some(base.rps),
            ));
        }
        let list = self
            .measure(
                self.gateway_req("/v1/volumes?page_size=500", false)?,
                self.settings,
            )
            .await;
        rows.push(row(
            &format!(
                "gateway: GET /v1/volumes warm, {} volumes of 6 providers",
                self.volumes.len()
            ),
            list,
            Some(base.rps),
        ));
        Ok(rows)
    }

    /// Uncached `GET /v1/volumes/{id}` of an NHN volume against the same vendor call sent
    /// straight to the NHN simulator, under load and with one worker (for added latency).
    pub async fn uncached_nhn(&self) -> anyhow::Result<(Vec<Row>, Duration, Duration)> {
        let gid = self.volume_id("nhn-kr1")?;
        let vendor_id = gid.parse::<GlobalId>()?.vendor_id;
        let nas = self
            .sims
            .nhn
            .nas_url("KR1")
            .context("the simulator serves KR1")?;
        let vendor_token = self.nhn_token().await?;
        let direct = self
            .client
            .get(format!("{nas}/v1/volumes/{vendor_id}"))
            .header("X-Auth-Token", vendor_token)
            .build()?;
        let via = self.gateway_req(&format!("/v1/volumes/{gid}"), true)?;
        let one = LoadSettings {
            concurrency: 1,
            ..self.settings
        };
        let d_load = self
            .measure(direct.try_clone().context("no body")?, self.settings)
            .await;
        let g_load = self
            .measure(via.try_clone().context("no body")?, self.settings)
            .await;
        let d_one = self.measure(direct, one).await;
        let g_one = self.measure(via, one).await;
        let n = self.settings.concurrency;
        let rows = vec![
            row(
                &format!("direct: NHN sim GET /v1/volumes/{{vid}}, {n} workers"),
                d_load,
                None,
            ),
            row(
                &format!("gateway: GET /v1/volumes/{{id}} no-cache, NHN, {n} workers"),
                g_load,
                Some(d_load.rps),
            ),
            row(
                "direct: NHN sim GET /v1/volumes/{vid}, 1 worker",
                d_one,
                None,
            ),
            row(
                "gateway: GET /v1/volumes/{id} no-cache, NHN, 1 worker",
                g_one,
                Some(d_one.rps),
            ),
        ];
        Ok((
            rows,
            g_one.p50.saturating_sub(d_one.p50),
            g_one.p99.saturating_sub(d_one.p99),
        ))
    }

    /// An identity token from the NHN simulator, as the adapter obtains one.
    async fn nhn_token(&self) -> anyhow::Result<String> {
        let c = self.sims.nhn.config();
        let body = json!({"auth": {"tenantId": c.tenant_id,
            "passwordCredentials": {"username": c.username, "password": c.password}}});
        let resp: Value = self
            .client
            .post(format!("{}/v2.0/tokens", self.sims.nhn.identity_url()))
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(resp["access"]["token"]["id"]
            .as_str()
            .context("the token answer has access.token.id")?
            .to_string())
    }

    /// 100 concurrent first reads of one NHN volume's usage: how many vendor calls they made
    /// and how long the burst took.
    pub async fn cold_burst(&self) -> anyhow::Result<(usize, Duration, usize)> {
        let path = format!("/v1/volumes/{}/usage", self.volume_id("nhn-kr1")?);
        let faults = self.sims.nhn.nas_faults();
        let before = faults.request_count();
        let req = self.gateway_req(&path, false)?;
        let started = Instant::now();
        let answers =
            futures::future::join_all((0..100).map(|_| load::send(&self.client, &req))).await;
        let took = started.elapsed();
        let calls = faults.requests()[before..]
            .iter()
            .filter(|r| r.uri.ends_with("/usage"))
            .count();
        Ok((calls, took, answers.iter().filter(|ok| **ok).count()))
    }

    /// A list across every demo provider (past the cache) while the NHN simulator hangs for
    /// 30 s: how long the answer took and which providers it reported unreachable.
    pub async fn hanging_list(&self) -> anyhow::Result<(Duration, Vec<String>, usize)> {
        let faults = self.sims.nhn.nas_faults();
        faults.set_latency(Duration::from_secs(30));
        let started = Instant::now();
        let answer = self.get_json("/v1/volumes?page_size=500", true).await;
        let took = started.elapsed();
        faults.clear();
        let answer = answer?;
        let unreachable = answer["unreachable"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|u| u["provider"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let listed = answer["volumes"].as_array().map_or(0, Vec::len);
        Ok((took, unreachable, listed))
    }
}

impl Bench {
    /// With Redis configured: cached reads (memory, NHN) against the same baseline, and the
    /// p99 of `GET /v1/operations/{id}` on the in-memory store and on Redis. Returns the rows
    /// and the two operation-read rows' p99s (memory, Redis).
    pub async fn with_redis(
        &self,
        redis_url: Option<String>,
    ) -> anyhow::Result<(Vec<Row>, Duration, Duration)> {
        let shared_gw = DemoGateway::with_redis(redis_url, self.auth.clone()).await?;
        let base = self
            .measure(
                self.client
                    .get(format!("{}/v1/volumes/x", self.baseline))
                    .build()?,
                self.settings,
            )
            .await;
        let mut rows = vec![row("baseline: axum GET /v1/volumes/x", base, None)];
        for (label, prefix) in [("memory", "demo-"), ("NHN", "nhn-")] {
            let id = shared::volume_id(&self.client, &shared_gw.base, &self.token, prefix).await?;
            let req = shared::get(
                &self.client,
                &shared_gw.base,
                &format!("/v1/volumes/{id}"),
                &self.token,
            )?;
            let stats = self.measure(req, self.settings).await;
            rows.push(row(
                &format!("gateway + Redis: GET /v1/volumes/{{id}} cached, {label}"),
                stats,
                Some(base.rps),
            ));
        }
        let mut p99 = Vec::new();
        for (label, gw_base) in [("in-memory", &self.gateway), ("Redis", &shared_gw.base)] {
            let op = shared::finished_operation(&self.client, gw_base, &self.token).await?;
            let req = shared::get(
                &self.client,
                gw_base,
                &format!("/v1/operations/{op}"),
                &self.token,
            )?;
            let stats = self.measure(req, self.settings).await;
            p99.push(stats.p99);
            rows.push(row(
                &format!("gateway: GET /v1/operations/{{id}}, {label} store"),
                stats,
                Some(base.rps),
            ));
        }
        Ok((rows, p99[0], p99[1]))
    }
}

fn row(scenario: &str, stats: Stats, baseline_rps: Option<f64>) -> Row {
    Row {
        scenario: scenario.to_string(),
        stats,
        baseline_rps,
    }
}
