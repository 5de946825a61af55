//! Volume groups: create, members, snapshots, restore, schedule, replication (synchronous
//! delete) and recovery.

use serde_json::json;

use super::{detail, is_hex32, EAST, T, WEST};

#[tokio::test]
async fn group_lifecycle_members_and_lists() {
    let t = T::new().await;
    let a = t.sim.seed_block_volume(WEST, "bs-a", "SSD", 10, &[]);
    let b_ = t.sim.seed_block_volume(WEST, "bs-b", "SSD", 10, &[]);
    let c = t.sim.seed_block_volume(WEST, "bs-c", "HDD", 10, &[]);
    assert_eq!(
        t.call(
            "POST",
            "/v1/volume-groups",
            Some(json!({"name": "vg-01", "volume_ids": []}))
        )
        .await
        .0,
        400
    );
    assert_eq!(
        t.call(
            "POST",
            "/v1/volume-groups",
            Some(json!({"name": "", "volume_ids": [a]}))
        )
        .await
        .0,
        400
    );
    assert_eq!(
        t.call(
            "POST",
            "/v1/volume-groups",
            Some(json!({"name": "vg-01", "volume_ids": ["0".repeat(32)]}))
        )
        .await
        .0,
        404
    );
    let (s, b) = t
        .call("POST", "/v1/volume-groups", Some(json!({"name": "vg-01", "volume_ids": [a, b_], "tags": [{"key": "k", "value": null}]})))
        .await;
    assert_eq!(s, 202, "{b}");
    assert!(is_hex32(&b["resource_id"]));
    let g = b["resource_id"].as_str().unwrap().to_string();
    let (s, b) = t
        .call(
            "POST",
            "/v1/volume-groups",
            Some(json!({"name": "vg-02", "volume_ids": [a]})),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("already in volume group"));
    let gv = t.wait_group(WEST, &g, "AVAILABLE").await;
    assert_eq!(gv["num_of_block_storages"], 2);
    assert_eq!(gv["purpose"], "ORG");
    assert_eq!(gv["snapshot_schedule"]["frequency"], "NONE");
    assert_eq!(gv["member_volumes"][0]["state"], "AVAILABLE");
    let v = t.volume_in(WEST, &a).await.unwrap();
    assert_eq!(v["volume_group"], json!({"id": g, "name": "vg-01"}));
    let (_, l) = t
        .call("GET", "/v1/volumes?volume_group_name=vg-0", None)
        .await;
    assert_eq!(l["total_count"], 2);
    assert_eq!(l["volumes"][0]["is_in_volume_group"], true);
    assert_eq!(l["volumes"][0]["volume_group"]["name"], "vg-01");
    assert_eq!(
        t.call("DELETE", &format!("/v1/volumes/{a}"), None).await.0,
        409
    );

    let add = format!("/v1/volume-groups/{g}/members/add");
    let (s, b) = t.call("PUT", &add, Some(json!({"volume_ids": [c]}))).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["id"], g.as_str());
    assert_eq!(b["member_volumes"].as_array().unwrap().len(), 3);
    assert_eq!(b["member_volumes"][2]["purpose"], "ORG");
    assert_eq!(
        t.call("PUT", &add, Some(json!({"volume_ids": [c]})))
            .await
            .0,
        409,
        "group editing"
    );
    t.wait_group(WEST, &g, "AVAILABLE").await;
    let rm = format!("/v1/volume-groups/{g}/members/remove");
    let (s, b) = t.call("PUT", &rm, Some(json!({"volume_ids": [c]}))).await;
    assert_eq!((s, b["member_volumes"].as_array().unwrap().len()), (200, 2));
    t.wait_group(WEST, &g, "AVAILABLE").await;
    assert_eq!(
        t.call("PUT", &rm, Some(json!({"volume_ids": [c]}))).await.0,
        400,
        "not a member"
    );
    let (s, b) = t
        .call("PUT", &rm, Some(json!({"volume_ids": [a, b_]})))
        .await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("at least one member"));

    t.sim.seed_volume_group(WEST, "other", &[&c]);
    let (_, l) = t
        .call("GET", "/v1/volume-groups?sort=name:asc&limit=1", None)
        .await;
    assert_eq!(l["total_count"], 2);
    assert_eq!(l["volume_groups"][0]["name"], "other");
    let (_, l) = t.call("GET", "/v1/volume-groups?name=vg", None).await;
    assert_eq!(l["total_count"], 1);
    assert_eq!(l["volume_groups"][0]["num_of_block_storages"], 2);
    // There is no group delete.
    assert_eq!(
        t.call("DELETE", &format!("/v1/volume-groups/{g}"), None)
            .await
            .0,
        405
    );
}

#[tokio::test]
async fn group_snapshots_schedule_and_recovery() {
    let t = T::new().await;
    let a = t.sim.seed_block_volume(WEST, "bs-a", "SSD", 10, &[]);
    let b_ = t.sim.seed_block_volume(WEST, "bs-b", "SSD", 20, &[]);
    let g = t.sim.seed_volume_group(WEST, "vg-01", &[&a, &b_]);
    let snaps = format!("/v1/volume-groups/{g}/snapshots");
    let (s, b) = t.call("POST", &snaps, None).await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("snapshot rate"));
    for v in [&a, &b_] {
        let (s, _) = t
            .call(
                "POST",
                &format!("/v1/volumes/{v}/snapshot-rates"),
                Some(json!({"snapshot_rate": 20})),
            )
            .await;
        assert_eq!(s, 200);
        t.wait_volume(WEST, v, "AVAILABLE").await;
    }
    let (s, b) = t.call("POST", &snaps, Some(json!({"x": 1}))).await;
    assert_eq!(s, 400, "no body taken: {b}");
    let (s, b) = t.call("POST", &snaps, None).await;
    assert_eq!(s, 200, "{b}");
    assert!(b["snapshot_name"]
        .as_str()
        .unwrap()
        .contains("___snapshot-create-bm-cg."));
    let sid = b["snapshot_id"].as_str().unwrap().to_string();
    let (_, l) = t.call("GET", &snaps, None).await;
    assert_eq!(l["is_snapshot_policy"], true);
    assert_eq!(l["snapshots"][0]["snapshot_id"], sid.as_str());
    assert_eq!(l["volume_group_id"], g.as_str());

    let (s, _) = t
        .call("PUT", &format!("{snaps}/{sid}/restore"), Some(json!({})))
        .await;
    assert_eq!(s, 200);
    let gv = t.wait_group(WEST, &g, "EDITING").await;
    assert_eq!(gv["member_volumes"][0]["state"], "EDITING");
    t.wait_group(WEST, &g, "AVAILABLE").await;
    t.wait_volume(WEST, &a, "AVAILABLE").await;

    let sched = format!("/v1/volume-groups/{g}/snapshot-schedules");
    let (s, b) = t
        .call(
            "POST",
            &sched,
            Some(json!({"hour": 5, "day_of_week": "MON"})),
        )
        .await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"day_of_week": "MON", "frequency": "WEEKLY", "hour": 5, "volume_group_id": g})
        )
    );
    assert_eq!(
        t.call("POST", &sched, Some(json!({"hour": 5}))).await.0,
        409
    );
    let gv = t.wait_group(WEST, &g, "AVAILABLE").await;
    assert_eq!(gv["snapshot_schedule"]["frequency"], "WEEKLY");
    let (s, b) = t.call("PUT", &sched, Some(json!({"hour": 7}))).await;
    assert_eq!(
        (s, b["frequency"].clone(), b["day_of_week"].clone()),
        (200, json!("DAILY"), json!(""))
    );
    t.wait_group(WEST, &g, "AVAILABLE").await;
    let (s, b) = t.call("DELETE", &sched, None).await;
    assert_eq!((s, b["frequency"].clone()), (200, json!("NONE")));
    t.wait_group(WEST, &g, "AVAILABLE").await;

    let rec = format!("/v1/volume-groups/{g}/recoveries");
    assert_eq!(
        t.call(
            "POST",
            &rec,
            Some(json!({"block_storage_name_prefix": "r-", "snapshot_id": "x"}))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        t.call(
            "POST",
            &rec,
            Some(json!({"block_storage_name_prefix": "9", "snapshot_id": sid}))
        )
        .await
        .0,
        400
    );
    let (s, b) = t
        .call(
            "POST",
            &rec,
            Some(json!({"block_storage_name_prefix": "r-", "snapshot_id": sid})),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    let rg = b["resource_id"].as_str().unwrap().to_string();
    let rv = t.wait_group(WEST, &rg, "AVAILABLE").await;
    assert_eq!(rv["purpose"], "RECOVERY");
    assert_eq!(rv["name"], "r-vg-01");
    assert_eq!(rv["has_origin"], true);
    assert_eq!(
        rv["recovery"]["origin_volume_group"],
        json!({"id": g, "name": "vg-01"})
    );
    let names: Vec<_> = rv["member_volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    assert_eq!(names, [json!("r-bs-a"), json!("r-bs-b")]);
    assert_eq!(rv["member_volumes"][1]["size_gb"], 20);
    assert_eq!(rv["member_volumes"][0]["origin_volume"]["id"], a.as_str());
    let (_, o) = t
        .at(WEST, "1.0", "GET", &format!("/v1/volume-groups/{g}"), None)
        .await;
    assert!(o["result"].get("recovery").is_none(), "1.0 has no recovery");
    let (_, o) = t.call("GET", &format!("/v1/volume-groups/{g}"), None).await;
    assert_eq!(
        o["result"]["recovery"]["recovery_volume_group"]["id"],
        rg.as_str()
    );

    let (s, b) = t.call("DELETE", &format!("{snaps}/{sid}"), None).await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"account_id": t.sim.config().account_id, "snapshot_id": sid, "volume_group_id": g})
        )
    );
    assert_eq!(
        t.call("DELETE", &format!("{snaps}/{sid}"), None).await.0,
        404
    );
}

#[tokio::test]
async fn group_replication_with_a_synchronous_delete() {
    let t = T::new().await;
    let a = t
        .sim
        .seed_block_volume(WEST, "bs-a", "SSD", 10, &[("s1", "BM")]);
    let g = t.sim.seed_volume_group(WEST, "vg-01", &[&a]);
    let path = format!("/v1/volume-groups/{g}/replications");
    assert_eq!(t.call("GET", &path, None).await.0, 404);
    let body = json!({"name": "replica-vg-01", "region": EAST, "cycle": "HOURLY", "replication_volume_name_prefix": "dr-"});
    let mut no_prefix = body.clone();
    no_prefix
        .as_object_mut()
        .unwrap()
        .remove("replication_volume_name_prefix");
    assert_eq!(t.call("POST", &path, Some(no_prefix)).await.0, 400);
    let (s, b) = t.call("POST", &path, Some(body.clone())).await;
    assert_eq!(s, 202, "{b}");
    let rg = b["resource_id"].as_str().unwrap().to_string();
    assert_eq!(t.call("POST", &path, Some(body)).await.0, 409);
    let rv = t.wait_group(EAST, &rg, "AVAILABLE").await;
    assert_eq!(rv["purpose"], "REPL");
    assert_eq!(rv["member_volumes"][0]["name"], "dr-bs-a");
    let (_, b) = t.call("GET", &path, None).await;
    assert_eq!(
        b,
        json!({"result": {"related_volume_groups": [{"auth": "READ", "id": rg, "name": "replica-vg-01", "purpose": "REPL", "region": EAST}],
            "sync_cycle": "HOURLY", "sync_state": "SNAPMIRROED"}})
    );
    let (_, b) = t
        .at(
            EAST,
            "1.2",
            "GET",
            &format!("/v1/volume-groups/{rg}/replications"),
            None,
        )
        .await;
    assert_eq!(b["result"]["related_volume_groups"][0]["id"], g.as_str());
    let (_, gv) = t.call("GET", &format!("/v1/volume-groups/{g}"), None).await;
    assert_eq!(gv["result"]["has_replication"], true);
    assert_eq!(
        t.volume_in(WEST, &a).await.unwrap()["has_replication"],
        true
    );

    let (s, b) = t
        .call(
            "PUT",
            &format!("{path}/cycle"),
            Some(json!({"cycle": "MONTHLY"})),
        )
        .await;
    assert_eq!(
        (s, b),
        (200, json!({"cycle": "MONTHLY", "volume_group_id": g}))
    );
    let (s, b) = t
        .call(
            "PUT",
            &format!("{path}/policy"),
            Some(json!({"policy": "BREAK"})),
        )
        .await;
    assert_eq!(
        (s, b),
        (200, json!({"cycle": "MONTHLY", "sync_state": "BROKEN_OFF"}))
    );
    let (_, b) = t.call("GET", &path, None).await;
    assert_eq!(
        b["result"]["related_volume_groups"][0]["auth"],
        "READ_WRITE"
    );
    let m = format!("/v1/volume-groups/{g}/members/add");
    let other = t.sim.seed_block_volume(WEST, "bs-z", "SSD", 10, &[]);
    assert_eq!(
        t.call("PUT", &m, Some(json!({"volume_ids": [other]})))
            .await
            .0,
        409
    );

    let (s, b) = t.call("DELETE", &path, None).await;
    assert_eq!((s, b), (200, json!({"result": true})));
    assert_eq!(t.call("GET", &path, None).await.0, 404);
    assert_eq!(
        t.volume_in(WEST, &a).await.unwrap()["has_replication"],
        false
    );
    let (s, _) = t
        .at(EAST, "1.2", "GET", &format!("/v1/volume-groups/{rg}"), None)
        .await;
    assert_eq!(s, 200, "the replica group stays");
}
