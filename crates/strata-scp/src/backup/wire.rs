//! Backup's wire shapes (reference §5), decoded leniently (§2.6): enum-like fields stay
//! strings, numbers and booleans may come quoted (`"backup_policy_count": "3"`,
//! `"is_restore_available": "true"`, `"usage_gb": "123.4"`), `count` may be `""`, lists may
//! be `null`, timestamps may lack a zone, and `links` may be `[""]` (the envelope's links are
//! not read at all). Unknown fields are ignored; the mapping keeps the raw rows for the
//! resources' `vendor` fields.

use serde::de::Deserializer;
use serde::Deserialize;
use serde_json::Value;

use crate::shared::wire::{lenient_bool, lenient_u64, null_as_empty};

/// A number sent as a number or a numeric string; anything else → `None`.
pub(crate) fn lenient_f64<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A paginated (or whole) list: `{contents, count}`; `count` is the total before paging,
/// when the vendor sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct List<T> {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contents: Vec<T>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub count: Option<u64>,
}

/// `SyncResponse` / `AsyncResponse`: only `resource.id` is read (and only CreateBackup's and
/// CreateBackupAgent's mean the new resource).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Envelope {
    #[serde(default)]
    pub resource: Option<ResourceInfo>,
}

/// The `resource` of an envelope.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ResourceInfo {
    #[serde(default)]
    pub id: Option<String>,
}

/// The duplicate checks' `{result}` (`true`: taken).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Check {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub result: Option<bool>,
}

/// A ListBackups row (§5.22).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BackupRow {
    pub id: String,
}

/// ShowBackup (§5.13, and the 1.1 DR fields of §5.14).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct BackupDetail {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub policy_category: Option<String>,
    #[serde(default)]
    pub policy_type: Option<String>,
    #[serde(default)]
    pub retention_period: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub encrypt_enabled: Option<bool>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub filesystem_paths: Vec<String>,
    #[serde(default)]
    pub server_uuid: String,
    #[serde(default)]
    pub server_name: Option<String>,
    #[serde(default)]
    pub server_category: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub dr_enabled: Option<bool>,
    #[serde(default)]
    pub dr_region: Option<String>,
    #[serde(default)]
    pub origin_backup_id: Option<String>,
}

/// A ListBackupSchedules row (§5.34); `start_*` may be `null` or `""`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Schedule {
    #[serde(rename = "type", default)]
    pub level: Option<String>,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub start_day: Option<String>,
    #[serde(default)]
    pub start_week: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A ListBackupHistories row: one backup job (§5.16).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct History {
    #[serde(default)]
    pub backup_job_guid: Option<String>,
    #[serde(default)]
    pub backup_job_state: Option<String>,
    #[serde(default)]
    pub backup_start_time: Option<String>,
    #[serde(default)]
    pub backup_end_time: Option<String>,
    #[serde(default)]
    pub schedule_id: Option<String>,
    #[serde(default)]
    pub schedule_name: Option<String>,
}

/// A ListBackupRestoreTargets row: one recovery point (§5.31).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RestoreTarget {
    pub restore_target_id: String,
    #[serde(default)]
    pub backup_start_time: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_restore_available: Option<bool>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub usage_gb: Option<f64>,
}

/// A ListBackupRestoreHistories row: one restore, without an id (§5.24).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RestoreHistory {
    #[serde(default)]
    pub restore_start_time: Option<String>,
    #[serde(default)]
    pub restore_end_time: Option<String>,
    #[serde(default)]
    pub restore_state: Option<String>,
    #[serde(default)]
    pub restore_server_id: Option<String>,
    #[serde(default)]
    pub restore_server_name: Option<String>,
}

/// A server row of ListBackupTargets (§5.36), ListTargetsOfBackupAgent (§5.10) or
/// ListAgentBackupRestoreTargetServers (§5.3).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Server {
    pub server_uuid: String,
    #[serde(default)]
    pub server_name: Option<String>,
    #[serde(default)]
    pub server_os_version: Option<String>,
}

/// ListBackupRestoreSubnets: `{subnets, count}` (not `contents`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SubnetList {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub subnets: Vec<Value>,
}

/// A restorable subnet (§5.28).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Subnet {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub cidr: Option<String>,
}

/// A backup agent: a ListBackupAgents row (§5.8) or ShowBackupAgent (§5.6).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Agent {
    pub id: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub connection_state: Option<String>,
    #[serde(default)]
    pub server_uuid: Option<String>,
    #[serde(default)]
    pub server_name: Option<String>,
    #[serde(default)]
    pub server_os_type: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// ShowBackupAgentInstallFilePath.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InstallFilePath {
    pub install_file_path: String,
}

/// A ListBackupRegionRelationship row (§5.20).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RegionPair {
    #[serde(default)]
    pub to_region: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::wire::decode;
    use serde_json::json;

    #[test]
    fn the_references_odd_examples_decode() {
        // §2.6: quoted numbers and booleans, `count: ""`, `links: [""]`, null lists.
        let l: List<RestoreTarget> = decode(&json!({"contents": [{
            "restore_target_id": "ca1a8e76-af49-40ea-93f8-a5989ffe138b",
            "backup_start_time": "2024-10-28T05:38:48", "is_restore_available": "true",
            "usage_gb": "123.4", "retention_period": "WEEK_2",
            "schedule_id": "f5b8e22b", "schedule_name": "x"}], "count": 1}))
        .unwrap();
        assert_eq!(l.contents[0].is_restore_available, Some(true));
        assert_eq!(l.contents[0].usage_gb, Some(123.4));
        let r: List<RegionPair> =
            decode(&json!({"contents": [{"to_region": "kr-east1"}], "count": ""})).unwrap();
        assert_eq!(r.count, None);
        let none: List<History> = decode(&json!({"contents": null, "count": 0})).unwrap();
        assert!(none.contents.is_empty());
        let e: Envelope =
            decode(&json!({"request_id": "", "resource": {"id": "b1", "links": [""]}})).unwrap();
        assert_eq!(e.resource.unwrap().id.as_deref(), Some("b1"));
        let a: Agent = decode(
            &json!({"id": "BACKUP_AGENT-abcd", "backup_policy_count": "3",
            "connection_state": null, "state": "AVAILABLE"}),
        )
        .unwrap();
        assert_eq!(a.state.as_deref(), Some("AVAILABLE"));
        let d: BackupDetail = decode(&json!({"id": "b", "name": "n", "encrypt_enabled": "true",
            "filesystem_paths": null, "server_uuid": "s", "server_region": null}))
        .unwrap();
        assert_eq!(d.encrypt_enabled, Some(true));
        assert!(d.filesystem_paths.is_empty());
        let c: Check = decode(&json!({"result": "false"})).unwrap();
        assert_eq!(c.result, Some(false));
    }
}
