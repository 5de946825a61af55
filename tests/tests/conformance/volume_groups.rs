//! Conformance: volume groups (consistency groups of block volumes): lifecycle, members,
//! group snapshots, schedules and replicas, and what is checked before any vendor call. On
//! providers without volume groups the suite checks the refusal only.

use super::*;

impl Target {
    /// The provider's `volume_groups` capabilities (`Null` when it has none).
    async fn group_caps(&self) -> Value {
        let (s, p) = self.get(&format!("/v1/providers/{}", self.provider)).await;
        assert_eq!(s, 200, "{p}");
        p["capabilities"]["volume_groups"].clone()
    }

    fn group_body(&self, name: &str, volumes: &[&str]) -> Value {
        json!({"provider": self.provider, "name": name, "volume_ids": volumes})
    }
}

fn has(caps: &Value, feature: &str) -> bool {
    caps["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == feature))
}

async fn volume_groups_follow_their_lifecycle(t: Target) {
    let caps = t.group_caps().await;
    if caps.is_null() || t.kind != "block" {
        // Only block volumes are grouped: elsewhere the request is refused before any call.
        let vol = t.volume("conf_g0").await;
        let resp = send(
            t.req(Method::POST, "/v1/volume-groups")
                .json(&t.group_body("conf-g0", &[&vol])),
        )
        .await;
        let code = if caps.is_null() {
            "unsupported_by_provider"
        } else {
            "unsupported_value"
        };
        assert_problem(&resp, 422, code);
        return;
    }
    let a = t.volume("conf_ga").await;
    let b = t.volume("conf_gb").await;
    let c = t.volume("conf_gc").await;
    let group = t
        .op(
            Method::POST,
            "/v1/volume-groups",
            Some(t.group_body("conf-group", &[&a, &b])),
        )
        .await["result"]
        .clone();
    assert_eq!(group["status"], "available", "{group}");
    assert_eq!(group["volume_ids"], json!([a, b]), "{group}");
    let g = format!("/v1/volume-groups/{}", group["id"].as_str().unwrap());
    let (_, member) = t.get(&format!("/v1/volumes/{a}")).await;
    assert_eq!(member["block"]["volume_group_id"], group["id"], "{member}");
    let (_, list) = t
        .get(&format!(
            "/v1/volume-groups?provider={}&name=conf-group",
            t.provider
        ))
        .await;
    assert_eq!(list["volume_groups"][0]["id"], group["id"], "{list}");

    // Members join and leave.
    let added = t
        .op(
            Method::POST,
            &format!("{g}/members/add"),
            Some(json!({ "volume_ids": [c] })),
        )
        .await["result"]
        .clone();
    assert_eq!(added["volume_ids"].as_array().unwrap().len(), 3, "{added}");
    let removed = t
        .op(
            Method::POST,
            &format!("{g}/members/remove"),
            Some(json!({ "volume_ids": [c] })),
        )
        .await["result"]
        .clone();
    assert_eq!(removed["volume_ids"], json!([a, b]), "{removed}");

    // A group snapshot, restored into the group.
    if has(&caps, "group_snapshots") {
        let snap = t.op(Method::POST, &format!("{g}/snapshots"), None).await["result"].clone();
        assert_eq!(snap["status"], "available", "{snap}");
        assert_eq!(snap["volume_group_id"], group["id"]);
        let (_, snaps) = t.get(&format!("{g}/snapshots")).await;
        assert!(snaps["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == snap["id"]));
        let gs = format!("/v1/group-snapshots/{}", snap["id"].as_str().unwrap());
        assert_eq!(t.get(&gs).await.1["name"], snap["name"]);
        let restored = t
            .op(Method::POST, &format!("{gs}/restore"), Some(json!({})))
            .await["result"]
            .clone();
        assert_eq!(
            (restored["id"].clone(), restored["status"].clone()),
            (group["id"].clone(), json!("available"))
        );
        t.op(Method::DELETE, &gs, None).await;
        assert_problem(
            &send(t.req(Method::GET, &gs)).await,
            404,
            "group_snapshot_not_found",
        );
    }

    // The group's schedule, in the shape the provider publishes.
    if has(&caps, "group_snapshot_schedule") {
        let tz = caps["schedule"]["timezones"][0].as_str().unwrap_or("UTC");
        let sched = json!({"frequency": "weekly", "days": ["friday"], "hour": 1, "minute": 0, "timezone": tz});
        let path = format!("{g}/snapshot-schedule");
        assert_eq!(
            t.op(Method::PUT, &path, Some(sched.clone())).await["result"],
            sched
        );
        assert_eq!(t.get(&path).await.1, sched);
        t.op(Method::DELETE, &path, None).await;
        assert_problem(
            &send(t.req(Method::GET, &path)).await,
            404,
            "snapshot_schedule_not_found",
        );
    }

    // The group's replica: established, paused, resumed, removed.
    let regions = caps["replication_regions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if has(&caps, "group_replicas") && !regions.is_empty() {
        let r = format!("{g}/replica");
        let rep = t
            .op(
                Method::POST,
                &r,
                Some(json!({"destination_region": regions[0], "frequency": "hourly"})),
            )
            .await["result"]
            .clone();
        assert_eq!(
            (rep["status"].as_str(), rep["volume_group_id"].clone()),
            (Some("active"), group["id"].clone()),
            "{rep}"
        );
        assert_eq!(
            t.op(Method::POST, &format!("{r}/stop"), None).await["result"]["status"],
            "paused"
        );
        assert_eq!(
            t.op(Method::POST, &format!("{r}/start"), None).await["result"]["status"],
            "active"
        );
        t.op(Method::DELETE, &r, None).await;
        assert_problem(
            &send(t.req(Method::GET, &r)).await,
            404,
            "replica_not_found",
        );
    }

    if !has(&caps, "volume_group_delete") {
        t.refused(Method::DELETE, &g, json!({})).await;
    } else {
        t.op(Method::DELETE, &g, None).await;
    }
}

/// What the gateway can tell without the vendor is refused before any vendor call.
async fn group_requests_are_checked_before_the_vendor(t: Target) {
    let caps = t.group_caps().await;
    let vol = t.volume("conf_gx").await;
    let before: Vec<usize> = t.logs.iter().map(|(_, f)| f.request_count()).collect();
    // A vendor id every provider's id grammar accepts (NHN's are UUIDs).
    let missing = GlobalId::new(
        ResourceType::VolumeGroup,
        t.provider,
        Some(VolumeKind::Block),
        "00000000-0000-4000-8000-000000000000",
    )
    .encode();
    let other_provider = GlobalId::new(
        ResourceType::Volume,
        "elsewhere",
        Some(VolumeKind::Block),
        "00000000000000000000000000000000",
    )
    .encode();
    let create = |ids: Vec<String>| {
        send(
            t.req(Method::POST, "/v1/volume-groups")
                .json(&json!({"provider": t.provider, "name": "conf-gx", "volume_ids": ids})),
        )
    };
    if caps.is_null() {
        assert_problem(&create(vec![vol]).await, 422, "unsupported_by_provider");
    } else {
        let p = assert_problem(
            &create(vec![other_provider]).await,
            422,
            "unsupported_value",
        );
        assert_eq!(p["field"], "volume_ids[0]");
        let p = assert_problem(&create(vec![]).await, 400, "invalid_argument");
        assert_eq!(p["field"], "volume_ids");
        let long = "g".repeat(caps["name"]["max_len"].as_u64().unwrap() as usize + 1);
        let resp = send(
            t.req(Method::POST, "/v1/volume-groups")
                .json(&json!({"provider": t.provider, "name": long, "volume_ids": [vol]})),
        )
        .await;
        assert_eq!(
            assert_problem(&resp, 422, "unsupported_value")["field"],
            "name"
        );
        let resp = send(t.req(
            Method::POST,
            &format!("/v1/volume-groups/{missing}/replica/reverse"),
        ))
        .await;
        assert_problem(&resp, 422, "unsupported_by_provider");
    }
    let after: Vec<usize> = t.logs.iter().map(|(_, f)| f.request_count()).collect();
    assert_eq!(before, after, "a refused request reached the vendor");
    // An id of the documented form that names no group; where the provider has no groups,
    // the read is refused as unsupported.
    let resp = send(t.req(Method::GET, &format!("/v1/volume-groups/{missing}"))).await;
    if caps.is_null() {
        assert_problem(&resp, 422, "unsupported_by_provider");
    } else {
        assert_problem(&resp, 404, "volume_group_not_found");
    }
}

suite!(
    volume_groups_follow_their_lifecycle,
    group_requests_are_checked_before_the_vendor
);
