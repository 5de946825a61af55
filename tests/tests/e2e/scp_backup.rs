//! SCP Backup end to end: gateway → strata-scp (signed HTTP) → the Backup simulator. A backup
//! estate's whole life through the gateway's HTTP API only — image and filesystem policies,
//! runs and their jobs, recovery points, both restores, DR replication, agents — what is
//! refused before any vendor call, and every request checked against the vendor's official
//! spec (`backup-contract.json`, API 1.0) and the seed's 1.1 shapes (`backup-contract-1.1.json`).

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
const UNSUPPORTED: (u16, &str) = (422, "unsupported_value");

/// The SCP simulator with backup targets (as `start_scp` seeds them, plus a server whose jobs
/// partially succeed and one whose jobs fail) and a gateway with Backup pinned to `version`
/// (`versions.backup`).
async fn start_backup(version: &str) -> (TestGateway, ScpSim) {
    let sim = ScpSim::start(ScpSimConfig {
        delay: FAST,
        ..Default::default()
    })
    .await
    .expect("simulator starts");
    for region in ["kr-west1", "kr-east1"] {
        for name in ["web-01", "web-02", "web-03"] {
            sim.seed_backup_target(region, name, "VIRTUAL_SERVER", "LINUX");
        }
    }
    sim.seed_backup_target("kr-west1", "db-partial", "VIRTUAL_SERVER", "LINUX");
    sim.seed_backup_target("kr-west1", "app-fail", "VIRTUAL_SERVER", "LINUX");
    let mut cfg = test_config();
    cfg.providers = strata_server::demo::scp_provider_configs(&sim, &["kr-west1", "kr-east1"]);
    for p in &mut cfg.providers {
        p.settings
            .insert("versions".into(), json!({ "backup": version }));
    }
    (TestGateway::start_from_config(cfg).await, sim)
}

/// Sends a request that must be refused with `status`/`code` without any Backup request
/// reaching the vendor; returns the problem.
async fn refused(
    gw: &TestGateway,
    sim: &ScpSim,
    m: Method,
    path: &str,
    body: Value,
    (status, code): (u16, &str),
) -> Value {
    let log = sim.faults(Service::Backup);
    let before = log.request_count();
    let p = assert_problem(
        &send(gw.req(m.clone(), path).json(&body)).await,
        status,
        code,
    );
    assert_eq!(
        log.request_count(),
        before,
        "{m} {path} {body} reached the vendor"
    );
    p
}

/// The Backup requests the vendor received with `method` on a path ending in `tail`.
fn sent(sim: &ScpSim, method: &str, tail: &str) -> usize {
    let reqs = sim.faults(Service::Backup).requests();
    reqs.iter()
        .filter(|r| r.method == method && r.uri.split('?').next().unwrap().ends_with(tail))
        .count()
}

/// Every request the Backup simulator received is an operation of `contracts` (the union of
/// the files); returns the operations used.
fn spec_check(sim: &ScpSim, contracts: &[&str]) -> BTreeSet<String> {
    let c: Vec<Value> = contracts.iter().flat_map(|n| contract(n)).collect();
    let mut used = BTreeSet::new();
    for rec in sim.faults(Service::Backup).requests() {
        match conforms(&c, &rec.method, &rec.uri, rec.body.as_ref()) {
            Ok(name) => used.insert(name),
            Err(e) => panic!("{e}"),
        };
    }
    used
}

fn path_of(kind: &str, id: &Value) -> String {
    format!("/v1/{kind}/{}", id.as_str().unwrap())
}

/// The id of the server named `name` among the backup targets of `P`.
fn server(targets: &Value, name: &str) -> String {
    let t = targets["targets"].as_array().unwrap();
    let s = t.iter().find(|t| t["name"] == name);
    s.unwrap_or_else(|| panic!("{name} not in {targets}"))["server_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn policy(name: &str, server: &str, kind: &str) -> Value {
    json!({"provider": P, "name": name, "kind": kind, "server_id": server,
           "server_type": "virtual_server",
           "schedules": [{"level": "full", "frequency": "weekly", "day": "sunday", "hour": 2, "minute": 0},
                         {"level": "incremental", "frequency": "daily", "hour": 3, "minute": 0}],
           "retention": "one_month"})
}

/// Runs policy `b` and returns the finished operation (which may have failed).
async fn run(gw: &TestGateway, b: &str) -> Value {
    let (s, h, o) = send(gw.req(Method::POST, &format!("{b}/run"))).await;
    assert_eq!(s, 202, "{o}");
    let loc = h["location"].to_str().unwrap();
    let (s, _, done) = send(gw.req(Method::GET, &format!("{loc}?wait=30s"))).await;
    assert_eq!((s, &done["done"]), (200, &json!(true)), "{done}");
    done
}

/// The ids of a list member `key` of `v`.
fn ids(v: &Value, key: &str) -> Vec<Value> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect()
}

/// A backup estate's whole life at API `version` (`1.0` or `1.1`) through the gateway.
async fn backup_life(gw: &TestGateway, sim: &ScpSim, version: &str) {
    let v11 = version == "1.1";
    // Targets: the seeded servers of the region.
    let targets = get(
        gw,
        &format!("/v1/backup-targets?provider={P}&server_type=virtual_server"),
    )
    .await;
    let names: BTreeSet<&str> = targets["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let want = ["app-fail", "db-partial", "web-01", "web-02", "web-03"];
    assert_eq!(names, want.into_iter().collect(), "{targets}");
    let (web1, web2) = (server(&targets, "web-01"), server(&targets, "web-02"));
    let (partial, fail) = (server(&targets, "db-partial"), server(&targets, "app-fail"));

    // Refused before any vendor call: an invalid retention (schema), a monthly entry without
    // its week, paths on an image policy, replication at 1.0.
    let monthly = json!([{"level": "full", "frequency": "monthly", "day": "friday", "hour": 2}]);
    let mut cases = vec![
        ("retention", json!("forever"), (400, "invalid_body"), ""),
        ("schedules", monthly, UNSUPPORTED, "schedules[0].week"),
        ("paths", json!(["/data"]), UNSUPPORTED, "paths"),
    ];
    if !v11 {
        cases.push(("replicate", json!(true), UNSUPPORTED, "replicate"));
    }
    for (key, value, problem, field) in cases {
        let mut bad = policy("img", &web1, "image");
        bad[key] = value;
        let p = refused(gw, sim, Method::POST, "/v1/backups", bad, problem).await;
        assert!(field.is_empty() || p["field"] == field, "{p}");
    }

    // An image policy with a weekly full and a daily incremental schedule.
    let img = op(
        gw,
        Method::POST,
        "/v1/backups",
        Some(policy("web-01-image", &web1, "image")),
    )
    .await;
    assert_eq!(
        (
            &img["kind"],
            &img["status"],
            &img["retention"],
            &img["encrypted"]
        ),
        (
            &json!("image"),
            &json!("active"),
            &json!("one_month"),
            &json!(true)
        ),
        "{img}"
    );
    assert_eq!(img["server"]["server_id"], web1.as_str(), "{img}");
    assert_eq!(
        img["schedules"],
        policy("", "", "image")["schedules"],
        "{img}"
    );
    assert!(
        img.get("paths").is_none() && img.get("replication_region").is_none(),
        "{img}"
    );
    let b = path_of("backups", &img["id"]);
    assert_eq!(get(gw, &b).await["id"], img["id"]);
    let listed = get(gw, &format!("/v1/backups?provider={P}&name=web-01")).await;
    assert_eq!(ids(&listed, "backups"), [img["id"].clone()], "{listed}");
    // A second policy of the same name: 409 before any create is sent.
    let creates = sent(sim, "POST", "/v1/backups");
    let dup = send(gw.req(Method::POST, "/v1/backups").json(&policy(
        "web-01-image",
        &web2,
        "image",
    )))
    .await;
    assert_problem(&dup, 409, "already_exists");
    assert_eq!(
        sent(sim, "POST", "/v1/backups"),
        creates,
        "a duplicate create was sent"
    );

    // A manual run settles with the finished job.
    let done = run(gw, &b).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let job = done["result"].clone();
    assert_eq!(
        (&job["status"], &job["trigger"], &job["backup_id"]),
        (&json!("succeeded"), &json!("manual"), &img["id"]),
        "{job}"
    );
    assert!(job["finished_at"].is_string(), "{job}");
    let ok_jobs = get(gw, &format!("{b}/jobs?status=succeeded")).await;
    assert_eq!(ids(&ok_jobs, "jobs"), [job["id"].clone()], "{ok_jobs}");
    assert_eq!(
        get(gw, &format!("{b}/jobs?status=failed")).await["jobs"],
        json!([])
    );
    let got = get(gw, &path_of("backup-jobs", &job["id"])).await;
    assert_eq!(
        (&got["id"], &got["status"]),
        (&job["id"], &job["status"]),
        "{got}"
    );

    // Its recovery point, and an image restore of it to a new server.
    let points = get(gw, &format!("{b}/recovery-points")).await;
    let rps = points["recovery_points"].as_array().unwrap().clone();
    assert_eq!(rps.len(), 1, "{points}");
    assert_eq!(
        (&rps[0]["backup_id"], &rps[0]["restorable"]),
        (&img["id"], &json!(true))
    );
    let rp = rps[0]["id"].clone();
    let subnets = get(gw, &format!("{b}/restore-subnets")).await;
    let subnet = subnets["subnets"][0]["id"]
        .as_str()
        .expect("a subnet")
        .to_string();
    let restore = json!({"recovery_point_id": rp, "server": {"name": "web-01-restored",
        "server_type": "s1v2m4", "subnet_id": subnet}});
    let r = op(
        gw,
        Method::POST,
        &format!("{b}/restore"),
        Some(restore.clone()),
    )
    .await;
    assert_eq!(
        (&r["status"], &r["server_name"], &r["backup_id"]),
        (&json!("succeeded"), &json!("web-01-restored"), &img["id"]),
        "{r}"
    );
    assert!(
        r["server_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{r}"
    );
    let restores = get(gw, &format!("{b}/restores")).await;
    assert_eq!(ids(&restores, "restores"), [r["id"].clone()], "{restores}");
    let got = get(gw, &path_of("restore-jobs", &r["id"])).await;
    assert_eq!(
        (&got["id"], &got["status"]),
        (&r["id"], &r["status"]),
        "{got}"
    );
    // The new server's name is taken now: 409 before any restore is sent.
    let dup = send(gw.req(Method::POST, &format!("{b}/restore")).json(&restore)).await;
    assert_problem(&dup, 409, "already_exists");
    assert_eq!(
        sent(sim, "POST", "/restore"),
        1,
        "a duplicate restore was sent"
    );

    // Retention and schedule changes.
    let schedules = json!([
        {"level": "full", "frequency": "monthly", "day": "friday", "week": "last", "hour": 1, "minute": 0},
        {"level": "incremental", "frequency": "daily", "hour": 4, "minute": 0}]);
    let patch = json!({"retention": "three_months", "schedules": schedules});
    let changed = op(gw, Method::PATCH, &b, Some(patch)).await;
    assert_eq!(
        (&changed["retention"], &changed["schedules"]),
        (&json!("three_months"), &schedules)
    );
    assert_eq!(get(gw, &b).await["schedules"], schedules);

    // DR replication on and off (1.1); refused at 1.0.
    if v11 {
        let on = op(gw, Method::PATCH, &b, Some(json!({"replicate": true}))).await;
        assert_eq!(on["replication_region"], "kr-east1", "{on}");
        let east = get(gw, "/v1/backups?provider=scp-kr-east1").await;
        let replica = &east["backups"][0];
        assert_eq!(
            (&replica["replica_of"], &replica["name"]),
            (&img["id"], &json!("web-01-image_DR")),
            "{east}"
        );
        let off = op(gw, Method::PATCH, &b, Some(json!({"replicate": false}))).await;
        assert!(off.get("replication_region").is_none(), "{off}");
        assert_eq!(get(gw, &b).await.get("replication_region"), None);
    } else {
        let p = refused(
            gw,
            sim,
            Method::PATCH,
            &b,
            json!({"replicate": true}),
            UNSUPPORTED,
        )
        .await;
        assert_eq!(p["field"], "replicate", "{p}");
    }

    // A server whose name says `partial` gives a partially successful run (the operation
    // succeeds; see the job); one that says `fail` a failed run.
    let pb = op(
        gw,
        Method::POST,
        "/v1/backups",
        Some(policy("db-partial-image", &partial, "image")),
    )
    .await;
    let pb = path_of("backups", &pb["id"]);
    let done = run(gw, &pb).await;
    assert_eq!(
        (&done["state"], &done["result"]["status"]),
        (&json!("succeeded"), &json!("partially_succeeded")),
        "{done}"
    );
    let partial_jobs = get(gw, &format!("{pb}/jobs?status=partially_succeeded")).await;
    assert_eq!(
        ids(&partial_jobs, "jobs"),
        [done["result"]["id"].clone()],
        "{partial_jobs}"
    );
    let fb = op(
        gw,
        Method::POST,
        "/v1/backups",
        Some(policy("app-fail-image", &fail, "image")),
    )
    .await;
    let fb = path_of("backups", &fb["id"]);
    let done = run(gw, &fb).await;
    assert_eq!(done["state"], "failed", "{done}");
    assert!(
        done["error"]["code"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{done}"
    );
    assert_eq!(
        get(gw, &format!("{fb}/jobs?status=failed")).await["jobs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get(gw, &format!("{fb}/recovery-points")).await["recovery_points"],
        json!([])
    );

    // Restores refused before any vendor call: a recovery point of another backup.
    let other = get(gw, &format!("{pb}/recovery-points")).await["recovery_points"][0]["id"].clone();
    let mut wrong = restore.clone();
    wrong["recovery_point_id"] = other;
    refused(
        gw,
        sim,
        Method::POST,
        &format!("{b}/restore"),
        wrong,
        UNSUPPORTED,
    )
    .await;

    // A filesystem policy through an agent.
    let at = get(
        gw,
        &format!("/v1/backup-agent-targets?provider={P}&server_type=virtual_server"),
    )
    .await;
    assert_eq!(server(&at, "web-02"), web2, "{at}");
    let agent_req = json!({"provider": P, "server_id": web2, "server_type": "virtual_server"});
    let agent = op(gw, Method::POST, "/v1/backup-agents", Some(agent_req)).await;
    assert_eq!(
        (&agent["server_id"], &agent["status"]),
        (&json!(web2), &json!("active")),
        "{agent}"
    );
    let a = path_of("backup-agents", &agent["id"]);
    let agents = get(gw, &format!("/v1/backup-agents?provider={P}")).await;
    assert_eq!(ids(&agents, "agents"), [agent["id"].clone()], "{agents}");
    assert_eq!(get(gw, &a).await["id"], agent["id"]);
    let checked = op(gw, Method::POST, &format!("{a}/check"), None).await;
    assert_eq!(checked["connection"], "connected", "{checked}");
    assert!(checked["checked_at"].is_string(), "{checked}");
    let installer = get(
        gw,
        &format!("/v1/backup-agent-installers?provider={P}&os=linux"),
    )
    .await;
    assert_eq!(installer["os"], "linux", "{installer}");
    assert!(
        installer["url"].as_str().is_some_and(|u| !u.is_empty()),
        "{installer}"
    );

    let mut fs = policy("web-02-files", &web2, "filesystem");
    fs["paths"] = json!(["/var/www", "/etc/app"]);
    let fsb = op(gw, Method::POST, "/v1/backups", Some(fs)).await;
    assert_eq!(
        (&fsb["kind"], &fsb["paths"]),
        (&json!("filesystem"), &json!(["/var/www", "/etc/app"])),
        "{fsb}"
    );
    let f = path_of("backups", &fsb["id"]);
    // A second policy protecting one of its paths: 409 before any create is sent.
    let creates = sent(sim, "POST", "/v1/backups");
    let mut dup = policy("web-02-files-2", &web2, "filesystem");
    dup["paths"] = json!(["/srv", "/var/www"]);
    let p = assert_problem(
        &send(gw.req(Method::POST, "/v1/backups").json(&dup)).await,
        409,
        "already_exists",
    );
    assert!(p["detail"].as_str().unwrap().contains("/var/www"), "{p}");
    assert_eq!(
        sent(sim, "POST", "/v1/backups"),
        creates,
        "a duplicate-path create was sent"
    );
    let paths = json!(["/var/www", "/etc/app", "/srv"]);
    let changed = op(gw, Method::PATCH, &f, Some(json!({"paths": paths}))).await;
    assert_eq!(changed["paths"], paths, "{changed}");
    assert_eq!(run(gw, &f).await["result"]["status"], "succeeded");
    let fs_rp = get(gw, &format!("{f}/recovery-points")).await["recovery_points"][0]["id"].clone();
    let rs = get(gw, &format!("{f}/restore-servers")).await;
    assert_eq!(server(&rs, "web-02"), web2, "{rs}");
    // The wrong body for the kind: the kind is the vendor's to tell, so only reads reach it.
    let before = sent(sim, "POST", "");
    let srv = json!({"name": "x", "server_type": "s1v2m4"});
    let fsys = json!({"server_id": web2, "paths": [{"source": "/a", "destination": "/x"}]});
    let srv = json!({"recovery_point_id": fs_rp, "server": srv});
    let fsys = json!({"recovery_point_id": rp, "filesystem": fsys});
    for (on, body) in [(&f, srv), (&b, fsys)] {
        let resp = send(gw.req(Method::POST, &format!("{on}/restore")).json(&body)).await;
        assert_problem(&resp, 422, "unsupported_value");
    }
    assert_eq!(
        sent(sim, "POST", ""),
        before,
        "a restore of the wrong kind was sent"
    );
    let fs_restore = json!({"recovery_point_id": fs_rp, "filesystem": {"server_id": web2,
        "paths": [{"source": "/var/www", "destination": "/restore/www"}], "overwrite": true}});
    let r = op(gw, Method::POST, &format!("{f}/restore"), Some(fs_restore)).await;
    assert_eq!(
        (&r["status"], &r["server_id"]),
        (&json!("succeeded"), &json!(web2)),
        "{r}"
    );
    assert_eq!(
        ids(&get(gw, &format!("{f}/restores")).await, "restores"),
        [r["id"].clone()]
    );

    // Delete the recovery point, the policies and the agent: 404s after.
    op(gw, Method::DELETE, &path_of("recovery-points", &rp), None).await;
    assert_eq!(
        get(gw, &format!("{b}/recovery-points")).await["recovery_points"],
        json!([])
    );
    for gone in [b, f, pb, fb] {
        op(gw, Method::DELETE, &gone, None).await;
        assert_problem(
            &send(gw.req(Method::GET, &gone)).await,
            404,
            "backup_not_found",
        );
    }
    op(gw, Method::DELETE, &a, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &a)).await,
        404,
        "backup_agent_not_found",
    );
    let left = get(gw, &format!("/v1/backups?provider={P}")).await;
    assert_eq!(left["backups"], json!([]), "{left}");
}

#[tokio::test]
async fn a_backup_estate_lives_its_whole_life_at_1_1_in_the_seed_shapes() {
    let (gw, sim) = start_backup("1.1").await;
    backup_life(&gw, &sim, "1.1").await;
    // Every request fits the official 1.0 file or the 1.1 additions: all 29 operations of the
    // spec and UpdateReplicationUse.
    let used = spec_check(&sim, &["backup-contract.json", "backup-contract-1.1.json"]);
    assert!(used.contains("updateReplicationUse"), "{used:?}");
    assert_eq!(used.len(), 30, "{used:?}");
    gw.stop().await;
}

#[tokio::test]
async fn a_backup_estate_at_1_0_sends_only_what_the_official_spec_has() {
    let (gw, sim) = start_backup("1.0").await;
    let caps = get(&gw, &format!("/v1/providers/{P}")).await;
    assert_eq!(
        caps["capabilities"]["backups"]["replication_regions"],
        json!([]),
        "{caps}"
    );
    backup_life(&gw, &sim, "1.0").await;
    // 28 of the spec's 29 operations: ListBackupRegionRelationship is only asked before
    // turning replication on, which 1.0 cannot (it is refused before any vendor call).
    let used = spec_check(&sim, &["backup-contract.json"]);
    let all: BTreeSet<String> = contract("backup-contract.json")
        .iter()
        .map(|o| o["operation"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<&String> = all.difference(&used).collect();
    assert_eq!(missing, ["ListBackupRegionRelationship"], "{used:?}");
    assert_eq!(used.len(), 28);
    gw.stop().await;
}
