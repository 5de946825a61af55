//! `POST /v2.0/tokens`: Keystone v2.0-style IaaS tokens.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::{lock, Shared};

/// Issued tokens and the catalog they advertise.
#[derive(Default)]
pub(crate) struct Tokens {
    /// token id → (tenant, expiry).
    live: HashMap<String, (String, Instant)>,
    pub issued: u64,
    /// region → NAS base URL.
    pub catalog: BTreeMap<String, String>,
}

impl Tokens {
    /// The tenant of a valid token.
    pub fn check(&mut self, token: &str) -> Option<String> {
        let now = Instant::now();
        self.live.retain(|_, (_, exp)| *exp > now);
        self.live.get(token).map(|(t, _)| t.clone())
    }

    pub fn revoke_all(&mut self) {
        self.live.clear();
    }
}

/// Keystone's error body.
pub(crate) fn keystone_error(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    (
        status,
        axum::Json(json!({"error": {"message": message, "code": status.as_u16(), "title": title}})),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Auth {
    tenant_id: String,
    password_credentials: Credentials,
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Deserialize)]
struct TokenRequest {
    auth: Auth,
}

async fn issue(State(world): State<Shared>, body: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<TokenRequest>(&body) else {
        return keystone_error(
            StatusCode::BAD_REQUEST,
            "Expecting to find auth.tenantId and auth.passwordCredentials in the request body.",
        );
    };
    let mut w = lock(&world);
    let cfg = w.cfg.clone();
    let a = &req.auth;
    if a.tenant_id != cfg.tenant_id
        || a.password_credentials.username != cfg.username
        || a.password_credentials.password != cfg.password
    {
        return keystone_error(
            StatusCode::UNAUTHORIZED,
            "The request you have made requires authentication.",
        );
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(cfg.token_ttl).unwrap_or(chrono::Duration::hours(12));
    w.identity.live.insert(
        id.clone(),
        (cfg.tenant_id.clone(), Instant::now() + cfg.token_ttl),
    );
    w.identity.issued += 1;
    let endpoints: Vec<_> = w
        .identity
        .catalog
        .iter()
        .map(|(region, url)| json!({"region": region, "publicURL": url}))
        .collect();
    let body = json!({"access": {
        "token": {
            "id": id,
            // `expires` carries a `Z`; `issued_at` has no zone at all (documented quirk).
            "expires": (now + ttl).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "issued_at": now.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            "tenant": {"id": cfg.tenant_id, "name": "c_sim", "groupId": "SimGroup01",
                       "description": "", "enabled": true, "project_domain": "NORMAL"},
        },
        "serviceCatalog": [
            {"type": "nasv1", "name": "nas", "endpoints": endpoints, "endpoints_links": []},
            {"type": "identity", "name": "keystone", "endpoints": [{"region": "KR1", "publicURL": "/v2.0"}]},
        ],
        "user": {"id": "436f727b7c9142f896ddd56be591dd7f", "username": cfg.username, "name": cfg.username,
                 "roles": [{"name": "project_admin"}], "roles_links": []},
        "metadata": {"roles": ["9fe2ff9ee4384b1894a90878d3e92bab"], "is_admin": 0},
    }});
    (StatusCode::OK, axum::Json(body)).into_response()
}

pub(crate) fn router(world: Shared) -> Router {
    Router::new()
        .route("/v2.0/tokens", post(issue))
        .fallback(|| async {
            keystone_error(StatusCode::NOT_FOUND, "The resource could not be found.")
        })
        .with_state(world)
}
