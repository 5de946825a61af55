//! Conformance: Cross-region replicas.

use super::*;

async fn replicas_follow_their_lifecycle(t: Target) {
    let id = t.volume("conf_rep").await;
    let regions = t.caps["replication_regions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let path = format!("/v1/volumes/{id}/replicas");
    if !t.supports("replica_create") || regions.is_empty() {
        return t
            .refused(Method::POST, &path, json!({"destination_region": "KR2"}))
            .await;
    }
    let rep = t
        .op(
            Method::POST,
            &path,
            Some(json!({"destination_region": regions[0]})),
        )
        .await["result"]
        .clone();
    assert_eq!(
        (rep["status"].as_str(), rep["source_volume_id"].as_str()),
        (Some("active"), Some(id.as_str())),
        "{rep}"
    );
    let r = format!("/v1/replicas/{}", rep["id"].as_str().unwrap());
    let (_, list) = t.get(&path).await;
    assert!(list["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == rep["id"]));
    let features: BTreeSet<&str> = ["replica_start_stop", "replica_reverse"]
        .into_iter()
        .filter(|f| t.supports(f))
        .collect();
    if features.contains("replica_start_stop") {
        assert_eq!(
            t.op(Method::POST, &format!("{r}/stop"), None).await["result"]["status"],
            "paused"
        );
        assert_eq!(
            t.op(Method::POST, &format!("{r}/start"), None).await["result"]["status"],
            "active"
        );
    }
    if features.contains("replica_reverse") {
        assert_eq!(
            t.op(Method::POST, &format!("{r}/reverse"), None).await["result"]["direction"],
            "reverse"
        );
    } else {
        t.refused(Method::POST, &format!("{r}/reverse"), json!({}))
            .await;
    }
    t.op(Method::DELETE, &r, None).await;
    assert_problem(
        &send(t.req(Method::GET, &r)).await,
        404,
        "replica_not_found",
    );
}

suite!(replicas_follow_their_lifecycle);
