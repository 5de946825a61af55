//! Every request-body example in the OpenAPI document works as written against the demo
//! providers: what a person trying Swagger UI on `strata demo` sends when they press Execute.

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;
use strata_tests::*;

/// Routes whose feature no demo provider offers yet, with why. Their examples are still
/// checked to be well-formed (the gateway reads them and answers `unsupported_by_provider`).
const NOT_IN_THE_DEMO: &[(&str, &str)] = &[];

/// The example a request body shows in Swagger UI: the media type's own, else its schema's.
fn body_example(spec: &Value, op: &Value) -> Option<Value> {
    let media = &op["requestBody"]["content"]["application/json"];
    if let Some(e) = media.get("example") {
        return Some(e.clone());
    }
    let name = media["schema"]["$ref"].as_str()?.rsplit('/').next()?;
    spec["components"]["schemas"][name].get("example").cloned()
}

/// How to make fixtures on each demo provider (test setup, not examples under test): a
/// volume and a replica request that provider accepts.
fn fixtures(spec: &Value) -> Vec<(&'static str, Value, Value)> {
    let create = body_example(spec, &spec["paths"]["/v1/volumes"]["post"]).expect("example");
    vec![
        (
            "demo-kr1",
            create.clone(),
            json!({"destination_region": "KR2", "frequency": "hourly"}),
        ),
        (
            "nhn-kr1",
            json!({"provider": "nhn-kr1", "kind": "file", "name": "x", "size_gib": 300, "protocol": "nfs"}),
            json!({"destination_region": "KR2", "destination_name": "example-dr"}),
        ),
        (
            "scp-kr-west1",
            json!({"provider": "scp-kr-west1", "kind": "block", "name": "x", "size_gib": 10, "tier": "SSD"}),
            json!({"destination_region": "kr-east1", "frequency": "hourly"}),
        ),
        (
            "scp-kr-west1",
            json!({"provider": "scp-kr-west1", "kind": "file", "name": "x", "protocol": "nfs", "tier": "SSD"}),
            json!({"destination_region": "kr-east1", "frequency": "five_minutes"}),
        ),
    ]
}

/// A settled resource for the route's `{id}` on one provider, if it has one.
async fn target(
    gw: &TestGateway,
    sims: &strata_server::demo::DemoSimulators,
    (method, path): (&str, &str),
    (volume, replica): (&Value, &Value),
    n: usize,
) -> Option<String> {
    if !path.contains("{id}") {
        return None;
    }
    if path.starts_with("/v1/archives/") {
        return Some(archive_fixture(gw, sims, n).await);
    }
    let block = volume["kind"] == "block";
    let mut body = volume.clone();
    body["name"] = json!(if block {
        format!("example-fixture-{n}")
    } else {
        format!("example_fixture_{n}")
    });
    let id = |op: Value| op["result"]["id"].as_str().expect("id").to_string();
    if let Some(id) = backup_fixture(gw, path, volume, n).await {
        return Some(id);
    }
    let grouped = ["/v1/volume-groups/", "/v1/group-snapshots/"];
    if let Some(prefix) = grouped.iter().find(|p| path.starts_with(**p)) {
        let provider = volume["provider"].as_str().expect("provider");
        if !block {
            // Only block volumes are grouped: an id of the provider that names nothing, so
            // the route answers what the provider offers.
            let rtype = if prefix.contains("snapshots") {
                ResourceType::GroupSnapshot
            } else {
                ResourceType::VolumeGroup
            };
            let id = GlobalId::new(
                rtype,
                provider,
                Some(VolumeKind::Block),
                "00000000-0000-4000-8000-000000000000",
            );
            return Some(id.encode());
        }
        let vol = id(run_op(gw, Method::POST, "/v1/volumes?wait=30s", Some(body)).await);
        let reserve = format!("/v1/volumes/{vol}/snapshot-reserve");
        run_op(gw, Method::PUT, &reserve, Some(json!({"percent": 20}))).await;
        let group = json!({"provider": provider, "name": format!("example-group-{n}"), "volume_ids": [vol]});
        let g = id(run_op(gw, Method::POST, "/v1/volume-groups", Some(group)).await);
        if path.ends_with("/replica") && method != "post" {
            // Changing a group's replica needs one.
            let url = format!("/v1/volume-groups/{g}/replica");
            run_op(gw, Method::POST, &url, Some(replica.clone())).await;
        }
        if prefix.contains("snapshots") {
            let url = format!("/v1/volume-groups/{g}/snapshots");
            return Some(id(run_op(gw, Method::POST, &url, None).await));
        }
        return Some(g);
    }
    let vol = id(run_op(gw, Method::POST, "/v1/volumes?wait=30s", Some(body)).await);
    Some(if path.starts_with("/v1/snapshots/") {
        let snap = if block {
            let reserve = format!("/v1/volumes/{vol}/snapshot-reserve");
            run_op(gw, Method::PUT, &reserve, Some(json!({"percent": 20}))).await;
            json!({})
        } else {
            json!({"name": format!("fixture_{n}")})
        };
        id(run_op(
            gw,
            Method::POST,
            &format!("/v1/volumes/{vol}/snapshots"),
            Some(snap),
        )
        .await)
    } else if path.starts_with("/v1/replicas/") {
        let url = format!("/v1/volumes/{vol}/replicas");
        id(run_op(gw, Method::POST, &url, Some(replica.clone())).await)
    } else {
        vol
    })
}

/// A fresh archive of `scp-kr-west1` holding what the archive examples name (the folder
/// `reports/2024/` and the documented version of `reports/summary.csv`), without a policy.
async fn archive_fixture(
    gw: &TestGateway,
    sims: &strata_server::demo::DemoSimulators,
    n: usize,
) -> String {
    let body = json!({"provider": "scp-kr-west1", "name": format!("example-archive-{n}"), "versioning": true});
    let op = run_op(gw, Method::POST, "/v1/archives", Some(body)).await;
    let id = op["result"]["id"].as_str().expect("id").to_string();
    let vendor = GlobalId::parse_as(&id, ResourceType::Archive)
        .unwrap()
        .vendor_id;
    strata_server::demo::archives::fill(&sims.scp, "kr-west1", &vendor);
    id
}

/// A backup policy (or agent) for the backup routes' `{id}`: a real one where the provider
/// has backups, else an id of the provider that names nothing.
async fn backup_fixture(gw: &TestGateway, path: &str, volume: &Value, n: usize) -> Option<String> {
    let rtype = if path.starts_with("/v1/backups/") {
        ResourceType::Backup
    } else if path.starts_with("/v1/backup-agents/") {
        ResourceType::BackupAgent
    } else {
        return None;
    };
    let provider = volume["provider"].as_str().expect("provider");
    let (_, _, p) = send(gw.req(Method::GET, &format!("/v1/providers/{provider}"))).await;
    if p["capabilities"]["backups"].is_null() {
        let id = GlobalId::new(
            rtype,
            provider,
            None,
            "00000000-0000-4000-8000-000000000000",
        );
        return Some(id.encode());
    }
    if path == "/v1/backups/{id}/restore" {
        // The example names a recovery point of the demo's own policy.
        let (_, backup, _) = strata_server::demo::DEMO_BACKUP;
        return Some(GlobalId::new(rtype, provider, None, backup).encode());
    }
    let list = if rtype == ResourceType::BackupAgent {
        "backup-agent-targets"
    } else {
        "backup-targets"
    };
    let targets = format!("/v1/{list}?provider={provider}&server_type=virtual_server");
    let (_, _, found) = send(gw.req(Method::GET, &targets)).await;
    let server = found["targets"][n % 2]["server_id"]
        .as_str()
        .expect("a server")
        .to_string();
    let id = |op: Value| op["result"]["id"].as_str().expect("id").to_string();
    if rtype == ResourceType::BackupAgent {
        let body =
            json!({"provider": provider, "server_id": server, "server_type": "virtual_server"});
        return Some(id(run_op(
            gw,
            Method::POST,
            "/v1/backup-agents",
            Some(body),
        )
        .await));
    }
    let body = json!({"provider": provider, "name": format!("example-backup-{n}"), "kind": "image",
                      "server_id": server, "server_type": "virtual_server",
                      "schedules": [{"level": "full", "frequency": "daily", "hour": 1}]});
    let b = id(run_op(gw, Method::POST, "/v1/backups", Some(body)).await);
    // A finished run, so there is a recovery point to restore.
    run_op(gw, Method::POST, &format!("/v1/backups/{b}/run"), None).await;
    Some(b)
}

/// Each example must succeed on at least one demo provider that offers its route; on the
/// others it may only be refused as outside that provider's capabilities (422), never as
/// breaking the document (400).
#[tokio::test]
async fn every_request_body_example_succeeds_against_the_demo() {
    let (registry, sims) = strata_server::demo::demo_registry().await.expect("demo");
    let gw = TestGateway::start_with(test_config(), registry).await;
    let spec = serde_json::to_value(strata_server::openapi::spec()).unwrap();
    let fixtures = fixtures(&spec);
    let mut tried = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("requestBody").is_none() {
                continue;
            }
            let example = body_example(&spec, op)
                .unwrap_or_else(|| panic!("{method} {path}: the request body has no example"));
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut answers = vec![];
            // The demo's archives are SCP Archive Storage's (the memory providers' archives
            // have no documented objects to recover).
            let archives = path.starts_with("/v1/archive");
            for (provider, volume, replica) in fixtures
                .iter()
                .filter(|(p, v, _)| !archives || (*p == "scp-kr-west1" && v["kind"] == "file"))
            {
                tried += 1;
                let id = target(&gw, &sims, (method, path), (volume, replica), tried).await;
                let url = path
                    .replace("{id}", id.as_deref().unwrap_or_default())
                    .replace("{action}", "add");
                let resp = send(gw.req(m.clone(), &url).json(&example)).await;
                assert!(resp.0 != 400, "{method} {path} on {provider}: {}", resp.2);
                if (200..300).contains(&resp.0) {
                    settle(&gw, resp).await;
                    answers.push(format!("{provider}: ok"));
                    break;
                }
                assert_eq!(resp.0, 422, "{method} {path} on {provider}: {}", resp.2);
                answers.push(format!("{provider}: {}", resp.2["code"]));
                if id.is_none() {
                    break; // the example names its provider itself
                }
            }
            let ok = answers.iter().any(|a| a.ends_with(": ok"));
            match NOT_IN_THE_DEMO.iter().find(|(p, _)| p == path) {
                Some((_, why)) => {
                    assert!(
                        !ok,
                        "{path} now works in the demo: drop it from NOT_IN_THE_DEMO"
                    );
                    eprintln!("{method} {path}: example read, not run ({why}): {answers:?}");
                }
                None => assert!(
                    ok,
                    "{method} {path} with its example {example}: {answers:?}"
                ),
            }
        }
    }
    gw.stop().await;
}
