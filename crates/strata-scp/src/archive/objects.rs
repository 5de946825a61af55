//! Archived objects (ListBucketObjects, DeleteBucketObjects) and their versions
//! (ListBucketObjectVersions, DeleteBucketObjectVersions; 1.1 only), §4.2.

use strata_core::error::{Error, Result};
use strata_core::model::*;
use strata_core::paging::{fingerprint, Page, PageRequest};

use super::api::{self, ObjectQuery};
use super::{map, wire, ArchiveService};
use crate::shared::wire::decode;

/// Largest vendor page of objects (the vendor's default, §2.1).
const MAX_OBJECTS: u32 = 200;
/// Largest vendor page of versions.
const MAX_VERSIONS: u32 = 100;
/// Most ListBucketObjects calls one page makes (when the vendor answers short pages or the
/// name re-check drops entries).
const MAX_OBJECT_CALLS: usize = 4;

impl ArchiveService {
    /// One page of an archive's listing: the direct children of the filter's folder (the
    /// root without one), by the vendor's marker (see the module doc).
    pub async fn list_archive_objects(
        &self,
        bid: &str,
        filter: &ObjectFilter,
        req: &PageRequest,
    ) -> Result<Page<ArchiveObject>> {
        let path = filter.folder.as_deref().unwrap_or("/");
        let object_type = filter.object_type.map(map::object_type_wire);
        let fp = fingerprint(&[
            path,
            filter.name.as_deref().unwrap_or(""),
            object_type.unwrap_or(""),
        ]);
        let mut marker: Option<String> = match &req.page_token {
            None => None,
            Some(t) => {
                let rest = t
                    .strip_prefix("m.")
                    .and_then(|r| r.strip_prefix(fp.as_str()))
                    .and_then(|r| r.strip_prefix('.'))
                    .filter(|m| !m.is_empty())
                    .ok_or(Error::InvalidPageToken)?;
                Some(rest.to_string())
            }
        };
        let size = req.page_size.clamp(1, MAX_OBJECTS) as usize;
        let mut items: Vec<ArchiveObject> = vec![];
        let mut calls = 0;
        let next = loop {
            let q = ObjectQuery {
                path,
                // Not sent: the vendor's name match is undocumented (§2.3), and a prefix or
                // exact match there would lose what a substring match here keeps.
                name: None,
                object_type,
                marker: marker.as_deref(),
                limit: (size - items.len()) as u32,
            };
            let raw = match api::list_objects(&self.api, bid, &q).await {
                Ok(raw) => raw,
                Err(e) => match self.object_404(bid, e).await {
                    // The archive is there: nothing under that folder.
                    Error::VendorRejected {
                        vendor_status: 404, ..
                    } => break None,
                    e => return Err(e),
                },
            };
            calls += 1;
            let l: wire::ObjectList = decode(&raw)?;
            for o in &l.contents {
                let Some(obj) = map::object(o) else { continue };
                // The vendor's name match is undocumented (§2.3): re-checked as a substring.
                let named = filter.name.as_deref().is_none_or(|n| obj.key.contains(n));
                let typed = filter.object_type.is_none_or(|t| t == obj.object_type);
                if named && typed {
                    items.push(obj);
                }
            }
            // Continue only on a truncated answer with a new marker (§2.1), so a vendor that
            // repeats the marker cannot loop; without a marker, after the last key listed (as
            // S3 clients do).
            let last_key = l.contents.last().map(|o| o.object_name.clone());
            let next_marker = l.marker.filter(|m| !m.is_empty()).or(last_key);
            let continues = l.is_truncated == Some(true)
                && next_marker
                    .as_deref()
                    .is_some_and(|m| Some(m) != marker.as_deref());
            if !continues {
                break None;
            }
            marker = next_marker;
            if items.len() >= size || calls == MAX_OBJECT_CALLS {
                break marker;
            }
        };
        Ok(Page {
            items,
            next_page_token: next.map(|m| format!("m.{fp}.{m}")),
        })
    }

    /// DeleteBucketObjects (202; every version goes with a path, folders recursively).
    pub async fn delete_archive_objects(&self, bid: &str, req: &DeleteObjects) -> Result<()> {
        match api::delete_objects(&self.api, bid, &req.paths).await {
            Ok(_) => Ok(()),
            Err(e) => Err(inside(
                self.object_404(bid, e).await,
                "a path matches nothing in the archive",
            )),
        }
    }

    /// A 404 of an object call names the bucket or an object: `archive_not_found` only when
    /// the bucket is gone (ShowBucket), else the vendor's refusal as it is.
    pub(crate) async fn object_404(&self, bid: &str, e: Error) -> Error {
        if !matches!(
            e,
            Error::VendorRejected {
                vendor_status: 404,
                ..
            }
        ) {
            return e;
        }
        match api::show_bucket(&self.api, bid)
            .await
            .map_err(self.gone(bid))
        {
            Err(gone @ Error::NotFound { .. }) => gone,
            _ => e,
        }
    }

    /// The versions of one object, newest first, by offset (1.1).
    pub async fn list_object_versions(
        &self,
        bid: &str,
        key: &str,
        req: &PageRequest,
    ) -> Result<Page<ObjectVersion>> {
        let v = self.v11("archive.versions.list")?;
        let offset: u64 = match &req.page_token {
            None => 0,
            Some(t) => t
                .parse()
                .ok()
                .filter(|o: &u64| *o <= 1_000_000_000)
                .ok_or(Error::InvalidPageToken)?,
        };
        let size = req.page_size.clamp(1, MAX_VERSIONS);
        // One row ahead: the vendor's `count` is undefined (§8 #12).
        let raw = match api::list_versions(&self.api, v, bid, key, offset, size + 1).await {
            Ok(raw) => raw,
            Err(e) => {
                return match self.object_404(bid, e).await {
                    // The bucket is there: the key has no versions (the vendor's 404).
                    Error::VendorRejected {
                        vendor_status: 404, ..
                    } => Ok(Page {
                        items: vec![],
                        next_page_token: None,
                    }),
                    e => Err(e),
                };
            }
        };
        let l: wire::VersionList = decode(&raw)?;
        let more = l.contents.len() > size as usize;
        let items: Vec<ObjectVersion> = l
            .contents
            .iter()
            .take(size as usize)
            .map(|r| map::version(key, r))
            .collect();
        let after = offset.saturating_add(items.len() as u64);
        Ok(Page {
            items,
            next_page_token: more.then(|| after.to_string()),
        })
    }

    /// DeleteBucketObjectVersions (1.1, 202).
    pub async fn delete_object_versions(&self, bid: &str, req: &DeleteVersions) -> Result<()> {
        let v = self.v11("archive.versions.delete")?;
        match api::delete_versions(&self.api, v, bid, &req.key, &req.version_ids).await {
            Ok(_) => Ok(()),
            Err(e) => Err(inside(
                self.object_404(bid, e).await,
                "the object or one of the versions is not in the archive",
            )),
        }
    }
}

/// A vendor 404 of a call inside an archive that exists (see [`ArchiveService::object_404`])
/// names something in the request that is not there: `failed_precondition`, as on every
/// provider, rather than the vendor's bare refusal.
fn inside(e: Error, what: &str) -> Error {
    match e {
        Error::VendorRejected {
            vendor_status: 404,
            message,
            ..
        } => Error::failed_precondition(format!(
            "{what}: {}",
            strata_core::error::sanitize_vendor_text(&message)
        )),
        e => e,
    }
}
