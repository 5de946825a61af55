//! SCP end to end: gateway → strata-scp (signed HTTP) → SCP File and Parallel File Storage sims.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_sim::scp::{signature, Service};
use strata_tests::contract::{conforms, contract};
use strata_tests::*;

const FAST: Duration = Duration::from_millis(40);

/// Runs a mutation to completion; returns its result.
async fn op(gw: &TestGateway, m: Method, path: &str, body: Option<Value>) -> Value {
    run_op(gw, m, path, body).await["result"].clone()
}

/// A read that goes to the vendor, not to the gateway's cache.
fn fresh(gw: &TestGateway, path: &str) -> reqwest::RequestBuilder {
    gw.req(Method::GET, path)
        .header("cache-control", "no-cache")
}

async fn get(gw: &TestGateway, path: &str) -> Value {
    let (s, _, b) = send(gw.req(Method::GET, path)).await;
    assert_eq!(s, 200, "GET {path}: {b}");
    b
}

/// File Storage's official spec, as `tests/fixtures/scp/extract-contract.py` derives it.
const CONTRACT: &str = "filestorage-contract.json";

#[tokio::test]
async fn file_storage_lives_its_whole_life_through_the_gateway_and_speaks_the_official_spec() {
    let (gw, sim) = start_scp(FAST).await;
    let files = sim.faults(Service::FileStorage);

    // Create (elastic: no size) → settles available, with its mount path.
    let vol = op(&gw, Method::POST, "/v1/volumes", Some(json!({"provider": "scp-kr-west1", "kind": "file", "name": "orders", "protocol": "nfs", "tier": "SSD"}))).await;
    assert_eq!(
        (
            vol["status"].as_str(),
            vol["size_gib"].as_u64(),
            vol["tier"].as_str()
        ),
        (Some("available"), Some(0), Some("SSD")),
        "{vol}"
    );
    let id = vol["id"].as_str().unwrap().to_string();
    let v = format!("/v1/volumes/{id}");
    let mt = get(&gw, &format!("{v}/mount-targets")).await;
    assert!(
        mt["mount_targets"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with(":/orders"),
        "{mt}"
    );
    assert_eq!(get(&gw, &format!("{v}/usage")).await["used_bytes"], 0);

    // Access rules: two SCP objects, then one swapped (one vendor call per change).
    let rules = json!({"rules": [{"kind": "server", "value": "vm-1", "server_type": "vm", "access": "read_write"},
                                 {"kind": "server", "value": "ep-1", "server_type": "endpoint", "access": "read_write"}]});
    op(
        &gw,
        Method::PUT,
        &format!("{v}/access-rules"),
        Some(rules.clone()),
    )
    .await;
    assert_eq!(get(&gw, &format!("{v}/access-rules")).await, rules);
    let before = files.request_count();
    let swapped = json!({"rules": [{"kind": "server", "value": "vm-1", "server_type": "vm", "access": "read_write"},
                                   {"kind": "server", "value": "gpu-9", "server_type": "gpu_node", "access": "read_write"}]});
    op(
        &gw,
        Method::PATCH,
        &v,
        Some(json!({"access_rules": swapped["rules"]})),
    )
    .await;
    let puts = files.requests()[before..]
        .iter()
        .filter(|r| r.method == "PUT" && r.uri.ends_with("/access-rules"))
        .count();
    assert_eq!(puts, 2, "one remove and one add");
    assert_eq!(get(&gw, &format!("{v}/access-rules")).await, swapped);

    // File-unit recovery (the vendor's SetVolume) is an update option of file volumes.
    let caps = get(&gw, "/v1/providers/scp-kr-west1").await;
    assert!(
        caps["capabilities"]["volumes"]["file"]["update_options"]["file_unit_recovery"].is_string(),
        "{caps}"
    );
    let on = op(
        &gw,
        Method::PATCH,
        &v,
        Some(json!({"options": {"file_unit_recovery": true}})),
    )
    .await;
    assert_eq!(on["vendor"]["file_unit_recovery_enabled"], true, "{on}");
    let before = files.request_count();
    for bad in [
        json!({"file_unit_recovery": "yes"}),
        json!({"no_such": true}),
    ] {
        let resp = send(gw.req(Method::PATCH, &v).json(&json!({ "options": bad }))).await;
        assert_problem(&resp, 422, "unsupported_value");
    }
    let sets = files.requests()[before..]
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(sets, 0, "refused options reached the vendor");

    // Snapshot (server-named) → restore in place → clone into a new volume.
    let snap = op(
        &gw,
        Method::POST,
        &format!("{v}/snapshots"),
        Some(json!({})),
    )
    .await;
    assert!(
        snap["name"].as_str().unwrap().starts_with("orders."),
        "{snap}"
    );
    let restore = format!("/v1/snapshots/{}/restore", snap["id"].as_str().unwrap());
    let restored = op(&gw, Method::POST, &restore, Some(json!({}))).await;
    assert_eq!(
        (restored["id"].as_str(), restored["status"].as_str()),
        (Some(id.as_str()), Some("available"))
    );
    let clone = op(
        &gw,
        Method::POST,
        &restore,
        Some(json!({"mode": "new_volume", "volume_name": "orders_copy"})),
    )
    .await;
    assert_eq!(
        (
            clone["name"].as_str(),
            clone["tier"].as_str(),
            clone["status"].as_str()
        ),
        (Some("orders_copy"), Some("SSD"), Some("available"))
    );

    // Schedule: weekly on two days → two vendor schedules; then daily → one.
    let weekly = json!({"frequency": "weekly", "days": ["monday", "friday"], "hour": 23, "minute": 0, "timezone": "Asia/Seoul", "retention_count": 10});
    assert_eq!(
        op(
            &gw,
            Method::PUT,
            &format!("{v}/snapshot-schedule"),
            Some(weekly.clone())
        )
        .await,
        weekly
    );
    let vid = strata_core::ids::GlobalId::parse_as(&id, strata_core::ids::ResourceType::Volume)
        .unwrap()
        .vendor_id;
    let daily = json!({"frequency": "daily", "hour": 3, "minute": 0, "timezone": "Asia/Seoul", "retention_count": 2});
    assert_eq!(
        op(
            &gw,
            Method::PUT,
            &format!("{v}/snapshot-schedule"),
            Some(daily.clone())
        )
        .await,
        daily
    );
    assert_eq!(get(&gw, &format!("{v}/snapshot-schedule")).await, daily);
    // The vendor's scheduler keeps `retention_count` scheduled snapshots (plus the manual one).
    for _ in 0..3 {
        assert!(sim.run_snapshot_schedule(&vid));
    }
    let snaps = get(&gw, &format!("{v}/snapshots")).await;
    assert_eq!(snaps["snapshots"].as_array().unwrap().len(), 3, "{snaps}");

    // Replica to kr-east1: its destination id routes to the scp-kr-east1 provider.
    let rep = op(
        &gw,
        Method::POST,
        &format!("{v}/replicas"),
        Some(json!({"destination_region": "kr-east1", "frequency": "five_minutes"})),
    )
    .await;
    assert_eq!(
        (rep["status"].as_str(), rep["frequency"].as_str()),
        (Some("active"), Some("five_minutes")),
        "{rep}"
    );
    let dst = get(
        &gw,
        &format!(
            "/v1/volumes/{}",
            rep["destination_volume_id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        (dst["provider"].as_str(), dst["name"].as_str()),
        (Some("scp-kr-east1"), Some("orders_replica"))
    );
    let r = format!("/v1/replicas/{}", rep["id"].as_str().unwrap());
    let listed = get(&gw, &format!("{v}/replicas")).await;
    assert_eq!(listed["replicas"][0]["id"], rep["id"], "{listed}");
    assert_eq!(
        op(&gw, Method::PATCH, &r, Some(json!({"frequency": "daily"}))).await["frequency"],
        "daily"
    );
    assert_eq!(
        op(&gw, Method::POST, &format!("{r}/stop"), None).await["status"],
        "paused"
    );
    assert_eq!(
        op(&gw, Method::POST, &format!("{r}/start"), None).await["status"],
        "active"
    );
    // SCP deletes only paused replications; the adapter pauses first.
    op(&gw, Method::DELETE, &r, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &r)).await,
        404,
        "replica_not_found",
    );

    // Teardown, then the volume is gone.
    op(
        &gw,
        Method::DELETE,
        &format!("/v1/snapshots/{}", snap["id"].as_str().unwrap()),
        None,
    )
    .await;
    let listed = get(&gw, "/v1/volumes?provider=scp-kr-west1&kind=file").await;
    let names: Vec<&str> = listed["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["orders", "orders_copy"], "{listed}");
    op(&gw, Method::DELETE, &format!("{v}/snapshot-schedule"), None).await;
    op(&gw, Method::DELETE, &v, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &v)).await,
        404,
        "volume_not_found",
    );

    // Every request sent is an official-spec operation, with only declared query and body names.
    let contract = contract(CONTRACT);
    let mut used = std::collections::BTreeSet::new();
    for rec in files.requests() {
        match conforms(&contract, &rec.method, &rec.uri, rec.body.as_ref()) {
            Ok(name) => {
                used.insert(name);
            }
            Err(e) => panic!("{e}"),
        }
    }
    // All 21, SetVolume (file-unit recovery) included.
    assert_eq!(used.len(), 21, "operations exercised: {used:?}");
}

#[test]
fn the_contract_check_catches_mismatches() {
    let c = contract(CONTRACT);
    assert_eq!(c.len(), 21);
    assert!(conforms(&c, "GET", "/v1/replications/regions?source_region_name=kr-west1&replication_type=replication&type_name=HDD", None).is_ok());
    assert!(conforms(&c, "GET", "/v1/snapshots?volumeId=x", None).is_err());
    assert!(conforms(
        &c,
        "POST",
        "/v1/volumes",
        Some(&json!({"name": "a", "size": 3}))
    )
    .is_err());
    assert!(conforms(&c, "PATCH", "/v1/volumes/x", None).is_err());
}

#[tokio::test]
async fn parallel_file_storage_resizes_in_terabytes_and_refuses_what_it_cannot_do() {
    let (gw, sim) = start_scp(FAST).await;
    let vol = op(&gw, Method::POST, "/v1/volumes", Some(json!({"provider": "scp-kr-west1", "kind": "parallel_file", "name": "train_set", "size_gib": 2048}))).await;
    assert_eq!(
        (
            vol["status"].as_str(),
            vol["size_gib"].as_u64(),
            vol["protocol"].as_str()
        ),
        (Some("available"), Some(2048), Some("parallel_fs")),
        "{vol}"
    );
    let v = format!("/v1/volumes/{}", vol["id"].as_str().unwrap());
    assert_eq!(
        op(&gw, Method::PATCH, &v, Some(json!({"size_gib": 3072}))).await["size_gib"],
        3072
    );
    let capacity = sim
        .faults(Service::ParallelFileStorage)
        .requests()
        .into_iter()
        .find(|r| r.uri.ends_with("/capacity"))
        .unwrap();
    assert_eq!(
        (capacity.method.as_str(), capacity.body),
        ("PUT", Some(json!({"capacity_tb": 3})))
    );

    // GPU nodes only, in one bulk call.
    let rules = json!({"rules": [{"kind": "server", "value": "gpu-a", "server_type": "gpu_node", "access": "read_write"},
                                 {"kind": "server", "value": "gpu-b", "server_type": "gpu_node", "access": "read_write"}]});
    op(
        &gw,
        Method::PUT,
        &format!("{v}/access-rules"),
        Some(rules.clone()),
    )
    .await;
    assert_eq!(get(&gw, &format!("{v}/access-rules")).await, rules);
    let bulk: Vec<_> = sim
        .faults(Service::ParallelFileStorage)
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.uri.starts_with("/v1/access-rules?volume_id="))
        .collect();
    assert_eq!(bulk.len(), 1);
    assert_eq!(
        bulk[0].body.as_ref().unwrap()["remove_access_rules"],
        json!([])
    );
    let p =
        assert_problem(
            &send(gw.req(Method::PUT, &format!("{v}/access-rules")).json(
                &json!({"rules": [{"kind": "server", "value": "vm-1", "server_type": "vm"}]}),
            ))
            .await,
            422,
            "unsupported_value",
        );
    assert_eq!(p["field"], "access_rules[0].server_type");

    // Snapshots: create, list, delete; no restore, schedule or replica.
    let snap = op(
        &gw,
        Method::POST,
        &format!("{v}/snapshots"),
        Some(json!({})),
    )
    .await;
    assert!(snap["name"].as_str().unwrap().starts_with("snapshot."));
    let s = format!("/v1/snapshots/{}", snap["id"].as_str().unwrap());
    assert_problem(
        &send(
            gw.req(Method::POST, &format!("{s}/restore"))
                .json(&json!({})),
        )
        .await,
        422,
        "unsupported_by_provider",
    );
    assert_problem(
        &send(
            gw.req(Method::PUT, &format!("{v}/snapshot-schedule"))
                .json(&json!({"frequency": "daily", "hour": 1})),
        )
        .await,
        422,
        "unsupported_by_provider",
    );
    assert_problem(
        &send(
            gw.req(Method::POST, &format!("{v}/replicas"))
                .json(&json!({"destination_region": "kr-east1"})),
        )
        .await,
        422,
        "unsupported_by_provider",
    );
    op(&gw, Method::DELETE, &s, None).await;
    op(&gw, Method::DELETE, &v, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &v)).await,
        404,
        "volume_not_found",
    );
}

#[tokio::test]
async fn invalid_requests_are_refused_before_any_vendor_call() {
    let (gw, sim) = start_scp(FAST).await;
    let before = sim.faults(Service::FileStorage).request_count()
        + sim.faults(Service::ParallelFileStorage).request_count();
    let base =
        json!({"provider": "scp-kr-west1", "kind": "file", "name": "good_name", "protocol": "nfs"});
    let cases = [
        ("name", json!({"name": "Bad-Name"})),
        ("name", json!({"name": "ab"})),
        ("name", json!({"name": "a_name_that_is_far_too_long"})),
        ("size_gib", json!({"size_gib": 100})),
        ("tier", json!({"tier": "NVME"})),
        ("protocol", json!({"protocol": "parallel_fs"})),
        ("labels", json!({"labels": {"team": "a"}})),
        ("encrypted", json!({"encrypted": true})),
        ("options.share", json!({"options": {"share": 1}})),
        (
            "size_gib",
            json!({"kind": "parallel_file", "protocol": null, "size_gib": 1500}),
        ),
        (
            "size_gib",
            json!({"kind": "parallel_file", "protocol": null, "size_gib": 1025 * 1024}),
        ),
    ];
    for (field, patch) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        // Valid by the schema, not offered by SCP.
        let p = assert_problem(
            &send(gw.req(Method::POST, "/v1/volumes").json(&body)).await,
            422,
            "unsupported_value",
        );
        assert_eq!(p["field"], field, "{body}");
    }
    let after = sim.faults(Service::FileStorage).request_count()
        + sim.faults(Service::ParallelFileStorage).request_count();
    assert_eq!(after, before, "no vendor call for invalid input");
}

#[tokio::test]
async fn the_front_rejects_unsigned_tampered_stale_and_unversioned_requests() {
    let (_gw, sim) = start_scp(FAST).await;
    let cfg = sim.config();
    let base = sim
        .url(Service::FileStorage, "kr-west1")
        .unwrap()
        .to_string();
    let url = format!("{base}/v1/volumes?offset=0&limit=5");
    let http = reqwest::Client::new();
    let now = chrono_now() * 1000;
    let signed = |ts: i64, secret: &str, url: &str, version: &str| {
        let sig = signature(secret, "GET", url, &ts.to_string(), &cfg.access_key, "");
        http.get(url)
            .header("Scp-Accesskey", &cfg.access_key)
            .header("Scp-Timestamp", ts.to_string())
            .header("Scp-ClientType", "Openapi")
            .header("Scp-Signature", sig)
            .header("Scp-Api-Version", version)
    };
    let status =
        |rb: reqwest::RequestBuilder| async move { rb.send().await.unwrap().status().as_u16() };
    assert_eq!(
        status(signed(now, &cfg.secret_key, &url, "filestorage 1.1")).await,
        200
    );
    assert_eq!(
        status(signed(now, &cfg.secret_key, &url, "filestorage 1.0")).await,
        200
    );
    assert_eq!(
        status(http.get(&url).header("Scp-Api-Version", "filestorage 1.1")).await,
        401,
        "unsigned"
    );
    assert_eq!(
        status(signed(now, "wrong-secret", &url, "filestorage 1.1")).await,
        401,
        "wrong key"
    );
    // Signed for one query, sent with another.
    let tampered = signed(now, &cfg.secret_key, &url, "filestorage 1.1").query(&[("name", "x")]);
    assert_eq!(status(tampered).await, 401, "tampered");
    assert_eq!(
        status(signed(
            now - 10 * 60 * 1000,
            &cfg.secret_key,
            &url,
            "filestorage 1.1"
        ))
        .await,
        401,
        "stale"
    );
    assert_eq!(
        status(signed(now, &cfg.secret_key, &url, "filestorage 2.0")).await,
        400,
        "unknown version"
    );
    assert_eq!(
        status(signed(
            now,
            &cfg.secret_key,
            &url,
            "parallel-filestorage 1.0"
        ))
        .await,
        400,
        "other service"
    );
}

#[tokio::test]
async fn vendor_failures_map_to_clear_problems_and_request_ids_are_forwarded() {
    let (gw, sim) = start_scp(FAST).await;
    let files = sim.faults(Service::FileStorage);
    let vid = sim.seed_file_volume("kr-west1", "seeded", "NFS", "HDD");
    let id = strata_core::ids::GlobalId::new(
        strata_core::ids::ResourceType::Volume,
        "scp-kr-west1",
        Some(strata_core::model::VolumeKind::File),
        vid,
    )
    .encode();
    let v = format!("/v1/volumes/{id}");

    let (s, _, _) = send(fresh(&gw, &v).header("x-request-id", "scp-e2e-42")).await;
    assert_eq!(s, 200);
    assert!(files
        .requests()
        .iter()
        .any(|r| r.request_id.as_deref() == Some("scp-e2e-42")));

    files.force_status(500, 2);
    let p = assert_problem(&send(fresh(&gw, &v)).await, 502, "vendor_error");
    assert_eq!(p["vendor_status"], 500);
    files.clear();
    files.force_status(401, 2);
    assert_problem(&send(fresh(&gw, &v)).await, 502, "vendor_unauthenticated");
    files.clear();

    // A vendor 409 saying the volume has a replication is a state the client must change.
    op(
        &gw,
        Method::POST,
        &format!("{v}/replicas"),
        Some(json!({"destination_region": "kr-east1"})),
    )
    .await;
    let p = assert_problem(
        &send(gw.req(Method::DELETE, &v)).await,
        409,
        "failed_precondition",
    );
    assert_eq!(p["retryable"], false);
    assert!(p["detail"].as_str().unwrap().contains("replication"), "{p}");
}

#[tokio::test]
async fn volumes_of_both_services_page_completely_and_in_order() {
    let (gw, sim) = start_scp(FAST).await;
    for i in 0..23 {
        sim.seed_file_volume("kr-west1", &format!("fs_{i:02}"), "NFS", "HDD");
    }
    for i in 0..6 {
        sim.seed_parallel_volume("kr-west1", &format!("pfs_{i:02}"), 1);
    }
    sim.seed_file_volume("kr-east1", "elsewhere", "NFS", "HDD");
    let mut names = vec![];
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = "/v1/volumes?provider=scp-kr-west1&page_size=7".to_string();
        if let Some(t) = &token {
            path.push_str(&format!("&page_token={t}"));
        }
        let page = get(&gw, &path).await;
        names.extend(
            page["volumes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["name"].as_str().unwrap().to_string()),
        );
        pages += 1;
        match page["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
        assert!(pages < 20, "paging terminates");
    }
    let mut expected: Vec<String> = (0..23)
        .map(|i| format!("fs_{i:02}"))
        .chain((0..6).map(|i| format!("pfs_{i:02}")))
        .collect();
    expected.sort();
    let mut got = names.clone();
    got.sort();
    assert_eq!(got, expected, "every kr-west1 volume exactly once");
}
