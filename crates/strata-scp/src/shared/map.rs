//! Pure wire → model mapping both services share: open state strings, access rules that
//! name SCP objects, server-named snapshots and the untranslated `vendor` fields.

use serde_json::Value;
use strata_core::ids::{ProviderIds, ResourceType};
use strata_core::model::*;

use super::wire::{self, time};

/// A volume state (open string; unknown values map to `unknown`).
pub(crate) fn volume_status(state: Option<&str>) -> VolumeStatus {
    match state.unwrap_or("").to_ascii_lowercase().as_str() {
        "creating" => VolumeStatus::Creating,
        "available" => VolumeStatus::Available,
        "restoring" | "editing" | "updating" => VolumeStatus::Updating,
        "deleting" => VolumeStatus::Deleting,
        "error" => VolumeStatus::Error,
        _ => VolumeStatus::Unknown,
    }
}

/// A snapshot state (open string; unknown values map to `unknown`).
pub(crate) fn snapshot_status(state: Option<&str>) -> SnapshotStatus {
    match state.unwrap_or("").to_ascii_lowercase().as_str() {
        "creating" => SnapshotStatus::Creating,
        "available" => SnapshotStatus::Available,
        "restoring" => SnapshotStatus::Restoring,
        "deleting" => SnapshotStatus::Deleting,
        "error" => SnapshotStatus::Error,
        _ => SnapshotStatus::Unknown,
    }
}

/// Whether a rule is still being added (it is listed) or removed (it is not).
pub(crate) fn rule_pending(state: Option<&str>) -> bool {
    !matches!(
        state.map(str::to_ascii_lowercase).as_deref(),
        None | Some("active") | Some("all")
    )
}

/// Whether a rule is on its way out (and so no longer counts).
pub(crate) fn rule_removing(state: Option<&str>) -> bool {
    matches!(
        state.map(str::to_ascii_lowercase).as_deref(),
        Some("removing") | Some("deleting")
    )
}

/// A vendor rule as a neutral `server` rule (SCP rules carry no access level).
pub(crate) fn rule(r: &wire::Rule) -> AccessRule {
    AccessRule {
        kind: AccessRuleKind::Server,
        value: r.object_id.clone(),
        server_type: Some(r.object_type.to_ascii_lowercase()),
        access: AccessLevel::ReadWrite,
    }
}

/// The vendor's fields minus those the model already carries.
pub(crate) fn vendor_fields(raw: &Value, mapped: &[&str]) -> VendorFields {
    raw.as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| !mapped.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// A snapshot of volume `vid`.
pub(crate) fn snapshot(ids: &ProviderIds, vid: &str, s: &wire::Snapshot) -> Snapshot {
    Snapshot {
        id: ids.child(ResourceType::Snapshot, vid, &s.id),
        provider: ids.provider.clone(),
        volume_id: ids.volume(vid),
        name: s.name.clone(),
        description: None,
        status: snapshot_status(s.state.as_deref()),
        origin: SnapshotOrigin::Manual,
        size_bytes: s.size,
        preserved: false,
        created_at: time(&s.created_at),
        vendor: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use strata_core::ids::GlobalId;

    #[test]
    fn states_rules_and_snapshots_map() {
        assert_eq!(volume_status(Some("EDITING")), VolumeStatus::Updating);
        assert_eq!(volume_status(None), VolumeStatus::Unknown);
        assert_eq!(
            snapshot_status(Some("restoring")),
            SnapshotStatus::Restoring
        );
        assert!(rule_pending(Some("adding")) && !rule_pending(Some("ACTIVE")));
        assert!(rule_removing(Some("deleting")) && !rule_removing(None));
        let r: wire::Rule =
            wire::decode(&json!({"object_id": "vm1", "object_type": "GPU_NODE"})).unwrap();
        assert_eq!(rule(&r).server_type.as_deref(), Some("gpu_node"));
        let raw = json!({"id": "a", "name": "n", "extra": 1});
        assert_eq!(vendor_fields(&raw, &["id", "name"]).len(), 1);
        let ids = ProviderIds {
            provider: "scp-w".into(),
            region: "kr-west1".into(),
            kind: VolumeKind::File,
            peers: Default::default(),
        };
        let s: wire::Snapshot =
            wire::decode(&json!({"id": "s1", "name": "auto", "state": "available"})).unwrap();
        let snap = snapshot(&ids, "v1", &s);
        let id = GlobalId::parse_as(&snap.id, ResourceType::Snapshot).unwrap();
        assert_eq!(
            (id.vendor_id.as_str(), id.parent.as_deref()),
            ("s1", Some("v1"))
        );
        assert_eq!(snap.status, SnapshotStatus::Available);
    }
}
