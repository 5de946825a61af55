//! The whole lifecycle: bucket, flags, policy, archiving runs, objects and versions,
//! recoveries, pausing, cancelling slow jobs, failures, deletes.

use serde_json::{json, Value};

use super::{detail, policy_body, window, T, WEST};

fn names(list: &Value) -> Vec<(String, String)> {
    list["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["object_name"].as_str().unwrap().to_string(),
                o["object_type"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn archive_recover_and_delete_a_bucket_end_to_end() {
    let t = T::new().await;
    let s = &t.sim;
    s.seed_object_bucket(WEST, "obs-src");
    s.seed_object_bucket(WEST, "obs-target");
    s.put_source_object(WEST, "obs-src", "docs/a.txt", 100, 10);
    s.put_source_object(WEST, "obs-src", "docs/b.txt", 200, 10);
    s.put_source_object(WEST, "obs-src", "top.txt", 50, 8);
    s.put_source_object(WEST, "obs-src", "young.txt", 10, 1);

    let (st, b) = t
        .call(
            "POST",
            "/v1/buckets",
            Some(json!({"name": "arch-1", "tags": [{"key": "team", "value": "storage"}]})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let bucket = format!("/v1/buckets/{id}");
    assert_eq!(
        t.get(&bucket).await,
        json!({"id": id, "name": "arch-1", "state": "ACTIVE", "usage": "0",
            "archiving_source_bucket_name": null})
    );
    let listed = t.get("/v1/buckets").await;
    assert_eq!(listed, json!({"buckets": [{"id": id, "name": "arch-1"}]}));

    // Flags: both false, then on.
    for flag in ["encryption", "versioning"] {
        let path = format!("{bucket}/{flag}");
        assert_eq!(t.get(&path).await, json!({"id": id, "enabled": false}));
        let (st, b) = t.call("PUT", &path, Some(json!({"enabled": true}))).await;
        assert_eq!((st, b), (200, json!({"id": id, "enabled": true})));
        assert_eq!(t.get(&path).await["enabled"], true);
    }

    // Policy: ACTIVE, the bucket shows its source.
    let (st, p) = t
        .call(
            "POST",
            &format!("/v1/archiving-policies?bucket_id={id}"),
            Some(policy_body("obs-src", "7")),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let pid = p["id"].as_str().unwrap().to_string();
    assert!(pid.starts_with("SCH-") && pid.len() == 40, "{pid}");
    assert_eq!(
        p,
        json!({"id": pid, "bucket_id": id,
            "archiving_source": {"bucket_name": "obs-src", "object_path": "/"},
            "object_lifecycle": "7", "state": "ACTIVE"})
    );
    assert_eq!(
        t.get(&bucket).await["archiving_source_bucket_name"],
        "obs-src"
    );
    let pols = t
        .get(&format!("/v1/archiving-policies?bucket_id={id}"))
        .await;
    assert_eq!(
        pols,
        json!({"count": 1, "bucket_id": id, "archiving_source_bucket_name": "obs-src",
            "archiving_policies": [{"id": pid, "object_lifecycle": "7", "object_path": "/",
                "state": "ACTIVE"}]})
    );

    // An archiving run copies the three objects at least 7 days old.
    let run = s.run_archiving(WEST, &id).expect("an ACTIVE policy");
    assert!(run.starts_with("EXE-"));
    let h = t.archived(&id, &run).await;
    assert_eq!(h["state"], "SUCCESS", "{h}");
    assert_eq!(
        (h["archiving_id"].clone(), h["archiving_policy_id"].clone()),
        (json!(pid), json!(pid))
    );
    assert!(h["end_at"].as_str().unwrap().ends_with("+09:00"), "{h}");
    assert_eq!(
        h["archiving_infos"],
        json!([{"source_object_path": "/", "usage": "350", "total_object_count": 3,
            "archiving_object_count": 3, "archiving_rate": 100}])
    );
    assert_eq!(t.get(&bucket).await["usage"], "350");
    let root = t.get(&format!("{bucket}/objects")).await;
    assert_eq!(
        names(&root),
        [
            ("docs/".into(), "FOLDER".into()),
            ("top.txt".into(), "FILE".into())
        ]
    );
    assert_eq!(root["contents"][0]["object_size"], Value::Null);
    assert_eq!(root["contents"][1]["object_size"], "50");
    let docs = t.get(&format!("{bucket}/objects?object_path=docs/")).await;
    assert_eq!(
        names(&docs),
        [
            ("docs/a.txt".into(), "FILE".into()),
            ("docs/b.txt".into(), "FILE".into())
        ]
    );
    assert!(docs["contents"][0]["modified_at"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    assert_eq!(
        (docs["is_truncated"].clone(), docs["marker"].clone()),
        (json!(false), Value::Null)
    );

    // Nothing new: the next run is SKIPPED. New content adds a version.
    let run = s.run_archiving(WEST, &id).unwrap();
    assert_eq!(t.archived(&id, &run).await["state"], "SKIPPED");
    s.put_source_object(WEST, "obs-src", "docs/a.txt", 120, 9);
    let run = s.run_archiving(WEST, &id).unwrap();
    let h = t.archived(&id, &run).await;
    assert_eq!(h["archiving_infos"][0]["total_object_count"], 1);
    let vers = t
        .get(&format!("{bucket}/object-versions?object_path=docs/a.txt"))
        .await;
    assert_eq!(vers["count"], 2);
    let (newest, oldest) = (&vers["contents"][0], &vers["contents"][1]);
    assert_eq!(
        (newest["latest"].clone(), newest["size"].clone()),
        (json!(true), json!("120"))
    );
    assert_eq!(
        (oldest["latest"].clone(), oldest["size"].clone()),
        (json!(false), json!("100"))
    );
    let old_version = oldest["object_version_id"].as_str().unwrap().to_string();
    assert_eq!(old_version.len(), 31);
    assert_eq!(newest["etag"].as_str().unwrap().len(), 32);
    let hist = t
        .get(&format!(
            "/v1/archiving-histories?bucket_id={id}&{}",
            window()
        ))
        .await;
    assert_eq!(hist["total_count"], 3);
    assert_eq!(hist["contents"][0]["id"], run.as_str());

    // Recover the folder into the target: listable at once, then the keys are there.
    let (st, b) = t
        .call(
            "PUT",
            &format!("{bucket}/recover-objects"),
            Some(json!({"recovery_target_bucket_name": "obs-target",
                "recovery_infos": [{"source_object_path": "docs/", "object_type": "FOLDER"},
                    {"source_object_path": "top.txt", "object_type": "FILE"}],
                "overwrite": false})),
        )
        .await;
    assert_eq!(
        (st, b),
        (
            202,
            json!({"id": id, "recovery_target_bucket_name": "obs-target"})
        )
    );
    let recs = t
        .get(&format!(
            "/v1/recovery-histories?bucket_id={id}&{}",
            window()
        ))
        .await;
    assert_eq!(recs["total_count"], 1);
    let rec = recs["contents"][0].clone();
    assert!(rec["recovery_id"].as_str().unwrap().starts_with("ARC-"));
    assert_eq!(rec["recovery_target_bucket_name"], "obs-target");
    let rid = rec["id"].as_str().unwrap().to_string();
    let rpath = format!("/v1/recovery-histories/detail?id={rid}&bucket_id={id}");
    let r = t.wait(&rpath, |b| b["state"] == "SUCCESS").await;
    assert_eq!(
        r["recovery_infos"],
        json!([{"source_object_path": "docs/", "usage": "320", "total_object_count": 2,
                "recovery_object_count": 2, "recovery_rate": 100},
            {"source_object_path": "top.txt", "usage": "50", "total_object_count": 1,
                "recovery_object_count": 1, "recovery_rate": 100}])
    );
    assert_eq!(
        s.object_bucket_keys(WEST, "obs-target"),
        ["docs/a.txt", "docs/b.txt", "top.txt"]
    );

    // Recover the old version of one object.
    let (st, _) = t
        .call(
            "PUT",
            &format!("{bucket}/recover-object-versions"),
            Some(json!({"recovery_target_bucket_name": "obs-target",
                "source_object_path": "docs/a.txt", "source_object_version": old_version,
                "overwrite": true})),
        )
        .await;
    assert_eq!(st, 202);
    let recs = t
        .get(&format!(
            "/v1/recovery-histories?bucket_id={id}&{}",
            window()
        ))
        .await;
    assert_eq!(recs["total_count"], 2);
    let rid = recs["contents"][0]["id"].as_str().unwrap().to_string();
    let r = t
        .wait(
            &format!("/v1/recovery-histories/detail?id={rid}&bucket_id={id}"),
            |b| b["state"] == "SUCCESS",
        )
        .await;
    assert_eq!(r["recovery_infos"][0]["usage"], "100");

    // Pause and resume the policy.
    let state = format!("/v1/archiving-policies/{pid}/state?bucket_id={id}");
    let (st, b) = t
        .call("PUT", &state, Some(json!({"state": "INACTIVE"})))
        .await;
    assert_eq!(
        (st, b),
        (
            200,
            json!({"id": pid, "bucket_id": id, "state": "INACTIVE"})
        )
    );
    assert_eq!(s.run_archiving(WEST, &id), None);
    let (st, _) = t
        .call("PUT", &state, Some(json!({"state": "ACTIVE"})))
        .await;
    assert_eq!(st, 200);
    let run = s.run_archiving(WEST, &id).expect("resumed");
    t.archived(&id, &run).await;
    let (st, b) = t
        .call(
            "PUT",
            &format!("/v1/archiving-policies/{pid}?bucket_id={id}"),
            Some(json!({"object_lifecycle": "30"})),
        )
        .await;
    assert_eq!((st, b["object_lifecycle"].clone()), (200, json!("30")));

    // Delete the old version: the newest stays latest.
    let (st, _) = t
        .call(
            "DELETE",
            &format!("{bucket}/object-versions"),
            Some(json!({"path": "docs/a.txt", "versions": [old_version]})),
        )
        .await;
    assert_eq!(st, 202);
    let vers = t
        .get(&format!("{bucket}/object-versions?object_path=docs/a.txt"))
        .await;
    assert_eq!(
        (vers["count"].clone(), vers["contents"][0]["latest"].clone()),
        (json!(1), json!(true))
    );

    // The bucket holds objects: 409; empty it, then it goes, and the source is free again.
    let (st, b) = t.call("DELETE", &bucket, None).await;
    assert_eq!(st, 409);
    assert!(detail(&b).contains("not empty"));
    let (st, _) = t
        .call(
            "DELETE",
            &format!("{bucket}/objects"),
            Some(json!({"paths": ["docs/", "top.txt"]})),
        )
        .await;
    assert_eq!(st, 202);
    assert_eq!(t.get(&format!("{bucket}/objects")).await["count"], 0);
    let (st, _) = t.call("DELETE", &bucket, None).await;
    assert_eq!(st, 202);
    assert_eq!(t.call("GET", &bucket, None).await.0, 404);
    let again = t.bucket("arch-2").await;
    t.policy(&again, "obs-src", "1").await;
}

#[tokio::test]
async fn slow_jobs_stay_in_progress_until_cancelled_and_fail_names_fail() {
    let t = T::new().await;
    let s = &t.sim;
    s.seed_object_bucket(WEST, "obs-slow");
    for k in ["a", "b", "c", "d"] {
        s.put_source_object(WEST, "obs-slow", k, 10, 3);
    }
    let id = t.bucket("arch-slow").await;
    t.policy(&id, "obs-slow", "1").await;
    let run = s.run_archiving(WEST, &id).unwrap();
    let path = format!("/v1/archiving-histories/detail?id={run}&bucket_id={id}");
    let h = t.wait(&path, |b| b["state"] == "INPROGRESS").await;
    assert_eq!(h["end_at"], Value::Null);
    assert_eq!(
        (
            h["archiving_infos"][0]["archiving_object_count"].clone(),
            h["archiving_infos"][0]["archiving_rate"].clone()
        ),
        (json!(2), json!(50))
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(t.get(&path).await["state"], "INPROGRESS");
    // A running job keeps the bucket.
    let (st, b) = t.call("DELETE", &format!("/v1/buckets/{id}"), None).await;
    assert_eq!(st, 409, "{b}");
    let cancel = format!("/v1/archiving-histories/cancel-archiving?id={run}&bucket_id={id}");
    let (st, b) = t.call("PUT", &cancel, None).await;
    assert_eq!((st, b), (202, Value::Null));
    let h = t.get(&path).await;
    assert_eq!(h["state"], "CANCELED");
    assert!(h["end_at"].is_string());
    let (st, b) = t.call("PUT", &cancel, None).await;
    assert_eq!(st, 409);
    detail(&b);
    // What was archived before the cancel stays.
    assert_eq!(
        t.get(&format!("/v1/buckets/{id}/objects")).await["count"],
        2
    );

    // A slow recovery, cancelled.
    s.seed_object_bucket(WEST, "restore-slow");
    let (st, _) = t
        .call(
            "PUT",
            &format!("/v1/buckets/{id}/recover-objects"),
            Some(json!({"recovery_target_bucket_name": "restore-slow",
                "recovery_infos": [{"source_object_path": "/", "object_type": "FOLDER"}],
                "overwrite": true})),
        )
        .await;
    assert_eq!(st, 202);
    let recs = t
        .get(&format!(
            "/v1/recovery-histories?bucket_id={id}&{}",
            window()
        ))
        .await;
    let rid = recs["contents"][0]["id"].as_str().unwrap().to_string();
    let rpath = format!("/v1/recovery-histories/detail?id={rid}&bucket_id={id}");
    let r = t.wait(&rpath, |b| b["state"] == "INPROGRESS").await;
    assert_eq!(r["recovery_infos"][0]["recovery_object_count"], 1);
    let cancel = format!("/v1/recovery-histories/cancel-recovery?id={rid}&bucket_id={id}");
    assert_eq!(t.call("PUT", &cancel, None).await.0, 202);
    assert_eq!(t.get(&rpath).await["state"], "CANCELED");
    assert_eq!(t.call("PUT", &cancel, None).await.0, 409);
    assert_eq!(s.object_bucket_keys(WEST, "restore-slow"), ["a"]);

    // `fail` in the target's name fails the recovery, in the source's the archiving.
    s.seed_object_bucket(WEST, "restore-fail");
    let (st, _) = t
        .call(
            "PUT",
            &format!("/v1/buckets/{id}/recover-objects"),
            Some(json!({"recovery_target_bucket_name": "restore-fail",
                "recovery_infos": [{"source_object_path": "a", "object_type": "FILE"}],
                "overwrite": true})),
        )
        .await;
    assert_eq!(st, 202);
    let recs = t
        .wait(
            &format!(
                "/v1/recovery-histories?bucket_id={id}&state=FAILED&{}",
                window()
            ),
            |b| b["total_count"] == 1,
        )
        .await;
    assert_eq!(
        recs["contents"][0]["recovery_target_bucket_name"],
        "restore-fail"
    );
    assert!(s.object_bucket_keys(WEST, "restore-fail").is_empty());

    s.seed_object_bucket(WEST, "obs-fail");
    s.put_source_object(WEST, "obs-fail", "x", 1, 5);
    let other = t.bucket("arch-f").await;
    t.policy(&other, "obs-fail", "1").await;
    let run = s.run_archiving(WEST, &other).unwrap();
    let h = t.archived(&other, &run).await;
    assert_eq!(h["state"], "FAILED");
    assert_eq!(
        t.get(&format!("/v1/buckets/{other}/objects")).await["count"],
        0
    );
    let (st, _) = t
        .call(
            "PUT",
            &format!("/v1/archiving-histories/cancel-archiving?id={run}&bucket_id={other}"),
            None,
        )
        .await;
    assert_eq!(st, 409);
}

#[tokio::test]
async fn unversioned_buckets_overwrite_and_seeds_follow_the_flag() {
    let t = T::new().await;
    let s = &t.sim;
    let id = s.seed_archive_bucket(WEST, "arch-u");
    let v1 = s.seed_archived_object(WEST, &id, "k", 5);
    let v2 = s.seed_archived_object(WEST, &id, "k", 6);
    assert_ne!(v1, v2);
    let vers = t
        .get(&format!("/v1/buckets/{id}/object-versions?object_path=k"))
        .await;
    assert_eq!(vers["count"], 1);
    assert_eq!(vers["contents"][0]["object_version_id"], v2.as_str());
    let (st, _) = t
        .call(
            "PUT",
            &format!("/v1/buckets/{id}/versioning"),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(st, 200);
    s.seed_archived_object(WEST, &id, "k", 7);
    let vers = t
        .get(&format!("/v1/buckets/{id}/object-versions?object_path=/k"))
        .await;
    assert_eq!(vers["count"], 2);
    // Deleting every version removes the object.
    let all: Vec<Value> = vers["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["object_version_id"].clone())
        .collect();
    let (st, _) = t
        .call(
            "DELETE",
            &format!("/v1/buckets/{id}/object-versions"),
            Some(json!({"path": "k", "versions": all})),
        )
        .await;
    assert_eq!(st, 202);
    assert_eq!(
        t.get(&format!("/v1/buckets/{id}/objects")).await["count"],
        0
    );
    // A non-empty bucket can be deleted once the rule is lifted.
    s.seed_archived_object(WEST, &id, "k", 1);
    s.set_archive_delete_requires_empty(false);
    assert_eq!(
        t.call("DELETE", &format!("/v1/buckets/{id}"), None).await.0,
        202
    );
}
