//! The provider conformance suite: the same behaviours, through the gateway's HTTP API, on
//! every provider. A behaviour is skipped (and says so) only where the provider's published
//! capability document declares the feature unsupported — and then the suite checks that the
//! gateway answers `unsupported_by_provider` instead.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;
use strata_tests::*;

/// A provider under test, behind a running gateway.
struct Target {
    gw: TestGateway,
    provider: &'static str,
    /// The volume kind under test.
    kind: &'static str,
    caps: Value,
    /// Keeps vendor simulators alive.
    _sims: Vec<Box<dyn std::any::Any + Send>>,
}

async fn target(
    gw: TestGateway,
    provider: &'static str,
    kind: &'static str,
    sims: Vec<Box<dyn std::any::Any + Send>>,
) -> Target {
    let (s, _, body) = send(gw.req(Method::GET, &format!("/v1/providers/{provider}"))).await;
    assert_eq!(s, 200, "{body}");
    let caps = body["capabilities"]["volumes"][kind].clone();
    assert!(caps.is_object(), "{provider} offers {kind} volumes: {body}");
    Target {
        caps,
        gw,
        provider,
        kind,
        _sims: sims,
    }
}

async fn memory() -> Target {
    target(TestGateway::start().await, "mem-a", "file", vec![]).await
}

async fn nhn() -> Target {
    let (gw, sim) = start_nhn(Duration::from_millis(30), Duration::from_secs(3600)).await;
    target(gw, "nhn-kr1", "file", vec![Box::new(sim)]).await
}

async fn scp_file() -> Target {
    let (gw, sim) = start_scp(Duration::from_millis(30)).await;
    target(gw, "scp-kr-west1", "file", vec![Box::new(sim)]).await
}

async fn scp_parallel_file() -> Target {
    let (gw, sim) = start_scp(Duration::from_millis(30)).await;
    target(gw, "scp-kr-west1", "parallel_file", vec![Box::new(sim)]).await
}

impl Target {
    fn supports(&self, feature: &str) -> bool {
        let on = self.caps["features"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f == feature));
        if !on {
            eprintln!(
                "{}: `{feature}` is not supported; checking the refusal only",
                self.provider
            );
        }
        on
    }

    fn elastic(&self) -> bool {
        self.caps["size"]["elastic"] == true
    }

    fn named_snapshots(&self) -> bool {
        self.caps["snapshot_names"] == true
    }

    /// A snapshot request: named where the provider lets callers name snapshots.
    fn snapshot_body(&self, name: &str) -> Value {
        if self.named_snapshots() {
            json!({ "name": name })
        } else {
            json!({})
        }
    }

    /// Two access rules of the kinds the provider accepts.
    fn two_rules(&self) -> Value {
        let kinds = self.caps["access_rule_kinds"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if kinds.iter().any(|k| k == "cidr") {
            return json!({"rules": [{"kind": "cidr", "value": "10.1.0.0/16", "access": "read_write"},
                                    {"kind": "ip", "value": "10.2.0.9", "access": "read_write"}]});
        }
        let types = self.caps["server_types"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let last = types.last().cloned().unwrap_or(json!("vm"));
        json!({"rules": [{"kind": "server", "value": "node-0001", "server_type": types[0], "access": "read_write"},
                         {"kind": "server", "value": "node-0002", "server_type": last, "access": "read_write"}]})
    }

    fn min_size(&self) -> u64 {
        self.caps["size"]["min_gib"].as_u64().unwrap()
    }

    fn step(&self) -> u64 {
        self.caps["size"]["step_gib"].as_u64().unwrap().max(1)
    }

    fn req(&self, m: Method, path: &str) -> reqwest::RequestBuilder {
        self.gw.req(m, path)
    }

    async fn op(&self, m: Method, path: &str, body: Option<Value>) -> Value {
        run_op(&self.gw, m, path, body).await
    }

    fn create_body(&self, name: &str) -> Value {
        let mut body = json!({"provider": self.provider, "kind": self.kind, "name": name,
                              "protocol": self.caps["protocols"][0]});
        if !self.elastic() {
            body["size_gib"] = json!(self.min_size());
        }
        body
    }

    /// Creates a volume and waits until it is available; returns its id.
    async fn volume(&self, name: &str) -> String {
        let op = self
            .op(Method::POST, "/v1/volumes", Some(self.create_body(name)))
            .await;
        assert_eq!(op["result"]["status"], "available", "{op}");
        op["result"]["id"].as_str().unwrap().to_string()
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, b) = send(self.req(Method::GET, path)).await;
        (s, b)
    }

    async fn refused(&self, m: Method, path: &str, body: Value) {
        let resp = send(self.req(m, path).json(&body)).await;
        assert_problem(&resp, 422, "unsupported_by_provider");
    }
}

async fn volume_lifecycle(t: Target) {
    let id = t.volume("conf_life").await;
    let v = format!("/v1/volumes/{id}");
    let (s, got) = t.get(&v).await;
    assert_eq!(
        (s, got["name"].as_str(), got["kind"].as_str()),
        (200, Some("conf_life"), Some(t.kind))
    );
    let (_, list) = t
        .get(&format!(
            "/v1/volumes?provider={}&kind={}&name=conf_life",
            t.provider, t.kind
        ))
        .await;
    assert_eq!(list["volumes"].as_array().unwrap().len(), 1, "{list}");
    if t.supports("volume_resize") {
        let bigger = t.min_size() + t.step();
        t.op(Method::PATCH, &v, Some(json!({"size_gib": bigger})))
            .await;
        assert_eq!(t.get(&v).await.1["size_gib"].as_u64(), Some(bigger));
    }
    t.op(Method::DELETE, &v, None).await;
    assert_problem(&send(t.req(Method::GET, &v)).await, 404, "volume_not_found");
}

async fn requests_outside_the_limits_are_422(t: Target) {
    let mut small = t.create_body("conf_small");
    // Elastic capacity takes no size at all; provisioned capacity has a floor.
    small["size_gib"] = json!(if t.elastic() { 100 } else { t.min_size() - 1 });
    let p = assert_problem(
        &send(t.req(Method::POST, "/v1/volumes").json(&small)).await,
        422,
        "invalid_argument",
    );
    assert_eq!(p["field"], "size_gib");
    let long = "n".repeat(t.caps["name"]["max_len"].as_u64().unwrap() as usize + 1);
    let p = assert_problem(
        &send(
            t.req(Method::POST, "/v1/volumes")
                .json(&t.create_body(&long)),
        )
        .await,
        422,
        "invalid_argument",
    );
    assert_eq!(p["field"], "name");
}

async fn unknown_volumes_are_404(t: Target) {
    let id = GlobalId::new(
        ResourceType::Volume,
        t.provider,
        Some(VolumeKind::File),
        "00000000-0000-4000-8000-000000000000",
    )
    .encode();
    assert_problem(
        &send(t.req(Method::GET, &format!("/v1/volumes/{id}"))).await,
        404,
        "volume_not_found",
    );
}

async fn access_rules_round_trip(t: Target) {
    let id = t.volume("conf_acl").await;
    let path = format!("/v1/volumes/{id}/access-rules");
    let rules = t.two_rules();
    if !t.supports("access_rules") {
        return t.refused(Method::PUT, &path, rules).await;
    }
    t.op(Method::PUT, &path, Some(rules.clone())).await;
    assert_eq!(t.get(&path).await.1, rules);
}

async fn snapshots_are_created_listed_and_deleted(t: Target) {
    let id = t.volume("conf_snap").await;
    let path = format!("/v1/volumes/{id}/snapshots");
    if !t.supports("snapshot_create") {
        return t.refused(Method::POST, &path, json!({})).await;
    }
    if !t.named_snapshots() {
        let p = assert_problem(
            &send(t.req(Method::POST, &path).json(&json!({"name": "mine"}))).await,
            422,
            "invalid_argument",
        );
        assert_eq!(p["field"], "name");
    }
    let snap = t
        .op(Method::POST, &path, Some(t.snapshot_body("conf-s1")))
        .await["result"]
        .clone();
    let name = snap["name"].as_str().unwrap().to_string();
    assert!(!t.named_snapshots() || name == "conf-s1", "{snap}");
    assert_eq!(snap["origin"], "manual");
    assert_eq!(snap["status"], "available");
    assert_eq!(snap["volume_id"], id.as_str());
    let (_, list) = t.get(&path).await;
    assert!(list["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == snap["id"]));
    let sp = format!("/v1/snapshots/{}", snap["id"].as_str().unwrap());
    assert_eq!(t.get(&sp).await.1["name"], name.as_str());
    if t.supports("snapshot_delete") {
        t.op(Method::DELETE, &sp, None).await;
        assert_problem(
            &send(t.req(Method::GET, &sp)).await,
            404,
            "snapshot_not_found",
        );
    }
}

async fn restore_in_place_is_recorded(t: Target) {
    let id = t.volume("conf_restore").await;
    if !t.supports("snapshot_create") {
        return;
    }
    let snap = t
        .op(
            Method::POST,
            &format!("/v1/volumes/{id}/snapshots"),
            Some(t.snapshot_body("conf-r1")),
        )
        .await["result"]
        .clone();
    let restore = format!("/v1/snapshots/{}/restore", snap["id"].as_str().unwrap());
    if !t.supports("snapshot_restore_in_place") {
        return t.refused(Method::POST, &restore, json!({})).await;
    }
    let op = t.op(Method::POST, &restore, Some(json!({}))).await;
    assert_eq!(
        (op["result"]["id"].as_str(), op["result"]["status"].as_str()),
        (Some(id.as_str()), Some("available"))
    );
    if t.supports("snapshot_clone") {
        let clone = t
            .op(
                Method::POST,
                &restore,
                Some(json!({"mode": "new_volume", "volume_name": "conf_clone"})),
            )
            .await["result"]
            .clone();
        assert_eq!(
            (clone["name"].as_str(), clone["status"].as_str()),
            (Some("conf_clone"), Some("available"))
        );
        assert_ne!(clone["id"], id.as_str());
    } else {
        t.refused(Method::POST, &restore, json!({"mode": "new_volume"}))
            .await;
    }
    if t.supports("restore_history") {
        let (_, h) = t.get(&format!("/v1/volumes/{id}/restores")).await;
        let last = h["restores"].as_array().unwrap().last().cloned().unwrap();
        assert_eq!(last["snapshot_name"], snap["name"]);
    }
}

async fn snapshot_schedule_round_trips(t: Target) {
    let id = t.volume("conf_sched").await;
    let path = format!("/v1/volumes/{id}/snapshot-schedule");
    let tz = t.caps["schedule"]["timezones"][0].as_str().unwrap_or("UTC");
    let sched = json!({"frequency": "weekly", "days": ["tuesday", "saturday"], "hour": 2, "minute": 0, "timezone": tz, "retention_count": 5});
    if !t.supports("snapshot_schedule") {
        return t.refused(Method::PUT, &path, sched).await;
    }
    assert_eq!(
        t.op(Method::PUT, &path, Some(sched.clone())).await["result"],
        sched
    );
    assert_eq!(t.get(&path).await.1, sched);
    assert_eq!(
        t.op(Method::DELETE, &path, None).await["result"],
        Value::Null
    );
    assert_problem(
        &send(t.req(Method::GET, &path)).await,
        404,
        "snapshot_schedule_not_found",
    );
}

async fn replicas_follow_their_lifecycle(t: Target) {
    let id = t.volume("conf_rep").await;
    let regions = t.caps["replication_regions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let path = format!("/v1/volumes/{id}/replicas");
    if !t.supports("replica_create") || regions.is_empty() {
        return t
            .refused(Method::POST, &path, json!({"destination_region": "KR2"}))
            .await;
    }
    let rep = t
        .op(
            Method::POST,
            &path,
            Some(json!({"destination_region": regions[0]})),
        )
        .await["result"]
        .clone();
    assert_eq!(
        (rep["status"].as_str(), rep["source_volume_id"].as_str()),
        (Some("active"), Some(id.as_str())),
        "{rep}"
    );
    let r = format!("/v1/replicas/{}", rep["id"].as_str().unwrap());
    let (_, list) = t.get(&path).await;
    assert!(list["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == rep["id"]));
    let features: BTreeSet<&str> = ["replica_start_stop", "replica_reverse"]
        .into_iter()
        .filter(|f| t.supports(f))
        .collect();
    if features.contains("replica_start_stop") {
        assert_eq!(
            t.op(Method::POST, &format!("{r}/stop"), None).await["result"]["status"],
            "paused"
        );
        assert_eq!(
            t.op(Method::POST, &format!("{r}/start"), None).await["result"]["status"],
            "active"
        );
    }
    if features.contains("replica_reverse") {
        assert_eq!(
            t.op(Method::POST, &format!("{r}/reverse"), None).await["result"]["direction"],
            "reverse"
        );
    } else {
        t.refused(Method::POST, &format!("{r}/reverse"), json!({}))
            .await;
    }
    t.op(Method::DELETE, &r, None).await;
    assert_problem(
        &send(t.req(Method::GET, &r)).await,
        404,
        "replica_not_found",
    );
}

macro_rules! conformance {
    ($target:ident: $($behaviour:ident),+ $(,)?) => {
        mod $target {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    super::$behaviour(super::$target().await).await
                }
            )+
        }
    };
}

macro_rules! suite {
    ($($target:ident),+) => {
        $(
            conformance!($target:
                volume_lifecycle,
                requests_outside_the_limits_are_422,
                unknown_volumes_are_404,
                access_rules_round_trip,
                snapshots_are_created_listed_and_deleted,
                restore_in_place_is_recorded,
                snapshot_schedule_round_trips,
                replicas_follow_their_lifecycle,
            );
        )+
    };
}

suite!(memory, nhn, scp_file, scp_parallel_file);
