//! The vendors' official request contracts (`tests/fixtures/scp/*-contract.json`, derived by
//! `scp/extract-contract.py` or written from the reference) and the check that a request the
//! simulator recorded is one of their operations.

use serde_json::Value;

use crate::fixture;

/// The operations of a contract fixture under `tests/fixtures/scp/` (e.g.
/// `filestorage-contract.json`): method, path template, query names and body field names.
pub fn contract(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(fixture(&format!("scp/{name}"))).expect("contract fixture");
    serde_json::from_str(&text).expect("contract parses")
}

/// Whether `path` fits the path `template` (`{…}` segments match any one segment).
pub fn path_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(a, b)| a.starts_with('{') || a == b)
}

/// The operation of the contract a recorded request is, or a description of the mismatch.
///
/// Static segments win over templates (`/v1/replications/regions`), as in the spec's router.
/// Where a contract holds the same operation in several versions (a union of files), the
/// request conforms when it fits any of them; the mismatch reported is the first one's.
pub fn conforms(
    contract: &[Value],
    method: &str,
    uri: &str,
    body: Option<&Value>,
) -> Result<String, String> {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut candidates: Vec<&Value> = contract
        .iter()
        .filter(|o| o["method"] == method && path_matches(o["path"].as_str().unwrap(), path))
        .collect();
    let templates = |o: &Value| o["path"].as_str().unwrap().matches('{').count();
    candidates.sort_by_key(|o| templates(o));
    let first = candidates
        .first()
        .ok_or_else(|| format!("{method} {path} is not in the official spec"))?;
    let most_specific = templates(first);
    let mut error = None;
    for o in candidates
        .iter()
        .take_while(|o| templates(o) == most_specific)
    {
        match fits(o, method, path, query, body) {
            Ok(()) => return Ok(o["operation"].as_str().unwrap().to_string()),
            Err(e) => {
                error.get_or_insert(e);
            }
        }
    }
    Err(error.expect("at least one candidate"))
}

/// Whether the query names and body fields of a request are those of operation `o`.
fn fits(
    o: &Value,
    method: &str,
    path: &str,
    query: &str,
    body: Option<&Value>,
) -> Result<(), String> {
    let declared: Vec<&str> = o["query"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for pair in query.split('&').filter(|q| !q.is_empty()) {
        let name = pair.split('=').next().unwrap();
        if !declared.contains(&name) {
            return Err(format!(
                "{method} {path}: query `{name}` is not a parameter of {}",
                o["operation"]
            ));
        }
    }
    // Where the contract says which parameters and fields are required (written from a
    // reference), a request without one does not conform either.
    let names = |key: &str| -> Vec<&str> {
        o[key]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    for name in names("required_query") {
        let sent = query
            .split('&')
            .any(|pair| pair.split('=').next() == Some(name));
        if !sent {
            return Err(format!(
                "{method} {path}: {} requires query `{name}`",
                o["operation"]
            ));
        }
    }
    for field in names("required_body") {
        if body.and_then(|b| b.get(field)).is_none() {
            return Err(format!(
                "{method} {path}: {} requires body field `{field}`",
                o["operation"]
            ));
        }
    }
    match (body.and_then(Value::as_object), o["body"].as_array()) {
        (Some(b), Some(fields)) => {
            for k in b.keys() {
                if !fields.iter().any(|f| f == k.as_str()) {
                    return Err(format!(
                        "{method} {path}: body field `{k}` is not in {}'s schema",
                        o["operation"]
                    ));
                }
            }
        }
        (Some(_), None) => {
            return Err(format!("{method} {path}: {} takes no body", o["operation"]))
        }
        _ => {}
    }
    Ok(())
}
