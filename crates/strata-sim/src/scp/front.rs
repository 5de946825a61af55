//! The signature-verifying front every SCP service sits behind.
//!
//! SCP's gateway authenticates each call from its headers: `Scp-Accesskey`, `Scp-Timestamp`
//! (epoch milliseconds), `Scp-ClientType: Openapi`, `Scp-Signature` and `Scp-Api-Version`
//! (`<service> <version>`). The signature is `base64(HMAC-SHA256(secret, METHOD + URL +
//! timestamp + access key + account id + "Openapi"))` over the full URL with its query, and
//! the account id is `Scp-AccountId` when sent, else empty. Header names match in any case.
//! A verified request carries its API version to the handlers as an [`ApiVersion`] extension.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::api::{fail, Fail};
use super::{lock, Service, Shared};

/// How far `Scp-Timestamp` may be from the simulator's clock.
pub const SIGNATURE_WINDOW: Duration = Duration::from_secs(300);

/// The signature SCP expects, computed the way the gateway does (this is the simulator's
/// own implementation, independent of the adapter's signer).
pub fn signature(
    secret: &str,
    method: &str,
    url: &str,
    timestamp_ms: &str,
    access_key: &str,
    account_id: &str,
) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    for part in [method, url, timestamp_ms, access_key, account_id, "Openapi"] {
        mac.update(part.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn unauthorized(message: &str) -> Fail {
    fail(StatusCode::UNAUTHORIZED, message)
}

/// The API version a verified request asked for (`1.0`, `1.1`, …), as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiVersion(pub String);

/// Checks one request; `Err` is the answer SCP's gateway gives instead of the service, `Ok`
/// the API version asked for.
fn check(world: &Shared, service: Service, req: &Request) -> Result<String, Fail> {
    let h = req.headers();
    let (ak, ts, sig, client) = match (
        header(h, "scp-accesskey"),
        header(h, "scp-timestamp"),
        header(h, "scp-signature"),
        header(h, "scp-clienttype"),
    ) {
        (Some(a), Some(t), Some(s), Some(c)) => (a, t, s, c),
        _ => return Err(unauthorized("missing authentication headers")),
    };
    if client != "Openapi" {
        return Err(unauthorized("unknown Scp-ClientType"));
    }
    let version = match header(h, "scp-api-version") {
        None => service.default_version().map(str::to_string),
        Some(v) => v
            .split_once(' ')
            .filter(|(svc, ver)| service.named(svc) && service.versions().contains(ver))
            .map(|(_, ver)| ver.to_string()),
    };
    let Some(version) = version else {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            format!(
                "Scp-Api-Version must be `{} <version>` with version one of {}",
                service.id(),
                service.versions().join(", ")
            ),
        ));
    };
    let now = chrono::Utc::now().timestamp_millis();
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|t| (now - t).unsigned_abs() <= SIGNATURE_WINDOW.as_millis() as u64);
    if !fresh {
        return Err(unauthorized("Scp-Timestamp is outside the allowed window"));
    }
    let cfg = lock(world).cfg.clone();
    if ak != cfg.access_key {
        return Err(unauthorized("unknown access key"));
    }
    let account = header(h, "scp-accountid").unwrap_or("");
    if !account.is_empty() && account != cfg.account_id {
        return Err(fail(
            StatusCode::FORBIDDEN,
            "the access key does not belong to that account",
        ));
    }
    let host = header(h, "host").unwrap_or("");
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let url = format!("http://{host}{path}");
    let expected = signature(
        &cfg.secret_key,
        req.method().as_str(),
        &url,
        ts,
        ak,
        account,
    );
    if expected != sig {
        return Err(unauthorized("signature does not match"));
    }
    Ok(version)
}

/// The middleware: verified requests go on to the service.
/// Block Storage, Backup and Archive Storage answer the gateway's refusals in the
/// `{"errors": […]}` shape.
pub(crate) async fn verify(
    world: Shared,
    service: Service,
    mut req: Request,
    next: Next,
) -> Response {
    match check(&world, service, &req) {
        Ok(version) => {
            req.extensions_mut().insert(ApiVersion(version));
            next.run(req).await
        }
        Err(fail) if service.errors_shape() => fail.into_block().into_response(),
        Err(fail) => fail.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same fixed vector the adapter's signer is tested with (computed with Python's
    /// hmac/hashlib/base64).
    #[test]
    fn matches_the_fixed_vector() {
        assert_eq!(
            signature(
                "secret-key-example",
                "GET",
                "https://filestorage.kr-west1.s.samsungsdscloud.com/v1/volumes?offset=0&limit=20",
                "1605290625682",
                "AKIAEXAMPLE0001",
                ""
            ),
            "+gxMRXepAmmvedsMk4ZL9YNBcj0QsfEPZQal2b55ITs="
        );
    }
}
