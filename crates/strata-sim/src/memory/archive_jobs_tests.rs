//! Archive jobs of the in-memory provider: recovery, slow and failing buckets, cancel, and
//! the job list.

use super::*;

#[tokio::test]
async fn recovery_copies_into_the_target_bucket_after_the_delay() {
    let p = provider(60);
    let a = filled(&p, "arc", "src", true).await;
    tokio::time::sleep(Duration::from_millis(70)).await;
    p.seed_object_bucket("restored");
    p.put_source_object("restored", "top.txt", 99, 0);
    let req = |target: &str, items: serde_json::Value, overwrite: bool| -> RecoverObjects {
        serde_json::from_value(
            json!({"target_bucket": target, "items": items, "overwrite": overwrite}),
        )
        .unwrap()
    };
    let items = json!([{"path": "logs/", "type": "folder"}, {"path": "top.txt", "type": "file"}]);
    assert_eq!(
        p.recover_archive_objects(CTX, &a, &req("nowhere", items.clone(), false))
            .await
            .unwrap_err()
            .code(),
        "failed_precondition"
    );
    let missing = json!([{"path": "nothing/", "type": "folder"}]);
    let e = p
        .recover_archive_objects(CTX, &a, &req("restored", missing, false))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "failed_precondition");
    let missing = json!([{"path": "logs", "type": "file"}]);
    assert!(p
        .recover_archive_objects(CTX, &a, &req("restored", missing, false))
        .await
        .is_err());

    let job = p
        .recover_archive_objects(CTX, &a, &req("restored", items, false))
        .await
        .unwrap();
    assert_eq!(
        (job.kind, job.status, job.target_bucket.as_deref()),
        (
            ArchiveJobKind::Recovery,
            JobStatus::Queued,
            Some("restored")
        )
    );
    assert_eq!(
        job.progress
            .iter()
            .map(|pr| (pr.path.as_str(), pr.total_objects, pr.done_objects))
            .collect::<Vec<_>>(),
        [("logs/", Some(2), Some(0)), ("top.txt", Some(1), Some(0))]
    );
    assert_eq!(p.object_bucket_keys("restored"), ["top.txt"]);
    tokio::time::sleep(Duration::from_millis(70)).await;
    let id: GlobalId = job.id.parse().unwrap();
    assert_eq!(
        p.get_archive_job(CTX, &id).await.unwrap().status,
        JobStatus::Succeeded
    );
    assert_eq!(
        p.object_bucket_keys("restored"),
        ["logs/2024/b.txt", "logs/a.txt", "top.txt"]
    );
    assert_eq!(
        p.object_bucket_size("restored", "top.txt"),
        Some(99),
        "kept"
    );
    assert_eq!(p.object_bucket_size("restored", "logs/a.txt"), Some(10));

    // One version, overwriting.
    p.put_source_object("src", "top.txt", 6, 35);
    p.run_archiving(&a.vendor_id).unwrap();
    tokio::time::sleep(Duration::from_millis(70)).await;
    let versions = p
        .list_object_versions(CTX, &a, "top.txt", &all())
        .await
        .unwrap()
        .items;
    let old = versions.iter().find(|v| !v.latest).unwrap();
    assert_eq!(old.size_bytes, 5);
    let rv = |version: &str, overwrite: bool| RecoverVersion {
        target_bucket: "restored".into(),
        key: "top.txt".into(),
        version_id: version.into(),
        overwrite,
    };
    assert_eq!(
        p.recover_object_version(CTX, &a, &rv("nope", true))
            .await
            .unwrap_err()
            .code(),
        "failed_precondition"
    );
    let job = p
        .recover_object_version(CTX, &a, &rv(&old.version_id, true))
        .await
        .unwrap();
    assert_eq!(job.progress[0].path, "top.txt");
    tokio::time::sleep(Duration::from_millis(70)).await;
    assert_eq!(p.object_bucket_size("restored", "top.txt"), Some(5));
}

#[tokio::test]
async fn slow_jobs_run_until_cancelled_and_fail_buckets_fail() {
    let p = provider(20);
    let a = filled(&p, "arc", "slow-src", false).await;
    let job = p
        .list_archive_jobs(CTX, &a, &window(), &all())
        .await
        .unwrap()
        .items[0]
        .id
        .parse::<GlobalId>()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        p.get_archive_job(CTX, &job).await.unwrap().status,
        JobStatus::Running
    );
    p.delete_archive_objects(
        CTX,
        &a,
        &DeleteObjects {
            paths: vec!["logs/".into(), "top.txt".into()],
        },
    )
    .await
    .unwrap_err(); // a running archiving run has copied nothing yet
    assert_eq!(
        p.delete_archive(CTX, &a).await.unwrap_err().code(),
        "failed_precondition",
        "a running job keeps the archive"
    );
    let c = p.cancel_archive_job(CTX, &job).await.unwrap();
    assert_eq!(c.status, JobStatus::Cancelled);
    assert!(c.finished_at.is_some());
    assert_eq!(c.progress[0].done_objects, Some(1));
    assert_eq!(
        p.cancel_archive_job(CTX, &job).await.unwrap_err().code(),
        "failed_precondition"
    );
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(
        p.list_archive_objects(CTX, &a, &ObjectFilter::default(), &all())
            .await
            .unwrap()
            .items
            .is_empty(),
        "a cancelled run copies nothing"
    );

    let b = filled(&p, "arc-b", "src", false).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    p.seed_object_bucket("fail-target");
    let req: RecoverObjects = serde_json::from_value(
        json!({"target_bucket": "fail-target", "items": [{"path": "top.txt", "type": "file"}]}),
    )
    .unwrap();
    let id: GlobalId = p
        .recover_archive_objects(CTX, &b, &req)
        .await
        .unwrap()
        .id
        .parse()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let j = p.get_archive_job(CTX, &id).await.unwrap();
    assert_eq!(j.status, JobStatus::Failed);
    assert!(j.finished_at.is_some());
    assert!(p.object_bucket_keys("fail-target").is_empty());
    assert_eq!(
        p.cancel_archive_job(CTX, &id).await.unwrap_err().code(),
        "failed_precondition"
    );
}

#[tokio::test]
async fn jobs_list_newest_first_filtered_and_paged() {
    let p = provider(0);
    let a = filled(&p, "arc", "src", false).await;
    let skipped = p.run_archiving(&a.vendor_id).unwrap();
    p.seed_object_bucket("dst");
    let req: RecoverObjects = serde_json::from_value(
        json!({"target_bucket": "dst", "items": [{"path": "top.txt", "type": "file"}]}),
    )
    .unwrap();
    let rec = p.recover_archive_objects(CTX, &a, &req).await.unwrap();
    let jobs = p
        .list_archive_jobs(CTX, &a, &window(), &all())
        .await
        .unwrap()
        .items;
    assert_eq!(
        jobs.iter().map(|j| (j.kind, j.status)).collect::<Vec<_>>(),
        [
            (ArchiveJobKind::Recovery, JobStatus::Succeeded),
            (ArchiveJobKind::Archiving, JobStatus::Skipped),
            (ArchiveJobKind::Archiving, JobStatus::Succeeded),
        ]
    );
    assert!(
        jobs.iter().all(|j| j.progress.is_empty()),
        "lists leave progress out"
    );
    assert_eq!(jobs[0].id, rec.id);
    assert_eq!(jobs[1].id, job_id(&p, &a, &skipped).encode());

    let only = |kind, status| ArchiveJobFilter {
        kind,
        status,
        ..window()
    };
    let arch = p
        .list_archive_jobs(
            CTX,
            &a,
            &only(Some(ArchiveJobKind::Archiving), None),
            &all(),
        )
        .await
        .unwrap();
    assert_eq!(arch.items.len(), 2);
    let sk = p
        .list_archive_jobs(CTX, &a, &only(None, Some(JobStatus::Skipped)), &all())
        .await
        .unwrap();
    assert_eq!(sk.items.len(), 1);
    let past = ArchiveJobFilter {
        until: Utc::now() - chrono::Duration::minutes(30),
        ..window()
    };
    assert!(p
        .list_archive_jobs(CTX, &a, &past, &all())
        .await
        .unwrap()
        .items
        .is_empty());
    let first = p
        .list_archive_jobs(CTX, &a, &window(), &page(2, None))
        .await
        .unwrap();
    let rest = p
        .list_archive_jobs(CTX, &a, &window(), &page(2, first.next_page_token))
        .await
        .unwrap();
    assert_eq!((first.items.len(), rest.items.len()), (2, 1));
    assert_eq!(rest.next_page_token, None);

    // A job is found under its own archive only.
    let b = archive(&p, "arc-b", false).await;
    let wrong = job_id(&p, &b, &skipped);
    assert_eq!(
        p.get_archive_job(CTX, &wrong).await.unwrap_err().code(),
        "archive_job_not_found"
    );
    assert_eq!(
        p.list_archive_jobs(CTX, &p.archive_gid("mem-arc-999999"), &window(), &all())
            .await
            .unwrap_err()
            .code(),
        "archive_not_found"
    );
}
