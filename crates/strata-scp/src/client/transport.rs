//! The signed HTTP transport every SCP service module uses: URL building, signing, the
//! `Scp-Api-Version` header, request-id forwarding and error mapping.

use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde_json::Value;
use strata_core::dry_run::VendorRequest;
use strata_core::error::{Error, Result};
use strata_core::vendor_path;

use super::errors::vendor_error;
use super::signer::Signer;

/// Per-request timeout for vendor calls.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The documented host of a service: `https://{service}.{region}.{environment}.samsungsdscloud.com`.
pub fn default_base_url(service: &str, region: &str, environment: &str) -> String {
    format!("https://{service}.{region}.{environment}.samsungsdscloud.com")
}

/// Maps a transport failure (no HTTP answer) to the core error, without the URL or headers.
fn transport_error(e: reqwest::Error) -> Error {
    Error::transport(e.is_timeout(), e.is_connect())
}

/// Talks to one SCP service in one region.
pub struct ScpClient {
    http: reqwest::Client,
    signer: Signer,
    service: &'static str,
    /// `Scp-Api-Version` value, e.g. `filestorage 1.1`.
    api_version: String,
    base: String,
    language: String,
}

impl ScpClient {
    /// A client of `service` (its vendor id, e.g. `filestorage`) at `base`, speaking API
    /// `version` and asking for answers in `language`.
    pub fn new(
        http: reqwest::Client,
        signer: Signer,
        service: &'static str,
        version: &str,
        base: &str,
        language: &str,
    ) -> Self {
        ScpClient {
            http,
            signer,
            service,
            api_version: format!("{service} {version}"),
            base: base.trim_end_matches('/').to_string(),
            language: language.into(),
        }
    }

    /// The full URL of a call, exactly as it is signed and sent: the base, then `path` as
    /// percent-encoded segments ([`vendor_path`]), then the encoded query.
    pub fn url(&self, path: &[&str], query: &[(&str, String)]) -> Result<Url> {
        let path = vendor_path(path)?;
        let mut url = Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| Error::Internal(format!("bad {} endpoint: {e}", self.service)))?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// Sends one signed call; returns the JSON body (`Null` when the vendor sent none). A dry
    /// run records a GET as a read, anything else as a mutation.
    pub async fn call(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value> {
        self.send(method, path, query, body, false).await
    }

    /// [`ScpClient::call`] for a call that changes something whatever its method (SCP
    /// Backup's connection check is a GET answering 202): a dry run records it as a mutation.
    pub async fn call_mutating(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value> {
        self.send(method, path, query, body, true).await
    }

    async fn send(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
        mutates: bool,
    ) -> Result<Value> {
        let url = self.url(path, query)?;
        let now = chrono::Utc::now().timestamp_millis();
        let mut req = self
            .http
            .request(method.clone(), url.clone())
            .header("Scp-Api-Version", &self.api_version)
            .header("Accept-Language", &self.language)
            .header("Accept", "application/json");
        for (name, value) in self.signer.headers(method.as_str(), url.as_str(), now) {
            req = req.header(name, value);
        }
        if let Some(rid) = strata_core::context::request_id() {
            req = req.header("X-Request-Id", rid);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(log) = strata_core::dry_run::active() {
            // Recorded exactly as built and signed, instead of sent.
            let r = req.build().map_err(transport_error)?;
            let body = r.body().and_then(|b| b.as_bytes());
            let (m, url, h) = (r.method(), r.url().as_str(), r.headers());
            let mut recorded = VendorRequest::from_http("scp", self.service, m, url, h, body);
            if mutates {
                recorded.read = false;
            }
            return Err(log.stop(recorded));
        }
        let started = Instant::now();
        let resp = req.send().await.map_err(transport_error)?;
        let status = resp.status().as_u16();
        tracing::debug!(
            vendor = "scp",
            service = self.service,
            %method,
            path = url.path(),
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "scp call"
        );
        let retry_after = strata_core::refusal::retry_after(resp.headers());
        let text = resp.text().await.map_err(transport_error)?;
        if !(200..300).contains(&status) {
            strata_core::context::log_vendor_answer(
                "scp",
                self.service,
                method.as_str(),
                status,
                &text,
            );
            return Err(vendor_error(status, &text, retry_after));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|_| Error::VendorFailed {
            vendor_status: Some(status),
            vendor_code: None,
            message: "unreadable response body".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_host_pattern() {
        assert_eq!(
            default_base_url("parallel-filestorage", "kr-west1", "s"),
            "https://parallel-filestorage.kr-west1.s.samsungsdscloud.com"
        );
    }
}
