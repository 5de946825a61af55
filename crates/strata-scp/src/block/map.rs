//! Pure Block Storage wire ↔ model mapping: volume and group states, origins, replication
//! cycles and sync states, schedules, derived names and every resource. No I/O, so every
//! rule is unit-tested here.

use serde_json::{json, Value};
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ProviderIds, ResourceType};
use strata_core::model::*;

use super::caps::SCHEDULE_TIMEZONE;
use super::wire::{self, Cycle, Frequency, GroupState, Purpose, State};
use crate::shared::map::vendor_fields;
use crate::shared::wire::time;

/// Bytes per MiB (`snapshot_size_mb`).
const MIB: f64 = 1_048_576.0;
/// Longest block volume name.
const MAX_NAME: usize = 28;
/// Vendor day names, indexed by the day's number from Sunday.
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A volume state; `DELETED` is not a state but an absence, checked by [`is_gone`].
pub(crate) fn volume_status(s: Option<State>) -> VolumeStatus {
    match s {
        Some(State::Creating) => VolumeStatus::Creating,
        Some(State::InUse) => VolumeStatus::InUse,
        Some(State::Available) => VolumeStatus::Available,
        Some(State::Editing | State::Attaching | State::Detaching) => VolumeStatus::Updating,
        Some(State::Deleting) => VolumeStatus::Deleting,
        Some(State::Error | State::ErrorDeleting | State::ErrorEditing) => VolumeStatus::Error,
        Some(State::Deleted | State::Unknown) | None => VolumeStatus::Unknown,
    }
}

/// Whether the vendor still shows a volume that is deleted (treated as not found).
pub(crate) fn is_gone(v: &wire::Volume) -> bool {
    v.state == Some(State::Deleted)
}

/// A volume group state.
pub(crate) fn group_status(s: Option<GroupState>) -> VolumeStatus {
    match s {
        Some(GroupState::Creating) => VolumeStatus::Creating,
        Some(GroupState::Available) => VolumeStatus::Available,
        Some(GroupState::Editing) => VolumeStatus::Updating,
        Some(GroupState::Deleting) => VolumeStatus::Deleting,
        Some(GroupState::Error | GroupState::ErrorDeleting | GroupState::ErrorEditing) => {
            VolumeStatus::Error
        }
        Some(GroupState::Deleted | GroupState::Unknown) | None => VolumeStatus::Unknown,
    }
}

/// Where a volume or group came from.
pub(crate) fn origin(p: Option<Purpose>) -> VolumeOrigin {
    match p {
        Some(Purpose::Org) => VolumeOrigin::Original,
        Some(Purpose::Repl) => VolumeOrigin::Replica,
        Some(Purpose::Recovery | Purpose::Clone) => VolumeOrigin::Recovery,
        Some(Purpose::Backup) => VolumeOrigin::Backup,
        Some(Purpose::Unknown) | None => VolumeOrigin::Unknown,
    }
}

/// A replication cycle as the vendor spells it.
pub(crate) fn cycle_wire(f: ReplicaFrequency) -> &'static str {
    match f {
        ReplicaFrequency::FiveMinutes => "5MIN",
        ReplicaFrequency::Hourly => "HOURLY",
        ReplicaFrequency::Daily => "DAILY",
        ReplicaFrequency::Weekly => "WEEKLY",
        ReplicaFrequency::Monthly => "MONTHLY",
    }
}

/// The model's frequency of a vendor cycle (`None` for one this adapter does not know).
pub(crate) fn frequency(c: Option<Cycle>) -> Option<ReplicaFrequency> {
    Some(match c? {
        Cycle::FiveMin => ReplicaFrequency::FiveMinutes,
        Cycle::Hourly => ReplicaFrequency::Hourly,
        Cycle::Daily => ReplicaFrequency::Daily,
        Cycle::Weekly => ReplicaFrequency::Weekly,
        Cycle::Monthly => ReplicaFrequency::Monthly,
        Cycle::Unknown => return None,
    })
}

/// Replica status from the free `sync_state` (`SNAPMIRROED` is the vendor's spelling).
pub(crate) fn replica_status(sync_state: Option<&str>) -> ReplicaStatus {
    match sync_state.unwrap_or("").to_ascii_uppercase().as_str() {
        "INITIALIZING" => ReplicaStatus::Creating,
        "SNAPMIRROED" | "SNAPMIRRORED" => ReplicaStatus::Active,
        "BROKEN_OFF" => ReplicaStatus::Paused,
        "RESYNCING" => ReplicaStatus::Updating,
        "DELETING" => ReplicaStatus::Deleting,
        "ERROR" | "FAILED" => ReplicaStatus::Error,
        _ => ReplicaStatus::Unknown,
    }
}

/// The neutral schedule of a vendor one (`None` for frequency `NONE`, absent or unknown).
pub(crate) fn schedule(s: Option<&wire::Schedule>) -> Option<SnapshotSchedule> {
    let s = s?;
    let day = s
        .day_of_week
        .as_deref()
        .and_then(|d| DAYS.iter().position(|x| x.eq_ignore_ascii_case(d)))
        .and_then(|i| Weekday::from_number_from_sunday(i as u8));
    let (frequency, days) = match (s.frequency?, day) {
        (Frequency::Daily, _) => (ScheduleFrequency::Daily, vec![]),
        (Frequency::Weekly, Some(d)) => (ScheduleFrequency::Weekly, vec![d]),
        _ => return None,
    };
    Some(SnapshotSchedule {
        frequency,
        days,
        hour: s.hour.and_then(|h| u8::try_from(h).ok()).unwrap_or(0),
        minute: 0,
        timezone: SCHEDULE_TIMEZONE.into(),
        retention_count: None,
    })
}

/// The body of a schedule create/set: `{hour}` (daily) or `{hour, day_of_week}` (weekly on
/// exactly one day).
pub(crate) fn schedule_body(s: &SnapshotSchedule) -> Result<Value> {
    match (s.frequency, s.days.as_slice()) {
        (ScheduleFrequency::Daily, _) => Ok(json!({"hour": s.hour})),
        (ScheduleFrequency::Weekly, [d]) => Ok(json!({
            "hour": s.hour,
            "day_of_week": DAYS[usize::from(d.number_from_sunday())],
        })),
        (ScheduleFrequency::Weekly, days) => Err(Error::unsupported_value(
            "days",
            format!(
                "a weekly schedule here names exactly one day, got {}",
                days.len()
            ),
        )),
    }
}

/// A name derived from `base` and `suffix` (or a prefix and `base`) that fits the block name
/// rules: at most 28 characters, starting with a letter, letters, digits and `-` only.
pub(crate) fn derived_name(prefix: &str, base: &str, suffix: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect()
    };
    let (prefix, suffix) = (clean(prefix), clean(suffix));
    let keep = MAX_NAME.saturating_sub(prefix.len() + suffix.len());
    let base: String = clean(base).chars().take(keep).collect();
    let mut name = format!("{prefix}{base}{suffix}");
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name = format!("v{name}");
        name.truncate(MAX_NAME);
    }
    name
}

/// The id of a resource in `region`: routable when this provider or a peer serves it,
/// else the raw vendor id (its `vendor` fields say which region).
fn in_region(ids: &ProviderIds, rtype: ResourceType, region: &str, vendor_id: &str) -> String {
    if region.eq_ignore_ascii_case(&ids.region) {
        return ids.gid(rtype, vendor_id).encode();
    }
    match ids
        .peers
        .iter()
        .find(|(r, _)| r.eq_ignore_ascii_case(region))
    {
        Some((_, p)) => GlobalId::new(rtype, p.clone(), Some(ids.kind), vendor_id).encode(),
        None => vendor_id.to_string(),
    }
}

/// The global id of volume group `gid`.
pub(crate) fn group_id(ids: &ProviderIds, gid: &str) -> String {
    ids.gid(ResourceType::VolumeGroup, gid).encode()
}

/// A block volume from Show (`VolumeModel`) or a List item (`VolumeListModel`).
pub(crate) fn volume(ids: &ProviderIds, v: &wire::Volume, raw: &Value) -> Volume {
    let reserve = v
        .snapshot_rate
        .filter(|r| *r > 0 && v.is_snapshot_activated != Some(false))
        .and_then(|r| u32::try_from(r).ok());
    let qos = v.qos.and_then(|q| {
        Some(Qos {
            iops: u32::try_from(q.iops?).ok()?,
            throughput_mbps: u32::try_from(q.throughput?).ok()?,
        })
    });
    Volume {
        id: ids.volume(&v.id),
        provider: ids.provider.clone(),
        kind: VolumeKind::Block,
        name: v.name.clone().unwrap_or_default(),
        description: None,
        status: volume_status(v.state),
        size_gib: v.size_gb.unwrap_or(0),
        protocol: Some(Protocol::Iscsi),
        tier: v.disk_type.clone(),
        encrypted: v.is_encryption.unwrap_or(false),
        region: ids.region.clone(),
        zone: None,
        labels: Default::default(),
        created_at: time(&v.created_at),
        updated_at: time(&v.modified_at),
        block: Some(BlockDetails {
            attachments: v
                .attachments
                .iter()
                .map(|s| AttachedServer {
                    server_id: s.id.clone(),
                    server_type: s.kind.as_deref().map(str::to_ascii_lowercase),
                    name: s.name.clone(),
                })
                .collect(),
            target_addresses: v.iscsi_target_ips.clone(),
            qos,
            snapshot_reserve_percent: reserve,
            origin: origin(v.purpose),
            volume_group_id: v
                .volume_group
                .as_ref()
                .filter(|g| !g.id.is_empty())
                .map(|g| group_id(ids, &g.id)),
        }),
        vendor: vendor_fields(
            raw,
            &[
                "id",
                "name",
                "size_gb",
                "disk_type",
                "is_encryption",
                "iscsi_target_ips",
                "attachments",
                "qos",
                "snapshot_rate",
                "volume_group",
                "created_at",
                "modified_at",
            ],
        ),
    }
}

/// A volume the vendor accepted but does not show yet: `creating`, from what was asked.
pub(crate) fn creating(ids: &ProviderIds, vid: &str, name: &str, tier: Option<&str>) -> Volume {
    let v = wire::Volume {
        id: vid.into(),
        name: Some(name.into()),
        state: Some(State::Creating),
        disk_type: tier.map(str::to_string),
        ..Default::default()
    };
    volume(ids, &v, &Value::Null)
}

/// A snapshot of volume `vid`: always available (the vendor has no snapshot states).
pub(crate) fn snapshot(ids: &ProviderIds, vid: &str, s: &wire::Snapshot) -> Snapshot {
    Snapshot {
        id: ids.child(ResourceType::Snapshot, vid, &s.snapshot_id),
        provider: ids.provider.clone(),
        volume_id: ids.volume(vid),
        name: s.snapshot_name.clone().unwrap_or_default(),
        description: None,
        status: SnapshotStatus::Available,
        origin: SnapshotOrigin::Manual,
        size_bytes: s
            .snapshot_size_mb
            .filter(|m| *m >= 0.0)
            .map(|m| (m * MIB) as u64),
        preserved: false,
        created_at: time(&s.created_dt),
        vendor: Default::default(),
    }
}

/// A snapshot of volume group `gid`.
pub(crate) fn group_snapshot(ids: &ProviderIds, gid: &str, s: &wire::Snapshot) -> GroupSnapshot {
    GroupSnapshot {
        id: ids.child(ResourceType::GroupSnapshot, gid, &s.snapshot_id),
        provider: ids.provider.clone(),
        volume_group_id: group_id(ids, gid),
        name: s.snapshot_name.clone().unwrap_or_default(),
        status: SnapshotStatus::Available,
        created_at: time(&s.created_dt),
        vendor: Default::default(),
    }
}

/// A volume group from Show (`VolumeGroupModel`, members from either member shape).
pub(crate) fn group(ids: &ProviderIds, g: &wire::Group, raw: &Value) -> VolumeGroup {
    VolumeGroup {
        id: group_id(ids, &g.id),
        provider: ids.provider.clone(),
        name: g.name.clone().unwrap_or_default(),
        status: group_status(g.state),
        volume_ids: g.member_volumes.iter().map(|m| ids.volume(&m.id)).collect(),
        origin: origin(g.purpose),
        replicated: g.has_replication.unwrap_or(false),
        region: ids.region.clone(),
        created_at: time(&g.created_at),
        vendor: vendor_fields(
            raw,
            &[
                "id",
                "name",
                "member_volumes",
                "has_replication",
                "created_at",
            ],
        ),
    }
}

/// The other side of a replication: the related volume (or group) with purpose `REPL`, or
/// for a replica itself its `ORG` source.
fn peer(r: &wire::Replication, purpose: Purpose) -> Option<&wire::Related> {
    r.related_volumes
        .iter()
        .find(|x| x.purpose == Some(purpose))
}

/// The replica of volume `vid` (one per volume: its id is derived from the volume's).
pub(crate) fn replica(ids: &ProviderIds, vid: &str, r: &wire::Replication, raw: &Value) -> Replica {
    let here = ids.volume(vid);
    let at = |x: &wire::Related| x.region.clone().unwrap_or_else(|| ids.region.clone());
    let (source, destination, region) = match (peer(r, Purpose::Repl), peer(r, Purpose::Org)) {
        (Some(d), _) => (here, Some(ids.volume_in(&at(d), &d.id)), at(d)),
        // Asked on the replica: the source is the original in its region.
        (None, Some(o)) => (ids.volume_in(&at(o), &o.id), Some(here), ids.region.clone()),
        (None, None) => (here, None, String::new()),
    };
    Replica {
        id: ids.gid(ResourceType::Replica, vid).encode(),
        provider: ids.provider.clone(),
        source_volume_id: source,
        destination_volume_id: destination,
        destination_region: region,
        status: replica_status(r.sync_state.as_deref()),
        direction: ReplicaDirection::Forward,
        frequency: frequency(r.sync_cycle),
        last_transfer: None,
        created_at: None,
        vendor: vendor_fields(wire::result(raw), &["sync_cycle"]),
    }
}

/// The replication of volume group `gid`.
pub(crate) fn group_replica(
    ids: &ProviderIds,
    gid: &str,
    r: &wire::Replication,
    raw: &Value,
) -> GroupReplica {
    let dest = peer(r, Purpose::Repl);
    let region = dest.and_then(|d| d.region.clone()).unwrap_or_default();
    GroupReplica {
        volume_group_id: group_id(ids, gid),
        provider: ids.provider.clone(),
        destination_group_id: dest
            .map(|d| in_region(ids, ResourceType::VolumeGroup, &region, &d.id)),
        destination_region: region,
        status: replica_status(r.sync_state.as_deref()),
        frequency: frequency(r.sync_cycle),
        vendor: vendor_fields(wire::result(raw), &["sync_cycle"]),
    }
}

#[cfg(test)]
mod tests;
