//! Volumes: lifecycle and states, validation, version shapes, paging, snapshots, rates,
//! schedules and recovery.

use serde_json::json;

use super::{detail, is_hex32, T, WEST};

#[tokio::test]
async fn volume_lifecycle_moves_through_the_documented_states() {
    let t = T::new().await;
    let (s, b) = t
        .call(
            "POST",
            "/v1/volumes",
            Some(json!({"name": "bs-01", "disk_type": "SSD", "size_gb": 10,
                "attachments": [{"object_id": "83c3c73d457345e3829ee6d5557c0016", "object_type": "BM"}],
                "tags": [{"key": "k", "value": "v"}]})),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    assert!(b["request_id"].as_str().unwrap().starts_with("req-"));
    assert!(is_hex32(&b["resource_id"]));
    let id = b["resource_id"].as_str().unwrap().to_string();
    let v = t.volume_in(WEST, &id).await.unwrap();
    assert_eq!(v["state"], "CREATING");
    let v = t.wait_volume(WEST, &id, "IN_USE").await;
    assert_eq!(v["previous_state"], "CREATING");
    assert_eq!(v["attachments"][0]["type"], "BM");
    assert_eq!(v["attachments"][0]["state"], "RUNNING");
    assert_eq!(v["is_encryption"], true);
    assert_eq!(v["iscsi_target_ips"].as_array().unwrap().len(), 2);
    assert!(v["storage_volume_name"].as_str().unwrap().starts_with("vo"));
    assert_eq!(v["storage_volume_name"].as_str().unwrap().len(), 25);
    assert!(v["srn"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{WEST}::baremetal-blockstorage:volume/{id}")));
    assert!(v["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["created_at"].as_str().unwrap().len(), 24);
    assert_eq!(v["qos"], json!({"iops": 3000, "throughput": 125}));
    assert!(v.get("tags").is_none());

    let path = format!("/v1/volumes/{id}/attachments");
    let (s, b) = t
        .call(
            "POST",
            &path,
            Some(json!({"attachments": [{"object_id": "aa11", "object_type": "MNGC"}]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["attachments"].as_array().unwrap().len(), 2);
    assert_eq!(t.volume_in(WEST, &id).await.unwrap()["state"], "ATTACHING");
    let (s, b) = t
        .call(
            "POST",
            &path,
            Some(json!({"attachments": [{"object_id": "aa12", "object_type": "BM"}]})),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("attaching"));
    t.wait_volume(WEST, &id, "IN_USE").await;

    let (s, b) = t.call("DELETE", &format!("/v1/volumes/{id}"), None).await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("detach all attachments"));

    let (s, b) = t
        .call("DELETE", &path, Some(json!({"attachments": ["aa11"]})))
        .await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"attachments": [{"object_id": "83c3c73d457345e3829ee6d5557c0016", "object_type": "BM"}]})
        )
    );
    assert_eq!(t.volume_in(WEST, &id).await.unwrap()["state"], "DETACHING");
    t.wait_volume(WEST, &id, "IN_USE").await;
    let (s, _) = t
        .call("DELETE", &path, Some(json!({"attachments": ["nope"]})))
        .await;
    assert_eq!(s, 400);
    let (s, _) = t
        .call(
            "DELETE",
            &path,
            Some(json!({"attachments": ["83c3c73d457345e3829ee6d5557c0016"]})),
        )
        .await;
    assert_eq!(s, 200);
    let v = t.wait_volume(WEST, &id, "AVAILABLE").await;
    assert_eq!(v["previous_state"], "DETACHING");

    let (s, b) = t.call("DELETE", &format!("/v1/volumes/{id}"), None).await;
    assert_eq!(s, 202);
    assert_eq!(b["resource_id"], id.as_str());
    assert_eq!(t.volume_in(WEST, &id).await.unwrap()["state"], "DELETING");
    t.wait_gone(&id).await;
    let (s, b) = t.call("GET", &format!("/v1/volumes/{id}"), None).await;
    assert_eq!(s, 404);
    assert_eq!(b["errors"][0]["code"], "NotFound");
}

#[tokio::test]
async fn create_without_attachments_settles_available_and_names_are_unique() {
    let t = T::new().await;
    let id = t.create_volume("bs-02", "HDD", json!([])).await;
    let v = t.wait_volume(WEST, &id, "AVAILABLE").await;
    assert_eq!(v["qos"], serde_json::Value::Null);
    let (s, b) = t
        .call(
            "POST",
            "/v1/volumes",
            Some(json!({"name": "bs-02", "disk_type": "SSD", "size_gb": 1, "attachments": []})),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("already exists"));
}

#[tokio::test]
async fn invalid_volume_requests_answer_400() {
    let t = T::new().await;
    let base = json!({"name": "bs-01", "disk_type": "SSD", "size_gb": 10, "attachments": []});
    let cases = [
        ("name", json!("1bad")),
        ("name", json!("ab")),
        ("name", json!("a_b_c")),
        ("name", json!("a".repeat(29))),
        ("size_gb", json!(0)),
        ("size_gb", json!(16385)),
        ("disk_type", json!("NVME")),
        (
            "attachments",
            json!([{"object_id": "x", "object_type": "VM"}]),
        ),
        (
            "attachments",
            json!([{"object_id": "", "object_type": "BM"}]),
        ),
        (
            "attachments",
            json!((0..9)
                .map(|i| json!({"object_id": format!("s{i}"), "object_type": "BM"}))
                .collect::<Vec<_>>()),
        ),
        ("qos", json!({"iops": 2999, "throughput": 125})),
        ("qos", json!({"iops": 3000, "throughput": 1001})),
        ("unknown", json!(1)),
    ];
    for (field, value) in cases {
        let mut body = base.clone();
        body[field] = value.clone();
        let (s, b) = t.call("POST", "/v1/volumes", Some(body)).await;
        assert_eq!(s, 400, "{field}={value}: {b}");
        detail(&b);
    }
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("attachments");
    assert_eq!(t.call("POST", "/v1/volumes", Some(missing)).await.0, 400);
    let mut hdd = base.clone();
    hdd["disk_type"] = json!("HDD");
    hdd["qos"] = json!({"iops": 3000, "throughput": 125});
    let (s, b) = t.call("POST", "/v1/volumes", Some(hdd)).await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("SSD"));
    let mut old = base.clone();
    old["qos"] = json!({"iops": 3000, "throughput": 125});
    let (s, b) = t.at(WEST, "1.1", "POST", "/v1/volumes", Some(old)).await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("1.2"));
    // QoS updates: ranges, and HDD refuses.
    let hdd = t.sim.seed_block_volume(WEST, "hdd-1", "HDD", 10, &[]);
    let (s, _) = t
        .call(
            "PUT",
            &format!("/v1/volumes/{hdd}/qos"),
            Some(json!({"iops": 4000})),
        )
        .await;
    assert_eq!(s, 400);
    let ssd = t.sim.seed_block_volume(WEST, "ssd-1", "SSD", 10, &[]);
    let (s, _) = t
        .call(
            "PUT",
            &format!("/v1/volumes/{ssd}/qos"),
            Some(json!({"throughput": 124})),
        )
        .await;
    assert_eq!(s, 400);
    let (s, b) = t
        .call(
            "PUT",
            &format!("/v1/volumes/{ssd}/qos"),
            Some(json!({"throughput": 500})),
        )
        .await;
    assert_eq!((s, b), (200, json!({"iops": 3000, "throughput": 500})));
    assert_eq!(t.volume_in(WEST, &ssd).await.unwrap()["state"], "EDITING");
    let v = t.wait_volume(WEST, &ssd, "AVAILABLE").await;
    assert_eq!(v["qos"]["throughput"], 500);
}

#[tokio::test]
async fn show_and_attach_shapes_differ_between_versions() {
    let t = T::new().await;
    let id = t
        .sim
        .seed_block_volume(WEST, "bs-01", "SSD", 10, &[("s1", "BM")]);
    let path = format!("/v1/volumes/{id}");
    let (_, v10) = t.at(WEST, "1.0", "GET", &path, None).await;
    let (_, v11) = t.at(WEST, "1.1", "GET", &path, None).await;
    let (_, v12) = t.at(WEST, "1.2", "GET", &path, None).await;
    assert!(v10["result"].get("qos").is_none() && v10["result"].get("recovery").is_none());
    assert!(v11["result"].get("qos").is_none() && v11["result"].get("recovery").is_some());
    assert!(v12["result"].get("qos").is_some() && v12["result"].get("recovery").is_some());
    assert_eq!(v10["result"]["state"], "IN_USE");
    let att = format!("{path}/attachments");
    let body = json!({"attachments": [{"object_id": "s2", "object_type": "BM"}]});
    let (s, b) = t.at(WEST, "1.0", "POST", &att, Some(body)).await;
    assert_eq!(s, 200);
    assert_eq!(b["result"]["id"], id.as_str());
    assert_eq!(b["result"]["state"], "ATTACHING");
    assert_eq!(b["result"]["attachments"].as_array().unwrap().len(), 2);
    t.wait_volume(WEST, &id, "IN_USE").await;
    let (s, b) = t
        .at(
            WEST,
            "1.2",
            "DELETE",
            &att,
            Some(json!({"attachments": ["s2"]})),
        )
        .await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"attachments": [{"object_id": "s1", "object_type": "BM"}]})
        )
    );
}

#[tokio::test]
async fn lists_page_sort_and_filter() {
    let t = T::new().await;
    for (i, name) in ["bs-c", "bs-a", "bs-b", "other"].iter().enumerate() {
        t.sim.seed_block_volume(
            WEST,
            name,
            "SSD",
            10 + i as u64,
            &[("d7682135392e42489948c189e29011cc", "BM")],
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let (_, b) = t
        .call("GET", "/v1/volumes?limit=2&offset=1&sort=name:asc", None)
        .await;
    assert_eq!(b["total_count"], 4);
    let names: Vec<_> = b["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].clone())
        .collect();
    assert_eq!(names, [json!("bs-b"), json!("bs-c")]);
    let (_, b) = t.call("GET", "/v1/volumes", None).await;
    assert_eq!(b["volumes"][0]["name"], "other", "default created_at:desc");
    let (_, b) = t
        .call(
            "GET",
            "/v1/volumes?sort=size_gb:desc,name:asc&name=bs-",
            None,
        )
        .await;
    assert_eq!(b["total_count"], 3);
    assert_eq!(b["volumes"][0]["name"], "bs-b");
    let item = &b["volumes"][0];
    assert_eq!(item["volume_group"], "");
    assert_eq!(item["is_snapshot_activated"], false);
    assert_eq!(item["has_relation"], false);
    assert_eq!(item["attachments"][0]["name"], "bm-d7682135");
    let (_, b) = t.call("GET", "/v1/volumes?object_name=bm-d768", None).await;
    assert_eq!(b["total_count"], 4);
    for bad in [
        "limit=-1",
        "offset=x",
        "sort=color:asc",
        "sort=name:up",
        "sort=name",
    ] {
        let (s, _) = t.call("GET", &format!("/v1/volumes?{bad}"), None).await;
        assert_eq!(s, 400, "{bad}");
    }
    let (_, b) = t.at(super::EAST, "1.2", "GET", "/v1/volumes", None).await;
    assert_eq!(b["total_count"], 0, "regions are separate");
}

#[tokio::test]
async fn snapshots_need_a_rate_and_restore_and_recover() {
    let t = T::new().await;
    let id = t
        .sim
        .seed_block_volume(WEST, "bs-01", "SSD", 10, &[("s1", "BM")]);
    let snaps = format!("/v1/volumes/{id}/snapshots");
    let (s, b) = t.call("POST", &snaps, None).await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("set a snapshot rate first"));
    let rates = format!("/v1/volumes/{id}/snapshot-rates");
    assert_eq!(
        t.call("PUT", &rates, Some(json!({"snapshot_rate": 50})))
            .await
            .0,
        404
    );
    assert_eq!(
        t.call("POST", &rates, Some(json!({"snapshot_rate": 101})))
            .await
            .0,
        400
    );
    let (s, b) = t
        .call("POST", &rates, Some(json!({"snapshot_rate": 50})))
        .await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"is_snapshot_activated": true, "snapshot_rate": 50, "volume_id": id})
        )
    );
    assert_eq!(t.volume_in(WEST, &id).await.unwrap()["state"], "EDITING");
    t.wait_volume(WEST, &id, "IN_USE").await;
    assert_eq!(
        t.call("POST", &rates, Some(json!({"snapshot_rate": 60})))
            .await
            .0,
        409
    );
    let (s, b) = t.call("POST", &snaps, None).await;
    assert_eq!(s, 200, "{b}");
    let sid = b["snapshot_id"].as_str().unwrap().to_string();
    assert_eq!(sid.len(), 36);
    assert!(b["snapshot_name"]
        .as_str()
        .unwrap()
        .contains("___snapshot-create-bm-blockstorage."));
    let (_, l) = t.call("GET", &snaps, None).await;
    assert_eq!(l["is_snapshot_policy"], true);
    assert_eq!(l["snapshot_capacity_mb"], 5120.0);
    assert_eq!(l["snapshot_capacity_rate"], 50.0);
    assert_eq!(l["snapshots"][0]["snapshot_id"], sid.as_str());
    assert!(l["snapshots"][0]["snapshot_size_mb"].is_f64());
    assert_eq!(
        t.call("DELETE", &rates, None).await.0,
        409,
        "snapshots exist"
    );

    let (s, b) = t.call("PUT", &format!("{snaps}/{sid}/restore"), None).await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"account_id": t.sim.config().account_id, "snapshot_id": sid, "volume_id": id})
        )
    );
    let v = t.volume_in(WEST, &id).await.unwrap();
    assert_eq!(
        (v["state"].clone(), v["previous_state"].clone()),
        (json!("EDITING"), json!("IN_USE"))
    );
    t.wait_volume(WEST, &id, "IN_USE").await;

    let rec = format!("/v1/volumes/{id}/recoveries");
    assert_eq!(
        t.call(
            "POST",
            &rec,
            Some(json!({"name": "rec-01", "snapshot_id": "nope"}))
        )
        .await
        .0,
        404
    );
    let (s, b) = t
        .call(
            "POST",
            &rec,
            Some(json!({"name": "rec-01", "snapshot_id": sid})),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    let rid = b["resource_id"].as_str().unwrap().to_string();
    let r = t.wait_volume(WEST, &rid, "AVAILABLE").await;
    assert_eq!(r["purpose"], "RECOVERY");
    assert_eq!(r["has_origin"], true);
    assert_eq!(r["attachments"], json!([]));
    assert_eq!(r["recovery"]["origin_volume"]["id"], id.as_str());
    assert_eq!(
        r["recovery"]["origin_volume"]["attachments"],
        json!([{"id": "s1", "type": "BM"}])
    );
    let o = t.volume_in(WEST, &id).await.unwrap();
    assert_eq!(o["recovery"]["recovery_volume"]["name"], "rec-01");

    let (s, _) = t.call("DELETE", &format!("{snaps}/{sid}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        t.call("DELETE", &format!("{snaps}/{sid}"), None).await.0,
        404
    );
    let (s, b) = t.call("DELETE", &rates, None).await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"is_snapshot_activated": false, "snapshot_rate": 0, "volume_id": id})
        )
    );
}

#[tokio::test]
async fn schedules_follow_the_frequency_rules() {
    let t = T::new().await;
    let id = t.sim.seed_block_volume(WEST, "bs-01", "SSD", 10, &[]);
    let path = format!("/v1/volumes/{id}/snapshot-schedules");
    assert!(!t.sim.run_block_snapshot_schedule(&id));
    assert_eq!(t.call("PUT", &path, Some(json!({"hour": 3}))).await.0, 404);
    assert_eq!(
        t.call("POST", &path, Some(json!({"hour": 24}))).await.0,
        400
    );
    assert_eq!(
        t.call(
            "POST",
            &path,
            Some(json!({"hour": 1, "day_of_week": "FUNDAY"}))
        )
        .await
        .0,
        400
    );
    let (s, b) = t.call("POST", &path, Some(json!({"hour": 18}))).await;
    assert_eq!(
        (s, b),
        (
            200,
            json!({"day_of_week": "", "frequency": "DAILY", "hour": 18, "volume_id": id})
        )
    );
    assert_eq!(
        t.call("POST", &path, Some(json!({"hour": 18}))).await.0,
        409
    );
    t.wait_volume(WEST, &id, "AVAILABLE").await;
    let (s, b) = t
        .call("PUT", &path, Some(json!({"hour": 2, "day_of_week": "SUN"})))
        .await;
    assert_eq!(
        (s, b["frequency"].clone(), b["day_of_week"].clone()),
        (200, json!("WEEKLY"), json!("SUN"))
    );
    let v = t.wait_volume(WEST, &id, "AVAILABLE").await;
    assert_eq!(
        v["snapshot_schedule"],
        json!({"day_of_week": "SUN", "frequency": "WEEKLY", "hour": 2})
    );
    assert!(
        !t.sim.run_block_snapshot_schedule(&id),
        "snapshots not activated"
    );
    let rates = format!("/v1/volumes/{id}/snapshot-rates");
    assert_eq!(
        t.call("POST", &rates, Some(json!({"snapshot_rate": 10})))
            .await
            .0,
        200
    );
    t.wait_volume(WEST, &id, "AVAILABLE").await;
    assert!(t.sim.run_block_snapshot_schedule(&id));
    let (_, l) = t
        .call("GET", &format!("/v1/volumes/{id}/snapshots"), None)
        .await;
    assert_eq!(l["snapshots"].as_array().unwrap().len(), 1);
    let (s, b) = t.call("DELETE", &path, None).await;
    assert_eq!((s, b["frequency"].clone()), (200, json!("NONE")));
    t.wait_volume(WEST, &id, "AVAILABLE").await;
    assert_eq!(t.call("DELETE", &path, None).await.0, 404);
}
