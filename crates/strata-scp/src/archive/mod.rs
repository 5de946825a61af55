//! SCP Archive Storage (`archivestorage`, API 1.1 or 1.0) mapped onto archives, their
//! objects and object versions, their archiving policy, and archiving and recovery jobs.
//! Reference: `shared/vendor/scp-archive-storage.md` (§ numbers below are its sections).
//!
//! Decisions and vendor quirks handled here and in the sibling files:
//! - **Ids**: an archive is its bucket (`arc_…` around the bucket id). A job is a history
//!   addressed under its bucket: parent = bucket id, vendor part = `<kind>.<history id>`
//!   (`archiving.EXE-…`, `recovery.EXE-…`; the id grammar has no `:`). A job id whose vendor
//!   part names no known kind is not found before any call, so it can never send a cancel or
//!   a read to the other history family.
//! - **Versions** (§1.3): pinned per service (`versions.archive`, default `1.1`; `1.0`
//!   allowed). The six 1.1-only operations take a proof of the pin ([`api::V11`]) that only
//!   [`ArchiveService::v11`] hands out: pinned to 1.0 they answer `unsupported_by_provider`
//!   before any call, and archives read with `versioning` absent.
//! - **Paging** (§2.1): ListBuckets cannot page, so archive and policy lists read up to
//!   [`MAX_BUCKETS`] buckets (a warning is logged when the answer is that long: it may be
//!   cut), sort them by name and page by name: the token is the last name returned
//!   (`n.<name>`), so buckets added or removed between pages shift nothing. Objects page by
//!   the vendor's marker (`m.<fingerprint>.<marker>`: the fingerprint binds it to the
//!   listing's folder and filters), followed defensively (a marker equal to the one just
//!   sent ends the list). Versions page by offset (`<offset>`), looking one row ahead.
//!   Jobs merge the two history lists newest first; the token holds both offsets
//!   (`j.<archiving>.<recovery>`). A status filter is sent as the vendor's `state` only for
//!   `succeeded` (`SUCCESS`, the one spelling the reference documents); other statuses are
//!   matched here after normalisation, so an unknown spelling can never hide jobs.
//! - **Create** (§4.1.2): the name is checked against the rules the capability document
//!   cannot express (IP form, `admin`) and against the existing buckets (ListBuckets by
//!   name, re-checked exactly: `already_exists`) before CreateBucket; the vendor's 409 is
//!   `already_exists` too. Encryption and versioning cannot be set at create, so
//!   SetBucketEncryption / SetBucketVersioning follow inside the create; if one fails the
//!   new (empty) bucket is deleted again and the error returned, so a retry can succeed.
//! - **Job discovery** ([`jobs`], §4.5.1): the recovery calls return no usable history id.
//!   An `id` starting with `EXE-`/`ARC-` is matched against the histories' `id` /
//!   `recovery_id`; otherwise the recovery histories of a window around the call are listed
//!   after it, and the newest history of the same target bucket that started after the call
//!   (less a clock skew) is the job (when several are, the newest whose `recovery_infos`
//!   paths are the request's). Nothing is listed before the call, so a dry run shows the
//!   recovery call, exactly what a real run sends first.
//! - **Policies** (§4.3): at most one per bucket, no delete, the source fixed: a put with
//!   another source is `failed_precondition` before any change; equal days send nothing.
//! - **Refusals the phrase table cannot read**: a 409 the message does not classify is read
//!   per call (CreateBucket: `already_exists`; a cancel: the job has finished; DeleteBucket,
//!   CreateArchivingPolicy: `failed_precondition` with the vendor's words, sanitized).
//! - **Tolerant decoding** ([`wire`]): quoted numbers, `null` lists, offsets, microseconds
//!   and naive timestamps, open state strings (§5.0 normalisation in [`map`]).

pub(crate) mod api;
mod buckets;
pub(crate) mod caps;
mod jobs;
pub(crate) use jobs::job_parts;
pub(crate) mod map;
#[cfg(test)]
mod map_tests;
mod objects;
mod policies;
pub(crate) mod wire;

use strata_core::capability::ArchiveCapabilities;
use strata_core::error::{sanitize_vendor_text, Error, Result};
use strata_core::ids::ResourceType;

use crate::client::ScpClient;
use api::V11;
use map::ArchiveIds;

/// Most buckets one ListBuckets asks for (it cannot page, §2.1).
pub(crate) const MAX_BUCKETS: u32 = 1000;
/// Largest page of archives or policies (the capability document's `max_page_size`): each
/// archive takes two or three reads, each policy one or two.
pub(crate) const MAX_PAGE: u32 = 100;
/// Most vendor reads in flight for one page of archives or policies.
pub(crate) const CONCURRENCY: usize = 8;

/// SCP Archive Storage in one region.
pub(crate) struct ArchiveService {
    pub api: ScpClient,
    pub ids: ArchiveIds,
    /// The pinned API version (`1.1` or `1.0`).
    pub version: String,
    pub caps: ArchiveCapabilities,
}

impl ArchiveService {
    /// Archive Storage speaking API `version` through `api`.
    pub fn new(api: ScpClient, provider: &str, version: &str) -> Self {
        ArchiveService {
            api,
            ids: ArchiveIds {
                provider: provider.into(),
            },
            version: version.into(),
            caps: caps::capabilities(version),
        }
    }

    /// The proof that 1.1-only calls may be sent; `unsupported_by_provider` naming `op`
    /// when pinned to 1.0.
    pub(crate) fn v11(&self, op: &str) -> Result<V11> {
        if caps::is_v11(&self.version) {
            Ok(V11(()))
        } else {
            Err(Error::unsupported(op))
        }
    }

    /// The `archive_not_found` error of bucket `bid`.
    pub(crate) fn gone(&self, bid: &str) -> impl FnOnce(Error) -> Error {
        Error::vendor_404_as(ResourceType::Archive, self.ids.archive(bid))
    }

    /// Health: a one-bucket ListBuckets.
    pub async fn health(&self) -> Result<()> {
        api::list_buckets(&self.api, None, 1).await?;
        Ok(())
    }
}

/// Maps a 409 the phrase table left as `vendor_rejected` with `f` (given the vendor's
/// message, sanitized); every other error passes through.
pub(crate) fn on_409(f: impl FnOnce(String) -> Error) -> impl FnOnce(Error) -> Error {
    move |e| match e {
        Error::VendorRejected {
            vendor_status: 409,
            message,
            ..
        } => f(sanitize_vendor_text(&message)),
        other => other,
    }
}
