//! How an NHN provider is configured: [`NhnConfig`] (everything needed to reach one region
//! with one tenant's credentials) and its parsing from the gateway's provider settings, so
//! the adapter, not the server, owns its keys, defaults and peer discovery.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use strata_core::secret::{Secret, SecretSource};
use strata_core::settings::{ProviderSettings, SettingsError};

use crate::client::DEFAULT_TIMEOUT;

/// The regions NHN offers NAS in.
pub const REGIONS: [&str; 3] = ["KR1", "KR2", "KR3"];

/// How to reach one NHN region with one tenant's credentials.
#[derive(Debug, Clone)]
pub struct NhnConfig {
    /// The provider id used in global ids.
    pub provider_id: String,
    /// A human-readable name; defaults to `NHN Cloud NAS (<region>)`.
    pub display_name: Option<String>,
    /// `KR1`, `KR2` or `KR3`.
    pub region: String,
    /// Identity base, with or without `/v2.0`.
    pub identity_url: String,
    /// The tenant (project) whose volumes this provider manages.
    pub tenant_id: String,
    /// The API user.
    pub username: String,
    /// The API password (not the console password).
    pub password: Secret,
    /// Overrides the NAS URL from the token's catalog.
    pub nas_url: Option<String>,
    /// Regions replicas may be created in.
    pub replication_regions: Vec<String>,
    /// region → provider id of this tenant there, so replica volume ids are routable.
    pub peers: BTreeMap<String, String>,
    /// Timeout of each vendor call.
    pub timeout: Duration,
    /// Re-issue tokens this long (at most a tenth of their life) before they expire.
    pub token_margin: Duration,
}

impl NhnConfig {
    /// A configuration with defaults for everything but the credentials.
    pub fn new(
        provider_id: &str,
        region: &str,
        identity_url: &str,
        tenant_id: &str,
        username: &str,
        password: Secret,
    ) -> Self {
        NhnConfig {
            provider_id: provider_id.into(),
            display_name: None,
            region: region.into(),
            identity_url: identity_url.into(),
            tenant_id: tenant_id.into(),
            username: username.into(),
            password,
            nas_url: None,
            replication_regions: REGIONS
                .iter()
                .filter(|r| !r.eq_ignore_ascii_case(region))
                .map(|r| r.to_string())
                .collect(),
            peers: BTreeMap::new(),
            timeout: DEFAULT_TIMEOUT,
            token_margin: Duration::from_secs(300),
        }
    }
}

impl NhnConfig {
    /// Parses the settings of an `nhn` provider. Providers of the same tenant in other
    /// regions among `all` become peers, so a replica's volume ids route to the provider of
    /// the region it lives in.
    pub fn from_settings(
        cfg: &ProviderSettings,
        all: &[ProviderSettings],
    ) -> Result<Self, SettingsError> {
        let s: NhnSettings = cfg.parse()?;
        let password = cfg.secret("password", &s.password)?;
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
        n.peers = cfg
            .others(all)
            .filter(|o| o.settings.get("tenant_id").and_then(|v| v.as_str()) == Some(&s.tenant_id))
            .map(|o| (o.region.to_ascii_uppercase(), o.id.clone()))
            .collect();
        Ok(n)
    }
}

/// The keys of an `nhn` provider table.
#[derive(Deserialize)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider(id: &str, region: &str, tenant: &str) -> ProviderSettings {
        ProviderSettings {
            id: id.into(),
            vendor: "nhn".into(),
            region: region.into(),
            display_name: None,
            settings: json!({"tenant_id": tenant, "username": "u", "password": "p"})
                .as_object()
                .cloned()
                .unwrap(),
        }
    }

    #[test]
    fn settings_parse_with_peers_of_the_same_tenant() {
        let all = [
            provider("a", "kr1", "t"),
            provider("b", "kr2", "t"),
            provider("c", "kr3", "other"),
        ];
        let n = NhnConfig::from_settings(&all[0], &all).unwrap();
        assert_eq!(n.region, "KR1");
        assert_eq!(n.peers, BTreeMap::from([("KR2".into(), "b".into())]));
        assert_eq!(n.replication_regions, ["KR2", "KR3"]);
        assert!(n.identity_url.contains("api-identity"));
        let mut bad = all[0].clone();
        bad.settings.insert("tennant_id".into(), json!("x"));
        let e = NhnConfig::from_settings(&bad, &[]).unwrap_err();
        assert!(e.to_string().contains("unknown field `tennant_id`"), "{e}");
    }
}
