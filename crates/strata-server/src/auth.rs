//! Bearer JWT authentication and scope checks for `/v1`.
//!
//! Keys: an HS256 shared secret and/or RS256/ES256 public keys from a JWKS file or URL. The
//! accepted algorithms are pinned, and a token is verified only with a key of its own
//! algorithm, so `alg: none` and HS256-signed-with-the-public-key tokens are refused. Unknown
//! `kid`s cause one JWKS refetch (rate-limited, so random kids cannot hammer the IdP).
//! Verified principals are cached by the SHA-256 of the token until the token expires, and at
//! most `auth.cache_max_seconds` (so a revoked token stops working within that time); each
//! connection also remembers its last token under the same bounds ([`ConnectionAuth`]).
//!
//! jsonwebtoken checks the signature only; the header and claims are checked in [`claims`]:
//! `aud` may be an array, `exp`/`nbf` may have fractions, scopes may come as a `scope` or `scp`
//! string or array, a `crit` header is refused, and a providers claim that is not a list of ids
//! (`null` included) makes the token invalid. Refusals carry fixed messages, never token content.

mod claims;
mod connection;

pub use connection::ConnectionAuth;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, RwLock};

use crate::app::Step;
use crate::config::{AuthConfig, Secret};
use crate::problem::Problem;

/// The scopes Strata knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `storage.read`: reads.
    Read,
    /// `storage.write`: changes.
    Write,
    /// `storage.admin`: everything, including other subjects' operations.
    Admin,
}

impl Scope {
    /// The scope as it appears in a token.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "storage.read",
            Scope::Write => "storage.write",
            Scope::Admin => "storage.admin",
        }
    }
}

/// Who is calling, from a verified token.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The token's `sub`.
    pub subject: Arc<str>,
    /// Scopes from `scope` and `scp`.
    pub scopes: HashSet<String>,
    /// Providers the token is limited to; `None` for all.
    pub providers: Option<HashSet<String>>,
    /// Token expiry (seconds since the epoch).
    pub expires_at: i64,
}

impl Principal {
    /// `storage.admin` implies every scope.
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(scope.as_str()) || self.scopes.contains(Scope::Admin.as_str())
    }

    /// Whether the token may use `provider`.
    pub fn may_use(&self, provider: &str) -> bool {
        self.providers.as_ref().is_none_or(|p| p.contains(provider))
    }

    /// `Ok` when the token may use the provider, else a 403 problem.
    pub fn check_provider(&self, provider: &str) -> Result<(), Problem> {
        if self.may_use(provider) {
            Ok(())
        } else {
            Err(Problem::provider_forbidden(provider))
        }
    }
}

/// The claims Strata mints (`strata token`, the demo). Verification reads claims more
/// liberally, see [`claims`].
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Subject.
    #[serde(default)]
    pub sub: Option<String>,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not valid before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issued at (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Space-separated scopes (RFC 8693 `scope`).
    #[serde(default)]
    pub scope: String,
    /// Every other claim (the providers claim among them).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Why a token was refused. The message goes to the client (no secrets in it).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct AuthError(pub String);

enum JwksSource {
    File(PathBuf),
    Url(String, reqwest::Client),
}

struct JwksState {
    keys: HashMap<String, (Algorithm, Arc<DecodingKey>)>,
    fetched_at: Option<Instant>,
    last_forced: Option<Instant>,
    fetches: u64,
}

struct Jwks {
    source: JwksSource,
    state: RwLock<JwksState>,
    // Serializes refetches so a burst of unknown kids costs one fetch.
    refetch: Mutex<()>,
    ttl: Duration,
    min_refetch: Duration,
}

impl Jwks {
    async fn load(&self) -> anyhow::Result<HashMap<String, (Algorithm, Arc<DecodingKey>)>> {
        let body = match &self.source {
            JwksSource::File(p) => tokio::fs::read_to_string(p)
                .await
                .map_err(|e| anyhow::anyhow!("cannot read JWKS file `{}`: {e}", p.display()))?,
            JwksSource::Url(url, client) => {
                client
                    .get(url)
                    .send()
                    .await?
                    .error_for_status()?
                    .text()
                    .await?
            }
        };
        parse_jwks(&body)
    }

    async fn refresh(&self, forced: bool) -> anyhow::Result<()> {
        let _guard = self.refetch.lock().await;
        {
            let st = self.state.read().await;
            if forced
                && st
                    .last_forced
                    .is_some_and(|t| t.elapsed() < self.min_refetch)
            {
                return Ok(());
            }
            if !forced && st.fetched_at.is_some_and(|t| t.elapsed() < self.ttl) {
                return Ok(()); // another task refreshed while we waited
            }
        }
        let keys = self.load().await;
        let mut st = self.state.write().await;
        st.fetches += 1;
        if forced {
            st.last_forced = Some(Instant::now());
        }
        let keys = keys?;
        st.keys = keys;
        st.fetched_at = Some(Instant::now());
        Ok(())
    }

    async fn key(&self, kid: &str) -> Option<(Algorithm, Arc<DecodingKey>)> {
        let stale = self
            .state
            .read()
            .await
            .fetched_at
            .is_none_or(|t| t.elapsed() >= self.ttl);
        if stale {
            if let Err(e) = self.refresh(false).await {
                tracing::warn!(error = %e, "JWKS refresh failed; keeping the keys we have");
            }
        }
        if let Some(k) = self.state.read().await.keys.get(kid) {
            return Some(k.clone());
        }
        // Unknown kid: the IdP may have rotated keys. Refetch once.
        if let Err(e) = self.refresh(true).await {
            tracing::warn!(error = %e, "JWKS refetch for an unknown kid failed");
        }
        self.state.read().await.keys.get(kid).cloned()
    }
}

/// Parses a JWKS document into kid → (algorithm, key). Keys other than RS256/ES256 are skipped.
pub fn parse_jwks(body: &str) -> anyhow::Result<HashMap<String, (Algorithm, Arc<DecodingKey>)>> {
    let set: JwkSet =
        serde_json::from_str(body).map_err(|e| anyhow::anyhow!("invalid JWKS: {e}"))?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        let alg = match (&jwk.algorithm, jwk.common.key_algorithm) {
            (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
            (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
                if ec.curve == EllipticCurve::P256 =>
            {
                Algorithm::ES256
            }
            _ => continue,
        };
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|e| anyhow::anyhow!("JWKS key `{kid}` is invalid: {e}"))?;
        keys.insert(kid, (alg, Arc::new(key)));
    }
    Ok(keys)
}

/// Cached principals live until their token expires, and at most `max`.
struct TokenExpiry {
    max: Duration,
}

impl moka::Expiry<[u8; 32], Arc<Principal>> for TokenExpiry {
    fn expire_after_create(
        &self,
        _key: &[u8; 32],
        value: &Arc<Principal>,
        _created_at: Instant,
    ) -> Option<Duration> {
        let left = value.expires_at - chrono::Utc::now().timestamp();
        Some(Duration::from_secs(left.max(0) as u64).min(self.max))
    }
}

/// Verifies tokens.
pub struct Authenticator {
    cfg: AuthConfig,
    hs256: Option<Arc<DecodingKey>>,
    algorithms: Vec<Algorithm>,
    jwks: Option<Jwks>,
    cache: moka::future::Cache<[u8; 32], Arc<Principal>>,
    verifications: std::sync::atomic::AtomicU64,
}

impl Authenticator {
    /// Builds the authenticator; reads the HS256 secret and loads a JWKS file eagerly (a JWKS
    /// URL is fetched on first use, so the gateway starts while the IdP is down).
    pub async fn new(cfg: &AuthConfig) -> anyhow::Result<Self> {
        let secret = cfg.hs256_secret.as_ref().map(|s| s.resolve()).transpose()?;
        let hs256 = secret
            .as_ref()
            .map(|s| Arc::new(DecodingKey::from_secret(s.expose().as_bytes())));
        let source = match (&cfg.jwks_file, &cfg.jwks_url) {
            (Some(_), Some(_)) => anyhow::bail!("set only one of auth.jwks_file and auth.jwks_url"),
            (Some(f), None) => Some(JwksSource::File(f.clone())),
            (None, Some(u)) => Some(JwksSource::Url(
                u.clone(),
                reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()?,
            )),
            (None, None) => None,
        };
        let jwks = source.map(|source| Jwks {
            source,
            state: RwLock::new(JwksState {
                keys: HashMap::new(),
                fetched_at: None,
                last_forced: None,
                fetches: 0,
            }),
            refetch: Mutex::new(()),
            ttl: Duration::from_secs(cfg.jwks_cache_seconds.max(1)),
            min_refetch: Duration::from_secs(cfg.jwks_min_refetch_seconds),
        });
        if let Some(j) = &jwks {
            if matches!(j.source, JwksSource::File(_)) {
                j.refresh(false).await?;
            }
        }
        let algorithms = if cfg.algorithms.is_empty() {
            let mut a = vec![];
            if hs256.is_some() {
                a.push(Algorithm::HS256);
            }
            if jwks.is_some() {
                a.extend([Algorithm::RS256, Algorithm::ES256]);
            }
            a
        } else {
            cfg.algorithms
                .iter()
                .map(|s| match s.as_str() {
                    "HS256" => Ok(Algorithm::HS256),
                    "RS256" => Ok(Algorithm::RS256),
                    "ES256" => Ok(Algorithm::ES256),
                    other => Err(anyhow::anyhow!(
                        "unsupported JWT algorithm `{other}` (use HS256, RS256 or ES256)"
                    )),
                })
                .collect::<anyhow::Result<_>>()?
        };
        Ok(Authenticator {
            cfg: cfg.clone(),
            hs256,
            algorithms,
            jwks,
            cache: moka::future::Cache::builder()
                .max_capacity(100_000)
                .expire_after(TokenExpiry {
                    max: Duration::from_secs(cfg.cache_max_seconds),
                })
                .build(),
            verifications: Default::default(),
        })
    }

    /// How many times the JWKS was fetched (for tests and metrics).
    pub async fn jwks_fetches(&self) -> u64 {
        match &self.jwks {
            Some(j) => j.state.read().await.fetches,
            None => 0,
        }
    }

    /// How many tokens were verified without the cache (for tests and metrics).
    pub fn verifications(&self) -> u64 {
        self.verifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Verifies a token and returns its principal.
    pub async fn verify(&self, token: &str) -> Result<Arc<Principal>, AuthError> {
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(p) = self.cache.get(&hash).await {
            if p.expires_at + self.cfg.leeway_seconds as i64 >= chrono::Utc::now().timestamp() {
                return Ok(p);
            }
        }
        self.verifications
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let principal = Arc::new(self.verify_uncached(token).await?);
        if self.cfg.cache_max_seconds > 0 {
            self.cache.insert(hash, principal.clone()).await;
        }
        Ok(principal)
    }

    async fn verify_uncached(&self, token: &str) -> Result<Principal, AuthError> {
        claims::check_header(token)?;
        // `decode_header` rejects `alg: none` (not an algorithm jsonwebtoken knows).
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            AuthError("the token is malformed or uses an unsupported algorithm".into())
        })?;
        if !self.algorithms.contains(&header.alg) {
            return Err(AuthError(
                "the token's signing algorithm is not accepted".into(),
            ));
        }
        let key: Arc<DecodingKey> = match header.alg {
            Algorithm::HS256 => match &self.hs256 {
                Some(k) => k.clone(),
                None => return Err(AuthError("HS256 tokens are not accepted".into())),
            },
            alg => {
                let jwks = self.jwks.as_ref().ok_or_else(|| {
                    AuthError("the token's signing algorithm is not accepted".into())
                })?;
                let kid = header
                    .kid
                    .as_deref()
                    .ok_or_else(|| AuthError("the token has no `kid`".into()))?;
                let (key_alg, key) = jwks
                    .key(kid)
                    .await
                    .ok_or_else(|| AuthError("the token's signing key is unknown".into()))?;
                if key_alg != alg {
                    return Err(AuthError(
                        "the token's signing key is not for its algorithm".into(),
                    ));
                }
                key
            }
        };
        // The signature only; the claims are checked below, by rules jsonwebtoken lacks.
        let mut v = Validation::new(header.alg);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.validate_aud = false;
        v.required_spec_claims = HashSet::new();
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &v).map_err(|e| {
            AuthError(
                match e.kind() {
                    jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                        "the token's signature is invalid"
                    }
                    _ => "the token is invalid",
                }
                .into(),
            )
        })?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        claims::check_claims(&data.claims, &self.cfg, now)
    }
}

/// Mints an HS256 token (the `strata token` command and the demo).
pub fn mint_hs256(
    secret: &Secret,
    cfg: &AuthConfig,
    subject: &str,
    scope: &str,
    ttl: Duration,
    providers: Option<Vec<String>>,
) -> anyhow::Result<String> {
    let now = chrono::Utc::now().timestamp();
    let mut extra = serde_json::Map::new();
    if let Some(p) = providers {
        extra.insert(cfg.providers_claim.clone(), serde_json::json!(p));
    }
    let claims = Claims {
        sub: Some(subject.into()),
        exp: now + ttl.as_secs() as i64,
        nbf: Some(now),
        iat: Some(now),
        iss: cfg.issuer.clone(),
        aud: cfg.audience.clone(),
        scope: scope.into(),
        extra,
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose().as_bytes()),
    )?)
}

/// The principal of a request's `Authorization` header (one its connection has not
/// remembered): the verified (or cached) token's, then remembered on the connection.
async fn authenticate(
    auth: &Authenticator,
    raw: Option<HeaderValue>,
    memo: Option<Arc<ConnectionAuth>>,
) -> Result<Arc<Principal>, Response> {
    let Some(raw) = raw else {
        return Err(Problem::unauthenticated("a bearer token is required", false).into_response());
    };
    let Ok(value) = raw.to_str() else {
        return Err(
            Problem::unauthenticated("the Authorization header is not valid text", false)
                .into_response(),
        );
    };
    let token = match value.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => {
            t.trim()
        }
        _ => {
            return Err(Problem::unauthenticated(
                "the Authorization header must be `Bearer <token>`",
                false,
            )
            .into_response())
        }
    };
    let principal = auth
        .verify(token)
        .await
        .map_err(|e| Problem::unauthenticated(e.0, true).into_response())?;
    if let Some(m) = memo {
        m.remember(
            &raw,
            &principal,
            Duration::from_secs(auth.cfg.cache_max_seconds),
            Duration::from_secs(auth.cfg.leeway_seconds),
        );
    }
    Ok(principal)
}

/// The first `/v1` pipeline step: verifies the bearer token, checks the scope the method
/// needs (`storage.read` for reads, `storage.write` for changes), and stores the
/// [`Principal`]. A token its connection already verified goes on as the next step's future
/// itself; one to verify is checked in a boxed future.
pub fn require_auth<'a, F, Fut>(
    auth: &'a Authenticator,
    req: Request,
    next: F,
) -> Step<'a, Step<'a, Fut>>
where
    F: FnOnce(Request) -> Fut + Send + 'a,
    Fut: Future<Output = Response> + Send + 'a,
{
    let raw = req.headers().get(header::AUTHORIZATION);
    let memo = ConnectionAuth::current();
    if let Some(p) = raw.zip(memo.as_ref()).and_then(|(raw, m)| m.recall(raw)) {
        return Step::Left(admit(p, req, next));
    }
    let raw = raw.cloned();
    Step::Right(Box::pin(async move {
        match authenticate(auth, raw, memo).await {
            Ok(p) => admit(p, req, next).await,
            Err(refused) => refused,
        }
    }))
}

/// Lets `principal`'s request on if its token has the scope the method needs.
fn admit<'a, F, Fut>(principal: Arc<Principal>, mut req: Request, next: F) -> Step<'a, Fut>
where
    F: FnOnce(Request) -> Fut,
{
    let needed = match *req.method() {
        Method::GET | Method::HEAD | Method::OPTIONS => Scope::Read,
        _ => Scope::Write,
    };
    if !principal.has(needed) {
        let refused = Problem::insufficient_scope(needed.as_str()).into_response();
        return Step::Right(Box::pin(std::future::ready(refused)));
    }
    tracing::Span::current().record("subject", &*principal.subject);
    req.extensions_mut().insert(principal);
    Step::Left(next(req))
}
