//! Block Storage pinned to API 1.0, and what a dry run records.

use serde_json::json;
use strata_core::secret::Secret;

use super::*;

#[tokio::test]
async fn pinned_to_1_0_there_is_no_qos_and_no_recovery() {
    let sim = sim().await;
    let p = provider(&sim, "1.0");
    let c = ctx();
    let kind = p.capabilities().kind(VolumeKind::Block).unwrap();
    assert!(kind.qos.is_none() && !kind.features.contains(&Feature::Qos));
    assert!(!kind.features.contains(&Feature::SnapshotClone));
    let groups = p.capabilities().groups().unwrap();
    assert!(!groups.features.contains(&Feature::GroupClone));
    let e = p
        .create_volume(&c, &create_req("bs-qos", "SSD", true))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unsupported_by_provider");
    let v = p
        .create_volume(&c, &create_req("bs-10", "SSD", false))
        .await
        .unwrap();
    let vid = gid(&v.id, ResourceType::Volume);
    let v = settled(&p, &vid).await;
    assert_eq!(v.status, VolumeStatus::InUse);
    assert!(v.block.unwrap().qos.is_none());
    // Attach/detach answer `{result: VolumeModel}` in 1.0.
    let v = p
        .attach(
            &c,
            &vid,
            &Attachment {
                server_id: SERVER_B.into(),
                server_type: None,
            },
        )
        .await
        .unwrap();
    assert!(v
        .block
        .unwrap()
        .attachments
        .iter()
        .any(|a| a.server_id == SERVER_B));
    settled(&p, &vid).await;
    p.put_snapshot_reserve(&c, &vid, &SnapshotReserve { percent: 10 })
        .await
        .unwrap();
    settled(&p, &vid).await;
    let snap = p
        .create_snapshot(&c, &vid, &CreateSnapshot::default())
        .await
        .unwrap();
    let rec: RestoreSnapshot = serde_json::from_value(json!({"mode": "new_volume"})).unwrap();
    let e = p
        .restore_snapshot(&c, &gid(&snap.id, ResourceType::Snapshot), &rec)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unsupported_by_provider");
    let upd = UpdateVolume {
        qos: Some(QosUpdate {
            iops: Some(4000),
            throughput_mbps: None,
        }),
        ..Default::default()
    };
    assert_eq!(
        p.update_volume(&c, &vid, &upd).await.unwrap_err().code(),
        "unsupported_by_provider"
    );
    // Snapshots block deleting the reserve at the vendor; without them it goes, idempotently.
    p.delete_snapshot(&c, &gid(&snap.id, ResourceType::Snapshot))
        .await
        .unwrap();
    settled(&p, &vid).await;
    p.delete_snapshot_reserve(&c, &vid).await.unwrap();
    settled(&p, &vid).await;
    p.delete_snapshot_reserve(&c, &vid).await.unwrap();
    assert_eq!(
        p.get_volume(&c, &vid)
            .await
            .unwrap()
            .block
            .unwrap()
            .snapshot_reserve_percent,
        None
    );
}

#[tokio::test]
async fn a_dry_run_records_detach_as_a_delete_with_its_body() {
    use strata_core::dry_run::{scope, DryRunLog};
    let api = ScpClient::new(
        reqwest::Client::new(),
        Signer::new("ak", Secret::new("sk"), None),
        ScpService::Block.service_id(),
        "1.2",
        "https://baremetal-blockstorage.kr-west1.s.samsungsdscloud.com",
        "en-US",
    );
    let log = DryRunLog::new();
    let e = scope(log.clone(), block::api::detach(&api, "v1", SERVER_A))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DryRun));
    let reqs = log.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "DELETE");
    assert!(reqs[0].url.ends_with("/v1/volumes/v1/attachments"));
    assert_eq!(reqs[0].body, Some(json!({"attachments": [SERVER_A]})));
    assert_eq!(
        reqs[0].headers.get("scp-api-version").map(String::as_str),
        Some("baremetal-blockstorage 1.2")
    );
}
