//! The Block Storage service driven through `ScpProvider` against the simulator: a volume's
//! whole life (attachments, QoS, snapshot reserve, snapshots, restore, recovery, schedule,
//! replica), a volume group's (members, group snapshots, restore, schedule, replica,
//! recovery), and what an adapter pinned to API 1.0 does not offer.

use std::time::{Duration, Instant};

use serde_json::json;
use strata_sim::scp::{ScpSim, Service};

use super::*;
use crate::test_support::*;

const SERVER_A: &str = "83c3c73d457345e3829ee6d5557c0016";
const SERVER_B: &str = "d7682135392e42489948c189e29011cc";

/// A provider of Block Storage only, pinned to `version`, with its kr-east1 peer.
fn provider(sim: &ScpSim, version: &str) -> ScpProvider {
    let mut cfg = one_service(sim, ScpService::Block, Service::BlockStorage, version);
    cfg.peers.insert("kr-east1".into(), "scp-kr-east1".into());
    ScpProvider::new(cfg).expect("provider builds")
}

async fn settled(p: &ScpProvider, id: &GlobalId) -> Volume {
    let c = ctx();
    until(
        "volume",
        || p.get_volume(&c, id),
        |v| !v.status.is_transitional(),
    )
    .await
}

async fn group_settled(p: &ScpProvider, id: &GlobalId) -> VolumeGroup {
    let c = ctx();
    until(
        "group",
        || p.get_volume_group(&c, id),
        |g| !g.status.is_transitional(),
    )
    .await
}

fn create_req(name: &str, tier: &str, qos: bool) -> CreateVolume {
    let mut req = json!({"provider": "scp-kr-west1", "kind": "block", "name": name,
        "size_gib": 10, "tier": tier, "attachments": [{"server_id": SERVER_A, "server_type": "bm"}]});
    if qos {
        req["qos"] = json!({"iops": 3000, "throughput_mbps": 125});
    }
    serde_json::from_value(req).expect("create request")
}

#[tokio::test]
async fn a_block_volume_and_its_group_live_their_whole_life() {
    let sim = sim().await;
    let p = provider(&sim, "1.2");
    let c = ctx();
    let kind = p.capabilities().kind(VolumeKind::Block).unwrap();
    assert!(
        kind.features.contains(&Feature::Qos) && kind.features.contains(&Feature::SnapshotClone)
    );

    // Create with an attachment and QoS, settle in use.
    let created = p
        .create_volume(&c, &create_req("bs-01", "SSD", true))
        .await
        .unwrap();
    assert_eq!(created.status, VolumeStatus::Creating);
    let vid = gid(&created.id, ResourceType::Volume);
    let v = settled(&p, &vid).await;
    assert_eq!(v.status, VolumeStatus::InUse);
    let b = v.block.clone().unwrap();
    assert_eq!(b.attachments[0].server_id, SERVER_A);
    assert_eq!(
        b.qos,
        Some(Qos {
            iops: 3000,
            throughput_mbps: 125
        })
    );
    let targets = p.list_mount_targets(&c, &vid).await.unwrap();
    assert_eq!(targets.len(), b.target_addresses.len());
    assert!(!targets.is_empty() && targets[0].protocol == Some(Protocol::Iscsi));
    let listed = p
        .list_volumes(
            &c,
            &VolumeFilter {
                kind: Some(VolumeKind::Block),
                ..Default::default()
            },
            &PageRequest {
                page_size: 10,
                page_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);

    // QoS change.
    let upd = UpdateVolume {
        qos: Some(QosUpdate {
            iops: Some(6000),
            throughput_mbps: None,
        }),
        ..Default::default()
    };
    p.update_volume(&c, &vid, &upd).await.unwrap();
    let v = settled(&p, &vid).await;
    assert_eq!(v.block.unwrap().qos.unwrap().iops, 6000);

    // Snapshots need a reserve.
    let e = p
        .create_snapshot(&c, &vid, &CreateSnapshot::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "failed_precondition", "{e}");
    let r = p
        .put_snapshot_reserve(&c, &vid, &SnapshotReserve { percent: 20 })
        .await
        .unwrap();
    assert_eq!(r.percent, 20);
    let v = settled(&p, &vid).await;
    assert_eq!(v.block.unwrap().snapshot_reserve_percent, Some(20));
    p.put_snapshot_reserve(&c, &vid, &SnapshotReserve { percent: 30 })
        .await
        .unwrap();
    settled(&p, &vid).await;
    let snap = p
        .create_snapshot(&c, &vid, &CreateSnapshot::default())
        .await
        .unwrap();
    let sid = gid(&snap.id, ResourceType::Snapshot);
    assert_eq!(p.get_snapshot(&c, &sid).await.unwrap().name, snap.name);
    let page = p
        .list_snapshots(
            &c,
            &vid,
            &PageRequest {
                page_size: 1,
                page_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let bad = PageRequest {
        page_size: 1,
        page_token: Some("x".into()),
    };
    assert!(matches!(
        p.list_snapshots(&c, &vid, &bad).await,
        Err(Error::InvalidPageToken)
    ));

    // Restore in place, then into a new volume (1.2 has recoveries).
    p.restore_snapshot(&c, &sid, &RestoreSnapshot::default())
        .await
        .unwrap();
    settled(&p, &vid).await;
    let rec: RestoreSnapshot = serde_json::from_value(json!({"mode": "new_volume"})).unwrap();
    let recovered = p.restore_snapshot(&c, &sid, &rec).await.unwrap();
    assert_eq!(recovered.name, "bs-01-rec");
    let rv = settled(&p, &gid(&recovered.id, ResourceType::Volume)).await;
    assert_eq!(rv.block.unwrap().origin, VolumeOrigin::Recovery);

    // Schedule: weekly on one day, then daily, then none (twice).
    assert_eq!(p.get_snapshot_schedule(&c, &vid).await.unwrap(), None);
    let weekly: SnapshotSchedule = serde_json::from_value(
        json!({"frequency": "weekly", "days": ["sunday"], "hour": 3, "timezone": "Asia/Seoul"}),
    )
    .unwrap();
    let put = p.put_snapshot_schedule(&c, &vid, &weekly).await.unwrap();
    assert_eq!(
        (put.frequency, put.days.clone()),
        (ScheduleFrequency::Weekly, vec![Weekday::Sunday])
    );
    settled(&p, &vid).await;
    let daily: SnapshotSchedule =
        serde_json::from_value(json!({"frequency": "daily", "hour": 5, "timezone": "Asia/Seoul"}))
            .unwrap();
    p.put_snapshot_schedule(&c, &vid, &daily).await.unwrap();
    settled(&p, &vid).await;
    let got = p.get_snapshot_schedule(&c, &vid).await.unwrap().unwrap();
    assert_eq!((got.frequency, got.hour), (ScheduleFrequency::Daily, 5));
    p.delete_snapshot_schedule(&c, &vid).await.unwrap();
    settled(&p, &vid).await;
    assert_eq!(p.get_snapshot_schedule(&c, &vid).await.unwrap(), None);
    p.delete_snapshot_schedule(&c, &vid).await.unwrap();

    // Replica: create, change cycle, stop, start, delete.
    assert!(p.list_replicas(&c, &vid).await.unwrap().is_empty());
    let req: CreateReplica =
        serde_json::from_value(json!({"destination_region": "kr-east1"})).unwrap();
    let rep = p.create_replica(&c, &vid, &req).await.unwrap();
    let rid = gid(&rep.id, ResourceType::Replica);
    assert_eq!(rid.vendor_id, vid.vendor_id);
    let rep = until(
        "replica",
        || p.get_replica(&c, &rid),
        |r| r.status == ReplicaStatus::Active,
    )
    .await;
    assert_eq!(rep.frequency, Some(ReplicaFrequency::Hourly));
    let dst = gid(
        rep.destination_volume_id.as_deref().unwrap(),
        ResourceType::Volume,
    );
    assert_eq!(dst.provider, "scp-kr-east1");
    let upd = UpdateReplica {
        frequency: Some(ReplicaFrequency::Daily),
    };
    assert_eq!(
        p.update_replica(&c, &rid, &upd).await.unwrap().frequency,
        Some(ReplicaFrequency::Daily)
    );
    assert_eq!(
        p.stop_replica(&c, &rid).await.unwrap().status,
        ReplicaStatus::Paused
    );
    p.start_replica(&c, &rid).await.unwrap();
    until(
        "resync",
        || p.get_replica(&c, &rid),
        |r| r.status == ReplicaStatus::Active,
    )
    .await;
    p.delete_replica(&c, &rid).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match p.get_replica(&c, &rid).await {
            Err(e) if e.code() == "replica_not_found" => break,
            _ => assert!(Instant::now() < deadline, "the replica stays"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    settled(&p, &vid).await;

    // A second volume; a group of the first, with members, snapshots, schedule, replica.
    let second = p
        .create_volume(&c, &create_req("bs-02", "HDD", false))
        .await
        .unwrap();
    let vid2 = gid(&second.id, ResourceType::Volume);
    settled(&p, &vid2).await;
    let greq: CreateVolumeGroup = serde_json::from_value(
        json!({"provider": "scp-kr-west1", "name": "vg-01", "volume_ids": [vid.encode()]}),
    )
    .unwrap();
    let g = p
        .create_volume_group(&c, &greq, std::slice::from_ref(&vid))
        .await
        .unwrap();
    let gid_ = gid(&g.id, ResourceType::VolumeGroup);
    let g = group_settled(&p, &gid_).await;
    assert_eq!(
        (g.status, g.volume_ids.clone()),
        (VolumeStatus::Available, vec![vid.encode()])
    );
    let v = p.get_volume(&c, &vid).await.unwrap();
    assert_eq!(
        v.block.unwrap().volume_group_id.as_deref(),
        Some(g.id.as_str())
    );
    p.add_group_members(&c, &gid_, std::slice::from_ref(&vid2))
        .await
        .unwrap();
    assert_eq!(group_settled(&p, &gid_).await.volume_ids.len(), 2);
    p.remove_group_members(&c, &gid_, std::slice::from_ref(&vid2))
        .await
        .unwrap();
    assert_eq!(group_settled(&p, &gid_).await.volume_ids.len(), 1);
    let groups = p
        .list_volume_groups(
            &c,
            None,
            &PageRequest {
                page_size: 10,
                page_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(groups.items.len(), 1);

    let gs = p.create_group_snapshot(&c, &gid_).await.unwrap();
    let gsid = gid(&gs.id, ResourceType::GroupSnapshot);
    assert_eq!(p.get_group_snapshot(&c, &gsid).await.unwrap().id, gs.id);
    let gpage = p
        .list_group_snapshots(
            &c,
            &gid_,
            &PageRequest {
                page_size: 5,
                page_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(gpage.items.len(), 1);
    p.restore_group_snapshot(&c, &gsid, &RestoreGroupSnapshot::default())
        .await
        .unwrap();
    group_settled(&p, &gid_).await;
    settled(&p, &vid).await;

    p.put_group_snapshot_schedule(&c, &gid_, &daily)
        .await
        .unwrap();
    group_settled(&p, &gid_).await;
    let gsched = p
        .get_group_snapshot_schedule(&c, &gid_)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gsched.hour, 5);
    p.delete_group_snapshot_schedule(&c, &gid_).await.unwrap();
    group_settled(&p, &gid_).await;
    assert_eq!(
        p.get_group_snapshot_schedule(&c, &gid_).await.unwrap(),
        None
    );

    let e = p.get_group_replica(&c, &gid_).await.unwrap_err();
    assert_eq!(e.code(), "replica_not_found");
    let greq: CreateGroupReplica = serde_json::from_value(
        json!({"destination_region": "kr-east1", "frequency": "five_minutes"}),
    )
    .unwrap();
    p.create_group_replica(&c, &gid_, &greq).await.unwrap();
    let gr = until(
        "group replica",
        || p.get_group_replica(&c, &gid_),
        |r| r.status == ReplicaStatus::Active,
    )
    .await;
    assert_eq!(gr.frequency, Some(ReplicaFrequency::FiveMinutes));
    assert_eq!(
        gid(
            gr.destination_group_id.as_deref().unwrap(),
            ResourceType::VolumeGroup
        )
        .provider,
        "scp-kr-east1"
    );
    let upd = UpdateReplica {
        frequency: Some(ReplicaFrequency::Weekly),
    };
    assert_eq!(
        p.update_group_replica(&c, &gid_, &upd)
            .await
            .unwrap()
            .frequency,
        Some(ReplicaFrequency::Weekly)
    );
    assert_eq!(
        p.stop_group_replica(&c, &gid_).await.unwrap().status,
        ReplicaStatus::Paused
    );
    p.start_group_replica(&c, &gid_).await.unwrap();
    until(
        "group resync",
        || p.get_group_replica(&c, &gid_),
        |r| r.status == ReplicaStatus::Active,
    )
    .await;
    p.delete_group_replica(&c, &gid_).await.unwrap();
    assert_eq!(
        p.get_group_replica(&c, &gid_).await.unwrap_err().code(),
        "replica_not_found"
    );
    group_settled(&p, &gid_).await;

    let rec: RestoreGroupSnapshot = serde_json::from_value(json!({"mode": "new_group"})).unwrap();
    let ng = p.restore_group_snapshot(&c, &gsid, &rec).await.unwrap();
    let ng = group_settled(&p, &gid(&ng.id, ResourceType::VolumeGroup)).await;
    assert_eq!(
        (ng.origin, ng.volume_ids.len()),
        (VolumeOrigin::Recovery, 1)
    );
    p.delete_group_snapshot(&c, &gsid).await.unwrap();
    assert_eq!(
        p.get_group_snapshot(&c, &gsid).await.unwrap_err().code(),
        "group_snapshot_not_found"
    );
    let e = p.delete_volume_group(&c, &gid_).await.unwrap_err();
    assert_eq!(e.code(), "unsupported_by_provider");

    // Detach and delete.
    let e = p.delete_volume(&c, &vid2).await.unwrap_err();
    assert_eq!(e.code(), "failed_precondition", "{e}");
    let e = p.detach(&c, &vid2, SERVER_B).await.unwrap_err();
    assert_eq!(e.http_status(), 404, "{e}");
    p.attach(
        &c,
        &vid2,
        &Attachment {
            server_id: SERVER_B.into(),
            server_type: Some("mngc".into()),
        },
    )
    .await
    .unwrap();
    let v2 = settled(&p, &vid2).await;
    assert_eq!(v2.block.unwrap().attachments.len(), 2);
    for s in [SERVER_A, SERVER_B] {
        p.detach(&c, &vid2, s).await.unwrap();
        settled(&p, &vid2).await;
    }
    assert_eq!(settled(&p, &vid2).await.status, VolumeStatus::Available);
    p.delete_volume(&c, &vid2).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !matches!(p.get_volume(&c, &vid2).await, Err(Error::NotFound { .. })) {
        assert!(Instant::now() < deadline, "the volume stays");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

mod older;
