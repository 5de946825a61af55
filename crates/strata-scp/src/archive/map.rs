//! Pure mapping between Archive Storage's wire shapes and the core model: ids (an archive is
//! its bucket; a job is `<kind>.<history id>` under its bucket), bucket and history states
//! (§5.0, case-insensitive), objects, versions, policies and job progress.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;

use super::api::History;
use super::wire;
use crate::shared::wire::time;

/// The kind prefix of an archiving run's job id.
const ARCHIVING: &str = "archiving";
/// The kind prefix of a recovery's job id.
const RECOVERY: &str = "recovery";

/// Mints the global ids of one provider's archives and archive jobs.
#[derive(Debug, Clone)]
pub(crate) struct ArchiveIds {
    pub provider: String,
}

impl ArchiveIds {
    /// The global id of bucket `bid`.
    pub fn archive_gid(&self, bid: &str) -> GlobalId {
        GlobalId::new(ResourceType::Archive, self.provider.clone(), None, bid)
    }

    /// The encoded global id of bucket `bid`.
    pub fn archive(&self, bid: &str) -> String {
        self.archive_gid(bid).encode()
    }

    /// The encoded global id of history `hid` of `kind` in bucket `bid`.
    pub fn job(&self, kind: History, bid: &str, hid: &str) -> String {
        GlobalId::new(
            ResourceType::ArchiveJob,
            self.provider.clone(),
            None,
            job_vid(kind, hid),
        )
        .with_parent(bid)
        .encode()
    }
}

/// The vendor part of a job id: the kind, a dot, the history id (`archiving.EXE-…`). The id
/// grammar allows `[A-Za-z0-9._-]`, so the kind cannot ride in a `:`.
pub(crate) fn job_vid(kind: History, hid: &str) -> String {
    let k = match kind {
        History::Archiving => ARCHIVING,
        History::Recovery => RECOVERY,
    };
    format!("{k}.{hid}")
}

/// The kind and history id of a job's vendor part; `None` when it carries no known kind (or
/// no history id), so it can reach no vendor call.
pub(crate) fn parse_job_vid(vid: &str) -> Option<(History, &str)> {
    let (k, hid) = vid.split_once('.')?;
    let kind = match k {
        ARCHIVING => History::Archiving,
        RECOVERY => History::Recovery,
        _ => return None,
    };
    (!hid.is_empty()).then_some((kind, hid))
}

/// The model's job kind of a history kind.
pub(crate) fn kind(k: History) -> ArchiveJobKind {
    match k {
        History::Archiving => ArchiveJobKind::Archiving,
        History::Recovery => ArchiveJobKind::Recovery,
    }
}

/// Timestamps, leniently (§2.6): RFC 3339 with an offset or `Z`, microseconds, a naive time
/// (UTC), or a space for the `T`.
pub(crate) fn when(s: &Option<String>) -> Option<DateTime<Utc>> {
    time(s).or_else(|| time(&s.as_ref().map(|s| s.trim().replacen(' ', "T", 1))))
}

/// A bucket state (§5.0): `ACTIVE` is active; anything else is unknown (raw in `vendor`).
pub(crate) fn bucket_status(state: Option<&str>) -> BackupStatus {
    match state {
        Some(s) if s.eq_ignore_ascii_case("ACTIVE") => BackupStatus::Active,
        _ => BackupStatus::Unknown,
    }
}

/// A history state (§5.0 normalisation, case-insensitive, `_`/`-`/space ignored).
pub(crate) fn job_status(state: Option<&str>) -> JobStatus {
    let Some(s) = state else {
        return JobStatus::Unknown;
    };
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .collect::<String>()
        .to_ascii_uppercase();
    match s.as_str() {
        "SUCCESS" | "SUCCEEDED" | "COMPLETED" => JobStatus::Succeeded,
        "PARTIALSUCCESS" => JobStatus::PartiallySucceeded,
        "FAIL" | "FAILED" | "FAILURE" | "ERROR" => JobStatus::Failed,
        "CANCEL" | "CANCELED" | "CANCELLED" => JobStatus::Cancelled,
        "INPROGRESS" | "RUNNING" | "PROGRESS" | "PROCESSING" | "STARTED" | "CANCELING"
        | "CANCELLING" | "STOPPING" => JobStatus::Running,
        "PENDING" | "WAITING" | "WAIT" | "READY" | "QUEUED" => JobStatus::Queued,
        "SKIP" | "SKIPPED" => JobStatus::Skipped,
        _ => JobStatus::Unknown,
    }
}

/// The vendor's `state` filter value of a job status: only `SUCCESS`, the one spelling the
/// reference documents (§5.0); other states are filtered after normalisation, as the live
/// service's spellings of them are unknown.
pub(crate) fn job_state_wire(s: JobStatus) -> Option<&'static str> {
    (s == JobStatus::Succeeded).then_some("SUCCESS")
}

/// The raw answer without the fields the model already has.
pub(crate) fn vendor(raw: &Value, skip: &[&str]) -> Map<String, Value> {
    raw.as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, v)| !skip.contains(&k.as_str()) && !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// An archive from ShowBucket, the encryption flag and (1.1) the versioning flag.
pub(crate) fn archive(
    ids: &ArchiveIds,
    b: &wire::Bucket,
    raw: &Value,
    encrypted: bool,
    versioning: Option<bool>,
) -> Archive {
    Archive {
        id: ids.archive(&b.id),
        provider: ids.provider.clone(),
        name: b.name.clone(),
        status: bucket_status(b.state.as_deref()),
        encrypted,
        versioning,
        size_bytes: b.usage,
        source_bucket: b
            .archiving_source_bucket_name
            .clone()
            .filter(|s| !s.is_empty()),
        created_at: None,
        vendor: vendor(
            raw,
            &["id", "name", "usage", "archiving_source_bucket_name"],
        ),
    }
}

/// The vendor's `object_type` of an entry type.
pub(crate) fn object_type_wire(t: ObjectType) -> &'static str {
    match t {
        ObjectType::File => "FILE",
        ObjectType::Folder => "FOLDER",
    }
}

/// An archived object or folder; `None` for an entry of an unknown type.
pub(crate) fn object(o: &wire::Object) -> Option<ArchiveObject> {
    let t = o.object_type.as_deref().unwrap_or("");
    let object_type = if t.eq_ignore_ascii_case("FOLDER") {
        ObjectType::Folder
    } else if t.eq_ignore_ascii_case("FILE") {
        ObjectType::File
    } else if t.is_empty() {
        // No type: a key ending in `/` is a folder.
        if o.object_name.ends_with('/') {
            ObjectType::Folder
        } else {
            ObjectType::File
        }
    } else {
        return None;
    };
    Some(ArchiveObject {
        key: o.object_name.trim_start_matches('/').to_string(),
        object_type,
        size_bytes: o.object_size,
        modified_at: when(&o.modified_at),
    })
}

/// An object version; `key` is the listed object's when the row does not say.
pub(crate) fn version(key: &str, v: &wire::Version) -> ObjectVersion {
    ObjectVersion {
        key: if v.object_path.is_empty() {
            key.to_string()
        } else {
            v.object_path.clone()
        },
        version_id: v.object_version_id.clone(),
        latest: v.latest.unwrap_or(false),
        size_bytes: v.size.unwrap_or(0),
        // Required by the model; an unreadable time reads as the epoch.
        modified_at: when(&v.modified_at).unwrap_or_default(),
        etag: v.etag.clone().filter(|e| !e.is_empty()),
    }
}

/// A policy's days as the model has them (unreadable or out of range: 0).
fn days(d: Option<u64>) -> u32 {
    d.and_then(|d| u32::try_from(d).ok()).unwrap_or(0)
}

/// Whether a policy state is `ACTIVE`.
pub(crate) fn active(state: Option<&str>) -> bool {
    state.is_some_and(|s| s.eq_ignore_ascii_case("ACTIVE"))
}

/// A policy from a ListArchivingPolicies row and the list's source bucket.
pub(crate) fn policy_row(
    ids: &ArchiveIds,
    bid: &str,
    source: Option<&str>,
    p: &wire::PolicyRow,
) -> ArchivePolicy {
    ArchivePolicy {
        archive_id: ids.archive(bid),
        provider: ids.provider.clone(),
        source_bucket: source.unwrap_or_default().to_string(),
        prefix: None,
        after_days: days(p.object_lifecycle),
        enabled: active(p.state.as_deref()),
        vendor: vendor_policy(&p.id, p.state.as_deref(), p.object_path.as_deref()),
    }
}

/// A policy from ShowArchivingPolicy (or a create or update answer); `state` overrides the
/// answer's (SetArchivingPolicyState answers only the state).
pub(crate) fn policy(
    ids: &ArchiveIds,
    bid: &str,
    p: &wire::Policy,
    state: Option<&str>,
) -> ArchivePolicy {
    let source = p.archiving_source.as_ref();
    let state = state.or(p.state.as_deref());
    ArchivePolicy {
        archive_id: ids.archive(bid),
        provider: ids.provider.clone(),
        source_bucket: source
            .and_then(|s| s.bucket_name.clone())
            .unwrap_or_default(),
        prefix: None,
        after_days: days(p.object_lifecycle),
        enabled: active(state),
        vendor: vendor_policy(&p.id, state, source.and_then(|s| s.object_path.as_deref())),
    }
}

fn vendor_policy(id: &str, state: Option<&str>, path: Option<&str>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("archiving_policy_id".into(), json!(id));
    if let Some(s) = state {
        m.insert("state".into(), json!(s));
    }
    if let Some(p) = path {
        m.insert("object_path".into(), json!(p));
    }
    m
}

/// A job from a history row or detail (`progress` from the detail's infos).
pub(crate) fn job(
    ids: &ArchiveIds,
    k: History,
    bid: &str,
    h: &wire::History,
    raw: &Value,
) -> Option<ArchiveJob> {
    let hid = h.id.as_deref().filter(|i| !i.is_empty())?;
    let infos = match k {
        History::Archiving => &h.archiving_infos,
        History::Recovery => &h.recovery_infos,
    };
    Some(ArchiveJob {
        id: ids.job(k, bid, hid),
        provider: ids.provider.clone(),
        archive_id: ids.archive(bid),
        kind: kind(k),
        status: job_status(h.state.as_deref()),
        target_bucket: match k {
            History::Archiving => None,
            History::Recovery => h.recovery_target_bucket_name.clone(),
        },
        started_at: when(&h.start_at),
        finished_at: when(&h.end_at),
        progress: infos.iter().map(progress).collect(),
        vendor: vendor(
            raw,
            &[
                "start_at",
                "end_at",
                "recovery_target_bucket_name",
                "archiving_infos",
                "recovery_infos",
                "bucket_id",
            ],
        ),
    })
}

fn progress(p: &wire::Progress) -> JobProgress {
    JobProgress {
        path: p.source_object_path.clone().unwrap_or_default(),
        total_objects: p.total_object_count,
        done_objects: p.archiving_object_count,
        bytes: p.usage,
        percent: p.archiving_rate.map(|r| r.min(100) as u8),
    }
}
