//! What outside testing broke: ids that try to steer vendor calls, and requests refused
//! after they had already changed something. Every case goes through HTTP against the real
//! simulators, whose request logs prove that nothing reached the vendor.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;
use strata_sim::faults::Faults;
use strata_sim::scp::Service;
use strata_tests::*;

/// Vendor parts a forged id may carry to climb out of its resource's path.
const HOSTILE: &[&str] = &[
    "x/../../../v1/replications/victim",
    "../../../admin/keys?dump=1#",
    "..",
    "a?b=c",
    "a#frag",
    "a%2Fb",
    "a%00",
    "a\\b",
    "a b",
    "a\tb",
    "a\r\nX-Injected: 1",
    "a\u{0}b",
    "a\u{7f}",
    "",
];

/// A route that takes a global id: method, path with `{id}`, the id's type, and a body
/// that deserializes (so the id, not the body, is what gets refused).
struct Route {
    method: Method,
    path: &'static str,
    rtype: ResourceType,
    body: Option<Value>,
}

fn routes() -> Vec<Route> {
    let r = |method: Method, path: &'static str, rtype, body: Option<Value>| Route {
        method,
        path,
        rtype,
        body,
    };
    use ResourceType::{Replica, Snapshot, Volume};
    vec![
        r(Method::GET, "/v1/volumes/{id}", Volume, None),
        r(Method::PATCH, "/v1/volumes/{id}", Volume, Some(json!({}))),
        r(Method::DELETE, "/v1/volumes/{id}", Volume, None),
        r(Method::GET, "/v1/volumes/{id}/access-rules", Volume, None),
        r(
            Method::PUT,
            "/v1/volumes/{id}/access-rules",
            Volume,
            Some(json!({"rules": []})),
        ),
        r(Method::GET, "/v1/volumes/{id}/mount-targets", Volume, None),
        r(
            Method::POST,
            "/v1/volumes/{id}/mount-targets",
            Volume,
            Some(json!({"network": "n"})),
        ),
        r(
            Method::DELETE,
            "/v1/volumes/{id}/mount-targets/t1",
            Volume,
            None,
        ),
        r(Method::GET, "/v1/volumes/{id}/usage", Volume, None),
        r(
            Method::POST,
            "/v1/volumes/{id}/attachments",
            Volume,
            Some(json!({"server_id": "s1"})),
        ),
        r(
            Method::DELETE,
            "/v1/volumes/{id}/attachments/s1",
            Volume,
            None,
        ),
        r(Method::GET, "/v1/volumes/{id}/snapshots", Volume, None),
        r(
            Method::POST,
            "/v1/volumes/{id}/snapshots",
            Volume,
            Some(json!({})),
        ),
        r(Method::GET, "/v1/volumes/{id}/restores", Volume, None),
        r(
            Method::GET,
            "/v1/volumes/{id}/snapshot-schedule",
            Volume,
            None,
        ),
        r(
            Method::PUT,
            "/v1/volumes/{id}/snapshot-schedule",
            Volume,
            Some(json!({"frequency": "daily", "hour": 1})),
        ),
        r(
            Method::DELETE,
            "/v1/volumes/{id}/snapshot-schedule",
            Volume,
            None,
        ),
        r(Method::GET, "/v1/volumes/{id}/replicas", Volume, None),
        r(
            Method::POST,
            "/v1/volumes/{id}/replicas",
            Volume,
            Some(json!({"destination_region": "KR2"})),
        ),
        r(Method::GET, "/v1/snapshots/{id}", Snapshot, None),
        r(Method::DELETE, "/v1/snapshots/{id}", Snapshot, None),
        r(
            Method::POST,
            "/v1/snapshots/{id}/restore",
            Snapshot,
            Some(json!({})),
        ),
        r(Method::GET, "/v1/replicas/{id}", Replica, None),
        r(Method::PATCH, "/v1/replicas/{id}", Replica, Some(json!({}))),
        r(Method::DELETE, "/v1/replicas/{id}", Replica, None),
        r(Method::POST, "/v1/replicas/{id}/start", Replica, None),
        r(Method::POST, "/v1/replicas/{id}/stop", Replica, None),
        r(Method::POST, "/v1/replicas/{id}/reverse", Replica, None),
    ]
}

/// Forged ids of `rtype` for `provider`: a hostile vendor part, and (for children) a good
/// vendor part under a hostile parent.
fn forged(rtype: ResourceType, provider: &str, kind: VolumeKind, good: &str) -> Vec<String> {
    let mut ids = vec![];
    for bad in HOSTILE.iter().chain(std::iter::once(&"not-a-uuid")) {
        let id = GlobalId::new(rtype, provider, Some(kind), *bad);
        if rtype == ResourceType::Volume {
            ids.push(id.encode());
        } else {
            ids.push(id.with_parent(good).encode());
            ids.push(
                GlobalId::new(rtype, provider, Some(kind), good)
                    .with_parent(*bad)
                    .encode(),
            );
        }
    }
    ids
}

async fn refuses_every_forged_id(
    gw: &TestGateway,
    logs: &[&Faults],
    provider: &str,
    kind: VolumeKind,
    uuid_grammar: bool,
) {
    let good = "0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3e";
    let before: usize = logs.iter().map(|f| f.request_count()).sum();
    let mut checked = 0;
    for route in routes() {
        for id in forged(route.rtype, provider, kind, good) {
            // `not-a-uuid` is a fine token: only a UUID-only vendor refuses it.
            let parsed_ok = id.parse::<GlobalId>().is_ok();
            if parsed_ok && !uuid_grammar {
                continue;
            }
            let path = route.path.replace("{id}", &id);
            let mut rb = gw.req(route.method.clone(), &path);
            if let Some(b) = &route.body {
                rb = rb.json(b);
            }
            let resp = send(rb).await;
            if parsed_ok {
                // A plain token the vendor's ids never look like names nothing there.
                assert_problem(&resp, 404, &format!("{}_not_found", route.rtype.name()));
            } else {
                let p = assert_problem(&resp, 400, "invalid_id");
                assert_eq!(p["field"], "id", "{} {path}", route.method);
            }
            checked += 1;
        }
    }
    // Raw vendor ids in the path (mount targets, servers) are held to the same grammar.
    let vol = GlobalId::new(ResourceType::Volume, provider, Some(kind), good).encode();
    for (method, sub, field) in [
        (Method::DELETE, "mount-targets", "target"),
        (Method::DELETE, "attachments", "server"),
    ] {
        for raw in [
            "..", "a%2Fb", "a%3Fb", "a%23b", "a%20b", "a%5Cb", "a%0Ab", "%2E%2E",
        ] {
            let resp =
                send(gw.req(method.clone(), &format!("/v1/volumes/{vol}/{sub}/{raw}"))).await;
            if resp.0 == 404 {
                // Dot segments are resolved by the HTTP client before sending: no such route.
                assert!(raw == ".." || raw == "%2E%2E", "{raw}: {:?}", resp.2);
                continue;
            }
            assert_eq!(assert_problem(&resp, 400, "invalid_id")["field"], field);
            checked += 1;
        }
        if uuid_grammar {
            let resp = send(gw.req(
                method.clone(),
                &format!("/v1/volumes/{vol}/{sub}/not-a-uuid"),
            ))
            .await;
            let what = if field == "target" {
                "mount_target"
            } else {
                "server"
            };
            assert_problem(&resp, 404, &format!("{what}_not_found"));
            checked += 1;
        }
    }
    let after: usize = logs.iter().map(|f| f.request_count()).sum();
    assert_eq!(after, before, "no forged id reached the vendor");
    assert!(checked > 400, "only {checked} cases ran");
}

#[tokio::test]
async fn forged_ids_never_reach_nhn() {
    let (gw, sim) = start_nhn(Duration::from_millis(20), Duration::from_secs(3600)).await;
    refuses_every_forged_id(&gw, &[sim.nas_faults()], "nhn-kr1", VolumeKind::File, true).await;
    gw.stop().await;
}

#[tokio::test]
async fn forged_ids_never_reach_scp() {
    let (gw, sim) = start_scp(Duration::from_millis(20)).await;
    let logs = [
        sim.faults(Service::FileStorage),
        sim.faults(Service::ParallelFileStorage),
    ];
    for kind in [VolumeKind::File, VolumeKind::ParallelFile] {
        refuses_every_forged_id(&gw, &logs, "scp-kr-west1", kind, false).await;
    }
    gw.stop().await;
}

/// Every mutation route with each malformed query parameter: 4xx and no vendor request,
/// on a real volume (so the refusal is not an accident of a missing resource).
#[tokio::test]
async fn refused_mutations_change_nothing() {
    let (gw, sim) = start_nhn(Duration::from_millis(20), Duration::from_secs(3600)).await;
    let op = run_op(
        &gw,
        Method::POST,
        "/v1/volumes",
        Some(json!({"provider":"nhn-kr1","kind":"file","name":"keep","size_gib":300,"protocol":"nfs"})),
    )
    .await;
    let vol = op["result"]["id"].as_str().expect("volume id").to_string();
    let snap_op = run_op(
        &gw,
        Method::POST,
        &format!("/v1/volumes/{vol}/snapshots"),
        Some(json!({"name": "s1"})),
    )
    .await;
    let snap = snap_op["result"]["id"]
        .as_str()
        .expect("snapshot id")
        .to_string();
    let log = sim.nas_faults();
    let before = log.request_count();

    let create =
        json!({"provider":"nhn-kr1","kind":"file","name":"nope","size_gib":300,"protocol":"nfs"});
    let mutations: Vec<(Method, String, Option<Value>)> = vec![
        (Method::POST, "/v1/volumes".into(), Some(create)),
        (
            Method::PATCH,
            format!("/v1/volumes/{vol}"),
            Some(json!({"size_gib": 400})),
        ),
        (Method::DELETE, format!("/v1/volumes/{vol}"), None),
        (
            Method::PUT,
            format!("/v1/volumes/{vol}/access-rules"),
            Some(json!({"rules": []})),
        ),
        (
            Method::POST,
            format!("/v1/volumes/{vol}/snapshots"),
            Some(json!({"name": "s2"})),
        ),
        (Method::DELETE, format!("/v1/snapshots/{snap}"), None),
        (
            Method::POST,
            format!("/v1/snapshots/{snap}/restore"),
            Some(json!({})),
        ),
        (
            Method::PUT,
            format!("/v1/volumes/{vol}/snapshot-schedule"),
            Some(json!({"frequency": "daily", "hour": 1})),
        ),
        (
            Method::DELETE,
            format!("/v1/volumes/{vol}/snapshot-schedule"),
            None,
        ),
        (
            Method::POST,
            format!("/v1/volumes/{vol}/replicas"),
            Some(json!({"destination_region": "KR2"})),
        ),
    ];
    let bad_queries = [
        "wait=garbage",
        "wait=5h",
        "wait=-1s",
        "wait=99999999999999999999999s",
        "wait=1s&wait=2s",
        "wait=%00",
    ];
    for (method, path, body) in &mutations {
        for q in bad_queries {
            let mut rb = gw.req(method.clone(), &format!("{path}?{q}"));
            if let Some(b) = body {
                rb = rb.json(b);
            }
            let (status, _, problem) = send(rb).await;
            assert!(
                (400..500).contains(&status),
                "{method} {path}?{q} -> {status} {problem}"
            );
        }
    }
    assert_eq!(
        log.request_count(),
        before,
        "no refused request reached the vendor"
    );
    // And the volume is as it was.
    let (_, _, v) = send(gw.req(Method::GET, &format!("/v1/volumes/{vol}"))).await;
    assert_eq!(v["size_gib"], 300, "{v}");
    assert_eq!(v["status"], "available", "{v}");
    gw.stop().await;
}

/// A misbehaving vendor's error text (stack trace, internal host, a password) reaches the
/// client only as a sanitized summary, in problems and in a list's `unreachable`.
#[tokio::test]
async fn vendor_error_text_is_sanitized() {
    let (gw, sim) = start_nhn(Duration::from_millis(20), Duration::from_secs(3600)).await;
    let leak = r#"{"header":{"isSuccessful":false,"resultCode":500,"resultMessage":"db error at db-01.nas.internal.nhn:5432 (10.0.3.7) password=hunter2\n\tat com.nhn.nas.Api.handle(Api.java:42)"}}"#;
    sim.nas_faults().force_answer(500, leak, 1);
    let missing = GlobalId::new(
        ResourceType::Volume,
        "nhn-kr1",
        Some(VolumeKind::File),
        "0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3e",
    );
    let resp = send(gw.req(Method::GET, &format!("/v1/volumes/{missing}"))).await;
    let p = assert_problem(&resp, 502, "vendor_error");
    let detail = p["detail"].as_str().unwrap();
    for secret in ["hunter2", "db-01", "10.0.3.7", "Api.java", "internal"] {
        assert!(!detail.contains(secret), "{secret} leaked: {detail}");
    }
    assert!(detail.contains("db error"), "{detail}");

    sim.nas_faults().force_answer(500, leak, 1);
    let (status, _, list) = send(gw.req(Method::GET, "/v1/volumes?provider=nhn-kr1")).await;
    assert_eq!(status, 200, "{list}");
    let text = list["unreachable"].to_string();
    assert!(text.contains("nhn-kr1"), "{list}");
    for secret in ["hunter2", "db-01", "10.0.3.7"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    gw.stop().await;
}

/// Bodies must be JSON objects within documented bounds; anything else is refused before
/// any vendor call, and the bounds are in the spec.
#[tokio::test]
async fn bodies_are_objects_within_bounds() {
    let (gw, sim) = start_nhn(Duration::from_millis(20), Duration::from_secs(3600)).await;
    let before = sim.nas_faults().request_count();
    let array = json!(["nhn-kr1", "file", "arr-vol", null, 300, "nfs"]);
    let resp = send(gw.req(Method::POST, "/v1/volumes").json(&array)).await;
    assert_problem(&resp, 400, "invalid_body");
    for body in ["\"text\"", "42", "null", "  [1]"] {
        let resp = send(
            gw.req(Method::POST, "/v1/volumes")
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        assert_problem(&resp, 400, "invalid_body");
    }
    let labels: serde_json::Map<String, Value> =
        (0..10_000).map(|i| (format!("k{i}"), json!("v"))).collect();
    let create = |extra: (&str, Value)| {
        let mut b = json!({"provider":"nhn-kr1","kind":"file","name":"big","size_gib":300,"protocol":"nfs"});
        b[extra.0] = extra.1;
        b
    };
    let cases = [
        (create(("labels", Value::Object(labels))), "labels"),
        (create(("name", json!("n".repeat(256)))), "name"),
        (
            create(("description", json!("d".repeat(1025)))),
            "description",
        ),
        (
            create((
                "access_rules",
                json!(vec![json!({"kind":"ip","value":"10.0.0.1"}); 257]),
            )),
            "access_rules",
        ),
    ];
    for (body, field) in cases {
        let resp = send(gw.req(Method::POST, "/v1/volumes").json(&body)).await;
        assert_eq!(
            assert_problem(&resp, 400, "invalid_argument")["field"],
            field
        );
    }
    assert_eq!(
        sim.nas_faults().request_count(),
        before,
        "nothing reached the vendor"
    );

    let (_, _, spec) = send(gw.req(Method::GET, "/openapi.json")).await;
    let create = &spec["components"]["schemas"]["CreateVolume"]["properties"];
    assert_eq!(create["labels"]["maxProperties"], 64, "{create}");
    assert_eq!(create["name"]["maxLength"], 255);
    assert_eq!(create["access_rules"]["maxItems"], 256);
    gw.stop().await;
}
