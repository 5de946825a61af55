//! The vendor-neutral input an adapter builds its provider from: one configured provider's
//! table ([`ProviderSettings`]), with the vendor's own keys left untyped in `settings` for
//! the adapter to parse (and refuse unknown keys), so adapters never depend on the server.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::secret::{Secret, SecretSource};

/// One configured provider: the keys every provider has, and the rest of its table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderSettings {
    /// The provider id used in global ids and URLs.
    pub id: String,
    /// The vendor name that selects the adapter (`scp`, `nhn`, `memory`, ...).
    pub vendor: String,
    /// The vendor's region this provider talks to.
    pub region: String,
    /// A human-readable name; adapters supply a default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Everything else under the provider's table, for the adapter to read.
    #[serde(flatten)]
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// A provider's settings are not usable; the message says which provider and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("provider `{provider}`: {message}")]
pub struct SettingsError {
    /// The id of the provider whose settings were refused.
    pub provider: String,
    /// What is wrong (never a secret's value).
    pub message: String,
}

impl ProviderSettings {
    /// An error about this provider's settings.
    pub fn error(&self, message: impl std::fmt::Display) -> SettingsError {
        SettingsError {
            provider: self.id.clone(),
            message: message.to_string(),
        }
    }

    /// Decodes the vendor keys into the adapter's settings type (which should deny unknown
    /// fields, so a misspelt key is refused rather than ignored).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, SettingsError> {
        serde_json::from_value(serde_json::Value::Object(self.settings.clone()))
            .map_err(|e| self.error(e))
    }

    /// Reads the secret configured under `key`; errors name the key, not the value.
    pub fn secret(&self, key: &str, source: &SecretSource) -> Result<Secret, SettingsError> {
        source
            .resolve()
            .map_err(|e| self.error(format!("{key}: {e}")))
    }

    /// The other providers of this vendor among `all`: the candidates for peers (the same
    /// account or tenant in other regions).
    pub fn others<'a>(
        &'a self,
        all: &'a [ProviderSettings],
    ) -> impl Iterator<Item = &'a ProviderSettings> + 'a {
        all.iter()
            .filter(move |o| o.vendor == self.vendor && o.id != self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider(id: &str, vendor: &str) -> ProviderSettings {
        ProviderSettings {
            id: id.into(),
            vendor: vendor.into(),
            region: "r".into(),
            display_name: None,
            settings: json!({"key": "k", "password": "pw"})
                .as_object()
                .cloned()
                .unwrap(),
        }
    }

    #[test]
    fn parse_names_the_provider_and_others_skip_self_and_other_vendors() {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Only {
            #[allow(dead_code)]
            key: String,
        }
        let p = provider("a", "x");
        let e = p.parse::<Only>().err().unwrap().to_string();
        assert!(
            e.starts_with("provider `a`: unknown field `password`"),
            "{e}"
        );
        let pw = p.secret("password", &SecretSource::Literal("pw".into()));
        assert_eq!(pw.unwrap().expose(), "pw");
        let all = [provider("a", "x"), provider("b", "x"), provider("c", "y")];
        let ids: Vec<&str> = p.others(&all).map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["b"]);
    }
}
