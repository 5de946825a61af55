//! Configuration: `strata.toml` (from `--config` or `STRATA_CONFIG`) with `STRATA_`-prefixed
//! environment overrides (`__` separates nesting: `STRATA_AUTH__ISSUER=…`).
//!
//! Only variables that name a top-level setting are overrides (`STRATA_LISTEN`,
//! `STRATA_AUTH__…`, `STRATA_OPERATIONS__…`, …); every other `STRATA_*` variable is left
//! alone, so secrets such as `STRATA_JWT_SECRET` can live in the same namespace without being
//! read as unknown settings.
//!
//! Secrets are [`SecretSource`]s, read from the environment or a file (a literal is accepted
//! for development). Their values live in [`Secret`], whose `Debug` never prints them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

pub use strata_core::secret::{Secret, SecretSource};

/// A configuration error as it may be shown: the kind of mistake and where (key path, file,
/// line and column), never the text of the offending line, which may hold a secret.
fn redacted(e: &figment::Error) -> String {
    let mut out = Vec::new();
    for e in e.clone() {
        let mut msg = match &e.kind {
            // TOML syntax errors carry the source line; keep only figment's position info.
            figment::error::Kind::Message(m) => m
                .lines()
                .find(|l| !l.trim().is_empty())
                .map(|l| {
                    l.split(&['|', '`', '"', '\''][..])
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                })
                .unwrap_or_default(),
            // The actual value is left out: it may be a misplaced secret.
            figment::error::Kind::InvalidType(_, expected)
            | figment::error::Kind::InvalidValue(_, expected) => {
                format!("invalid value: expected {expected}")
            }
            other => other.to_string(),
        };
        if !e.path.is_empty() {
            msg = format!("{msg} (key `{}`)", e.path.join("."));
        }
        if let Some(md) = &e.metadata {
            msg = format!("{msg} in {}", md.name);
            if let Some(src) = &md.source {
                msg = format!("{msg} ({src})");
            }
        }
        out.push(msg);
    }
    out.join("; ")
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines (development).
    #[default]
    Pretty,
    /// One JSON object per line (production).
    Json,
}

/// JWT validation settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Shared secret for HS256 tokens (development and `strata token`).
    pub hs256_secret: Option<SecretSource>,
    /// A JWKS file with RS256/ES256 public keys.
    pub jwks_file: Option<PathBuf>,
    /// A JWKS URL with RS256/ES256 public keys (cached, refetched on an unknown `kid`).
    pub jwks_url: Option<String>,
    /// How long fetched JWKS keys are trusted before a refetch.
    pub jwks_cache_seconds: u64,
    /// Least time between two refetches caused by unknown `kid`s.
    pub jwks_min_refetch_seconds: u64,
    /// Required `iss`.
    pub issuer: String,
    /// Required `aud`.
    pub audience: String,
    /// Clock skew allowed on `exp` and `nbf`.
    pub leeway_seconds: u64,
    /// Accepted algorithms (pinned); defaults to those a key is configured for.
    pub algorithms: Vec<String>,
    /// Claim listing the providers a token may use (absent claim: all; `null` or any value
    /// other than a list or a space-separated string: the token is invalid).
    pub providers_claim: String,
    /// Longest time a verified token is trusted from the cache before it is verified again
    /// (bounds how long a revoked token keeps working); 0 disables the cache.
    pub cache_max_seconds: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            hs256_secret: None,
            jwks_file: None,
            jwks_url: None,
            jwks_cache_seconds: 300,
            jwks_min_refetch_seconds: 10,
            issuer: "strata".into(),
            audience: "strata".into(),
            leeway_seconds: 30,
            algorithms: vec![],
            providers_claim: "strata_providers".into(),
            cache_max_seconds: 300,
        }
    }
}

/// A configured provider: `id`, `vendor`, `region`, `display_name`, and the vendor's own
/// keys, which the adapter named by `vendor` parses itself.
pub use strata_core::settings::ProviderSettings as ProviderConfig;

/// Operation tracking settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OperationsConfig {
    /// Give up settling an operation after this long.
    pub timeout_seconds: u64,
    /// Per family (`archive`, `backup`, …), where its operations take longer: default
    /// `archive` 14400 (SCP recovers archived objects "within 3 hours").
    pub family_timeout_seconds: std::collections::BTreeMap<strata_core::catalogue::Family, u64>,
    /// First poll delay, doubling up to `max_poll_ms`.
    pub initial_poll_ms: u64,
    /// Longest delay between two polls.
    pub max_poll_ms: u64,
    /// Longest `?wait=` a client may ask for.
    pub max_wait_seconds: u64,
    /// Records kept by the in-memory store.
    pub memory_capacity: usize,
    /// How long operation records are kept in Redis (with `redis_url`).
    pub retention_days: u64,
    /// How long a replica's claim to track an operation lasts without renewal; another
    /// replica takes over an operation whose lease expired (its replica died).
    pub lease_seconds: u64,
}

impl Default for OperationsConfig {
    fn default() -> Self {
        OperationsConfig {
            timeout_seconds: 1800,
            family_timeout_seconds: [(strata_core::catalogue::Family::Archive, 4 * 3600)].into(),
            initial_poll_ms: 250,
            max_poll_ms: 10_000,
            max_wait_seconds: 60,
            memory_capacity: 10_000,
            retention_days: 30,
            lease_seconds: 15,
        }
    }
}

/// `Idempotency-Key` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdempotencyConfig {
    /// How long a first response is kept and replayed for the same key.
    pub window_seconds: u64,
}

impl Default for IdempotencyConfig {
    fn default() -> Self {
        IdempotencyConfig {
            window_seconds: 24 * 3600,
        }
    }
}

/// HTTP connection limits: slow or idle clients must not hold connections (and file
/// descriptors) forever, and oversized request heads get a problem+json answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Time a client has to send a complete request head (request line and headers), counted
    /// from the connection's accept or from the first byte of a later request on it.
    pub header_read_timeout_ms: u64,
    /// A keep-alive connection with no request in flight and no traffic for this long is closed.
    pub keep_alive_idle_seconds: u64,
    /// Most connections served at once; further clients wait in the listen backlog until a
    /// connection closes.
    pub max_connections: usize,
    /// Longest request target (path and query) accepted; longer ones get `414 uri_too_long`.
    pub max_uri_bytes: usize,
    /// Largest request header section (names, values, separators) accepted; larger ones get
    /// `431 headers_too_large`. Heads over four times this are cut off by the HTTP parser.
    pub max_header_bytes: usize,
    /// Serve `/metrics` on this address of its own (e.g. `0.0.0.0:9464`, reachable only by
    /// the monitoring network) instead of the API's; the API then answers it `404`.
    pub metrics_listen: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            header_read_timeout_ms: 10_000,
            keep_alive_idle_seconds: 60,
            max_connections: 10_000,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 64 * 1024,
            metrics_listen: None,
        }
    }
}

impl ServerConfig {
    /// `header_read_timeout_ms` as a duration.
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms.max(1))
    }

    /// `keep_alive_idle_seconds` as a duration.
    pub fn keep_alive_idle(&self) -> Duration {
        Duration::from_secs(self.keep_alive_idle_seconds.max(1))
    }
}

/// The gateway's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Base URL clients use, for links printed by `strata demo`; derived from `listen` when empty.
    pub public_url: Option<String>,
    /// `pretty` or `json`.
    pub log_format: LogFormat,
    /// `tracing` filter, e.g. `info,strata_server=debug`.
    pub log_filter: String,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Time allowed to drain in-flight requests on shutdown.
    pub shutdown_grace_seconds: u64,
    /// Connection limits and timeouts.
    pub server: ServerConfig,
    /// Token validation.
    pub auth: AuthConfig,
    /// Redis, shared by every replica: operation records and leases, idempotency records,
    /// cache invalidations (`redis://[:password@]host:6379[/db]`; a secret: it may hold a
    /// password). Without it all of that stays in this process.
    pub redis_url: Option<SecretSource>,
    /// `Idempotency-Key` handling.
    pub idempotency: IdempotencyConfig,
    /// Operation tracking.
    pub operations: OperationsConfig,
    /// Provider layers: deadlines, retries, breaker, concurrency limit.
    pub layers: crate::layers::LayersConfig,
    /// The providers to serve (`[[providers]]`).
    pub providers: Vec<ProviderConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            log_format: LogFormat::Pretty,
            log_filter: "info".into(),
            max_body_bytes: 1 << 20,
            shutdown_grace_seconds: 20,
            server: ServerConfig::default(),
            auth: AuthConfig::default(),
            redis_url: None,
            idempotency: IdempotencyConfig::default(),
            operations: OperationsConfig::default(),
            layers: crate::layers::LayersConfig::default(),
            providers: vec![],
        }
    }
}

impl Config {
    /// Loads defaults, then the TOML file (if any), then `STRATA_*` environment overrides.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(p) = path {
            if !p.exists() {
                anyhow::bail!("config file `{}` does not exist", p.display());
            }
            fig = fig.merge(Toml::file(p));
        }
        // Overrides are the variables that name a top-level setting; the rest of the
        // namespace (STRATA_CONFIG, secrets like STRATA_JWT_SECRET) is not configuration.
        let settings = Config::top_level_keys();
        fig = fig.merge(
            Env::prefixed("STRATA_")
                .filter(move |k| {
                    let top = k.as_str().split("__").next().unwrap_or_default();
                    settings.iter().any(|s| s.eq_ignore_ascii_case(top))
                })
                .split("__"),
        );
        let cfg: Config = fig.extract().map_err(|e| {
            // figment's TOML errors quote the offending line, which may hold a secret.
            anyhow::anyhow!("invalid configuration: {}", redacted(&e))
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The names of the top-level settings (what `STRATA_<NAME>` may override).
    fn top_level_keys() -> Vec<String> {
        match serde_json::to_value(Config::default()) {
            Ok(serde_json::Value::Object(o)) => o.into_iter().map(|(k, _)| k).collect(),
            _ => vec![],
        }
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> anyhow::Result<()> {
        let id_ok = |id: &str| {
            !id.is_empty()
                && id.len() <= 63
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !id.starts_with('-')
        };
        let mut seen = std::collections::HashSet::new();
        for p in &self.providers {
            if !id_ok(&p.id) {
                anyhow::bail!(
                    "provider id `{}` must be 1–63 characters of a-z, 0-9 and `-`",
                    p.id
                );
            }
            if !seen.insert(p.id.as_str()) {
                anyhow::bail!("provider id `{}` is configured twice", p.id);
            }
        }
        if self.server.max_connections == 0 {
            anyhow::bail!("server.max_connections must be at least 1");
        }
        if self.server.max_uri_bytes > 60_000 {
            // hyper refuses targets over 64 KiB itself, with a plain-text 414.
            anyhow::bail!("server.max_uri_bytes must be at most 60000");
        }
        if self.auth.hs256_secret.is_none()
            && self.auth.jwks_file.is_none()
            && self.auth.jwks_url.is_none()
        {
            anyhow::bail!("no token key is configured: set auth.hs256_secret, auth.jwks_file or auth.jwks_url");
        }
        Ok(())
    }

    /// The base URL clients reach the gateway at, given the address actually bound.
    pub fn base_url(&self, bound: std::net::SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
    }

    /// `shutdown_grace_seconds` as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_resolved() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        let src = SecretSource::Literal("hunter2".into());
        assert!(!format!("{src:?}").contains("hunter2"));
        std::env::set_var("TEST_SECRET_FOR_CONFIG", "from-env");
        let src: SecretSource = toml_value("s = { env = \"TEST_SECRET_FOR_CONFIG\" }");
        assert_eq!(src.resolve().unwrap().expose(), "from-env");
        let dir = std::env::temp_dir().join(format!("strata-secret-{}", std::process::id()));
        std::fs::write(&dir, "from-file\n").unwrap();
        let src = SecretSource::File { file: dir.clone() };
        assert_eq!(src.resolve().unwrap().expose(), "from-file");
        std::fs::remove_file(dir).unwrap();
        assert!(SecretSource::Env {
            env: "TEST_SECRET_UNSET_FOR_CONFIG".into()
        }
        .resolve()
        .is_err());
    }

    fn toml_value(s: &str) -> SecretSource {
        #[derive(Deserialize)]
        struct W {
            s: SecretSource,
        }
        toml_de::<W>(s).s
    }

    fn toml_de<T: serde::de::DeserializeOwned>(s: &str) -> T {
        Figment::from(Toml::string(s)).extract().unwrap()
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail fixes the closure's error type
    fn file_and_env_overrides() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "strata.toml",
                r#"
                listen = "0.0.0.0:9000"
                [auth]
                hs256_secret = { env = "DEV_SECRET" }
                issuer = "file-issuer"
                [[providers]]
                id = "nhn-kr1"
                vendor = "nhn"
                region = "KR1"
                tenant_id = "abc"
                [server]
                max_connections = 500
                "#,
            )?;
            jail.set_env("STRATA_AUTH__ISSUER", "env-issuer");
            jail.set_env("STRATA_SERVER__HEADER_READ_TIMEOUT_MS", "2500");
            jail.set_env("STRATA_LOG_FORMAT", "json");
            let cfg = Config::load(Some(Path::new("strata.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(cfg.listen, "0.0.0.0:9000");
            assert_eq!(cfg.auth.issuer, "env-issuer");
            assert_eq!(cfg.log_format, LogFormat::Json);
            assert_eq!(cfg.server.max_connections, 500);
            assert_eq!(
                cfg.server.header_read_timeout(),
                Duration::from_millis(2500)
            );
            assert_eq!(cfg.server.keep_alive_idle(), Duration::from_secs(60));
            assert_eq!(cfg.auth.cache_max_seconds, 300);
            assert_eq!(cfg.providers[0].settings["tenant_id"], "abc");
            assert_eq!(
                cfg.auth.hs256_secret,
                Some(SecretSource::Env {
                    env: "DEV_SECRET".into()
                })
            );
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail fixes the closure's error type
    fn secrets_in_the_strata_namespace_are_not_settings() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "strata.toml",
                "[auth]\nhs256_secret = { env = \"STRATA_JWT_SECRET\" }\n",
            )?;
            jail.set_env("STRATA_JWT_SECRET", "a-long-random-secret");
            jail.set_env("STRATA_SOMETHING_ELSE", "x");
            jail.set_env("STRATA_LISTEN", "127.0.0.1:0");
            jail.set_env("STRATA_OPERATIONS__MAX_WAIT_SECONDS", "7");
            let cfg = Config::load(Some(Path::new("strata.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(cfg.listen, "127.0.0.1:0");
            assert_eq!(cfg.operations.max_wait_seconds, 7);
            let secret = cfg.auth.hs256_secret.unwrap().resolve().unwrap();
            assert_eq!(secret.expose(), "a-long-random-secret");
            // A misspelt *setting* is still refused.
            jail.set_env("STRATA_AUTH__ISSUR", "x");
            let err = Config::load(Some(Path::new("strata.toml"))).unwrap_err();
            assert!(err.to_string().contains("issur"), "{err}");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail fixes the closure's error type
    fn configuration_errors_never_quote_values() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "syntax.toml",
                "[auth]\nhs256_secret = \"hunter2-very-secret\" oops\n",
            )?;
            let err = Config::load(Some(Path::new("syntax.toml")))
                .unwrap_err()
                .to_string();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("line 2"), "{err}");
            jail.create_file(
                "type.toml",
                "listen = \"x\"\nmax_body_bytes = \"hunter2\"\n[auth]\nhs256_secret = \"s\"\n",
            )?;
            let err = Config::load(Some(Path::new("type.toml")))
                .unwrap_err()
                .to_string();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("max_body_bytes"), "{err}");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail fixes the closure's error type
    fn invalid_configs_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("a.toml", "[auth]\nhs256_secret = \"x\"\n[[providers]]\nid = \"Bad Id\"\nvendor = \"memory\"\nregion = \"r\"\n")?;
            let err = Config::load(Some(Path::new("a.toml")))
                .unwrap_err()
                .to_string();
            assert!(err.contains("Bad Id"), "{err}");
            jail.create_file("b.toml", "listen = \"x\"\n")?;
            assert!(Config::load(Some(Path::new("b.toml")))
                .unwrap_err()
                .to_string()
                .contains("no token key"));
            jail.create_file("c.toml", "lisen = \"x\"\n")?;
            assert!(
                Config::load(Some(Path::new("c.toml"))).is_err(),
                "unknown keys are refused"
            );
            jail.create_file(
                "d.toml",
                "[auth]\nhs256_secret = \"x\"\n[server]\nheader_timeout = 1\n",
            )?;
            assert!(
                Config::load(Some(Path::new("d.toml"))).is_err(),
                "unknown [server] keys are refused"
            );
            jail.create_file(
                "e.toml",
                "[auth]\nhs256_secret = \"x\"\n[server]\nmax_connections = 0\n",
            )?;
            assert!(Config::load(Some(Path::new("e.toml")))
                .unwrap_err()
                .to_string()
                .contains("max_connections"));
            Ok(())
        });
    }
}
