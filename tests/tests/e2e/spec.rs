//! The checked-in OpenAPI document matches the generated one.

use std::path::PathBuf;

#[test]
fn openapi_yaml_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/strata.yaml");
    let generated = strata_server::openapi::spec_yaml();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("write openapi/strata.yaml");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "openapi/strata.yaml is out of date; regenerate it with `UPDATE_OPENAPI=1 cargo test -p strata-tests --test e2e spec` (or `cargo run -p strata-server -- openapi > openapi/strata.yaml`)"
    );
}

#[test]
fn every_v1_operation_is_secured_and_documents_problems() {
    let spec = strata_server::openapi::spec();
    let json = serde_json::to_value(&spec).unwrap();
    let paths = json["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{} paths", paths.len());
    let problem = |r: &serde_json::Value| r["content"]["application/problem+json"].is_object();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            // No catch-all: every status is named, so an undocumented one is a finding.
            assert!(
                !responses.contains_key("5XX") && !responses.contains_key("default"),
                "{at}"
            );
            // 503: the gateway is shutting down (or the vendor unavailable), with Retry-After;
            // `/readyz` answers its own body instead.
            assert!(
                problem(&responses["503"])
                    == responses["503"]["headers"]["Retry-After"].is_object(),
                "{at}"
            );
            for (status, r) in responses {
                assert!(r["headers"]["X-Request-Id"].is_object(), "{at} {status}");
                assert!(
                    r["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{at} {status}"
                );
            }
            let takes_input = op["parameters"].as_array().is_some_and(|p| !p.is_empty())
                || op.get("requestBody").is_some();
            assert_eq!(responses.contains_key("400"), takes_input, "{at}");
            if takes_input {
                assert!(problem(&responses["400"]), "{at}");
            }
            if op.get("requestBody").is_some() {
                assert!(
                    problem(&responses["413"]) && problem(&responses["415"]),
                    "{at}"
                );
            }
            if let Some(accepted) = responses.get("202") {
                assert!(accepted["headers"]["Location"].is_object(), "{at}");
            }
            // Every change can be dry-run, and says what a dry run answers.
            let dry_run = op["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["name"] == "validate_only"));
            assert_eq!(dry_run, method != "get" && path.starts_with("/v1/"), "{at}");
            if dry_run {
                let ok = &responses["200"]["content"]["application/json"]["schema"]["oneOf"];
                assert!(
                    ok.to_string().contains("#/components/schemas/DryRun"),
                    "{at}: {ok}"
                );
            }
            let description = op["description"].as_str().unwrap_or_default();
            if path.starts_with("/v1/") {
                assert_eq!(op["security"], serde_json::json!([{"bearer": []}]), "{at}");
                assert!(
                    responses["401"]["headers"]["WWW-Authenticate"].is_object(),
                    "{at}"
                );
                assert!(problem(&responses["403"]), "{at}");
                let scope = if method == "get" {
                    "storage.read"
                } else {
                    "storage.write"
                };
                assert!(description.contains(scope), "{at}: {description}");
            } else {
                assert_eq!(op["security"], serde_json::json!([{}]), "{at}");
                assert!(!responses.contains_key("401"), "{at}");
            }
        }
    }
}

/// Every `$ref` in the document names a component that exists (a dangling one made the
/// document invalid and generated clients silently lacked the replica actions).
#[test]
fn every_reference_resolves() {
    fn walk(v: &serde_json::Value, refs: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(|r| r.as_str()) {
                    refs.push(r.to_string());
                }
                o.values().for_each(|x| walk(x, refs));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, refs)),
            _ => {}
        }
    }
    let json = serde_json::to_value(strata_server::openapi::spec()).unwrap();
    let mut refs = vec![];
    walk(&json, &mut refs);
    assert!(refs.len() > 50, "{} references", refs.len());
    for r in refs {
        let pointer = r.strip_prefix('#').expect("local reference");
        assert!(json.pointer(pointer).is_some(), "dangling reference {r}");
    }
}
