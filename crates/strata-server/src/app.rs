//! Builds the gateway from its configuration and serves it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use strata_core::operation::{Backoff, MemoryOperationStore, Tracker};
use strata_nhn::{NhnConfig, NhnProvider};
use strata_scp::{ScpConfig, ScpProvider, ScpService};
use strata_sim::memory::MemoryProvider;
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::{require_auth, Authenticator};
use crate::config::{Config, ProviderConfig, SecretSource};
use crate::openapi;
use crate::problem::{Problem, REQUEST_ID};
use crate::server::{answer_before_grace, head_limits};
use crate::state::{AppState, Registry, Shutdown};

/// The request id header.
pub const X_REQUEST_ID: &str = "x-request-id";

/// Builds every configured provider. NHN providers of one tenant learn about each other, so
/// a replica's volume ids route to the provider of the region it lives in.
pub fn build_providers(
    cfgs: &[ProviderConfig],
) -> anyhow::Result<Vec<Arc<dyn strata_core::provider::Provider>>> {
    cfgs.iter().map(|c| build_provider(c, cfgs)).collect()
}

fn build_provider(
    cfg: &ProviderConfig,
    all: &[ProviderConfig],
) -> anyhow::Result<Arc<dyn strata_core::provider::Provider>> {
    match cfg.vendor.as_str() {
        "memory" => {
            let delay_ms = cfg
                .settings
                .get("settle_delay_ms")
                .and_then(|v| v.as_u64())
                .unwrap_or(500);
            let regions = cfg
                .settings
                .get("replication_regions")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|r| r.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            Ok(Arc::new(
                MemoryProvider::new(&cfg.id, &cfg.region, Duration::from_millis(delay_ms))
                    .with_replication_regions(regions),
            ))
        }
        "nhn" => Ok(Arc::new(build_nhn(cfg, all)?)),
        "scp" => Ok(Arc::new(build_scp(cfg, all)?)),
        other => anyhow::bail!(
            "provider `{}`: unknown vendor `{other}` (expected scp, nhn or memory)",
            cfg.id
        ),
    }
}

/// The keys of an `nhn` provider table.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NhnSettings {
    #[serde(default = "nhn_identity_url")]
    identity_url: String,
    tenant_id: String,
    username: String,
    password: SecretSource,
    #[serde(default)]
    nas_url: Option<String>,
    #[serde(default)]
    replication_regions: Option<Vec<String>>,
    #[serde(default)]
    timeout_seconds: Option<u64>,
}

fn nhn_identity_url() -> String {
    "https://api-identity-infrastructure.nhncloudservice.com".into()
}

fn build_nhn(cfg: &ProviderConfig, all: &[ProviderConfig]) -> anyhow::Result<NhnProvider> {
    let s: NhnSettings = serde_json::from_value(serde_json::Value::Object(cfg.settings.clone()))
        .map_err(|e| anyhow::anyhow!("provider `{}`: {e}", cfg.id))?;
    let password = s
        .password
        .resolve()
        .map_err(|e| anyhow::anyhow!("provider `{}`: password: {e}", cfg.id))?;
    let mut n = NhnConfig::new(
        &cfg.id,
        &cfg.region.to_ascii_uppercase(),
        &s.identity_url,
        &s.tenant_id,
        &s.username,
        password,
    );
    n.display_name = cfg.display_name.clone();
    n.nas_url = s.nas_url;
    if let Some(r) = s.replication_regions {
        n.replication_regions = r;
    }
    if let Some(t) = s.timeout_seconds {
        n.timeout = Duration::from_secs(t.max(1));
    }
    let same_tenant = |o: &ProviderConfig| {
        o.vendor == "nhn"
            && o.id != cfg.id
            && o.settings.get("tenant_id").and_then(|v| v.as_str()) == Some(&s.tenant_id)
    };
    n.peers = all
        .iter()
        .filter(|o| same_tenant(o))
        .map(|o| (o.region.to_ascii_uppercase(), o.id.clone()))
        .collect();
    NhnProvider::new(n).map_err(|e| anyhow::anyhow!("provider `{}`: {e}", cfg.id))
}

/// The keys of an `scp` provider table.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScpSettings {
    environment: String,
    #[serde(default)]
    services: Option<Vec<String>>,
    access_key: SecretSource,
    secret_key: SecretSource,
    #[serde(default)]
    account_id: Option<String>,
    /// Per-service base URL overrides, keyed by service name (`file`, `parallel_file`).
    #[serde(default)]
    endpoints: BTreeMap<String, String>,
    /// Per-service `Scp-Api-Version` versions, e.g. `file = "1.0"`.
    #[serde(default)]
    versions: BTreeMap<String, String>,
    #[serde(default)]
    replication_regions: Option<Vec<String>>,
    #[serde(default)]
    accept_language: Option<String>,
    #[serde(default)]
    timeout_seconds: Option<u64>,
}

/// Services this build speaks; `block`, `backup` and `archive` come with their issues.
fn scp_service(id: &str, name: &str) -> anyhow::Result<ScpService> {
    ScpService::from_config_name(name).ok_or_else(|| {
        anyhow::anyhow!(
            "provider `{id}`: unknown or not yet supported SCP service `{name}` (supported: file, parallel_file)"
        )
    })
}

fn build_scp(cfg: &ProviderConfig, all: &[ProviderConfig]) -> anyhow::Result<ScpProvider> {
    let err = |e: String| anyhow::anyhow!("provider `{}`: {e}", cfg.id);
    let s: ScpSettings = serde_json::from_value(serde_json::Value::Object(cfg.settings.clone()))
        .map_err(|e| err(e.to_string()))?;
    let access_key = s
        .access_key
        .resolve()
        .map_err(|e| err(format!("access_key: {e}")))?;
    let secret_key = s
        .secret_key
        .resolve()
        .map_err(|e| err(format!("secret_key: {e}")))?;
    let mut c = ScpConfig::new(
        &cfg.id,
        &cfg.region,
        &s.environment,
        access_key.expose(),
        secret_key,
    );
    c.display_name = cfg.display_name.clone();
    c.account_id = s.account_id.clone();
    if let Some(names) = &s.services {
        c.services = names
            .iter()
            .map(|n| scp_service(&cfg.id, n))
            .collect::<anyhow::Result<_>>()?;
    }
    for (name, url) in &s.endpoints {
        c.endpoints.insert(scp_service(&cfg.id, name)?, url.clone());
    }
    for (name, v) in &s.versions {
        c.versions.insert(scp_service(&cfg.id, name)?, v.clone());
    }
    if let Some(r) = s.replication_regions {
        c.replication_regions = r;
    }
    if let Some(l) = s.accept_language {
        c.accept_language = l;
    }
    if let Some(t) = s.timeout_seconds {
        c.timeout = Duration::from_secs(t.max(1));
    }
    // Providers of the same account (access key or account id) in other regions are peers.
    let key_of = |o: &ProviderConfig| {
        o.settings
            .get("account_id")
            .or_else(|| o.settings.get("access_key"))
            .cloned()
    };
    c.peers = all
        .iter()
        .filter(|o| o.vendor == "scp" && o.id != cfg.id && key_of(o) == key_of(cfg))
        .map(|o| (o.region.clone(), o.id.clone()))
        .collect();
    ScpProvider::new(c).map_err(|e| err(e.to_string()))
}

/// Everything the gateway needs, built from configuration.
pub struct Gateway {
    pub state: AppState,
    pub auth: Arc<Authenticator>,
}

impl Gateway {
    /// Builds providers, the operation store and the authenticator.
    pub async fn from_config(config: Config) -> anyhow::Result<Self> {
        let mut registry = Registry::new();
        for p in build_providers(&config.providers)? {
            registry.insert(p);
        }
        Self::with_registry(config, registry).await
    }

    /// Builds the gateway around providers made elsewhere (the demo, tests).
    pub async fn with_registry(config: Config, registry: Registry) -> anyhow::Result<Self> {
        let auth = Arc::new(Authenticator::new(&config.auth).await?);
        let ops = &config.operations;
        let tracker = Tracker::new(
            Arc::new(MemoryOperationStore::new(ops.memory_capacity)),
            Backoff {
                initial: Duration::from_millis(ops.initial_poll_ms.max(1)),
                max: Duration::from_millis(ops.max_poll_ms.max(ops.initial_poll_ms).max(1)),
                factor: 2.0,
                timeout: Duration::from_secs(ops.timeout_seconds.max(1)),
            },
        );
        let registry = registry.layered(&config.layers);
        Ok(Gateway {
            state: AppState {
                registry: Arc::new(registry),
                tracker,
                config: Arc::new(config),
                shutdown: Shutdown::default(),
            },
            auth,
        })
    }

    /// The complete axum app.
    pub fn router(&self) -> Router {
        let (v1, v1_doc) = openapi::v1_router().split_for_parts();
        let (open, open_doc) = openapi::open_router().split_for_parts();
        let v1 = v1.route_layer(middleware::from_fn_with_state(
            self.auth.clone(),
            require_auth,
        ));
        Router::new()
            .merge(v1)
            .merge(open)
            .merge(
                SwaggerUi::new("/docs").url("/openapi.json", openapi::document([v1_doc, open_doc])),
            )
            .fallback(route_not_found)
            .method_not_allowed_fallback(method_not_allowed)
            .layer(DefaultBodyLimit::max(self.state.config.max_body_bytes))
            .layer(CatchPanicLayer::custom(
                |_: Box<dyn std::any::Any + Send>| {
                    tracing::error!("a handler panicked");
                    Problem::internal().into_response()
                },
            ))
            .layer(middleware::from_fn_with_state(
                self.state.clone(),
                answer_before_grace,
            ))
            .layer(middleware::from_fn_with_state(
                self.state.clone(),
                head_limits,
            ))
            .layer(middleware::from_fn(request_context))
            .with_state(self.state.clone())
    }
}

async fn route_not_found(req: Request) -> Problem {
    let path = req.uri().path().to_string();
    Problem::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        "Not found",
        format!("no route for {} {path}", req.method()),
    )
    .with_instance(path)
}

async fn method_not_allowed(req: Request) -> Problem {
    let path = req.uri().path().to_string();
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        format!("{} is not allowed on {path}", req.method()),
    )
    .with_instance(path)
}

/// Longest client request id kept.
pub const MAX_REQUEST_ID: usize = 64;

/// Whether a client's request id is kept: 1–64 characters of `A-Z a-z 0-9 - _ . :` (it is
/// logged and forwarded to vendors, so nothing that could be markup or a header trick).
pub fn request_id_ok(s: &str) -> bool {
    (1..=MAX_REQUEST_ID).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Accepts a client's request id if it is in the safe charset, else makes one.
fn request_id_of(req: &Request) -> String {
    req.headers()
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|s| request_id_ok(s))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Gives every request an id (`X-Request-Id` in and out), a tracing span carrying it, and one
/// access log line.
async fn request_context(mut req: Request, next: Next) -> Response {
    let id = request_id_of(&req);
    if let Ok(v) = HeaderValue::from_str(&id) {
        req.headers_mut().insert(X_REQUEST_ID, v);
    }
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path(), subject = tracing::field::Empty);
    let start = Instant::now();
    let mut resp = REQUEST_ID
        .scope(id.clone(), next.run(req))
        .instrument(span.clone())
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(X_REQUEST_ID, v);
    }
    span.in_scope(|| {
        tracing::info!(
            status = resp.status().as_u16(),
            latency_ms = start.elapsed().as_millis() as u64,
            "served"
        )
    });
    resp
}
