//! Conformance: the same condition is answered with the same status, `code` and `retryable`
//! on every provider, whether the gateway, the adapter or the vendor notices it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::*;

/// Asserts a problem with `status`, `code` and `retryable`; returns its body.
fn expect(
    resp: &(u16, reqwest::header::HeaderMap, Value),
    status: u16,
    code: &str,
    retryable: bool,
) -> Value {
    let p = assert_problem(resp, status, code);
    assert_eq!(p["retryable"], retryable, "retryable; body: {p}");
    p
}

async fn duplicate_volume_name_is_409_already_exists(t: Target) {
    t.volume("conf_dup").await;
    let resp = send(
        t.req(Method::POST, "/v1/volumes")
            .json(&t.create_body("conf_dup")),
    )
    .await;
    expect(&resp, 409, "already_exists", false);
}

/// A delete the provider refuses until the client changes the volume's state. The state all
/// providers share is "the volume is the source of a replica": NHN deletes a volume's
/// snapshots with it (reference §3.3) and no provider refuses to delete a volume that has
/// snapshots, so that one is not shared. Parallel File Storage has no replication (and no
/// other refused state its reference documents), so there the suite checks only that the
/// replica is refused as unsupported.
async fn delete_of_a_replicated_volume_is_409_failed_precondition(t: Target) {
    let id = t.volume("conf_pre").await;
    let regions = t.caps["replication_regions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let replicas = format!("/v1/volumes/{id}/replicas");
    if !t.supports("replica_create") || regions.is_empty() {
        return t
            .refused(
                Method::POST,
                &replicas,
                json!({"destination_region": "KR2"}),
            )
            .await;
    }
    t.op(
        Method::POST,
        &replicas,
        Some(json!({"destination_region": regions[0]})),
    )
    .await;
    let v = format!("/v1/volumes/{id}");
    let p = expect(
        &send(t.req(Method::DELETE, &v)).await,
        409,
        "failed_precondition",
        false,
    );
    assert_eq!(p["provider"], t.provider);
    // Refused, not started: the volume is still there.
    assert_eq!(t.get(&v).await.0, 200);
}

async fn missing_volume_is_404_volume_not_found(t: Target) {
    let id = GlobalId::new(
        ResourceType::Volume,
        t.provider,
        Some(t.volume_kind()),
        "00000000-0000-4000-8000-000000000000",
    )
    .encode();
    let v = format!("/v1/volumes/{id}");
    expect(
        &send(t.req(Method::GET, &v)).await,
        404,
        "volume_not_found",
        false,
    );
    expect(
        &send(t.req(Method::DELETE, &v)).await,
        404,
        "volume_not_found",
        false,
    );
}

/// A tier and a protocol the provider does not offer: valid by the schema, not here.
async fn value_not_offered_is_422_unsupported_value(t: Target) {
    let mut body = t.create_body("conf_tier");
    body["tier"] = json!("no_such_tier");
    let p = expect(
        &send(t.req(Method::POST, "/v1/volumes").json(&body)).await,
        422,
        "unsupported_value",
        false,
    );
    assert_eq!(p["field"], "tier");
    let offered: Vec<Value> = t.caps["protocols"].as_array().cloned().unwrap_or_default();
    let other = ["nfs", "cifs", "parallel_fs"]
        .into_iter()
        .find(|p| !offered.iter().any(|o| o == p))
        .expect("no provider offers every protocol");
    let mut body = t.create_body("conf_proto");
    body["protocol"] = json!(other);
    let p = expect(
        &send(t.req(Method::POST, "/v1/volumes").json(&body)).await,
        422,
        "unsupported_value",
        false,
    );
    assert_eq!(p["field"], "protocol");
    // Breaking the schema is another matter: 400 on every provider.
    let mut body = t.create_body("conf_long");
    body["name"] = json!("n".repeat(256));
    let p = expect(
        &send(t.req(Method::POST, "/v1/volumes").json(&body)).await,
        400,
        "invalid_argument",
        false,
    );
    assert_eq!(p["field"], "name");
}

/// A garbled token (refused by the gateway) and a well-formed one whose provider part was
/// tampered with (refused by the provider's own token parsing) are both the client's
/// mistake, never an "unreachable" provider.
async fn bad_page_token_is_422_invalid_page_token(t: Target) {
    let list = format!(
        "/v1/volumes?provider={}&kind={}&page_size=1",
        t.provider, t.kind
    );
    let p = expect(
        &send(t.req(Method::GET, &format!("{list}&page_token=forged"))).await,
        422,
        "invalid_page_token",
        false,
    );
    assert_eq!(p["field"], "page_token");

    t.volume("conf_tok_a").await;
    t.volume("conf_tok_b").await;
    let (s, first) = t.get(&list).await;
    assert_eq!(s, 200, "{first}");
    let token = first["next_page_token"].as_str().expect("a second page");
    let mut decoded: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token).expect("base64url")).expect("JSON");
    let cursor = &mut decoded["c"][t.provider];
    assert!(cursor["t"].is_string(), "a provider token: {decoded}");
    cursor["t"] = json!("forged");
    let tampered = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&decoded).unwrap());
    let p = expect(
        &send(t.req(Method::GET, &format!("{list}&page_token={tampered}"))).await,
        422,
        "invalid_page_token",
        false,
    );
    assert_eq!(p["field"], "page_token");
}

suite!(
    duplicate_volume_name_is_409_already_exists,
    delete_of_a_replicated_volume_is_409_failed_precondition,
    missing_volume_is_404_volume_not_found,
    value_not_offered_is_422_unsupported_value,
    bad_page_token_is_422_invalid_page_token
);

/// Behaviours that catch a resource mid-change, on providers whose changes take a while.
mod busy {
    use super::*;

    /// Long enough that the next request surely finds the volume still being created.
    pub(crate) const SETTLE: Duration = Duration::from_secs(2);

    /// Every simulator moves a new volume through a transitional state (NHN `BUILDING`, SCP
    /// `creating`); a delete meanwhile is refused as busy, and succeeds once it settles.
    async fn delete_of_a_volume_being_created_is_409_conflict(t: Target) {
        let created = send(
            t.req(Method::POST, "/v1/volumes")
                .json(&t.create_body("conf_busy")),
        )
        .await;
        assert_eq!(created.0, 202, "{}", created.2);
        let v = format!(
            "/v1/volumes/{}",
            created.2["target"]
                .as_str()
                .expect("the operation names its volume")
        );
        let resp = send(t.req(Method::DELETE, &v)).await;
        let p = expect(&resp, 409, "conflict", true);
        assert_eq!(p["provider"], t.provider);
        // Retryable means it: once the create has settled, the same delete is accepted.
        settle(&t.gw, created).await;
        t.op(Method::DELETE, &v, None).await;
    }

    suite!(settle = crate::errors::busy::SETTLE; delete_of_a_volume_being_created_is_409_conflict);
}
