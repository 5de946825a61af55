//! Block Storage wire shapes (responses), decoded tolerantly as the reference's §2.9 asks:
//! every field is optional with a default, enums end in `#[serde(other)] Unknown`, `""` (and
//! anything else unreadable) in an optional field is `None`, numbers arrive as integers,
//! floats or numeric strings, and `result` as a bool or a string. Unknown fields are ignored.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

use crate::shared::wire::{lenient_bool, lenient_u64};

/// An optional field that may be `""`, `"{}"`, `null`, absent or of an unexpected shape:
/// all of those are `None`.
pub(crate) fn loose<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> std::result::Result<Option<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        v => serde_json::from_value(v).ok(),
    })
}

/// A list that may be `null` or not a list at all (the seed's broken `iscsi_target_ips`):
/// unreadable items are dropped.
pub(crate) fn loose_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> std::result::Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => vec![],
    })
}

/// A number sent as an integer, a float or a numeric string.
pub(crate) fn lenient_f64<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A volume state (`BlockStorageState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum State {
    Creating,
    InUse,
    Editing,
    Deleting,
    Deleted,
    Attaching,
    Detaching,
    Available,
    ErrorDeleting,
    ErrorEditing,
    Error,
    #[serde(other)]
    Unknown,
}

/// A volume group state (`VolumeGroupState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum GroupState {
    Creating,
    Available,
    Deleting,
    Editing,
    Deleted,
    ErrorDeleting,
    ErrorEditing,
    Error,
    #[serde(other)]
    Unknown,
}

/// Where a volume or group came from (seed `RECOVERY`, spec `CLONE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Purpose {
    Org,
    Repl,
    Backup,
    Recovery,
    Clone,
    #[serde(other)]
    Unknown,
}

/// A replication cycle (`ReplicationCycle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum Cycle {
    #[serde(rename = "5MIN")]
    FiveMin,
    #[serde(rename = "HOURLY")]
    Hourly,
    #[serde(rename = "DAILY")]
    Daily,
    #[serde(rename = "WEEKLY")]
    Weekly,
    #[serde(rename = "MONTHLY")]
    Monthly,
    #[serde(other)]
    Unknown,
}

/// A snapshot schedule frequency (`SnapshotFrequency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Frequency {
    Daily,
    Weekly,
    None,
    #[serde(other)]
    Unknown,
}

/// A server a volume is attached to (`AttachedServer` of Show, `{id, name}` of List).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Server {
    pub id: String,
    #[serde(deserialize_with = "loose")]
    pub name: Option<String>,
    #[serde(rename = "type", deserialize_with = "loose")]
    pub kind: Option<String>,
}

/// `{id, name}` (`VolumeGroupInfo`, `SimpleIdNameInfo`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct IdName {
    pub id: String,
    #[serde(deserialize_with = "loose")]
    pub name: Option<String>,
}

/// `QoSModel` / `SetVolumeQoSResponse` (1.2).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Qos {
    #[serde(deserialize_with = "lenient_u64")]
    pub iops: Option<u64>,
    #[serde(deserialize_with = "lenient_u64")]
    pub throughput: Option<u64>,
}

/// A snapshot schedule (`SnapshotSchedule`, and the schedule responses).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Schedule {
    /// `""` (daily) is `None`.
    #[serde(deserialize_with = "loose")]
    pub day_of_week: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub frequency: Option<Frequency>,
    #[serde(deserialize_with = "lenient_u64")]
    pub hour: Option<u64>,
}

/// A volume: `VolumeModel` (Show, 1.2 with `qos`) or `VolumeListModel` (List items, which
/// lack some fields and add the `is_*` flags).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Volume {
    pub id: String,
    #[serde(deserialize_with = "loose")]
    pub name: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub state: Option<State>,
    #[serde(deserialize_with = "loose")]
    pub disk_type: Option<String>,
    #[serde(deserialize_with = "lenient_u64")]
    pub size_gb: Option<u64>,
    #[serde(deserialize_with = "lenient_bool")]
    pub is_encryption: Option<bool>,
    #[serde(deserialize_with = "loose_list")]
    pub iscsi_target_ips: Vec<String>,
    #[serde(deserialize_with = "loose_list")]
    pub attachments: Vec<Server>,
    #[serde(deserialize_with = "loose")]
    pub qos: Option<Qos>,
    #[serde(deserialize_with = "lenient_u64")]
    pub snapshot_rate: Option<u64>,
    #[serde(deserialize_with = "lenient_bool")]
    pub is_snapshot_activated: Option<bool>,
    #[serde(deserialize_with = "loose")]
    pub snapshot_schedule: Option<Schedule>,
    #[serde(deserialize_with = "loose")]
    pub purpose: Option<Purpose>,
    /// `""` or `"{}"` when the volume is in no group.
    #[serde(deserialize_with = "loose")]
    pub volume_group: Option<IdName>,
    #[serde(deserialize_with = "loose")]
    pub created_at: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub modified_at: Option<String>,
}

/// `AsyncResponse`: the 202 of the eight asynchronous operations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Accepted {
    #[serde(deserialize_with = "loose")]
    pub request_id: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub resource_id: Option<String>,
}

/// One volume snapshot (`VolumeSnapshotListModel`) or group snapshot; also the create
/// answers, which have no date or size.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Snapshot {
    pub snapshot_id: String,
    #[serde(deserialize_with = "loose")]
    pub snapshot_name: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub created_dt: Option<String>,
    #[serde(deserialize_with = "lenient_f64")]
    pub snapshot_size_mb: Option<f64>,
}

/// `VolumeSnapshotListResponse` / `VolumeGroupSnapshotListResponse` (not paginated).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SnapshotList {
    #[serde(deserialize_with = "loose_list")]
    pub snapshots: Vec<Snapshot>,
    #[serde(deserialize_with = "lenient_bool")]
    pub is_snapshot_policy: Option<bool>,
    #[serde(deserialize_with = "lenient_f64")]
    pub snapshot_total_usage: Option<f64>,
}

/// `VolumeSnapshotRateResponse`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Rate {
    #[serde(deserialize_with = "lenient_bool")]
    pub is_snapshot_activated: Option<bool>,
    #[serde(deserialize_with = "lenient_u64")]
    pub snapshot_rate: Option<u64>,
}

/// A related volume or group of a replication (`RelationVolumeModel`,
/// `RelationVolumeGroupModel`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Related {
    pub id: String,
    #[serde(deserialize_with = "loose")]
    pub name: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub purpose: Option<Purpose>,
    #[serde(deserialize_with = "loose")]
    pub region: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub auth: Option<String>,
}

/// `VolumeReplicationModel` / `VolumeGroupReplicationSyncTabModel` (inside `result`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Replication {
    #[serde(deserialize_with = "loose_list", alias = "related_volume_groups")]
    pub related_volumes: Vec<Related>,
    /// `sync_cycle` (Show, volume policy) or `cycle` (group policy, cycle answers).
    #[serde(deserialize_with = "loose", alias = "cycle")]
    pub sync_cycle: Option<Cycle>,
    /// A free string; the documented value is `SNAPMIRROED` (sic).
    #[serde(deserialize_with = "loose")]
    pub sync_state: Option<String>,
}

/// A member of a group: the seed's `MemberVolumeWithRecoveryInfo` or the spec's
/// `MemberVolume` (their union).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Member {
    pub id: String,
    #[serde(deserialize_with = "loose")]
    pub name: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub disk_type: Option<String>,
    #[serde(deserialize_with = "lenient_u64")]
    pub size_gb: Option<u64>,
    #[serde(deserialize_with = "loose")]
    pub state: Option<State>,
    #[serde(deserialize_with = "loose")]
    pub purpose: Option<Purpose>,
}

/// A volume group: `VolumeGroupModel` (Show) or `VolumeGroupListModel` (List items, which
/// have `num_of_block_storages` instead of members).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Group {
    pub id: String,
    #[serde(deserialize_with = "loose")]
    pub name: Option<String>,
    #[serde(deserialize_with = "loose")]
    pub state: Option<GroupState>,
    #[serde(deserialize_with = "loose_list")]
    pub member_volumes: Vec<Member>,
    #[serde(deserialize_with = "loose")]
    pub purpose: Option<Purpose>,
    #[serde(deserialize_with = "lenient_bool")]
    pub has_replication: Option<bool>,
    #[serde(deserialize_with = "loose")]
    pub snapshot_schedule: Option<Schedule>,
    #[serde(deserialize_with = "loose")]
    pub created_at: Option<String>,
}

/// `VolumeGroupReplicationDeleteResponse`: `{result: true}` (spec) or `{result: ""}` (seed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Outcome {
    #[serde(deserialize_with = "lenient_bool")]
    pub result: Option<bool>,
}

/// A count sent as a number or a numeric string.
pub(crate) fn count(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// The `result` member of a wrapped answer (§2.5), or the answer itself when it is flat.
pub(crate) fn result(raw: &Value) -> &Value {
    match raw.get("result") {
        Some(r) if r.is_object() => r,
        _ => raw,
    }
}

/// The volume of an Attach/Detach answer in 1.0 and 1.1 (`{result: VolumeModel}`), and
/// its raw model; `None` for the 1.2 answer (`{attachments: [{object_id, object_type}]}`),
/// which does not say the volume's state.
pub(crate) fn answered_volume(raw: &Value) -> Option<(Volume, Value)> {
    let model = raw.get("result").filter(|r| r.get("id").is_some())?;
    let v: Volume = serde_json::from_value(model.clone()).ok()?;
    Some((v, model.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::wire::decode;
    use serde_json::json;

    #[test]
    fn the_seeds_odd_examples_decode() {
        // The List Volumes item of the seed: `volume_group: ""`, a broken target list.
        let v: Volume = decode(&json!({"attachments": [{"id": "s1", "name": "bm-01"}],
            "disk_type": "SSD", "id": "v1", "is_snapshot_activated": "true",
            "iscsi_target_ips": {"description": "x", "example": ["1.2.3.4"]},
            "name": "bs-01", "purpose": "ORG", "size_gb": "10", "state": "CREATING",
            "volume_group": ""}))
        .unwrap();
        assert_eq!(v.size_gb, Some(10));
        assert!(v.volume_group.is_none() && v.iscsi_target_ips.is_empty());
        assert_eq!(
            (v.state, v.purpose, v.is_snapshot_activated),
            (Some(State::Creating), Some(Purpose::Org), Some(true))
        );
        let spec: Volume = decode(
            &json!({"id": "v1", "volume_group": "{}", "state": "MIGRATING",
            "purpose": "CLONE", "qos": {"iops": "3000", "throughput": 125.0}}),
        )
        .unwrap();
        assert!(spec.volume_group.is_none());
        assert_eq!(
            (spec.state, spec.purpose),
            (Some(State::Unknown), Some(Purpose::Clone))
        );
        assert_eq!(
            (spec.qos.unwrap().iops, spec.qos.unwrap().throughput),
            (Some(3000), Some(125))
        );
        let s: Schedule =
            decode(&json!({"day_of_week": "", "frequency": "DAILY", "hour": "18"})).unwrap();
        assert_eq!(
            (s.day_of_week, s.frequency, s.hour),
            (None, Some(Frequency::Daily), Some(18))
        );
        for r in [json!({"result": ""}), json!({})] {
            assert_eq!(decode::<Outcome>(&r).unwrap().result, None);
        }
        assert_eq!(
            decode::<Outcome>(&json!({"result": true})).unwrap().result,
            Some(true)
        );
    }

    #[test]
    fn numbers_come_in_every_spelling() {
        let l: SnapshotList = decode(&json!({"snapshots": [
            {"snapshot_id": "a", "snapshot_size_mb": "0.0"},
            {"snapshot_id": "b", "snapshot_size_mb": 12},
            {"snapshot_id": "c", "snapshot_size_mb": 1.5},
            {"snapshot_id": "d", "snapshot_size_mb": {}}],
            "snapshot_total_usage": "13.5", "is_snapshot_policy": false}))
        .unwrap();
        let sizes: Vec<Option<f64>> = l.snapshots.iter().map(|s| s.snapshot_size_mb).collect();
        assert_eq!(sizes, [Some(0.0), Some(12.0), Some(1.5), None]);
        assert_eq!(l.snapshot_total_usage, Some(13.5));
    }

    #[test]
    fn replication_and_group_shapes_decode() {
        let r: Replication = decode(&json!({"related_volume_groups": [{"id": "g2",
            "purpose": "REPL", "region": "kr-east1", "auth": "READ"}],
            "cycle": "5MIN", "sync_state": "SNAPMIRROED"}))
        .unwrap();
        assert_eq!(r.related_volumes[0].purpose, Some(Purpose::Repl));
        assert_eq!(r.sync_cycle, Some(Cycle::FiveMin));
        let g: Group = decode(&json!({"id": "g1", "state": "EDITING", "member_volumes": [
            {"id": "a", "origin_volume": {"id": "x"}, "snapshot_rate": 100, "state": "IN_USE"},
            {"id": "b", "purpose": "ORG", "so_volume_id": "", "so_volume_name": ""}]}))
        .unwrap();
        assert_eq!(g.member_volumes.len(), 2);
        assert_eq!(g.state, Some(GroupState::Editing));
        let v12 = json!({"attachments": [{"object_id": "s1", "object_type": "BM"}]});
        assert!(answered_volume(&v12).is_none());
        let v10 = json!({"result": {"id": "v1", "state": "ATTACHING",
            "attachments": [{"id": "s2", "type": "BM"}]}});
        let (v, _) = answered_volume(&v10).unwrap();
        assert_eq!(
            (v.state, v.attachments[0].id.as_str()),
            (Some(State::Attaching), "s2")
        );
    }
}
