//! # strata-nhn
//!
//! The NHN Cloud NAS adapter: the [client]s (an IaaS token client with a moka cache, and
//! the NAS HTTP client with its header envelope, error mapping and one re-issue on 401),
//! and the [`NhnProvider`] that maps NAS volumes, interfaces, snapshots, snapshot policies
//! and volume-mirrors onto Strata's model (one module per resource family, with pure
//! mapping in `map.rs`). The adapter parses its own provider settings
//! ([`NhnProvider::from_settings`]). Reference: `shared/vendor/nhn-nas.md`.

mod caps;
pub mod client;
mod config;
mod map;
mod replicas;
mod snapshots;
mod volumes;
mod wire;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};
use strata_core::capability::*;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, IdGrammar, ResourceType};
use strata_core::model::*;
use strata_core::provider::*;
use strata_core::settings::{ProviderSettings, SettingsError};

pub use caps::capabilities;
pub use client::{NasClient, TokenClient};
pub use config::{NhnConfig, REGIONS};
pub use map::Ids;

use wire::field;

/// The vendor name used in configuration.
pub const VENDOR: &str = "nhn";

/// One NHN region of one tenant.
///
/// Requests are checked against [`capabilities`] by the gateway before they reach this
/// provider; it adds only the checks the capability document cannot express (option types,
/// snapshot names, replica frequency).
pub struct NhnProvider {
    info: ProviderInfo,
    caps: Capabilities,
    ids: Ids,
    tenant_id: String,
    nas: NasClient,
}

impl NhnProvider {
    /// Builds the provider from its configuration (no vendor call is made).
    pub fn new(cfg: NhnConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| Error::Internal(format!("http client: {e}")))?;
        let tokens = TokenClient::new(
            http.clone(),
            &cfg.identity_url,
            &cfg.tenant_id,
            &cfg.username,
            cfg.password.clone(),
            cfg.token_margin,
        );
        Ok(NhnProvider {
            info: ProviderInfo {
                id: cfg.provider_id.clone(),
                vendor: Vendor::Nhn,
                region: cfg.region.clone(),
                display_name: cfg
                    .display_name
                    .clone()
                    .unwrap_or_else(|| format!("NHN Cloud NAS ({})", cfg.region)),
            },
            caps: capabilities(cfg.replication_regions.clone()),
            ids: Ids {
                provider: cfg.provider_id.clone(),
                region: cfg.region.clone(),
                kind: VolumeKind::File,
                peers: cfg.peers.clone(),
            },
            tenant_id: cfg.tenant_id.clone(),
            nas: NasClient::new(http, tokens, &cfg.region, cfg.nas_url.clone()),
        })
    }

    /// Builds the provider from an `nhn` provider table of the gateway's configuration;
    /// `all` is every configured provider, so the same tenant's providers in other regions
    /// become peers. See [`NhnConfig::from_settings`].
    pub fn from_settings(
        cfg: &ProviderSettings,
        all: &[ProviderSettings],
    ) -> std::result::Result<Self, SettingsError> {
        let n = NhnConfig::from_settings(cfg, all)?;
        Self::new(n).map_err(|e| cfg.error(e))
    }

    fn file_caps(&self) -> Result<&KindCapabilities> {
        self.caps.kind(VolumeKind::File)
    }

    /// Checks the id is ours and returns its vendor id.
    fn own<'a>(&self, id: &'a GlobalId) -> Result<&'a str> {
        if id.provider != self.info.id {
            return Err(Error::invalid(
                "id",
                format!("the id belongs to provider `{}`", id.provider),
            ));
        }
        id.check_grammar(IdGrammar::Uuid)?;
        Ok(&id.vendor_id)
    }

    /// The parent volume of a snapshot or replica id.
    fn parent<'a>(&self, id: &'a GlobalId) -> Result<&'a str> {
        self.own(id)?;
        id.parent
            .as_deref()
            .ok_or_else(|| Error::invalid("id", "the id does not name its volume"))
    }

    async fn nas(&self, method: Method, path: &[&str], body: Option<Value>) -> Result<Value> {
        self.nas.call(method, path, &[], body.as_ref()).await
    }

    async fn raw_volume(&self, vid: &str) -> Result<wire::NasVolume> {
        let body = self
            .nas(Method::GET, &["v1", "volumes", vid], None)
            .await
            .map_err(Error::vendor_404_as(
                ResourceType::Volume,
                self.ids.volume(vid),
            ))?;
        field(&body, "volume")
    }

    /// PATCH always carries `sizeGb`: the older reference marks it required. The current size
    /// is read only when the change does not set one.
    async fn patch(&self, vid: &str, mut fields: Value) -> Result<()> {
        if fields.get("sizeGb").is_none() {
            fields["sizeGb"] = json!(self.raw_volume(vid).await?.size_gb);
        }
        self.nas(
            Method::PATCH,
            &["v1", "volumes", vid],
            Some(json!({ "volume": fields })),
        )
        .await
        .map_err(Error::vendor_404_as(
            ResourceType::Volume,
            self.ids.volume(vid),
        ))?;
        Ok(())
    }
}

impl VolumeGroupOps for NhnProvider {}
impl BackupOps for NhnProvider {}
impl ArchiveOps for NhnProvider {}

#[async_trait]
impl Provider for NhnProvider {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    /// NAS volumes, snapshots, interfaces and mirrors are all addressed by UUID.
    fn id_grammar(&self) -> IdGrammar {
        IdGrammar::Uuid
    }
    /// The NAS client records its requests in a dry run (`client::nas`).
    fn records_dry_runs(&self) -> bool {
        true
    }
    /// Healthy when a token can be had (cached or freshly issued).
    async fn health(&self) -> Health {
        match self.nas.tokens().token().await {
            Ok(_) => Health {
                ok: true,
                detail: None,
            },
            Err(e) => Health {
                ok: false,
                detail: Some(e.public_detail()),
            },
        }
    }
}
