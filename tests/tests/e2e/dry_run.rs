//! Dry runs never show a credential: not in the answer, not in a log line. (What they show
//! and that they change nothing is the conformance suite's `dry_run` module, on every
//! provider.)

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_tests::*;

/// Every log line of this test (its runtime is single-threaded, so every task logs here).
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn dry(gw: &TestGateway, method: Method, path: &str, body: Option<Value>) -> Value {
    let mut rb = gw.req(method, &format!("{path}?validate_only=true"));
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let (s, _, doc) = send(rb).await;
    assert_eq!(s, 200, "{doc}");
    assert!(!doc["requests"].as_array().unwrap().is_empty(), "{doc}");
    doc
}

#[tokio::test(flavor = "current_thread")]
async fn dry_runs_show_no_credential_in_answers_or_logs() {
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (nhn_gw, nhn) = start_nhn(Duration::from_millis(10), Duration::from_secs(3600)).await;
    let (scp_gw, scp) = start_scp(Duration::from_millis(10)).await;
    // A real read first, so NHN has a token (and its catalog) cached, as in production.
    send(nhn_gw.req(Method::GET, "/v1/volumes?provider=nhn-kr1")).await;
    let nhn_create = json!({"provider": "nhn-kr1", "kind": "file", "name": "dry", "size_gib": 300, "protocol": "nfs"});
    let scp_create = json!({"provider": "scp-kr-west1", "kind": "file", "name": "dry", "protocol": "nfs", "tier": "SSD"});
    let mut answers = vec![
        dry(&nhn_gw, Method::POST, "/v1/volumes", Some(nhn_create)).await,
        dry(&scp_gw, Method::POST, "/v1/volumes", Some(scp_create)).await,
    ];
    let src = json!({"provider": "scp-kr-west1", "kind": "file", "name": "dry_src", "protocol": "nfs", "tier": "SSD"});
    let op = run_op(&scp_gw, Method::POST, "/v1/volumes", Some(src)).await;
    let vol = op["result"]["id"].as_str().expect("a volume").to_string();
    answers.push(dry(&scp_gw, Method::DELETE, &format!("/v1/volumes/{vol}"), None).await);

    let (n, s) = (nhn.config(), scp.config());
    let secrets = [
        n.password.as_str(),
        s.access_key.as_str(),
        s.secret_key.as_str(),
    ];
    for doc in &answers {
        let text = doc.to_string();
        for secret in secrets {
            assert!(!text.contains(secret), "a secret in {text}");
        }
        for r in doc["requests"].as_array().unwrap() {
            for (name, value) in r["headers"].as_object().unwrap() {
                let public = strata_core::dry_run::PUBLIC_HEADERS.contains(&name.as_str());
                assert!(public || value == "[redacted]", "{name}: {value}");
            }
            let h = &r["headers"];
            assert!(
                h["x-auth-token"] == "[redacted]" || h["scp-signature"] == "[redacted]",
                "{r}"
            );
        }
    }
    // The NHN document shows the endpoint the real call uses (from the cached catalog).
    let url = answers[0]["requests"][0]["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    nhn_gw.stop().await;
    scp_gw.stop().await;
    let logged = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.lines().count() > 5,
        "the test captured the logs: {logged}"
    );
    for secret in secrets {
        assert!(!logged.contains(secret), "a secret in the logs");
    }
}
