//! SCP Block Storage (BM) end to end, continued: a volume group's whole life, the run pinned
//! to API 1.0 checked against the official spec, refusals before any vendor call, and vendor
//! failures as problems.

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;
use strata_sim::scp::Service;
use strata_tests::*;

use super::scp_block::{
    get, op, refused, spec_check, start_block, volume_life, vpath, SERVER_A, SERVER_B,
};

/// The global id of a vendor volume of `provider`.
fn volume_id(provider: &str, kind: VolumeKind, vendor_id: String) -> Value {
    json!(GlobalId::new(ResourceType::Volume, provider, Some(kind), vendor_id).encode())
}

/// Asserts the vendor received only reads since request `before`.
fn only_reads(log: &strata_sim::faults::Faults, before: usize) {
    let writes: Vec<_> = log.requests()[before..]
        .iter()
        .filter(|r| r.method != "GET")
        .cloned()
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

/// A volume group's whole life: `vols` are two in-use volumes and a third to add and remove.
pub(crate) async fn group_life(
    gw: &TestGateway,
    sim: &strata_sim::scp::ScpSim,
    version: &str,
    [a, b, c]: [&Value; 3],
) {
    let v12 = version == "1.2";
    let g = op(
        gw,
        Method::POST,
        "/v1/volume-groups",
        Some(json!({"provider": "scp-kr-west1",
        "name": "vg-01", "volume_ids": [a, b]})),
    )
    .await;
    assert_eq!(
        (
            g["status"].as_str(),
            g["origin"].as_str(),
            g["name"].as_str()
        ),
        (Some("available"), Some("original"), Some("vg-01")),
        "{g}"
    );
    let mut members: Vec<&Value> = g["volume_ids"].as_array().unwrap().iter().collect();
    members.sort_by_key(|v| v.as_str());
    let mut want = vec![a, b];
    want.sort_by_key(|v| v.as_str());
    assert_eq!(members, want, "{g}");
    let gp = format!("/v1/volume-groups/{}", g["id"].as_str().unwrap());
    assert_eq!(
        get(gw, &vpath(a)).await["block"]["volume_group_id"],
        g["id"]
    );
    let listed = get(gw, "/v1/volume-groups?provider=scp-kr-west1").await;
    assert_eq!(listed["volume_groups"][0]["id"], g["id"], "{listed}");
    assert_eq!(
        get(gw, &gp).await["volume_ids"].as_array().unwrap().len(),
        2
    );

    // Members: add the third, remove it again.
    let added = op(
        gw,
        Method::POST,
        &format!("{gp}/members/add"),
        Some(json!({"volume_ids": [c]})),
    )
    .await;
    assert_eq!(added["volume_ids"].as_array().unwrap().len(), 3, "{added}");
    assert_eq!(
        get(gw, &vpath(c)).await["block"]["volume_group_id"],
        g["id"]
    );
    let removed = op(
        gw,
        Method::POST,
        &format!("{gp}/members/remove"),
        Some(json!({"volume_ids": [c]})),
    )
    .await;
    assert!(
        !removed["volume_ids"].as_array().unwrap().contains(c),
        "{removed}"
    );
    assert!(get(gw, &vpath(c)).await["block"]
        .get("volume_group_id")
        .is_none());

    // A group snapshot needs every member's snapshots on (`b` has no reserve yet).
    let p = assert_problem(
        &send(gw.req(Method::POST, &format!("{gp}/snapshots"))).await,
        409,
        "failed_precondition",
    );
    assert!(
        p["detail"].as_str().unwrap().contains("snapshot rate"),
        "{p}"
    );
    let reserve = Some(json!({"percent": 10}));
    op(
        gw,
        Method::PUT,
        &format!("{}/snapshot-reserve", vpath(b)),
        reserve,
    )
    .await;
    // A group snapshot, listed, read and restored in place.
    let gs = op(gw, Method::POST, &format!("{gp}/snapshots"), None).await;
    assert!(
        gs["name"]
            .as_str()
            .unwrap()
            .contains("snapshot-create-bm-cg"),
        "{gs}"
    );
    assert_eq!(gs["volume_group_id"], g["id"]);
    let listed = get(gw, &format!("{gp}/snapshots")).await;
    assert_eq!(listed["snapshots"][0]["id"], gs["id"], "{listed}");
    let gsp = format!("/v1/group-snapshots/{}", gs["id"].as_str().unwrap());
    assert_eq!(get(gw, &gsp).await["name"], gs["name"]);
    let restored = op(gw, Method::POST, &format!("{gsp}/restore"), Some(json!({}))).await;
    assert_eq!(
        (restored["id"].clone(), restored["status"].as_str()),
        (g["id"].clone(), Some("available"))
    );

    // The group's schedule: weekly (created), daily (changed), removed.
    let sched = format!("{gp}/snapshot-schedule");
    let weekly =
        json!({"frequency": "weekly", "days": ["wednesday"], "hour": 22, "timezone": "Asia/Seoul"});
    op(gw, Method::PUT, &sched, Some(weekly)).await;
    let got = get(gw, &sched).await;
    assert_eq!(
        (got["days"].clone(), got["hour"].as_u64()),
        (json!(["wednesday"]), Some(22)),
        "{got}"
    );
    refused(
        gw,
        sim,
        Method::PUT,
        &sched,
        Some(json!({"frequency": "daily", "hour": 1, "minute": 15})),
        (422, "unsupported_value"),
    )
    .await;
    op(
        gw,
        Method::PUT,
        &sched,
        Some(json!({"frequency": "daily", "hour": 1})),
    )
    .await;
    assert_eq!(get(gw, &sched).await["frequency"], "daily");
    op(gw, Method::DELETE, &sched, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &sched)).await,
        404,
        "snapshot_schedule_not_found",
    );

    // The group's replica in kr-east1: cycle, stop, start, delete.
    let rp = format!("{gp}/replica");
    let rep = op(
        gw,
        Method::POST,
        &rp,
        Some(json!({"destination_region": "kr-east1",
        "destination_name": "vg-01-dr", "volume_name_prefix": "dr-", "frequency": "hourly"})),
    )
    .await;
    assert_eq!(
        (rep["status"].as_str(), rep["frequency"].as_str()),
        (Some("active"), Some("hourly")),
        "{rep}"
    );
    let dst = get(
        gw,
        &format!(
            "/v1/volume-groups/{}",
            rep["destination_group_id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        (
            dst["provider"].as_str(),
            dst["origin"].as_str(),
            dst["name"].as_str()
        ),
        (Some("scp-kr-east1"), Some("replica"), Some("vg-01-dr")),
        "{dst}"
    );
    assert_eq!(get(gw, &rp).await["destination_region"], "kr-east1");
    assert_eq!(
        op(gw, Method::PATCH, &rp, Some(json!({"frequency": "weekly"}))).await["frequency"],
        "weekly"
    );
    assert_eq!(
        op(gw, Method::POST, &format!("{rp}/stop"), None).await["status"],
        "paused"
    );
    assert_eq!(
        op(gw, Method::POST, &format!("{rp}/start"), None).await["status"],
        "active"
    );
    op(gw, Method::DELETE, &rp, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &rp)).await,
        404,
        "replica_not_found",
    );

    // Recovery into a new group (1.1+), its members named with the prefix.
    let new_group = json!({"mode": "new_group", "volume_name_prefix": "rec-"});
    if v12 {
        let ng = op(gw, Method::POST, &format!("{gsp}/restore"), Some(new_group)).await;
        assert_eq!(
            (
                ng["origin"].as_str(),
                ng["volume_ids"].as_array().unwrap().len()
            ),
            (Some("recovery"), 2),
            "{ng}"
        );
        let mut names = vec![];
        for m in ng["volume_ids"].as_array().unwrap() {
            names.push(
                get(gw, &vpath(m)).await["name"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        names.sort();
        assert_eq!(names, ["rec-bs-01", "rec-bs-02"]);
    } else {
        refused(
            gw,
            sim,
            Method::POST,
            &format!("{gsp}/restore"),
            Some(new_group),
            (422, "unsupported_by_provider"),
        )
        .await;
    }
    op(gw, Method::DELETE, &gsp, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &gsp)).await,
        404,
        "group_snapshot_not_found",
    );
    // SCP has no group delete: refused, declared in the capabilities.
    refused(
        gw,
        sim,
        Method::DELETE,
        &gp,
        None,
        (422, "unsupported_by_provider"),
    )
    .await;
}

#[tokio::test]
async fn pinned_to_1_0_every_request_is_an_operation_of_the_official_spec() {
    let (gw, sim) = start_block("1.0", test_config()).await;
    let caps = get(&gw, "/v1/providers/scp-kr-west1").await;
    assert!(
        caps["capabilities"]["volumes"]["block"]
            .get("qos")
            .is_none(),
        "{caps}"
    );
    volume_life(&gw, &sim, "1.0").await;
    let used = spec_check(&sim, &["blockstorage-contract.json"]);
    // All 38 operations of the official 1.0 spec.
    assert_eq!(used.len(), 38, "{used:?}");
}

#[tokio::test]
async fn what_scp_block_storage_cannot_do_is_refused_before_any_vendor_call() {
    let (gw, sim) = start_block("1.2", test_config()).await;
    let hdd = sim.seed_block_volume("kr-west1", "bs-hdd", "HDD", 10, &[(SERVER_A, "BM")]);
    let ssd = sim.seed_block_volume("kr-west1", "bs-ssd", "SSD", 10, &[(SERVER_A, "BM")]);
    let east = sim.seed_block_volume("kr-east1", "bs-east", "SSD", 10, &[]);
    let file = sim.seed_file_volume("kr-west1", "files", "NFS", "HDD");
    let group = sim.seed_volume_group("kr-west1", "vg-seed", &[&ssd]);
    let (hdd, ssd) = (
        volume_id("scp-kr-west1", VolumeKind::Block, hdd),
        volume_id("scp-kr-west1", VolumeKind::Block, ssd),
    );
    let east = volume_id("scp-kr-east1", VolumeKind::Block, east);
    let file = volume_id("scp-kr-west1", VolumeKind::File, file);
    let base = json!({"provider": "scp-kr-west1", "kind": "block", "name": "bs-new", "size_gib": 10,
        "tier": "SSD", "attachments": [{"server_id": SERVER_A, "server_type": "bm"}]});
    let nine: Vec<Value> = (0..9)
        .map(|i| json!({"server_id": format!("{i:0>32}"), "server_type": "bm"}))
        .collect();
    for (patch, status, code, field) in [
        (
            json!({"tier": "HDD", "qos": {"iops": 3000, "throughput_mbps": 125}}),
            422,
            "unsupported_value",
            "qos",
        ),
        (
            json!({"qos": {"iops": 20000, "throughput_mbps": 125}}),
            422,
            "unsupported_value",
            "qos.iops",
        ),
        (
            json!({"qos": {"iops": 3000, "throughput_mbps": 100}}),
            422,
            "unsupported_value",
            "qos.throughput_mbps",
        ),
        (
            json!({"attachments": nine}),
            422,
            "unsupported_value",
            "attachments",
        ),
        (
            json!({"attachments": [{"server_id": SERVER_B, "server_type": "vm"}]}),
            422,
            "unsupported_value",
            "attachments[0].server_type",
        ),
        (json!({"name": "bs_01"}), 422, "unsupported_value", "name"),
    ] {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        let p = refused(
            &gw,
            &sim,
            Method::POST,
            "/v1/volumes",
            Some(body),
            (status, code),
        )
        .await;
        assert_eq!(p["field"], field, "{patch}");
    }
    // Changes of a block volume: only QoS, within range (resizing is no feature of SCP).
    let uv = (422, "unsupported_value");
    for (patch, refusal, field) in [
        (
            json!({"qos": {"throughput_mbps": 2000}}),
            uv,
            Some("qos.throughput_mbps"),
        ),
        (json!({"name": "bs-other"}), (400, "invalid_body"), None),
        (json!({"description": "x"}), uv, Some("description")),
        (json!({"labels": {"team": "a"}}), uv, Some("labels")),
    ] {
        let body = Some(patch.clone());
        let p = refused(&gw, &sim, Method::PATCH, &vpath(&ssd), body, refusal).await;
        if let Some(f) = field {
            assert_eq!(p["field"], f, "{patch}");
        }
    }
    refused(
        &gw,
        &sim,
        Method::POST,
        &format!("{}/attachments", vpath(&ssd)),
        Some(json!({"server_id": SERVER_B, "server_type": "vm"})),
        (422, "unsupported_value"),
    )
    .await;
    // Groups: of file volumes or another provider's volumes, and no delete.
    for ids in [json!([file]), json!([east])] {
        let body = json!({"provider": "scp-kr-west1", "name": "vg-02", "volume_ids": ids});
        refused(
            &gw,
            &sim,
            Method::POST,
            "/v1/volume-groups",
            Some(body),
            (422, "unsupported_value"),
        )
        .await;
    }
    let gid = GlobalId::new(ResourceType::VolumeGroup, "scp-kr-west1", None, group).encode();
    let gp = format!("/v1/volume-groups/{gid}");
    refused(
        &gw,
        &sim,
        Method::POST,
        &format!("{gp}/members/add"),
        Some(json!({"volume_ids": [east]})),
        (422, "unsupported_value"),
    )
    .await;
    refused(
        &gw,
        &sim,
        Method::DELETE,
        &gp,
        None,
        (422, "unsupported_by_provider"),
    )
    .await;
    // QoS on HDD: the tier is the volume's, read first; nothing is changed.
    let log = sim.faults(Service::BlockStorage);
    let before = log.request_count();
    let qos = json!({"qos": {"iops": 4000}});
    let p = assert_problem(
        &send(gw.req(Method::PATCH, &vpath(&hdd)).json(&qos)).await,
        422,
        "unsupported_value",
    );
    assert_eq!(p["field"], "qos", "{p}");
    only_reads(log, before);
    // A new size: compared with the current one (the same size is no change), then refused.
    let before = log.request_count();
    let size = json!({"size_gib": 20});
    let p = assert_problem(
        &send(gw.req(Method::PATCH, &vpath(&ssd)).json(&size)).await,
        422,
        "unsupported_by_provider",
    );
    assert!(p["detail"].as_str().unwrap().contains("resize"), "{p}");
    only_reads(log, before);
    // No snapshot without a reserve: the volume may be read, nothing is created.
    let before = log.request_count();
    let p = assert_problem(
        &send(
            gw.req(Method::POST, &format!("{}/snapshots", vpath(&ssd)))
                .json(&json!({})),
        )
        .await,
        409,
        "failed_precondition",
    );
    assert!(p["detail"].as_str().unwrap().contains("reserve"), "{p}");
    only_reads(log, before);

    // Pinned to 1.0: no QoS at all.
    let (gw0, sim0) = start_block("1.0", test_config()).await;
    let ssd0 = sim0.seed_block_volume("kr-west1", "bs-ssd", "SSD", 10, &[(SERVER_A, "BM")]);
    let ssd0 = volume_id("scp-kr-west1", VolumeKind::Block, ssd0);
    let mut body = base.clone();
    body["qos"] = json!({"iops": 3000, "throughput_mbps": 125});
    refused(
        &gw0,
        &sim0,
        Method::POST,
        "/v1/volumes",
        Some(body),
        (422, "unsupported_by_provider"),
    )
    .await;
    refused(
        &gw0,
        &sim0,
        Method::PATCH,
        &vpath(&ssd0),
        Some(json!({"qos": {"iops": 4000}})),
        (422, "unsupported_by_provider"),
    )
    .await;
}

#[tokio::test]
async fn block_vendor_errors_and_unavailability_are_documented_problems() {
    let mut cfg = test_config();
    cfg.layers.deadline_ms = 5_000;
    let (gw, sim) = start_block("1.2", cfg).await;
    let log = sim.faults(Service::BlockStorage);
    let id = sim.seed_block_volume("kr-west1", "bs-01", "SSD", 10, &[(SERVER_A, "BM")]);
    let v = vpath(&volume_id("scp-kr-west1", VolumeKind::Block, id));
    let fresh = || gw.req(Method::GET, &v).header("cache-control", "no-cache");

    // The vendor's `{"errors": [{code, detail}]}`: its detail and code come back.
    log.force_answer(
        400,
        r#"{"errors":[{"code":"BadRequest","detail":"limit must be positive"}]}"#,
        1,
    );
    let p = assert_problem(&send(fresh()).await, 422, "vendor_rejected");
    assert_eq!(
        (p["vendor_status"].as_u64(), p["vendor_code"].as_str()),
        (Some(400), Some("BadRequest")),
        "{p}"
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("limit must be positive"),
        "{p}"
    );
    log.force_answer(
        409,
        r#"{"errors":[{"code":"Conflict","detail":["volume is attached","detach it first"]}]}"#,
        1,
    );
    let p = assert_problem(
        &send(gw.req(Method::DELETE, &v)).await,
        409,
        "failed_precondition",
    );
    assert_eq!(p["retryable"], false);
    log.clear();
    log.force_status(500, 3);
    let p = assert_problem(&send(fresh()).await, 502, "vendor_error");
    assert_eq!(p["vendor_status"], 500);
    log.clear();

    // A 503 with a Retry-After past the call's deadline: answered at once, with it.
    log.set_retry_after(Some(30));
    log.force_status(503, 1);
    let resp = send(fresh()).await;
    let p = assert_problem(&resp, 503, "vendor_unavailable");
    assert_eq!(p["retryable"], true);
    assert_eq!(resp.1["retry-after"], "30");
    log.clear();
    assert_eq!(get(&gw, &v).await["name"], "bs-01");
}
