//! Pure File Storage wire ↔ model mapping: volumes, replicas, schedules, protocols and
//! frequencies. No I/O, so every rule is unit-tested here.

use serde_json::{json, Value};
use strata_core::ids::{ProviderIds, ResourceType};
use strata_core::model::*;

use super::caps::SCHEDULE_TIMEZONE;
use super::wire as file_wire;
use crate::shared::map::{vendor_fields, volume_status};
use crate::shared::wire::{self, time};

/// Vendor day names, indexed by the day's number from Sunday.
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// The file protocol SCP reports (`NFS`, `CIFS`).
pub(crate) fn protocol(p: Option<&str>) -> Option<Protocol> {
    match p?.to_ascii_uppercase().as_str() {
        "NFS" => Some(Protocol::Nfs),
        "CIFS" => Some(Protocol::Cifs),
        _ => None,
    }
}

/// A replication frequency as SCP spells it.
pub(crate) fn frequency_wire(f: ReplicaFrequency) -> &'static str {
    match f {
        ReplicaFrequency::FiveMinutes => "5min",
        ReplicaFrequency::Hourly => "hourly",
        ReplicaFrequency::Daily => "daily",
        ReplicaFrequency::Weekly => "weekly",
        ReplicaFrequency::Monthly => "monthly",
    }
}

/// SCP's replication frequency (`None` for one this adapter does not know).
pub(crate) fn frequency(s: Option<&str>) -> Option<ReplicaFrequency> {
    Some(match s? {
        "5min" => ReplicaFrequency::FiveMinutes,
        "hourly" => ReplicaFrequency::Hourly,
        "daily" => ReplicaFrequency::Daily,
        "weekly" => ReplicaFrequency::Weekly,
        "monthly" => ReplicaFrequency::Monthly,
        _ => return None,
    })
}

/// Replica status from SCP's open `replication_status` and its `use`/`paused` policy.
pub(crate) fn replica_status(status: Option<&str>, policy: Option<&str>) -> ReplicaStatus {
    let status = status.unwrap_or("").to_ascii_lowercase();
    match status.as_str() {
        "creating" => ReplicaStatus::Creating,
        "updating" => ReplicaStatus::Updating,
        "deleting" => ReplicaStatus::Deleting,
        "error" | "failed" => ReplicaStatus::Error,
        _ if policy == Some("paused") || status == "paused" => ReplicaStatus::Paused,
        "active" | "running" | "completed" | "available" | "use" => ReplicaStatus::Active,
        _ => ReplicaStatus::Unknown,
    }
}

/// The vendor schedules that express one neutral schedule: one DAILY, or one WEEKLY per day.
pub(crate) fn wire_schedules(s: &SnapshotSchedule) -> Vec<Value> {
    let hour = s.hour.to_string();
    match s.frequency {
        ScheduleFrequency::Daily => vec![json!({"frequency": "DAILY", "hour": hour})],
        ScheduleFrequency::Weekly => {
            let mut days = s.days.clone();
            days.sort();
            days.dedup();
            days.iter()
                .map(|d| json!({"frequency": "WEEKLY", "day_of_week": DAYS[usize::from(d.number_from_sunday())], "hour": hour}))
                .collect()
        }
    }
}

/// The neutral schedule of a volume's vendor schedules (`None` when it has none). A DAILY
/// schedule wins over WEEKLY ones; the hour is the first schedule's.
pub(crate) fn schedule_of(list: &file_wire::ScheduleList) -> Option<SnapshotSchedule> {
    let first = list.snapshot_schedule.first()?;
    let daily = list
        .snapshot_schedule
        .iter()
        .find(|s| s.frequency.eq_ignore_ascii_case("DAILY"));
    let mut days: Vec<Weekday> = list
        .snapshot_schedule
        .iter()
        .filter_map(|s| s.day_of_week.as_deref())
        .filter_map(|d| DAYS.iter().position(|x| x.eq_ignore_ascii_case(d)))
        .filter_map(|i| Weekday::from_number_from_sunday(i as u8))
        .collect();
    days.sort();
    days.dedup();
    Some(SnapshotSchedule {
        frequency: if daily.is_some() {
            ScheduleFrequency::Daily
        } else {
            ScheduleFrequency::Weekly
        },
        days: if daily.is_some() { vec![] } else { days },
        hour: daily.unwrap_or(first).hour,
        minute: 0,
        timezone: SCHEDULE_TIMEZONE.into(),
        retention_count: list
            .snapshot_retention_count
            .filter(|n| *n > 0)
            .map(|n| n as u32),
    })
}

/// A neutral `server` rule as the vendor's (object type, object id).
pub(crate) fn object_of(r: &AccessRule) -> (String, String) {
    (
        r.server_type
            .as_deref()
            .unwrap_or("vm")
            .to_ascii_uppercase(),
        r.value.clone(),
    )
}

/// A name for a volume derived from another, within SCP's 21 characters.
pub(crate) fn derived_name(base: &str, suffix: &str) -> String {
    let keep = 21usize.saturating_sub(suffix.len());
    format!("{}{suffix}", &base[..base.len().min(keep)])
}

/// A File Storage volume (elastic: no size; tier and protocol from the vendor).
pub(crate) fn volume(ids: &ProviderIds, v: &wire::Volume, raw: &Value) -> Volume {
    Volume {
        block: None,
        id: ids.volume(&v.id),
        provider: ids.provider.clone(),
        kind: VolumeKind::File,
        name: v.name.clone(),
        description: None,
        status: volume_status(v.state.as_deref()),
        size_gib: 0,
        protocol: protocol(v.protocol.as_deref()),
        tier: v.type_name.clone(),
        encrypted: v.encryption_enabled.unwrap_or(false),
        region: ids.region.clone(),
        zone: None,
        labels: Default::default(),
        created_at: time(&v.created_at),
        updated_at: None,
        vendor: vendor_fields(
            raw,
            &[
                "id",
                "name",
                "created_at",
                "encryption_enabled",
                "type_name",
            ],
        ),
    }
}

/// A replication of volume `vid`, its volume ids routed to the region each lives in.
pub(crate) fn replica(
    ids: &ProviderIds,
    vid: &str,
    r: &file_wire::Replication,
    raw: &Value,
) -> Replica {
    let src_region = r
        .source_volume_region
        .clone()
        .unwrap_or_else(|| ids.region.clone());
    let dst_region = r.replication_volume_region.clone().unwrap_or_default();
    Replica {
        id: ids.child(ResourceType::Replica, vid, &r.replication_id),
        provider: ids.provider.clone(),
        source_volume_id: ids.volume_in(&src_region, &r.source_volume_id),
        destination_volume_id: Some(ids.volume_in(&dst_region, &r.replication_volume_id)),
        destination_region: dst_region,
        status: replica_status(
            r.replication_status.as_deref(),
            r.replication_policy.as_deref(),
        ),
        direction: ReplicaDirection::Forward,
        frequency: frequency(r.replication_frequency.as_deref()),
        last_transfer: None,
        created_at: None,
        vendor: vendor_fields(raw, &["replication_id", "replication_frequency"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::wire::decode;
    use strata_core::ids::GlobalId;

    fn sched(freq: ScheduleFrequency, days: Vec<Weekday>) -> SnapshotSchedule {
        SnapshotSchedule {
            frequency: freq,
            days,
            hour: 2,
            minute: 0,
            timezone: "Asia/Seoul".into(),
            retention_count: Some(5),
        }
    }

    #[test]
    fn weekly_schedules_become_one_vendor_schedule_per_day_and_back() {
        let s = sched(
            ScheduleFrequency::Weekly,
            vec![Weekday::Saturday, Weekday::Tuesday],
        );
        let wire = wire_schedules(&s);
        assert_eq!(
            wire,
            vec![
                json!({"frequency": "WEEKLY", "day_of_week": "TUE", "hour": "2"}),
                json!({"frequency": "WEEKLY", "day_of_week": "SAT", "hour": "2"}),
            ]
        );
        let list: file_wire::ScheduleList =
            decode(&json!({"snapshot_retention_count": 5, "snapshot_schedule": wire})).unwrap();
        let back = schedule_of(&list).unwrap();
        assert_eq!(back.days, vec![Weekday::Tuesday, Weekday::Saturday]);
        assert_eq!((back.hour, back.retention_count), (2, Some(5)));
        let daily = wire_schedules(&sched(ScheduleFrequency::Daily, vec![]));
        assert_eq!(daily, vec![json!({"frequency": "DAILY", "hour": "2"})]);
        let none: file_wire::ScheduleList =
            decode(&json!({"snapshot_retention_count": 0, "snapshot_schedule": []})).unwrap();
        assert_eq!(schedule_of(&none), None);
    }

    #[test]
    fn open_states_map_to_unknown() {
        assert_eq!(volume_status(Some("available")), VolumeStatus::Available);
        assert_eq!(volume_status(Some("migrating")), VolumeStatus::Unknown);
        assert_eq!(
            replica_status(Some("active"), Some("paused")),
            ReplicaStatus::Paused
        );
        assert_eq!(
            replica_status(Some("creating"), Some("use")),
            ReplicaStatus::Creating
        );
        assert_eq!(
            replica_status(Some("syncing_v2"), Some("use")),
            ReplicaStatus::Unknown
        );
        assert_eq!(frequency(Some("5min")), Some(ReplicaFrequency::FiveMinutes));
        assert_eq!(frequency(Some("yearly")), None);
    }

    #[test]
    fn derived_names_fit_the_vendor_limit() {
        assert_eq!(
            derived_name("abcdefghijklmnopqrstu", "_replica"),
            "abcdefghijklm_replica"
        );
        assert_eq!(derived_name("data", "_clone"), "data_clone");
    }

    fn ids() -> ProviderIds {
        ProviderIds {
            provider: "scp-w".into(),
            region: "kr-west1".into(),
            kind: VolumeKind::File,
            peers: std::collections::BTreeMap::from([("kr-east1".into(), "scp-e".into())]),
        }
    }

    #[test]
    fn a_wire_volume_becomes_a_file_volume() {
        let raw = json!({"id": "v1", "name": "web", "state": "available", "protocol": "NFS",
                         "type_name": "SSD", "encryption_enabled": "true", "usage": "3",
                         "created_at": "2024-07-30T04:54:33.219373"});
        let v = volume(&ids(), &decode(&raw).unwrap(), &raw);
        assert_eq!(
            (v.kind, v.status),
            (VolumeKind::File, VolumeStatus::Available)
        );
        assert_eq!(
            (v.protocol, v.tier.as_deref()),
            (Some(Protocol::Nfs), Some("SSD"))
        );
        assert!(v.encrypted && v.created_at.is_some());
        assert_eq!(v.vendor["usage"], "3");
        assert!(!v.vendor.contains_key("type_name"));
    }

    #[test]
    fn replica_volume_ids_route_to_the_peer_region() {
        let raw = json!({"replication_id": "r1", "source_volume_id": "v1",
                         "replication_volume_id": "d1", "replication_volume_region": "kr-east1",
                         "replication_policy": "use", "replication_status": "active",
                         "replication_frequency": "hourly"});
        let r = replica(&ids(), "v1", &decode(&raw).unwrap(), &raw);
        let dst = r.destination_volume_id.as_deref().unwrap();
        assert_eq!(
            GlobalId::parse_as(dst, ResourceType::Volume)
                .unwrap()
                .provider,
            "scp-e"
        );
        assert_eq!(r.status, ReplicaStatus::Active);
        assert_eq!(r.frequency, Some(ReplicaFrequency::Hourly));
    }
}
