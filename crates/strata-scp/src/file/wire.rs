//! File Storage's own wire shapes: snapshot schedules and replications (the volume,
//! snapshot and rule shapes are shared, in `crate::shared::wire`). Decoded leniently: hours
//! and retention counts arrive as strings, lists as `null`.

use serde::de::Deserializer;
use serde::Deserialize;

use crate::shared::wire::{lenient_u64, null_as_empty};

/// One vendor snapshot schedule (DAILY, or WEEKLY on one day).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub frequency: String,
    #[serde(default)]
    pub day_of_week: Option<String>,
    /// A string on the wire ("0"–"23"); a number is accepted too.
    #[serde(deserialize_with = "lenient_hour")]
    pub hour: u8,
    #[serde(default)]
    pub id: Option<String>,
}

fn lenient_hour<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<u8, D::Error> {
    lenient_u64(d)?
        .and_then(|h| u8::try_from(h).ok())
        .ok_or_else(|| serde::de::Error::custom("hour is not a number"))
}

/// ListSnapshotSchedules: a volume's schedules and their one shared retention count.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ScheduleList {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub snapshot_retention_count: Option<u64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub snapshot_schedule: Vec<Schedule>,
}

/// ShowReplication (and the create answer, which lacks the frequency).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Replication {
    pub replication_id: String,
    #[serde(default)]
    pub replication_frequency: Option<String>,
    pub source_volume_id: String,
    #[serde(default)]
    pub source_volume_region: Option<String>,
    pub replication_volume_id: String,
    #[serde(default)]
    pub replication_volume_region: Option<String>,
    #[serde(default)]
    pub replication_policy: Option<String>,
    #[serde(default)]
    pub replication_status: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::wire::decode;
    use serde_json::json;

    #[test]
    fn loose_schedule_lists_decode() {
        let l: ScheduleList = decode(&json!({"snapshot_retention_count": "10", "volume_id": "v", "snapshot_policy_enabled": "true", "snapshot_schedule": [{"frequency": "WEEKLY", "day_of_week": "MON", "hour": "23", "id": "d0"}]})).unwrap();
        assert_eq!(
            (l.snapshot_retention_count, l.snapshot_schedule[0].hour),
            (Some(10), 23)
        );
        let empty: ScheduleList =
            decode(&json!({"volume_id": "v", "snapshot_schedule": null})).unwrap();
        assert!(empty.snapshot_schedule.is_empty());
    }
}
