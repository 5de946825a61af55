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
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("5XX"),
                "{method} {path} lacks problem responses"
            );
            assert!(
                responses["400"]["content"]["application/problem+json"].is_object(),
                "{method} {path}"
            );
            if path.starts_with("/v1/") {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{"bearer": []}]),
                    "{method} {path}"
                );
                assert!(
                    responses.contains_key("401") && responses.contains_key("403"),
                    "{method} {path}"
                );
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
