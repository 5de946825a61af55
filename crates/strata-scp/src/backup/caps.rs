//! Backup's capability document, by the API version the adapter is pinned to.

use strata_core::capability::{BackupCapabilities, NameRules};
use strata_core::model::{BackupFrequency, BackupKind, Retention, ServerType};

/// Most schedule entries of a policy. The vendor documents no bound; 16 is the core
/// model's, and more than a handful of entries per policy is already unusual.
pub(crate) const MAX_SCHEDULES: usize = 16;

/// Most paths of a filesystem policy (the core model's bound; the vendor documents none).
pub(crate) const MAX_PATHS: usize = 64;

/// Whether the pinned version offers DR replication (`dr_enabled` exists from 1.1).
pub(crate) fn replicates(version: &str) -> bool {
    version != "1.0"
}

/// Policy names: the vendor documents no pattern or length (§6.6), only uniqueness, so the
/// rule is permissive: 1–255 characters of letters, digits, spaces and `-_.`, the characters
/// of every example; the vendor has the last word.
pub(crate) fn name_rules() -> NameRules {
    NameRules {
        min_len: 1,
        max_len: 255,
        pattern: "[A-Za-z0-9 ._-]+".into(),
        description: "letters, digits, spaces, `.`, `_` and `-`".into(),
    }
}

/// The new server of an image restore: 1–63 characters of `[A-Za-z0-9-_ ]` (§4.4.3).
pub(crate) fn restore_server_name_rules() -> NameRules {
    NameRules {
        min_len: 1,
        max_len: 63,
        pattern: "[A-Za-z0-9 _-]+".into(),
        description: "letters, digits, spaces, `_` and `-`".into(),
    }
}

/// The backup capabilities at API `version`; `regions` are the DR regions (only offered
/// from 1.1).
///
/// `minutes` is `false`: every example of the vendor starts on the hour (`09:00:00`,
/// `14:00:00`, …) and no source says a backup master honours minutes, so entries start on
/// the hour. `labels` is `false`: tags are accepted on create but can only be read back
/// through SCP's separate tag service, so they could not be shown.
pub fn capabilities(version: &str, regions: Vec<String>) -> BackupCapabilities {
    BackupCapabilities {
        kinds: vec![BackupKind::Image, BackupKind::Filesystem],
        server_types: vec![
            ServerType::VirtualServer,
            ServerType::GpuServer,
            ServerType::BaremetalServer,
        ],
        retentions: vec![
            Retention::TwoWeeks,
            Retention::OneMonth,
            Retention::ThreeMonths,
            Retention::SixMonths,
            Retention::OneYear,
        ],
        frequencies: vec![
            BackupFrequency::Daily,
            BackupFrequency::Weekly,
            BackupFrequency::Monthly,
        ],
        minutes: false,
        min_schedules: 1,
        max_schedules: MAX_SCHEDULES,
        max_paths: MAX_PATHS,
        name: name_rules(),
        restore_server_name: restore_server_name_rules(),
        labels: false,
        replication_regions: if replicates(version) { regions } else { vec![] },
        agents: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_is_offered_from_1_1() {
        let r = vec!["kr-east1".to_string()];
        assert_eq!(capabilities("1.1", r.clone()).replication_regions, r);
        assert!(capabilities("1.0", r).replication_regions.is_empty());
        let c = capabilities("1.1", vec![]);
        assert!(c.restore_server_name.check("n", "web restored_1-a").is_ok());
        assert!(c.restore_server_name.check("n", "web.restored").is_err());
        assert!(c.restore_server_name.check("n", &"a".repeat(64)).is_err());
        assert!(c.name.check("n", "backup-001").is_ok());
    }
}
