//! The API through HTTP: full lifecycle, operations, paging, shutdown.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_tests::*;

/// Sends a mutation, expects 202 + Location, then follows the operation until it is done.
async fn settle(gw: &TestGateway, rb: reqwest::RequestBuilder) -> Value {
    let resp = send(rb).await;
    assert_eq!(resp.0, 202, "mutation accepted: {}", resp.2);
    assert_eq!(resp.2["done"], false);
    strata_tests::settle(gw, resp).await
}

#[tokio::test]
async fn volume_lifecycle_through_the_gateway() {
    let gw = TestGateway::start().await;

    // Create → operation settles with the available volume.
    let op = settle(&gw, gw.req(Method::POST, "/v1/volumes").json(&json!({
        "provider": "mem-a", "kind": "file", "name": "app-data", "size_gib": 300, "protocol": "nfs",
        "access_rules": [{"kind": "cidr", "value": "10.0.0.0/24"}], "labels": {"team": "storage"}
    }))).await;
    assert_eq!(op["kind"], "volume.create");
    assert_eq!(op["principal"], "tester");
    let vol = op["result"].clone();
    assert_eq!(vol["status"], "available");
    let id = vol["id"].as_str().unwrap().to_string();
    assert_eq!(op["target"], id);

    let (s, _, got) = send(gw.req(Method::GET, &format!("/v1/volumes/{id}"))).await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            got["name"].as_str(),
            got["size_gib"].as_u64(),
            got["labels"]["team"].as_str()
        ),
        (Some("app-data"), Some(300), Some("storage"))
    );

    // Resize and shrink attempt.
    let op = settle(
        &gw,
        gw.req(Method::PATCH, &format!("/v1/volumes/{id}"))
            .json(&json!({"size_gib": 500})),
    )
    .await;
    assert_eq!(op["result"]["size_gib"], 500);
    let r = send(
        gw.req(Method::PATCH, &format!("/v1/volumes/{id}"))
            .json(&json!({"size_gib": 400})),
    )
    .await;
    // Shrinking is not offered here.
    assert_eq!(
        assert_problem(&r, 422, "unsupported_value")["field"],
        "size_gib"
    );

    // Access rules, mount targets, usage.
    settle(&gw, gw.req(Method::PUT, &format!("/v1/volumes/{id}/access-rules")).json(&json!({"rules": [
        {"kind": "cidr", "value": "10.1.0.0/16", "access": "read_only"}, {"kind": "ip", "value": "10.2.0.7"}]}))).await;
    let (_, _, rules) = send(gw.req(Method::GET, &format!("/v1/volumes/{id}/access-rules"))).await;
    assert_eq!(rules["rules"].as_array().unwrap().len(), 2);
    assert_eq!(rules["rules"][0]["access"], "read_only");
    assert_eq!(rules["rules"][1]["access"], "read_write");
    let (_, _, mt) = send(gw.req(Method::GET, &format!("/v1/volumes/{id}/mount-targets"))).await;
    assert!(
        mt["mount_targets"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with(":/app-data"),
        "{mt}"
    );
    let (_, _, usage) = send(gw.req(Method::GET, &format!("/v1/volumes/{id}/usage"))).await;
    assert_eq!(usage["size_bytes"].as_u64(), Some(500 << 30));

    // Snapshot, restore in place, clone, history.
    let op = settle(
        &gw,
        gw.req(Method::POST, &format!("/v1/volumes/{id}/snapshots"))
            .json(&json!({"name": "before-upgrade"})),
    )
    .await;
    let snap = op["result"]["id"].as_str().unwrap().to_string();
    assert_eq!(op["result"]["status"], "available");
    let (_, _, list) = send(gw.req(Method::GET, &format!("/v1/volumes/{id}/snapshots"))).await;
    assert_eq!(list["snapshots"].as_array().unwrap().len(), 1);
    let op = settle(
        &gw,
        gw.req(Method::POST, &format!("/v1/snapshots/{snap}/restore"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(op["result"]["id"], id);
    let op = settle(
        &gw,
        gw.req(Method::POST, &format!("/v1/snapshots/{snap}/restore"))
            .json(&json!({"mode": "new_volume", "volume_name": "app-data-clone"})),
    )
    .await;
    let clone = op["result"]["id"].as_str().unwrap().to_string();
    assert_ne!(clone, id);
    let (_, _, hist) = send(gw.req(Method::GET, &format!("/v1/volumes/{id}/restores"))).await;
    assert_eq!(hist["restores"][0]["snapshot_name"], "before-upgrade");

    // Snapshot schedule.
    let sched = json!({"frequency": "weekly", "days": ["monday", "thursday"], "hour": 3, "retention_count": 7});
    let op = settle(
        &gw,
        gw.req(Method::PUT, &format!("/v1/volumes/{id}/snapshot-schedule"))
            .json(&sched),
    )
    .await;
    assert_eq!(op["result"]["days"], json!(["monday", "thursday"]));
    let (_, _, got) =
        send(gw.req(Method::GET, &format!("/v1/volumes/{id}/snapshot-schedule"))).await;
    assert_eq!(
        (got["days"].clone(), got["timezone"].clone()),
        (json!(["monday", "thursday"]), json!("Asia/Seoul"))
    );
    let r = send(
        gw.req(Method::PUT, &format!("/v1/volumes/{id}/snapshot-schedule"))
            .json(&json!({"frequency": "weekly", "hour": 3})),
    )
    .await;
    assert_eq!(assert_problem(&r, 400, "invalid_argument")["field"], "days");
    let op = settle(
        &gw,
        gw.req(
            Method::DELETE,
            &format!("/v1/volumes/{id}/snapshot-schedule"),
        ),
    )
    .await;
    assert_eq!(op["result"], Value::Null);
    assert_problem(
        &send(gw.req(Method::GET, &format!("/v1/volumes/{id}/snapshot-schedule"))).await,
        404,
        "snapshot_schedule_not_found",
    );

    // Replica: create, stop, start; reverse is unsupported here.
    let r = send(
        gw.req(Method::POST, &format!("/v1/volumes/{id}/replicas"))
            .json(&json!({"destination_region": "KR3"})),
    )
    .await;
    assert_eq!(
        assert_problem(&r, 422, "unsupported_value")["field"],
        "destination_region"
    );
    let op = settle(
        &gw,
        gw.req(Method::POST, &format!("/v1/volumes/{id}/replicas"))
            .json(&json!({"destination_region": "KR2", "frequency": "daily"})),
    )
    .await;
    let rep = op["result"]["id"].as_str().unwrap().to_string();
    assert_eq!(op["result"]["status"], "active");
    let op = settle(
        &gw,
        gw.req(Method::POST, &format!("/v1/replicas/{rep}/stop")),
    )
    .await;
    assert_eq!(op["result"]["status"], "paused");
    let op = settle(
        &gw,
        gw.req(Method::POST, &format!("/v1/replicas/{rep}/start")),
    )
    .await;
    assert_eq!(op["result"]["status"], "active");
    assert_problem(
        &send(gw.req(Method::POST, &format!("/v1/replicas/{rep}/reverse"))).await,
        422,
        "unsupported_by_provider",
    );
    assert_problem(
        &send(gw.req(Method::POST, &format!("/v1/replicas/{rep}/explode"))).await,
        400,
        "invalid_argument",
    );
    // The volume cannot go while it replicates.
    let p = assert_problem(
        &send(gw.req(Method::DELETE, &format!("/v1/volumes/{id}"))).await,
        409,
        "failed_precondition",
    );
    assert_eq!(p["retryable"], false);
    settle(&gw, gw.req(Method::DELETE, &format!("/v1/replicas/{rep}"))).await;

    // Delete everything.
    settle(
        &gw,
        gw.req(Method::DELETE, &format!("/v1/snapshots/{snap}")),
    )
    .await;
    settle(&gw, gw.req(Method::DELETE, &format!("/v1/volumes/{clone}"))).await;
    let op = settle(&gw, gw.req(Method::DELETE, &format!("/v1/volumes/{id}"))).await;
    assert_eq!(op["kind"], "volume.delete");
    assert_problem(
        &send(gw.req(Method::GET, &format!("/v1/volumes/{id}"))).await,
        404,
        "volume_not_found",
    );

    // The operations list has every change, newest first, and pages.
    let (_, _, ops) = send(gw.req(Method::GET, "/v1/operations?page_size=100")).await;
    let kinds: Vec<&str> = ops["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"volume.delete"));
    assert_eq!(kinds.last(), Some(&"volume.create"));
    assert_eq!(kinds.len(), 15, "{kinds:?}");
    let mut seen = 0;
    let mut page_tok: Option<String> = None;
    loop {
        let q = page_tok
            .as_ref()
            .map(|t| format!("&page_token={t}"))
            .unwrap_or_default();
        let (_, _, page) =
            send(gw.req(Method::GET, &format!("/v1/operations?page_size=4{q}"))).await;
        seen += page["operations"].as_array().unwrap().len();
        assert!(seen <= 15, "paging repeats operations");
        match page["next_page_token"].as_str() {
            Some(t) => page_tok = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, 15);
    // Another subject does not see these operations; an admin does.
    let other = token(&claims("someone-else", "storage.read"));
    let (_, _, theirs) = send(gw.http.get(gw.url("/v1/operations")).bearer_auth(other)).await;
    assert_eq!(theirs["operations"].as_array().unwrap().len(), 0);
    let admin = token(&claims("root", "storage.admin"));
    let (_, _, all) = send(
        gw.http
            .get(gw.url("/v1/operations?page_size=100"))
            .bearer_auth(admin),
    )
    .await;
    assert_eq!(all["operations"].as_array().unwrap().len(), 15);
    gw.stop().await;
}

#[tokio::test]
async fn paging_across_providers_is_complete_and_stable() {
    let gw = TestGateway::start_with(test_config(), memory_registry(Duration::ZERO)).await;
    let mut expected = Vec::new();
    for i in 0..37 {
        for p in ["mem-a", "mem-b"] {
            if p == "mem-b" && i >= 23 {
                continue;
            }
            let name = format!("{p}-vol-{i:03}");
            let (s, _, b) = send(gw.req(Method::POST, "/v1/volumes?wait=5s").json(&json!({"provider": p, "kind": "file", "name": name, "size_gib": 100, "protocol": "nfs"}))).await;
            assert_eq!(s, 200, "{b}");
            expected.push(name);
        }
    }
    expected.sort();
    for page_size in [1, 7, 50, 500] {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let q = token
                .as_ref()
                .map(|t| format!("&page_token={t}"))
                .unwrap_or_default();
            let (s, _, page) = send(gw.req(
                Method::GET,
                &format!("/v1/volumes?page_size={page_size}{q}"),
            ))
            .await;
            assert_eq!(s, 200, "{page}");
            let items = page["volumes"].as_array().unwrap();
            assert!(items.len() <= page_size);
            names.extend(
                items
                    .iter()
                    .map(|v| v["name"].as_str().unwrap().to_string()),
            );
            pages += 1;
            assert!(pages <= 200, "paging does not end");
            match page["next_page_token"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        assert_eq!(
            names, expected,
            "page size {page_size}: complete, unique and in name order"
        );
    }
    // Filters apply across providers, and a token is bound to its filters.
    let (_, _, b) = send(gw.req(Method::GET, "/v1/volumes?provider=mem-b&page_size=5")).await;
    assert!(b["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["provider"] == "mem-b"));
    let t = b["next_page_token"].as_str().unwrap().to_string();
    assert_problem(
        &send(gw.req(
            Method::GET,
            &format!("/v1/volumes?provider=mem-a&page_token={t}"),
        ))
        .await,
        422,
        "invalid_page_token",
    );
    let (_, _, b) = send(gw.req(Method::GET, "/v1/volumes?name=vol-01&page_size=500")).await;
    assert_eq!(b["volumes"].as_array().unwrap().len(), 20);
    gw.stop().await;
}

#[tokio::test]
async fn providers_health_and_docs() {
    let gw = TestGateway::start().await;
    let (s, _, b) = send(gw.req(Method::GET, "/v1/providers")).await;
    assert_eq!(s, 200);
    assert_eq!(b["providers"].as_array().unwrap().len(), 2);
    let (s, _, b) = send(gw.req(Method::GET, "/v1/providers/mem-a")).await;
    assert_eq!(s, 200);
    let file = &b["capabilities"]["volumes"]["file"];
    assert_eq!(
        (
            file["size"]["min_gib"].as_u64(),
            file["size"]["step_gib"].as_u64()
        ),
        (Some(100), Some(100))
    );
    assert!(file["features"]
        .as_array()
        .unwrap()
        .contains(&json!("snapshot_create")));
    assert_eq!(b["health"]["ok"], true);
    assert_problem(
        &send(gw.req(Method::GET, "/v1/providers/nope")).await,
        404,
        "provider_not_found",
    );

    let (s, _, b) = send(gw.http.get(gw.url("/healthz"))).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("ok")));
    let (s, _, b) = send(gw.http.get(gw.url("/readyz"))).await;
    assert_eq!((s, b["providers"].as_u64()), (200, Some(2)));
    let (s, _, spec) = send(gw.http.get(gw.url("/openapi.json"))).await;
    assert_eq!(s, 200);
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let resp = gw.http.get(gw.url("/docs/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("swagger-ui"),
        "Swagger UI page is served from vendored assets"
    );
    let (s, _, _) = send(gw.http.get(gw.url("/docs/swagger-ui-bundle.js"))).await;
    assert_eq!(s, 200);
    gw.stop().await;
}

#[tokio::test]
async fn shutdown_drains_in_flight_requests() {
    // Changes take 2 s to settle, so a waiting request is still in flight when stop begins.
    let gw = TestGateway::start_with(test_config(), memory_registry(Duration::from_secs(2))).await;
    let (s, _, op) = send(gw.req(Method::POST, "/v1/volumes").json(&json!({"provider": "mem-a", "kind": "file", "name": "slow", "size_gib": 100, "protocol": "nfs"}))).await;
    assert_eq!(s, 202);
    let waiting = gw
        .req(
            Method::GET,
            &format!("/v1/operations/{}?wait=1s", op["id"].as_str().unwrap()),
        )
        .send();
    let waiting = tokio::spawn(waiting);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let base = gw.base.clone();
    gw.stop().await;
    let resp = waiting
        .await
        .unwrap()
        .expect("the in-flight request completes during shutdown");
    assert_eq!(resp.status(), 202, "still running after the 1 s wait");
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no longer accepting connections"
    );
}
