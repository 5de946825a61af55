//! SCP Archive Storage (`archivestorage`, 25 operations in API versions 1.0 and 1.1) over the
//! shared world. Reference: `shared/vendor/scp-archive-storage.md` (§ numbers below are its
//! sections).
//!
//! Fidelity notes:
//! - Paths, methods and statuses as §3: CreateBucket and CreateArchivingPolicy answer 201,
//!   the other setters 200 with the updated resource, DeleteBucket, DeleteBucketObjects,
//!   DeleteBucketObjectVersions and both cancels 202 with no body, RecoverObjects and
//!   RecoverObjectVersions 202 `{id, recovery_target_bucket_name}` with `id` the archive
//!   bucket's id (as the seed's example; the recovery history is listable at once). The two
//!   object deletes read their JSON body on `DELETE`. The history `detail` and `cancel-*`
//!   paths are literal, the ids in the query.
//! - Versions (front's `ApiVersion`; a missing `Scp-Api-Version` is the current 1.1, the
//!   service word matches in any case): the six 1.1-only operations (Show/SetBucketVersioning,
//!   List/DeleteBucketObjectVersions, RecoverObjectVersions, SetArchivingPolicyState) answer
//!   404 to a 1.0 call before looking at the request (§1.3). Everything else is identical.
//! - Failures (§2.5): request validation (schema, unknown body fields, patterns, ranges,
//!   missing required query parameters, unparsable integers and date-times) is 400
//!   `[{loc, msg, type_, ctx}]`; business rules are `{"errors":[{"code":"NotFound|Conflict",
//!   "detail":"…"}]}` with 404 (unknown bucket, policy, history, object, version, source or
//!   target bucket; a policy or history of another bucket) or 409 (duplicates and state
//!   conflicts). The front's refusals and injected faults use the `errors` shape too.
//!   Bodies are checked strictly (unknown fields are 400); the operations documented without
//!   a body (DeleteBucket, both cancels) accept none or `{}`.
//! - Data formats (§2.6): `usage`, `object_size`, version `size` and `object_lifecycle` are
//!   JSON strings (bytes; a request's `object_lifecycle` must be a string too); history times
//!   are RFC 3339 to the second in `+09:00` (KST, as the seed's examples), object times carry
//!   microseconds and `+00:00`; ids are `SCH-`/`EXE-`/`ARC-` + uuid v4, buckets plain uuids,
//!   version ids 31 characters of `[A-Za-z0-9._-]`, etags 32 hex without quotes.
//! - Paging (§2.1): ListBuckets `limit` (default 20) only; ListBucketObjects `marker`/`limit`
//!   (default 200) with `count` = the items returned, `is_truncated`, and `marker` = the last
//!   returned `object_name` when truncated, else `null`; a request `marker` continues after
//!   that name in the listing order (a marker not under `object_path` is read relative to
//!   it, like the seed's example); versions and histories `offset`/`limit` (default 20), the
//!   versions' `count` and histories' `total_count` the matches before paging; policies
//!   unpaged (without a policy: `count: 0`, `archiving_source_bucket_name: null`,
//!   `archiving_policies: []`). Every `limit` must be an integer ≥ 1 and `offset` ≥ 0 (400
//!   otherwise).
//! - Order (§2.2): buckets by creation, objects folders first then files, each by key;
//!   versions newest first; histories by `start_at` descending (then newest created first).
//! - Filters (§2.3): ListBuckets `name` and ListBucketObjects `object_name` are
//!   case-sensitive substrings (`object_name` over the full key); `object_type` is
//!   `^(FILE|FOLDER)$`; history `state` matches exactly (any value); the history window
//!   (`start_at_from`, `start_at_to`, both required) is inclusive to the second and accepts a
//!   space where the offset's `+` was, or a naive time taken as UTC.
//!
//! Object listing: the direct children of `object_path` (absent or `/`: the root; a leading
//! `/` is ignored and a trailing one implied), like a `/` delimiter listing. Folders are
//! `FOLDER` entries named with their full key ending in `/`, `object_size` and `modified_at`
//! `null`; files show their latest version's size and time. An unknown folder lists empty.
//!
//! State and lifecycle (§6). Each region has its own archive buckets and Object Storage
//! buckets (seeded with [`ScpSim::seed_object_bucket`](crate::scp::ScpSim::seed_object_bucket)
//! and filled with [`ScpSim::put_source_object`](crate::scp::ScpSim::put_source_object);
//! every request first settles what is due):
//! - Buckets are `ACTIVE` at once; encryption and versioning start `false` and may be set
//!   either way (a no-op when unchanged); encryption is a flag only. Bucket names follow
//!   §4.1.2 (3–63 of `[a-z0-9.-]`, starting with a letter or digit, no `..`, `.-`, `-.`, no
//!   trailing `.`/`-`, not an IPv4 address, not containing `admin`), unique in the region
//!   (409). Tag keys are 1–128 characters; tags are kept, never shown.
//! - Policies (§4.3): one per bucket (409 on a second), `object_path` `/` only,
//!   `object_lifecycle` a string holding an integer 1–3650, the source an Object Storage
//!   bucket of the region (404) not linked to another archive bucket (409). New policies are
//!   `ACTIVE`; SetArchivingPolicyState to the current state is a 200 no-op.
//! - Archiving runs (§6.2) are started by
//!   [`ScpSim::run_archiving`](crate::scp::ScpSim::run_archiving) (the daily tick; no
//!   wall-clock scheduler runs, and runs do not wait for each other), only for an `ACTIVE`
//!   policy. A run takes the source objects at least `object_lifecycle` days old (by their
//!   creation in Object Storage) whose content differs from the archived latest version (new
//!   keys, or re-put since), as one `archiving_infos` entry for `/`. `PENDING` → (after the
//!   delay) `SKIPPED` when nothing qualifies, else `INPROGRESS` → (after another delay) the
//!   copies are made and the run is `SUCCESS`. A source bucket whose name contains `fail`
//!   ends `FAILED` with nothing copied; one containing `slow` copies the first half of its
//!   objects and stays `INPROGRESS` until cancelled. Sources are copied, never removed.
//!   A versioned bucket adds a version per copy; an unversioned one replaces the latest
//!   version (older versions kept from when versioning was on stay).
//! - Progress (`archiving_infos`, `recovery_infos`): `total_object_count` is fixed when the
//!   run is created, the `*_object_count` and `usage` (bytes) count what has been copied so
//!   far, the `*_rate` is the whole percentage copied (100 for an empty part).
//! - Recovery (§6.3): RecoverObjects takes `FILE` paths (an object's key) and `FOLDER` paths
//!   (a prefix; a trailing `/` is implied, `/` is the whole bucket; a path ending in `/` is
//!   a folder whatever its `object_type`, so the seed's `/`+`FILE` placeholder recovers
//!   everything), all resolved when the call is made (404 for a path with no object, or an
//!   unknown bucket, version or target bucket); an empty `recovery_infos` is 400. The history (`EXE-…`, `recovery_id`
//!   `ARC-…`, one `recovery_infos` entry per requested path) goes `PENDING` → `INPROGRESS`
//!   → `SUCCESS` like an archiving run, then the latest versions (or the one version asked
//!   for) are in the target bucket under their keys, created now; with `overwrite: false`
//!   keys already there are skipped (and counted as recovered). A target bucket whose name
//!   contains `slow` recovers the first half and stays `INPROGRESS`, `fail` ends `FAILED`
//!   with nothing written. The archived copies stay.
//! - Cancels: 409 when the history is terminal, else `CANCELED` at once with `end_at`;
//!   what was copied so far stays.
//! - Deletes take effect at once (the 202 needs no polling, though polling works):
//!   DeleteBucketObjects is all or nothing, each path a key or a folder (trailing `/`, all
//!   keys under it; `/` everything), removing every version; a path matching nothing is 404,
//!   an empty list 400. DeleteBucketObjectVersions removes the listed versions of one key
//!   (unknown key or version: 404, nothing removed); the newest remaining version becomes
//!   latest and a key without versions is gone. DeleteBucket is 409 while a history is
//!   `PENDING`/`INPROGRESS` or while the bucket holds objects (the S3 convention; the second
//!   rule can be lifted with
//!   [`ScpSim::set_archive_delete_requires_empty`](crate::scp::ScpSim::set_archive_delete_requires_empty)),
//!   else the bucket, its policy (freeing its source) and its histories are gone (404).
//! - Front: signatures are verified as for the other services.
//!
//! This file holds the service's world ([`Archives`]), the state machine (`tick`) and the
//! router; `model` has the resources, `common` the shared answers and checks, and each
//! resource's operations have their file; `seed` has the [`ScpSim`](crate::scp::ScpSim)
//! hooks.

mod buckets;
mod common;
mod histories;
mod model;
mod objects;
mod policies;
mod recovery;
mod seed;
mod versions;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::Router;
use chrono::Utc;

use crate::scp::api::{block_error, Fail};
use crate::scp::{lock, Ctx, Shared, World};
use common::not_found;
use model::{Bucket, ObjBucket, Outcome, Part, Run, SrcObject};

/// The archive buckets and Object Storage buckets of one region.
#[derive(Default)]
pub(super) struct Region {
    buckets: BTreeMap<String, Bucket>,
    sources: BTreeMap<String, ObjBucket>,
}

impl Region {
    /// An archive bucket of this region (404 otherwise).
    fn bucket(&mut self, id: &str) -> Result<&mut Bucket, Fail> {
        self.buckets
            .get_mut(id)
            .ok_or_else(|| not_found("bucket", id))
    }
}

/// The account's Archive Storage of every region.
#[derive(Default)]
pub(crate) struct Archives {
    regions: BTreeMap<String, Region>,
    seq: u64,
    /// DeleteBucket also deletes a bucket that holds objects (off by default).
    delete_nonempty: bool,
}

impl Archives {
    /// The next creation sequence number (orders rows created in the same second).
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn region(&mut self, region: &str) -> &mut Region {
        self.regions.entry(region.to_string()).or_default()
    }

    /// Moves every run whose step is due, as many steps as are due.
    fn tick(&mut self, delay: Duration) {
        let now = Instant::now();
        for r in self.regions.values_mut() {
            let Region { buckets, sources } = r;
            for b in buckets.values_mut() {
                let mut runs = std::mem::take(&mut b.archivings);
                for a in &mut runs {
                    while a.run.due.is_some_and(|t| t <= now) {
                        step(&mut a.run, delay, |part, upto| {
                            for item in &part.items[part.done..upto] {
                                b.store(item);
                            }
                            part.done = upto;
                        });
                    }
                }
                b.archivings = runs;
                for rec in &mut b.recoveries {
                    let Some(target) = sources.get_mut(&rec.target) else {
                        if !model::terminal(rec.run.state) {
                            rec.run.finish("FAILED");
                        }
                        continue;
                    };
                    let overwrite = rec.overwrite;
                    while rec.run.due.is_some_and(|t| t <= now) {
                        step(&mut rec.run, delay, |part, upto| {
                            for item in &part.items[part.done..upto] {
                                if overwrite || !target.objects.contains_key(&item.key) {
                                    target.objects.insert(
                                        item.key.clone(),
                                        SrcObject {
                                            size: item.size,
                                            created_at: Utc::now(),
                                            etag: item.etag.clone(),
                                        },
                                    );
                                }
                            }
                            part.done = upto;
                        });
                    }
                }
            }
        }
    }
}

/// One due step of a run: `PENDING` → `SKIPPED` (nothing to copy) or `INPROGRESS`;
/// `INPROGRESS` → `SUCCESS` (everything copied) or `FAILED`. A slow run copies half of each
/// part on entering `INPROGRESS` and stays there. `copy(part, upto)` copies a part's items
/// up to `upto`.
fn step(run: &mut Run, delay: Duration, mut copy: impl FnMut(&mut Part, usize)) {
    let at = run.due.unwrap_or_else(Instant::now);
    match run.state {
        "PENDING" if run.parts.iter().all(|p| p.items.is_empty()) => run.finish("SKIPPED"),
        "PENDING" => {
            run.state = "INPROGRESS";
            run.due = Some(at + delay);
            if run.outcome == Outcome::Slow {
                for p in &mut run.parts {
                    let half = p.items.len() / 2;
                    copy(p, half);
                }
                run.due = None;
            }
        }
        _ if run.outcome == Outcome::Fail => run.finish("FAILED"),
        _ => {
            for p in &mut run.parts {
                let all = p.items.len();
                copy(p, all);
            }
            run.finish("SUCCESS");
        }
    }
}

/// Locks the world and settles what is due.
fn world(ctx: &Ctx) -> std::sync::MutexGuard<'_, World> {
    let mut w = lock(&ctx.world);
    let delay = w.cfg.delay;
    w.archive.tick(delay);
    w
}

/// A new run starting now, its first step after `delay`.
fn new_run(parts: Vec<Part>, outcome: Outcome, delay: Duration, seq: u64) -> Run {
    Run {
        id: common::prefixed("EXE"),
        state: "PENDING",
        start: Utc::now(),
        end: None,
        parts,
        outcome,
        due: Some(Instant::now() + delay),
        seq,
    }
}

/// The router of one region.
pub(crate) fn router(world: Shared, region: String) -> Router {
    use buckets as bk;
    use histories as hs;
    use objects as ob;
    use policies as pl;
    use recovery as rc;
    use versions as vs;
    Router::new()
        .route("/v1/buckets", get(bk::list).post(bk::create))
        .route("/v1/buckets/{bucket_id}", get(bk::show).delete(bk::delete))
        .route(
            "/v1/buckets/{bucket_id}/encryption",
            get(bk::show_encryption).put(bk::set_encryption),
        )
        .route(
            "/v1/buckets/{bucket_id}/versioning",
            get(bk::show_versioning).put(bk::set_versioning),
        )
        .route(
            "/v1/buckets/{bucket_id}/objects",
            get(ob::list).delete(ob::delete),
        )
        .route(
            "/v1/buckets/{bucket_id}/object-versions",
            get(vs::list).delete(vs::delete),
        )
        .route(
            "/v1/buckets/{bucket_id}/recover-objects",
            put(rc::recover_objects),
        )
        .route(
            "/v1/buckets/{bucket_id}/recover-object-versions",
            put(rc::recover_version),
        )
        .route("/v1/archiving-policies", get(pl::list).post(pl::create))
        .route(
            "/v1/archiving-policies/{archiving_policy_id}",
            get(pl::show).put(pl::set),
        )
        .route(
            "/v1/archiving-policies/{archiving_policy_id}/state",
            put(pl::set_state),
        )
        .route("/v1/archiving-histories", get(hs::list))
        .route("/v1/archiving-histories/detail", get(hs::show))
        .route("/v1/archiving-histories/cancel-archiving", put(hs::cancel))
        .route("/v1/recovery-histories", get(rc::list))
        .route("/v1/recovery-histories/detail", get(rc::show))
        .route("/v1/recovery-histories/cancel-recovery", put(rc::cancel))
        .fallback(|| async { block_error(StatusCode::NOT_FOUND, "no such operation") })
        .with_state(Ctx { world, region })
}
