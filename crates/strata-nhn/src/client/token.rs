//! The IaaS token client: `POST {identity}/v2.0/tokens`, cached until shortly before expiry.
//!
//! One token serves every call of the provider. The cache (moka) expires the entry a safety
//! margin before `access.token.expires`; concurrent callers that miss share one issuance
//! (`try_get_with` coalesces them). A NAS 401 drops the token it was sent with, so the next
//! call re-issues — but only if nobody has replaced it in the meantime.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use moka::future::Cache;
use serde::Deserialize;
use serde_json::json;
use strata_core::error::{Error, Result};
use strata_core::secret::Secret;

use super::transport::transport_error;

/// An issued token and the NAS endpoints its catalog lists.
#[derive(Debug)]
pub struct Token {
    pub(crate) id: String,
    /// When the identity service says the token expires.
    pub expires_at: DateTime<Utc>,
    /// `(region, publicURL)` of the `nasv1` catalog entry.
    pub nas_endpoints: Vec<(String, String)>,
}

impl Token {
    /// The NAS base URL for `region` (case-insensitive), from the catalog.
    pub fn nas_url(&self, region: &str) -> Option<&str> {
        self.nas_endpoints
            .iter()
            .find(|(r, _)| r.eq_ignore_ascii_case(region))
            .map(|(_, u)| u.as_str())
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access: Access,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Access {
    token: TokenBody,
    #[serde(default)]
    service_catalog: Vec<CatalogEntry>,
}

#[derive(Deserialize)]
struct TokenBody {
    id: String,
    expires: String,
}

#[derive(Deserialize)]
struct CatalogEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    endpoints: Vec<Endpoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Endpoint {
    region: String,
    #[serde(rename = "publicURL")]
    public_url: String,
}

/// `expires` is RFC 3339 with `Z`; accept a zone-less form too, as `issued_at` uses one.
fn parse_expiry(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// Keeps a token until `margin` (at most a tenth of its remaining life) before it expires.
struct UntilExpiry {
    margin: Duration,
}

impl moka::Expiry<(), Arc<Token>> for UntilExpiry {
    fn expire_after_create(
        &self,
        _key: &(),
        token: &Arc<Token>,
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        let left = (token.expires_at - Utc::now()).to_std().unwrap_or_default();
        Some(left.saturating_sub(self.margin.min(left / 10)))
    }
}

/// Issues and caches IaaS tokens for one tenant and user.
pub struct TokenClient {
    http: reqwest::Client,
    url: String,
    tenant_id: String,
    username: String,
    password: Secret,
    cache: Cache<(), Arc<Token>>,
}

impl TokenClient {
    /// `identity_url` may end in `/v2.0` (as Terraform's `auth_url` does) or be the bare host.
    pub fn new(
        http: reqwest::Client,
        identity_url: &str,
        tenant_id: &str,
        username: &str,
        password: Secret,
        margin: Duration,
    ) -> Self {
        let base = identity_url.trim_end_matches('/');
        let url = if base.ends_with("/v2.0") {
            format!("{base}/tokens")
        } else {
            format!("{base}/v2.0/tokens")
        };
        TokenClient {
            http,
            url,
            tenant_id: tenant_id.into(),
            username: username.into(),
            password,
            cache: Cache::builder()
                .max_capacity(1)
                .expire_after(UntilExpiry { margin })
                .build(),
        }
    }

    /// A valid token, issuing one when none is cached.
    pub async fn token(&self) -> Result<Arc<Token>> {
        self.cache
            .try_get_with((), self.issue())
            .await
            .map_err(|e| (*e).clone())
    }

    /// The cached token, if a valid one is cached; never issues one (dry runs).
    pub async fn peek(&self) -> Option<Arc<Token>> {
        self.cache.get(&()).await
    }

    /// Drops `stale` (a token the vendor refused) unless it was already replaced.
    pub async fn invalidate(&self, stale: &Token) {
        if let Some(current) = self.cache.get(&()).await {
            if current.id == stale.id {
                self.cache.invalidate(&()).await;
            }
        }
    }

    async fn issue(&self) -> Result<Arc<Token>> {
        let body = json!({"auth": {"tenantId": self.tenant_id,
            "passwordCredentials": {"username": self.username, "password": self.password.expose()}}});
        let resp = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(transport_error)?;
        let status = resp.status();
        tracing::debug!(status = status.as_u16(), "nhn identity: token request");
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(Error::VendorUnauthenticated);
        }
        if !status.is_success() {
            return Err(Error::VendorFailed {
                vendor_status: Some(status.as_u16()),
                vendor_code: None,
                message: format!("the identity service answered {status} to a token request"),
            });
        }
        let unreadable = |what: &str| Error::VendorFailed {
            vendor_status: Some(status.as_u16()),
            vendor_code: None,
            message: format!("unreadable token response: {what}"),
        };
        let parsed: TokenResponse = resp
            .json()
            .await
            .map_err(|_| unreadable("not the documented JSON"))?;
        let expires_at = parse_expiry(&parsed.access.token.expires)
            .ok_or_else(|| unreadable("bad `expires`"))?;
        let nas_endpoints = parsed
            .access
            .service_catalog
            .into_iter()
            .filter(|e| e.kind == "nasv1")
            .flat_map(|e| e.endpoints)
            .map(|e| (e.region, e.public_url))
            .collect();
        Ok(Arc::new(Token {
            id: parsed.access.token.id,
            expires_at,
            nas_endpoints,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_formats() {
        assert_eq!(
            parse_expiry("2020-04-29T15:31:21Z").unwrap().to_rfc3339(),
            "2020-04-29T15:31:21+00:00"
        );
        assert_eq!(
            parse_expiry("2020-04-29T03:32:28.000405")
                .unwrap()
                .timestamp(),
            1588131148
        );
        assert!(parse_expiry("tomorrow").is_none());
    }

    #[test]
    fn margin_is_at_most_a_tenth_of_the_remaining_life() {
        let e = UntilExpiry {
            margin: Duration::from_secs(300),
        };
        let token = |secs: i64| {
            Arc::new(Token {
                id: "t".into(),
                expires_at: Utc::now() + chrono::Duration::seconds(secs),
                nas_endpoints: vec![],
            })
        };
        let ttl = |secs| {
            moka::Expiry::expire_after_create(&e, &(), &token(secs), std::time::Instant::now())
                .unwrap()
        };
        // 12 h tokens are kept until 5 min before expiry …
        assert!(ttl(43_200) <= Duration::from_secs(42_900));
        assert!(ttl(43_200) >= Duration::from_secs(42_890));
        // … a 10 s token until ~1 s before; an expired one not at all.
        assert!(ttl(10) <= Duration::from_secs(9) && ttl(10) >= Duration::from_secs(8));
        assert_eq!(ttl(-5), Duration::ZERO);
    }
}
