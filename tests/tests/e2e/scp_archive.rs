//! SCP Archive Storage end to end: gateway → strata-scp (signed HTTP) → the Archive Storage
//! simulator. An archive's whole life through the gateway's HTTP API only — encryption and
//! versioning, the policy and its runs, objects and versions, recoveries into object storage
//! found in the recovery history, cancels, deletes — what is refused before any vendor call,
//! and every request checked against the contract written from the reference
//! (`archivestorage-contract.json`: paths, query names, body fields, required ones), at 1.1
//! and pinned to 1.0.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_sim::scp::{ScpSim, ScpSimConfig, Service};
use strata_tests::contract::{conforms, contract};
use strata_tests::*;

use super::scp_block::{get, op};

const FAST: Duration = Duration::from_millis(40);
const P: &str = "scp-kr-west1";
const R: &str = "kr-west1";

/// The simulator with object storage buckets to archive from and recover into, and a
/// gateway with Archive Storage pinned to `version` (`versions.archive`).
async fn start_archive(version: &str) -> (TestGateway, ScpSim) {
    let sim = ScpSim::start(ScpSimConfig {
        delay: FAST,
        ..Default::default()
    })
    .await
    .expect("simulator starts");
    for (key, size) in [("a.txt", 10), ("logs/b.log", 20), ("logs/c.log", 30)] {
        sim.put_source_object(R, "app-logs", key, size, 40);
    }
    sim.put_source_object(R, "app-logs", "new.txt", 5, 0);
    sim.put_source_object(R, "slow-logs", "x.bin", 100, 40);
    for bucket in ["restored", "slow-restore", "other-src"] {
        sim.seed_object_bucket(R, bucket);
    }
    let mut cfg = test_config();
    cfg.providers = strata_server::demo::scp_provider_configs(&sim, &[R, "kr-east1"]);
    for p in &mut cfg.providers {
        p.settings
            .insert("versions".into(), json!({ "archive": version }));
    }
    (TestGateway::start_from_config(cfg).await, sim)
}

/// Sends a request that must be refused with `status`/`code` without any Archive Storage
/// request reaching the vendor.
async fn refused(
    gw: &TestGateway,
    sim: &ScpSim,
    m: Method,
    path: &str,
    body: Option<Value>,
    (status, code): (u16, &str),
) {
    let log = sim.faults(Service::ArchiveStorage);
    let before = log.request_count();
    let mut rb = gw.req(m.clone(), path);
    if let Some(b) = &body {
        rb = rb.json(b);
    }
    assert_problem(&send(rb).await, status, code);
    assert_eq!(
        log.request_count(),
        before,
        "{m} {path} {body:?} reached the vendor"
    );
}

/// Every request the simulator received is an operation of the contract; returns the
/// operations used, with the version each appeared in.
fn spec_check(sim: &ScpSim) -> BTreeSet<(String, String)> {
    let c = contract("archivestorage-contract.json");
    let since = |name: &str| {
        c.iter()
            .find(|o| o["operation"] == name)
            .and_then(|o| o["since"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut used = BTreeSet::new();
    for rec in sim.faults(Service::ArchiveStorage).requests() {
        match conforms(&c, &rec.method, &rec.uri, rec.body.as_ref()) {
            Ok(name) => used.insert((since(&name), name)),
            Err(e) => panic!("{e}"),
        };
    }
    used
}

/// Waits until the archive's newest job of `kind` has finished; returns it.
async fn finished(gw: &TestGateway, a: &str, kind: &str) -> Value {
    for _ in 0..300 {
        let jobs = get(gw, &format!("{a}/jobs?kind={kind}")).await;
        let job = &jobs["jobs"][0];
        if job.is_object() && !matches!(job["status"].as_str(), Some("queued" | "running")) {
            return job.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no finished {kind} job in {a}");
}

fn vendor(id: &Value) -> String {
    strata_core::ids::GlobalId::parse_as(
        id.as_str().unwrap(),
        strata_core::ids::ResourceType::Archive,
    )
    .unwrap()
    .vendor_id
}

fn keys(page: &Value, list: &str, field: &str) -> Vec<String> {
    page[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[field].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_archive_lives_its_whole_life_at_1_1() {
    let (gw, sim) = start_archive("1.1").await;
    // Refused before any vendor call: the provider's name rules, days, prefix, bad paths.
    for name in ["admin-logs", "192.168.0.1", "Upper", "a..b", "ab"] {
        let body = json!({"provider": P, "name": name});
        refused(
            &gw,
            &sim,
            Method::POST,
            "/v1/archives",
            Some(body),
            (422, "unsupported_value"),
        )
        .await;
    }

    let a = op(&gw, Method::POST, "/v1/archives", Some(json!({"provider": P, "name": "audit-logs", "encrypted": true, "versioning": true, "labels": {"team": "sec"}}))).await;
    assert_eq!(
        (
            a["status"].as_str(),
            a["encrypted"].as_bool(),
            a["versioning"].as_bool()
        ),
        (Some("active"), Some(true), Some(true)),
        "{a}"
    );
    let path = format!("/v1/archives/{}", a["id"].as_str().unwrap());
    let bucket = vendor(&a["id"]);
    let dup = send(
        gw.req(Method::POST, "/v1/archives")
            .json(&json!({"provider": P, "name": "audit-logs"})),
    )
    .await;
    assert_problem(&dup, 409, "already_exists");
    let list = get(&gw, &format!("/v1/archives?provider={P}&name=audit")).await;
    assert_eq!(keys(&list, "archives", "name"), ["audit-logs"]);

    // The policy: days out of SCP's range, a prefix, a bad path: refused before any call.
    let policy = format!("{path}/policy");
    refused(
        &gw,
        &sim,
        Method::PUT,
        &policy,
        Some(json!({"source_bucket": "app-logs", "after_days": 3651})),
        (422, "unsupported_value"),
    )
    .await;
    refused(
        &gw,
        &sim,
        Method::PUT,
        &policy,
        Some(json!({"source_bucket": "app-logs", "after_days": 30, "prefix": "logs/"})),
        (422, "unsupported_value"),
    )
    .await;
    refused(
        &gw,
        &sim,
        Method::PUT,
        &policy,
        Some(json!({"source_bucket": "app-logs", "after_days": 0})),
        (400, "invalid_argument"),
    )
    .await;
    assert_problem(
        &send(gw.req(Method::GET, &policy)).await,
        404,
        "archive_policy_not_found",
    );
    let p = op(
        &gw,
        Method::PUT,
        &policy,
        Some(json!({"source_bucket": "app-logs", "after_days": 30})),
    )
    .await;
    assert_eq!(
        (
            p["source_bucket"].as_str(),
            p["after_days"].as_u64(),
            p["enabled"].as_bool()
        ),
        (Some("app-logs"), Some(30), Some(true)),
        "{p}"
    );
    let p = op(
        &gw,
        Method::PUT,
        &policy,
        Some(json!({"source_bucket": "app-logs", "after_days": 31})),
    )
    .await;
    assert_eq!(p["after_days"], 31, "{p}");
    let other = send(
        gw.req(Method::PUT, &policy)
            .json(&json!({"source_bucket": "other-src", "after_days": 31})),
    )
    .await;
    assert_problem(&other, 409, "failed_precondition");
    let all = get(&gw, &format!("/v1/archive-policies?provider={P}")).await;
    assert_eq!(keys(&all, "policies", "source_bucket"), ["app-logs"]);
    assert_eq!(get(&gw, &path).await["source_bucket"], "app-logs");

    // An archiving run: old objects in, the new one left out; progress on the job.
    assert!(sim.run_archiving(R, &bucket).is_some());
    let run = finished(&gw, &path, "archiving").await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let job = get(
        &gw,
        &format!("/v1/archive-jobs/{}", run["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(job["progress"][0]["done_objects"], 3, "{job}");
    assert_eq!(
        keys(
            &get(&gw, &format!("{path}/objects")).await,
            "objects",
            "key"
        ),
        ["logs/", "a.txt"]
    );
    assert_eq!(
        keys(
            &get(&gw, &format!("{path}/objects?folder=logs/&name=c")).await,
            "objects",
            "key"
        ),
        ["logs/c.log"]
    );
    let paged = get(&gw, &format!("{path}/objects?folder=logs/&page_size=1")).await;
    assert_eq!(keys(&paged, "objects", "key"), ["logs/b.log"], "{paged}");
    let token = paged["next_page_token"].as_str().expect("a next page");
    let rest = get(
        &gw,
        &format!("{path}/objects?folder=logs/&page_size=1&page_token={token}"),
    )
    .await;
    assert_eq!(keys(&rest, "objects", "key"), ["logs/c.log"], "{rest}");

    // A new content of a.txt makes a second version.
    sim.put_source_object(R, "app-logs", "a.txt", 11, 40);
    sim.run_archiving(R, &bucket);
    finished(&gw, &path, "archiving").await;
    let versions = get(&gw, &format!("{path}/object-versions?key=a.txt")).await;
    assert_eq!(
        versions["versions"].as_array().unwrap().len(),
        2,
        "{versions}"
    );
    assert_eq!(
        (
            versions["versions"][0]["latest"].as_bool(),
            versions["versions"][0]["size_bytes"].as_u64()
        ),
        (Some(true), Some(11))
    );
    let (newer, older) = (
        versions["versions"][0]["version_id"].clone(),
        versions["versions"][1]["version_id"].clone(),
    );

    // Recoveries: found in the vendor's history, settled, objects in the target bucket.
    let job = op(&gw, Method::POST, &format!("{path}/recover"), Some(json!({"target_bucket": "restored", "items": [{"path": "a.txt", "type": "file"}, {"path": "logs/", "type": "folder"}]}))).await;
    assert_eq!(
        (
            job["kind"].as_str(),
            job["status"].as_str(),
            job["target_bucket"].as_str()
        ),
        (Some("recovery"), Some("succeeded"), Some("restored")),
        "{job}"
    );
    assert_eq!(
        sim.object_bucket_keys(R, "restored"),
        ["a.txt", "logs/b.log", "logs/c.log"]
    );
    let job = op(&gw, Method::POST, &format!("{path}/object-versions/recover"), Some(json!({"target_bucket": "restored", "key": "a.txt", "version_id": older, "overwrite": true}))).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    // A slow recovery is cancelled; a second cancel is refused.
    let (s, _, started) = send(gw.req(Method::POST, &format!("{path}/recover")).json(
        &json!({"target_bucket": "slow-restore", "items": [{"path": "logs/", "type": "folder"}]}),
    ))
    .await;
    assert_eq!(s, 202, "{started}");
    let job_path = format!("/v1/archive-jobs/{}", started["target"].as_str().unwrap());
    let status = get(&gw, &job_path).await["status"].clone();
    assert!(
        matches!(status.as_str(), Some("queued" | "running")),
        "{status}"
    );
    let cancelled = op(&gw, Method::POST, &format!("{job_path}/cancel"), None).await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert_problem(
        &send(gw.req(Method::POST, &format!("{job_path}/cancel"))).await,
        409,
        "failed_precondition",
    );
    let recoveries = get(&gw, &format!("{path}/jobs?kind=recovery")).await;
    assert_eq!(
        recoveries["jobs"].as_array().unwrap().len(),
        3,
        "{recoveries}"
    );
    let cancelled = get(&gw, &format!("{path}/jobs?status=cancelled")).await;
    assert_eq!(
        cancelled["jobs"].as_array().unwrap().len(),
        1,
        "{cancelled}"
    );
    let window = get(&gw, &format!("{path}/jobs?until=2020-01-01T00:00:00Z")).await;
    assert!(window["jobs"].as_array().unwrap().is_empty(), "{window}");

    // Pause and resume: a paused policy does not run.
    assert_eq!(
        op(&gw, Method::POST, &format!("{policy}/pause"), None).await["enabled"],
        false
    );
    assert!(sim.run_archiving(R, &bucket).is_none());
    assert_eq!(
        op(&gw, Method::POST, &format!("{policy}/resume"), None).await["enabled"],
        true
    );

    // Deletes: a version, then objects, then the archive.
    run_op(
        &gw,
        Method::POST,
        &format!("{path}/object-versions/delete"),
        Some(json!({"key": "a.txt", "version_ids": [newer]})),
    )
    .await;
    let left = get(&gw, &format!("{path}/object-versions?key=a.txt")).await;
    assert_eq!(
        (
            left["versions"][0]["version_id"].clone(),
            left["versions"][0]["latest"].as_bool()
        ),
        (older, Some(true)),
        "{left}"
    );
    let busy = send(gw.req(Method::DELETE, &path)).await;
    assert!(
        matches!(busy.0, 409),
        "an archive with objects is not deleted: {:?}",
        busy.2
    );
    run_op(
        &gw,
        Method::POST,
        &format!("{path}/objects/delete"),
        Some(json!({"paths": ["a.txt", "logs/"]})),
    )
    .await;
    assert!(get(&gw, &format!("{path}/objects")).await["objects"]
        .as_array()
        .unwrap()
        .is_empty());
    run_op(&gw, Method::DELETE, &path, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &path)).await,
        404,
        "archive_not_found",
    );

    // An archiving run cancelled (its source is slow): CancelArchiving.
    let b = op(
        &gw,
        Method::POST,
        "/v1/archives",
        Some(json!({"provider": P, "name": "slow-archive"})),
    )
    .await;
    let bpath = format!("/v1/archives/{}", b["id"].as_str().unwrap());
    op(
        &gw,
        Method::PUT,
        &format!("{bpath}/policy"),
        Some(json!({"source_bucket": "slow-logs", "after_days": 1})),
    )
    .await;
    sim.run_archiving(R, &vendor(&b["id"]));
    let running = loop {
        let jobs = get(&gw, &format!("{bpath}/jobs?kind=archiving&status=running")).await;
        if let Some(j) = jobs["jobs"].as_array().and_then(|j| j.first()) {
            break j.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let stopped = op(
        &gw,
        Method::POST,
        &format!(
            "/v1/archive-jobs/{}/cancel",
            running["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(
        (stopped["status"].as_str(), stopped["kind"].as_str()),
        (Some("cancelled"), Some("archiving")),
        "{stopped}"
    );

    // Every request was one of the reference's operations, and all 25 were used.
    let used = spec_check(&sim);
    assert_eq!(used.len(), 25, "{used:?}");
    gw.stop().await;
}

#[tokio::test]
async fn pinned_to_1_0_an_archive_sends_only_1_0_operations() {
    let (gw, sim) = start_archive("1.0").await;
    let (_, _, provider) = send(gw.req(Method::GET, &format!("/v1/providers/{P}"))).await;
    let caps = &provider["capabilities"]["archives"];
    assert_eq!(
        (caps["versioning"].as_bool(), caps["policy_pause"].as_bool()),
        (Some(false), Some(false)),
        "{caps}"
    );
    refused(
        &gw,
        &sim,
        Method::POST,
        "/v1/archives",
        Some(json!({"provider": P, "name": "v-logs", "versioning": true})),
        (422, "unsupported_by_provider"),
    )
    .await;

    let a = op(
        &gw,
        Method::POST,
        "/v1/archives",
        Some(json!({"provider": P, "name": "old-logs", "encrypted": true})),
    )
    .await;
    assert_eq!(
        (a["encrypted"].as_bool(), a.get("versioning")),
        (Some(true), None),
        "{a}"
    );
    let path = format!("/v1/archives/{}", a["id"].as_str().unwrap());
    refused(
        &gw,
        &sim,
        Method::PATCH,
        &path,
        Some(json!({"versioning": true})),
        (422, "unsupported_by_provider"),
    )
    .await;
    refused(
        &gw,
        &sim,
        Method::GET,
        &format!("{path}/object-versions?key=a.txt"),
        None,
        (422, "unsupported_by_provider"),
    )
    .await;
    refused(
        &gw,
        &sim,
        Method::POST,
        &format!("{path}/policy/pause"),
        None,
        (422, "unsupported_by_provider"),
    )
    .await;
    refused(
        &gw,
        &sim,
        Method::POST,
        &format!("{path}/object-versions/recover"),
        Some(json!({"target_bucket": "restored", "key": "a.txt", "version_id": "v"})),
        (422, "unsupported_by_provider"),
    )
    .await;
    refused(
        &gw,
        &sim,
        Method::POST,
        &format!("{path}/object-versions/delete"),
        Some(json!({"key": "a.txt", "version_ids": ["v"]})),
        (422, "unsupported_by_provider"),
    )
    .await;

    op(
        &gw,
        Method::PUT,
        &format!("{path}/policy"),
        Some(json!({"source_bucket": "app-logs", "after_days": 30})),
    )
    .await;
    sim.run_archiving(R, &vendor(&a["id"]));
    assert_eq!(
        finished(&gw, &path, "archiving").await["status"],
        "succeeded"
    );
    let job = op(
        &gw,
        Method::POST,
        &format!("{path}/recover"),
        Some(json!({"target_bucket": "restored", "items": [{"path": "logs/", "type": "folder"}]})),
    )
    .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    run_op(
        &gw,
        Method::POST,
        &format!("{path}/objects/delete"),
        Some(json!({"paths": ["a.txt", "logs/"]})),
    )
    .await;
    run_op(&gw, Method::DELETE, &path, None).await;

    let used = spec_check(&sim);
    let newer: Vec<_> = used.iter().filter(|(since, _)| since != "1.0").collect();
    assert!(
        newer.is_empty(),
        "1.1-only operations sent at 1.0: {newer:?}"
    );
    assert_eq!(used.len(), 14, "{used:?}");
    gw.stop().await;
}
