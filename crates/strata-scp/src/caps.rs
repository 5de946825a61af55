//! The capability document of an SCP provider: one entry per offered service, each from
//! that service's own `caps.rs`.

use std::collections::BTreeMap;

use strata_core::capability::{Capabilities, NameRules};

use crate::service::ScpService;
use crate::{file, parallel_file};

/// SCP's names: `^[a-z]([a-z0-9_]){2,20}$`.
pub fn name_rules() -> NameRules {
    crate::shared::name_rules()
}

/// The capability document of an SCP provider offering `services`.
pub fn capabilities(services: &[ScpService], replication_regions: Vec<String>) -> Capabilities {
    let volumes = services
        .iter()
        .map(|s| {
            let kind = match s {
                ScpService::File => file::caps::capabilities(replication_regions.clone()),
                ScpService::ParallelFile => parallel_file::caps::capabilities(),
            };
            (s.kind(), kind)
        })
        .collect::<BTreeMap<_, _>>();
    Capabilities {
        volumes,
        max_page_size: 100,
        ..Default::default()
    }
}
