//! The Archive Storage resources: Object Storage buckets ([`ObjBucket`], the sources and
//! recovery targets), archive buckets ([`Bucket`]) with their archived objects
//! ([`Version`]s per key), policy ([`Policy`]), archiving runs ([`ArchRun`]) and recoveries
//! ([`RecRun`]), and the JSON each answer shows.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::common::{history_ts, object_ts};

/// An object of an Object Storage bucket: a source of archiving or a recovered object.
#[derive(Clone)]
pub(super) struct SrcObject {
    pub size: u64,
    pub created_at: DateTime<Utc>,
    /// The content's identity: a new put is new content.
    pub etag: String,
}

/// An Object Storage bucket of a region (a source of archiving or a recovery target).
#[derive(Default)]
pub(super) struct ObjBucket {
    pub objects: BTreeMap<String, SrcObject>,
}

/// One archived version of an object.
#[derive(Clone)]
pub(super) struct Version {
    pub id: String,
    pub etag: String,
    pub size: u64,
    pub modified_at: DateTime<Utc>,
}

impl Version {
    /// An `ObjectVersions` row.
    pub fn json(&self, path: &str, latest: bool) -> Value {
        json!({"object_path": path, "object_version_id": self.id, "latest": latest,
            "modified_at": object_ts(self.modified_at), "etag": self.etag,
            "size": self.size.to_string()})
    }
}

/// A file to archive or recover: its key, size and content.
#[derive(Clone)]
pub(super) struct Item {
    pub key: String,
    pub size: u64,
    pub etag: String,
}

/// The archiving policy of a bucket.
pub(super) struct Policy {
    pub id: String,
    pub source: String,
    pub lifecycle: u32,
    pub state: &'static str,
}

impl Policy {
    /// `ArchivingPolicyCreateResponse` / `ShowResponse` / `UpdateResponse`.
    pub fn json(&self, bucket_id: &str) -> Value {
        json!({"id": self.id, "bucket_id": bucket_id,
            "archiving_source": {"bucket_name": self.source, "object_path": "/"},
            "object_lifecycle": self.lifecycle.to_string(), "state": self.state})
    }
}

/// How a run ends (decided by a bucket name: `slow` never ends, `fail` fails).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Outcome {
    Ok,
    Slow,
    Fail,
}

impl Outcome {
    pub fn of(bucket_name: &str) -> Outcome {
        let n = bucket_name.to_ascii_lowercase();
        if n.contains("fail") {
            Outcome::Fail
        } else if n.contains("slow") {
            Outcome::Slow
        } else {
            Outcome::Ok
        }
    }
}

/// Whether a history state is final.
pub(super) fn terminal(state: &str) -> bool {
    !matches!(state, "PENDING" | "INPROGRESS")
}

/// Per-path progress of a run: what it has to copy and how far it got.
pub(super) struct Part {
    pub path: String,
    pub items: Vec<Item>,
    pub done: usize,
}

impl Part {
    /// An `ArchivingInfo` / `RecoveryInfo` row (`kind`: `archiving` or `recovery`).
    pub fn json(&self, kind: &str) -> Value {
        let total = self.items.len();
        let rate = (self.done * 100).checked_div(total).unwrap_or(100);
        let usage: u64 = self.items[..self.done].iter().map(|i| i.size).sum();
        let mut j = json!({"source_object_path": self.path, "usage": usage.to_string(),
            "total_object_count": total});
        j[format!("{kind}_object_count")] = json!(self.done);
        j[format!("{kind}_rate")] = json!(rate);
        j
    }
}

/// What a run has in common: identity, state, times and the per-path parts.
pub(super) struct Run {
    pub id: String,
    pub state: &'static str,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub parts: Vec<Part>,
    pub outcome: Outcome,
    /// When the next step is due (`None`: nothing more happens by itself).
    pub due: Option<Instant>,
    pub seq: u64,
}

impl Run {
    /// Ends the run in `state` now.
    pub fn finish(&mut self, state: &'static str) {
        self.state = state;
        self.end = Some(Utc::now());
        self.due = None;
    }

    fn times(&self) -> (Value, Value) {
        (
            json!(history_ts(self.start)),
            json!(self.end.map(history_ts)),
        )
    }
}

/// An archiving run of the bucket's policy (an archiving history).
pub(super) struct ArchRun {
    pub run: Run,
    pub policy_id: String,
}

impl ArchRun {
    /// An `ArchivingHistory` row.
    pub fn row(&self) -> Value {
        let (start, end) = self.run.times();
        json!({"archiving_id": self.policy_id, "id": self.run.id, "state": self.run.state,
            "archiving_policy_id": self.policy_id, "start_at": start, "end_at": end})
    }

    /// `ArchivingHistoryShowResponse`.
    pub fn detail(&self, bucket_id: &str) -> Value {
        let mut j = self.row();
        j["bucket_id"] = json!(bucket_id);
        j["archiving_infos"] = self.run.parts.iter().map(|p| p.json("archiving")).collect();
        j
    }
}

/// A recovery into an Object Storage bucket (a recovery history).
pub(super) struct RecRun {
    pub run: Run,
    pub recovery_id: String,
    pub target: String,
    pub overwrite: bool,
}

impl RecRun {
    /// A `RecoveryHistory` row.
    pub fn row(&self) -> Value {
        let (start, end) = self.run.times();
        json!({"recovery_id": self.recovery_id, "id": self.run.id, "state": self.run.state,
            "recovery_target_bucket_name": self.target, "start_at": start, "end_at": end})
    }

    /// `RecoveryHistoryShowResponse`.
    pub fn detail(&self, bucket_id: &str) -> Value {
        let mut j = self.row();
        j["bucket_id"] = json!(bucket_id);
        j["recovery_infos"] = self.run.parts.iter().map(|p| p.json("recovery")).collect();
        j
    }
}

/// An archive bucket.
pub(super) struct Bucket {
    pub id: String,
    pub name: String,
    /// Kept as sent; no answer shows tags (§4.1.3).
    #[allow(dead_code)]
    pub tags: Vec<Value>,
    pub encrypted: bool,
    pub versioning: bool,
    /// Archived objects: each key's versions, oldest first (the last is the latest).
    pub objects: BTreeMap<String, Vec<Version>>,
    pub policy: Option<Policy>,
    pub archivings: Vec<ArchRun>,
    pub recoveries: Vec<RecRun>,
    pub seq: u64,
}

impl Bucket {
    pub fn new(id: String, name: &str, tags: Vec<Value>, seq: u64) -> Bucket {
        Bucket {
            id,
            name: name.into(),
            tags,
            encrypted: false,
            versioning: false,
            objects: BTreeMap::new(),
            policy: None,
            archivings: vec![],
            recoveries: vec![],
            seq,
        }
    }

    /// Stored bytes: every version of every object.
    pub fn usage(&self) -> u64 {
        self.objects.values().flatten().map(|v| v.size).sum()
    }

    /// Whether an archiving or a recovery is `PENDING` or `INPROGRESS`.
    pub fn running(&self) -> bool {
        self.archivings.iter().any(|a| !terminal(a.run.state))
            || self.recoveries.iter().any(|r| !terminal(r.run.state))
    }

    /// `BucketShowResponse`.
    pub fn detail(&self) -> Value {
        json!({"id": self.id, "name": self.name, "state": "ACTIVE",
            "usage": self.usage().to_string(),
            "archiving_source_bucket_name": self.policy.as_ref().map(|p| &p.source)})
    }

    /// Stores an archived copy of `item` now: a new version when versioning is on, else
    /// the latest version is replaced. Returns the new version id.
    pub fn store(&mut self, item: &Item) -> String {
        let v = Version {
            id: super::common::version_id(),
            etag: item.etag.clone(),
            size: item.size,
            modified_at: Utc::now(),
        };
        let id = v.id.clone();
        let versions = self.objects.entry(item.key.clone()).or_default();
        if !self.versioning {
            versions.pop();
        }
        versions.push(v);
        id
    }
}
