//! Provider architecture v2: ids route by family, and an operation's probes speak to the
//! vendor under the id of the request that started it.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;
use strata_server::auth::Principal;
use strata_sim::scp::Service;
use strata_tests::*;

fn admin() -> Principal {
    Principal {
        subject: "t".into(),
        scopes: HashSet::from(["storage.admin".to_string()]),
        providers: None,
        expires_at: i64::MAX,
    }
}

/// Backup, archive, volume group, recovery point and job ids, and volume ids without a kind,
/// never reach a volume service: the SCP provider refuses them from its one dispatch table
/// (backup and archive ids go to their own services only).
#[tokio::test]
async fn non_volume_ids_never_reach_a_volume_service() {
    let (gw, sim) = start_scp(Duration::from_millis(20)).await;
    let p = gw
        .gateway
        .state
        .registry
        .get("scp-kr-west1", &admin())
        .expect("provider");
    let logs = [
        sim.faults(Service::FileStorage),
        sim.faults(Service::ParallelFileStorage),
    ];
    let before: usize = logs.iter().map(|f| f.request_count()).sum();
    let ctx = CallCtx::for_request("dispatch-test");
    let vid = "0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3e";
    let mut forged = vec![];
    for rtype in [
        ResourceType::Backup,
        ResourceType::Archive,
        ResourceType::VolumeGroup,
        ResourceType::RecoveryPoint,
        ResourceType::ArchiveJob,
    ] {
        for kind in [None, Some(VolumeKind::File), Some(VolumeKind::ParallelFile)] {
            forged.push(GlobalId::new(rtype, "scp-kr-west1", kind, vid).with_parent(vid));
        }
    }
    for rtype in [
        ResourceType::Volume,
        ResourceType::Snapshot,
        ResourceType::Replica,
    ] {
        forged.push(GlobalId::new(rtype, "scp-kr-west1", None, vid).with_parent(vid));
    }
    for id in &forged {
        let errors = [
            p.get_volume(&ctx, id).await.unwrap_err(),
            p.delete_volume(&ctx, id).await.unwrap_err(),
            p.get_snapshot(&ctx, id).await.unwrap_err(),
            p.delete_snapshot(&ctx, id).await.unwrap_err(),
            p.get_replica(&ctx, id).await.unwrap_err(),
            p.stop_replica(&ctx, id).await.unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.code(), "invalid_id", "{id:?}: {e}");
        }
        // A backup id reaches the Backup service only (it names no policy there); any other
        // id is not a backup's.
        let backup = p.get_backup(&ctx, id).await.unwrap_err().code();
        let expected = if id.rtype == ResourceType::Backup {
            "backup_not_found"
        } else {
            "invalid_id"
        };
        assert_eq!(backup, expected, "{id:?}");
        // Likewise an archive id reaches Archive Storage only.
        let archive = p.get_archive(&ctx, id).await.unwrap_err().code();
        let expected = if id.rtype == ResourceType::Archive && id.kind.is_none() {
            "archive_not_found"
        } else {
            "invalid_id"
        };
        assert_eq!(archive, expected, "{id:?}");
    }
    let after: usize = logs.iter().map(|f| f.request_count()).sum();
    assert_eq!(
        after,
        before,
        "no vendor request for {} forged ids",
        forged.len()
    );
    gw.stop().await;
}

/// An operation started with `X-Request-Id: abc` makes every probe call carry `abc` to the
/// vendor, though the probes run after the request has been answered.
#[tokio::test]
async fn probe_calls_carry_the_request_id_that_started_the_operation() {
    let (gw, sim) = start_nhn(Duration::from_millis(150), Duration::from_secs(3600)).await;
    let log = sim.nas_faults();
    let before = log.request_count();
    let resp = send(
        gw.req(Method::POST, "/v1/volumes")
            .header("x-request-id", "probe-rid-1")
            .json(&json!({"provider":"nhn-kr1","kind":"file","name":"rid","size_gib":300,"protocol":"nfs"})),
    )
    .await;
    assert_eq!(resp.0, 202, "{}", resp.2);
    // Follow the operation with a request of another id: the probes keep the first one.
    let loc = resp.1["location"].to_str().unwrap().to_string();
    let (status, _, op) = send(
        gw.req(Method::GET, &format!("{loc}?wait=30s"))
            .header("x-request-id", "waiter-2"),
    )
    .await;
    assert_eq!(status, 200, "{op}");
    assert_eq!(op["state"], "succeeded", "{op}");
    let calls: Vec<_> = log.requests().into_iter().skip(before).collect();
    let probes = calls.iter().filter(|r| r.method == "GET").count();
    assert!(probes >= 2, "the volume was polled: {calls:?}");
    assert!(
        calls
            .iter()
            .all(|r| r.request_id.as_deref() == Some("probe-rid-1")),
        "every vendor call of the operation carries the starting request's id: {calls:?}"
    );
    gw.stop().await;
}
