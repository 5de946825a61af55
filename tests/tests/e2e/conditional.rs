//! Conditional requests and `Idempotency-Key` through one gateway: ETag/304/412 on volumes,
//! snapshots and replicas (412 before any vendor call, counted in the NHN simulator's log),
//! and idempotent replays, 422, 409 and per-principal keys on the in-memory store.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_tests::*;

const HOUR: Duration = Duration::from_secs(3600);

/// GET `path`: its ETag; then the same with `If-None-Match` is 304 with that tag and no body,
/// and with another tag 200.
async fn etag_of(gw: &TestGateway, path: &str) -> String {
    let (s, h, body) = send(gw.req(Method::GET, path)).await;
    assert_eq!(s, 200, "{path}: {body}");
    let tag = h["etag"].to_str().unwrap().to_string();
    assert!(
        tag.starts_with('"') && tag.ends_with('"'),
        "strong tag: {tag}"
    );
    let (s, h, body) = send(gw.req(Method::GET, path).header("if-none-match", &tag)).await;
    assert_eq!((s, &body), (304, &Value::Null), "{path}");
    assert_eq!(h["etag"].to_str().unwrap(), tag);
    assert!(h.get("x-request-id").is_some());
    let (s, _, _) = send(
        gw.req(Method::GET, path)
            .header("if-none-match", format!("\"stale\", W/{tag}")),
    )
    .await;
    assert_eq!(s, 304, "weak comparison for If-None-Match");
    let (s, _, _) = send(
        gw.req(Method::GET, path)
            .header("if-none-match", "\"stale\""),
    )
    .await;
    assert_eq!(s, 200);
    tag
}

#[tokio::test]
async fn etags_and_preconditions_on_volumes_snapshots_and_replicas() {
    let gw = TestGateway::start().await;
    let op = run_op(
        &gw,
        Method::POST,
        "/v1/volumes",
        Some(json!({"provider":"mem-a","kind":"file","name":"etag-vol","size_gib":100,"protocol":"nfs"})),
    )
    .await;
    let vol = op["result"]["id"].as_str().unwrap().to_string();
    let vpath = format!("/v1/volumes/{vol}");
    let tag = etag_of(&gw, &vpath).await;
    assert_eq!(etag_of(&gw, &vpath).await, tag, "stable while unchanged");

    // If-Match with another tag (or a weak one): 412, nothing changes.
    for wrong in ["\"not-it\"", &format!("W/{tag}")] {
        let r = send(
            gw.req(Method::PATCH, &vpath)
                .header("if-match", wrong)
                .json(&json!({"size_gib": 200})),
        )
        .await;
        assert_problem(&r, 412, "precondition_failed");
    }
    let (_, _, v) = send(gw.req(Method::GET, &vpath)).await;
    assert_eq!(v["size_gib"], 100);
    // The current tag: the change runs, and the tag changes with the representation.
    let rb = gw
        .req(Method::PATCH, &format!("{vpath}?wait=10s"))
        .header("if-match", format!("\"x\", {tag}"))
        .json(&json!({"size_gib": 200}));
    settle(&gw, send(rb).await).await;
    let new_tag = etag_of(&gw, &vpath).await;
    assert_ne!(new_tag, tag);
    let r = send(gw.req(Method::DELETE, &vpath).header("if-match", &tag)).await;
    assert_problem(&r, 412, "precondition_failed");

    // Snapshots.
    let op = run_op(
        &gw,
        Method::POST,
        &format!("{vpath}/snapshots"),
        Some(json!({"name":"s1"})),
    )
    .await;
    let snap = format!("/v1/snapshots/{}", op["result"]["id"].as_str().unwrap());
    let stag = etag_of(&gw, &snap).await;
    let r = send(gw.req(Method::DELETE, &snap).header("if-match", "\"old\"")).await;
    assert_problem(&r, 412, "precondition_failed");
    settle(
        &gw,
        send(gw.req(Method::DELETE, &snap).header("if-match", &stag)).await,
    )
    .await;
    // Gone: `If-Match: *` fails (RFC 9110 §13.1.1); a tag gets the change's own 404.
    let r = send(gw.req(Method::DELETE, &snap).header("if-match", "*")).await;
    assert_problem(&r, 412, "precondition_failed");
    let r = send(gw.req(Method::DELETE, &snap).header("if-match", &stag)).await;
    assert_problem(&r, 404, "snapshot_not_found");

    // Replicas.
    let op = run_op(
        &gw,
        Method::POST,
        &format!("{vpath}/replicas"),
        Some(json!({"destination_region":"KR2","frequency":"daily"})),
    )
    .await;
    let rep = format!("/v1/replicas/{}", op["result"]["id"].as_str().unwrap());
    let rtag = etag_of(&gw, &rep).await;
    let r = send(gw.req(Method::DELETE, &rep).header("if-match", "\"old\"")).await;
    assert_problem(&r, 412, "precondition_failed");
    settle(
        &gw,
        send(gw.req(Method::DELETE, &rep).header("if-match", &rtag)).await,
    )
    .await;

    // Sub-resources read at the same path take If-Match too; a path with no read has no
    // representation to match.
    let rules = format!("{vpath}/access-rules");
    let atag = etag_of(&gw, &rules).await;
    let body = json!({"rules": [{"kind": "cidr", "value": "10.9.0.0/16"}]});
    let r = send(
        gw.req(Method::PUT, &rules)
            .header("if-match", "\"x\"")
            .json(&body),
    )
    .await;
    assert_problem(&r, 412, "precondition_failed");
    settle(
        &gw,
        send(
            gw.req(Method::PUT, &rules)
                .header("if-match", &atag)
                .json(&body),
        )
        .await,
    )
    .await;
    // Longer than documented: 400, on reads and changes.
    let long = format!("\"{}\"", "x".repeat(1100));
    let r = send(gw.req(Method::GET, &vpath).header("if-none-match", &long)).await;
    assert_eq!(
        assert_problem(&r, 400, "invalid_argument")["field"],
        "If-None-Match"
    );
    let r = send(gw.req(Method::DELETE, &vpath).header("if-match", &long)).await;
    assert_eq!(
        assert_problem(&r, 400, "invalid_argument")["field"],
        "If-Match"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_failed_precondition_reaches_no_vendor() {
    let (gw, sim) = start_nhn(Duration::from_millis(5), HOUR).await;
    let op = run_op(
        &gw,
        Method::POST,
        "/v1/volumes",
        Some(json!({"provider":"nhn-kr1","kind":"file","name":"pre1","size_gib":300,"protocol":"nfs"})),
    )
    .await;
    let path = format!("/v1/volumes/{}", op["result"]["id"].as_str().unwrap());
    let before = sim.nas_faults().request_count();
    for (m, body) in [
        (Method::PATCH, Some(json!({"size_gib": 400}))),
        (Method::DELETE, None),
    ] {
        let mut rb = gw.req(m, &path).header("if-match", "\"stale\"");
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        assert_problem(&send(rb).await, 412, "precondition_failed");
    }
    let changes = sim.nas_faults().requests()[before..]
        .iter()
        .filter(|r| r.method != "GET")
        .count();
    assert_eq!(changes, 0, "no vendor change after a failed precondition");
    gw.stop().await;
}

fn create(name: &str) -> Value {
    json!({"provider":"mem-a","kind":"file","name":name,"size_gib":100,"protocol":"nfs"})
}

#[tokio::test]
async fn idempotency_keys_replay_refuse_changes_and_stay_per_principal() {
    let gw = TestGateway::start().await;
    let post = |key: &str, body: &Value| {
        gw.req(Method::POST, "/v1/volumes")
            .header("idempotency-key", key)
            .json(body)
    };
    let first = send(post("k-1", &create("idem-a"))).await;
    assert_eq!(first.0, 202, "{}", first.2);
    assert!(first.1.get("idempotent-replayed").is_none());
    let again = send(post("k-1", &create("idem-a"))).await;
    assert_eq!(
        (again.0, &again.2),
        (202, &first.2),
        "the same status and body"
    );
    assert_eq!(again.1["idempotent-replayed"], "true");
    assert_eq!(again.1["location"], first.1["location"]);
    assert_ne!(again.1["x-request-id"], first.1["x-request-id"]);
    // One volume only.
    let (_, _, list) = send(gw.req(Method::GET, "/v1/volumes?name=idem-a")).await;
    assert_eq!(list["volumes"].as_array().unwrap().len(), 1, "{list}");
    // Another body, or path, with the same key: 422.
    assert_problem(
        &send(post("k-1", &create("idem-b"))).await,
        422,
        "idempotency_key_reused",
    );
    // Another principal's identical key is its own.
    let bob = send(
        gw.http
            .post(gw.url("/v1/volumes"))
            .bearer_auth(token(&claims("bob", "storage.read storage.write")))
            .header("idempotency-key", "k-1")
            .json(&create("idem-c")),
    )
    .await;
    assert_eq!(bob.0, 202, "{}", bob.2);
    assert_ne!(bob.2["id"], first.2["id"]);
    // Malformed keys are 400; dry runs are not recorded.
    for bad in ["", &"x".repeat(256)] {
        let r = send(post(bad, &create("idem-d"))).await;
        assert_eq!(
            assert_problem(&r, 400, "invalid_argument")["field"],
            "Idempotency-Key"
        );
    }
    let dry = send(
        gw.req(Method::POST, "/v1/volumes?validate_only=true")
            .header("idempotency-key", "k-2")
            .json(&create("idem-e")),
    )
    .await;
    assert_eq!(dry.0, 200);
    let real = send(post("k-2", &create("idem-e"))).await;
    assert_eq!(real.0, 202, "the key was free: {}", real.2);
    // A refusal (4xx) is kept and replayed too.
    let bad =
        json!({"provider":"mem-a","kind":"file","name":"idem-f","size_gib":1,"protocol":"nfs"});
    let r1 = send(post("k-3", &bad)).await;
    let r2 = send(post("k-3", &bad)).await;
    assert_eq!((r1.0, &r1.2["code"]), (r2.0, &r2.2["code"]));
    assert_eq!(r2.1["idempotent-replayed"], "true");
    gw.stop().await;
}

#[tokio::test]
async fn a_retry_while_the_first_runs_is_409() {
    let gw = TestGateway::start_with(test_config(), memory_registry(Duration::from_secs(2))).await;
    let key = "slow-1";
    let first = {
        let rb = gw
            .req(Method::POST, "/v1/volumes?wait=10s")
            .header("idempotency-key", key)
            .json(&create("slow"));
        tokio::spawn(send(rb))
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = send(
        gw.req(Method::POST, "/v1/volumes?wait=10s")
            .header("idempotency-key", key)
            .json(&create("slow")),
    )
    .await;
    let p = assert_problem(&r, 409, "idempotency_key_in_use");
    assert_eq!(p["retryable"], true);
    assert_eq!(r.1["retry-after"], "1");
    let first = first.await.unwrap();
    assert_eq!(
        (first.0, &first.2["state"]),
        (200, &json!("succeeded")),
        "{}",
        first.2
    );
    let replay = send(
        gw.req(Method::POST, "/v1/volumes?wait=10s")
            .header("idempotency-key", key)
            .json(&create("slow")),
    )
    .await;
    assert_eq!((replay.0, &replay.2), (200, &first.2));
    gw.stop().await;
}
