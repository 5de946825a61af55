//! Test support shared by the SCP simulators' tests: a client that signs every request the
//! way SCP's gateway checks it, for any service and region.

use std::time::Duration;

use serde_json::Value;

use super::{signature, ScpSim, ScpSimConfig, Service};

/// A simulator whose changes settle in 30 ms, and a client to call it with.
pub(crate) async fn fast_sim() -> (ScpSim, reqwest::Client) {
    let sim = ScpSim::start(ScpSimConfig {
        delay: Duration::from_millis(30),
        ..ScpSimConfig::default()
    })
    .await
    .expect("sim starts");
    (sim, reqwest::Client::new())
}

/// Sends one signed request to `service` in `region` with an explicit `Scp-Api-Version`
/// value (`None`: the header is left out). Returns the status and the JSON body (`null`
/// when the body is not JSON).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn signed(
    http: &reqwest::Client,
    sim: &ScpSim,
    service: Service,
    region: &str,
    version_header: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let cfg = sim.config();
    let url = format!("{}{path}", sim.url(service, region).expect("region"));
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let sig = signature(
        &cfg.secret_key,
        method,
        &url,
        &ts,
        &cfg.access_key,
        &cfg.account_id,
    );
    let mut req = http
        .request(method.parse().expect("method"), &url)
        .header("Scp-AccessKey", &cfg.access_key)
        .header("Scp-Timestamp", &ts)
        .header("Scp-ClientType", "Openapi")
        .header("Scp-Signature", sig)
        .header("Scp-AccountId", &cfg.account_id);
    if let Some(v) = version_header {
        req = req.header("Scp-Api-Version", v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A fast simulator and a client signing every call to one of its services.
pub(crate) struct Harness {
    pub sim: ScpSim,
    http: reqwest::Client,
    service: Service,
}

impl Harness {
    pub async fn new(service: Service) -> Harness {
        let (sim, http) = fast_sim().await;
        Harness { sim, http, service }
    }

    /// A signed call with this `Scp-Api-Version` value (`None`: no header).
    pub async fn raw(
        &self,
        region: &str,
        header: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        signed(
            &self.http,
            &self.sim,
            self.service,
            region,
            header,
            method,
            path,
            body,
        )
        .await
    }
}
