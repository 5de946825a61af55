//! The whole life of an archive at API 1.1, through `ScpProvider`.

use super::*;

#[tokio::test]
async fn archives_live_their_whole_life() {
    let sim = sim().await;
    sim.seed_object_bucket(REGION, "app-logs");
    sim.put_source_object(REGION, "app-logs", "logs/a.txt", 100, 40);
    sim.put_source_object(REGION, "app-logs", "logs/b.txt", 200, 40);
    sim.put_source_object(REGION, "app-logs", "fresh.txt", 10, 1);
    sim.seed_object_bucket(REGION, "restored");
    sim.seed_object_bucket(REGION, "restored-v");
    let p = provider(&sim, "1.1");
    let c = ctx();
    let caps = p.capabilities().archives().unwrap();
    assert!(caps.versioning && caps.policy_pause && caps.labels && !caps.policy_prefix);
    assert!(p.health().await.ok);

    // Create with encryption, versioning and labels: the flags follow inside the create.
    let a = p
        .create_archive(
            &c,
            &create(
                "audit-logs",
                json!({"encrypted": true, "versioning": true, "labels": {"team": "ops"}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        (a.name.as_str(), a.status, a.encrypted, a.versioning),
        ("audit-logs", BackupStatus::Active, true, Some(true))
    );
    assert_eq!(a.source_bucket, None);
    let created = sim
        .faults(Service::ArchiveStorage)
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.uri == "/v1/buckets")
        .unwrap();
    assert_eq!(
        created.body,
        Some(json!({"name": "audit-logs", "tags": [{"key": "team", "value": "ops"}]}))
    );
    let aid = gid(&a.id, ResourceType::Archive);
    // The same name again: already_exists from the pre-check, no second create sent.
    let e = p
        .create_archive(&c, &create("audit-logs", json!({})))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "already_exists");
    assert_eq!(count(&sim, "POST", "/v1/buckets"), 1);
    let other = p
        .create_archive(&c, &create("audit-logs-2", json!({})))
        .await
        .unwrap();
    assert_eq!((other.encrypted, other.versioning), (false, Some(false)));
    sim.seed_archive_bucket(REGION, "zz-seeded");

    // Get, list by name (substring) and page one at a time by name.
    assert_eq!(p.get_archive(&c, &aid).await.unwrap(), a);
    let pages = all_pages(1, |r| {
        let p = &p;
        let c = &c;
        async move { p.list_archives(c, &ArchiveFilter::default(), &r).await }
    })
    .await;
    let names: Vec<String> = pages.iter().flatten().map(|a| a.name.clone()).collect();
    assert_eq!(names, ["audit-logs", "audit-logs-2", "zz-seeded"]);
    let filtered = p
        .list_archives(
            &c,
            &ArchiveFilter {
                name: Some("logs-2".into()),
            },
            &page(10),
        )
        .await
        .unwrap();
    assert_eq!(filtered.items.len(), 1);
    assert_eq!(filtered.items[0].name, "audit-logs-2");
    let bad = PageRequest {
        page_size: 1,
        page_token: Some("garbage".into()),
    };
    assert!(matches!(
        p.list_archives(&c, &ArchiveFilter::default(), &bad).await,
        Err(Error::InvalidPageToken)
    ));

    // No policy yet: none to read, none to pause.
    assert_eq!(p.get_archive_policy(&c, &aid).await.unwrap(), None);
    let e = p
        .set_archive_policy_enabled(&c, &aid, false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "failed_precondition");

    // The policy: created, kept (nothing sent when equal), changed, its source fixed.
    let pol = p
        .put_archive_policy(&c, &aid, &policy("app-logs", 30))
        .await
        .unwrap();
    assert_eq!(
        (pol.source_bucket.as_str(), pol.after_days, pol.enabled),
        ("app-logs", 30, true)
    );
    let created = sim
        .faults(Service::ArchiveStorage)
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.uri.starts_with("/v1/archiving-policies"))
        .unwrap();
    assert_eq!(
        created.body,
        Some(
            json!({"archiving_source_bucket_name": "app-logs", "object_lifecycle": "30", "object_path": "/"})
        )
    );
    let puts = || count(&sim, "PUT", "/v1/archiving-policies/");
    let before = puts();
    let same = p
        .put_archive_policy(&c, &aid, &policy("app-logs", 30))
        .await
        .unwrap();
    assert_eq!(same, pol);
    assert_eq!(puts(), before);
    let changed = p
        .put_archive_policy(&c, &aid, &policy("app-logs", 20))
        .await
        .unwrap();
    assert_eq!(changed.after_days, 20);
    assert_eq!(puts(), before + 1);
    let e = p
        .put_archive_policy(&c, &aid, &policy("other-bucket", 20))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "failed_precondition");
    assert!(e.to_string().contains("cannot change"), "{e}");
    assert_eq!(puts(), before + 1);
    let got = p.get_archive_policy(&c, &aid).await.unwrap().unwrap();
    assert_eq!((got.after_days, got.enabled), (20, true));
    assert_eq!(
        p.get_archive(&c, &aid)
            .await
            .unwrap()
            .source_bucket
            .as_deref(),
        Some("app-logs")
    );
    // A source another archive uses is refused by the vendor: a precondition.
    let oid = gid(&other.id, ResourceType::Archive);
    let e = p
        .put_archive_policy(&c, &oid, &policy("app-logs", 5))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "failed_precondition", "{e}");
    let e = p
        .put_archive_policy(&c, &oid, &policy("no-such-bucket", 5))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "failed_precondition", "{e}");
    let all = p.list_archive_policies(&c, &page(10)).await.unwrap();
    assert_eq!(all.items.len(), 1);
    assert_eq!(all.items[0].archive_id, a.id);
    assert_eq!(all.next_page_token, None);

    // Paused: the daily tick does nothing; resumed: it runs.
    let paused = p.set_archive_policy_enabled(&c, &aid, false).await.unwrap();
    assert!(!paused.enabled);
    assert_eq!(sim.run_archiving(REGION, &aid.vendor_id), None);
    let resumed = p.set_archive_policy_enabled(&c, &aid, true).await.unwrap();
    assert!(resumed.enabled);
    let run = sim.run_archiving(REGION, &aid.vendor_id).expect("a run");

    // The run is a job: listed, read with progress until it settles.
    let listed = p
        .list_archive_jobs(&c, &aid, &jobs_filter(None, None), &page(10))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].kind, ArchiveJobKind::Archiving);
    assert_eq!(listed.items[0].vendor["id"], run.as_str());
    let jid = gid(&listed.items[0].id, ResourceType::ArchiveJob);
    let done = until(
        "the archiving run",
        || p.get_archive_job(&c, &jid),
        |j| !j.status.is_transitional(),
    )
    .await;
    assert_eq!(done.status, JobStatus::Succeeded);
    assert!(done.finished_at.is_some());
    assert_eq!(done.progress.len(), 1);
    assert_eq!(done.progress[0].done_objects, Some(2));
    assert_eq!(done.progress[0].percent, Some(100));

    // Objects: the root holds the folder; the folder's files page one at a time.
    let root = p
        .list_archive_objects(&c, &aid, &ObjectFilter::default(), &page(10))
        .await
        .unwrap();
    assert_eq!(root.items.len(), 1);
    assert_eq!(
        (root.items[0].key.as_str(), root.items[0].object_type),
        ("logs/", ObjectType::Folder)
    );
    let folder = ObjectFilter {
        folder: Some("logs/".into()),
        ..Default::default()
    };
    let pages = all_pages(1, |r| {
        let (p, c, f, aid) = (&p, &c, &folder, &aid);
        async move { p.list_archive_objects(c, aid, f, &r).await }
    })
    .await;
    let keys: Vec<String> = pages.iter().flatten().map(|o| o.key.clone()).collect();
    assert_eq!(keys, ["logs/a.txt", "logs/b.txt"]);
    let first = &pages[0][0];
    assert_eq!(first.size_bytes, Some(100));
    assert!(first.modified_at.is_some());
    let named = p
        .list_archive_objects(
            &c,
            &aid,
            &ObjectFilter {
                folder: Some("logs/".into()),
                name: Some("b.txt".into()),
                object_type: Some(ObjectType::File),
            },
            &page(10),
        )
        .await
        .unwrap();
    assert_eq!(named.items.len(), 1);

    // A second version of a.txt (re-put at the source), archived by the next run.
    sim.put_source_object(REGION, "app-logs", "logs/a.txt", 150, 40);
    sim.run_archiving(REGION, &aid.vendor_id)
        .expect("a second run");
    let p10 = page(10);
    let versions = until(
        "the second version",
        || p.list_object_versions(&c, &aid, "logs/a.txt", &p10),
        |v| v.items.len() == 2,
    )
    .await;
    assert!(versions.items[0].latest && !versions.items[1].latest);
    assert_eq!(versions.items[0].size_bytes, 150);
    let vpages = all_pages(1, |r| {
        let (p, c, aid) = (&p, &c, &aid);
        async move { p.list_object_versions(c, aid, "logs/a.txt", &r).await }
    })
    .await;
    assert_eq!(vpages.iter().flatten().count(), 2);
    let old = versions.items[1].version_id.clone();
    let none = p
        .list_object_versions(&c, &aid, "logs/none.txt", &page(10))
        .await
        .unwrap();
    assert!(none.items.is_empty() && none.next_page_token.is_none());

    // Recover the folder into an Object Storage bucket: the job is found and settles.
    let req: RecoverObjects = serde_json::from_value(json!({
        "target_bucket": "restored", "items": [{"path": "logs/", "type": "folder"}]
    }))
    .unwrap();
    let job = p.recover_archive_objects(&c, &aid, &req).await.unwrap();
    assert_eq!(
        (job.kind, job.target_bucket.as_deref()),
        (ArchiveJobKind::Recovery, Some("restored"))
    );
    let rid = gid(&job.id, ResourceType::ArchiveJob);
    let done = until(
        "the recovery",
        || p.get_archive_job(&c, &rid),
        |j| !j.status.is_transitional(),
    )
    .await;
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(done.progress[0].path, "logs/");
    assert_eq!(
        sim.object_bucket_keys(REGION, "restored"),
        ["logs/a.txt", "logs/b.txt"]
    );
    // A second recovery into the same bucket is a new job, not the first one again.
    let again = p.recover_archive_objects(&c, &aid, &req).await.unwrap();
    assert_ne!(again.id, job.id);
    let again_id = gid(&again.id, ResourceType::ArchiveJob);
    until(
        "the second recovery",
        || p.get_archive_job(&c, &again_id),
        |j| !j.status.is_transitional(),
    )
    .await;

    // A target bucket or a path that is not there: a precondition, not a missing archive.
    for (target, path) in [
        ("no-such-bucket", "logs/a.txt"),
        ("restored", "logs/none.txt"),
    ] {
        let req: RecoverObjects = serde_json::from_value(json!({
            "target_bucket": target, "items": [{"path": path, "type": "file"}]
        }))
        .unwrap();
        let e = p.recover_archive_objects(&c, &aid, &req).await.unwrap_err();
        assert_eq!(e.code(), "failed_precondition", "{target} {path}: {e}");
    }

    // Recover the old version of a.txt.
    let req: RecoverVersion = serde_json::from_value(json!({
        "target_bucket": "restored-v", "key": "logs/a.txt", "version_id": old
    }))
    .unwrap();
    let vjob = p.recover_object_version(&c, &aid, &req).await.unwrap();
    let vjob_id = gid(&vjob.id, ResourceType::ArchiveJob);
    let vdone = until(
        "the version recovery",
        || p.get_archive_job(&c, &vjob_id),
        |j| !j.status.is_transitional(),
    )
    .await;
    assert_eq!(vdone.status, JobStatus::Succeeded);
    assert_eq!(sim.object_bucket_keys(REGION, "restored-v"), ["logs/a.txt"]);

    // A slow recovery stays running until cancelled; a finished job cannot be cancelled.
    sim.seed_object_bucket(REGION, "slow-target");
    let req: RecoverObjects = serde_json::from_value(json!({
        "target_bucket": "slow-target", "items": [{"path": "logs/a.txt", "type": "file"}, {"path": "logs/b.txt", "type": "file"}]
    }))
    .unwrap();
    let slow = p.recover_archive_objects(&c, &aid, &req).await.unwrap();
    let sid = gid(&slow.id, ResourceType::ArchiveJob);
    until(
        "the slow recovery to run",
        || p.get_archive_job(&c, &sid),
        |j| j.status == JobStatus::Running,
    )
    .await;
    let cancelled = p.cancel_archive_job(&c, &sid).await.unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    let e = p.cancel_archive_job(&c, &sid).await.unwrap_err();
    assert_eq!(e.code(), "failed_precondition", "{e}");
    let e = p.cancel_archive_job(&c, &jid).await.unwrap_err();
    assert_eq!(e.code(), "failed_precondition", "{e}");

    // Jobs: both kinds merged newest first and paged; by kind; by state.
    let pages = all_pages(2, |r| {
        let (p, c, aid) = (&p, &c, &aid);
        async move {
            p.list_archive_jobs(c, aid, &jobs_filter(None, None), &r)
                .await
        }
    })
    .await;
    let jobs: Vec<ArchiveJob> = pages.into_iter().flatten().collect();
    assert_eq!(jobs.len(), 6, "{jobs:#?}");
    assert!(jobs.windows(2).all(|w| w[0].started_at >= w[1].started_at));
    let mut ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    let recoveries = p
        .list_archive_jobs(
            &c,
            &aid,
            &jobs_filter(Some(ArchiveJobKind::Recovery), None),
            &page(10),
        )
        .await
        .unwrap();
    assert_eq!(recoveries.items.len(), 4);
    let cancelled = p
        .list_archive_jobs(
            &c,
            &aid,
            &jobs_filter(None, Some(JobStatus::Cancelled)),
            &page(10),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.items.len(), 1);
    assert_eq!(cancelled.items[0].id, slow.id);
    // A status the vendor is not sent drops rows here: pages still end and lose nothing.
    for (status, want) in [(JobStatus::Succeeded, 5), (JobStatus::Cancelled, 1)] {
        let pages = all_pages(1, |r| {
            let (p, c, aid) = (&p, &c, &aid);
            async move {
                p.list_archive_jobs(c, aid, &jobs_filter(None, Some(status)), &r)
                    .await
            }
        })
        .await;
        let got: Vec<ArchiveJob> = pages.into_iter().flatten().collect();
        assert_eq!(got.len(), want, "{status:?}: {got:#?}");
        assert!(got.iter().all(|j| j.status == status));
    }
    let skipped = p
        .list_archive_jobs(
            &c,
            &aid,
            &jobs_filter(Some(ArchiveJobKind::Recovery), Some(JobStatus::Skipped)),
            &page(10),
        )
        .await
        .unwrap();
    assert!(skipped.items.is_empty());
    // A job id with another kind never reaches the other history family.
    let forged = gid(
        &GlobalId::new(
            ResourceType::ArchiveJob,
            PROVIDER,
            None,
            format!("backup.{}", run),
        )
        .with_parent(aid.vendor_id.clone())
        .encode(),
        ResourceType::ArchiveJob,
    );
    let before = sim.faults(Service::ArchiveStorage).request_count();
    assert_eq!(
        p.get_archive_job(&c, &forged).await.unwrap_err().code(),
        "archive_job_not_found"
    );
    assert_eq!(
        p.cancel_archive_job(&c, &forged).await.unwrap_err().code(),
        "archive_job_not_found"
    );
    assert_eq!(sim.faults(Service::ArchiveStorage).request_count(), before);
    // A recovery id read as an archiving run is not found by the vendor.
    let swapped = gid(
        &GlobalId::new(
            ResourceType::ArchiveJob,
            PROVIDER,
            None,
            format!("archiving.{}", vjob.vendor["id"].as_str().unwrap()),
        )
        .with_parent(aid.vendor_id.clone())
        .encode(),
        ResourceType::ArchiveJob,
    );
    assert_eq!(
        p.get_archive_job(&c, &swapped).await.unwrap_err().code(),
        "archive_job_not_found"
    );

    // Delete the old version, then every object, then the archive.
    let del: DeleteVersions =
        serde_json::from_value(json!({"key": "logs/a.txt", "version_ids": [old]})).unwrap();
    p.delete_object_versions(&c, &aid, &del).await.unwrap();
    let left = p
        .list_object_versions(&c, &aid, "logs/a.txt", &page(10))
        .await
        .unwrap();
    assert_eq!(left.items.len(), 1);
    assert!(left.items[0].latest);
    let del: DeleteObjects = serde_json::from_value(json!({"paths": ["logs/"]})).unwrap();
    p.delete_archive_objects(&c, &aid, &del).await.unwrap();
    let empty = p
        .list_archive_objects(&c, &aid, &ObjectFilter::default(), &page(10))
        .await
        .unwrap();
    assert!(empty.items.is_empty());
    p.delete_archive(&c, &aid).await.unwrap();
    let e = until(
        "the delete",
        || async { Ok(p.get_archive(&c, &aid).await.err()) },
        |e| e.is_some(),
    )
    .await
    .unwrap();
    assert_eq!(e.code(), "archive_not_found");
    assert_eq!(
        p.delete_archive(&c, &aid).await.unwrap_err().code(),
        "archive_not_found"
    );
    for e in [
        p.list_object_versions(&c, &aid, "logs/a.txt", &page(10))
            .await
            .unwrap_err(),
        p.delete_archive_objects(&c, &aid, &del).await.unwrap_err(),
        p.get_archive_policy(&c, &aid).await.unwrap_err(),
        p.list_archive_jobs(&c, &aid, &jobs_filter(None, None), &page(5))
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), "archive_not_found", "{e}");
    }
}
