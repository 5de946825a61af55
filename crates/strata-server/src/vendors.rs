//! The vendors this build can serve: a registry from vendor name to the factory that builds
//! a provider from its settings. Each adapter parses its own settings (and resolves its own
//! secrets); the server only picks the factory. `memory` is registered only with the `demo`
//! feature, which also brings the simulators.

use std::collections::BTreeMap;
use std::sync::Arc;

use strata_core::provider::Provider;
use strata_core::settings::ProviderSettings;
use strata_nhn::NhnProvider;
use strata_scp::ScpProvider;

/// Builds one provider from its settings; the second argument is every configured provider
/// (for peer discovery: the same account or tenant in other regions).
pub type VendorFactory =
    fn(&ProviderSettings, &[ProviderSettings]) -> anyhow::Result<Arc<dyn Provider>>;

/// The vendor name of the in-memory provider (builds with the `demo` feature only).
pub const MEMORY: &str = "memory";

fn scp(cfg: &ProviderSettings, all: &[ProviderSettings]) -> anyhow::Result<Arc<dyn Provider>> {
    Ok(Arc::new(ScpProvider::from_settings(cfg, all)?))
}

fn nhn(cfg: &ProviderSettings, all: &[ProviderSettings]) -> anyhow::Result<Arc<dyn Provider>> {
    Ok(Arc::new(NhnProvider::from_settings(cfg, all)?))
}

/// Every vendor this build supports, by the name used in `vendor = "…"`.
pub fn factories() -> BTreeMap<&'static str, VendorFactory> {
    let mut f = BTreeMap::<&'static str, VendorFactory>::new();
    f.insert(strata_scp::VENDOR, scp);
    f.insert(strata_nhn::VENDOR, nhn);
    #[cfg(feature = "demo")]
    f.insert(MEMORY, crate::demo::memory_provider);
    f
}

/// Builds every configured provider with its vendor's factory. An unknown vendor is a
/// configuration error naming the vendors this build supports.
pub fn build_providers(cfgs: &[ProviderSettings]) -> anyhow::Result<Vec<Arc<dyn Provider>>> {
    let factories = factories();
    cfgs.iter()
        .map(|cfg| match factories.get(cfg.vendor.as_str()) {
            Some(make) => make(cfg, cfgs),
            None => {
                let supported = factories.keys().copied().collect::<Vec<_>>().join(", ");
                let hint = if cfg.vendor == MEMORY {
                    " (the in-memory vendor needs a build with the `demo` feature)"
                } else {
                    ""
                };
                anyhow::bail!(
                    "provider `{}`: unknown vendor `{}`{hint}; this build supports: {supported}",
                    cfg.id,
                    cfg.vendor
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_vendors_name_the_supported_ones() {
        let cfg = ProviderSettings {
            id: "x".into(),
            vendor: "acme".into(),
            region: "r".into(),
            display_name: None,
            settings: Default::default(),
        };
        let err = build_providers(&[cfg]).err().unwrap().to_string();
        assert!(
            err.starts_with("provider `x`: unknown vendor `acme`"),
            "{err}"
        );
        assert!(err.contains("nhn, scp"), "{err}");
    }
}
