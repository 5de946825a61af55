//! The Backup service driven through `ScpProvider` against the simulator: targets, an image
//! policy with schedules, a manual run found and settled, jobs and recovery points, an image
//! restore found and settled, retention/schedule/replication changes, a filesystem policy
//! with an agent (duplicate name and path refused before create, a filesystem restore),
//! agents and their connection check, deletes; and what an adapter pinned to 1.0 does not
//! offer.

use serde_json::json;
use strata_sim::scp::{ScpSim, Service};

use super::*;
use crate::test_support::*;

/// A provider of Backup only, pinned to `version`, pairing kr-west1 with kr-east1.
fn provider(sim: &ScpSim, version: &str) -> ScpProvider {
    let mut cfg = one_service(sim, ScpService::Backup, Service::Backup, version);
    cfg.replication_regions = vec!["kr-east1".into()];
    cfg.peers.insert("kr-east1".into(), "scp-kr-east1".into());
    ScpProvider::new(cfg).expect("provider builds")
}

fn create(name: &str, kind: &str, server: &str, extra: serde_json::Value) -> CreateBackup {
    let mut req = json!({"provider": "scp-kr-west1", "name": name, "kind": kind,
    "server_id": server, "server_type": "virtual_server",
    "schedules": [
        {"level": "full", "frequency": "monthly", "day": "friday", "week": "last", "hour": 2},
        {"level": "incremental", "frequency": "daily", "hour": 3}
    ]});
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    serde_json::from_value(req).expect("create request")
}

#[tokio::test]
async fn backups_live_their_whole_life() {
    let sim = sim().await;
    let web = sim.seed_backup_target(REGION, "web-1", "VIRTUAL_SERVER", "LINUX");
    let db = sim.seed_backup_target(REGION, "db-1", "VIRTUAL_SERVER", "LINUX");
    let spare = sim.seed_backup_target(REGION, "spare-1", "VIRTUAL_SERVER", "LINUX");
    let p = provider(&sim, "1.1");
    let c = ctx();
    let caps = p.capabilities().backups().unwrap();
    assert_eq!(caps.replication_regions, ["kr-east1"]);
    assert!(p.health().await.ok);

    // Targets, paged one at a time: nothing lost or repeated.
    let mut seen = vec![];
    let mut req = page(1);
    loop {
        let pg = p
            .list_backup_targets(&c, ServerType::VirtualServer, &req)
            .await
            .unwrap();
        seen.extend(pg.items.into_iter().map(|t| t.server_id));
        match pg.next_page_token {
            Some(t) => req.page_token = Some(t),
            None => break,
        }
    }
    seen.sort();
    let mut want = vec![web.clone(), db.clone(), spare.clone()];
    want.sort();
    assert_eq!(seen, want);

    // An image policy with a monthly "last Friday" and a daily entry.
    let b = p
        .create_backup(
            &c,
            &create(
                "web-nightly",
                "image",
                &web,
                json!({"retention": "one_month"}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        (b.kind, b.retention),
        (BackupKind::Image, Retention::OneMonth)
    );
    assert_eq!(b.schedules, create("x", "image", &web, json!({})).schedules);
    assert!(b.encrypted);
    let bid = gid(&b.id, ResourceType::Backup);
    let b = until(
        "backup",
        || p.get_backup(&c, &bid),
        |b| !b.status.is_transitional(),
    )
    .await;
    assert_eq!(b.status, BackupStatus::Active);
    let listed = p
        .list_backups(&c, &BackupFilter::default(), &page(10))
        .await
        .unwrap();
    assert!(listed.items.iter().any(|x| x.id == b.id));

    // A duplicate name is refused before anything is created.
    let e = p
        .create_backup(&c, &create("web-nightly", "image", &db, json!({})))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "already_exists", "{e}");

    // A manual run: the job is found and settles.
    let job = p.run_backup(&c, &bid).await.unwrap();
    assert_eq!(job.trigger, Some(JobTrigger::Manual));
    let jid = gid(&job.id, ResourceType::BackupJob);
    let job = until(
        "job",
        || p.get_backup_job(&c, &jid),
        |j| !j.status.is_transitional(),
    )
    .await;
    assert_eq!(job.status, JobStatus::Succeeded);
    let jobs = p.list_backup_jobs(&c, &bid, None, &page(10)).await.unwrap();
    assert_eq!(jobs.items.len(), 1);
    let done = p
        .list_backup_jobs(&c, &bid, Some(JobStatus::Failed), &page(10))
        .await
        .unwrap();
    assert!(done.items.is_empty());
    let points = p.list_recovery_points(&c, &bid, &page(10)).await.unwrap();
    assert_eq!(points.items.len(), 1);
    let rp = &points.items[0];
    assert!(rp.restorable && rp.size_bytes.is_some());

    // An image restore: the restore is found and settles.
    let subnets = p.list_restore_subnets(&c, &bid, None).await.unwrap();
    assert!(!subnets.is_empty());
    let restore: RestoreBackup = serde_json::from_value(json!({
        "recovery_point_id": rp.id,
        "server": {"name": "web restored", "server_type": "s1v1m2", "subnet_id": subnets[0].id}
    }))
    .unwrap();
    let r = p.restore_backup(&c, &bid, &restore).await.unwrap();
    assert_eq!(r.server_name.as_deref(), Some("web restored"));
    let rid = gid(&r.id, ResourceType::RestoreJob);
    let r2 = until(
        "restore",
        || p.get_restore_job(&c, &rid),
        |r| !r.status.is_transitional(),
    )
    .await;
    assert_eq!(
        (r2.id.as_str(), r2.status),
        (r.id.as_str(), JobStatus::Succeeded)
    );
    assert!(r2.server_id.is_some());
    let restores = p.list_restore_jobs(&c, &bid, &page(10)).await.unwrap();
    assert_eq!(restores.items[0].id, r.id);
    // The new server's name is now taken.
    let e = p.restore_backup(&c, &bid, &restore).await.unwrap_err();
    assert_eq!(e.code(), "already_exists", "{e}");

    // Retention, schedules and replication.
    let upd: UpdateBackup = serde_json::from_value(json!({"retention": "one_year",
        "schedules": [{"level": "full", "frequency": "weekly", "day": "sunday", "hour": 4}]}))
    .unwrap();
    let b = p.update_backup(&c, &bid, &upd).await.unwrap();
    assert_eq!(b.retention, Retention::OneYear);
    assert_eq!(b.schedules.len(), 1);
    assert_eq!(b.schedules[0].day, Some(Weekday::Sunday));
    let on = UpdateBackup {
        replicate: Some(true),
        ..Default::default()
    };
    let b = p.update_backup(&c, &bid, &on).await.unwrap();
    assert_eq!(b.replication_region.as_deref(), Some("kr-east1"));
    let off = UpdateBackup {
        replicate: Some(false),
        ..Default::default()
    };
    let b = p.update_backup(&c, &bid, &off).await.unwrap();
    assert_eq!(b.replication_region, None);
    // An image policy has no paths.
    let paths = UpdateBackup {
        paths: Some(vec!["/x".into()]),
        ..Default::default()
    };
    let e = p.update_backup(&c, &bid, &paths).await.unwrap_err();
    assert_eq!(e.code(), "unsupported_value");

    // Agents: targets, create, connection check, installer.
    let targets = p
        .list_agent_targets(&c, ServerType::VirtualServer, &page(10))
        .await
        .unwrap();
    assert!(targets.items.iter().any(|t| t.server_id == db));
    let agent_req: CreateBackupAgent = serde_json::from_value(json!({
        "provider": "scp-kr-west1", "server_id": db, "server_type": "virtual_server"}))
    .unwrap();
    let agent = p.create_backup_agent(&c, &agent_req).await.unwrap();
    assert_eq!(agent.server_id, db);
    let aid = gid(&agent.id, ResourceType::BackupAgent);
    let checked = p.check_backup_agent(&c, &aid).await.unwrap();
    assert_eq!(checked.connection, AgentConnection::Checking);
    let agent = until(
        "agent",
        || p.get_backup_agent(&c, &aid),
        |a| a.connection == AgentConnection::Connected,
    )
    .await;
    assert_eq!(agent.status, BackupStatus::Active);
    let agents = p.list_backup_agents(&c, &page(10)).await.unwrap();
    assert!(agents.items.iter().any(|a| a.id == agent.id));
    let inst = p.backup_agent_installer(&c, "linux").await.unwrap();
    assert!(!inst.url.is_empty());
    assert_eq!(
        p.backup_agent_installer(&c, "beos")
            .await
            .unwrap_err()
            .code(),
        "unsupported_value"
    );

    // A filesystem policy: a protected path is refused before anything is created.
    let fs = p
        .create_backup(
            &c,
            &create(
                "db-files",
                "filesystem",
                &db,
                json!({"paths": ["/data", "/etc"]}),
            ),
        )
        .await
        .unwrap();
    assert_eq!((fs.kind, fs.paths.len()), (BackupKind::Filesystem, 2));
    let fid = gid(&fs.id, ResourceType::Backup);
    until(
        "fs backup",
        || p.get_backup(&c, &fid),
        |b| !b.status.is_transitional(),
    )
    .await;
    let dup = create("db-files-2", "filesystem", &db, json!({"paths": ["/data"]}));
    let e = p.create_backup(&c, &dup).await.unwrap_err();
    assert_eq!(e.code(), "already_exists", "{e}");
    assert!(e.to_string().contains("/data"), "{e}");
    assert!(!p
        .list_backups(
            &c,
            &BackupFilter {
                name: Some("db-files-2".into())
            },
            &page(10)
        )
        .await
        .unwrap()
        .items
        .iter()
        .any(|b| b.name == "db-files-2"));
    // Its own paths are not duplicates of themselves.
    let paths = UpdateBackup {
        paths: Some(vec!["/data".into(), "/var/log".into()]),
        ..Default::default()
    };
    let fs = p.update_backup(&c, &fid, &paths).await.unwrap();
    assert_eq!(fs.paths, ["/data", "/var/log"]);

    // A filesystem restore onto the agent's server.
    let job = p.run_backup(&c, &fid).await.unwrap();
    let jid = gid(&job.id, ResourceType::BackupJob);
    until(
        "fs job",
        || p.get_backup_job(&c, &jid),
        |j| !j.status.is_transitional(),
    )
    .await;
    let servers = p.list_restore_servers(&c, &fid, &page(10)).await.unwrap();
    assert!(servers.items.iter().any(|s| s.server_id == db));
    let rp = p
        .list_recovery_points(&c, &fid, &page(10))
        .await
        .unwrap()
        .items[0]
        .clone();
    let restore: RestoreBackup = serde_json::from_value(json!({
        "recovery_point_id": rp.id,
        "filesystem": {"server_id": db, "paths": [{"source": "/data", "destination": "/restore"}],
                       "overwrite": true}
    }))
    .unwrap();
    let r = p.restore_backup(&c, &fid, &restore).await.unwrap();
    let rid = gid(&r.id, ResourceType::RestoreJob);
    let r = until(
        "fs restore",
        || p.get_restore_job(&c, &rid),
        |r| !r.status.is_transitional(),
    )
    .await;
    assert_eq!(r.status, JobStatus::Succeeded);

    // Deletes.
    let rpid = gid(&rp.id, ResourceType::RecoveryPoint);
    p.delete_recovery_point(&c, &rpid).await.unwrap();
    assert!(p
        .list_recovery_points(&c, &fid, &page(10))
        .await
        .unwrap()
        .items
        .iter()
        .all(|x| x.id != rp.id));
    p.delete_backup(&c, &fid).await.unwrap();
    p.delete_backup(&c, &bid).await.unwrap();
    let gone = until(
        "delete",
        || async { Ok(p.get_backup(&c, &bid).await) },
        |r| r.is_err(),
    )
    .await;
    assert_eq!(gone.unwrap_err().code(), "backup_not_found");
    let gone = until(
        "fs delete",
        || async { Ok(p.get_backup(&c, &fid).await) },
        |r| r.is_err(),
    )
    .await;
    assert!(gone.is_err());
    p.delete_backup_agent(&c, &aid).await.unwrap();
    let gone = until(
        "agent delete",
        || async { Ok(p.get_backup_agent(&c, &aid).await) },
        |r| r.is_err(),
    )
    .await;
    assert_eq!(gone.unwrap_err().code(), "backup_agent_not_found");
    let missing = gid(
        &GlobalId::new(ResourceType::BackupJob, "scp-kr-west1", None, "nope")
            .with_parent("0fdd87aab8cb46f59b7c1f81ed03fb3e")
            .encode(),
        ResourceType::BackupJob,
    );
    assert_eq!(
        p.get_backup_job(&c, &missing).await.unwrap_err().code(),
        "backup_job_not_found"
    );
}

#[tokio::test]
async fn pinned_to_1_0_there_is_no_replication() {
    let sim = sim().await;
    let web = sim.seed_backup_target(REGION, "web-1", "VIRTUAL_SERVER", "LINUX");
    let p = provider(&sim, "1.0");
    let c = ctx();
    assert!(p
        .capabilities()
        .backups()
        .unwrap()
        .replication_regions
        .is_empty());
    let e = p
        .create_backup(&c, &create("w", "image", &web, json!({"replicate": true})))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unsupported_value");
    // Without replication the 1.0 body (no `dr_enabled`) is accepted.
    let b = p
        .create_backup(&c, &create("w", "image", &web, json!({})))
        .await
        .unwrap();
    assert_eq!(b.replication_region, None);
    let bid = gid(&b.id, ResourceType::Backup);
    let on = UpdateBackup {
        replicate: Some(true),
        ..Default::default()
    };
    assert_eq!(
        p.update_backup(&c, &bid, &on).await.unwrap_err().code(),
        "unsupported_value"
    );
    // Seeded policies read with their history.
    let seeded = sim.seed_backup(REGION, "seeded", &web, "image");
    let sid = gid(
        &GlobalId::new(ResourceType::Backup, "scp-kr-west1", None, seeded).encode(),
        ResourceType::Backup,
    );
    let jobs = p.list_backup_jobs(&c, &sid, None, &page(1)).await.unwrap();
    assert_eq!(jobs.items.len(), 1);
    let rest = p
        .list_backup_jobs(
            &c,
            &sid,
            None,
            &PageRequest {
                page_size: 5,
                page_token: jobs.next_page_token.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_ne!(rest.items[0].id, jobs.items[0].id);
    assert_eq!(rest.next_page_token, None);
    assert_eq!(jobs.items[0].trigger, Some(JobTrigger::Scheduled));
    // A backup id never reaches a volume service, nor a volume id the backup service.
    let e = p.get_volume(&c, &sid).await.unwrap_err();
    assert_eq!(e.code(), "invalid_id", "{e}");
}

#[tokio::test]
async fn dry_runs_show_reads_and_mutations_exactly() {
    use strata_core::dry_run::{scope, DryRunLog};
    let sim = sim().await;
    let web = sim.seed_backup_target(REGION, "web-1", "VIRTUAL_SERVER", "LINUX");
    let p = provider(&sim, "1.1");
    let c = ctx();
    // Create stops at the name check, a read whose answer decides what follows.
    let log = DryRunLog::new();
    let req = create("dry", "image", &web, json!({}));
    let e = scope(log.clone(), p.create_backup(&c, &req))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DryRun));
    let r = log.requests();
    assert_eq!(r.len(), 1);
    assert!(
        r[0].read
            && r[0]
                .url
                .contains("/v1/backups/check-name-duplication?backup_name=dry")
    );
    // The connection check is a GET, recorded as the mutation it is.
    let aid = gid(
        &GlobalId::new(
            ResourceType::BackupAgent,
            "scp-kr-west1",
            None,
            "BACKUP_AGENT-x",
        )
        .encode(),
        ResourceType::BackupAgent,
    );
    let log = DryRunLog::new();
    let e = scope(log.clone(), p.check_backup_agent(&c, &aid))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DryRun));
    let r = log.requests();
    assert_eq!((r[0].method.as_str(), r[0].read), ("GET", false));
    assert!(r[0]
        .url
        .ends_with("/v1/backup-agents/BACKUP_AGENT-x/check-connection-state"));
    // A recovery point is deleted with a JSON body on DELETE.
    let rp = gid(
        &GlobalId::new(ResourceType::RecoveryPoint, "scp-kr-west1", None, "rp1")
            .with_parent("b1")
            .encode(),
        ResourceType::RecoveryPoint,
    );
    let log = DryRunLog::new();
    let _ = scope(log.clone(), p.delete_recovery_point(&c, &rp)).await;
    let r = log.requests();
    assert_eq!(r[0].method, "DELETE");
    assert_eq!(r[0].body, Some(json!({"restore_target_ids": ["rp1"]})));
    // Ids of another type never reach the service.
    let e = p.get_backup(&c, &rp).await.unwrap_err();
    assert_eq!(e.code(), "invalid_id", "{e}");
}
