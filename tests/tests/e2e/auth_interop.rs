//! JWT interoperability and strictness (RFC 7519, RFC 7515, RFC 8725): claim shapes other
//! identity providers send, `crit`, token content never echoed, null provider lists, and the
//! cap on how long a verified token stays cached.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use strata_server::auth::Authenticator;
use strata_tests::*;

/// Status, `WWW-Authenticate` and raw body of `method /v1/volumes` with `token`.
async fn call(gw: &TestGateway, post: bool, token: &str) -> (u16, String, String) {
    let rb = if post {
        gw.http.post(gw.url("/v1/volumes")).json(&json!({}))
    } else {
        gw.http.get(gw.url("/v1/volumes"))
    };
    let resp = rb.bearer_auth(token).send().await.expect("answered");
    let status = resp.status().as_u16();
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    (status, challenge, resp.text().await.unwrap_or_default())
}

/// An HS256 token with a hand-made header (jsonwebtoken's `Header` has no `crit`).
fn hs256_with_header(header: &Value, claims: &Value) -> String {
    let msg = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = jsonwebtoken::crypto::sign(
        msg.as_bytes(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
        Algorithm::HS256,
    )
    .unwrap();
    format!("{msg}.{sig}")
}

#[tokio::test]
async fn claim_shapes_of_other_identity_providers() {
    let gw = TestGateway::start().await;
    let now = chrono_now() as f64;
    let read = claims("alice", "storage.read");
    let with = |k: &str, v: Value| {
        let mut c = read.clone();
        c[k] = v;
        token(&c)
    };

    let aud_list = with("aud", json!(["other-api", "strata"]));
    assert_eq!(
        call(&gw, false, &aud_list).await.0,
        200,
        "aud array with ours"
    );
    let aud_others = with("aud", json!(["other-api", "another"]));
    assert_eq!(
        call(&gw, false, &aud_others).await.0,
        401,
        "aud array without ours"
    );

    let frac = with("exp", json!(now + 3600.25));
    assert_eq!(call(&gw, false, &frac).await.0, 200, "fractional exp");
    let mut c = read.clone();
    c["nbf"] = json!(now - 0.5);
    c["iat"] = json!(now - 0.5);
    assert_eq!(
        call(&gw, false, &token(&c)).await.0,
        200,
        "fractional nbf/iat"
    );
    let expired = with("exp", json!(now - 120.75));
    let (s, challenge, body) = call(&gw, false, &expired).await;
    assert_eq!(s, 401, "expired fractional exp: {body}");
    assert!(challenge.contains("invalid_token"), "{challenge}");

    // `scope` as an array, and `scp` (string or array), grant exactly the scopes named.
    let mut c = read.clone();
    c.as_object_mut().unwrap().remove("scope");
    let scope_array = {
        let mut c = c.clone();
        c["scope"] = json!(["storage.read"]);
        token(&c)
    };
    let scp_string = {
        let mut c = c.clone();
        c["scp"] = json!("storage.read");
        token(&c)
    };
    let scp_array = {
        let mut c = c.clone();
        c["scp"] = json!(["storage.read", "storage.write"]);
        token(&c)
    };
    for (what, t) in [("scope array", &scope_array), ("scp string", &scp_string)] {
        assert_eq!(call(&gw, false, t).await.0, 200, "{what} reads");
        let (s, _, body) = call(&gw, true, t).await;
        assert_eq!(s, 403, "{what} may not write: {body}");
        assert!(body.contains("insufficient_scope"), "{body}");
    }
    assert_eq!(call(&gw, false, &scp_array).await.0, 200);
    // storage.write passes the scope check; the empty body is then refused by the handler.
    assert_eq!(call(&gw, true, &scp_array).await.0, 400, "scp array writes");
    let bad_scope = with("scope", json!({"storage.read": true}));
    assert_eq!(call(&gw, false, &bad_scope).await.0, 401);
    gw.stop().await;
}

#[tokio::test]
async fn crit_headers_null_provider_lists_and_no_echoed_token_content() {
    let gw = TestGateway::start().await;
    let read = claims("alice", "storage.read");

    let plain = hs256_with_header(&json!({"alg": "HS256", "typ": "JWT"}), &read);
    assert_eq!(call(&gw, false, &plain).await.0, 200, "hand-made header");
    let crit = hs256_with_header(
        &json!({"alg": "HS256", "typ": "JWT", "crit": ["b64"], "b64": true}),
        &read,
    );
    let (s, challenge, _) = call(&gw, false, &crit).await;
    assert_eq!(s, 401, "crit is refused");
    assert!(challenge.contains("invalid_token"), "{challenge}");

    let mut c = read.clone();
    c["strata_providers"] = Value::Null;
    let (s, _, body) = call(&gw, false, &token(&c)).await;
    assert_eq!(s, 401, "a null provider list is invalid, not `all`: {body}");
    c["strata_providers"] = json!(42);
    assert_eq!(call(&gw, false, &token(&c)).await.0, 401);

    // kids that are huge or carry CRLF: refused with a short, fixed challenge.
    let huge = "k".repeat(40 * 1024);
    for kid in [huge.as_str(), "evil\r\nX-Injected: 1", "quote\"kid"] {
        for alg in [Algorithm::RS256, Algorithm::HS256] {
            let t = match alg {
                Algorithm::RS256 => signed(alg, "rsa1.pem", kid, &read),
                _ => hs256_with_header(&json!({"alg": "HS256", "kid": kid}), &read),
            };
            let (s, challenge, body) = call(&gw, false, &t).await;
            let what = format!("{alg:?} kid of {} bytes", kid.len());
            if alg == Algorithm::HS256 {
                assert_eq!(s, 200, "{what}: HS256 ignores kid");
                continue;
            }
            assert_eq!(s, 401, "{what}: {body}");
            assert!(
                challenge.starts_with("Bearer ") && challenge.contains("invalid_token"),
                "{what}: the challenge is not dropped: {challenge:?}"
            );
            assert!(challenge.len() < 200, "{what}: {} bytes", challenge.len());
            for needle in ["kkkk", "evil", "Injected", "quote"] {
                assert!(!challenge.contains(needle), "{what}: {challenge}");
                assert!(!body.contains(needle), "{what}: {body}");
            }
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn verified_tokens_are_cached_at_most_cache_max_seconds() {
    let mut cfg = test_config().auth;
    cfg.cache_max_seconds = 1;
    let auth = Authenticator::new(&cfg).await.unwrap();
    let t = token(&claims("alice", "storage.read")); // valid for an hour
    auth.verify(&t).await.unwrap();
    auth.verify(&t).await.unwrap();
    assert_eq!(auth.verifications(), 1, "the second use hits the cache");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    auth.verify(&t).await.unwrap();
    assert_eq!(auth.verifications(), 2, "re-verified after the cap");

    cfg.cache_max_seconds = 0;
    let uncached = Authenticator::new(&cfg).await.unwrap();
    for _ in 0..3 {
        uncached.verify(&t).await.unwrap();
    }
    assert_eq!(uncached.verifications(), 3, "0 disables the cache");
}
