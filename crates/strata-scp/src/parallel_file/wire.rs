//! Parallel File Storage's own wire shapes: the bulk access-rule update. Its volumes,
//! snapshots and rules are listed in the shapes both services share (`crate::shared::wire`,
//! where `capacity_tb` and `mount_path` are this service's fields).

use serde::Serialize;

/// One rule in an access-rule update: only GPU nodes can be granted access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RuleObject {
    pub object_id: String,
    pub object_type: &'static str,
}

/// UpdateAccessRules' body: both arrays always present, possibly empty.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RulesUpdate {
    pub add_access_rules: Vec<RuleObject>,
    pub remove_access_rules: Vec<RuleObject>,
}
