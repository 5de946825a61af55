//! SCP Block Storage (BM) end to end: gateway → strata-scp (signed HTTP) → the Block Storage
//! simulator. A block volume's whole life at API 1.2 (the group half is in
//! `scp_block_groups.rs`), what is refused before any vendor call, and vendor failures.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_server::config::Config;
use strata_sim::scp::{ScpSim, ScpSimConfig, Service};
use strata_tests::contract::{conforms, contract};
use strata_tests::*;

use super::scp_block_groups::group_life;

const FAST: Duration = Duration::from_millis(40);
pub(crate) const SERVER_A: &str = "83c3c73d457345e3829ee6d5557c0016";
pub(crate) const SERVER_B: &str = "d7682135392e42489948c189e29011cc";
pub(crate) const SERVER_C: &str = "13666d6c32d4456e8421f7768d0bf225";

/// The SCP simulator and a gateway whose providers `scp-kr-west1` / `scp-kr-east1` offer
/// Block Storage too, with the adapter pinned to API `version` (`versions.block`).
pub(crate) async fn start_block(version: &str, cfg: Config) -> (TestGateway, ScpSim) {
    let sim = ScpSim::start(ScpSimConfig {
        delay: FAST,
        ..Default::default()
    })
    .await
    .expect("simulator starts");
    let mut cfg = cfg;
    cfg.providers = strata_server::demo::scp_provider_configs(&sim, &["kr-west1", "kr-east1"]);
    for p in &mut cfg.providers {
        let s = &mut p.settings;
        s.insert("services".into(), json!(["file", "parallel_file", "block"]));
        let url = sim.url(Service::BlockStorage, &p.region).unwrap();
        s["endpoints"]["block"] = json!(url);
        s.insert("versions".into(), json!({ "block": version }));
    }
    (TestGateway::start_from_config(cfg).await, sim)
}

/// Runs a mutation to completion; returns its result.
pub(crate) async fn op(gw: &TestGateway, m: Method, path: &str, body: Option<Value>) -> Value {
    run_op(gw, m, path, body).await["result"].clone()
}

/// A read that goes to the vendor, not to the gateway's cache.
pub(crate) async fn get(gw: &TestGateway, path: &str) -> Value {
    let (s, _, b) = send(
        gw.req(Method::GET, path)
            .header("cache-control", "no-cache"),
    )
    .await;
    assert_eq!(s, 200, "GET {path}: {b}");
    b
}

/// Sends a request that must be refused with `status`/`code` without any Block Storage
/// request reaching the vendor; returns the problem.
pub(crate) async fn refused(
    gw: &TestGateway,
    sim: &ScpSim,
    m: Method,
    path: &str,
    body: Option<Value>,
    (status, code): (u16, &str),
) -> Value {
    let log = sim.faults(Service::BlockStorage);
    let before = log.request_count();
    let mut rb = gw.req(m.clone(), path);
    if let Some(b) = &body {
        rb = rb.json(b);
    }
    let p = assert_problem(&send(rb).await, status, code);
    assert_eq!(
        log.request_count(),
        before,
        "{m} {path} {body:?} reached the vendor"
    );
    p
}

/// A volume path of a global id.
pub(crate) fn vpath(id: &Value) -> String {
    format!("/v1/volumes/{}", id.as_str().unwrap())
}

/// Every request the Block Storage simulator received is an operation of `contracts` (the
/// union of the files); returns the operations used.
pub(crate) fn spec_check(sim: &ScpSim, contracts: &[&str]) -> BTreeSet<String> {
    let c: Vec<Value> = contracts.iter().flat_map(|n| contract(n)).collect();
    let mut used = BTreeSet::new();
    for rec in sim.faults(Service::BlockStorage).requests() {
        match conforms(&c, &rec.method, &rec.uri, rec.body.as_ref()) {
            Ok(name) => used.insert(name),
            Err(e) => panic!("{e}"),
        };
    }
    used
}

/// A block volume's whole life through the gateway, then its group's (`group_life`), at
/// API `version`: at 1.0 QoS and recoveries are refused before any vendor call instead.
pub(crate) async fn volume_life(gw: &TestGateway, sim: &ScpSim, version: &str) {
    let v12 = version == "1.2";
    // Create with two servers (bare metal and GPU cluster node) and, at 1.2, QoS.
    let mut body = json!({"provider": "scp-kr-west1", "kind": "block", "name": "bs-01",
        "size_gib": 10, "tier": "SSD",
        "attachments": [{"server_id": SERVER_A, "server_type": "bm"},
                        {"server_id": SERVER_B, "server_type": "mngc"}]});
    if v12 {
        body["qos"] = json!({"iops": 3000, "throughput_mbps": 125});
    }
    let vol = op(gw, Method::POST, "/v1/volumes", Some(body)).await;
    assert_eq!(
        (vol["status"].as_str(), vol["kind"].as_str()),
        (Some("in_use"), Some("block")),
        "{vol}"
    );
    assert_eq!(
        (
            vol["size_gib"].as_u64(),
            vol["protocol"].as_str(),
            vol["tier"].as_str()
        ),
        (Some(10), Some("iscsi"), Some("SSD"))
    );
    let b = &vol["block"];
    let servers: Vec<(&str, &str)> = b["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["server_id"].as_str().unwrap(),
                a["server_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(servers, [(SERVER_A, "bm"), (SERVER_B, "mngc")], "{vol}");
    assert_eq!(b["origin"], "original");
    let targets = b["target_addresses"].as_array().unwrap().clone();
    assert!(!targets.is_empty(), "{vol}");
    assert_eq!(vol["vendor"]["purpose"], "ORG", "{vol}");
    assert!(
        vol["vendor"]["srn"]
            .as_str()
            .is_some_and(|s| s.contains("baremetal-blockstorage:volume/")),
        "{vol}"
    );
    let v = vpath(&vol["id"]);
    let mt = get(gw, &format!("{v}/mount-targets")).await;
    let mts = mt["mount_targets"].as_array().unwrap();
    assert_eq!(mts.len(), targets.len(), "{mt}");
    assert!(mts.iter().all(|m| m["protocol"] == "iscsi"), "{mt}");
    let att = get(gw, &format!("{v}/attachments")).await;
    assert_eq!(att["attachments"], b["attachments"]);
    let listed = get(gw, "/v1/volumes?provider=scp-kr-west1&kind=block").await;
    assert_eq!(listed["volumes"][0]["id"], vol["id"], "{listed}");

    if v12 {
        assert_eq!(b["qos"], json!({"iops": 3000, "throughput_mbps": 125}));
        let patched = op(gw, Method::PATCH, &v, Some(json!({"qos": {"iops": 6000}}))).await;
        assert_eq!(
            patched["block"]["qos"],
            json!({"iops": 6000, "throughput_mbps": 125})
        );
        assert_eq!(get(gw, &v).await["block"]["qos"]["iops"], 6000);
    } else {
        assert!(b.get("qos").is_none(), "{vol}");
        let qos = Some(json!({"qos": {"iops": 6000}}));
        refused(
            gw,
            sim,
            Method::PATCH,
            &v,
            qos,
            (422, "unsupported_by_provider"),
        )
        .await;
    }

    // Snapshot reserve (created, then changed): snapshots are on.
    let reserve = format!("{v}/snapshot-reserve");
    op(gw, Method::PUT, &reserve, Some(json!({"percent": 20}))).await;
    op(gw, Method::PUT, &reserve, Some(json!({"percent": 30}))).await;
    assert_eq!(get(gw, &v).await["block"]["snapshot_reserve_percent"], 30);

    // Two snapshots, listed and read; the vendor names them.
    let s1 = op(gw, Method::POST, &format!("{v}/snapshots"), Some(json!({}))).await;
    let s2 = op(gw, Method::POST, &format!("{v}/snapshots"), Some(json!({}))).await;
    assert!(
        s1["name"]
            .as_str()
            .unwrap()
            .contains("___snapshot-create-bm-blockstorage."),
        "{s1}"
    );
    assert_eq!(s1["volume_id"], vol["id"]);
    let snaps = get(gw, &format!("{v}/snapshots")).await;
    let ids: BTreeSet<&str> = snaps["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([s1["id"].as_str().unwrap(), s2["id"].as_str().unwrap()])
    );
    let s1p = format!("/v1/snapshots/{}", s1["id"].as_str().unwrap());
    assert_eq!(get(gw, &s1p).await["name"], s1["name"]);

    // Restore in place; at 1.1+ into a new volume too (a recovery).
    let restored = op(gw, Method::POST, &format!("{s1p}/restore"), Some(json!({}))).await;
    assert_eq!(restored["id"], vol["id"], "{restored}");
    let mut recovered = None;
    if v12 {
        let rec = op(
            gw,
            Method::POST,
            &format!("{s1p}/restore"),
            Some(json!({"mode": "new_volume", "volume_name": "bs-01-copy"})),
        )
        .await;
        let rv = get(gw, &vpath(&rec["id"])).await;
        assert_eq!(
            (rv["name"].as_str(), rv["block"]["origin"].as_str()),
            (Some("bs-01-copy"), Some("recovery")),
            "{rv}"
        );
        assert_eq!(rv["vendor"]["purpose"], "RECOVERY");
        recovered = Some(vpath(&rec["id"]));
    } else {
        let body = Some(json!({"mode": "new_volume", "volume_name": "bs-01-copy"}));
        let path = format!("{s1p}/restore");
        refused(
            gw,
            sim,
            Method::POST,
            &path,
            body,
            (422, "unsupported_by_provider"),
        )
        .await;
    }

    // Schedule: weekly on one day at a whole hour; what SCP cannot express is refused.
    let sched = format!("{v}/snapshot-schedule");
    let weekly = json!({"frequency": "weekly", "days": ["sunday"], "hour": 3, "minute": 0, "timezone": "Asia/Seoul"});
    let put = op(gw, Method::PUT, &sched, Some(weekly.clone())).await;
    assert_eq!(
        (put["frequency"].as_str(), put["days"].clone()),
        (Some("weekly"), json!(["sunday"]))
    );
    for (bad, field) in [
        (json!({"days": ["sunday", "monday"]}), "days"),
        (json!({"minute": 30}), "minute"),
        (json!({"retention_count": 5}), "retention_count"),
    ] {
        let mut b = weekly.clone();
        b.as_object_mut()
            .unwrap()
            .extend(bad.as_object().unwrap().clone());
        let p = refused(
            gw,
            sim,
            Method::PUT,
            &sched,
            Some(b),
            (422, "unsupported_value"),
        )
        .await;
        assert!(p["field"].as_str().unwrap_or("").contains(field), "{p}");
    }
    let got = get(gw, &sched).await;
    assert_eq!(
        (got["frequency"].as_str(), got["hour"].as_u64()),
        (Some("weekly"), Some(3)),
        "{got}"
    );
    let daily = json!({"frequency": "daily", "hour": 5, "timezone": "Asia/Seoul"});
    op(gw, Method::PUT, &sched, Some(daily)).await;
    assert_eq!(get(gw, &sched).await["frequency"], "daily");
    op(gw, Method::DELETE, &sched, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &sched)).await,
        404,
        "snapshot_schedule_not_found",
    );

    // Replica in kr-east1: cycle change, stop (break), start (resync), delete.
    let rep = op(
        gw,
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
    let dst = get(gw, &vpath(&rep["destination_volume_id"])).await;
    assert_eq!(
        (dst["provider"].as_str(), dst["block"]["origin"].as_str()),
        (Some("scp-kr-east1"), Some("replica")),
        "{dst}"
    );
    let r = format!("/v1/replicas/{}", rep["id"].as_str().unwrap());
    assert_eq!(
        get(gw, &format!("{v}/replicas")).await["replicas"][0]["id"],
        rep["id"]
    );
    let patched = op(gw, Method::PATCH, &r, Some(json!({"frequency": "daily"}))).await;
    assert_eq!(patched["frequency"], "daily");
    let stopped = op(gw, Method::POST, &format!("{r}/stop"), None).await;
    assert_eq!(stopped["status"], "paused");
    assert_eq!(
        op(gw, Method::POST, &format!("{r}/start"), None).await["status"],
        "active"
    );
    op(gw, Method::DELETE, &r, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &r)).await,
        404,
        "replica_not_found",
    );

    // A second volume (HDD, one server) and a third without servers, attached afterwards.
    let two = op(
        gw,
        Method::POST,
        "/v1/volumes",
        Some(json!({"provider": "scp-kr-west1", "kind": "block",
        "name": "bs-02", "size_gib": 20, "tier": "HDD",
        "attachments": [{"server_id": SERVER_A, "server_type": "bm"}]})),
    )
    .await;
    assert_eq!(two["status"], "in_use");
    let three = op(
        gw,
        Method::POST,
        "/v1/volumes",
        Some(json!({"provider": "scp-kr-west1", "kind": "block",
        "name": "bs-03", "size_gib": 5, "tier": "SSD"})),
    )
    .await;
    assert_eq!(three["status"], "available", "{three}");
    let attached = op(
        gw,
        Method::POST,
        &format!("{}/attachments", vpath(&three["id"])),
        Some(json!({"server_id": SERVER_C, "server_type": "bm"})),
    )
    .await;
    assert_eq!(attached["status"], "in_use");
    assert_eq!(attached["block"]["attachments"][0]["server_id"], SERVER_C);

    group_life(gw, sim, version, [&vol["id"], &two["id"], &three["id"]]).await;

    // Snapshots and the reserve go; then the servers, one by one.
    for s in [&s1, &s2] {
        op(
            gw,
            Method::DELETE,
            &format!("/v1/snapshots/{}", s["id"].as_str().unwrap()),
            None,
        )
        .await;
    }
    op(gw, Method::DELETE, &reserve, None).await;
    assert!(get(gw, &v).await["block"]
        .get("snapshot_reserve_percent")
        .is_none());
    let detached = op(
        gw,
        Method::DELETE,
        &format!("{v}/attachments/{SERVER_A}"),
        None,
    )
    .await;
    assert_eq!(
        detached["block"]["attachments"].as_array().unwrap().len(),
        1,
        "{detached}"
    );
    let detached = op(
        gw,
        Method::DELETE,
        &format!("{v}/attachments/{SERVER_B}"),
        None,
    )
    .await;
    assert_eq!(
        (
            detached["status"].as_str(),
            detached["block"]["attachments"].clone()
        ),
        (Some("available"), json!([])),
        "{detached}"
    );
    // The vendor refuses to delete a grouped volume (there is no group delete to free it).
    let p = assert_problem(
        &send(gw.req(Method::DELETE, &v)).await,
        409,
        "failed_precondition",
    );
    assert!(p["detail"].as_str().unwrap().contains("group"), "{p}");
    // An attached volume is refused too; detached, it goes.
    let t = vpath(&three["id"]);
    let p = assert_problem(
        &send(gw.req(Method::DELETE, &t)).await,
        409,
        "failed_precondition",
    );
    assert!(p["detail"].as_str().unwrap().contains("attach"), "{p}");
    op(
        gw,
        Method::DELETE,
        &format!("{t}/attachments/{SERVER_C}"),
        None,
    )
    .await;
    for gone in [Some(t), recovered].into_iter().flatten() {
        op(gw, Method::DELETE, &gone, None).await;
        assert_problem(
            &send(gw.req(Method::GET, &gone)).await,
            404,
            "volume_not_found",
        );
    }
}

#[tokio::test]
async fn a_block_volume_and_its_group_live_their_whole_life_at_1_2() {
    let (gw, sim) = start_block("1.2", test_config()).await;
    let caps = get(&gw, "/v1/providers/scp-kr-west1").await;
    let kinds = caps["capabilities"]["volumes"]["block"].clone();
    assert_eq!(kinds["qos"]["min_iops"], 3000, "{caps}");
    volume_life(&gw, &sim, "1.2").await;
    // Every request fits the official 1.0 file or the 1.1/1.2 additions: all 41 operations.
    let used = spec_check(
        &sim,
        &[
            "blockstorage-contract.json",
            "blockstorage-contract-1.1-1.2.json",
        ],
    );
    for extra in [
        "setVolumeQos",
        "createVolumeRecovery",
        "createVolumeGroupRecovery",
    ] {
        assert!(used.contains(extra), "{extra} not exercised: {used:?}");
    }
    assert_eq!(used.len(), 41, "{used:?}");
}
