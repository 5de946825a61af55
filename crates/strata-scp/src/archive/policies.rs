//! The archiving policy of an archive (§4.3): at most one per bucket, its source fixed, no
//! delete; pause and resume only on 1.1.

use futures::stream::{self, StreamExt};
use strata_core::error::{Error, Result};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};

use super::{api, map, on_409, wire, ArchiveService, CONCURRENCY, MAX_PAGE};
use crate::shared::wire::decode;

/// Most ListArchivingPolicies calls one page of the policy list makes.
const MAX_POLICY_CALLS: usize = 100;

impl ArchiveService {
    /// ListArchivingPolicies of bucket `bid`: the source and the first policy, if any.
    async fn policy_row(&self, bid: &str) -> Result<Option<(Option<String>, wire::PolicyRow)>> {
        let raw = api::list_policies(&self.api, bid)
            .await
            .map_err(self.gone(bid))?;
        let l: wire::PolicyList = decode(&raw)?;
        Ok(l.archiving_policies
            .into_iter()
            .next()
            .map(|p| (l.archiving_source_bucket_name, p)))
    }

    /// Every archive's policy, by archive name: ListBuckets, then ListArchivingPolicies of
    /// the buckets after the token, a page's worth at a time, until the page is full (at
    /// most [`MAX_POLICY_CALLS`] buckets a page; the token is the last bucket looked at).
    pub async fn list_archive_policies(&self, req: &PageRequest) -> Result<Page<ArchivePolicy>> {
        let rows = Self::after_token(self.buckets(None, false).await?, req)?;
        let size = req.page_size.clamp(1, MAX_PAGE) as usize;
        let mut items = vec![];
        let mut looked = 0;
        for chunk in rows.chunks(size.min(MAX_POLICY_CALLS)) {
            if items.len() >= size || looked >= MAX_POLICY_CALLS {
                break;
            }
            let found: Vec<_> = chunk.iter().map(|b| self.policy_row(&b.id)).collect();
            let found: Vec<_> = stream::iter(found).buffered(CONCURRENCY).collect().await;
            for (b, p) in chunk.iter().zip(found) {
                if items.len() >= size || looked >= MAX_POLICY_CALLS {
                    break;
                }
                looked += 1;
                match p {
                    Ok(Some((source, row))) => {
                        items.push(map::policy_row(&self.ids, &b.id, source.as_deref(), &row))
                    }
                    Ok(None) | Err(Error::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let next = (looked < rows.len()).then(|| Self::name_token(&rows[looked - 1].name));
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    /// ListArchivingPolicies, then ShowArchivingPolicy of the one found; `None` without one.
    pub async fn get_archive_policy(&self, bid: &str) -> Result<Option<ArchivePolicy>> {
        let Some((_, row)) = self.policy_row(bid).await? else {
            return Ok(None);
        };
        let raw = api::show_policy(&self.api, bid, &row.id)
            .await
            .map_err(self.gone(bid))?;
        let p: wire::Policy = decode(&raw)?;
        Ok(Some(map::policy(&self.ids, bid, &p, None)))
    }

    /// Creates the policy (CreateArchivingPolicy, the whole source bucket), or changes the
    /// days of the one in place (SetArchivingPolicy; nothing is sent when they are equal).
    /// Its source cannot change.
    pub async fn put_archive_policy(
        &self,
        bid: &str,
        req: &PutArchivePolicy,
    ) -> Result<ArchivePolicy> {
        self.caps.check_policy(req)?;
        let Some((source, row)) = self.policy_row(bid).await? else {
            let raw = api::create_policy(&self.api, bid, &req.source_bucket, req.after_days)
                .await
                .map_err(|e| match e {
                    // The bucket was just listed: a 404 names the source bucket.
                    Error::VendorRejected {
                        vendor_status: 404, ..
                    } => Error::failed_precondition(format!(
                        "there is no object storage bucket `{}` in this region: create it first",
                        req.source_bucket
                    )),
                    other => other,
                })
                .map_err(on_409(|m| {
                    Error::failed_precondition(format!(
                        "the archiving policy cannot be created: {m}"
                    ))
                }))?;
            let p: wire::Policy = decode(&raw)?;
            return Ok(map::policy(&self.ids, bid, &p, None));
        };
        let raw = api::show_policy(&self.api, bid, &row.id)
            .await
            .map_err(self.gone(bid))?;
        let p: wire::Policy = decode(&raw)?;
        let current = p
            .archiving_source
            .as_ref()
            .and_then(|s| s.bucket_name.clone())
            .or(source);
        if current.as_deref() != Some(req.source_bucket.as_str()) {
            return Err(Error::failed_precondition(format!(
                "the source of an archiving policy cannot change (it is `{}`)",
                current.unwrap_or_default()
            )));
        }
        if p.object_lifecycle == Some(u64::from(req.after_days)) {
            return Ok(map::policy(&self.ids, bid, &p, None));
        }
        let raw = api::set_policy(&self.api, bid, &p.id, req.after_days)
            .await
            .map_err(self.gone(bid))?;
        let updated: wire::Policy = decode(&raw)?;
        Ok(map::policy(&self.ids, bid, &updated, None))
    }

    /// SetArchivingPolicyState `ACTIVE` / `INACTIVE` (1.1); `failed_precondition` when the
    /// archive has no policy.
    pub async fn set_archive_policy_enabled(
        &self,
        bid: &str,
        enabled: bool,
    ) -> Result<ArchivePolicy> {
        self.caps.check_pause()?;
        let v = self.v11("archive.policy.enable")?;
        let Some((_, row)) = self.policy_row(bid).await? else {
            return Err(Error::failed_precondition(
                "the archive has no archiving policy",
            ));
        };
        let raw = api::set_policy_state(&self.api, v, bid, &row.id, enabled)
            .await
            .map_err(self.gone(bid))?;
        let state: wire::PolicyState = decode(&raw)?;
        let raw = api::show_policy(&self.api, bid, &row.id)
            .await
            .map_err(self.gone(bid))?;
        let p: wire::Policy = decode(&raw)?;
        // The state as the change answered it, should the detail lag behind.
        Ok(map::policy(&self.ids, bid, &p, state.state.as_deref()))
    }
}
