//! Conformance: archives, their archiving policy and runs, objects and versions, recoveries
//! into object storage and cancellation, on every provider that offers archives (the memory
//! provider and SCP Archive Storage); providers without archives are checked for the
//! refusal. Archiving runs on the vendor's schedule, so each target brings a hook that fires
//! one now, and hooks to fill and read the object storage buckets around the archive.

use std::sync::Arc;

use strata_sim::memory::MemoryProvider;

use super::*;

/// The object storage world around a provider's archives.
enum World {
    Memory(Arc<MemoryProvider>),
    Scp(ScpSim),
    None,
}

/// A provider under test for archives, behind a running gateway.
struct ArchiveTarget {
    gw: TestGateway,
    provider: &'static str,
    world: World,
    /// The request log of the vendor service behind the archives, if any.
    log: Option<Faults>,
    _keep: Vec<Box<dyn std::any::Any + Send>>,
}

const SCP_REGION: &str = "kr-west1";

async fn memory_archives() -> ArchiveTarget {
    let (registry, mem) = memory_registry_with_a(SETTLE);
    let gw = TestGateway::start_with(test_config(), registry).await;
    ArchiveTarget {
        gw,
        provider: "mem-a",
        world: World::Memory(mem),
        log: None,
        _keep: vec![],
    }
}

async fn scp_archives() -> ArchiveTarget {
    let (gw, sim) = start_scp(SETTLE).await;
    let log = sim.faults(Service::ArchiveStorage).clone();
    ArchiveTarget {
        gw,
        provider: "scp-kr-west1",
        world: World::Scp(sim),
        log: Some(log),
        _keep: vec![],
    }
}

async fn nhn_archives() -> ArchiveTarget {
    let (gw, sim) = start_nhn(SETTLE, Duration::from_secs(3600)).await;
    ArchiveTarget {
        gw,
        provider: "nhn-kr1",
        world: World::None,
        log: None,
        _keep: vec![Box::new(sim)],
    }
}

impl ArchiveTarget {
    fn offers_archives(&self) -> bool {
        !matches!(self.world, World::None)
    }

    fn source_object(&self, bucket: &str, key: &str, size: u64, age_days: u32) {
        match &self.world {
            World::Memory(m) => m.put_source_object(bucket, key, size, age_days),
            World::Scp(s) => s.put_source_object(SCP_REGION, bucket, key, size, age_days),
            World::None => unreachable!(),
        }
    }

    fn bucket(&self, name: &str) {
        match &self.world {
            World::Memory(m) => m.seed_object_bucket(name),
            World::Scp(s) => s.seed_object_bucket(SCP_REGION, name),
            World::None => unreachable!(),
        }
    }

    fn bucket_keys(&self, name: &str) -> Vec<String> {
        match &self.world {
            World::Memory(m) => m.object_bucket_keys(name),
            World::Scp(s) => s.object_bucket_keys(SCP_REGION, name),
            World::None => unreachable!(),
        }
    }

    /// Fires the archive's archiving run now; `false` when it has no enabled policy.
    fn run_archiving(&self, archive_id: &str) -> bool {
        let vendor = GlobalId::parse_as(archive_id, ResourceType::Archive)
            .expect("an archive id")
            .vendor_id;
        match &self.world {
            World::Memory(m) => m.run_archiving(&vendor).is_some(),
            World::Scp(s) => s.run_archiving(SCP_REGION, &vendor).is_some(),
            World::None => unreachable!(),
        }
    }

    fn vendor_requests(&self) -> usize {
        self.log.as_ref().map_or(0, |l| l.requests().len())
    }

    async fn caps(&self) -> Value {
        let (s, _, p) = send(
            self.gw
                .req(Method::GET, &format!("/v1/providers/{}", self.provider)),
        )
        .await;
        assert_eq!(s, 200, "{p}");
        p["capabilities"]["archives"].clone()
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, b) = send(self.gw.req(Method::GET, path)).await;
        (s, b)
    }

    async fn op(&self, m: Method, path: &str, body: Option<Value>) -> Value {
        run_op(&self.gw, m, path, body).await
    }

    /// Creates an archive; returns it as created.
    async fn archive(&self, name: &str, versioning: bool) -> Value {
        let body = json!({"provider": self.provider, "name": name, "encrypted": true,
                          "versioning": versioning, "labels": {"team": "conformance"}});
        let op = self.op(Method::POST, "/v1/archives", Some(body)).await;
        assert_eq!(op["kind"], "archive.create", "{op}");
        op["result"].clone()
    }

    /// An archive with a policy on a fresh source bucket holding `objects` (key, size, age
    /// in days), after one archiving run finished; returns (archive id, the run).
    async fn archived(
        &self,
        name: &str,
        versioning: bool,
        objects: &[(&str, u64, u32)],
    ) -> (String, Value) {
        let source = format!("{name}-src");
        self.bucket(&source);
        for (key, size, age) in objects {
            self.source_object(&source, key, *size, *age);
        }
        let id = self.archive(name, versioning).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let policy = self
            .op(
                Method::PUT,
                &format!("/v1/archives/{id}/policy"),
                Some(json!({"source_bucket": source, "after_days": 5})),
            )
            .await["result"]
            .clone();
        assert_eq!(
            (
                policy["source_bucket"].as_str(),
                policy["after_days"].as_u64(),
                policy["enabled"].as_bool()
            ),
            (Some(source.as_str()), Some(5), Some(true)),
            "{policy}"
        );
        let run = self.archiving_run(&id).await;
        (id, run)
    }

    /// Fires an archiving run and waits until the job list shows it finished.
    async fn archiving_run(&self, id: &str) -> Value {
        assert!(self.run_archiving(id), "the archive has an enabled policy");
        self.finished_job(id, "archiving").await
    }

    /// The newest job of `kind` once it has finished.
    async fn finished_job(&self, id: &str, kind: &str) -> Value {
        for _ in 0..200 {
            let (s, jobs) = self
                .get(&format!("/v1/archives/{id}/jobs?kind={kind}"))
                .await;
            assert_eq!(s, 200, "{jobs}");
            if let Some(job) = jobs["jobs"].as_array().and_then(|j| j.first()) {
                if !matches!(job["status"].as_str(), Some("queued" | "running")) {
                    return job.clone();
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no finished {kind} job on {id}");
    }

    async fn keys(&self, id: &str, query: &str) -> Vec<String> {
        let (s, page) = self.get(&format!("/v1/archives/{id}/objects{query}")).await;
        assert_eq!(s, 200, "{page}");
        page["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["key"].as_str().unwrap().to_string())
            .collect()
    }
}

async fn an_archive_is_created_changed_and_deleted(t: ArchiveTarget) {
    if !t.offers_archives() {
        let body = json!({"provider": t.provider, "name": "conf-arc"});
        let resp = send(t.gw.req(Method::POST, "/v1/archives").json(&body)).await;
        assert_problem(&resp, 422, "unsupported_by_provider");
        let resp = send(t.gw.req(
            Method::GET,
            &format!("/v1/archives?provider={}", t.provider),
        ))
        .await;
        assert_problem(&resp, 422, "unsupported_by_provider");
        return;
    }
    let versioning = t.caps().await["versioning"] == true;
    let a = t.archive("conf-arc", versioning).await;
    assert_eq!(
        (
            a["status"].as_str(),
            a["encrypted"].as_bool(),
            a["name"].as_str()
        ),
        (Some("active"), Some(true), Some("conf-arc")),
        "{a}"
    );
    if versioning {
        assert_eq!(a["versioning"], true, "{a}");
    }
    let id = a["id"].as_str().unwrap();
    let (s, got) = t.get(&format!("/v1/archives/{id}")).await;
    assert_eq!((s, &got["id"]), (200, &a["id"]), "{got}");
    let (s, list) = t
        .get(&format!("/v1/archives?provider={}&name=conf-", t.provider))
        .await;
    assert_eq!(s, 200, "{list}");
    assert!(
        list["archives"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == a["id"]),
        "{list}"
    );
    // A name in use is refused; so is one the provider's rules do not allow.
    let dup = send(
        t.gw.req(Method::POST, "/v1/archives")
            .json(&json!({"provider": t.provider, "name": "conf-arc"})),
    )
    .await;
    assert_problem(&dup, 409, "already_exists");
    let before = t.vendor_requests();
    let bad = send(
        t.gw.req(Method::POST, "/v1/archives")
            .json(&json!({"provider": t.provider, "name": "x"})),
    )
    .await;
    assert_problem(&bad, 422, "unsupported_value");
    assert_eq!(
        t.vendor_requests(),
        before,
        "refused before any vendor call"
    );
    let changed = t
        .op(
            Method::PATCH,
            &format!("/v1/archives/{id}"),
            Some(json!({"encrypted": false})),
        )
        .await["result"]
        .clone();
    assert_eq!(changed["encrypted"], false, "{changed}");
    t.op(Method::DELETE, &format!("/v1/archives/{id}"), None)
        .await;
    let gone = send(t.gw.req(Method::GET, &format!("/v1/archives/{id}"))).await;
    assert_problem(&gone, 404, "archive_not_found");
}

async fn archiving_copies_old_objects_in(t: ArchiveTarget) {
    if !t.offers_archives() {
        return;
    }
    let (id, run) = t
        .archived(
            "conf-fill",
            false,
            &[("a.txt", 10, 10), ("logs/b.log", 20, 30), ("new.txt", 5, 0)],
        )
        .await;
    assert_eq!(
        (run["kind"].as_str(), run["status"].as_str()),
        (Some("archiving"), Some("succeeded")),
        "{run}"
    );
    let (s, job) = t
        .get(&format!("/v1/archive-jobs/{}", run["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, 200, "{job}");
    assert!(
        !job["progress"].as_array().unwrap().is_empty(),
        "a job reports progress: {job}"
    );
    // Folders first, then objects; the object younger than the policy's days stays out.
    assert_eq!(t.keys(&id, "").await, ["logs/", "a.txt"]);
    assert_eq!(t.keys(&id, "?folder=logs/").await, ["logs/b.log"]);
    assert_eq!(t.keys(&id, "?type=file").await, ["a.txt"]);
    let (s, policies) = t
        .get(&format!("/v1/archive-policies?provider={}", t.provider))
        .await;
    assert_eq!(s, 200, "{policies}");
    assert!(
        policies["policies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["archive_id"] == id.as_str()),
        "{policies}"
    );
    let (s, a) = t.get(&format!("/v1/archives/{id}")).await;
    assert_eq!(
        (s, a["source_bucket"].as_str()),
        (200, Some("conf-fill-src")),
        "{a}"
    );
    // A path that matches nothing is refused, and nothing is deleted.
    let resp = send(
        t.gw.req(Method::POST, &format!("/v1/archives/{id}/objects/delete"))
            .json(&json!({"paths": ["a.txt", "no-such.txt"]})),
    )
    .await;
    assert_problem(&resp, 409, "failed_precondition");
    assert_eq!(t.keys(&id, "").await, ["logs/", "a.txt"]);
    // Nothing new: the next run has nothing to do.
    let again = t.archiving_run(&id).await;
    assert!(
        matches!(again["status"].as_str(), Some("skipped" | "succeeded")),
        "{again}"
    );
}

async fn recoveries_copy_out_and_can_be_cancelled(t: ArchiveTarget) {
    if !t.offers_archives() {
        return;
    }
    let (id, _) = t
        .archived(
            "conf-rec",
            false,
            &[("a.txt", 10, 10), ("logs/b.log", 20, 30)],
        )
        .await;
    t.bucket("conf-rec-dst");
    let op = t
        .op(
            Method::POST,
            &format!("/v1/archives/{id}/recover"),
            Some(json!({"target_bucket": "conf-rec-dst", "items": [{"path": "a.txt", "type": "file"}, {"path": "logs/", "type": "folder"}]})),
        )
        .await;
    let job = &op["result"];
    assert_eq!(
        (
            job["kind"].as_str(),
            job["status"].as_str(),
            job["target_bucket"].as_str()
        ),
        (Some("recovery"), Some("succeeded"), Some("conf-rec-dst")),
        "{op}"
    );
    assert_eq!(t.bucket_keys("conf-rec-dst"), ["a.txt", "logs/b.log"]);
    // A slow recovery is still running: cancel it.
    t.bucket("conf-slow-dst");
    let (s, _, started) = send(
        t.gw.req(Method::POST, &format!("/v1/archives/{id}/recover"))
            .json(&json!({"target_bucket": "conf-slow-dst", "items": [{"path": "logs/", "type": "folder"}]})),
    )
    .await;
    assert_eq!(s, 202, "{started}");
    let job_id = started["target"]
        .as_str()
        .expect("the operation names its job")
        .to_string();
    let cancelled = t
        .op(
            Method::POST,
            &format!("/v1/archive-jobs/{job_id}/cancel"),
            None,
        )
        .await;
    assert_eq!(cancelled["result"]["status"], "cancelled", "{cancelled}");
    let again = send(t.gw.req(Method::POST, &format!("/v1/archive-jobs/{job_id}/cancel"))).await;
    assert_problem(&again, 409, "failed_precondition");
    let (s, jobs) = t
        .get(&format!(
            "/v1/archives/{id}/jobs?kind=recovery&status=cancelled"
        ))
        .await;
    assert_eq!(s, 200, "{jobs}");
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), 1, "{jobs}");
    // Paging the jobs one at a time: a job that starts between two pages neither shifts
    // them nor joins them (the window ends where the first page resolved it).
    let (s, first) = t
        .get(&format!("/v1/archives/{id}/jobs?kind=recovery&page_size=1"))
        .await;
    assert_eq!(s, 200, "{first}");
    let mut seen: Vec<Value> = first["jobs"].as_array().unwrap().clone();
    // SCP reports start times to the second: start the next one in a later second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.op(
        Method::POST,
        &format!("/v1/archives/{id}/recover"),
        Some(json!({"target_bucket": "conf-rec-dst", "items": [{"path": "a.txt", "type": "file"}], "overwrite": true})),
    )
    .await;
    let mut token = first["next_page_token"].as_str().map(String::from);
    while let Some(tk) = token {
        let (s, page) = t
            .get(&format!(
                "/v1/archives/{id}/jobs?kind=recovery&page_size=1&page_token={tk}"
            ))
            .await;
        assert_eq!(s, 200, "{page}");
        seen.extend(page["jobs"].as_array().unwrap().iter().cloned());
        token = page["next_page_token"].as_str().map(String::from);
    }
    let ids: BTreeSet<&str> = seen.iter().map(|j| j["id"].as_str().unwrap()).collect();
    assert_eq!((ids.len(), seen.len()), (2, 2), "{seen:?}");
    let resp = send(t.gw.req(
        Method::GET,
        &format!(
            "/v1/archives/{id}/jobs?kind=archiving&page_token={}",
            first["next_page_token"].as_str().unwrap()
        ),
    ))
    .await;
    assert_problem(&resp, 422, "invalid_page_token");
    // Recovering into a bucket that does not exist is refused.
    let resp = send(
        t.gw.req(Method::POST, &format!("/v1/archives/{id}/recover"))
            .json(&json!({"target_bucket": "conf-no-such-bucket", "items": [{"path": "a.txt", "type": "file"}]})),
    )
    .await;
    assert!(matches!(resp.0, 404 | 409 | 422), "{resp:?}");
}

async fn a_policy_pauses_resumes_and_keeps_its_source(t: ArchiveTarget) {
    if !t.offers_archives() {
        return;
    }
    let caps = t.caps().await;
    let (id, _) = t.archived("conf-pol", false, &[("a.txt", 10, 10)]).await;
    let path = format!("/v1/archives/{id}/policy");
    let changed = t
        .op(
            Method::PUT,
            &path,
            Some(json!({"source_bucket": "conf-pol-src", "after_days": 9})),
        )
        .await;
    assert_eq!(changed["result"]["after_days"], 9, "{changed}");
    // A source another archive archives from is refused alike on every provider.
    let other = t.archive("conf-pol-2", false).await;
    let resp = send(
        t.gw.req(
            Method::PUT,
            &format!("/v1/archives/{}/policy", other["id"].as_str().unwrap()),
        )
        .json(&json!({"source_bucket": "conf-pol-src", "after_days": 9})),
    )
    .await;
    assert_problem(&resp, 409, "failed_precondition");
    t.bucket("conf-other-src");
    let resp = send(
        t.gw.req(Method::PUT, &path)
            .json(&json!({"source_bucket": "conf-other-src", "after_days": 9})),
    )
    .await;
    assert_problem(&resp, 409, "failed_precondition");
    let max = caps["max_after_days"].as_u64().unwrap();
    let before = t.vendor_requests();
    let resp = send(
        t.gw.req(Method::PUT, &path)
            .json(&json!({"source_bucket": "conf-pol-src", "after_days": max + 1})),
    )
    .await;
    assert_problem(&resp, 422, "unsupported_value");
    assert_eq!(
        t.vendor_requests(),
        before,
        "refused before any vendor call"
    );
    if caps["policy_pause"] != true {
        let resp = send(t.gw.req(Method::POST, &format!("{path}/pause"))).await;
        assert_problem(&resp, 422, "unsupported_by_provider");
        return;
    }
    let paused = t.op(Method::POST, &format!("{path}/pause"), None).await;
    assert_eq!(paused["result"]["enabled"], false, "{paused}");
    assert!(!t.run_archiving(&id), "a paused policy does not run");
    let resumed = t.op(Method::POST, &format!("{path}/resume"), None).await;
    assert_eq!(resumed["result"]["enabled"], true, "{resumed}");
    let (s, p) = t.get(&path).await;
    assert_eq!((s, p["enabled"].as_bool()), (200, Some(true)), "{p}");
}

async fn versions_are_listed_recovered_and_deleted(t: ArchiveTarget) {
    if !t.offers_archives() {
        return;
    }
    if t.caps().await["versioning"] != true {
        let a = t.archive("conf-nover", false).await;
        let resp = send(t.gw.req(
            Method::GET,
            &format!(
                "/v1/archives/{}/object-versions?key=a.txt",
                a["id"].as_str().unwrap()
            ),
        ))
        .await;
        assert_problem(&resp, 422, "unsupported_by_provider");
        return;
    }
    let (id, _) = t.archived("conf-ver", true, &[("a.txt", 10, 10)]).await;
    t.source_object("conf-ver-src", "a.txt", 11, 10);
    t.archiving_run(&id).await;
    let (s, v) = t
        .get(&format!("/v1/archives/{id}/object-versions?key=a.txt"))
        .await;
    assert_eq!(s, 200, "{v}");
    let versions = v["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{v}");
    assert_eq!(
        (
            versions[0]["latest"].as_bool(),
            versions[0]["size_bytes"].as_u64()
        ),
        (Some(true), Some(11)),
        "{v}"
    );
    let older = versions[1]["version_id"].as_str().unwrap().to_string();
    let newer = versions[0]["version_id"].as_str().unwrap().to_string();
    t.bucket("conf-ver-dst");
    let op = t
        .op(
            Method::POST,
            &format!("/v1/archives/{id}/object-versions/recover"),
            Some(json!({"target_bucket": "conf-ver-dst", "key": "a.txt", "version_id": older})),
        )
        .await;
    assert_eq!(op["result"]["status"], "succeeded", "{op}");
    assert_eq!(t.bucket_keys("conf-ver-dst"), ["a.txt"]);
    let resp = send(
        t.gw.req(
            Method::POST,
            &format!("/v1/archives/{id}/object-versions/delete"),
        )
        .json(&json!({"key": "a.txt", "version_ids": ["no-such-version"]})),
    )
    .await;
    assert_problem(&resp, 409, "failed_precondition");
    t.op(
        Method::POST,
        &format!("/v1/archives/{id}/object-versions/delete"),
        Some(json!({"key": "a.txt", "version_ids": [newer]})),
    )
    .await;
    let (_, v) = t
        .get(&format!("/v1/archives/{id}/object-versions?key=a.txt"))
        .await;
    assert_eq!(v["versions"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(
        (
            v["versions"][0]["version_id"].as_str(),
            v["versions"][0]["latest"].as_bool()
        ),
        (Some(older.as_str()), Some(true)),
        "{v}"
    );
    t.op(
        Method::POST,
        &format!("/v1/archives/{id}/objects/delete"),
        Some(json!({"paths": ["a.txt"]})),
    )
    .await;
    assert!(t.keys(&id, "").await.is_empty());
}

async fn bad_requests_change_nothing(t: ArchiveTarget) {
    if !t.offers_archives() {
        return;
    }
    let a = t.archive("conf-bad", false).await;
    let id = a["id"].as_str().unwrap();
    let before = t.vendor_requests();
    for path in ["/abs", "a//b", "../x", "a/./b"] {
        let resp = send(
            t.gw.req(Method::POST, &format!("/v1/archives/{id}/objects/delete"))
                .json(&json!({"paths": [path]})),
        )
        .await;
        assert_problem(&resp, 400, "invalid_argument");
        let resp = send(
            t.gw.req(Method::POST, &format!("/v1/archives/{id}/recover"))
                .json(&json!({"target_bucket": "x", "items": [{"path": path, "type": "file"}]})),
        )
        .await;
        assert_problem(&resp, 400, "invalid_argument");
    }
    let resp = send(t.gw.req(
        Method::GET,
        &format!("/v1/archives/{id}/objects?folder=logs"),
    ))
    .await;
    assert_problem(&resp, 400, "invalid_argument");
    let resp = send(
        t.gw.req(Method::PUT, &format!("/v1/archives/{id}/policy"))
            .json(&json!({"source_bucket": "s", "after_days": 0})),
    )
    .await;
    assert_problem(&resp, 400, "invalid_argument");
    let (s, empty) = t
        .get(&format!(
            "/v1/archives/{id}/jobs?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z"
        ))
        .await;
    assert_eq!(
        (s, empty["jobs"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{empty}"
    );

    assert_eq!(t.vendor_requests(), before, "nothing reached the vendor");
    let resp = send(t.gw.req(Method::GET, &format!("/v1/archives/{id}/policy"))).await;
    assert_problem(&resp, 404, "archive_policy_not_found");
}

/// Runs each behaviour on each archive target, as `archives::<target>::<behaviour>`.
macro_rules! archive_suite {
    ($($behaviour:ident),+ $(,)?) => {
        archive_suite!(@one memory_archives [$($behaviour),+]);
        archive_suite!(@one scp_archives [$($behaviour),+]);
        archive_suite!(@one nhn_archives [$($behaviour),+]);
    };
    (@one $target:ident [$($behaviour:ident),+]) => {
        mod $target {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    super::$behaviour(super::$target().await).await
                }
            )+
        }
    };
}

archive_suite!(
    an_archive_is_created_changed_and_deleted,
    archiving_copies_old_objects_in,
    recoveries_copy_out_and_can_be_cancelled,
    a_policy_pauses_resumes_and_keeps_its_source,
    versions_are_listed_recovered_and_deleted,
    bad_requests_change_nothing,
);
