//! Conformance: Snapshots, restores and snapshot schedules.

use super::*;

async fn snapshots_are_created_listed_and_deleted(t: Target) {
    let id = t.volume("conf_snap").await;
    let path = format!("/v1/volumes/{id}/snapshots");
    if !t.supports("snapshot_create") {
        return t.refused(Method::POST, &path, json!({})).await;
    }
    if !t.named_snapshots() {
        let p = assert_problem(
            &send(t.req(Method::POST, &path).json(&json!({"name": "mine"}))).await,
            422,
            "unsupported_value",
        );
        assert_eq!(p["field"], "name");
    }
    let snap = t
        .op(Method::POST, &path, Some(t.snapshot_body("conf-s1")))
        .await["result"]
        .clone();
    let name = snap["name"].as_str().unwrap().to_string();
    assert!(!t.named_snapshots() || name == "conf-s1", "{snap}");
    assert_eq!(snap["origin"], "manual");
    assert_eq!(snap["status"], "available");
    assert_eq!(snap["volume_id"], id.as_str());
    let (_, list) = t.get(&path).await;
    assert!(list["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == snap["id"]));
    let sp = format!("/v1/snapshots/{}", snap["id"].as_str().unwrap());
    assert_eq!(t.get(&sp).await.1["name"], name.as_str());
    if t.supports("snapshot_delete") {
        t.op(Method::DELETE, &sp, None).await;
        assert_problem(
            &send(t.req(Method::GET, &sp)).await,
            404,
            "snapshot_not_found",
        );
    }
}

async fn restore_in_place_is_recorded(t: Target) {
    let id = t.volume("conf_restore").await;
    if !t.supports("snapshot_create") {
        return;
    }
    let snap = t
        .op(
            Method::POST,
            &format!("/v1/volumes/{id}/snapshots"),
            Some(t.snapshot_body("conf-r1")),
        )
        .await["result"]
        .clone();
    let restore = format!("/v1/snapshots/{}/restore", snap["id"].as_str().unwrap());
    if !t.supports("snapshot_restore_in_place") {
        return t.refused(Method::POST, &restore, json!({})).await;
    }
    let op = t.op(Method::POST, &restore, Some(json!({}))).await;
    assert_eq!(
        (op["result"]["id"].as_str(), op["result"]["status"].as_str()),
        (Some(id.as_str()), Some("available"))
    );
    if t.supports("snapshot_clone") {
        let clone = t
            .op(
                Method::POST,
                &restore,
                Some(json!({"mode": "new_volume", "volume_name": t.name("conf_clone")})),
            )
            .await["result"]
            .clone();
        assert_eq!(
            (clone["name"].as_str(), clone["status"].as_str()),
            (Some(t.name("conf_clone").as_str()), Some("available"))
        );
        assert_ne!(clone["id"], id.as_str());
    } else {
        t.refused(Method::POST, &restore, json!({"mode": "new_volume"}))
            .await;
    }
    if t.supports("restore_history") {
        let (_, h) = t.get(&format!("/v1/volumes/{id}/restores")).await;
        let last = h["restores"].as_array().unwrap().last().cloned().unwrap();
        assert_eq!(last["snapshot_name"], snap["name"]);
    }
}

async fn snapshot_schedule_round_trips(t: Target) {
    let id = t.volume("conf_sched").await;
    let path = format!("/v1/volumes/{id}/snapshot-schedule");
    let sched = t.schedule_body(&["tuesday", "saturday"], 2, 0, 5);
    if !t.supports("snapshot_schedule") {
        return t.refused(Method::PUT, &path, sched).await;
    }
    assert_eq!(
        t.op(Method::PUT, &path, Some(sched.clone())).await["result"],
        sched
    );
    assert_eq!(t.get(&path).await.1, sched);
    assert_eq!(
        t.op(Method::DELETE, &path, None).await["result"],
        Value::Null
    );
    assert_problem(
        &send(t.req(Method::GET, &path)).await,
        404,
        "snapshot_schedule_not_found",
    );
}

suite!(
    snapshots_are_created_listed_and_deleted,
    restore_in_place_is_recorded,
    snapshot_schedule_round_trips
);
