//! Parallel File Storage's own vendor operations (the shared ones are in
//! `crate::shared::api`): one typed fn each, paths from segments.

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::error::Result;

use super::wire::{RuleObject, RulesUpdate};
use crate::client::ScpClient;
use crate::shared::api::of_volume;

/// UpdateCapacity: the new size in whole TB.
pub(super) async fn set_capacity(c: &ScpClient, vid: &str, capacity_tb: u64) -> Result<Value> {
    let path = ["v1", "volumes", vid, "capacity"];
    let body = json!({ "capacity_tb": capacity_tb });
    c.call(Method::PUT, &path, &[], Some(&body)).await
}

/// UpdateAccessRules: every add and remove in one call.
pub(super) async fn update_access_rules(
    c: &ScpClient,
    vid: &str,
    add: Vec<RuleObject>,
    remove: Vec<RuleObject>,
) -> Result<Value> {
    let body = json!(RulesUpdate {
        add_access_rules: add,
        remove_access_rules: remove,
    });
    c.call(
        Method::PUT,
        &["v1", "access-rules"],
        &of_volume(vid),
        Some(&body),
    )
    .await
}
