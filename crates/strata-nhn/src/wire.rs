//! NAS wire types (responses). Unknown fields are ignored: NHN adds undocumented ones.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NasVolume {
    pub id: String,
    pub name: String,
    pub status: String,
    #[serde(default)]
    pub description: Option<String>,
    pub size_gb: u64,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub acl: Vec<String>,
    #[serde(default)]
    pub encryption: Option<Encryption>,
    #[serde(default)]
    pub interfaces: Vec<NasInterface>,
    #[serde(default)]
    pub mirrors: Vec<NasMirror>,
    #[serde(default)]
    pub mount_protocol: Option<MountProtocol>,
    #[serde(default)]
    pub snapshot_policy: Option<SnapshotPolicy>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Encryption {
    #[serde(default)]
    pub enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MountProtocol {
    pub protocol: String,
    #[serde(default)]
    pub cifs_auth_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotPolicy {
    #[serde(default)]
    pub max_scheduled_count: Option<u32>,
    #[serde(default)]
    pub reserve_percent: Option<u32>,
    #[serde(default)]
    pub schedule: Option<Schedule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub time: String,
    pub time_offset: String,
    #[serde(default)]
    pub weekdays: Vec<u8>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NasInterface {
    pub id: String,
    #[serde(default)]
    pub path: Option<String>,
    pub status: String,
    #[serde(default)]
    pub subnet_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NasMirror {
    pub id: String,
    pub role: String,
    pub status: String,
    pub direction: String,
    #[serde(default)]
    pub direction_changed_at: Option<String>,
    pub dst_region: String,
    #[serde(default)]
    pub dst_tenant_id: Option<String>,
    pub dst_volume_id: String,
    #[serde(default)]
    pub dst_volume_name: Option<String>,
    pub src_region: String,
    pub src_volume_id: String,
    #[serde(default)]
    pub src_volume_name: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MirrorStat {
    pub status: String,
    #[serde(default)]
    pub last_transfer_status: Option<String>,
    #[serde(default)]
    pub last_transfer_bytes: Option<u64>,
    #[serde(default)]
    pub last_transfer_end_time: Option<String>,
    #[serde(default)]
    pub last_success_transfer_bytes: Option<u64>,
    #[serde(default)]
    pub last_success_transfer_end_time: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NasSnapshot {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub preserved: bool,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreHistory {
    #[serde(default)]
    pub requested_at: Option<String>,
    #[serde(default)]
    pub restored_at: Option<String>,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub snapshot_id: Option<String>,
    #[serde(default)]
    pub snapshot_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    #[serde(default)]
    pub used_gb: u64,
    #[serde(default)]
    pub snapshot_used_gb: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    #[serde(default)]
    pub total_count: u64,
}

/// Reads `body[field]` as `T`, failing as an unreadable vendor answer.
pub fn field<T: serde::de::DeserializeOwned>(body: &Value, name: &str) -> strata_core::Result<T> {
    serde_json::from_value(body[name].clone()).map_err(|e| strata_core::Error::VendorFailed {
        vendor_status: None,
        vendor_code: None,
        message: format!("unreadable `{name}` in the NAS answer: {e}"),
    })
}
