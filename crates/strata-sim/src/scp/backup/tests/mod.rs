//! Backup over real HTTP with correctly signed requests: the harness and the front
//! (versions, header spelling, signatures, faults).

mod agents;
mod policies;
mod runs;

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
        T(Harness::new(Service::Backup).await)
    }

    /// A signed call in `version`.
    pub async fn at(
        &self,
        region: &str,
        version: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let v = format!("backup {version}");
        self.raw(region, Some(&v), method, path, body).await
    }

    /// A signed 1.1 call in kr-west1.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.at(WEST, "1.1", method, path, body).await
    }

    /// A 200 GET's body.
    pub async fn get(&self, path: &str) -> Value {
        let (s, b) = self.call("GET", path, None).await;
        assert_eq!(s, 200, "GET {path}: {b}");
        b
    }

    /// Polls `path` until `pred` holds on its body.
    pub async fn wait(&self, region: &str, path: &str, pred: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..200 {
            let (s, b) = self.at(region, "1.1", "GET", path, None).await;
            if s == 200 && pred(&b) {
                return b;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{path} never got there");
    }

    /// Polls until the backup answers 404.
    pub async fn wait_gone(&self, region: &str, path: &str) {
        for _ in 0..200 {
            if self.at(region, "1.1", "GET", path, None).await.0 == 404 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{path} never went away");
    }

    /// Creates an image policy over the API and waits until it is `AVAILABLE`.
    pub async fn image_policy(&self, name: &str, server: &str) -> String {
        let (s, b) = self
            .call("POST", "/v1/backups", Some(image_body(name, server)))
            .await;
        assert_eq!(s, 200, "{b}");
        let id = b["resource"]["id"].as_str().expect("id").to_string();
        self.wait(WEST, &format!("/v1/backups/{id}"), |b| {
            b["state"] == "AVAILABLE"
        })
        .await;
        id
    }

    /// Runs a manual backup and waits for the job to settle; returns the history row.
    pub async fn manual_run(&self, id: &str) -> Value {
        let (s, b) = self
            .call("POST", &format!("/v1/backups/{id}/manual-backup"), None)
            .await;
        assert_eq!(s, 200, "{b}");
        let path = format!("/v1/backups/{id}/backup-histories?sort=backup_start_time:desc&size=1");
        let h = self
            .wait(WEST, &path, |b| {
                b["contents"][0]["backup_job_state"] != "INPROGRESS"
            })
            .await;
        h["contents"][0].clone()
    }
}

/// A VM_IMAGE create body with a FULL weekly and an INCREMENTAL daily schedule.
pub(super) fn image_body(name: &str, server: &str) -> Value {
    json!({"name": name, "policy_category": "AGENTLESS", "policy_type": "VM_IMAGE",
        "server_uuid": server, "server_category": "VIRTUAL_SERVER",
        "retention_period": "WEEK_2", "encrypt_enabled": true,
        "schedules": [
            {"type": "FULL", "frequency": "WEEKLY", "start_time": "01:00:00", "start_day": "SUN"},
            {"type": "INCREMENTAL", "frequency": "DAILY", "start_time": "02:00:00"}],
        "tags": [{"key": "team", "value": "storage"}]})
}

/// The detail of a business-rule failure (`{"errors":[{code, detail}]}`).
pub(super) fn detail(b: &Value) -> String {
    assert!(b["errors"][0]["code"].is_string(), "error shape: {b}");
    b["errors"][0]["detail"].as_str().unwrap_or("").to_string()
}

/// The message of a request-validation failure (`ValidationErrorModel[]`).
pub(super) fn validation(b: &Value) -> String {
    assert!(
        b[0]["loc"].is_array() && b[0].get("type_").is_some(),
        "validation shape: {b}"
    );
    b[0]["msg"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn the_version_header_is_matched_in_any_case_and_defaults_to_1_1() {
    let t = T::new().await;
    for h in [
        Some("backup 1.0"),
        Some("Backup 1.1"),
        Some("BACKUP 1.0"),
        None,
    ] {
        let (s, b) = t.raw(WEST, h, "GET", "/v1/backups", None).await;
        assert_eq!(
            (s, &b),
            (200, &json!({"contents": [], "count": 0})),
            "{h:?}"
        );
    }
    for h in ["backup 1.2", "filestorage 1.0", "backup"] {
        let (s, b) = t.raw(WEST, Some(h), "GET", "/v1/backups", None).await;
        assert_eq!(s, 400, "{h}");
        assert!(detail(&b).contains("Scp-Api-Version"));
    }
    // Without the header, ShowBackup answers the 1.1 model.
    let srv = t.sim.seed_backup_target(WEST, "web-1", "VM", "LINUX");
    let id = t.sim.seed_backup(WEST, "bk-a", &srv, "image");
    let (s, b) = t
        .raw(WEST, None, "GET", &format!("/v1/backups/{id}"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["dr_enabled"], false);
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_logged() {
    let t = T::new().await;
    let url = format!("{}/v1/backups", t.sim.url(Service::Backup, EAST).unwrap());
    let r = reqwest::Client::new()
        .get(url)
        .header("Scp-AccessKey", "sim-access-key")
        .header(
            "Scp-Timestamp",
            chrono::Utc::now().timestamp_millis().to_string(),
        )
        .header("Scp-ClientType", "Openapi")
        .header("Scp-Signature", "bogus")
        .header("Scp-API-Version", "backup 1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["errors"][0]["code"], "Unauthorized");
    assert_eq!(t.sim.faults(Service::Backup).request_count(), 1);
}

#[tokio::test]
async fn injected_faults_and_unknown_operations_use_the_errors_shape() {
    let t = T::new().await;
    t.sim.faults(Service::Backup).force_status(503, 1);
    let (s, b) = t.call("GET", "/v1/backups", None).await;
    assert_eq!(s, 503);
    assert_eq!(b["errors"][0]["code"], "ServiceUnavailable");
    assert_eq!(t.call("GET", "/v1/backups", None).await.0, 200);
    let (s, b) = t.call("GET", "/v1/nothing", None).await;
    assert_eq!(s, 404);
    detail(&b);
    // The other services are unaffected by Backup's faults.
    assert_eq!(t.sim.faults(Service::BlockStorage).request_count(), 0);
}
