//! Archives of the in-memory provider: lifecycle, policy, archiving runs, objects and
//! versions, recovery, jobs, and the errors a vendor would answer.

use super::*;
use serde_json::json;

const CTX: &CallCtx = &CallCtx {
    request_id: None,
    deadline: None,
    cache: strata_core::context::CachePolicy::Normal,
    principal: None,
};

fn page(size: u32, token: Option<String>) -> PageRequest {
    PageRequest {
        page_size: size,
        page_token: token,
    }
}

fn all() -> PageRequest {
    page(100, None)
}

fn provider(delay_ms: u64) -> MemoryProvider {
    MemoryProvider::new("m", "KR1", Duration::from_millis(delay_ms))
}

async fn archive(p: &MemoryProvider, name: &str, versioning: bool) -> GlobalId {
    let req: CreateArchive = serde_json::from_value(
        json!({"provider": "m", "name": name, "versioning": versioning, "labels": {"team": "a"}}),
    )
    .unwrap();
    p.create_archive(CTX, &req)
        .await
        .unwrap()
        .id
        .parse()
        .unwrap()
}

fn policy(source: &str, prefix: Option<&str>, days: u32) -> PutArchivePolicy {
    PutArchivePolicy {
        source_bucket: source.into(),
        prefix: prefix.map(String::from),
        after_days: days,
    }
}

fn job_id(p: &MemoryProvider, archive: &GlobalId, job: &str) -> GlobalId {
    p.job_gid(&archive.vendor_id, job)
}

fn window() -> ArchiveJobFilter {
    ArchiveJobFilter {
        kind: None,
        status: None,
        since: Utc::now() - chrono::Duration::hours(1),
        until: Utc::now() + chrono::Duration::hours(1),
    }
}

/// An archive with a policy on `source` (30 days) and archived objects `logs/a.txt` (10),
/// `logs/2024/b.txt` (20), `top.txt` (5); `new.txt` (1 day old) stays behind.
async fn filled(p: &MemoryProvider, name: &str, source: &str, versioning: bool) -> GlobalId {
    let id = archive(p, name, versioning).await;
    p.put_source_object(source, "logs/a.txt", 10, 40);
    p.put_source_object(source, "logs/2024/b.txt", 20, 31);
    p.put_source_object(source, "top.txt", 5, 30);
    p.put_source_object(source, "new.txt", 7, 1);
    p.put_archive_policy(CTX, &id, &policy(source, None, 30))
        .await
        .unwrap();
    p.run_archiving(&id.vendor_id).unwrap();
    id
}

fn keys(objects: &[ArchiveObject]) -> Vec<&str> {
    objects.iter().map(|o| o.key.as_str()).collect()
}

#[tokio::test]
async fn archive_lifecycle_names_paging_and_deletion() {
    let p = provider(40);
    assert!(p.capabilities().archives.as_ref().unwrap().versioning);
    let a = archive(&p, "audit-logs", false).await;
    let got = p.get_archive(CTX, &a).await.unwrap();
    assert_eq!(
        (
            got.status,
            got.versioning,
            got.size_bytes,
            got.source_bucket
        ),
        (BackupStatus::Active, Some(false), Some(0), None)
    );
    assert_eq!(got.vendor["labels"], json!({"team": "a"}));
    let dup: CreateArchive =
        serde_json::from_value(json!({"provider": "m", "name": "audit-logs"})).unwrap();
    assert_eq!(
        p.create_archive(CTX, &dup).await.unwrap_err().code(),
        "already_exists"
    );
    let short = CreateArchive {
        name: "ab".into(),
        ..dup.clone()
    };
    let e = p.create_archive(CTX, &short).await.unwrap_err();
    assert_eq!(
        (e.code().as_str(), e.field()),
        ("unsupported_value", Some("name"))
    );

    archive(&p, "audit-2", true).await;
    archive(&p, "other", false).await;
    let filter = ArchiveFilter {
        name: Some("audit".into()),
    };
    let first = p.list_archives(CTX, &filter, &page(1, None)).await.unwrap();
    assert_eq!(first.items[0].name, "audit-2");
    let second = p
        .list_archives(CTX, &filter, &page(1, first.next_page_token))
        .await
        .unwrap();
    assert_eq!(second.items[0].name, "audit-logs");
    assert_eq!(second.next_page_token, None);
    assert_eq!(
        p.list_archives(CTX, &ArchiveFilter::default(), &all())
            .await
            .unwrap()
            .items
            .len(),
        3
    );

    let upd = p
        .update_archive(
            CTX,
            &a,
            &UpdateArchive {
                encrypted: Some(true),
                versioning: Some(true),
            },
        )
        .await
        .unwrap();
    assert_eq!((upd.encrypted, upd.versioning), (true, Some(true)));

    p.delete_archive(CTX, &a).await.unwrap();
    assert_eq!(
        p.get_archive(CTX, &a).await.unwrap().status,
        BackupStatus::Deleting
    );
    assert_eq!(
        p.update_archive(
            CTX,
            &a,
            &UpdateArchive {
                encrypted: Some(false),
                versioning: None
            }
        )
        .await
        .unwrap_err()
        .code(),
        "conflict"
    );
    p.delete_archive(CTX, &a).await.unwrap();
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(
        p.get_archive(CTX, &a).await.unwrap_err().code(),
        "archive_not_found"
    );
    assert_eq!(
        p.delete_archive(CTX, &a).await.unwrap_err().code(),
        "archive_not_found"
    );
    let job_shaped = p.job_gid(&a.vendor_id, "x");
    assert_eq!(
        p.get_archive(CTX, &job_shaped).await.unwrap_err().code(),
        "invalid_id"
    );
}

#[tokio::test]
async fn policy_rules_sources_and_pause() {
    let p = provider(0);
    let a = archive(&p, "arc-a", false).await;
    let b = archive(&p, "arc-b", false).await;
    assert_eq!(p.get_archive_policy(CTX, &a).await.unwrap(), None);
    let e = p
        .put_archive_policy(CTX, &a, &policy("nope", None, 30))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "failed_precondition");
    p.seed_object_bucket("logs");
    p.seed_object_bucket("other");
    for days in [0, 3651] {
        let e = p
            .put_archive_policy(CTX, &a, &policy("logs", None, days))
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("after_days"));
    }
    let got = p
        .put_archive_policy(CTX, &a, &policy("logs", Some("app/"), 30))
        .await
        .unwrap();
    assert_eq!(
        (
            got.source_bucket.as_str(),
            got.prefix.as_deref(),
            got.after_days,
            got.enabled
        ),
        ("logs", Some("app/"), 30, true)
    );
    assert_eq!(got.archive_id, a.encode());
    assert_eq!(
        p.get_archive(CTX, &a)
            .await
            .unwrap()
            .source_bucket
            .as_deref(),
        Some("logs")
    );
    assert_eq!(
        p.put_archive_policy(CTX, &b, &policy("logs", None, 30))
            .await
            .unwrap_err()
            .code(),
        "failed_precondition"
    );
    for change in [policy("other", Some("app/"), 30), policy("logs", None, 30)] {
        assert_eq!(
            p.put_archive_policy(CTX, &a, &change)
                .await
                .unwrap_err()
                .code(),
            "failed_precondition"
        );
    }
    let got = p
        .put_archive_policy(CTX, &a, &policy("logs", Some("app/"), 7))
        .await
        .unwrap();
    assert_eq!(got.after_days, 7);

    assert_eq!(
        p.set_archive_policy_enabled(CTX, &b, false)
            .await
            .unwrap_err()
            .code(),
        "failed_precondition"
    );
    assert!(
        !p.set_archive_policy_enabled(CTX, &a, false)
            .await
            .unwrap()
            .enabled
    );
    assert_eq!(
        p.run_archiving(&a.vendor_id),
        None,
        "a paused policy does not run"
    );
    assert!(
        p.set_archive_policy_enabled(CTX, &a, true)
            .await
            .unwrap()
            .enabled
    );
    assert!(p.run_archiving(&a.vendor_id).is_some());
    assert_eq!(p.run_archiving(&b.vendor_id), None, "no policy, no run");

    p.put_archive_policy(CTX, &b, &policy("other", None, 1))
        .await
        .unwrap();
    let first = p.list_archive_policies(CTX, &page(1, None)).await.unwrap();
    assert_eq!(first.items[0].source_bucket, "logs");
    let rest = p
        .list_archive_policies(CTX, &page(1, first.next_page_token))
        .await
        .unwrap();
    assert_eq!(
        (rest.items[0].source_bucket.as_str(), rest.next_page_token),
        ("other", None)
    );
}

#[tokio::test]
async fn an_archiving_run_goes_queued_running_succeeded_and_copies_old_objects() {
    let p = provider(200);
    let a = archive(&p, "arc", false).await;
    p.put_source_object("src", "logs/a.txt", 10, 40);
    p.put_source_object("src", "logs/b.txt", 20, 31);
    p.put_source_object("src", "logs/new.txt", 7, 1);
    p.put_source_object("src", "other/c.txt", 5, 90);
    p.put_archive_policy(CTX, &a, &policy("src", Some("logs/"), 30))
        .await
        .unwrap();
    let job = job_id(&p, &a, &p.run_archiving(&a.vendor_id).unwrap());
    let j = p.get_archive_job(CTX, &job).await.unwrap();
    assert_eq!(
        (j.kind, j.status),
        (ArchiveJobKind::Archiving, JobStatus::Queued)
    );
    assert_eq!(j.archive_id, a.encode());
    assert_eq!(j.progress[0].path, "logs/");
    assert_eq!(j.progress[0].total_objects, Some(2));
    assert_eq!(j.progress[0].percent, Some(0));
    tokio::time::sleep(Duration::from_millis(120)).await;
    let j = p.get_archive_job(CTX, &job).await.unwrap();
    assert_eq!(j.status, JobStatus::Running);
    assert_eq!(j.progress[0].done_objects, Some(1));
    assert!(p
        .list_archive_objects(CTX, &a, &ObjectFilter::default(), &all())
        .await
        .unwrap()
        .items
        .is_empty());
    tokio::time::sleep(Duration::from_millis(120)).await;
    let j = p.get_archive_job(CTX, &job).await.unwrap();
    assert_eq!(j.status, JobStatus::Succeeded);
    assert!(j.finished_at.is_some());
    let pr = &j.progress[0];
    assert_eq!(
        (pr.done_objects, pr.bytes, pr.percent),
        (Some(2), Some(30), Some(100))
    );
    assert_eq!(p.get_archive(CTX, &a).await.unwrap().size_bytes, Some(30));
    let folder = ObjectFilter {
        folder: Some("logs/".into()),
        ..Default::default()
    };
    let objs = p
        .list_archive_objects(CTX, &a, &folder, &all())
        .await
        .unwrap();
    assert_eq!(keys(&objs.items), ["logs/a.txt", "logs/b.txt"]);

    // Nothing new: the next run is skipped.
    let again = job_id(&p, &a, &p.run_archiving(&a.vendor_id).unwrap());
    tokio::time::sleep(Duration::from_millis(220)).await;
    let j = p.get_archive_job(CTX, &again).await.unwrap();
    assert_eq!(j.status, JobStatus::Skipped);
    assert_eq!(j.progress[0].percent, Some(100));

    // The source (source bucket kept as it was: copy, not move).
    assert_eq!(p.object_bucket_keys("src").len(), 4);
}

#[tokio::test]
async fn unversioned_archives_overwrite_and_versioned_ones_keep_versions() {
    let p = provider(0);
    let plain = filled(&p, "plain", "s1", false).await;
    let versioned = filled(&p, "versioned", "s2", true).await;
    p.put_source_object("s1", "top.txt", 6, 35);
    p.put_source_object("s2", "top.txt", 6, 35);
    p.run_archiving(&plain.vendor_id).unwrap();
    p.run_archiving(&versioned.vendor_id).unwrap();
    let v1 = p
        .list_object_versions(CTX, &plain, "top.txt", &all())
        .await
        .unwrap()
        .items;
    assert_eq!(v1.len(), 1);
    assert_eq!((v1[0].size_bytes, v1[0].latest), (6, true));
    let v2 = p
        .list_object_versions(CTX, &versioned, "top.txt", &all())
        .await
        .unwrap()
        .items;
    assert_eq!(
        v2.iter()
            .map(|v| (v.size_bytes, v.latest))
            .collect::<Vec<_>>(),
        [(6, true), (5, false)],
        "newest first"
    );
    assert!(v2[0].etag.is_some());
    assert_ne!(v2[0].version_id, v2[1].version_id);
    let first = p
        .list_object_versions(CTX, &versioned, "top.txt", &page(1, None))
        .await
        .unwrap();
    assert!(first.next_page_token.is_some());
    assert!(p
        .list_object_versions(CTX, &versioned, "missing", &all())
        .await
        .unwrap()
        .items
        .is_empty());
    // The archive's size counts current versions only.
    assert_eq!(
        p.get_archive(CTX, &versioned).await.unwrap().size_bytes,
        Some(10 + 20 + 6)
    );
}

#[tokio::test]
async fn objects_list_as_folders_and_files_and_delete_recursively() {
    let p = provider(0);
    let a = filled(&p, "arc", "src", false).await;
    let root = p
        .list_archive_objects(CTX, &a, &ObjectFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(keys(&root.items), ["logs/", "top.txt"]);
    assert_eq!(root.items[0].object_type, ObjectType::Folder);
    assert_eq!(root.items[0].size_bytes, None);
    assert_eq!(root.items[1].size_bytes, Some(5));
    let logs = |name: Option<&str>, t: Option<ObjectType>| ObjectFilter {
        folder: Some("logs/".into()),
        name: name.map(String::from),
        object_type: t,
    };
    let l = p
        .list_archive_objects(CTX, &a, &logs(None, None), &all())
        .await
        .unwrap();
    assert_eq!(keys(&l.items), ["logs/2024/", "logs/a.txt"]);
    let files = p
        .list_archive_objects(CTX, &a, &logs(None, Some(ObjectType::File)), &all())
        .await
        .unwrap();
    assert_eq!(keys(&files.items), ["logs/a.txt"]);
    let named = p
        .list_archive_objects(CTX, &a, &logs(Some("2024"), None), &all())
        .await
        .unwrap();
    assert_eq!(keys(&named.items), ["logs/2024/"]);
    let first = p
        .list_archive_objects(CTX, &a, &logs(None, None), &page(1, None))
        .await
        .unwrap();
    let second = p
        .list_archive_objects(CTX, &a, &logs(None, None), &page(1, first.next_page_token))
        .await
        .unwrap();
    assert_eq!(keys(&second.items), ["logs/a.txt"]);
    assert_eq!(second.next_page_token, None);
    let bad = ObjectFilter {
        folder: Some("logs".into()),
        ..Default::default()
    };
    assert_eq!(
        p.list_archive_objects(CTX, &a, &bad, &all())
            .await
            .unwrap_err()
            .code(),
        "invalid_argument"
    );

    // An archive holding objects cannot be deleted.
    assert_eq!(
        p.delete_archive(CTX, &a).await.unwrap_err().code(),
        "failed_precondition"
    );
    let del = |paths: &[&str]| DeleteObjects {
        paths: paths.iter().map(|s| s.to_string()).collect(),
    };
    // All or nothing: a path that matches nothing removes nothing.
    assert_eq!(
        p.delete_archive_objects(CTX, &a, &del(&["logs/", "nothing/here.txt"]))
            .await
            .unwrap_err()
            .code(),
        "failed_precondition"
    );
    p.delete_archive_objects(CTX, &a, &del(&["logs/"]))
        .await
        .unwrap();
    let root = p
        .list_archive_objects(CTX, &a, &ObjectFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(keys(&root.items), ["top.txt"]);
    p.delete_archive_objects(CTX, &a, &del(&["top.txt"]))
        .await
        .unwrap();
    assert_eq!(p.get_archive(CTX, &a).await.unwrap().size_bytes, Some(0));
    p.delete_archive(CTX, &a).await.unwrap();
}

#[tokio::test]
async fn deleting_versions_promotes_the_newest_remaining_one() {
    let p = provider(0);
    let a = filled(&p, "arc", "src", true).await;
    for size in [6, 7] {
        p.put_source_object("src", "top.txt", size, 35);
        p.run_archiving(&a.vendor_id).unwrap();
    }
    let versions = p
        .list_object_versions(CTX, &a, "top.txt", &all())
        .await
        .unwrap()
        .items;
    let ids: Vec<String> = versions.iter().map(|v| v.version_id.clone()).collect();
    assert_eq!(ids.len(), 3);
    let del = |key: &str, ids: &[&str]| DeleteVersions {
        key: key.into(),
        version_ids: ids.iter().map(|s| s.to_string()).collect(),
    };
    // An unknown id deletes nothing.
    let e = p
        .delete_object_versions(CTX, &a, &del("top.txt", &[&ids[0], "nope"]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "failed_precondition");
    assert_eq!(
        p.delete_object_versions(CTX, &a, &del("missing.txt", &["x"]))
            .await
            .unwrap_err()
            .code(),
        "failed_precondition"
    );
    p.delete_object_versions(CTX, &a, &del("top.txt", &[&ids[0]]))
        .await
        .unwrap();
    let left = p
        .list_object_versions(CTX, &a, "top.txt", &all())
        .await
        .unwrap()
        .items;
    assert_eq!(
        left.iter()
            .map(|v| (v.version_id.as_str(), v.latest, v.size_bytes))
            .collect::<Vec<_>>(),
        [(ids[1].as_str(), true, 6), (ids[2].as_str(), false, 5)]
    );
    let root = p
        .list_archive_objects(CTX, &a, &ObjectFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(root.items[1].size_bytes, Some(6));
    p.delete_object_versions(CTX, &a, &del("top.txt", &[&ids[1], &ids[2]]))
        .await
        .unwrap();
    let root = p
        .list_archive_objects(CTX, &a, &ObjectFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(
        keys(&root.items),
        ["logs/"],
        "no versions left: the object is gone"
    );
}

#[path = "archive_jobs_tests.rs"]
mod jobs;
