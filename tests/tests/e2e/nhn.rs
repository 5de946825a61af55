//! NHN Cloud NAS end to end: gateway → strata-nhn → NHN simulator, all over HTTP.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_sim::nhn::SeedVolume;
use strata_tests::*;

const FAST: Duration = Duration::from_millis(40);
const HOUR: Duration = Duration::from_secs(3600);

async fn create_volume(gw: &TestGateway, body: Value) -> Value {
    let op = settle(
        gw,
        send(gw.req(Method::POST, "/v1/volumes").json(&body)).await,
    )
    .await;
    op["result"].clone()
}

/// A read that goes to the vendor (these tests watch the vendor; tests/e2e/cache.rs covers
/// cached reads).
fn get(gw: &TestGateway, path: &str) -> reqwest::RequestBuilder {
    gw.req(Method::GET, path)
        .header("cache-control", "no-cache")
}

#[tokio::test]
async fn a_volume_lives_its_whole_life_through_the_gateway() {
    let (gw, sim) = start_nhn(FAST, HOUR).await;

    // Create → the operation settles with the available volume.
    let vol = create_volume(
        &gw,
        json!({"provider": "nhn-kr1", "kind": "file", "name": "orders", "size_gib": 300,
               "protocol": "nfs", "access_rules": [{"kind": "cidr", "value": "10.0.1.0/24"}],
               "options": {"subnet_ids": ["subnet-a"]}}),
    )
    .await;
    assert_eq!(vol["status"], "available", "{vol}");
    assert_eq!(vol["provider"], "nhn-kr1");
    let id = vol["id"].as_str().unwrap().to_string();
    let v = format!("/v1/volumes/{id}");

    let (s, _, list) = send(get(&gw, "/v1/volumes?provider=nhn-kr1")).await;
    assert_eq!(s, 200);
    assert!(list["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == id.as_str()));

    // Resize and replace the ACL in one PATCH.
    let patch = json!({"size_gib": 500, "access_rules": [{"kind": "cidr", "value": "10.0.2.0/24"}, {"kind": "ip", "value": "10.0.3.7"}]});
    settle(&gw, send(gw.req(Method::PATCH, &v).json(&patch)).await).await;
    let (_, _, got) = send(get(&gw, &v)).await;
    assert_eq!(
        (got["size_gib"].as_u64(), got["status"].as_str()),
        (Some(500), Some("available"))
    );
    let (_, _, rules) = send(get(&gw, &format!("{v}/access-rules"))).await;
    assert_eq!(
        rules["rules"][1],
        json!({"kind": "ip", "value": "10.0.3.7", "access": "read_write"})
    );
    // Read-only rules are refused before any vendor call: NHN only grants read-write.
    let before = sim.nas_faults().request_count();
    let ro = json!({"rules": [{"kind": "ip", "value": "10.0.0.1", "access": "read_only"}]});
    let resp = send(gw.req(Method::PUT, &format!("{v}/access-rules")).json(&ro)).await;
    assert_problem(&resp, 422, "unsupported_value");
    assert_eq!(sim.nas_faults().request_count(), before);

    // Mount targets: the one from create, plus one more.
    let op = settle(
        &gw,
        send(
            gw.req(Method::POST, &format!("{v}/mount-targets"))
                .json(&json!({"network": "subnet-b"})),
        )
        .await,
    )
    .await;
    assert_eq!(op["result"]["network"], "subnet-b");
    let (_, _, mts) = send(get(&gw, &format!("{v}/mount-targets"))).await;
    let mts = mts["mount_targets"].as_array().unwrap().clone();
    assert_eq!(mts.len(), 2);
    assert!(mts
        .iter()
        .all(|m| m["path"].as_str().is_some_and(|p| p.ends_with(":/orders"))));
    let second = mts.iter().find(|m| m["network"] == "subnet-b").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    settle(
        &gw,
        send(gw.req(Method::DELETE, &format!("{v}/mount-targets/{second}"))).await,
    )
    .await;
    let (_, _, mts) = send(get(&gw, &format!("{v}/mount-targets"))).await;
    assert_eq!(mts["mount_targets"].as_array().unwrap().len(), 1);

    let (s, _, usage) = send(get(&gw, &format!("{v}/usage"))).await;
    assert_eq!(s, 200);
    assert_eq!(usage["size_bytes"].as_u64(), Some(500 << 30));

    // Snapshots: two, then restore to the first (the newer one is discarded), with history.
    let snap = |name: &str| json!({"name": name});
    let s1 = settle(
        &gw,
        send(
            gw.req(Method::POST, &format!("{v}/snapshots"))
                .json(&snap("before-migration")),
        )
        .await,
    )
    .await["result"]
        .clone();
    settle(
        &gw,
        send(
            gw.req(Method::POST, &format!("{v}/snapshots"))
                .json(&snap("after-migration")),
        )
        .await,
    )
    .await;
    let s1_id = s1["id"].as_str().unwrap();
    assert_eq!(
        (s1["origin"].as_str(), s1["preserved"].as_bool()),
        (Some("manual"), Some(false))
    );
    let restored = settle(
        &gw,
        send(
            gw.req(Method::POST, &format!("/v1/snapshots/{s1_id}/restore"))
                .json(&json!({})),
        )
        .await,
    )
    .await;
    assert_eq!(restored["result"]["status"], "available");
    let (_, _, snaps) = send(get(&gw, &format!("{v}/snapshots"))).await;
    let names: Vec<&str> = snaps["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["before-migration"]);
    let (_, _, restores) = send(get(&gw, &format!("{v}/restores"))).await;
    assert_eq!(restores["restores"][0]["snapshot_name"], "before-migration");
    assert_eq!(restores["restores"][0]["succeeded"], true);
    // Restoring into a new volume is not something NHN offers.
    let resp = send(
        gw.req(Method::POST, &format!("/v1/snapshots/{s1_id}/restore"))
            .json(&json!({"mode": "new_volume"})),
    )
    .await;
    assert_problem(&resp, 422, "unsupported_by_provider");

    // Schedule ↔ snapshotPolicy.
    let sched = json!({"frequency": "weekly", "days": ["monday", "friday"], "hour": 3, "minute": 30, "timezone": "Asia/Seoul", "retention_count": 7});
    let op = settle(
        &gw,
        send(
            gw.req(Method::PUT, &format!("{v}/snapshot-schedule"))
                .json(&sched),
        )
        .await,
    )
    .await;
    assert_eq!(op["result"], sched);
    let (_, _, got) = send(get(&gw, &format!("{v}/snapshot-schedule"))).await;
    assert_eq!(got, sched);
    let resp = send(
        gw.req(Method::PUT, &format!("{v}/snapshot-schedule"))
            .json(&json!({"frequency": "daily", "hour": 1, "retention_count": 31})),
    )
    .await;
    assert_problem(&resp, 422, "unsupported_value");
    let op = settle(
        &gw,
        send(gw.req(Method::DELETE, &format!("{v}/snapshot-schedule"))).await,
    )
    .await;
    assert_eq!(op["result"], Value::Null);
    assert_problem(
        &send(get(&gw, &format!("{v}/snapshot-schedule"))).await,
        404,
        "snapshot_schedule_not_found",
    );

    // Replica to KR2: the destination volume appears in the nhn-kr2 provider.
    let rep = settle(
        &gw,
        send(
            gw.req(Method::POST, &format!("{v}/replicas"))
                .json(&json!({"destination_region": "KR2", "destination_name": "orders-dr"})),
        )
        .await,
    )
    .await["result"]
        .clone();
    assert_eq!(
        (rep["status"].as_str(), rep["direction"].as_str()),
        (Some("active"), Some("forward")),
        "{rep}"
    );
    assert!(rep["last_transfer"]["bytes"].as_u64().unwrap() > 0);
    let rid = rep["id"].as_str().unwrap().to_string();
    let dst = rep["destination_volume_id"].as_str().unwrap().to_string();
    let (s, _, dvol) = send(get(&gw, &format!("/v1/volumes/{dst}"))).await;
    assert_eq!(
        (s, dvol["provider"].as_str(), dvol["name"].as_str()),
        (200, Some("nhn-kr2"), Some("orders-dr")),
        "{dvol}"
    );
    // The replication snapshot is preserved: deleting it is refused.
    let (_, _, snaps) = send(get(&gw, &format!("{v}/snapshots"))).await;
    let mirror_snap = snaps["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["origin"] == "replication")
        .expect("a replication snapshot")
        .clone();
    assert_problem(
        &send(gw.req(
            Method::DELETE,
            &format!("/v1/snapshots/{}", mirror_snap["id"].as_str().unwrap()),
        ))
        .await,
        409,
        "failed_precondition",
    );

    let action = |a: &str| gw.req(Method::POST, &format!("/v1/replicas/{rid}/{a}"));
    let stopped = settle(&gw, send(action("stop")).await).await;
    assert_eq!(stopped["result"]["status"], "paused");
    let started = settle(&gw, send(action("start")).await).await;
    assert_eq!(started["result"]["status"], "active");
    let reversed = settle(&gw, send(action("reverse")).await).await;
    assert_eq!(
        (
            reversed["result"]["direction"].as_str(),
            reversed["result"]["status"].as_str()
        ),
        (Some("reverse"), Some("active"))
    );
    // A volume with a replica cannot be deleted yet: the vendor says so in a 400's message,
    // which the adapter reads as a state the client must change.
    let resp = send(gw.req(Method::DELETE, &v)).await;
    let p = assert_problem(&resp, 409, "failed_precondition");
    assert_eq!(p["retryable"], false);

    // Tear everything down.
    settle(
        &gw,
        send(gw.req(Method::DELETE, &format!("/v1/replicas/{rid}"))).await,
    )
    .await;
    assert_problem(
        &send(get(&gw, &format!("/v1/replicas/{rid}"))).await,
        404,
        "replica_not_found",
    );
    settle(
        &gw,
        send(gw.req(Method::DELETE, &format!("/v1/volumes/{dst}"))).await,
    )
    .await;
    settle(
        &gw,
        send(gw.req(Method::DELETE, &format!("/v1/snapshots/{s1_id}"))).await,
    )
    .await;
    settle(&gw, send(gw.req(Method::DELETE, &v)).await).await;
    assert_problem(&send(get(&gw, &v)).await, 404, "volume_not_found");
    assert_problem(
        &send(get(&gw, &format!("/v1/volumes/{dst}"))).await,
        404,
        "volume_not_found",
    );
    gw.stop().await;
}

#[tokio::test]
async fn token_expiry_and_revocation_mid_run_are_invisible_to_clients() {
    let (gw, sim) = start_nhn(FAST, Duration::from_secs(2)).await;
    sim.seed_volume("KR1", SeedVolume::nfs("steady", 300));
    let list = || send(get(&gw, "/v1/volumes?provider=nhn-kr1"));
    assert_eq!(list().await.0, 200);
    let first = sim.tokens_issued();
    // The vendor revokes every token (an API password change does that): one 401, one
    // re-issue, and the client never sees it.
    sim.revoke_tokens();
    let (s, _, body) = list().await;
    assert_eq!(
        (s, body["volumes"][0]["name"].as_str()),
        (200, Some("steady"))
    );
    assert_eq!(sim.tokens_issued(), first + 1);
    // The 2 s token expires while we keep working.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(list().await.0, 200);
    assert_eq!(sim.tokens_issued(), first + 2);
    gw.stop().await;
}

#[tokio::test]
async fn sizes_and_protocols_not_offered_are_422_without_a_vendor_call() {
    let (gw, sim) = start_nhn(FAST, HOUR).await;
    let before = sim.nas_faults().request_count();
    let base = json!({"provider": "nhn-kr1", "kind": "file", "name": "bad", "size_gib": 300, "protocol": "nfs"});
    let cases = [
        (
            "size_gib",
            json!(250),
            "between 300 and 10000 GiB in steps of 100",
        ),
        ("size_gib", json!(10_100), "between 300 and 10000"),
        ("size_gib", json!(450), "in steps of 100"),
        ("protocol", json!("parallel_fs"), "not offered"),
        ("name", json!("has space"), "letters, digits"),
        ("kind", json!("block"), "block volumes"),
    ];
    for (field, value, detail) in cases {
        let mut body = base.clone();
        body[field] = value;
        let resp = send(gw.req(Method::POST, "/v1/volumes").json(&body)).await;
        let p = assert_problem(
            &resp,
            422,
            if field == "kind" {
                "unsupported_by_provider"
            } else {
                "unsupported_value"
            },
        );
        assert!(
            p["detail"].as_str().unwrap().contains(detail),
            "{field}: {p}"
        );
        assert_eq!(p["provider"], "nhn-kr1");
    }
    let mut no_protocol = base.clone();
    no_protocol.as_object_mut().unwrap().remove("protocol");
    let p = assert_problem(
        &send(gw.req(Method::POST, "/v1/volumes").json(&no_protocol)).await,
        422,
        "unsupported_value",
    );
    assert_eq!(p["field"], "protocol");
    assert_eq!(
        sim.nas_faults().request_count(),
        before,
        "no request reached the vendor"
    );
    gw.stop().await;
}

#[tokio::test]
async fn vendor_failures_map_to_5xx_problems_and_lists_name_unreachable_providers() {
    let (gw, sim) = start_nhn(FAST, HOUR).await;
    let id = sim.seed_volume("KR1", SeedVolume::nfs("flaky", 300));
    let (_, _, page) = send(get(&gw, "/v1/volumes?provider=nhn-kr1")).await;
    let vid = page["volumes"][0]["id"].as_str().unwrap().to_string();
    assert!(page["volumes"][0]["vendor"]["volume_id"] == id.as_str());

    sim.nas_faults().force_status(500, 1);
    let p = assert_problem(
        &send(get(&gw, &format!("/v1/volumes/{vid}"))).await,
        502,
        "vendor_error",
    );
    assert_eq!(
        (p["provider"].as_str(), p["vendor_status"].as_u64()),
        (Some("nhn-kr1"), Some(500))
    );
    assert_eq!(p["retryable"], true);

    // A 500 is not retried (503s are: see tests/e2e/layers.rs), so the list names it.
    sim.nas_faults().force_status(500, 1);
    let (s, _, list) = send(get(&gw, "/v1/volumes")).await;
    assert_eq!(s, 200);
    let unreachable = list["unreachable"]
        .as_array()
        .expect("unreachable providers");
    assert_eq!(unreachable.len(), 1);
    assert_eq!(unreachable[0]["code"], "vendor_error");
    // The failure was transient: the next call works.
    assert_eq!(send(get(&gw, &format!("/v1/volumes/{vid}"))).await.0, 200);
    gw.stop().await;
}

#[tokio::test]
async fn paging_across_many_volumes_and_both_regions_is_complete_and_stable() {
    let (gw, sim) = start_nhn(FAST, HOUR).await;
    let mut want = vec![];
    for i in 0..57 {
        let name = format!("kr1-{i:03}");
        sim.seed_volume("KR1", SeedVolume::nfs(&name, 300));
        want.push(name);
    }
    for i in 0..13 {
        let name = format!("kr2-{i:03}");
        sim.seed_volume("KR2", SeedVolume::nfs(&name, 400));
        want.push(name);
    }
    want.sort();
    let walk = || async {
        let mut names = vec![];
        let mut token: Option<String> = None;
        loop {
            let path = match &token {
                None => "/v1/volumes?page_size=8".to_string(),
                Some(t) => format!("/v1/volumes?page_size=8&page_token={t}"),
            };
            let (s, _, page) = send(get(&gw, &path)).await;
            assert_eq!(s, 200, "{page}");
            names.extend(
                page["volumes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v["name"].as_str().unwrap().to_string()),
            );
            token = page["next_page_token"].as_str().map(str::to_string);
            if token.is_none() {
                break names;
            }
        }
    };
    let first = walk().await;
    assert_eq!(first, want);
    assert_eq!(walk().await, first, "a second walk sees the same pages");
    gw.stop().await;
}
