//! What File Storage and Parallel File Storage share: the same `/v1/volumes` and
//! `/v1/snapshots?volume_id=` shapes, server-named snapshots, open state strings, access rules
//! that name SCP objects, and children addressed under their volume. Each service module
//! holds a [`Service`] and adds only its own differences.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::paging::{page_slice, Page, PageRequest};

use crate::client::ScpClient;
use crate::wire::{self, decode, time};
use strata_core::ids::ProviderIds;

/// Where a service lists a volume's access rules.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RulesAt {
    /// `/v1/volumes/{id}/access-rules` (File Storage).
    UnderVolume,
    /// `/v1/access-rules?volume_id=` (Parallel File Storage).
    TopLevel,
}

/// One SCP storage service in one region, as far as the two services agree.
pub(crate) struct Service {
    pub api: ScpClient,
    pub ids: ProviderIds,
    /// ListVolumes' collection key (`filestorages`, `parallel_filestorages`).
    pub list_key: &'static str,
    pub rules_at: RulesAt,
}

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
fn rule_pending(state: Option<&str>) -> bool {
    !matches!(
        state.map(str::to_ascii_lowercase).as_deref(),
        None | Some("active") | Some("all")
    )
}

fn rule_removing(state: Option<&str>) -> bool {
    matches!(
        state.map(str::to_ascii_lowercase).as_deref(),
        Some("removing") | Some("deleting")
    )
}

/// The parent volume of a snapshot or replica id.
pub(crate) fn parent(id: &GlobalId) -> Result<&str> {
    id.parent
        .as_deref()
        .ok_or_else(|| Error::invalid("id", "the id does not name its volume"))
}

/// A missing parent volume means the child is missing too.
pub(crate) fn child_not_found(
    rtype: ResourceType,
    id: &GlobalId,
) -> impl FnOnce(Error) -> Error + '_ {
    move |e| match e {
        Error::NotFound { .. } => Error::not_found(rtype, id.encode()),
        other => other,
    }
}

pub(crate) fn refuse_description(d: Option<&str>) -> Result<()> {
    match d {
        Some(_) => Err(Error::invalid(
            "description",
            "SCP storage resources have no description",
        )),
        None => Ok(()),
    }
}

/// SCP grants access only on a volume that is available, so rules cannot ride on the create.
pub(crate) fn refuse_initial_rules(rules: &[AccessRule]) -> Result<()> {
    if rules.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid(
            "access_rules",
            "SCP grants access once the volume is available: set the rules with PUT /v1/volumes/{id}/access-rules after the create settles",
        ))
    }
}

/// A vendor rule as a neutral `server` rule (SCP rules carry no access level).
fn rule_of(r: &wire::Rule) -> AccessRule {
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

impl Service {
    pub fn volume_id(&self, vid: &str) -> String {
        self.ids.volume(vid)
    }

    /// `GET path?volume_id=…` for a volume's child list; a 404 means the volume is gone.
    pub async fn list_under<T: DeserializeOwned>(&self, path: &[&str], vid: &str) -> Result<T> {
        decode(&self.volume_get(path, vid, true).await?)
    }

    /// A GET about volume `vid` (with `?volume_id=` when `scoped`); a 404 means the volume
    /// is gone.
    async fn volume_get(&self, path: &[&str], vid: &str, scoped: bool) -> Result<Value> {
        let query = [("volume_id", vid.to_string())];
        let query: &[(&str, String)] = if scoped { &query } else { &[] };
        self.api
            .call(Method::GET, path, query, None)
            .await
            .map_err(Error::vendor_404_as(
                ResourceType::Volume,
                self.volume_id(vid),
            ))
    }

    /// A call on a child addressed with `?volume_id=`; a 404 means the child is gone.
    pub async fn child_call(
        &self,
        method: Method,
        path: &[&str],
        id: &GlobalId,
        rtype: ResourceType,
        body: Option<&Value>,
    ) -> Result<Value> {
        let vid = parent(id)?;
        self.api
            .call(method, path, &[("volume_id", vid.to_string())], body)
            .await
            .map_err(Error::vendor_404_as(rtype, id.encode()))
    }

    /// ShowVolume: the decoded volume and its raw body (for `vendor`).
    pub async fn show(&self, vid: &str) -> Result<(wire::Volume, Value)> {
        let raw = self.volume_get(&["v1", "volumes", vid], vid, false).await?;
        Ok((decode(&raw)?, raw))
    }

    /// The volume's rules that are in force or being added (not those being removed).
    pub async fn live_rules(&self, vid: &str) -> Result<Vec<wire::Rule>> {
        let list: wire::RuleList = decode(&match self.rules_at {
            RulesAt::TopLevel => self.volume_get(&["v1", "access-rules"], vid, true).await?,
            RulesAt::UnderVolume => {
                self.volume_get(&["v1", "volumes", vid, "access-rules"], vid, false)
                    .await?
            }
        })?;
        Ok(list
            .access_rules
            .into_iter()
            .filter(|r| !rule_removing(r.state()))
            .collect())
    }

    pub async fn access_rules(&self, vid: &str) -> Result<Vec<AccessRule>> {
        Ok(self.live_rules(vid).await?.iter().map(rule_of).collect())
    }

    /// The volume, reported `updating` while access rules are still being applied: SCP
    /// changes rules asynchronously without touching the volume's own state, and operations
    /// settle by polling this.
    pub async fn volume(
        &self,
        vid: &str,
        map: impl Fn(&wire::Volume, &Value) -> Volume,
    ) -> Result<Volume> {
        let ((v, raw), rules) = futures::try_join!(self.show(vid), self.live_rules(vid))?;
        let mut vol = map(&v, &raw);
        if vol.status == VolumeStatus::Available && rules.iter().any(|r| rule_pending(r.state())) {
            vol.status = VolumeStatus::Updating;
        }
        Ok(vol)
    }

    /// One page of ListVolumes (name-sorted) and the vendor's total.
    pub async fn page(
        &self,
        name: Option<&str>,
        offset: u64,
        limit: u32,
        map: impl Fn(&wire::Volume, &Value) -> Volume,
    ) -> Result<(Vec<Volume>, u64)> {
        let mut query = vec![
            ("offset", offset.to_string()),
            ("limit", limit.to_string()),
            ("sort", "name:asc".to_string()),
        ];
        if let Some(n) = name {
            query.push(("name", n.to_string()));
        }
        let raw = self
            .api
            .call(Method::GET, &["v1", "volumes"], &query, None)
            .await?;
        let items = raw[self.list_key].as_array().cloned().unwrap_or_default();
        let vols = items
            .iter()
            .map(|r| Ok(map(&decode(r)?, r)))
            .collect::<Result<Vec<_>>>()?;
        let total = raw["count"].as_u64().unwrap_or(offset + vols.len() as u64);
        Ok((vols, total))
    }

    pub async fn delete_volume(&self, id: &GlobalId) -> Result<()> {
        self.api
            .call(Method::DELETE, &["v1", "volumes", &id.vendor_id], &[], None)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, id.encode()))?;
        Ok(())
    }

    fn map_snapshot(&self, vid: &str, s: &wire::Snapshot) -> Snapshot {
        Snapshot {
            id: self.ids.child(ResourceType::Snapshot, vid, &s.id),
            provider: self.ids.provider.clone(),
            volume_id: self.volume_id(vid),
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

    pub async fn snapshot_list(&self, vid: &str) -> Result<wire::SnapshotList> {
        self.list_under(&["v1", "snapshots"], vid).await
    }

    /// Every snapshot at once (the vendor does not page them); paged locally.
    pub async fn list_snapshots(
        &self,
        volume: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        let vid = &volume.vendor_id;
        let all: Vec<Snapshot> = self
            .snapshot_list(vid)
            .await?
            .snapshots
            .iter()
            .map(|s| self.map_snapshot(vid, s))
            .collect();
        page_slice(&all, page)
    }

    /// There is no ShowSnapshot: find it in its volume's list.
    pub async fn get_snapshot(&self, id: &GlobalId) -> Result<Snapshot> {
        let vid = parent(id)?;
        let list = self
            .snapshot_list(vid)
            .await
            .map_err(child_not_found(ResourceType::Snapshot, id))?;
        list.snapshots
            .iter()
            .find(|s| s.id == id.vendor_id)
            .map(|s| self.map_snapshot(vid, s))
            .ok_or_else(|| Error::not_found(ResourceType::Snapshot, id.encode()))
    }

    pub async fn create_snapshot(
        &self,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        refuse_description(req.description.as_deref())?;
        let vid = &volume.vendor_id;
        let raw = self
            .api
            .call(
                Method::POST,
                &["v1", "snapshots"],
                &[],
                Some(&json!({"volume_id": vid})),
            )
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        Ok(self.map_snapshot(vid, &decode(&raw["snapshot"])?))
    }

    pub async fn delete_snapshot(&self, id: &GlobalId) -> Result<()> {
        let path = ["v1", "snapshots", &id.vendor_id];
        self.child_call(Method::DELETE, &path, id, ResourceType::Snapshot, None)
            .await?;
        Ok(())
    }
}
