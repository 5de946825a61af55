//! Prometheus metrics, served at `/metrics` in the text format.
//!
//! One [`Metrics`] per gateway (its own registry, so several gateways in one process, as in
//! tests, do not mix). Labels are bounded: route templates (never raw paths or ids), methods,
//! statuses, provider ids from the configuration, operation names from the catalogue, and
//! error codes.

mod http;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus::{
    HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

pub use http::HttpSeries;

use crate::state::AppState;

/// Latency buckets in seconds: sub-millisecond cache hits to slow vendor calls.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The gateway's metrics.
pub struct Metrics {
    registry: Registry,
    /// HTTP requests by route template, method and status, their latency by route template
    /// and method, and the requests in flight ([`HttpSeries`]).
    pub http: Arc<HttpSeries>,
    /// Vendor calls (each attempt) by provider, operation and outcome (`ok` or an error code).
    pub vendor_calls: IntCounterVec,
    /// Vendor call latency by provider and operation.
    pub vendor_duration: HistogramVec,
    /// Retries by provider and operation.
    pub retries: IntCounterVec,
    /// 1 while a provider's circuit is open.
    pub breaker_open: IntGaugeVec,
    /// Cache lookups by provider and result (`hit`, `miss`).
    pub cache_lookups: IntCounterVec,
    /// Cache entries evicted for room or age, by provider.
    pub cache_evictions: IntCounterVec,
    /// Operations started, by kind.
    pub operations_started: IntCounterVec,
    /// Operations settled, by kind and final state (`succeeded`, `failed`).
    pub operations_settled: IntCounterVec,
    /// Operations still running (counted when scraped).
    pub operations_running: IntGauge,
}

impl Metrics {
    /// Registers every series.
    pub fn new() -> Arc<Metrics> {
        let registry =
            Registry::new_custom(Some("strata".into()), None).expect("a valid metrics namespace");
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid counter");
            registry
                .register(Box::new(c.clone()))
                .expect("unique metric");
            c
        };
        let histogram = |name: &str, help: &str, labels: &[&str]| {
            let h = HistogramVec::new(
                HistogramOpts::new(name, help).buckets(BUCKETS.to_vec()),
                labels,
            )
            .expect("valid histogram");
            registry
                .register(Box::new(h.clone()))
                .expect("unique metric");
            h
        };
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(name, help).expect("valid gauge");
            registry
                .register(Box::new(g.clone()))
                .expect("unique metric");
            g
        };
        let breaker_open = IntGaugeVec::new(
            Opts::new("breaker_open", "1 while the provider's circuit is open"),
            &["provider"],
        )
        .expect("valid gauge");
        registry
            .register(Box::new(breaker_open.clone()))
            .expect("unique metric");
        let http = Arc::new(HttpSeries::new());
        registry
            .register(Box::new(ArcCollector(http.clone())))
            .expect("unique metric");
        Arc::new(Metrics {
            http,
            vendor_calls: counter(
                "vendor_calls_total",
                "Vendor calls (each attempt) by provider, operation and outcome",
                &["provider", "operation", "outcome"],
            ),
            vendor_duration: histogram(
                "vendor_call_duration_seconds",
                "Vendor call latency",
                &["provider", "operation"],
            ),
            retries: counter(
                "vendor_retries_total",
                "Vendor calls retried after a transient failure",
                &["provider", "operation"],
            ),
            breaker_open,
            cache_lookups: counter(
                "cache_lookups_total",
                "Response cache lookups by result (hit, miss)",
                &["provider", "result"],
            ),
            cache_evictions: counter(
                "cache_evictions_total",
                "Response cache entries evicted for room or age",
                &["provider"],
            ),
            operations_started: counter(
                "operations_started_total",
                "Long-running operations started, by kind",
                &["kind"],
            ),
            operations_settled: counter(
                "operations_settled_total",
                "Long-running operations settled by this replica, by kind and final state",
                &["kind", "state"],
            ),
            operations_running: gauge("operations_running", "Operations not yet settled"),
            registry,
        })
    }

    /// The text exposition of every series.
    pub fn render(&self) -> String {
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_default()
    }

    /// Records one answered request by its route template (`unmatched` when no route did).
    pub fn record_http(&self, route: &str, method: &str, status: StatusCode, took: Duration) {
        self.http.record(route, method, status.as_u16(), took);
    }
}

/// Registers a shared collector (the registry takes collectors by value).
struct ArcCollector<C>(Arc<C>);

impl<C: prometheus::core::Collector> prometheus::core::Collector for ArcCollector<C> {
    fn desc(&self) -> Vec<&prometheus::core::Desc> {
        self.0.desc()
    }

    fn collect(&self) -> Vec<prometheus::proto::MetricFamily> {
        self.0.collect()
    }
}

/// Serves `/metrics` alone on `listen` (`server.metrics_listen`); returns the bound address
/// and the serving task.
pub async fn serve_apart(
    listen: &str,
    state: AppState,
) -> anyhow::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(render))
        .with_state(state);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics listener failed");
        }
    });
    tracing::info!(%addr, "serving /metrics on its own address");
    Ok((addr, task))
}

/// `GET /metrics` on the API's address: the Prometheus text format, unless the metrics are
/// served on an address of their own (`server.metrics_listen`), where this route is `404`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    if state.config.server.metrics_listen.is_some() {
        return crate::problem::Problem::new(
            StatusCode::NOT_FOUND,
            "route_not_found",
            "Not found",
            "/metrics is served on the metrics address (`server.metrics_listen`)",
        )
        .into_response();
    }
    render(State(state)).await
}

/// The Prometheus text format of every series.
async fn render(State(state): State<AppState>) -> Response {
    state
        .metrics
        .operations_running
        .set(running_operations(&state).await);
    let mut resp = (StatusCode::OK, state.metrics.render()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}

async fn running_operations(state: &AppState) -> i64 {
    // The store's running set: no scan of every record (with Redis, one SMEMBERS).
    state
        .tracker
        .store()
        .running()
        .await
        .map_or(0, |ids| ids.len() as i64)
}
