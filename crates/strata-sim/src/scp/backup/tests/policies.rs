//! Backup policies: version differences, the image lifecycle (schedules → manual run →
//! history → recovery points → image restore → restore history), retention, schedules, DR,
//! validation and deletes.

use serde_json::json;

use super::{detail, image_body, validation, EAST, T, WEST};

#[tokio::test]
async fn versions_differ_in_create_show_and_region_relationship() {
    let t = T::new().await;
    let srv = t.sim.seed_backup_target(WEST, "web-1", "VM", "LINUX");
    let mut body = image_body("bk-1", &srv);
    body["dr_enabled"] = json!(false);
    let (s, b) = t
        .at(WEST, "1.0", "POST", "/v1/backups", Some(body.clone()))
        .await;
    assert_eq!(s, 400);
    assert!(validation(&b).contains("dr_enabled"), "{b}");
    let (s, b) = t.at(WEST, "1.1", "POST", "/v1/backups", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["resource"]["links"], json!([]));
    assert!(b["request_id"].as_str().unwrap().len() == 36);
    let id = b["resource"]["id"].as_str().unwrap().to_string();
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()));
    let path = format!("/v1/backups/{id}");
    let (_, v10) = t.at(WEST, "1.0", "GET", &path, None).await;
    let (_, v11) = t.at(WEST, "1.1", "GET", &path, None).await;
    for k in [
        "dr_enabled",
        "dr_region",
        "origin_backup_id",
        "replica_backup_id",
    ] {
        assert!(v10.get(k).is_none(), "1.0 has {k}");
        assert!(v11.get(k).is_some(), "1.1 lacks {k}");
    }
    assert_eq!(v10["server_region"], WEST);
    assert_eq!(v11["policy_category"], "AGENTLESS");
    assert_eq!(v11["encrypt_enabled"], true);
    assert!(v11.get("tags").is_none());

    let rel = "/v1/backups/region-relationship?backup_master_type=AGENTLESS";
    let (s, b) = t.at(WEST, "1.0", "GET", rel, None).await;
    assert_eq!(s, 400);
    assert!(validation(&b).contains("backup_master_type"));
    let (s, b) = t
        .at(
            WEST,
            "1.1",
            "GET",
            &format!("{rel}&from_region={WEST}"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        b,
        json!({"count": 1, "contents": [{"from_region": WEST, "from_availability_zone": WEST,
            "to_region": EAST, "to_availability_zone": EAST}]})
    );
    let (_, b) = t
        .at(WEST, "1.0", "GET", "/v1/backups/region-relationship", None)
        .await;
    assert_eq!(b["count"], 2);
    let (_, b) = t
        .call(
            "GET",
            "/v1/backups/region-relationship?backup_master_type=AGENT_SAP_INT",
            None,
        )
        .await;
    assert_eq!(b["count"], 0);
}

#[tokio::test]
async fn image_policy_lifecycle_from_schedules_to_restore_history() {
    let t = T::new().await;
    let srv = t.sim.seed_backup_target(WEST, "web-1", "VM", "LINUX");
    t.sim.seed_backup_target(WEST, "gpu-1", "GPU", "LINUX");
    let b = t
        .get("/v1/backups/backup-targets?server_category=VIRTUAL_SERVER")
        .await;
    assert_eq!(b["count"], 1);
    assert_eq!(b["contents"][0]["server_uuid"], srv.as_str());
    assert_eq!(b["contents"][0]["server_os_version"], "UBUNTU 22.04");

    let (s, b) = t
        .call("POST", "/v1/backups", Some(image_body("bk-1", &srv)))
        .await;
    assert_eq!(s, 200, "{b}");
    let id = b["resource"]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/backups/{id}");
    assert_eq!(t.get(&path).await["state"], "CREATING");
    let (s, b) = t.call("POST", &format!("{path}/manual-backup"), None).await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("is creating"));
    t.wait(WEST, &path, |b| b["state"] == "AVAILABLE").await;
    assert_eq!(
        t.get("/v1/backups/check-name-duplication?backup_name=bk-1")
            .await["result"],
        true
    );
    assert_eq!(
        t.get("/v1/backups/check-name-duplication?backup_name=bk-2")
            .await["result"],
        false
    );

    let sch = t.get(&format!("{path}/schedules")).await;
    assert_eq!(sch["count"], 2);
    let names: Vec<&str> = sch["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("FULL_WEEKLY_01:00:00-") && n.len() == 27),
        "{names:?}"
    );
    assert_eq!(sch["contents"][0]["state"], "AVAILABLE");

    // A manual run: INPROGRESS, then SUCCESS with a recovery point.
    let (s, _) = t.call("POST", &format!("{path}/manual-backup"), None).await;
    assert_eq!(s, 200);
    let h = t.get(&format!("{path}/backup-histories")).await;
    assert_eq!(h["contents"][0]["backup_job_state"], "INPROGRESS");
    assert_eq!(h["contents"][0]["backup_end_time"], json!(null));
    let (s, b) = t.call("POST", &format!("{path}/manual-backup"), None).await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("is running"));
    let h = t
        .wait(WEST, &format!("{path}/backup-histories"), |b| {
            b["contents"][0]["backup_job_state"] == "SUCCESS"
        })
        .await;
    let job = &h["contents"][0];
    assert_eq!(job["schedule_name"], "MANUAL");
    assert!(job["backup_end_time"].as_str().unwrap().ends_with('Z'));
    let pts = t.get(&format!("{path}/restore-targets")).await;
    assert_eq!(pts["count"], 1);
    let pt = &pts["contents"][0];
    assert_eq!(pt["backup_start_time"], job["backup_start_time"]);
    assert_eq!(
        (pt["is_restore_available"].clone(), pt["usage_gb"].clone()),
        (json!(true), json!(20.0))
    );
    let point = pt["restore_target_id"].as_str().unwrap().to_string();

    // Image restore to a new server.
    let subnets = t
        .get(&format!("{path}/restore/restorable-subnets?region={WEST}"))
        .await;
    assert_eq!(subnets["count"], 2);
    let subnet = subnets["subnets"][0]["id"].as_str().unwrap().to_string();
    let restore = |name: &str, subnet: &str| {
        json!({"restore_target_id": point, "restore_server_name": name, "server_type_id": "s1v2m4",
            "networks": [{"subnet_id": subnet}], "security_groups": ["023c57b14f11483689338d085e061492"]})
    };
    let (s, b) = t
        .call(
            "POST",
            &format!("{path}/restore"),
            Some(restore("bad/name", &subnet)),
        )
        .await;
    assert_eq!(s, 400);
    assert!(validation(&b).contains("restore_server_name"));
    let (s, b) = t
        .call(
            "POST",
            &format!("{path}/restore"),
            Some(restore("web-1", &subnet)),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("already exists"));
    let (s, b) = t
        .call(
            "POST",
            &format!("{path}/restore"),
            Some(restore("web-2", "nope")),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("not a restorable subnet"));
    let (s, b) = t
        .call(
            "POST",
            &format!("{path}/restore"),
            Some(restore("web-2", &subnet)),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    let new_server = b["resource"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        t.get("/v1/backups/restore/check-name-duplication?restore_server_name=web-2")
            .await["result"],
        true
    );
    let (s, b) = t
        .call(
            "POST",
            &format!("{path}/restore"),
            Some(restore("web-3", &subnet)),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("is running"));
    let (s, _) = t
        .call(
            "DELETE",
            &format!("{path}/restore-targets"),
            Some(json!({"restore_target_ids": [point]})),
        )
        .await;
    assert_eq!(s, 409);
    let hist = t.get(&format!("{path}/restore-histories")).await;
    assert_eq!(hist["contents"][0]["restore_state"], "INPROGRESS");
    assert_eq!(hist["contents"][0]["restore_server_id"], json!(null));
    let hist = t
        .wait(
            WEST,
            &format!("{path}/restore-histories?restore_state=COMPLETED"),
            |b| b["count"] == 1,
        )
        .await;
    let row = &hist["contents"][0];
    assert_eq!(row["restore_server_id"], new_server.as_str());
    assert_eq!(row["restore_server_name"], "web-2");
    assert_eq!(row["backup_id"], id.as_str());
    assert_eq!(row["schedule_name"], "MANUAL");
    assert!(row.get("id").is_none());
    // The new server joins the inventory.
    let b = t
        .get("/v1/backups/backup-targets?server_category=VIRTUAL_SERVER&server_name=web-2")
        .await;
    assert_eq!(b["contents"][0]["server_uuid"], new_server.as_str());
    assert_eq!(b["contents"][0]["server_type"], "s1v2m4");

    // Delete the recovery point, then the policy.
    let (s, b) = t
        .call(
            "DELETE",
            &format!("{path}/restore-targets"),
            Some(json!({"restore_target_ids": ["nope"]})),
        )
        .await;
    assert_eq!(s, 404);
    assert!(detail(&b).contains("not found"));
    let (s, _) = t
        .call(
            "DELETE",
            &format!("{path}/restore-targets"),
            Some(json!({"restore_target_ids": [point]})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(t.get(&format!("{path}/restore-targets")).await["count"], 0);
    let (s, b) = t.call("DELETE", &path, None).await;
    assert_eq!((s, b["resource"]["id"].clone()), (200, json!(id)));
    assert_eq!(t.get(&path).await["state"], "DELETING");
    let (s, b) = t
        .call(
            "PUT",
            &format!("{path}/retention-period"),
            Some(json!({"retention_period": "YEAR_1"})),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("is deleting"));
    t.wait_gone(WEST, &path).await;
    assert_eq!(
        t.call("GET", &format!("{path}/schedules"), None).await.0,
        404
    );
}

#[tokio::test]
async fn create_refuses_bad_input_before_anything_is_made() {
    let t = T::new().await;
    let srv = t.sim.seed_backup_target(WEST, "web-1", "VM", "LINUX");
    t.image_policy("bk-1", &srv).await;
    let cases: Vec<(serde_json::Value, u16, &str)> = vec![
        (
            json!({"retention_period": "DAY_3"}),
            400,
            "retention_period must be one of WEEK_2, MONTH_1, MONTH_3, MONTH_6, YEAR_1",
        ),
        (json!({"name": "bk-1"}), 409, "already exists"),
        (
            json!({"server_uuid": "nope"}),
            404,
            "server `nope` not found",
        ),
        (
            json!({"server_category": "GPU_SERVER"}),
            400,
            "is a VIRTUAL_SERVER",
        ),
        (json!({"policy_category": "AGENT"}), 400, "does not go with"),
        (json!({"schedules": []}), 400, "at least one schedule"),
        (
            json!({"schedules": [{"type": "FULL", "frequency": "WEEKLY", "start_time": "01:00:00"}]}),
            400,
            "needs start_day",
        ),
        (
            json!({"schedules": [{"type": "FULL", "frequency": "MONTHLY", "start_time": "01:00:00", "start_day": "MON"}]}),
            400,
            "needs start_week",
        ),
        (
            json!({"schedules": [{"type": "FULL", "frequency": "DAILY", "start_time": "25:00:00"}]}),
            400,
            "HH:MM:SS",
        ),
        (
            json!({"schedules": [{"type": "DIFF", "frequency": "DAILY", "start_time": "01:00:00"}]}),
            400,
            "type must be one of FULL, INCREMENTAL",
        ),
        (json!({"region": EAST}), 400, "not this endpoint's region"),
        (json!({"colour": "red"}), 400, "unknown field"),
    ];
    for (patch, status, text) in cases {
        let mut body = image_body("bk-2", &srv);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, b) = t.call("POST", "/v1/backups", Some(body)).await;
        assert_eq!(s, status, "{patch}: {b}");
        let msg = if status == 400 && b.is_array() {
            validation(&b)
        } else {
            detail(&b)
        };
        assert!(msg.contains(text), "{patch}: {msg}");
    }
    assert_eq!(t.get("/v1/backups").await["count"], 1);
}

#[tokio::test]
async fn retention_schedules_and_dr_can_change() {
    let t = T::new().await;
    let srv = t.sim.seed_backup_target(WEST, "web-1", "VM", "LINUX");
    let id = t.sim.seed_backup(WEST, "bk-1", &srv, "image");
    let path = format!("/v1/backups/{id}");
    let (s, b) = t
        .call(
            "PUT",
            &format!("{path}/retention-period"),
            Some(json!({"retention_period": "2_WEEKS"})),
        )
        .await;
    assert_eq!(s, 400);
    assert!(validation(&b).contains("must be one of"));
    let (s, _) = t
        .call(
            "PUT",
            &format!("{path}/retention-period"),
            Some(json!({"retention_period": "MONTH_3"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(t.get(&path).await["retention_period"], "MONTH_3");
    // Existing points keep theirs.
    assert_eq!(
        t.get(&format!("{path}/restore-targets")).await["contents"][0]["retention_period"],
        "WEEK_2"
    );

    let before = t.get(&format!("{path}/schedules")).await;
    let kept = before["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "FULL")
        .unwrap()
        .clone();
    let new = json!({"schedules": [
        {"type": "FULL", "frequency": "WEEKLY", "start_time": "01:00:00", "start_day": "SUN"},
        {"type": "FULL", "frequency": "MONTHLY", "start_time": "03:30:00", "start_day": "FRI", "start_week": "WEEK_LAST"}]});
    let (s, b) = t.call("PUT", &format!("{path}/schedules"), Some(new)).await;
    assert_eq!(s, 200, "{b}");
    let after = t.get(&format!("{path}/schedules")).await;
    assert_eq!(after["count"], 2);
    assert_eq!(after["contents"][0]["id"], kept["id"]);
    assert_eq!(after["contents"][1]["start_week"], "WEEK_LAST");
    assert!(after["contents"][1]["name"]
        .as_str()
        .unwrap()
        .starts_with("FULL_MONTHLY_03:30:00-"));

    // DR on: a replica in the paired region with the recovery points.
    let (s, _) = t
        .call(
            "PUT",
            &format!("{path}/replication"),
            Some(json!({"dr_enabled": true})),
        )
        .await;
    assert_eq!(s, 200);
    let v = t.get(&path).await;
    assert_eq!(
        (v["dr_enabled"].clone(), v["dr_region"].clone()),
        (json!(true), json!(EAST))
    );
    let replica = v["replica_backup_id"].as_str().unwrap().to_string();
    let rpath = format!("/v1/backups/{replica}");
    let r = t.wait(EAST, &rpath, |b| b["state"] == "AVAILABLE").await;
    assert_eq!(
        (r["role_type"].clone(), r["origin_backup_id"].clone()),
        (json!("REPLICA"), json!(id))
    );
    assert_eq!(r["name"], "bk-1_DR");
    let (_, pts) = t
        .at(
            EAST,
            "1.1",
            "GET",
            &format!("{rpath}/restore-targets"),
            None,
        )
        .await;
    assert_eq!(pts["count"], 2);
    assert_eq!(
        t.call("GET", &rpath, None).await.0,
        404,
        "the replica lives in the east"
    );
    let (s, b) = t
        .at(EAST, "1.1", "POST", &format!("{rpath}/manual-backup"), None)
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("DR replica"));
    // A run on the origin is copied to the replica.
    t.manual_run(&id).await;
    t.wait(EAST, &format!("{rpath}/restore-targets"), |b| {
        b["count"] == 3
    })
    .await;
    // DR off: the replica goes.
    let (s, _) = t
        .at(
            WEST,
            "1.0",
            "PUT",
            &format!("{path}/replication"),
            Some(json!({"dr_enabled": false})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(t.get(&path).await["replica_backup_id"], json!(null));
    t.wait_gone(EAST, &rpath).await;

    // Created with DR in 1.1.
    let srv2 = t.sim.seed_backup_target(WEST, "web-2", "VM", "LINUX");
    let mut body = super::image_body("bk-2", &srv2);
    body["dr_enabled"] = json!(true);
    let (s, b) = t.call("POST", "/v1/backups", Some(body)).await;
    assert_eq!(s, 200);
    let id2 = b["resource"]["id"].as_str().unwrap().to_string();
    let v = t.get(&format!("/v1/backups/{id2}")).await;
    assert_eq!(v["dr_region"], EAST);
    // Deleting the origin deletes the replica.
    let r2 = format!("/v1/backups/{}", v["replica_backup_id"].as_str().unwrap());
    let (s, b) = t.at(EAST, "1.1", "DELETE", &r2, None).await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("change the origin"));
    t.wait(WEST, &format!("/v1/backups/{id2}"), |b| {
        b["state"] == "AVAILABLE"
    })
    .await;
    assert_eq!(
        t.call("DELETE", &format!("/v1/backups/{id2}"), None)
            .await
            .0,
        200
    );
    t.wait_gone(EAST, &r2).await;
}
