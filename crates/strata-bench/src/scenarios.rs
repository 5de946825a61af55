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
        // The baseline serializes a real volume of the demo: an NHN one (about 510 bytes of JSON),
        // at least as large as the memory (~360) and SCP (~425) volumes the cached rows read.
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

    /// `baseline` and `target` measured in alternating slices ([`load::paired`]): the two rows.
    async fn pair(
        &self,
        (base_label, baseline): (&str, Request),
        (label, target): (&str, Request),
        settings: LoadSettings,
    ) -> Vec<Row> {
        let (base, stats) = load::paired(&self.client, baseline, target, settings).await;
        vec![
            row(base_label, base, None),
            row(label, stats, Some(base.rps)),
        ]
    }

    /// The baseline's volume document. Its requests carry the same bearer token as the
    /// gateway's (the baseline ignores it), so both parse the same request.
    fn baseline_volume(&self) -> anyhow::Result<(&'static str, Request)> {
        Ok((
            "baseline: axum GET /v1/volumes/x",
            self.client
                .get(format!("{}/v1/volumes/x", self.baseline))
                .bearer_auth(&self.token)
                .build()?,
        ))
    }

    /// `GET /healthz` on the baseline and on the gateway.
    pub async fn healthz(&self) -> anyhow::Result<Vec<Row>> {
        let base = self
            .client
            .get(format!("{}/healthz", self.baseline))
            .build()?;
        Ok(self
            .pair(
                ("baseline: axum GET /healthz", base),
                (
                    "gateway: GET /healthz",
                    self.gateway_req("/healthz", false)?,
                ),
                self.settings,
            )
            .await)
    }

    /// Cached `GET /v1/volumes/{id}` of a memory, an NHN and an SCP volume, each against the
    /// baseline's volume document.
    pub async fn cached_reads(&self) -> anyhow::Result<Vec<Row>> {
        let mut rows = vec![];
        for (label, prefix) in [("memory", "demo-"), ("NHN", "nhn-"), ("SCP", "scp-")] {
            let path = format!("/v1/volumes/{}", self.volume_id(prefix)?);
            let label = format!("gateway: GET /v1/volumes/{{id}} cached, {label}");
            rows.extend(
                self.pair(
                    self.baseline_volume()?,
                    (&label, self.gateway_req(&path, false)?),
                    self.settings,
                )
                .await,
            );
        }
        Ok(rows)
    }

    /// The warm list across every demo provider, against the baseline's volume document.
    pub async fn warm_list(&self) -> anyhow::Result<Vec<Row>> {
        let label = format!(
            "gateway: GET /v1/volumes warm, {} volumes of 6 providers",
            self.volumes.len()
        );
        let list = self.gateway_req("/v1/volumes?page_size=500", false)?;
        Ok(self
            .pair(self.baseline_volume()?, (&label, list), self.settings)
            .await)
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
        let n = self.settings.concurrency;
        let mut rows = self
            .pair(
                (
                    &format!("direct: NHN sim GET /v1/volumes/{{vid}}, {n} workers"),
                    direct.try_clone().context("no body")?,
                ),
                (
                    &format!("gateway: GET /v1/volumes/{{id}} no-cache, NHN, {n} workers"),
                    via.try_clone().context("no body")?,
                ),
                self.settings,
            )
            .await;
        let single = self
            .pair(
                ("direct: NHN sim GET /v1/volumes/{vid}, 1 worker", direct),
                ("gateway: GET /v1/volumes/{id} no-cache, NHN, 1 worker", via),
                one,
            )
            .await;
        let (d_one, g_one) = (single[0].stats, single[1].stats);
        rows.extend(single);
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
    /// With Redis configured: cached reads (memory, NHN) against the same baseline, and
    /// `GET /v1/operations/{id}` on Redis against the in-memory store.
    pub async fn with_redis(&self, redis_url: Option<String>) -> anyhow::Result<Vec<Row>> {
        let shared_gw = DemoGateway::with_redis(redis_url, self.auth.clone()).await?;
        let mut rows = vec![];
        for (label, prefix) in [("memory", "demo-"), ("NHN", "nhn-")] {
            let id = shared::volume_id(&self.client, &shared_gw.base, &self.token, prefix).await?;
            let req = shared::get(
                &self.client,
                &shared_gw.base,
                &format!("/v1/volumes/{id}"),
                &self.token,
            )?;
            let label = format!("gateway + Redis: GET /v1/volumes/{{id}} cached, {label}");
            rows.extend(
                self.pair(self.baseline_volume()?, (&label, req), self.settings)
                    .await,
            );
        }
        // The operation read on the in-memory store is the baseline of the one on Redis.
        let mut reads = vec![];
        for gw_base in [&self.gateway, &shared_gw.base] {
            let op = shared::finished_operation(&self.client, gw_base, &self.token).await?;
            reads.push(shared::get(
                &self.client,
                gw_base,
                &format!("/v1/operations/{op}"),
                &self.token,
            )?);
        }
        let redis = reads.pop().context("two operation reads")?;
        let memory = reads.pop().context("two operation reads")?;
        let ops = self
            .pair(
                ("gateway: GET /v1/operations/{id}, in-memory store", memory),
                ("gateway: GET /v1/operations/{id}, Redis store", redis),
                self.settings,
            )
            .await;
        rows.extend(ops);
        Ok(rows)
    }
}

fn row(scenario: &str, stats: Stats, baseline_rps: Option<f64>) -> Row {
    Row {
        scenario: scenario.to_string(),
        stats,
        baseline_rps,
    }
}
