//! `/metrics`, read with a Prometheus text parser: the series the gateway promises, with
//! bounded labels (route templates and catalogue names, never ids).

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use strata_tests::*;

/// One parsed sample: name, labels, value.
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Parses the exposition with a Prometheus text-format parser (not string matching).
fn parse(text: &str) -> Vec<Sample> {
    let (rest, families) =
        nom_openmetrics::parser::prometheus(text).expect("the exposition parses");
    assert!(rest.trim().is_empty(), "unparsed: {rest}");
    families
        .iter()
        .flat_map(|f| f.samples.iter())
        .map(|s| Sample {
            name: s.name().to_string(),
            labels: s
                .labels()
                .iter()
                .map(|l| (l.name.to_string(), l.value.clone()))
                .collect(),
            value: s.number(),
        })
        .collect()
}

fn find<'a>(samples: &'a [Sample], metric: &str, labels: &[(&str, &str)]) -> Option<&'a Sample> {
    samples.iter().find(|s| {
        s.name == metric
            && labels
                .iter()
                .all(|(k, v)| s.labels.iter().any(|(n, x)| n == k && x == v))
    })
}

#[tokio::test]
async fn metrics_expose_requests_vendor_calls_retries_cache_and_operations() {
    let mut cfg = test_config();
    cfg.layers.retry_base_ms = 1;
    let (gw, sim) = start_nhn_with(cfg, Duration::from_millis(5), Duration::from_secs(3600)).await;
    let op = run_op(
        &gw,
        Method::POST,
        "/v1/volumes",
        Some(
            json!({"provider":"nhn-kr1","kind":"file","name":"m1","size_gib":300,"protocol":"nfs"}),
        ),
    )
    .await;
    let vol = op["result"]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/volumes/{vol}");
    sim.nas_faults().force_status(503, 1);
    let fresh = send(
        gw.req(Method::GET, &path)
            .header("cache-control", "no-cache"),
    )
    .await;
    assert_eq!(fresh.0, 200, "retried: {}", fresh.2);
    assert_eq!(send(gw.req(Method::GET, &path)).await.0, 200);

    let resp = gw.http.get(gw.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    let samples = parse(&text);
    let s = &samples;

    let get = find(
        s,
        "strata_http_requests_total",
        &[
            ("route", "/v1/volumes/{id}"),
            ("method", "GET"),
            ("status", "200"),
        ],
    )
    .expect("requests by route template");
    assert!(get.value >= 2.0);
    assert!(s
        .iter()
        .any(|x| x.name == "strata_http_request_duration_seconds_count"));
    let ok = find(
        s,
        "strata_vendor_calls_total",
        &[
            ("provider", "nhn-kr1"),
            ("operation", "volume.get"),
            ("outcome", "ok"),
        ],
    )
    .expect("vendor calls by outcome");
    assert!(ok.value >= 1.0);
    let failed = find(
        s,
        "strata_vendor_calls_total",
        &[
            ("provider", "nhn-kr1"),
            ("operation", "volume.get"),
            ("outcome", "vendor_error"),
        ],
    )
    .expect("the failed attempt is counted");
    assert_eq!(failed.value, 1.0);
    let retries = find(
        s,
        "strata_vendor_retries_total",
        &[("provider", "nhn-kr1"), ("operation", "volume.get")],
    )
    .expect("retries");
    assert_eq!(retries.value, 1.0);
    let hits = find(
        s,
        "strata_cache_lookups_total",
        &[("provider", "nhn-kr1"), ("result", "hit")],
    )
    .expect("cache hits");
    assert!(hits.value >= 1.0);
    let started = find(
        s,
        "strata_operations_started_total",
        &[("kind", "volume.create")],
    )
    .expect("operations started");
    assert_eq!(started.value, 1.0);
    let settled = find(
        s,
        "strata_operations_settled_total",
        &[("kind", "volume.create"), ("state", "succeeded")],
    )
    .expect("operations settled by state");
    assert_eq!(settled.value, 1.0);
    assert!(find(s, "strata_operations_running", &[]).is_some());
    assert!(find(s, "strata_http_requests_in_flight", &[]).is_some());
    assert!(
        s.iter()
            .all(|x| x.labels.iter().all(|(_, v)| !v.contains("vol_"))),
        "no raw ids in labels"
    );
    gw.stop().await;
}

/// With `server.metrics_listen`, `/metrics` lives on its own address (for a monitoring network)
/// and the API's address answers it `404`.
#[tokio::test]
async fn metrics_can_have_an_address_of_their_own() {
    let mut cfg = test_config();
    cfg.server.metrics_listen = Some("127.0.0.1:0".into());
    let gw = TestGateway::start_with(cfg, memory_registry(Duration::ZERO)).await;
    assert_problem(
        &send(gw.http.get(gw.url("/metrics"))).await,
        404,
        "route_not_found",
    );
    let apart = gw.metrics_addr.expect("a metrics address");
    assert_ne!(
        Some(apart.port()),
        gw.base.rsplit(':').next().and_then(|p| p.parse().ok())
    );
    let text = gw
        .http
        .get(format!("http://{apart}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let samples = parse(&text);
    assert!(
        find(&samples, "strata_http_requests_total", &[("status", "404")]).is_some(),
        "{text}"
    );
    gw.stop().await;
    assert!(
        gw_closed(apart).await,
        "the metrics listener ends with the gateway"
    );
}

async fn gw_closed(addr: std::net::SocketAddr) -> bool {
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}
