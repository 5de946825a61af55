//! Conformance: Volumes: lifecycle, limits, unknown ids, access rules.

use super::*;

async fn volume_lifecycle(t: Target) {
    let id = t.volume("conf_life").await;
    let v = format!("/v1/volumes/{id}");
    let (s, got) = t.get(&v).await;
    let name = t.name("conf_life");
    assert_eq!(
        (s, got["name"].as_str(), got["kind"].as_str()),
        (200, Some(name.as_str()), Some(t.kind))
    );
    let (_, list) = t
        .get(&format!(
            "/v1/volumes?provider={}&kind={}&name={name}",
            t.provider, t.kind
        ))
        .await;
    assert_eq!(list["volumes"].as_array().unwrap().len(), 1, "{list}");
    if t.supports("volume_resize") {
        let bigger = t.min_size() + t.step();
        t.op(Method::PATCH, &v, Some(json!({"size_gib": bigger})))
            .await;
        assert_eq!(t.get(&v).await.1["size_gib"].as_u64(), Some(bigger));
    }
    t.op(Method::DELETE, &v, None).await;
    assert_problem(&send(t.req(Method::GET, &v)).await, 404, "volume_not_found");
}

async fn requests_outside_the_limits_are_422_unsupported_value(t: Target) {
    let mut small = t.create_body("conf_small");
    // Elastic capacity takes no size at all; provisioned capacity has a floor.
    small["size_gib"] = json!(if t.elastic() { 100 } else { t.min_size() - 1 });
    let p = assert_problem(
        &send(t.req(Method::POST, "/v1/volumes").json(&small)).await,
        422,
        "unsupported_value",
    );
    assert_eq!(p["field"], "size_gib");
    let long = "n".repeat(t.caps["name"]["max_len"].as_u64().unwrap() as usize + 1);
    let p = assert_problem(
        &send(
            t.req(Method::POST, "/v1/volumes")
                .json(&t.create_body(&long)),
        )
        .await,
        422,
        "unsupported_value",
    );
    assert_eq!(p["field"], "name");
}

async fn unknown_volumes_are_404(t: Target) {
    let id = GlobalId::new(
        ResourceType::Volume,
        t.provider,
        Some(t.volume_kind()),
        "00000000-0000-4000-8000-000000000000",
    )
    .encode();
    assert_problem(
        &send(t.req(Method::GET, &format!("/v1/volumes/{id}"))).await,
        404,
        "volume_not_found",
    );
}

async fn access_rules_round_trip(t: Target) {
    let id = t.volume("conf_acl").await;
    let path = format!("/v1/volumes/{id}/access-rules");
    let rules = t.two_rules();
    if !t.supports("access_rules") {
        return t.refused(Method::PUT, &path, rules).await;
    }
    t.op(Method::PUT, &path, Some(rules.clone())).await;
    assert_eq!(t.get(&path).await.1, rules);
}

suite!(
    volume_lifecycle,
    requests_outside_the_limits_are_422_unsupported_value,
    unknown_volumes_are_404,
    access_rules_round_trip
);
