//! Archive Storage driven through `ScpProvider` against the simulator over signed HTTP: the
//! whole life of an archive at API 1.1 (create with encryption, versioning and labels; get,
//! list and page; the policy put, kept, changed, paused and resumed; archiving runs started
//! by the simulator's daily tick and followed as jobs with progress; objects and versions
//! listed and paged; objects and a version recovered into an Object Storage bucket, the job
//! found and settled, the keys there; a slow recovery cancelled; versions, objects and the
//! archive deleted), what an adapter pinned to 1.0 does (no 1.1-only request ever sent),
//! the refusals made before any call, and dry runs.

use chrono::Utc;
use serde_json::json;
use strata_sim::scp::{ScpSim, Service};

use super::*;
use crate::test_support::*;

const PROVIDER: &str = "scp-kr-west1";

/// A provider of Archive Storage only, pinned to `version`.
fn provider(sim: &ScpSim, version: &str) -> ScpProvider {
    ScpProvider::new(one_service(
        sim,
        ScpService::Archive,
        Service::ArchiveStorage,
        version,
    ))
    .expect("provider builds")
}

fn create(name: &str, extra: serde_json::Value) -> CreateArchive {
    let mut req = json!({"provider": PROVIDER, "name": name});
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    serde_json::from_value(req).expect("create request")
}

fn policy(source: &str, days: u32) -> PutArchivePolicy {
    serde_json::from_value(json!({"source_bucket": source, "after_days": days})).unwrap()
}

fn jobs_filter(kind: Option<ArchiveJobKind>, status: Option<JobStatus>) -> ArchiveJobFilter {
    ArchiveJobFilter {
        kind,
        status,
        since: Utc::now() - chrono::Duration::hours(1),
        until: Utc::now() + chrono::Duration::hours(1),
    }
}

/// Every page of a list, `size` at a time.
async fn all_pages<T, F, Fut>(size: u32, fetch: F) -> Vec<Vec<T>>
where
    F: Fn(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>>>,
{
    let mut pages = vec![];
    let mut req = page(size);
    loop {
        let p = fetch(req.clone()).await.expect("a page");
        pages.push(p.items);
        match p.next_page_token {
            Some(t) => req.page_token = Some(t),
            None => return pages,
        }
        assert!(pages.len() < 50, "the list does not end");
    }
}

/// The archive ids' 1.1-only calls the simulator saw.
fn v11_calls(sim: &ScpSim) -> Vec<String> {
    sim.faults(Service::ArchiveStorage)
        .requests()
        .into_iter()
        .map(|r| r.uri)
        .filter(|u| {
            u.contains("/versioning")
                || u.contains("/object-versions")
                || u.contains("/recover-object-versions")
                || (u.contains("/archiving-policies/") && u.contains("/state"))
        })
        .collect()
}

fn count(sim: &ScpSim, method: &str, path: &str) -> usize {
    sim.faults(Service::ArchiveStorage)
        .requests()
        .iter()
        .filter(|r| r.method == method && r.uri.starts_with(path))
        .count()
}

mod lifecycle;

#[tokio::test]
async fn a_busy_or_full_archive_is_not_deleted() {
    let sim = sim().await;
    let p = provider(&sim, "1.1");
    let c = ctx();
    let bid = sim.seed_archive_bucket(REGION, "full");
    sim.seed_archived_object(REGION, &bid, "k.txt", 5);
    let aid = gid(
        &GlobalId::new(ResourceType::Archive, PROVIDER, None, bid).encode(),
        ResourceType::Archive,
    );
    let e = p.delete_archive(&c, &aid).await.unwrap_err();
    assert_eq!(e.code(), "failed_precondition", "{e}");
    // A missing object is the vendor's refusal, not a missing archive.
    let del: DeleteObjects = serde_json::from_value(json!({"paths": ["nope.txt"]})).unwrap();
    let e = p.delete_archive_objects(&c, &aid, &del).await.unwrap_err();
    assert_ne!(e.code(), "archive_not_found", "{e}");
}

#[tokio::test]
async fn pinned_to_1_0_no_1_1_request_is_ever_sent() {
    let sim = sim().await;
    sim.seed_object_bucket(REGION, "src");
    sim.put_source_object(REGION, "src", "a.txt", 10, 5);
    sim.seed_object_bucket(REGION, "dst");
    let p = provider(&sim, "1.0");
    let c = ctx();
    let caps = p.capabilities().archives().unwrap();
    assert!(!caps.versioning && !caps.policy_pause);

    let e = p
        .create_archive(&c, &create("old", json!({"versioning": true})))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unsupported_by_provider");
    let a = p
        .create_archive(&c, &create("old", json!({"encrypted": true})))
        .await
        .unwrap();
    assert_eq!((a.encrypted, a.versioning), (true, None));
    let aid = gid(&a.id, ResourceType::Archive);
    let on = UpdateArchive {
        versioning: Some(true),
        ..Default::default()
    };
    assert_eq!(
        p.update_archive(&c, &aid, &on).await.unwrap_err().code(),
        "unsupported_by_provider"
    );
    let off = UpdateArchive {
        encrypted: Some(false),
        ..Default::default()
    };
    assert!(!p.update_archive(&c, &aid, &off).await.unwrap().encrypted);
    p.put_archive_policy(&c, &aid, &policy("src", 1))
        .await
        .unwrap();
    assert_eq!(
        p.set_archive_policy_enabled(&c, &aid, false)
            .await
            .unwrap_err()
            .code(),
        "unsupported_by_provider"
    );
    sim.run_archiving(REGION, &aid.vendor_id).expect("a run");
    let (root, p10) = (ObjectFilter::default(), page(10));
    let objects = until(
        "the run",
        || p.list_archive_objects(&c, &aid, &root, &p10),
        |o| !o.items.is_empty(),
    )
    .await;
    assert_eq!(objects.items[0].key, "a.txt");
    assert_eq!(
        p.list_object_versions(&c, &aid, "a.txt", &page(10))
            .await
            .unwrap_err()
            .code(),
        "unsupported_by_provider"
    );
    let del: DeleteVersions =
        serde_json::from_value(json!({"key": "a.txt", "version_ids": ["v"]})).unwrap();
    assert_eq!(
        p.delete_object_versions(&c, &aid, &del)
            .await
            .unwrap_err()
            .code(),
        "unsupported_by_provider"
    );
    let rv: RecoverVersion =
        serde_json::from_value(json!({"target_bucket": "dst", "key": "a.txt", "version_id": "v"}))
            .unwrap();
    assert_eq!(
        p.recover_object_version(&c, &aid, &rv)
            .await
            .unwrap_err()
            .code(),
        "unsupported_by_provider"
    );
    let ro: RecoverObjects = serde_json::from_value(
        json!({"target_bucket": "dst", "items": [{"path": "a.txt", "type": "file"}]}),
    )
    .unwrap();
    let job = p.recover_archive_objects(&c, &aid, &ro).await.unwrap();
    let job_id = gid(&job.id, ResourceType::ArchiveJob);
    let done = until(
        "the recovery",
        || p.get_archive_job(&c, &job_id),
        |j| !j.status.is_transitional(),
    )
    .await;
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(sim.object_bucket_keys(REGION, "dst"), ["a.txt"]);
    let listed = p
        .list_archives(&c, &ArchiveFilter::default(), &page(10))
        .await
        .unwrap();
    assert_eq!(listed.items[0].versioning, None);
    assert!(sim.faults(Service::ArchiveStorage).request_count() > 10);
    assert_eq!(v11_calls(&sim), Vec::<String>::new());
}

#[tokio::test]
async fn names_the_vendor_refuses_are_refused_before_any_call() {
    let sim = sim().await;
    let p = provider(&sim, "1.1");
    let c = ctx();
    for name in [
        "Bad_Name",
        "ab",
        "a..b",
        "a-.b",
        "ends-",
        "192.168.0.1",
        "admin",
        "my-admin",
    ] {
        let e = p
            .create_archive(&c, &create(name, json!({})))
            .await
            .unwrap_err();
        assert_eq!(
            (e.code().as_str(), e.field()),
            ("unsupported_value", Some("name")),
            "{name}"
        );
    }
    // A prefix or days out of range never reach the vendor either.
    let aid = gid(
        &GlobalId::new(ResourceType::Archive, PROVIDER, None, "b-1").encode(),
        ResourceType::Archive,
    );
    let with_prefix: PutArchivePolicy =
        serde_json::from_value(json!({"source_bucket": "s", "after_days": 3, "prefix": "logs/"}))
            .unwrap();
    for p_req in [with_prefix, policy("s", 3651)] {
        let e = p.put_archive_policy(&c, &aid, &p_req).await.unwrap_err();
        assert_eq!(e.code(), "unsupported_value");
    }
    // Ids of another type or provider never reach the service.
    let job = GlobalId::new(ResourceType::ArchiveJob, PROVIDER, None, "archiving.EXE-1")
        .with_parent("b-1");
    assert_eq!(
        p.get_archive(&c, &job).await.unwrap_err().code(),
        "invalid_id"
    );
    let foreign = GlobalId::new(ResourceType::Archive, "elsewhere", None, "b-1");
    assert_eq!(
        p.get_archive(&c, &foreign).await.unwrap_err().code(),
        "invalid_argument"
    );
    let orphan = GlobalId::new(ResourceType::ArchiveJob, PROVIDER, None, "archiving.EXE-1");
    assert_eq!(
        p.get_archive_job(&c, &orphan).await.unwrap_err().code(),
        "archive_job_not_found"
    );
    assert_eq!(sim.faults(Service::ArchiveStorage).request_count(), 0);
}

#[tokio::test]
async fn dry_runs_show_reads_and_mutations_exactly() {
    use strata_core::dry_run::{scope, DryRunLog};
    let sim = sim().await;
    let p = provider(&sim, "1.1");
    let c = ctx();
    // Create stops at the name check, a read whose answer decides what follows.
    let log = DryRunLog::new();
    let e = scope(log.clone(), p.create_archive(&c, &create("dry", json!({}))))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DryRun));
    let r = log.requests();
    assert_eq!(r.len(), 1);
    assert!(
        r[0].read && r[0].url.contains("/v1/buckets?limit=1000&name=dry"),
        "{}",
        r[0].url
    );
    assert_eq!(r[0].headers["scp-api-version"], "archivestorage 1.1");
    // A recovery shows the recovery call itself: nothing is listed before it.
    let aid = gid(
        &GlobalId::new(ResourceType::Archive, PROVIDER, None, "b-1").encode(),
        ResourceType::Archive,
    );
    let ro: RecoverObjects = serde_json::from_value(
        json!({"target_bucket": "dst", "items": [{"path": "logs/", "type": "folder"}], "overwrite": true}),
    )
    .unwrap();
    let log = DryRunLog::new();
    let e = scope(log.clone(), p.recover_archive_objects(&c, &aid, &ro))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DryRun));
    let r = log.requests();
    assert_eq!(
        (r.len(), r[0].method.as_str(), r[0].read),
        (1, "PUT", false)
    );
    assert!(r[0].url.ends_with("/v1/buckets/b-1/recover-objects"));
    assert_eq!(
        r[0].body,
        Some(json!({"recovery_target_bucket_name": "dst",
            "recovery_infos": [{"source_object_path": "logs/", "object_type": "FOLDER"}],
            "overwrite": true}))
    );
    // Objects are deleted with a JSON body on DELETE.
    let log = DryRunLog::new();
    let del: DeleteObjects = serde_json::from_value(json!({"paths": ["a/", "b.txt"]})).unwrap();
    let _ = scope(log.clone(), p.delete_archive_objects(&c, &aid, &del)).await;
    let r = log.requests();
    assert_eq!(r[0].method, "DELETE");
    assert_eq!(r[0].body, Some(json!({"paths": ["a/", "b.txt"]})));
    // Job lists send their window in UTC, and the one documented state spelling.
    let log = DryRunLog::new();
    let f = ArchiveJobFilter {
        kind: Some(ArchiveJobKind::Archiving),
        status: Some(JobStatus::Succeeded),
        since: "2025-04-01T00:00:00+09:00".parse().unwrap(),
        until: "2025-04-30T23:59:59+09:00".parse().unwrap(),
    };
    let _ = scope(log.clone(), p.list_archive_jobs(&c, &aid, &f, &page(5))).await;
    let r = log.requests();
    assert!(
        r[0].url.contains(
            "start_at_from=2025-03-31T15%3A00%3A00Z&start_at_to=2025-04-30T14%3A59%3A59Z"
        ) && r[0].url.contains("state=SUCCESS"),
        "{}",
        r[0].url
    );
    assert_eq!(sim.faults(Service::ArchiveStorage).request_count(), 0);
}
