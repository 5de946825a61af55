//! Archives: ListBuckets, CreateBucket, ShowBucket, DeleteBucket and the encryption and
//! versioning flags (§4.1). An archive is read with ShowBucket + ShowBucketEncryption (+
//! ShowBucketVersioning on 1.1), concurrently.

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use strata_core::error::{Error, Result};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};

use super::{api, caps, map, on_409, wire, ArchiveService, CONCURRENCY, MAX_BUCKETS, MAX_PAGE};
use crate::shared::wire::decode;

/// The prefix of a by-name page token.
const NAME_TOKEN: &str = "n.";

impl ArchiveService {
    /// Every bucket (up to [`MAX_BUCKETS`]) whose name contains `name`, sorted by name.
    /// `name` goes to the vendor only with `exact` (a lookup of one name): its match is
    /// undocumented (§2.3), and an exact vendor match would miss a substring.
    pub(crate) async fn buckets(
        &self,
        name: Option<&str>,
        exact: bool,
    ) -> Result<Vec<wire::BucketRow>> {
        let sent = name.filter(|_| exact);
        let raw = api::list_buckets(&self.api, sent, MAX_BUCKETS).await?;
        let l: wire::BucketList = decode(&raw)?;
        if l.buckets.len() >= MAX_BUCKETS as usize {
            tracing::warn!(
                vendor = "scp",
                service = "archivestorage",
                limit = MAX_BUCKETS,
                "ListBuckets answered as many buckets as asked for: the list may be cut"
            );
        }
        let mut rows: Vec<wire::BucketRow> = l
            .buckets
            .into_iter()
            // Re-checked here: exactly, or as a substring.
            .filter(|b| {
                name.is_none_or(|n| {
                    if exact {
                        b.name == n
                    } else {
                        b.name.contains(n)
                    }
                })
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        Ok(rows)
    }

    /// The rows after a by-name page token (all of them without one).
    pub(crate) fn after_token(
        rows: Vec<wire::BucketRow>,
        req: &PageRequest,
    ) -> Result<Vec<wire::BucketRow>> {
        match &req.page_token {
            None => Ok(rows),
            Some(t) => {
                let after = t
                    .strip_prefix(NAME_TOKEN)
                    .filter(|n| !n.is_empty() && n.len() <= 63)
                    .ok_or(Error::InvalidPageToken)?;
                Ok(rows
                    .into_iter()
                    .filter(|b| b.name.as_str() > after)
                    .collect())
            }
        }
    }

    /// The by-name page token that continues after `name`.
    pub(crate) fn name_token(name: &str) -> String {
        format!("{NAME_TOKEN}{name}")
    }

    /// The archive `bid` as the model has it.
    pub(crate) async fn read(&self, bid: &str) -> Result<Archive> {
        let v11 = self.v11("archive.versioning").ok();
        let ((b, raw), encrypted, versioning) = futures::try_join!(
            async {
                let raw = api::show_bucket(&self.api, bid)
                    .await
                    .map_err(self.gone(bid))?;
                Ok::<_, Error>((decode::<wire::Bucket>(&raw)?, raw))
            },
            async {
                let raw = api::show_encryption(&self.api, bid)
                    .await
                    .map_err(self.gone(bid))?;
                Ok(decode::<wire::Flag>(&raw)?.enabled.unwrap_or(false))
            },
            async {
                let Some(v) = v11 else {
                    return Ok(None);
                };
                let raw = api::show_versioning(&self.api, v, bid)
                    .await
                    .map_err(self.gone(bid))?;
                Ok(Some(decode::<wire::Flag>(&raw)?.enabled.unwrap_or(false)))
            },
        )?;
        Ok(map::archive(&self.ids, &b, &raw, encrypted, versioning))
    }

    /// Archives a page at a time, by name.
    pub async fn list_archives(
        &self,
        filter: &ArchiveFilter,
        req: &PageRequest,
    ) -> Result<Page<Archive>> {
        let rows = Self::after_token(self.buckets(filter.name.as_deref(), false).await?, req)?;
        let size = req.page_size.clamp(1, MAX_PAGE) as usize;
        let more = rows.len() > size;
        let page: Vec<&wire::BucketRow> = rows.iter().take(size).collect();
        let reads: Vec<_> = page.iter().map(|b| self.read(&b.id)).collect();
        let reads: Vec<Result<Archive>> = stream::iter(reads).buffered(CONCURRENCY).collect().await;
        let mut items = vec![];
        for a in reads {
            match a {
                Ok(a) => items.push(a),
                // Deleted between the list and the read.
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Page {
            items,
            next_page_token: more
                .then(|| page.last().map(|b| Self::name_token(&b.name)))
                .flatten(),
        })
    }

    /// `already_exists` when a bucket is named exactly `name`.
    async fn check_unused(&self, name: &str) -> Result<()> {
        if !self.buckets(Some(name), true).await?.is_empty() {
            return Err(Error::already_exists(format!(
                "an archive named `{name}` already exists"
            )));
        }
        Ok(())
    }

    /// Creates an archive: name checks, CreateBucket with the labels as tags, then the
    /// encryption and versioning flags asked for (see the module doc); returns it as read.
    pub async fn create_archive(&self, req: &CreateArchive) -> Result<Archive> {
        self.caps.check_create(req)?;
        caps::check_name_extra(&req.name)?;
        let v11 = if req.versioning {
            Some(self.v11("archive.versioning")?)
        } else {
            None
        };
        self.check_unused(&req.name).await?;
        let mut body = json!({"name": req.name});
        if !req.labels.is_empty() {
            let tags: Vec<Value> = req
                .labels
                .iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            body["tags"] = Value::Array(tags);
        }
        let name = req.name.clone();
        let created: wire::IdOnly = decode(&api::create_bucket(&self.api, &body).await.map_err(
            on_409(|_| Error::already_exists(format!("an archive named `{name}` already exists"))),
        )?)?;
        let bid = match created.id.filter(|i| !i.is_empty()) {
            Some(id) => id,
            None => self
                .buckets(Some(&req.name), true)
                .await?
                .into_iter()
                .next()
                .map(|b| b.id)
                .ok_or_else(|| Error::VendorFailed {
                    vendor_status: None,
                    vendor_code: None,
                    message: format!("the created archive `{}` is not listed", req.name),
                })?,
        };
        let follow_up = async {
            if req.encrypted {
                api::set_encryption(&self.api, &bid, true).await?;
            }
            if let Some(v) = v11 {
                api::set_versioning(&self.api, v, &bid, true).await?;
            }
            Ok::<_, Error>(())
        };
        if let Err(e) = follow_up.await {
            if !matches!(e, Error::DryRun) {
                // Leave nothing half-made behind: the bucket is new and empty.
                if let Err(undo) = api::delete_bucket(&self.api, &bid).await {
                    tracing::warn!(error = %undo, "could not delete the half-created archive");
                }
            }
            return Err(e);
        }
        self.read(&bid).await
    }

    /// SetBucketEncryption and (1.1) SetBucketVersioning; returns the archive as read.
    pub async fn update_archive(&self, bid: &str, req: &UpdateArchive) -> Result<Archive> {
        self.caps.check_update(req)?;
        let v11 = match req.versioning {
            Some(_) => Some(self.v11("archive.versioning")?),
            None => None,
        };
        if let Some(on) = req.encrypted {
            api::set_encryption(&self.api, bid, on)
                .await
                .map_err(self.gone(bid))?;
        }
        if let (Some(on), Some(v)) = (req.versioning, v11) {
            api::set_versioning(&self.api, v, bid, on)
                .await
                .map_err(self.gone(bid))?;
        }
        self.read(bid).await
    }

    /// DeleteBucket (202; the gateway reads the archive until it is gone).
    pub async fn delete_archive(&self, bid: &str) -> Result<()> {
        api::delete_bucket(&self.api, bid)
            .await
            .map_err(self.gone(bid))
            .map_err(on_409(|m| {
                Error::failed_precondition(format!(
                    "the archive cannot be deleted yet (delete its objects first): {m}"
                ))
            }))?;
        Ok(())
    }
}
