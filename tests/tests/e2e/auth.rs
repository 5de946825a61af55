//! The JWT matrix, with exact status codes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use strata_tests::*;

async fn status_with(gw: &TestGateway, token: &str) -> (u16, Option<String>, serde_json::Value) {
    let (s, h, b) = send(gw.http.get(gw.url("/v1/providers")).bearer_auth(token)).await;
    (
        s,
        h.get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        b,
    )
}

#[tokio::test]
async fn jwt_matrix() {
    let gw = TestGateway::start().await;
    let now = chrono_now();
    let read = claims("alice", "storage.read");

    // Valid tokens of every accepted algorithm.
    assert_eq!(status_with(&gw, &token(&read)).await.0, 200, "HS256");
    assert_eq!(
        status_with(&gw, &signed(Algorithm::RS256, "rsa1.pem", "rsa-1", &read))
            .await
            .0,
        200,
        "RS256"
    );
    assert_eq!(
        status_with(&gw, &signed(Algorithm::ES256, "ec1.pem", "ec-1", &read))
            .await
            .0,
        200,
        "ES256"
    );

    let mut bad = Vec::new();
    let mut expired = read.clone();
    expired["exp"] = json!(now - 120); // beyond the 30 s leeway
    bad.push(("expired", token(&expired)));
    let mut early = read.clone();
    early["nbf"] = json!(now + 300);
    bad.push(("nbf in the future", token(&early)));
    let mut iss = read.clone();
    iss["iss"] = json!("someone-else");
    bad.push(("wrong iss", token(&iss)));
    let mut aud = read.clone();
    aud["aud"] = json!("another-api");
    bad.push(("wrong aud", token(&aud)));
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(read.to_string())
    );
    bad.push(("alg none", none));
    // Algorithm confusion: HS256 "signed" with the RS256 public key as the HMAC secret.
    let public_pem = std::fs::read(fixture("rsa1.pub.pem")).unwrap();
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("rsa-1".into());
    bad.push((
        "HS256 with the RS256 public key",
        jsonwebtoken::encode(&h, &read, &EncodingKey::from_secret(&public_pem)).unwrap(),
    ));
    // Tampered payload: a read token whose payload now claims write.
    let good = token(&read);
    let parts: Vec<&str> = good.split('.').collect();
    let forged = URL_SAFE_NO_PAD
        .encode(claims("alice", "storage.read storage.write storage.admin").to_string());
    bad.push((
        "tampered payload",
        format!("{}.{forged}.{}", parts[0], parts[2]),
    ));
    // An RS256 token whose kid names the EC key.
    bad.push((
        "kid of another algorithm",
        signed(Algorithm::RS256, "rsa1.pem", "ec-1", &read),
    ));
    bad.push(("garbage", "not.a.token".into()));
    let mut no_exp = read.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    bad.push(("no exp", token(&no_exp)));

    for (what, t) in bad {
        let (status, challenge, body) = status_with(&gw, &t).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["code"], "unauthenticated", "{what}");
        let challenge = challenge.unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""),
            "{what}: {challenge}"
        );
    }

    // Within the leeway an expired token still passes (clock skew).
    let mut skewed = read.clone();
    skewed["exp"] = json!(now - 5);
    assert_eq!(status_with(&gw, &token(&skewed)).await.0, 200);

    // No token at all: a bare challenge.
    let (s, h, b) = send(gw.http.get(gw.url("/v1/providers"))).await;
    assert_eq!(s, 401, "{b}");
    assert_eq!(
        h.get("www-authenticate").unwrap(),
        "Bearer realm=\"strata\""
    );
    let (s, _, _) = send(
        gw.http
            .get(gw.url("/v1/providers"))
            .header("authorization", "Basic YTpi"),
    )
    .await;
    assert_eq!(s, 401);
    gw.stop().await;
}

#[tokio::test]
async fn scopes_and_provider_restrictions() {
    let gw = TestGateway::start().await;
    let body =
        json!({"provider":"mem-a","kind":"file","name":"scoped","size_gib":300,"protocol":"nfs"});

    // Read-only tokens cannot change anything: 403 with insufficient_scope.
    let ro = token(&claims("reader", "storage.read"));
    let r = send(
        gw.http
            .post(gw.url("/v1/volumes"))
            .bearer_auth(&ro)
            .json(&body),
    )
    .await;
    let p = assert_problem(&r, 403, "insufficient_scope");
    assert!(p["detail"].as_str().unwrap().contains("storage.write"));
    assert!(r
        .1
        .get("www-authenticate")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("insufficient_scope"));
    // Write-only tokens cannot read.
    let wo = token(&claims("writer", "storage.write"));
    assert_eq!(
        send(gw.http.get(gw.url("/v1/volumes")).bearer_auth(&wo))
            .await
            .0,
        403
    );
    // Admin implies both.
    let admin = token(&claims("root", "storage.admin"));
    assert_eq!(
        send(gw.http.get(gw.url("/v1/volumes")).bearer_auth(&admin))
            .await
            .0,
        200
    );

    // A token limited to mem-b sees only mem-b and may not touch mem-a.
    let mut c = claims("tenant", "storage.read storage.write");
    c["strata_providers"] = json!(["mem-b"]);
    let limited = token(&c);
    let (s, _, b) = send(gw.http.get(gw.url("/v1/providers")).bearer_auth(&limited)).await;
    assert_eq!(s, 200);
    let ids: Vec<&str> = b["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["mem-b"]);
    let r = send(
        gw.http
            .post(gw.url("/v1/volumes"))
            .bearer_auth(&limited)
            .json(&body),
    )
    .await;
    assert_problem(&r, 403, "provider_forbidden");
    let r = send(
        gw.http
            .get(gw.url("/v1/providers/mem-a"))
            .bearer_auth(&limited),
    )
    .await;
    assert_problem(&r, 403, "provider_forbidden");
    gw.stop().await;
}

#[tokio::test]
async fn unknown_kid_triggers_exactly_one_jwks_refetch() {
    // An identity provider that serves the original key set, then the rotated one.
    let fetches = Arc::new(AtomicUsize::new(0));
    let f = fetches.clone();
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let n = f.fetch_add(1, Ordering::SeqCst);
            async move {
                std::fs::read_to_string(fixture(if n == 0 {
                    "jwks.json"
                } else {
                    "jwks-rotated.json"
                }))
                .unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let idp = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut cfg = test_config();
    cfg.auth.jwks_file = None;
    cfg.auth.jwks_url = Some(idp);
    cfg.auth.jwks_min_refetch_seconds = 60;
    let gw = TestGateway::start_with(cfg, memory_registry(Duration::ZERO)).await;
    let read = claims("alice", "storage.read");

    assert_eq!(
        status_with(&gw, &signed(Algorithm::RS256, "rsa1.pem", "rsa-1", &read))
            .await
            .0,
        200
    );
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "first use fetches the key set"
    );
    // The IdP rotated: rsa-2 is unknown, so the gateway refetches once and accepts it.
    assert_eq!(
        status_with(&gw, &signed(Algorithm::RS256, "rsa2.pem", "rsa-2", &read))
            .await
            .0,
        200
    );
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "one refetch for the unknown kid"
    );
    // Repeated unknown kids do not hammer the IdP.
    for i in 0..5 {
        let (s, _, _) = status_with(
            &gw,
            &signed(Algorithm::RS256, "rsa2.pem", &format!("bogus-{i}"), &read),
        )
        .await;
        assert_eq!(s, 401);
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "no further refetch within the interval"
    );
    // Known keys keep working without fetches (and the verified token is cached).
    for _ in 0..3 {
        assert_eq!(
            status_with(&gw, &signed(Algorithm::RS256, "rsa1.pem", "rsa-1", &read))
                .await
                .0,
            200
        );
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    assert_eq!(gw.gateway.auth.jwks_fetches().await, 2);
    gw.stop().await;
}

/// One keep-alive connection remembers its last token, never past the token's expiry, and
/// another token on the same connection is verified on its own.
#[tokio::test]
async fn a_connection_remembers_its_token_only_while_it_is_valid() {
    let mut cfg = test_config();
    cfg.auth.leeway_seconds = 0;
    let gw = TestGateway::start_with(cfg, memory_registry(Duration::from_millis(30))).await;
    // One connection for every request below.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let get = |t: String| {
        let rb = http.get(gw.url("/v1/providers")).bearer_auth(t);
        async move { send(rb).await.0 }
    };
    let mut short = claims("short", "storage.read");
    short["exp"] = json!(chrono_now() + 2);
    let short = token(&short);
    let write_only = token(&claims("writer", "storage.write"));
    assert_eq!(get(short.clone()).await, 200);
    assert_eq!(get(short.clone()).await, 200);
    assert_eq!(
        get(write_only).await,
        403,
        "another token gets its own principal"
    );
    assert_eq!(get(short.clone()).await, 200);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(
        get(short).await,
        401,
        "an expired token is refused on its connection too"
    );
    gw.stop().await;
}
