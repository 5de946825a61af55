//! Volume replication: create, show from both sides, cycle, break, resync, delete.

use std::time::Duration;

use serde_json::json;

use super::{detail, EAST, T, WEST};

#[tokio::test]
async fn volume_replication_lifecycle() {
    let t = T::new().await;
    let id = t
        .sim
        .seed_block_volume(WEST, "bs-01", "SSD", 20, &[("s1", "BM")]);
    let path = format!("/v1/volumes/{id}/replications");
    assert_eq!(t.call("GET", &path, None).await.0, 404);
    for (body, why) in [
        (
            json!({"name": "rep-01", "region": WEST, "cycle": "5MIN"}),
            "same region",
        ),
        (
            json!({"name": "rep-01", "region": "kr-south9", "cycle": "5MIN"}),
            "unknown region",
        ),
        (
            json!({"name": "rep-01", "region": EAST, "cycle": "10MIN"}),
            "cycle",
        ),
        (
            json!({"name": "r", "region": EAST, "cycle": "5MIN"}),
            "name",
        ),
        (json!({"name": "rep-01", "region": EAST}), "missing cycle"),
    ] {
        let (s, b) = t.call("POST", &path, Some(body)).await;
        assert_eq!(s, 400, "{why}: {b}");
    }
    let (s, b) = t
        .call(
            "POST",
            &path,
            Some(json!({"name": "rep-01", "region": EAST, "cycle": "5MIN"})),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    let rid = b["resource_id"].as_str().unwrap().to_string();
    let (_, b) = t.call("GET", &path, None).await;
    assert_eq!(b["result"]["sync_state"], "INITIALIZING");
    let (s, b) = t
        .call(
            "POST",
            &path,
            Some(json!({"name": "rep-02", "region": EAST, "cycle": "5MIN"})),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("replication already exists"));

    let r = t.wait_volume(EAST, &rid, "AVAILABLE").await;
    assert_eq!(
        (
            r["purpose"].clone(),
            r["has_origin"].clone(),
            r["size_gb"].clone()
        ),
        (json!("REPL"), json!(true), json!(20))
    );
    assert_eq!(
        t.volume_in(WEST, &id).await.unwrap()["has_replication"],
        true
    );
    let (_, b) = t.call("GET", &path, None).await;
    assert_eq!(
        b,
        json!({"result": {"related_volumes": [{"auth": "READ", "id": rid, "name": "rep-01", "purpose": "REPL", "region": EAST}],
            "sync_cycle": "5MIN", "sync_state": "SNAPMIRROED"}})
    );
    let other = format!("/v1/volumes/{rid}/replications");
    let (s, b) = t.at(EAST, "1.2", "GET", &other, None).await;
    assert_eq!(s, 200);
    assert_eq!(b["result"]["related_volumes"][0]["id"], id.as_str());
    assert_eq!(b["result"]["related_volumes"][0]["purpose"], "ORG");
    assert_eq!(b["result"]["related_volumes"][0]["region"], WEST);

    let (s, b) = t
        .call(
            "PUT",
            &format!("{path}/cycle"),
            Some(json!({"cycle": "DAILY"})),
        )
        .await;
    assert_eq!((s, b), (200, json!({"cycle": "DAILY", "volume_id": id})));
    assert_eq!(
        t.call(
            "PUT",
            &format!("{path}/policy"),
            Some(json!({"policy": "STOP"}))
        )
        .await
        .0,
        400
    );
    assert_eq!(
        t.call(
            "PUT",
            &format!("{path}/policy"),
            Some(json!({"policy": "RESYNC"}))
        )
        .await
        .0,
        409
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
        (
            200,
            json!({"sync_cycle": "DAILY", "sync_state": "BROKEN_OFF"})
        )
    );
    let (_, b) = t.call("GET", &path, None).await;
    assert_eq!(b["result"]["related_volumes"][0]["auth"], "READ_WRITE");
    let (s, b) = t
        .call(
            "PUT",
            &format!("{path}/policy"),
            Some(json!({"policy": "RESYNC"})),
        )
        .await;
    assert_eq!((s, b["sync_state"].clone()), (200, json!("RESYNCING")));
    tokio::time::sleep(Duration::from_millis(60)).await;
    let (_, b) = t.call("GET", &path, None).await;
    assert_eq!(b["result"]["sync_state"], "SNAPMIRROED");
    assert_eq!(b["result"]["related_volumes"][0]["auth"], "READ");

    assert_eq!(
        t.call("DELETE", &format!("/v1/volumes/{id}"), None).await.0,
        409
    );
    let (s, b) = t.call("DELETE", &path, None).await;
    assert_eq!(s, 202, "{b}");
    assert_eq!(
        t.call("DELETE", &path, None).await.0,
        409,
        "already being deleted"
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(t.call("GET", &path, None).await.0, 404);
    assert_eq!(
        t.volume_in(WEST, &id).await.unwrap()["has_replication"],
        false
    );
    let r = t.volume_in(EAST, &rid).await.expect("the replica stays");
    assert_eq!(r["has_origin"], false);
}
