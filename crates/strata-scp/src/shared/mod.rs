//! What File Storage and Parallel File Storage share: the same `/v1/volumes` and
//! `/v1/snapshots?volume_id=` shapes ([`api`], [`wire`], [`map`]), server-named snapshots,
//! open state strings, access rules that name SCP objects, and children addressed under
//! their volume. Each service module holds a [`VolumeService`] and adds only its own
//! differences.

pub(crate) mod api;
pub(crate) mod map;
pub(crate) mod wire;

use serde_json::Value;
use strata_core::capability::NameRules;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, ProviderIds, ResourceType};
use strata_core::model::*;
use strata_core::paging::{page_slice, Page, PageRequest};

use crate::client::ScpClient;
pub(crate) use api::RulesAt;
use wire::decode;

/// `impl SnapshotOps for $service { … }` with the four snapshot operations both services
/// answer the same way (through their [`VolumeService`] `svc`), plus the service's own
/// methods given in the braces.
macro_rules! snapshot_ops {
    ($service:ty { $($own:tt)* }) => {
        #[async_trait::async_trait]
        impl SnapshotOps for $service {
        async fn list_snapshots(
            &self,
            _ctx: &CallCtx,
            volume: &GlobalId,
            page: &PageRequest,
        ) -> Result<Page<Snapshot>> {
            self.svc.list_snapshots(volume, page).await
        }

        async fn get_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Snapshot> {
            self.svc.get_snapshot(id).await
        }

        async fn create_snapshot(
            &self,
            _ctx: &CallCtx,
            volume: &GlobalId,
            req: &CreateSnapshot,
        ) -> Result<Snapshot> {
            self.svc.create_snapshot(volume, req).await
        }

        async fn delete_snapshot(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
            self.svc.delete_snapshot(id).await
        }

        $($own)*
        }
    };
}
pub(crate) use snapshot_ops;

/// Bytes per GiB.
pub(crate) const GIB: u64 = 1 << 30;

/// SCP's names: `^[a-z]([a-z0-9_]){2,20}$`.
pub(crate) fn name_rules() -> NameRules {
    NameRules {
        min_len: 3,
        max_len: 21,
        pattern: "[a-z][a-z0-9_]{2,20}".into(),
        description: "a lowercase letter, then lowercase letters, digits and `_`".into(),
    }
}

/// One SCP volume service (File Storage or Parallel File Storage) in one region, as far
/// as the two services agree.
pub(crate) struct VolumeService {
    pub api: ScpClient,
    pub ids: ProviderIds,
    /// ListVolumes' collection key (`filestorages`, `parallel_filestorages`).
    pub list_key: &'static str,
    pub rules_at: RulesAt,
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

/// SCP snapshots have no description field (volumes declare it: `descriptions: false`).
pub(crate) fn refuse_description(d: Option<&str>) -> Result<()> {
    match d {
        Some(_) => Err(Error::unsupported_value(
            "description",
            "SCP snapshots have no description",
        )),
        None => Ok(()),
    }
}

/// SCP grants access only on a volume that is available, so rules cannot ride on the create.
pub(crate) fn refuse_initial_rules(rules: &[AccessRule]) -> Result<()> {
    if rules.is_empty() {
        Ok(())
    } else {
        Err(Error::unsupported_value(
            "access_rules",
            "SCP grants access once the volume is available: set the rules with PUT /v1/volumes/{id}/access-rules after the create settles",
        ))
    }
}

impl VolumeService {
    /// The global id of volume `vid`.
    pub fn volume_id(&self, vid: &str) -> String {
        self.ids.volume(vid)
    }

    /// Maps a vendor 404 on a call about volume `vid` to "volume not found".
    pub fn volume_gone(&self, vid: &str) -> impl FnOnce(Error) -> Error {
        Error::vendor_404_as(ResourceType::Volume, self.volume_id(vid))
    }

    /// ShowVolume: the decoded volume and its raw body (for `vendor`).
    pub async fn show(&self, vid: &str) -> Result<(wire::Volume, Value)> {
        let raw = api::show_volume(&self.api, vid)
            .await
            .map_err(self.volume_gone(vid))?;
        Ok((decode(&raw)?, raw))
    }

    /// The volume's rules that are in force or being added (not those being removed).
    pub async fn live_rules(&self, vid: &str) -> Result<Vec<wire::Rule>> {
        let raw = api::list_access_rules(&self.api, vid, self.rules_at)
            .await
            .map_err(self.volume_gone(vid))?;
        let list: wire::RuleList = decode(&raw)?;
        Ok(list
            .access_rules
            .into_iter()
            .filter(|r| !map::rule_removing(r.state()))
            .collect())
    }

    /// The volume's rules as neutral rules.
    pub async fn access_rules(&self, vid: &str) -> Result<Vec<AccessRule>> {
        Ok(self.live_rules(vid).await?.iter().map(map::rule).collect())
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
        if vol.status == VolumeStatus::Available
            && rules.iter().any(|r| map::rule_pending(r.state()))
        {
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
        let raw = api::list_volumes(&self.api, name, offset, limit).await?;
        let items = raw[self.list_key].as_array().cloned().unwrap_or_default();
        let vols = items
            .iter()
            .map(|r| Ok(map(&decode(r)?, r)))
            .collect::<Result<Vec<_>>>()?;
        let total = raw["count"].as_u64().unwrap_or(offset + vols.len() as u64);
        Ok((vols, total))
    }

    /// DeleteVolume.
    pub async fn delete_volume(&self, id: &GlobalId) -> Result<()> {
        api::delete_volume(&self.api, &id.vendor_id)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, id.encode()))?;
        Ok(())
    }

    /// ListSnapshots of volume `vid`; a 404 means the volume is gone.
    pub async fn snapshot_list(&self, vid: &str) -> Result<wire::SnapshotList> {
        decode(
            &api::list_snapshots(&self.api, vid)
                .await
                .map_err(self.volume_gone(vid))?,
        )
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
            .map(|s| map::snapshot(&self.ids, vid, s))
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
            .map(|s| map::snapshot(&self.ids, vid, s))
            .ok_or_else(|| Error::not_found(ResourceType::Snapshot, id.encode()))
    }

    /// CreateSnapshot (SCP names it; a description is refused).
    pub async fn create_snapshot(
        &self,
        volume: &GlobalId,
        req: &CreateSnapshot,
    ) -> Result<Snapshot> {
        refuse_description(req.description.as_deref())?;
        let vid = &volume.vendor_id;
        let raw = api::create_snapshot(&self.api, vid)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Volume, volume.encode()))?;
        Ok(map::snapshot(&self.ids, vid, &decode(&raw["snapshot"])?))
    }

    /// DeleteSnapshot.
    pub async fn delete_snapshot(&self, id: &GlobalId) -> Result<()> {
        api::delete_snapshot(&self.api, &id.vendor_id, parent(id)?)
            .await
            .map_err(Error::vendor_404_as(ResourceType::Snapshot, id.encode()))?;
        Ok(())
    }
}
