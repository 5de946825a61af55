//! Dry runs (`?validate_only=true`): a mutation goes through everything a real one does up to
//! its first vendor call, and the vendor requests it would send are recorded instead of sent.
//!
//! The gateway scopes a [`DryRunLog`] around the request ([`scope`]); an adapter's transport,
//! having built a request exactly as it would send it, asks [`active`] and, in a dry run,
//! hands it to [`DryRunLog::stop`] instead of sending: the request is recorded (credentials
//! redacted) and the call ends with [`Error::DryRun`]. So the document is built from the same
//! request-building code as the real call, and nothing reaches a vendor. A later request
//! that would depend on this one's answer cannot be shown without guessing; the log says so.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::Error;

/// Headers shown as they would be sent; every other header's value is replaced by
/// [`REDACTED`] (tokens, signatures, access keys, timestamps that are part of a signature).
pub const PUBLIC_HEADERS: &[&str] = &[
    "accept",
    "accept-language",
    "content-type",
    "scp-api-version",
    "x-request-id",
];

/// What a redacted header value reads.
pub const REDACTED: &str = "[redacted]";

/// One vendor request a dry run would have sent.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VendorRequest {
    /// The vendor (`nhn`, `scp`).
    #[schema(example = "nhn")]
    pub vendor: String,
    /// The vendor's service (`nas`, `filestorage`, …).
    #[schema(example = "nas")]
    pub service: String,
    /// The HTTP method.
    #[schema(example = "POST")]
    pub method: String,
    /// The full URL, query included.
    #[schema(example = "https://kr1-api-nas-infrastructure.nhncloudservice.com/v1/volumes")]
    pub url: String,
    /// The headers, by lower-case name: credentials, signatures and tokens read `[redacted]`.
    pub headers: BTreeMap<String, String>,
    /// The JSON body, when the request has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The catalogue operation the request serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "volume.create")]
    pub operation: Option<String>,
    /// Whether the request only reads: its answer is needed before the adapter goes on.
    pub read: bool,
}

impl VendorRequest {
    /// A request from its HTTP parts, as a transport built it (a JSON body, if any, is
    /// parsed back so it reads as JSON).
    pub fn from_http(
        vendor: &str,
        service: &str,
        method: &http::Method,
        url: &str,
        headers: &http::HeaderMap,
        body: Option<&[u8]>,
    ) -> Self {
        VendorRequest::new(
            vendor,
            service,
            method.as_str(),
            url,
            headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or(REDACTED))),
            body.and_then(|b| serde_json::from_slice(b).ok()),
        )
    }

    /// A request as an adapter would send it; header values outside [`PUBLIC_HEADERS`] are
    /// redacted here, so no caller can forget to.
    pub fn new<'a>(
        vendor: &str,
        service: &str,
        method: &str,
        url: &str,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: Option<Value>,
    ) -> Self {
        let headers = headers
            .into_iter()
            .map(|(name, value)| {
                let name = name.to_ascii_lowercase();
                let value = if PUBLIC_HEADERS.contains(&name.as_str()) {
                    value.to_string()
                } else {
                    REDACTED.to_string()
                };
                (name, value)
            })
            .collect();
        VendorRequest {
            vendor: vendor.into(),
            service: service.into(),
            method: method.into(),
            url: url.into(),
            headers,
            body,
            operation: None,
            read: method.eq_ignore_ascii_case("GET"),
        }
    }
}

/// The answer to a dry run: what the gateway would have done at the vendor.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "validate_only": true,
    "provider": "nhn-kr1",
    "operations": ["volume.create"],
    "requests": [{
        "vendor": "nhn", "service": "nas", "operation": "volume.create", "method": "POST",
        "url": "https://kr1-api-nas-infrastructure.nhncloudservice.com/v1/volumes",
        "headers": {"content-type": "application/json", "x-auth-token": "[redacted]",
                    "x-request-id": "5f0c6f0e-8a4b-4a53-9d43-2f1c8a0b6d11"},
        "body": {"volume": {"acl": [], "encryption": {"enabled": false},
                            "mountProtocol": {"protocol": "nfs"}, "name": "app-data",
                            "sizeGb": 300}},
        "read": false
    }],
    "pending": ["this request's answer (the vendor's ids and states) decides what follows: the gateway then tracks the operation by reading the resource until it settles"]
}))]
pub struct DryRun {
    /// Always `true`: nothing was sent to any vendor and nothing changed.
    pub validate_only: bool,
    /// The provider the request targets.
    pub provider: String,
    /// The gateway's catalogue operations the request called, in order (`volume.get`,
    /// `volume.update`, …).
    pub operations: Vec<String>,
    /// The vendor requests the adapter would send, in order, exactly as built (credentials
    /// redacted). It stops at the first request whose answer the next step needs.
    pub requests: Vec<VendorRequest>,
    /// What follows that the document cannot show without the vendor's answers.
    pub pending: Vec<String>,
}

/// What a dry run recorded.
#[derive(Debug, Default)]
pub struct DryRunLog {
    calls: Mutex<Vec<(String, String)>>,
    requests: Mutex<Vec<VendorRequest>>,
    notes: Mutex<Vec<String>>,
    stopped: AtomicBool,
}

impl DryRunLog {
    /// A new, empty log.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Notes that the gateway calls `op` of `provider` (every call of a dry run passes here).
    pub fn enter(&self, provider: &str, op: &str) {
        self.calls
            .lock()
            .expect("dry-run log")
            .push((provider.into(), op.into()));
    }

    /// Records `req` instead of sending it and returns the error that ends the call: the
    /// adapter cannot go on without the vendor's answer.
    pub fn stop(&self, mut req: VendorRequest) -> Error {
        req.operation = self
            .calls
            .lock()
            .expect("dry-run log")
            .last()
            .map(|(_, op)| op.clone());
        let note = if req.read {
            format!(
                "the adapter reads `{} {}` and needs its answer before going on; a dry run sends \
                 nothing, so any request after it is not shown",
                req.method,
                path_of(&req.url)
            )
        } else {
            "this request's answer (the vendor's ids and states) decides what follows: the \
             gateway then tracks the operation by reading the resource until it settles"
                .to_string()
        };
        self.requests.lock().expect("dry-run log").push(req);
        self.note(note);
        self.stopped.store(true, Ordering::Release);
        Error::DryRun
    }

    /// Adds something the document cannot show exactly (e.g. a host name that comes from a
    /// vendor answer the dry run did not fetch).
    pub fn note(&self, text: impl Into<String>) {
        self.notes.lock().expect("dry-run log").push(text.into());
    }

    /// Ends a call that has no vendor request to show (a provider that keeps its state in
    /// process), with why.
    pub fn stop_without_request(&self, note: impl Into<String>) -> Error {
        self.note(note);
        self.stopped.store(true, Ordering::Release);
        Error::DryRun
    }

    /// Whether a call was stopped: the request went as far as a vendor call.
    pub fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// The dry-run document of what was recorded.
    pub fn document(&self) -> DryRun {
        let calls = self.calls.lock().expect("dry-run log").clone();
        DryRun {
            validate_only: true,
            provider: calls.first().map(|(p, _)| p.clone()).unwrap_or_default(),
            operations: calls.into_iter().map(|(_, op)| op).collect(),
            requests: self.requests(),
            pending: self.notes(),
        }
    }

    /// The recorded requests, in order.
    pub fn requests(&self) -> Vec<VendorRequest> {
        self.requests.lock().expect("dry-run log").clone()
    }

    /// What the log could not show, in order.
    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().expect("dry-run log").clone()
    }
}

fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}

tokio::task_local! {
    static DRY_RUN: Arc<DryRunLog>;
}

/// The log of the dry run this task serves, if it serves one.
pub fn active() -> Option<Arc<DryRunLog>> {
    DRY_RUN.try_with(Arc::clone).ok()
}

/// Runs `fut` as a dry run recording into `log`.
pub async fn scope<F: std::future::Future>(log: Arc<DryRunLog>, fut: F) -> F::Output {
    DRY_RUN.scope(log, fut).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_headers_keep_their_values() {
        let req = VendorRequest::new(
            "scp",
            "filestorage",
            "POST",
            "https://x.example/v1/volumes?a=1",
            [
                ("Scp-AccessKey", "AKIA123"),
                ("Scp-Signature", "c2lnbmF0dXJl"),
                ("X-Auth-Token", "gAAAAtoken"),
                ("Authorization", "Bearer abc"),
                ("Scp-Api-Version", "filestorage 1.1"),
                ("X-Request-Id", "r-1"),
            ],
            Some(serde_json::json!({"name": "v"})),
        );
        let shown = serde_json::to_string(&req).unwrap();
        for secret in ["AKIA123", "c2lnbmF0dXJl", "gAAAAtoken", "Bearer abc"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(req.headers["scp-api-version"], "filestorage 1.1");
        assert_eq!(req.headers["x-request-id"], "r-1");
        assert_eq!(req.headers["scp-signature"], REDACTED);
        assert!(!req.read);
    }

    #[tokio::test]
    async fn the_log_is_visible_only_inside_its_scope() {
        assert!(active().is_none());
        let log = DryRunLog::new();
        let seen = scope(log.clone(), async {
            let e = active().unwrap().stop(VendorRequest::new(
                "nhn",
                "nas",
                "GET",
                "https://h/v1/volumes/1",
                [],
                None,
            ));
            assert_eq!(e, Error::DryRun);
            active().is_some()
        })
        .await;
        assert!(seen && log.stopped());
        assert_eq!(log.requests().len(), 1);
        assert!(
            log.notes()[0].contains("GET /v1/volumes/1"),
            "{:?}",
            log.notes()
        );
        assert!(active().is_none());
    }
}
