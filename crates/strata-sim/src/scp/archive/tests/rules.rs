//! Request validation (400 `ValidationErrorModel[]`), conflicts (409) and unknown resources
//! (404) in the `errors` shape.

use serde_json::{json, Value};

use super::{detail, policy_body, validation, window, EAST, T, WEST};

#[tokio::test]
async fn request_validation_is_a_400_validation_error_model() {
    let t = T::new().await;
    let id = t.sim.seed_archive_bucket(WEST, "arch-r");
    t.sim.seed_object_bucket(WEST, "obs-r");
    let long = "a".repeat(64);
    for name in [
        "ab",
        long.as_str(),
        "Upper",
        "-lead",
        "a..b",
        "a.-b",
        "a-.b",
        "trail-",
        "trail.",
        "192.168.1.1",
        "my-admin-bucket",
        "under_score",
    ] {
        let (s, b) = t
            .call("POST", "/v1/buckets", Some(json!({"name": name})))
            .await;
        assert_eq!(s, 400, "{name}: {b}");
        assert!(validation(&b).contains("bucket name"), "{b}");
    }
    let key = "k".repeat(129);
    let pid = t.policy(&id, "obs-r", "1").await;
    let pol = format!("/v1/archiving-policies?bucket_id={id}");
    let hist = format!("/v1/archiving-histories?bucket_id={id}");
    let cases: Vec<(&str, String, Option<Value>)> = vec![
        (
            "POST",
            "/v1/buckets".into(),
            Some(json!({"name": "ok-name", "tags": [{"key": key}]})),
        ),
        (
            "POST",
            "/v1/buckets".into(),
            Some(json!({"name": "ok-name", "extra": 1})),
        ),
        ("POST", "/v1/buckets".into(), None),
        ("POST", pol.clone(), Some(policy_body("obs-r", "0"))),
        ("POST", pol.clone(), Some(policy_body("obs-r", "3651"))),
        ("POST", pol.clone(), Some(policy_body("obs-r", "abc"))),
        (
            "POST",
            pol.clone(),
            Some(json!({"archiving_source_bucket_name": "obs-r",
            "object_lifecycle": 7, "object_path": "/"})),
        ),
        (
            "POST",
            pol.clone(),
            Some(json!({"archiving_source_bucket_name": "obs-r",
            "object_lifecycle": "7", "object_path": "/x"})),
        ),
        (
            "POST",
            "/v1/archiving-policies".into(),
            Some(policy_body("obs-r", "7")),
        ),
        ("GET", "/v1/archiving-policies".into(), None),
        (
            "PUT",
            format!("/v1/archiving-policies/{pid}?bucket_id={id}"),
            Some(json!({"object_lifecycle": "-1"})),
        ),
        (
            "PUT",
            format!("/v1/archiving-policies/{pid}/state?bucket_id={id}"),
            Some(json!({"state": "PAUSED"})),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/encryption"),
            Some(json!({"enabled": "yes"})),
        ),
        (
            "GET",
            format!("/v1/buckets/{id}/objects?object_type=FILES"),
            None,
        ),
        ("GET", format!("/v1/buckets/{id}/objects?limit=0"), None),
        ("GET", format!("/v1/buckets/{id}/objects?limit=many"), None),
        ("GET", format!("/v1/buckets/{id}/object-versions"), None),
        (
            "DELETE",
            format!("/v1/buckets/{id}/objects"),
            Some(json!({"paths": []})),
        ),
        ("DELETE", format!("/v1/buckets/{id}/objects"), None),
        (
            "DELETE",
            format!("/v1/buckets/{id}/object-versions"),
            Some(json!({"path": "k", "versions": []})),
        ),
        (
            "DELETE",
            format!("/v1/buckets/{id}/object-versions"),
            Some(json!({"path": "k", "versions": [{"id": 1}]})),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-objects"),
            Some(json!({"recovery_target_bucket_name": "obs-r",
                "recovery_infos": [{"source_object_path": "k", "object_type": "DIR"}], "overwrite": true})),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-objects"),
            Some(
                json!({"recovery_target_bucket_name": "obs-r", "recovery_infos": []
                , "overwrite": true}),
            ),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-objects"),
            Some(json!({"recovery_target_bucket_name": "obs-r",
                "recovery_infos": [{"source_object_path": "k", "object_type": "FILE"}]})),
        ),
        ("GET", hist.clone(), None),
        (
            "GET",
            format!("{hist}&start_at_from=2025-04-01T00:00:00%2B09:00"),
            None,
        ),
        (
            "GET",
            format!("{hist}&start_at_from=yesterday&start_at_to=today"),
            None,
        ),
        ("GET", format!("/v1/archiving-histories?{}", window()), None),
        ("GET", format!("{hist}&{}&offset=-1", window()), None),
        (
            "GET",
            format!("/v1/recovery-histories?bucket_id={id}"),
            None,
        ),
        (
            "GET",
            format!("/v1/archiving-histories/detail?bucket_id={id}"),
            None,
        ),
        (
            "PUT",
            "/v1/recovery-histories/cancel-recovery?id=EXE-x".into(),
            None,
        ),
    ];
    for (m, p, body) in cases {
        let (s, b) = t.call(m, &p, body.clone()).await;
        assert_eq!(s, 400, "{m} {p} {body:?}: {b}");
        validation(&b);
    }
}

#[tokio::test]
async fn conflicts_are_409() {
    let t = T::new().await;
    let s = &t.sim;
    s.seed_object_bucket(WEST, "obs-c");
    s.seed_object_bucket(WEST, "obs-d");
    let a = t.bucket("arch-a").await;
    let b = t.bucket("arch-b").await;
    let (st, body) = t
        .call("POST", "/v1/buckets", Some(json!({"name": "arch-a"})))
        .await;
    assert_eq!(st, 409);
    assert!(detail(&body).contains("already exists"));
    // The same name is free in another region.
    let (st, _) = t
        .raw(
            EAST,
            Some("archivestorage 1.1"),
            "POST",
            "/v1/buckets",
            Some(json!({"name": "arch-a"})),
        )
        .await;
    assert_eq!(st, 201);
    t.policy(&a, "obs-c", "1").await;
    let (st, body) = t
        .call(
            "POST",
            &format!("/v1/archiving-policies?bucket_id={a}"),
            Some(policy_body("obs-d", "1")),
        )
        .await;
    assert_eq!(st, 409, "a second policy: {body}");
    let (st, body) = t
        .call(
            "POST",
            &format!("/v1/archiving-policies?bucket_id={b}"),
            Some(policy_body("obs-c", "1")),
        )
        .await;
    assert_eq!(st, 409, "a source in use: {body}");
    assert!(detail(&body).contains("obs-c"));
    // Cancelling a finished run; deleting a bucket with objects.
    s.put_source_object(WEST, "obs-c", "x", 1, 3);
    let run = s.run_archiving(WEST, &a).unwrap();
    assert_eq!(t.archived(&a, &run).await["state"], "SUCCESS");
    let (st, _) = t
        .call(
            "PUT",
            &format!("/v1/archiving-histories/cancel-archiving?id={run}&bucket_id={a}"),
            None,
        )
        .await;
    assert_eq!(st, 409);
    assert_eq!(
        t.call("DELETE", &format!("/v1/buckets/{a}"), None).await.0,
        409
    );
    // A pending recovery keeps the bucket too.
    s.set_archive_delete_requires_empty(false);
    let (st, _) = t
        .call(
            "PUT",
            &format!("/v1/buckets/{a}/recover-objects"),
            Some(json!({"recovery_target_bucket_name": "obs-d",
                "recovery_infos": [{"source_object_path": "x", "object_type": "FILE"}],
                "overwrite": false})),
        )
        .await;
    assert_eq!(st, 202);
    assert_eq!(
        t.call("DELETE", &format!("/v1/buckets/{a}"), None).await.0,
        409
    );
}

#[tokio::test]
async fn unknown_resources_are_404() {
    let t = T::new().await;
    let s = &t.sim;
    s.seed_object_bucket(WEST, "obs-n");
    s.seed_object_bucket(WEST, "obs-m");
    s.put_source_object(WEST, "obs-n", "dir/k", 1, 3);
    let id = t.bucket("arch-n").await;
    let other = t.bucket("arch-m").await;
    let pid = t.policy(&id, "obs-n", "1").await;
    let opid = t.policy(&other, "obs-m", "1").await;
    let run = s.run_archiving(WEST, &id).unwrap();
    t.archived(&id, &run).await;
    let version = t
        .get(&format!(
            "/v1/buckets/{id}/object-versions?object_path=dir/k"
        ))
        .await["contents"][0]["object_version_id"]
        .clone();
    let east = s.seed_archive_bucket(EAST, "arch-east");
    let recover = |target: &str, path: &str, kind: &str| {
        json!({"recovery_target_bucket_name": target,
            "recovery_infos": [{"source_object_path": path, "object_type": kind}], "overwrite": true})
    };
    let cases: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/v1/buckets/nope".into(), None),
        ("GET", format!("/v1/buckets/{east}"), None),
        ("DELETE", "/v1/buckets/nope".into(), None),
        ("GET", "/v1/buckets/nope/encryption".into(), None),
        (
            "PUT",
            "/v1/buckets/nope/versioning".into(),
            Some(json!({"enabled": true})),
        ),
        ("GET", "/v1/buckets/nope/objects".into(), None),
        ("GET", "/v1/archiving-policies?bucket_id=nope".into(), None),
        (
            "POST",
            "/v1/archiving-policies?bucket_id=nope".into(),
            Some(policy_body("obs-n", "1")),
        ),
        (
            "GET",
            format!("/v1/archiving-policies/SCH-nope?bucket_id={id}"),
            None,
        ),
        (
            "GET",
            format!("/v1/archiving-policies/{opid}?bucket_id={id}"),
            None,
        ),
        (
            "PUT",
            format!("/v1/archiving-policies/{opid}?bucket_id={id}"),
            Some(json!({"object_lifecycle": "2"})),
        ),
        (
            "GET",
            format!("/v1/archiving-policies/{pid}?bucket_id={other}"),
            None,
        ),
        (
            "GET",
            format!("/v1/archiving-histories/detail?id=EXE-nope&bucket_id={id}"),
            None,
        ),
        (
            "GET",
            format!("/v1/archiving-histories/detail?id={run}&bucket_id={other}"),
            None,
        ),
        (
            "PUT",
            format!("/v1/archiving-histories/cancel-archiving?id=EXE-nope&bucket_id={id}"),
            None,
        ),
        (
            "GET",
            format!("/v1/recovery-histories/detail?id={run}&bucket_id={id}"),
            None,
        ),
        (
            "PUT",
            format!("/v1/recovery-histories/cancel-recovery?id=EXE-nope&bucket_id={id}"),
            None,
        ),
        (
            "GET",
            format!("/v1/archiving-histories?bucket_id=nope&{}", window()),
            None,
        ),
        (
            "GET",
            format!("/v1/buckets/{id}/object-versions?object_path=dir/nope"),
            None,
        ),
        (
            "DELETE",
            format!("/v1/buckets/{id}/objects"),
            Some(json!({"paths": ["dir/k", "nope/"]})),
        ),
        (
            "DELETE",
            format!("/v1/buckets/{id}/object-versions"),
            Some(json!({"path": "dir/k", "versions": ["nope"]})),
        ),
        (
            "DELETE",
            format!("/v1/buckets/{id}/object-versions"),
            Some(json!({"path": "nope", "versions": [version.clone()]})),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-objects"),
            Some(recover("obs-nope", "dir/", "FOLDER")),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-objects"),
            Some(recover("obs-m", "nope/", "FOLDER")),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-objects"),
            Some(recover("obs-m", "dir", "FILE")),
        ),
        (
            "PUT",
            "/v1/buckets/nope/recover-objects".into(),
            Some(recover("obs-m", "dir/", "FOLDER")),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-object-versions"),
            Some(
                json!({"recovery_target_bucket_name": "obs-m", "source_object_path": "dir/k",
                "source_object_version": "nope", "overwrite": false}),
            ),
        ),
        (
            "PUT",
            format!("/v1/buckets/{id}/recover-object-versions"),
            Some(
                json!({"recovery_target_bucket_name": "obs-nope", "source_object_path": "dir/k",
                "source_object_version": version, "overwrite": false}),
            ),
        ),
    ];
    for (m, p, body) in cases {
        let (st, b) = t.call(m, &p, body.clone()).await;
        assert_eq!(st, 404, "{m} {p} {body:?}: {b}");
        detail(&b);
    }
    // A policy on an unknown source; nothing was deleted by the refused calls.
    let third = t.bucket("arch-o").await;
    let (st, _) = t
        .call(
            "POST",
            &format!("/v1/archiving-policies?bucket_id={third}"),
            Some(policy_body("obs-nope", "1")),
        )
        .await;
    assert_eq!(st, 404);
    let objs = t
        .get(&format!("/v1/buckets/{id}/objects?object_path=dir/"))
        .await;
    assert_eq!(objs["count"], 1);
    // A FOLDER recovery of `dir` (no trailing slash) finds the folder.
    let (st, _) = t
        .call(
            "PUT",
            &format!("/v1/buckets/{id}/recover-objects"),
            Some(recover("obs-m", "dir", "FOLDER")),
        )
        .await;
    assert_eq!(st, 202);
}
