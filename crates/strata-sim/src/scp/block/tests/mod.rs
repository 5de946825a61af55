//! Block Storage over real HTTP with correctly signed requests: the harness and the front
//! (signature, version header, version-gated operations).

mod groups;
mod replications;
mod volumes;

use std::time::Duration;

use serde_json::{json, Value};

use crate::scp::testing::Harness;
use crate::scp::Service;

pub(super) const WEST: &str = "kr-west1";
pub(super) const EAST: &str = "kr-east1";

/// A simulator and a signing client.
pub(super) struct T(Harness);

impl std::ops::Deref for T {
    type Target = Harness;
    fn deref(&self) -> &Harness {
        &self.0
    }
}

impl T {
    pub async fn new() -> T {
        T(Harness::new(Service::BlockStorage).await)
    }

    /// A signed call with an explicit `Scp-Api-Version` value.
    pub async fn raw(
        &self,
        region: &str,
        version_header: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.0
            .raw(region, Some(version_header), method, path, body)
            .await
    }

    /// A signed call in `version` (hyphenated service word).
    pub async fn at(
        &self,
        region: &str,
        version: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let v = format!("baremetal-blockstorage {version}");
        self.raw(region, &v, method, path, body).await
    }

    /// A signed 1.2 call in kr-west1.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.at(WEST, "1.2", method, path, body).await
    }

    /// Show Volume's `result` (1.2) in `region`, or `None` on 404.
    pub async fn volume_in(&self, region: &str, id: &str) -> Option<Value> {
        let (s, b) = self
            .at(region, "1.2", "GET", &format!("/v1/volumes/{id}"), None)
            .await;
        (s == 200).then(|| b["result"].clone())
    }

    /// Polls until the volume (in `region`) is in `state`.
    pub async fn wait_volume(&self, region: &str, id: &str, state: &str) -> Value {
        for _ in 0..100 {
            if let Some(v) = self.volume_in(region, id).await {
                if v["state"] == state {
                    return v;
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("volume {id} never reached {state}");
    }

    /// Polls until the volume answers 404.
    pub async fn wait_gone(&self, id: &str) {
        for _ in 0..100 {
            if self.volume_in(WEST, id).await.is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("volume {id} never went away");
    }

    /// Polls until the group (in `region`) is in `state`.
    pub async fn wait_group(&self, region: &str, id: &str, state: &str) -> Value {
        for _ in 0..100 {
            let (s, b) = self
                .at(
                    region,
                    "1.2",
                    "GET",
                    &format!("/v1/volume-groups/{id}"),
                    None,
                )
                .await;
            if s == 200 && b["result"]["state"] == state {
                return b["result"].clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("group {id} never reached {state}");
    }

    /// Creates a volume over the API and returns its id (not waited for).
    pub async fn create_volume(&self, name: &str, disk: &str, attachments: Value) -> String {
        let (s, b) = self
            .call(
                "POST",
                "/v1/volumes",
                Some(json!({"name": name, "disk_type": disk, "size_gb": 10, "attachments": attachments})),
            )
            .await;
        assert_eq!(s, 202, "{b}");
        b["resource_id"].as_str().expect("id").to_string()
    }
}

/// The detail of a Block Storage failure.
pub(super) fn detail(b: &Value) -> String {
    assert!(b["errors"][0]["code"].is_string(), "error shape: {b}");
    b["errors"][0]["detail"].as_str().unwrap_or("").to_string()
}

pub(super) fn is_hex32(s: &Value) -> bool {
    s.as_str().is_some_and(|s| {
        s.len() == 32
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    })
}

#[tokio::test]
async fn both_version_spellings_are_accepted_and_others_refused() {
    let t = T::new().await;
    for v in ["baremetal-blockstorage 1.0", "baremetalblockstorage 1.2"] {
        let (s, b) = t.raw(WEST, v, "GET", "/v1/volumes", None).await;
        assert_eq!(s, 200, "{v}: {b}");
        assert_eq!(b["total_count"], 0);
    }
    for v in [
        "baremetal-blockstorage 2.0",
        "filestorage 1.0",
        "baremetal-blockstorage",
    ] {
        let (s, b) = t.raw(WEST, v, "GET", "/v1/volumes", None).await;
        assert_eq!(s, 400, "{v}");
        assert!(detail(&b).contains("Scp-Api-Version"));
    }
}

#[tokio::test]
async fn a_bad_signature_is_refused_in_the_block_error_shape() {
    let t = T::new().await;
    let url = format!(
        "{}/v1/volumes",
        t.sim.url(Service::BlockStorage, WEST).unwrap()
    );
    let r = reqwest::Client::new()
        .get(url)
        .header("Scp-AccessKey", "sim-access-key")
        .header(
            "Scp-Timestamp",
            chrono::Utc::now().timestamp_millis().to_string(),
        )
        .header("Scp-ClientType", "Openapi")
        .header("Scp-Signature", "bogus")
        .header("Scp-Api-Version", "baremetal-blockstorage 1.2")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["errors"][0]["code"], "Unauthorized");
    assert_eq!(t.sim.faults(Service::BlockStorage).request_count(), 1);
}

#[tokio::test]
async fn version_gated_operations_answer_404_before_their_version() {
    let t = T::new().await;
    let id = t.sim.seed_block_volume(WEST, "vol-a", "SSD", 10, &[]);
    let qos = format!("/v1/volumes/{id}/qos");
    for v in ["1.0", "1.1"] {
        let (s, b) = t
            .at(WEST, v, "PUT", &qos, Some(json!({"iops": 4000})))
            .await;
        assert_eq!(s, 404, "{b}");
    }
    let (s, b) = t.call("PUT", &qos, Some(json!({"iops": 4000}))).await;
    assert_eq!((s, b), (200, json!({"iops": 4000, "throughput": 125})));
    let rec = format!("/v1/volumes/{id}/recoveries");
    let gid = t.sim.seed_volume_group(WEST, "vg-a", &[]);
    let grec = format!("/v1/volume-groups/{gid}/recoveries");
    for path in [&rec, &grec] {
        let (s, b) = t.at(WEST, "1.0", "POST", path, Some(json!({}))).await;
        assert_eq!(s, 404, "{b}");
        assert!(detail(&b).contains("1.1"));
        // 1.1 reaches the operation (and its validation).
        let (s, _) = t.at(WEST, "1.1", "POST", path, Some(json!({}))).await;
        assert_eq!(s, 400);
    }
    let (s, b) = t.call("GET", "/v1/nothing", None).await;
    assert_eq!(s, 404);
    detail(&b);
}

#[tokio::test]
async fn injected_faults_use_the_block_shape() {
    let t = T::new().await;
    t.sim.faults(Service::BlockStorage).force_status(503, 1);
    let (s, b) = t.call("GET", "/v1/volumes", None).await;
    assert_eq!(s, 503);
    assert_eq!(b["errors"][0]["code"], "ServiceUnavailable");
    let (s, _) = t.call("GET", "/v1/volumes", None).await;
    assert_eq!(s, 200);
}
