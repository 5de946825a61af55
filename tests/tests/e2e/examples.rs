//! Every request-body example in the OpenAPI document works as written against the demo
//! providers: what a person trying Swagger UI on `strata demo` sends when they press Execute.

use reqwest::Method;
use serde_json::{json, Value};
use strata_tests::*;

/// Routes whose feature no demo provider offers yet, with why. Their examples are still
/// checked to be well-formed (the gateway reads them and answers `unsupported_by_provider`).
const NOT_IN_THE_DEMO: &[(&str, &str)] = &[(
    "/v1/volumes/{id}/attachments",
    "attachments are for block volumes; no demo provider serves block storage yet",
)];

/// The example a request body shows in Swagger UI: the media type's own, else its schema's.
fn body_example(spec: &Value, op: &Value) -> Option<Value> {
    let media = &op["requestBody"]["content"]["application/json"];
    if let Some(e) = media.get("example") {
        return Some(e.clone());
    }
    let name = media["schema"]["$ref"].as_str()?.rsplit('/').next()?;
    spec["components"]["schemas"][name].get("example").cloned()
}

/// A new file volume on the provider the examples use, settled; its id.
async fn volume(gw: &TestGateway, spec: &Value, n: usize) -> String {
    let mut body = body_example(spec, &spec["paths"]["/v1/volumes"]["post"]).expect("example");
    body["name"] = json!(format!("example-fixture-{n}"));
    let op = run_op(gw, Method::POST, "/v1/volumes?wait=30s", Some(body)).await;
    op["result"]["id"].as_str().expect("volume id").to_string()
}

#[tokio::test]
async fn every_request_body_example_succeeds_against_the_demo() {
    let (registry, _sims) = strata_server::demo::demo_registry().await.expect("demo");
    let gw = TestGateway::start_with(test_config(), registry).await;
    let spec = serde_json::to_value(strata_server::openapi::spec()).unwrap();
    let mut tried = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("requestBody").is_none() {
                continue;
            }
            let example = body_example(&spec, op)
                .unwrap_or_else(|| panic!("{method} {path}: the request body has no example"));
            tried += 1;
            let target = match path.as_str() {
                p if p.starts_with("/v1/volumes/{id}") => volume(&gw, &spec, tried).await,
                p if p.starts_with("/v1/snapshots/{id}") => {
                    let vol = volume(&gw, &spec, tried).await;
                    let create = &spec["paths"]["/v1/volumes/{id}/snapshots"]["post"];
                    let op = run_op(
                        &gw,
                        Method::POST,
                        &format!("/v1/volumes/{vol}/snapshots"),
                        body_example(&spec, create),
                    )
                    .await;
                    op["result"]["id"]
                        .as_str()
                        .expect("snapshot id")
                        .to_string()
                }
                p if p.starts_with("/v1/replicas/{id}") => {
                    let vol = volume(&gw, &spec, tried).await;
                    let create = &spec["paths"]["/v1/volumes/{id}/replicas"]["post"];
                    let op = run_op(
                        &gw,
                        Method::POST,
                        &format!("/v1/volumes/{vol}/replicas"),
                        body_example(&spec, create),
                    )
                    .await;
                    op["result"]["id"].as_str().expect("replica id").to_string()
                }
                _ => String::new(),
            };
            let url = path.replace("{id}", &target);
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = send(gw.req(m, &url).json(&example)).await;
            if let Some((_, why)) = NOT_IN_THE_DEMO.iter().find(|(p, _)| p == path) {
                assert_problem(&resp, 422, "unsupported_by_provider");
                eprintln!("{method} {path}: example read, not run ({why})");
                continue;
            }
            assert!(
                (200..300).contains(&resp.0),
                "{method} {path} with its example {example}: {} {}",
                resp.0,
                resp.2
            );
            if resp.0 != 204 && resp.2.get("done").is_some() {
                settle(&gw, resp).await;
            }
        }
    }
    assert!(tried >= 9, "only {tried} request bodies");
    gw.stop().await;
}
