//! How an SCP provider is configured: [`ScpConfig`] (everything needed to reach one region
//! with one access key) and its parsing from the gateway's provider settings, so the
//! adapter, not the server, owns its keys, defaults and peer discovery.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use strata_core::secret::{Secret, SecretSource};
use strata_core::settings::{ProviderSettings, SettingsError};

use crate::client::DEFAULT_TIMEOUT;
use crate::service::ScpService;

/// The (environment, region) pairs SCP documents; replicas stay within an environment.
pub const REGIONS: [(&str, &str); 7] = [
    ("s", "kr-west1"),
    ("s", "kr-east1"),
    ("g", "kr-south1"),
    ("g", "kr-south2"),
    ("g", "kr-south3"),
    ("e", "kr-west1"),
    ("e", "kr-east1"),
];

/// How to reach one SCP region with one access key.
#[derive(Debug, Clone)]
pub struct ScpConfig {
    /// The provider id used in global ids.
    pub provider_id: String,
    /// A human-readable name; defaults to `Samsung Cloud Platform (<region>)`.
    pub display_name: Option<String>,
    /// The SCP region, e.g. `kr-west1`.
    pub region: String,
    /// The environment code of the hosts (`s`, `g` or `e`).
    pub environment: String,
    /// The access key id (sent in `Scp-Accesskey`).
    pub access_key: String,
    /// The secret key requests are signed with.
    pub secret_key: Secret,
    /// Signed into every request when set (and sent as `Scp-AccountId`).
    pub account_id: Option<String>,
    /// Services this provider offers (its volume kinds, Backup and Archive Storage).
    pub services: Vec<ScpService>,
    /// `Scp-Api-Version` per service; defaults to [`ScpService::default_version`].
    pub versions: BTreeMap<ScpService, String>,
    /// Per-service base URL overrides (simulators, proxies, private endpoints).
    pub endpoints: BTreeMap<ScpService, String>,
    /// Regions File Storage and Block Storage replicas (and replicated volume groups) may be
    /// created in; for Backup (API 1.1), the regions recovery points can be copied to (the
    /// vendor pairs each region with its DR region: list only the paired one).
    pub replication_regions: Vec<String>,
    /// region → provider id of this account there, so replica volume ids are routable.
    pub peers: BTreeMap<String, String>,
    /// `Accept-Language` of every call.
    pub accept_language: String,
    /// Timeout of each vendor call.
    pub timeout: Duration,
}

impl ScpConfig {
    /// A configuration with every service ([`ScpService::ALL`]), the documented hosts and
    /// default versions.
    pub fn new(
        provider_id: &str,
        region: &str,
        environment: &str,
        access_key: &str,
        secret_key: Secret,
    ) -> Self {
        ScpConfig {
            provider_id: provider_id.into(),
            display_name: None,
            region: region.into(),
            environment: environment.into(),
            access_key: access_key.into(),
            secret_key,
            account_id: None,
            services: ScpService::ALL.to_vec(),
            versions: BTreeMap::new(),
            endpoints: BTreeMap::new(),
            replication_regions: REGIONS
                .iter()
                .filter(|(e, r)| *e == environment && *r != region)
                .map(|(_, r)| r.to_string())
                .collect(),
            peers: BTreeMap::new(),
            accept_language: "en-US".into(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Parses the settings of an `scp` provider. Providers of the same account (account id,
    /// or access key when there is none) in other regions among `all` become peers, so
    /// replica volume ids route to the provider of the region they live in.
    pub fn from_settings(
        cfg: &ProviderSettings,
        all: &[ProviderSettings],
    ) -> Result<Self, SettingsError> {
        let s: ScpSettings = cfg.parse()?;
        let access_key = cfg.secret("access_key", &s.access_key)?;
        let secret_key = cfg.secret("secret_key", &s.secret_key)?;
        let mut c = ScpConfig::new(
            &cfg.id,
            &cfg.region,
            &s.environment,
            access_key.expose(),
            secret_key,
        );
        c.display_name = cfg.display_name.clone();
        c.account_id = s.account_id.clone();
        let service = |name: &str| {
            ScpService::from_config_name(name).ok_or_else(|| {
                cfg.error(format!(
                    "unknown or not yet supported SCP service `{name}` (supported: file, parallel_file, block, backup, archive)"
                ))
            })
        };
        if let Some(names) = &s.services {
            c.services = names.iter().map(|n| service(n)).collect::<Result<_, _>>()?;
        }
        for (name, url) in &s.endpoints {
            c.endpoints.insert(service(name)?, url.clone());
        }
        for (name, v) in &s.versions {
            let svc = service(name)?;
            // A version the adapter does not speak would send calls under a header the
            // vendor reads differently (and advertise what it cannot do).
            if !svc.versions().contains(&v.as_str()) {
                return Err(cfg.error(format!(
                    "`versions.{name}` must be one of {}, got `{v}`",
                    svc.versions().join(", ")
                )));
            }
            c.versions.insert(svc, v.clone());
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
        let account = |o: &ProviderSettings| {
            o.settings
                .get("account_id")
                .or_else(|| o.settings.get("access_key"))
                .cloned()
        };
        c.peers = cfg
            .others(all)
            .filter(|o| account(o) == account(cfg))
            .map(|o| (o.region.clone(), o.id.clone()))
            .collect();
        Ok(c)
    }
}

/// The keys of an `scp` provider table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScpSettings {
    environment: String,
    #[serde(default)]
    services: Option<Vec<String>>,
    access_key: SecretSource,
    secret_key: SecretSource,
    #[serde(default)]
    account_id: Option<String>,
    /// Per-service base URL overrides, keyed by service name (`file`, `parallel_file`,
    /// `block`, `backup`, `archive`).
    #[serde(default)]
    endpoints: BTreeMap<String, String>,
    /// Per-service `Scp-Api-Version` versions, e.g. `file = "1.0"`, `block = "1.1"`,
    /// `backup = "1.0"`, `archive = "1.0"`.
    #[serde(default)]
    versions: BTreeMap<String, String>,
    #[serde(default)]
    replication_regions: Option<Vec<String>>,
    #[serde(default)]
    accept_language: Option<String>,
    #[serde(default)]
    timeout_seconds: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider(id: &str, region: &str, settings: serde_json::Value) -> ProviderSettings {
        ProviderSettings {
            id: id.into(),
            vendor: "scp".into(),
            region: region.into(),
            display_name: None,
            settings: settings.as_object().cloned().unwrap(),
        }
    }

    #[test]
    fn settings_parse_with_peers_and_refuse_unknown_keys() {
        let base = json!({"environment": "s", "access_key": "ak", "secret_key": "sk",
                          "services": ["file"], "endpoints": {"file": "http://x"}});
        let all = [
            provider("w", "kr-west1", base.clone()),
            provider("e", "kr-east1", base.clone()),
            provider("o", "kr-east1", json!({"access_key": "other"})),
        ];
        let c = ScpConfig::from_settings(&all[0], &all).unwrap();
        assert_eq!(c.services, [ScpService::File]);
        assert_eq!(c.replication_regions, ["kr-east1"]);
        assert_eq!(c.peers, BTreeMap::from([("kr-east1".into(), "e".into())]));
        let mut bad = base.clone();
        bad["servics"] = json!([]);
        let e = ScpConfig::from_settings(&provider("w", "r", bad), &[]).unwrap_err();
        assert!(e.to_string().contains("unknown field `servics`"), "{e}");
        let mut block = base.clone();
        block["services"] = json!(["file", "parallel_file", "block", "backup", "archive"]);
        block["versions"] = json!({"block": "1.0", "backup": "1.0", "archive": "1.0"});
        block["endpoints"] = json!({"backup": "http://b", "archive": "http://a"});
        let c = ScpConfig::from_settings(&provider("w", "r", block), &[]).unwrap();
        assert_eq!(c.services, ScpService::ALL);
        assert_eq!(c.versions[&ScpService::Block], "1.0");
        assert_eq!(c.versions[&ScpService::Backup], "1.0");
        assert_eq!(c.versions[&ScpService::Archive], "1.0");
        for (service, version) in [("archive", "1.0.0"), ("archive", "1"), ("file", "1.2")] {
            let mut bad = base.clone();
            bad["versions"] = json!({ service: version });
            let e = ScpConfig::from_settings(&provider("w", "r", bad), &[]).unwrap_err();
            assert!(e.to_string().contains("must be one of"), "{e}");
        }
        assert_eq!(c.endpoints[&ScpService::Backup], "http://b");
        assert_eq!(c.endpoints[&ScpService::Archive], "http://a");
        // Every service by default, Archive Storage included, at its current version.
        let c = ScpConfig::from_settings(&provider("w", "r", base.clone()), &[]).unwrap();
        assert_eq!(c.services, [ScpService::File]);
        let d = ScpConfig::new("p", "kr-west1", "s", "ak", Secret::new("sk"));
        assert!(d.services.contains(&ScpService::Archive));
        assert_eq!(ScpService::Archive.default_version(), "1.1");
        assert_eq!(
            crate::client::default_base_url(ScpService::Archive.service_id(), "kr-west1", "s"),
            "https://archivestorage.kr-west1.s.samsungsdscloud.com"
        );
        let mut unknown = base;
        unknown["services"] = json!(["object"]);
        let e = ScpConfig::from_settings(&provider("w", "r", unknown), &[]).unwrap_err();
        assert!(e.to_string().contains("SCP service `object`"), "{e}");
    }
}
