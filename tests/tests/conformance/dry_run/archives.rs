//! The archive routes of the dry-run walk: an archive, its policy, an archiving run (fired
//! through the provider's hook), recoveries, a cancel, object and version deletes, and the
//! archive's deletion — refused alike, dry or real, where the provider has no archives.

use std::sync::Arc;

use strata_sim::memory::MemoryProvider;

use super::*;

impl Target {
    /// Fills the archive's source bucket and fires an archiving run through the simulator's
    /// (or in-memory provider's) hook; `false` where the provider has no such hook.
    fn fire_archiving(&self, archive_id: &str, source: &str) -> bool {
        let Ok(gid) = GlobalId::parse_as(archive_id, ResourceType::Archive) else {
            return false;
        };
        for keep in &self._sims {
            if let Some(sim) = keep.downcast_ref::<ScpSim>() {
                sim.put_source_object("kr-west1", source, "old.txt", 10, 40);
                sim.put_source_object("kr-west1", source, "other.txt", 10, 40);
                return sim.run_archiving("kr-west1", &gid.vendor_id).is_some();
            }
            if let Some(mem) = keep.downcast_ref::<Arc<MemoryProvider>>() {
                mem.put_source_object(source, "old.txt", 10, 40);
                mem.put_source_object(source, "other.txt", 10, 40);
                return mem.run_archiving(&gid.vendor_id).is_some();
            }
        }
        false
    }

    fn object_bucket(&self, name: &str) {
        for keep in &self._sims {
            if let Some(sim) = keep.downcast_ref::<ScpSim>() {
                sim.seed_object_bucket("kr-west1", name);
            }
            if let Some(mem) = keep.downcast_ref::<Arc<MemoryProvider>>() {
                mem.seed_object_bucket(name);
            }
        }
    }

    /// Waits until the archive's newest job of `kind` has finished.
    async fn job_done(&self, archive: &str, kind: &str) {
        for _ in 0..300 {
            let (_, jobs) = self.get(&format!("{archive}/jobs?kind={kind}")).await;
            let status = jobs["jobs"][0]["status"].as_str().unwrap_or_default();
            if !status.is_empty() && status != "queued" && status != "running" {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{archive}: the {kind} job did not finish");
    }
}

pub(super) async fn archive_changes(run: &Run<'_>, t: &Target) {
    let or_none = |id: String, none: &str| if id.is_empty() { none.to_string() } else { id };
    for bucket in ["dry-src", "dry-dst", "dry-slow-src"] {
        t.object_bucket(bucket);
    }
    let created = run
        .go(&step(
            Method::POST,
            "/v1/archives",
            Some(json!({"provider": t.provider, "name": "dry-archive", "encrypted": true})),
        ))
        .await;
    let archive_id = or_none(id(&created), "arc_AAAA");
    let a = format!("/v1/archives/{archive_id}");
    run.go(&step(Method::PATCH, &a, Some(json!({"encrypted": false}))))
        .await;
    run.go(&step(
        Method::PUT,
        format!("{a}/policy"),
        Some(json!({"source_bucket": "dry-src", "after_days": 30})),
    ))
    .await;
    run.go(&step(Method::POST, format!("{a}/policy/pause"), None))
        .await;
    run.go(&step(Method::POST, format!("{a}/policy/resume"), None))
        .await;
    if t.fire_archiving(&archive_id, "dry-src") {
        t.job_done(&a, "archiving").await;
    }
    run.go(&step(
        Method::POST,
        format!("{a}/recover"),
        Some(json!({"target_bucket": "dry-dst", "items": [{"path": "old.txt", "type": "file"}]})),
    ))
    .await;
    let (_, versions) = t.get(&format!("{a}/object-versions?key=old.txt")).await;
    let version = versions["versions"][0]["version_id"]
        .as_str()
        .unwrap_or("v1")
        .to_string();
    run.go(&step(
        Method::POST,
        format!("{a}/object-versions/recover"),
        Some(json!({"target_bucket": "dry-dst", "key": "old.txt", "version_id": version})),
    ))
    .await;
    // An archiving run that keeps going until cancelled, of a second archive whose source is
    // slow (fired through the hook, so no operation polls it while the walk compares the
    // cancel's requests).
    let (_, _, other) = send(
        t.req(Method::POST, "/v1/archives?wait=30s")
            .json(&json!({"provider": t.provider, "name": "dry-archive-slow"})),
    )
    .await;
    let slow = format!(
        "/v1/archives/{}",
        other["result"]["id"].as_str().unwrap_or("arc_AAAA")
    );
    let (_, _, _) = send(
        t.req(Method::PUT, &format!("{slow}/policy?wait=30s"))
            .json(&json!({"source_bucket": "dry-slow-src", "after_days": 30})),
    )
    .await;
    t.fire_archiving(
        other["result"]["id"].as_str().unwrap_or_default(),
        "dry-slow-src",
    );
    let (_, jobs) = t.get(&format!("{slow}/jobs?kind=archiving")).await;
    let job = jobs["jobs"][0]["id"]
        .as_str()
        .unwrap_or("ajob_AAAA")
        .to_string();
    run.go(&step(
        Method::POST,
        format!("/v1/archive-jobs/{job}/cancel"),
        None,
    ))
    .await;
    run.go(&step(
        Method::POST,
        format!("{a}/object-versions/delete"),
        Some(json!({"key": "old.txt", "version_ids": [version]})),
    ))
    .await;
    run.go(&step(
        Method::POST,
        format!("{a}/objects/delete"),
        Some(json!({"paths": ["other.txt"]})),
    ))
    .await;
    run.go(&step(Method::DELETE, &a, None)).await;
}
