//! The NAS HTTP client: token header, `header` envelope, error mapping, one re-issue on 401.

use std::time::Instant;

use reqwest::Method;
use serde_json::Value;
use strata_core::dry_run::VendorRequest;
use strata_core::error::{Error, Result};

use super::errors::vendor_error;
use super::token::TokenClient;
use super::transport::transport_error;

/// Talks to one region's NAS endpoint.
pub struct NasClient {
    http: reqwest::Client,
    tokens: TokenClient,
    region: String,
    /// Overrides the catalog's `nasv1` URL.
    base_override: Option<String>,
}

impl NasClient {
    /// A client of `region`'s NAS, at the token catalog's `nasv1` URL unless overridden.
    pub fn new(
        http: reqwest::Client,
        tokens: TokenClient,
        region: &str,
        base_override: Option<String>,
    ) -> Self {
        NasClient {
            http,
            tokens,
            region: region.into(),
            base_override: base_override.map(|u| u.trim_end_matches('/').to_string()),
        }
    }

    /// The token client (for health checks).
    pub fn tokens(&self) -> &TokenClient {
        &self.tokens
    }

    /// Sends one call and returns the success body (envelope included). A 401 drops the token,
    /// re-issues it and retries the call once.
    pub async fn call(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value> {
        let path = strata_core::vendor_path(path)?;
        let dry_run = strata_core::dry_run::active();
        let mut reissued = false;
        loop {
            // A dry run issues no identity token either: it uses the cached one, if any (its
            // value is redacted in the record; only its catalog matters, for the URL).
            let token = match &dry_run {
                Some(_) => self.tokens.peek().await,
                None => Some(self.tokens.token().await?),
            };
            let base = match &self.base_override {
                Some(u) => u.clone(),
                None => token
                    .as_deref()
                    .and_then(|t| t.nas_url(&self.region))
                    .map(|u| u.trim_end_matches('/').to_string())
                    // The catalog should list nasv1; fall back to the documented host.
                    .unwrap_or_else(|| {
                        format!(
                            "https://{}-api-nas-infrastructure.nhncloudservice.com",
                            self.region.to_ascii_lowercase()
                        )
                    }),
            };
            let token_id = token
                .as_ref()
                .map_or(strata_core::dry_run::REDACTED, |t| &t.id);
            let mut req = self
                .http
                .request(method.clone(), format!("{base}{path}"))
                .header("X-Auth-Token", token_id)
                .query(query);
            if let Some(rid) = strata_core::context::request_id() {
                req = req.header("X-Request-Id", rid);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            if let Some(log) = &dry_run {
                if token.is_none() && self.base_override.is_none() {
                    log.note(
                        "the NAS endpoint comes from the identity service's catalog, which the \
                         gateway has not fetched yet (a dry run issues no token): the URL shows \
                         the documented host",
                    );
                }
                // Recorded exactly as built, instead of sent.
                let r = req.build().map_err(transport_error)?;
                let body = r.body().and_then(|b| b.as_bytes());
                let (m, url, h) = (r.method(), r.url().as_str(), r.headers());
                return Err(log.stop(VendorRequest::from_http("nhn", "nas", m, url, h, body)));
            }
            let Some(token) = token else {
                return Err(Error::Internal(
                    "no identity token outside a dry run".into(),
                ));
            };
            let started = Instant::now();
            let resp = req.send().await.map_err(transport_error)?;
            let status = resp.status().as_u16();
            tracing::debug!(
                vendor = "nhn",
                %method,
                path = %path,
                status,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "nas call"
            );
            if status == 401 {
                self.tokens.invalidate(&token).await;
                if reissued {
                    return Err(Error::VendorUnauthenticated);
                }
                reissued = true;
                continue;
            }
            let retry_after = strata_core::refusal::retry_after(resp.headers());
            let text = resp.text().await.map_err(transport_error)?;
            if !(200..300).contains(&status) {
                strata_core::context::log_vendor_answer(
                    "nhn",
                    "nas",
                    method.as_str(),
                    status,
                    &text,
                );
            }
            let parsed: Option<Value> = serde_json::from_str(&text).ok();
            let header = parsed.as_ref().map(|v| &v["header"]);
            let message = header
                .and_then(|h| h["resultMessage"].as_str())
                .unwrap_or("no result message")
                .to_string();
            let successful = header.and_then(|h| h["isSuccessful"].as_bool());
            return match (status, parsed) {
                (200..=299, Some(v)) if successful != Some(false) => Ok(v),
                (200..=299, Some(v)) => {
                    // 2xx with `isSuccessful: false`: trust the envelope's code.
                    let code = v["header"]["resultCode"].as_u64().unwrap_or(500) as u16;
                    Err(vendor_error(code.max(400), message, retry_after))
                }
                // Some 202/204 answers may carry no body at all.
                (200..=299, None) if text.trim().is_empty() => Ok(Value::Null),
                (200..=299, None) => Err(Error::VendorFailed {
                    vendor_status: Some(status),
                    vendor_code: None,
                    message: "unreadable response body".into(),
                }),
                (_, _) => Err(vendor_error(status, message, retry_after)),
            };
        }
    }
}
