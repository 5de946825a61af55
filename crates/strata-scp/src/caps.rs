//! The capability document of an SCP provider: one entry per offered service, each from
//! that service's own `caps.rs` (Block Storage's, Backup's and Archive Storage's by the API
//! version each is pinned to).

use std::collections::BTreeMap;

use strata_core::capability::{Capabilities, NameRules};

use crate::service::ScpService;
use crate::{archive, backup, block, file, parallel_file};

/// SCP's names: `^[a-z]([a-z0-9_]){2,20}$`.
pub fn name_rules() -> NameRules {
    crate::shared::name_rules()
}

/// The capability document of an SCP provider offering `services` at their default API
/// versions.
pub fn capabilities(services: &[ScpService], replication_regions: Vec<String>) -> Capabilities {
    capabilities_at(services, &BTreeMap::new(), replication_regions)
}

/// The capability document of an SCP provider offering `services`, each pinned to its
/// version in `versions` (or [`ScpService::default_version`]).
pub fn capabilities_at(
    services: &[ScpService],
    versions: &BTreeMap<ScpService, String>,
    replication_regions: Vec<String>,
) -> Capabilities {
    let version = |s: &ScpService| {
        block::caps::ApiVersion::parse(versions.get(s).map_or(s.default_version(), String::as_str))
    };
    let volumes = services
        .iter()
        .filter_map(|s| {
            let kind = match s {
                ScpService::File => file::caps::capabilities(replication_regions.clone()),
                ScpService::ParallelFile => parallel_file::caps::capabilities(),
                ScpService::Block => {
                    block::caps::capabilities(version(s), replication_regions.clone())
                }
                ScpService::Backup | ScpService::Archive => return None,
            };
            Some((s.kind()?, kind))
        })
        .collect::<BTreeMap<_, _>>();
    let volume_groups = services
        .iter()
        .find(|s| **s == ScpService::Block)
        .map(|s| block::caps::groups(version(s), replication_regions.clone()));
    let backups = services
        .iter()
        .find(|s| **s == ScpService::Backup)
        .map(|s| {
            backup::caps::capabilities(
                versions.get(s).map_or(s.default_version(), String::as_str),
                replication_regions.clone(),
            )
        });
    let archives = services
        .iter()
        .find(|s| **s == ScpService::Archive)
        .map(|s| {
            archive::caps::capabilities(versions.get(s).map_or(s.default_version(), String::as_str))
        });
    Capabilities {
        volumes,
        volume_groups,
        backups,
        archives,
        max_page_size: 100,
    }
}
