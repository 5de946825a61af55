//! Archive Storage over real HTTP with correctly signed requests: the harness and the front
//! (versions, the 1.1-only operations, faults and the request log).

mod lifecycle;
mod paging;
mod rules;

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
        T(Harness::new(Service::ArchiveStorage).await)
    }

    /// A signed call in `version` in kr-west1.
    pub async fn at(
        &self,
        version: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let v = format!("archivestorage {version}");
        self.raw(WEST, Some(&v), method, path, body).await
    }

    /// A signed 1.1 call in kr-west1.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.at("1.1", method, path, body).await
    }

    /// A 200 GET's body.
    pub async fn get(&self, path: &str) -> Value {
        let (s, b) = self.call("GET", path, None).await;
        assert_eq!(s, 200, "GET {path}: {b}");
        b
    }

    /// Polls `path` until `pred` holds on its body.
    pub async fn wait(&self, path: &str, pred: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..300 {
            let (s, b) = self.call("GET", path, None).await;
            if s == 200 && pred(&b) {
                return b;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{path} never got there");
    }

    /// Creates an archive bucket over the API; returns its id.
    pub async fn bucket(&self, name: &str) -> String {
        let (s, b) = self
            .call("POST", "/v1/buckets", Some(json!({ "name": name })))
            .await;
        assert_eq!(s, 201, "{b}");
        b["id"].as_str().expect("id").to_string()
    }

    /// Creates the bucket's policy over the API; returns its id.
    pub async fn policy(&self, bucket: &str, source: &str, days: &str) -> String {
        let (s, b) = self
            .call(
                "POST",
                &format!("/v1/archiving-policies?bucket_id={bucket}"),
                Some(policy_body(source, days)),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        b["id"].as_str().expect("id").to_string()
    }

    /// Waits until the archiving history leaves `PENDING`/`INPROGRESS`; returns its detail.
    pub async fn archived(&self, bucket: &str, id: &str) -> Value {
        self.wait(
            &format!("/v1/archiving-histories/detail?id={id}&bucket_id={bucket}"),
            |b| !["PENDING", "INPROGRESS"].contains(&b["state"].as_str().unwrap_or("")),
        )
        .await
    }
}

/// A CreateArchivingPolicy body for the whole source bucket.
pub(super) fn policy_body(source: &str, days: &str) -> Value {
    json!({"archiving_source_bucket_name": source, "object_lifecycle": days, "object_path": "/"})
}

/// The history window query (`start_at_from`, `start_at_to`) from an hour ago to an hour
/// ahead, in KST with the `+` percent-encoded.
pub(super) fn window() -> String {
    let kst = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    let f = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&kst)
            .format("%Y-%m-%dT%H:%M:%S%%2B09:00")
            .to_string()
    };
    let now = chrono::Utc::now();
    format!(
        "start_at_from={}&start_at_to={}",
        f(now - chrono::Duration::hours(1)),
        f(now + chrono::Duration::hours(1))
    )
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
async fn the_version_header_selects_1_0_or_1_1_and_defaults_to_1_1() {
    let t = T::new().await;
    let id = t.sim.seed_archive_bucket(WEST, "arch-v");
    for h in [Some("archivestorage 1.0"), Some("ArchiveStorage 1.1"), None] {
        let (s, b) = t.raw(WEST, h, "GET", "/v1/buckets", None).await;
        assert_eq!(s, 200, "{h:?}");
        assert_eq!(b["buckets"][0]["name"], "arch-v");
    }
    for h in ["archivestorage 1.2", "backup 1.1", "archivestorage"] {
        let (s, b) = t.raw(WEST, Some(h), "GET", "/v1/buckets", None).await;
        assert_eq!(s, 400, "{h}");
        assert!(detail(&b).contains("Scp-Api-Version"));
    }
    // Without the header the 1.1-only operations answer.
    let (s, b) = t
        .raw(
            WEST,
            None,
            "GET",
            &format!("/v1/buckets/{id}/versioning"),
            None,
        )
        .await;
    assert_eq!((s, b), (200, json!({"id": id, "enabled": false})));
}

#[tokio::test]
async fn the_six_1_1_only_operations_answer_404_in_1_0() {
    let t = T::new().await;
    let id = t.sim.seed_archive_bucket(WEST, "arch-v");
    t.sim.seed_object_bucket(WEST, "obs-src");
    let pid = t.policy(&id, "obs-src", "1").await;
    let ops = [
        ("GET", format!("/v1/buckets/{id}/versioning"), None),
        (
            "PUT",
            format!("/v1/buckets/{id}/versioning"),
            Some(json!({"enabled": true})),
        ),
        // Even a call that would be a 400 in 1.1 is an unknown operation in 1.0.
        ("GET", format!("/v1/buckets/{id}/object-versions"), None),
        (
            "DELETE",
            format!("/v1/buckets/{id}/object-versions"),
            Some(json!({"path": "a", "versions": ["x"]})),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-object-versions"),
            Some(json!({})),
        ),
        (
            "PUT",
            format!("/v1/archiving-policies/{pid}/state?bucket_id={id}"),
            Some(json!({"state": "INACTIVE"})),
        ),
    ];
    for (m, p, body) in &ops {
        let (s, b) = t.at("1.0", m, p, body.clone()).await;
        assert_eq!(s, 404, "{m} {p}: {b}");
        detail(&b);
    }
    // The policy is still ACTIVE; the same call in 1.1 works.
    let (s, b) = t.call(ops[5].0, &ops[5].1, ops[5].2.clone()).await;
    assert_eq!((s, b["state"].clone()), (200, json!("INACTIVE")));
    // The operations of both versions answer the same in 1.0.
    let (s, b) = t
        .at("1.0", "GET", &format!("/v1/buckets/{id}/encryption"), None)
        .await;
    assert_eq!((s, b), (200, json!({"id": id, "enabled": false})));
}

#[tokio::test]
async fn faults_requests_and_unknown_operations() {
    let t = T::new().await;
    t.sim.faults(Service::ArchiveStorage).force_status(503, 1);
    let (s, b) = t.call("GET", "/v1/buckets", None).await;
    assert_eq!(s, 503);
    assert_eq!(b["errors"][0]["code"], "ServiceUnavailable");
    assert_eq!(t.call("GET", "/v1/buckets", None).await.0, 200);
    let (s, b) = t.call("GET", "/v1/nothing", None).await;
    assert_eq!(s, 404);
    detail(&b);
    let log = t.sim.faults(Service::ArchiveStorage).requests();
    assert_eq!(log.len(), 3);
    assert_eq!(
        (log[0].method.as_str(), log[0].uri.as_str()),
        ("GET", "/v1/buckets")
    );
    // The other services are unaffected.
    assert_eq!(t.sim.faults(Service::Backup).request_count(), 0);
    // Each region has its own listener.
    let (s, b) = t
        .raw(EAST, Some("archivestorage 1.1"), "GET", "/v1/buckets", None)
        .await;
    assert_eq!((s, b), (200, json!({"buckets": []})));
}

#[tokio::test]
async fn the_1_0_operations_cover_archiving_and_recovery() {
    let t = T::new().await;
    t.sim.seed_object_bucket(WEST, "obs-1");
    t.sim.seed_object_bucket(WEST, "obs-back");
    t.sim.put_source_object(WEST, "obs-1", "k", 3, 2);
    let (s, b) = t
        .at(
            "1.0",
            "POST",
            "/v1/buckets",
            Some(json!({"name": "arch-10"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let (s, _) = t
        .at(
            "1.0",
            "POST",
            &format!("/v1/archiving-policies?bucket_id={id}"),
            Some(policy_body("obs-1", "1")),
        )
        .await;
    assert_eq!(s, 201);
    let run = t.sim.run_archiving(WEST, &id).unwrap();
    t.archived(&id, &run).await;
    let (s, b) = t
        .at("1.0", "GET", &format!("/v1/buckets/{id}/objects"), None)
        .await;
    assert_eq!(
        (s, b["contents"][0]["object_name"].clone()),
        (200, json!("k"))
    );
    let (s, _) = t
        .at(
            "1.0",
            "PUT",
            &format!("/v1/buckets/{id}/recover-objects"),
            Some(json!({"recovery_target_bucket_name": "obs-back",
                "recovery_infos": [{"source_object_path": "k", "object_type": "FILE"}],
                "overwrite": false})),
        )
        .await;
    assert_eq!(s, 202);
    let (s, b) = t
        .at(
            "1.0",
            "GET",
            &format!("/v1/recovery-histories?bucket_id={id}&{}", window()),
            None,
        )
        .await;
    assert_eq!((s, b["total_count"].clone()), (200, json!(1)));
}
