//! Unit tests of the pure Block Storage mapping.

use serde_json::json;
use strata_core::ids::GlobalId;

use super::*;
use crate::shared::wire::decode;

fn ids() -> ProviderIds {
    ProviderIds {
        provider: "scp-w".into(),
        region: "kr-west1".into(),
        kind: VolumeKind::Block,
        peers: std::collections::BTreeMap::from([("kr-east1".into(), "scp-e".into())]),
    }
}

#[test]
fn volume_states_map() {
    let cases = [
        ("CREATING", VolumeStatus::Creating),
        ("IN_USE", VolumeStatus::InUse),
        ("AVAILABLE", VolumeStatus::Available),
        ("EDITING", VolumeStatus::Updating),
        ("ATTACHING", VolumeStatus::Updating),
        ("DETACHING", VolumeStatus::Updating),
        ("DELETING", VolumeStatus::Deleting),
        ("ERROR", VolumeStatus::Error),
        ("ERROR_DELETING", VolumeStatus::Error),
        ("ERROR_EDITING", VolumeStatus::Error),
        ("MIGRATING", VolumeStatus::Unknown),
    ];
    for (wire_state, want) in cases {
        let v: wire::Volume = decode(&json!({"id": "v", "state": wire_state})).unwrap();
        assert_eq!(volume_status(v.state), want, "{wire_state}");
        assert!(!is_gone(&v));
    }
    let gone: wire::Volume = decode(&json!({"id": "v", "state": "DELETED"})).unwrap();
    assert!(is_gone(&gone));
    for (s, want) in [
        ("CREATING", VolumeStatus::Creating),
        ("AVAILABLE", VolumeStatus::Available),
        ("EDITING", VolumeStatus::Updating),
        ("DELETING", VolumeStatus::Deleting),
        ("ERROR_EDITING", VolumeStatus::Error),
        ("SPLIT", VolumeStatus::Unknown),
    ] {
        let g: wire::Group = decode(&json!({"id": "g", "state": s})).unwrap();
        assert_eq!(group_status(g.state), want, "{s}");
    }
}

#[test]
fn origins_cycles_and_sync_states_map() {
    for (p, want) in [
        ("ORG", VolumeOrigin::Original),
        ("REPL", VolumeOrigin::Replica),
        ("RECOVERY", VolumeOrigin::Recovery),
        ("CLONE", VolumeOrigin::Recovery),
        ("BACKUP", VolumeOrigin::Backup),
        ("ARCHIVE", VolumeOrigin::Unknown),
    ] {
        let v: wire::Volume = decode(&json!({"id": "v", "purpose": p})).unwrap();
        assert_eq!(origin(v.purpose), want, "{p}");
    }
    for f in [
        ReplicaFrequency::FiveMinutes,
        ReplicaFrequency::Hourly,
        ReplicaFrequency::Daily,
        ReplicaFrequency::Weekly,
        ReplicaFrequency::Monthly,
    ] {
        let r: wire::Replication = decode(&json!({"sync_cycle": cycle_wire(f)})).unwrap();
        assert_eq!(frequency(r.sync_cycle), Some(f));
    }
    assert_eq!(cycle_wire(ReplicaFrequency::FiveMinutes), "5MIN");
    let odd: wire::Replication = decode(&json!({"sync_cycle": "YEARLY"})).unwrap();
    assert_eq!(frequency(odd.sync_cycle), None);
    assert_eq!(
        replica_status(Some("INITIALIZING")),
        ReplicaStatus::Creating
    );
    assert_eq!(replica_status(Some("SNAPMIRROED")), ReplicaStatus::Active);
    assert_eq!(replica_status(Some("BROKEN_OFF")), ReplicaStatus::Paused);
    assert_eq!(replica_status(Some("RESYNCING")), ReplicaStatus::Updating);
    assert_eq!(replica_status(Some("QUIESCED")), ReplicaStatus::Unknown);
    assert_eq!(replica_status(None), ReplicaStatus::Unknown);
}

#[test]
fn schedules_round_trip_one_day_or_daily() {
    let daily: wire::Schedule =
        decode(&json!({"day_of_week": "", "frequency": "DAILY", "hour": 18})).unwrap();
    let s = schedule(Some(&daily)).unwrap();
    assert_eq!(
        (s.frequency, s.days.len(), s.hour),
        (ScheduleFrequency::Daily, 0, 18)
    );
    assert_eq!(
        (s.minute, s.timezone.as_str(), s.retention_count),
        (0, "Asia/Seoul", None)
    );
    assert_eq!(schedule_body(&s).unwrap(), json!({"hour": 18}));
    let weekly: wire::Schedule =
        decode(&json!({"day_of_week": "SUN", "frequency": "WEEKLY", "hour": "3"})).unwrap();
    let w = schedule(Some(&weekly)).unwrap();
    assert_eq!(w.days, [Weekday::Sunday]);
    assert_eq!(
        schedule_body(&w).unwrap(),
        json!({"hour": 3, "day_of_week": "SUN"})
    );
    for none in [
        json!({"frequency": "NONE", "day_of_week": "", "hour": 0}),
        json!({}),
        json!({"frequency": "WEEKLY", "day_of_week": ""}),
    ] {
        let n: wire::Schedule = decode(&none).unwrap();
        assert_eq!(schedule(Some(&n)), None, "{none}");
    }
    assert_eq!(schedule(None), None);
    let mut two = w.clone();
    two.days.push(Weekday::Monday);
    assert_eq!(schedule_body(&two).unwrap_err().code(), "unsupported_value");
}

#[test]
fn derived_names_fit_the_rules() {
    let rules = super::super::caps::name_rules();
    for (p, b, s) in [
        ("", "bs-01", "-rec"),
        ("", "a-very-long-volume-name-of-28", "-replica"),
        ("", "data_base", "-dr"),
        ("1x", "data", ""),
    ] {
        let n = derived_name(p, b, s);
        assert!(rules.check("n", &n).is_ok(), "{n}");
    }
    assert_eq!(derived_name("", "bs-01", "-rec"), "bs-01-rec");
    assert_eq!(
        derived_name("", "a-very-long-volume-name-of-28", "-replica"),
        "a-very-long-volume-n-replica"
    );
}

#[test]
fn a_shown_volume_becomes_a_block_volume() {
    let raw = json!({"id": "v1", "name": "bs-01", "state": "IN_USE", "previous_state": "CREATING",
        "disk_type": "SSD", "size_gb": 10, "is_encryption": true, "purpose": "ORG",
        "iscsi_target_ips": ["172.30.4.3", "172.30.4.4"], "srn": "srn:x",
        "attachments": [{"id": "s1", "name": "baremetal-01", "type": "BM", "state": "RUNNING"}],
        "qos": {"iops": 3000, "throughput": 125}, "snapshot_rate": 100,
        "snapshot_schedule": {"day_of_week": "", "frequency": "NONE", "hour": 0},
        "volume_group": {"id": "g1", "name": "vg-01"},
        "created_at": "2024-08-01T07:06:23.315Z", "modified_at": "2024-08-01T07:06:25.315Z"});
    let v = volume(&ids(), &decode(&raw).unwrap(), &raw);
    assert_eq!(
        (v.kind, v.status, v.size_gib),
        (VolumeKind::Block, VolumeStatus::InUse, 10)
    );
    assert_eq!(
        (v.tier.as_deref(), v.protocol),
        (Some("SSD"), Some(Protocol::Iscsi))
    );
    assert!(v.encrypted && v.created_at.is_some() && v.updated_at.is_some());
    let b = v.block.as_ref().unwrap();
    assert_eq!(b.attachments[0].server_type.as_deref(), Some("bm"));
    assert_eq!(b.target_addresses.len(), 2);
    assert_eq!(
        b.qos,
        Some(Qos {
            iops: 3000,
            throughput_mbps: 125
        })
    );
    assert_eq!(
        (b.snapshot_reserve_percent, b.origin),
        (Some(100), VolumeOrigin::Original)
    );
    let g = GlobalId::parse_as(
        b.volume_group_id.as_deref().unwrap(),
        ResourceType::VolumeGroup,
    )
    .unwrap();
    assert_eq!(
        (g.vendor_id.as_str(), g.kind),
        ("g1", Some(VolumeKind::Block))
    );
    for kept in [
        "srn",
        "state",
        "previous_state",
        "purpose",
        "snapshot_schedule",
    ] {
        assert!(v.vendor.contains_key(kept), "{kept}");
    }
    assert!(!v.vendor.contains_key("size_gb"));
    // A List item: no reserve while snapshots are off, no group.
    let item = json!({"id": "v2", "name": "bs-02", "state": "AVAILABLE", "snapshot_rate": 0,
        "is_snapshot_activated": false, "volume_group": ""});
    let l = volume(&ids(), &decode(&item).unwrap(), &item);
    let lb = l.block.unwrap();
    assert_eq!(
        (lb.snapshot_reserve_percent, lb.volume_group_id),
        (None, None)
    );
    assert!(lb.qos.is_none());
}

#[test]
fn snapshot_and_group_snapshot_ids_name_their_parent() {
    let s: wire::Snapshot = decode(
        &json!({"snapshot_id": "05600123-6e78", "snapshot_name": "vo1___snap",
        "created_dt": "2024-08-01T07:07:23.315Z", "snapshot_size_mb": "2.0"}),
    )
    .unwrap();
    let snap = snapshot(&ids(), "v1", &s);
    let id = GlobalId::parse_as(&snap.id, ResourceType::Snapshot).unwrap();
    assert_eq!(
        (id.vendor_id.as_str(), id.parent.as_deref(), id.kind),
        ("05600123-6e78", Some("v1"), Some(VolumeKind::Block))
    );
    assert_eq!(
        (snap.size_bytes, snap.status),
        (Some(2 * 1_048_576), SnapshotStatus::Available)
    );
    assert_eq!(snap.origin, SnapshotOrigin::Manual);
    assert!(snap.created_at.is_some());
    let gs = group_snapshot(&ids(), "g1", &s);
    let gid = GlobalId::parse_as(&gs.id, ResourceType::GroupSnapshot).unwrap();
    assert_eq!(gid.parent.as_deref(), Some("g1"));
    assert_eq!(
        GlobalId::parse_as(&gs.volume_group_id, ResourceType::VolumeGroup)
            .unwrap()
            .vendor_id,
        "g1"
    );
}

#[test]
fn replicas_route_their_destination_to_the_peer_region() {
    let raw = json!({"result": {"related_volumes": [{"id": "d1", "purpose": "REPL",
        "region": "kr-east1", "auth": "READ"}], "sync_cycle": "HOURLY", "sync_state": "SNAPMIRROED"}});
    let r: wire::Replication = decode(wire::result(&raw)).unwrap();
    let rep = replica(&ids(), "v1", &r, &raw);
    let rid = GlobalId::parse_as(&rep.id, ResourceType::Replica).unwrap();
    assert_eq!((rid.vendor_id.as_str(), rid.parent), ("v1", None));
    let dst = GlobalId::parse_as(
        rep.destination_volume_id.as_deref().unwrap(),
        ResourceType::Volume,
    )
    .unwrap();
    assert_eq!(
        (dst.provider.as_str(), dst.vendor_id.as_str()),
        ("scp-e", "d1")
    );
    assert_eq!(rep.destination_region, "kr-east1");
    assert_eq!(
        (rep.status, rep.frequency),
        (ReplicaStatus::Active, Some(ReplicaFrequency::Hourly))
    );
    assert_eq!(rep.vendor["sync_state"], "SNAPMIRROED");
    // Asked on the replica itself: the source is the original.
    let back = json!({"result": {"related_volumes": [{"id": "v1", "purpose": "ORG",
        "region": "kr-west1"}], "sync_cycle": "5MIN", "sync_state": "BROKEN_OFF"}});
    let r: wire::Replication = decode(wire::result(&back)).unwrap();
    let rep = replica(&ids(), "d1", &r, &back);
    assert_eq!(rep.source_volume_id, ids().volume("v1"));
    assert_eq!(rep.status, ReplicaStatus::Paused);
    let g = json!({"result": {"related_volume_groups": [{"id": "g2", "purpose": "REPL",
        "region": "kr-south1"}], "sync_cycle": "DAILY", "sync_state": "INITIALIZING"}});
    let r: wire::Replication = decode(wire::result(&g)).unwrap();
    let gr = group_replica(&ids(), "g1", &r, &g);
    // No provider in kr-south1: the raw vendor id.
    assert_eq!(gr.destination_group_id.as_deref(), Some("g2"));
    assert_eq!(
        (gr.status, gr.frequency),
        (ReplicaStatus::Creating, Some(ReplicaFrequency::Daily))
    );
}

#[test]
fn groups_take_members_from_either_shape() {
    let raw = json!({"id": "g1", "name": "vg-01", "state": "AVAILABLE", "purpose": "RECOVERY",
        "has_replication": "true", "so_storage_id": 200,
        "member_volumes": [{"id": "a", "snapshot_rate": 100, "state": "IN_USE"},
                           {"id": "b", "purpose": "ORG", "so_volume_id": ""}]});
    let g = group(&ids(), &decode(&raw).unwrap(), &raw);
    assert_eq!(g.volume_ids, [ids().volume("a"), ids().volume("b")]);
    assert_eq!(
        (g.status, g.origin, g.replicated),
        (VolumeStatus::Available, VolumeOrigin::Recovery, true)
    );
    assert_eq!(g.vendor["so_storage_id"], 200);
}
