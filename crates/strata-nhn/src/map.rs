//! NAS ↔ model mapping. Pure functions, so each rule is unit-tested without HTTP.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use strata_core::error::{Error, Result};
use strata_core::ids::{ProviderIds, ResourceType};
use strata_core::model::*;

use crate::wire;

pub(crate) const GIB: u64 = 1 << 30;

pub(crate) fn time(s: &Option<String>) -> Option<DateTime<Utc>> {
    s.as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// NHN ids are those of file volumes: see [`ProviderIds`].
pub type Ids = ProviderIds;

pub(crate) fn volume_status(s: &str) -> VolumeStatus {
    match s.to_ascii_uppercase().as_str() {
        "BUILDING" | "INITIALIZING" | "CREATING" => VolumeStatus::Creating,
        "ACTIVE" => VolumeStatus::Available,
        "UPDATING" => VolumeStatus::Updating,
        "DELETING" => VolumeStatus::Deleting,
        "ERROR" => VolumeStatus::Error,
        _ => VolumeStatus::Unknown,
    }
}

fn protocol(p: &str) -> Option<Protocol> {
    match p.to_ascii_lowercase().as_str() {
        "nfs" => Some(Protocol::Nfs),
        "cifs" => Some(Protocol::Cifs),
        _ => None,
    }
}

pub(crate) fn volume(ids: &Ids, v: &wire::NasVolume) -> Volume {
    let mut vendor = serde_json::Map::new();
    vendor.insert("volume_id".into(), json!(v.id));
    vendor.insert("status".into(), json!(v.status));
    if let Some(p) = &v.project_id {
        vendor.insert("project_id".into(), json!(p));
    }
    if let Some(t) = &v.tenant_id {
        vendor.insert("tenant_id".into(), json!(t));
    }
    if let Some(ids) = v
        .mount_protocol
        .as_ref()
        .and_then(|m| m.cifs_auth_ids.as_ref())
    {
        vendor.insert("cifs_auth_ids".into(), json!(ids));
    }
    if let Some(r) = v.snapshot_policy.as_ref().and_then(|p| p.reserve_percent) {
        vendor.insert("snapshot_reserve_percent".into(), json!(r));
    }
    Volume {
        block: None,
        id: ids.volume(&v.id),
        provider: ids.provider.clone(),
        kind: VolumeKind::File,
        name: v.name.clone(),
        description: v.description.clone().filter(|d| !d.is_empty()),
        status: volume_status(&v.status),
        size_gib: v.size_gb,
        protocol: v
            .mount_protocol
            .as_ref()
            .and_then(|m| protocol(&m.protocol)),
        tier: None,
        encrypted: v.encryption.as_ref().is_some_and(|e| e.enabled),
        region: ids.region.clone(),
        zone: None,
        labels: Labels::new(),
        created_at: time(&v.created_at),
        updated_at: time(&v.updated_at),
        vendor,
    }
}

/// `acl` entries are IPs or CIDRs with read-write access; NHN has no per-rule levels.
pub(crate) fn access_rules(acl: &[String]) -> Vec<AccessRule> {
    acl.iter()
        .map(|a| AccessRule {
            kind: if a.contains('/') {
                AccessRuleKind::Cidr
            } else {
                AccessRuleKind::Ip
            },
            value: a.clone(),
            server_type: None,
            access: AccessLevel::ReadWrite,
        })
        .collect()
}

pub(crate) fn acl(rules: &[AccessRule]) -> Vec<String> {
    rules.iter().map(|r| r.value.clone()).collect()
}

pub(crate) fn mount_target(v: &wire::NasVolume, i: &wire::NasInterface) -> MountTarget {
    let address = i.path.as_deref().and_then(|p| {
        let p = p.trim_start_matches('\\');
        p.split([':', '\\']).next().map(str::to_string)
    });
    MountTarget {
        id: Some(i.id.clone()),
        path: i.path.clone(),
        protocol: v
            .mount_protocol
            .as_ref()
            .and_then(|m| protocol(&m.protocol)),
        network: i.subnet_id.clone(),
        address,
        status: volume_status(&i.status),
    }
}

pub(crate) fn snapshot(ids: &Ids, volume_id: &str, s: &wire::NasSnapshot) -> Snapshot {
    let mut vendor = serde_json::Map::new();
    vendor.insert("type".into(), json!(s.kind));
    // The unit of `size` is undocumented (see the reference §8.8), so it is passed through.
    if let Some(size) = s.size {
        vendor.insert("size".into(), json!(size));
    }
    Snapshot {
        id: ids
            .gid(ResourceType::Snapshot, &s.id)
            .with_parent(volume_id)
            .encode(),
        provider: ids.provider.clone(),
        volume_id: ids.volume(volume_id),
        name: s.name.clone(),
        description: None,
        // NHN snapshots are taken immediately and have no status of their own.
        status: SnapshotStatus::Available,
        origin: match s.kind.as_str() {
            "SCHEDULED" => SnapshotOrigin::Scheduled,
            "MIRROR" => SnapshotOrigin::Replication,
            _ => SnapshotOrigin::Manual,
        },
        size_bytes: None,
        preserved: s.preserved,
        created_at: time(&s.created_at),
        vendor,
    }
}

pub(crate) fn restore(ids: &Ids, volume_id: &str, r: &wire::RestoreHistory) -> RestoreRecord {
    RestoreRecord {
        snapshot_name: r.snapshot_name.clone().unwrap_or_default(),
        snapshot_id: r.snapshot_id.as_ref().map(|s| {
            ids.gid(ResourceType::Snapshot, s)
                .with_parent(volume_id)
                .encode()
        }),
        succeeded: r.result.as_deref() == Some("SUCCESS"),
        started_at: time(&r.requested_at),
        finished_at: time(&r.restored_at),
    }
}

fn offset_to_zone(offset: &str) -> String {
    match offset {
        "+09:00" => "Asia/Seoul".into(),
        "+00:00" | "-00:00" => "UTC".into(),
        other => other.into(),
    }
}

pub(crate) fn zone_to_offset(zone: &str) -> Result<&'static str> {
    match zone {
        "Asia/Seoul" => Ok("+09:00"),
        "UTC" => Ok("+00:00"),
        other => Err(Error::unsupported_value(
            "timezone",
            format!("time zone `{other}` is not accepted (allowed: Asia/Seoul, UTC)"),
        )),
    }
}

/// `snapshotPolicy` → schedule; `None` when automatic snapshots are off.
pub(crate) fn schedule(p: &wire::SnapshotPolicy) -> Option<SnapshotSchedule> {
    let s = p.schedule.as_ref()?;
    let (h, m) = s.time.split_once(':')?;
    let days: Vec<Weekday> = s
        .weekdays
        .iter()
        .filter_map(|d| Weekday::from_number_from_sunday(*d))
        .collect();
    Some(SnapshotSchedule {
        // An empty weekday list means every day.
        frequency: if days.is_empty() {
            ScheduleFrequency::Daily
        } else {
            ScheduleFrequency::Weekly
        },
        days,
        hour: h.parse().ok()?,
        minute: m.parse().ok()?,
        timezone: offset_to_zone(&s.time_offset),
        retention_count: p.max_scheduled_count,
    })
}

/// Schedule → the `snapshotPolicy` PATCH body.
pub(crate) fn policy(s: &SnapshotSchedule) -> Result<Value> {
    let weekdays: Vec<u8> = match s.frequency {
        ScheduleFrequency::Daily => vec![],
        ScheduleFrequency::Weekly => s.days.iter().map(|d| d.number_from_sunday()).collect(),
    };
    let mut p = json!({"schedule": {
        "time": format!("{:02}:{:02}", s.hour, s.minute),
        "timeOffset": zone_to_offset(&s.timezone)?,
        "weekdays": weekdays,
    }});
    if let Some(n) = s.retention_count {
        p["maxScheduledCount"] = json!(n);
    }
    Ok(p)
}

fn replica_status(mirror: &str, stat: Option<&str>) -> ReplicaStatus {
    match mirror {
        "PENDING" => ReplicaStatus::Creating,
        "UPDATING" => ReplicaStatus::Updating,
        "DELETING" => ReplicaStatus::Deleting,
        // Settled: the stat tells whether data flows.
        _ => match stat {
            Some("ACTIVE") | None => ReplicaStatus::Active,
            Some("HALT") => ReplicaStatus::Paused,
            Some("PENDING") => ReplicaStatus::Creating,
            Some("UPDATING") => ReplicaStatus::Updating,
            Some("DELETING") => ReplicaStatus::Deleting,
            Some(_) => ReplicaStatus::Unknown,
        },
    }
}

/// A mirror as seen from `volume_id` (its source or destination), with its latest stat.
pub(crate) fn replica(
    ids: &Ids,
    volume_id: &str,
    m: &wire::NasMirror,
    stat: Option<&wire::MirrorStat>,
) -> Replica {
    let mut vendor = serde_json::Map::new();
    vendor.insert("role".into(), json!(m.role));
    vendor.insert("mirror_status".into(), json!(m.status));
    vendor.insert("source_region".into(), json!(m.src_region));
    vendor.insert("source_volume".into(), json!(m.src_volume_id));
    vendor.insert("destination_volume".into(), json!(m.dst_volume_id));
    if let Some(n) = &m.src_volume_name {
        vendor.insert("source_volume_name".into(), json!(n));
    }
    if let Some(n) = &m.dst_volume_name {
        vendor.insert("destination_volume_name".into(), json!(n));
    }
    if let Some(t) = &m.dst_tenant_id {
        vendor.insert("destination_tenant_id".into(), json!(t));
    }
    if let Some(d) = &m.direction_changed_at {
        vendor.insert("direction_changed_at".into(), json!(d));
    }
    if let Some(s) = stat {
        vendor.insert("stat_status".into(), json!(s.status));
        if let Some(t) = &s.last_transfer_status {
            vendor.insert("last_transfer_status".into(), json!(t));
        }
        if let Some(b) = s.last_success_transfer_bytes {
            vendor.insert("last_success_transfer_bytes".into(), json!(b));
        }
    }
    Replica {
        id: ids
            .gid(ResourceType::Replica, &m.id)
            .with_parent(volume_id)
            .encode(),
        provider: ids.provider.clone(),
        source_volume_id: ids.volume_in(&m.src_region, &m.src_volume_id),
        destination_volume_id: Some(ids.volume_in(&m.dst_region, &m.dst_volume_id)),
        destination_region: m.dst_region.clone(),
        status: replica_status(&m.status, stat.map(|s| s.status.as_str())),
        direction: if m.direction == "REVERSE" {
            ReplicaDirection::Reverse
        } else {
            ReplicaDirection::Forward
        },
        // NHN replicates on change; there is no interval to report.
        frequency: None,
        last_transfer: stat
            .filter(|s| s.last_transfer_end_time.is_some() || s.last_transfer_bytes.is_some())
            .map(|s| TransferStats {
                finished_at: time(&s.last_transfer_end_time),
                bytes: s.last_transfer_bytes,
                duration_seconds: None,
                lag_seconds: time(&s.last_success_transfer_end_time)
                    .map(|t| (Utc::now() - t).num_seconds().max(0) as u64),
            }),
        created_at: time(&m.created_at),
        vendor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::ids::GlobalId;

    fn ids() -> Ids {
        Ids {
            provider: "nhn-kr1".into(),
            region: "KR1".into(),
            kind: VolumeKind::File,
            peers: std::collections::BTreeMap::from([("KR2".into(), "nhn-kr2".into())]),
        }
    }

    fn seed_volume() -> wire::NasVolume {
        // The reference's example, condensed.
        serde_json::from_value(json!({
            "acl": ["10.0.1.0/24", "10.0.2.7"], "createdAt": "2025-04-01T06:44:25+00:00",
            "description": "NAS for Testing", "encryption": {"enabled": false},
            "id": "fc8b111a-32b7-45d3-b123-ff3ecaaf768a",
            "interfaces": [{"id": "9a8e", "path": "10.0.1.7:/TEST-NAS-1", "status": "ACTIVE",
                            "subnetId": "cb77", "tenantId": "3b61"}],
            "mirrors": [], "mountProtocol": {"protocol": "nfs"}, "name": "TEST-NAS-1",
            "projectId": "K3y0CgOy", "sizeGb": 300,
            "snapshotPolicy": {"maxScheduledCount": 1, "reservePercent": 5,
                               "schedule": {"time": "00:00", "timeOffset": "+09:00", "weekdays": [1, 3, 5]}},
            "stationId": null, "status": "ACTIVE", "tenantId": "3b61",
            "updatedAt": "2025-04-01T06:47:13+00:00"
        }))
        .unwrap()
    }

    #[test]
    fn volume_fields_map_both_ways() {
        let w = seed_volume();
        let v = volume(&ids(), &w);
        assert_eq!(v.status, VolumeStatus::Available);
        assert_eq!(v.size_gib, 300);
        assert_eq!(v.protocol, Some(Protocol::Nfs));
        assert_eq!(v.vendor["project_id"], "K3y0CgOy");
        let id = GlobalId::parse_as(&v.id, ResourceType::Volume).unwrap();
        assert_eq!(id.vendor_id, w.id);
        let rules = access_rules(&w.acl);
        assert_eq!(rules[0].kind, AccessRuleKind::Cidr);
        assert_eq!(rules[1].kind, AccessRuleKind::Ip);
        assert_eq!(acl(&rules), w.acl);
        let mt = mount_target(&w, &w.interfaces[0]);
        assert_eq!(mt.address.as_deref(), Some("10.0.1.7"));
        assert_eq!(mt.network.as_deref(), Some("cb77"));
    }

    #[test]
    fn statuses_cover_the_documented_values() {
        assert_eq!(volume_status("BUILDING"), VolumeStatus::Creating);
        assert_eq!(volume_status("INITIALIZING"), VolumeStatus::Creating);
        assert_eq!(volume_status("error"), VolumeStatus::Error);
        assert_eq!(volume_status("SOMETHING_NEW"), VolumeStatus::Unknown);
        assert_eq!(replica_status("PENDING", None), ReplicaStatus::Creating);
        assert_eq!(
            replica_status("INITIALIZED", Some("HALT")),
            ReplicaStatus::Paused
        );
        assert_eq!(
            replica_status("INITIALIZED", Some("RETRIEVE FAILED")),
            ReplicaStatus::Unknown
        );
    }

    #[test]
    fn schedule_round_trips_through_the_policy() {
        let w = seed_volume();
        let s = schedule(w.snapshot_policy.as_ref().unwrap()).unwrap();
        assert_eq!(s.frequency, ScheduleFrequency::Weekly);
        assert_eq!(
            s.days,
            vec![Weekday::Monday, Weekday::Wednesday, Weekday::Friday]
        );
        assert_eq!((s.hour, s.minute), (0, 0));
        assert_eq!(s.timezone, "Asia/Seoul");
        assert_eq!(s.retention_count, Some(1));
        let p = policy(&s).unwrap();
        assert_eq!(p["schedule"]["weekdays"], json!([1, 3, 5]));
        assert_eq!(p["schedule"]["timeOffset"], "+09:00");
        let daily = SnapshotSchedule {
            frequency: ScheduleFrequency::Daily,
            days: vec![],
            hour: 3,
            minute: 30,
            timezone: "UTC".into(),
            retention_count: None,
        };
        let p = policy(&daily).unwrap();
        assert_eq!(p["schedule"]["weekdays"], json!([]));
        assert_eq!(p["schedule"]["time"], "03:30");
        assert!(p.get("maxScheduledCount").is_none());
    }

    #[test]
    fn replica_ids_route_to_the_peer_region() {
        let m: wire::NasMirror = serde_json::from_value(json!({
            "id": "m1", "role": "SOURCE", "status": "INITIALIZED", "direction": "FORWARD",
            "dstRegion": "KR2", "dstVolumeId": "d1", "srcRegion": "KR1", "srcVolumeId": "s1"
        }))
        .unwrap();
        let r = replica(&ids(), "s1", &m, None);
        let dst = GlobalId::parse_as(
            r.destination_volume_id.as_deref().unwrap(),
            ResourceType::Volume,
        )
        .unwrap();
        assert_eq!(dst.provider, "nhn-kr2");
        assert_eq!(
            GlobalId::parse_as(&r.id, ResourceType::Replica)
                .unwrap()
                .parent
                .as_deref(),
            Some("s1")
        );
        let lonely = Ids {
            peers: Default::default(),
            ..ids()
        };
        assert_eq!(lonely.volume_in("KR3", "d1"), "d1");
    }
}
