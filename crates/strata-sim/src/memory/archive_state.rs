//! Archive state of the in-memory provider: the object storage buckets it knows, its
//! archives with their objects, versions and policy, and the jobs (archiving runs and
//! recoveries) that move objects between them.
//!
//! Jobs settle lazily: every archive operation first calls [`MemoryProvider::settle_archives`],
//! which finishes the jobs whose settle delay has passed (copying their objects) and drops
//! the archives whose deletion has completed. A job shows `queued` for the first half of the
//! delay and `running` for the second; a source (archiving) or target (recovery) bucket whose
//! name contains `slow` keeps it `running` until cancelled, one containing `fail` ends it
//! `failed` (nothing copied). Cancelling copies nothing either.

use chrono::DateTime;

use super::*;

/// An object of an object storage bucket.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SrcObject {
    pub size: u64,
    pub created_at: DateTime<Utc>,
}

/// One archived version of an object.
#[derive(Debug, Clone)]
pub(super) struct VersionRec {
    pub id: String,
    pub size: u64,
    /// When the source object was created (tells changed content from unchanged).
    pub source_created: DateTime<Utc>,
    pub archived_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct PolicyRec {
    pub source: String,
    pub prefix: Option<String>,
    pub after_days: u32,
    pub enabled: bool,
}

pub(super) struct ArchiveRec {
    pub vendor_id: String,
    pub name: String,
    pub encrypted: bool,
    pub versioning: bool,
    pub labels: Labels,
    pub created_at: DateTime<Utc>,
    pub policy: Option<PolicyRec>,
    /// key → its versions, oldest first (the last one is the current version).
    pub objects: BTreeMap<String, Vec<VersionRec>>,
    pub deleting_until: Option<Instant>,
}

/// What a job copies when it succeeds.
pub(super) enum Work {
    /// Source objects into the archive.
    Archive(Vec<(String, SrcObject)>),
    /// Archived objects (key, size) into an object storage bucket.
    Recover {
        target: String,
        overwrite: bool,
        objects: Vec<(String, u64)>,
    },
}

/// How a job ends once its delay has passed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Ends {
    Succeeded,
    Skipped,
    Failed,
    /// Runs until cancelled (a `slow` bucket).
    Never,
}

pub(super) struct JobRec {
    pub vendor_id: String,
    pub archive: String,
    pub kind: ArchiveJobKind,
    pub target: Option<String>,
    pub started_at: DateTime<Utc>,
    pub t0: Instant,
    pub ends: Ends,
    pub work: Work,
    /// Per path: (path, objects, bytes).
    pub paths: Vec<(String, u64, u64)>,
    /// The terminal state, once reached, and when.
    pub settled: Option<(JobStatus, DateTime<Utc>)>,
    /// Halves of the work done when it was cancelled (0 or 1).
    pub cancelled_halves: u64,
}

#[derive(Default)]
pub(super) struct ArchiveState {
    pub buckets: BTreeMap<String, BTreeMap<String, SrcObject>>,
    pub archives: BTreeMap<String, ArchiveRec>,
    pub jobs: BTreeMap<String, JobRec>,
}

/// The error for a referenced name that does not exist (an object storage bucket, an
/// archived path or version). SCP answers such requests 404, but the core error model has no
/// resource type for them, so the memory provider answers `failed_precondition`: the request
/// is well formed, the world it refers to is not there.
pub(super) fn missing(what: String) -> Error {
    Error::failed_precondition(what)
}

impl ArchiveRec {
    /// Bytes of the current versions.
    pub fn size(&self) -> u64 {
        self.objects
            .values()
            .filter_map(|v| v.last())
            .map(|v| v.size)
            .sum()
    }
}

impl JobRec {
    /// The state the job shows now.
    pub fn status(&self, delay: Duration) -> JobStatus {
        if let Some((s, _)) = self.settled {
            return s;
        }
        if self.t0.elapsed() < delay / 2 {
            JobStatus::Queued
        } else {
            JobStatus::Running
        }
    }

    /// Halves of the work done (0, 1 or 2) in `status`.
    fn halves(&self, status: JobStatus) -> u64 {
        match status {
            JobStatus::Running => 1,
            JobStatus::Succeeded | JobStatus::Skipped => 2,
            JobStatus::Cancelled => self.cancelled_halves,
            _ => 0,
        }
    }
}

impl MemoryProvider {
    pub(super) fn archive_gid(&self, vendor_id: &str) -> GlobalId {
        GlobalId::new(ResourceType::Archive, self.info.id.clone(), None, vendor_id)
    }

    pub(super) fn job_gid(&self, archive: &str, job: &str) -> GlobalId {
        GlobalId::new(ResourceType::ArchiveJob, self.info.id.clone(), None, job)
            .with_parent(archive)
    }

    /// Checks that `id` is this provider's id of a resource of `rtype`.
    pub(super) fn own_as(&self, id: &GlobalId, rtype: ResourceType) -> Result<()> {
        self.own(id)?;
        if id.rtype != rtype {
            return Err(strata_core::ids::IdError::WrongType {
                expected: rtype,
                found: id.rtype,
            }
            .into());
        }
        Ok(())
    }

    /// Finishes the jobs whose delay has passed and drops archives whose deletion is done.
    pub(super) fn settle_archives(&self, st: &mut State) {
        let now = Instant::now();
        let gone: Vec<String> = st
            .arch
            .archives
            .values()
            .filter(|a| a.deleting_until.is_some_and(|t| now >= t))
            .map(|a| a.vendor_id.clone())
            .collect();
        for a in gone {
            st.arch.archives.remove(&a);
            st.arch.jobs.retain(|_, j| j.archive != a);
        }
        let due: Vec<String> = st
            .arch
            .jobs
            .values()
            .filter(|j| {
                j.settled.is_none() && j.ends != Ends::Never && j.t0.elapsed() >= self.delay
            })
            .map(|j| j.vendor_id.clone())
            .collect();
        for id in due {
            self.finish_job(st, &id);
        }
    }

    fn finish_job(&self, st: &mut State, id: &str) {
        let Some(job) = st.arch.jobs.get_mut(id) else {
            return;
        };
        let end = job.started_at + chrono::Duration::from_std(self.delay).unwrap_or_default();
        let status = match job.ends {
            Ends::Succeeded => JobStatus::Succeeded,
            Ends::Skipped => JobStatus::Skipped,
            Ends::Failed | Ends::Never => JobStatus::Failed,
        };
        job.settled = Some((status, end));
        if status != JobStatus::Succeeded {
            return;
        }
        let archive = job.archive.clone();
        let work = std::mem::replace(&mut job.work, Work::Archive(vec![]));
        match work {
            Work::Archive(objects) => {
                st.next += 1;
                let base = st.next;
                let Some(rec) = st.arch.archives.get_mut(&archive) else {
                    return;
                };
                for (i, (key, obj)) in objects.into_iter().enumerate() {
                    let v = VersionRec {
                        id: format!("v{base:06}.{i}"),
                        size: obj.size,
                        source_created: obj.created_at,
                        archived_at: end,
                    };
                    let versions = rec.objects.entry(key).or_default();
                    if !rec.versioning {
                        versions.clear();
                    }
                    versions.push(v);
                }
            }
            Work::Recover {
                target,
                overwrite,
                objects,
            } => {
                let bucket = st.arch.buckets.entry(target).or_default();
                for (key, size) in objects {
                    if overwrite || !bucket.contains_key(&key) {
                        bucket.insert(
                            key,
                            SrcObject {
                                size,
                                created_at: end,
                            },
                        );
                    }
                }
            }
        }
    }

    /// Starts a job; `name` is the bucket whose name decides a `slow` or `fail` run.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn start_job(
        &self,
        st: &mut State,
        archive: &str,
        kind: ArchiveJobKind,
        bucket: &str,
        target: Option<String>,
        work: Work,
        paths: Vec<(String, u64, u64)>,
    ) -> String {
        let empty = match &work {
            Work::Archive(o) => o.is_empty(),
            Work::Recover { objects, .. } => objects.is_empty(),
        };
        let ends = if bucket.contains("slow") {
            Ends::Never
        } else if bucket.contains("fail") {
            Ends::Failed
        } else if empty && kind == ArchiveJobKind::Archiving {
            Ends::Skipped
        } else {
            Ends::Succeeded
        };
        st.next += 1;
        let vendor_id = format!("mem-ajob-{:06}", st.next);
        st.arch.jobs.insert(
            vendor_id.clone(),
            JobRec {
                vendor_id: vendor_id.clone(),
                archive: archive.into(),
                kind,
                target,
                started_at: Utc::now(),
                t0: Instant::now(),
                ends,
                work,
                paths,
                settled: None,
                cancelled_halves: 0,
            },
        );
        self.settle_archives(st);
        vendor_id
    }

    /// The job as the API reports it; `progress` only when asked (lists leave it out).
    pub(super) fn job_view(&self, j: &JobRec, progress: bool) -> ArchiveJob {
        let status = j.status(self.delay);
        let halves = j.halves(status);
        let progress = if progress {
            j.paths
                .iter()
                .map(|(path, total, bytes)| {
                    let done = total * halves / 2;
                    JobProgress {
                        path: path.clone(),
                        total_objects: Some(*total),
                        done_objects: Some(done),
                        bytes: Some(bytes * halves / 2),
                        percent: Some(if *total == 0 {
                            if halves == 2 {
                                100
                            } else {
                                0
                            }
                        } else {
                            u8::try_from(done * 100 / total).unwrap_or(100)
                        }),
                    }
                })
                .collect()
        } else {
            vec![]
        };
        ArchiveJob {
            id: self.job_gid(&j.archive, &j.vendor_id).encode(),
            provider: self.info.id.clone(),
            archive_id: self.archive_gid(&j.archive).encode(),
            kind: j.kind,
            status,
            target_bucket: j.target.clone(),
            started_at: Some(j.started_at),
            finished_at: j.settled.map(|(_, t)| t),
            progress,
            vendor: VendorFields::from_iter([(
                "memory_id".to_string(),
                serde_json::Value::from(j.vendor_id.clone()),
            )]),
        }
    }

    pub(super) fn archive_view(&self, a: &ArchiveRec) -> Archive {
        Archive {
            id: self.archive_gid(&a.vendor_id).encode(),
            provider: self.info.id.clone(),
            name: a.name.clone(),
            status: if a.deleting_until.is_some() {
                BackupStatus::Deleting
            } else {
                BackupStatus::Active
            },
            encrypted: a.encrypted,
            versioning: Some(a.versioning),
            size_bytes: Some(a.size()),
            source_bucket: a.policy.as_ref().map(|p| p.source.clone()),
            created_at: Some(a.created_at),
            vendor: VendorFields::from_iter([
                (
                    "memory_id".to_string(),
                    serde_json::Value::from(a.vendor_id.clone()),
                ),
                (
                    "labels".to_string(),
                    serde_json::to_value(&a.labels).unwrap_or_default(),
                ),
            ]),
        }
    }

    pub(super) fn policy_view(&self, a: &ArchiveRec, p: &PolicyRec) -> ArchivePolicy {
        ArchivePolicy {
            archive_id: self.archive_gid(&a.vendor_id).encode(),
            provider: self.info.id.clone(),
            source_bucket: p.source.clone(),
            prefix: p.prefix.clone(),
            after_days: p.after_days,
            enabled: p.enabled,
            vendor: VendorFields::new(),
        }
    }

    /// The archive `id` names (settled first); `archive_not_found` when there is none.
    pub(super) fn archive_rec<'a>(
        &self,
        st: &'a mut State,
        id: &GlobalId,
    ) -> Result<&'a mut ArchiveRec> {
        self.own_as(id, ResourceType::Archive)?;
        self.settle_archives(st);
        st.arch
            .archives
            .get_mut(&id.vendor_id)
            .ok_or_else(|| Error::not_found(ResourceType::Archive, id.encode()))
    }

    /// The archive `id` names, refusing one being deleted (`conflict`).
    pub(super) fn live_archive<'a>(
        &self,
        st: &'a mut State,
        id: &GlobalId,
    ) -> Result<&'a mut ArchiveRec> {
        let rec = self.archive_rec(st, id)?;
        if rec.deleting_until.is_some() {
            return Err(Error::conflict("the archive is being deleted"));
        }
        Ok(rec)
    }

    /// Checks that the object storage bucket `name` exists.
    pub(super) fn bucket_exists(st: &State, field: &str, name: &str) -> Result<()> {
        if st.arch.buckets.contains_key(name) {
            Ok(())
        } else {
            Err(missing(format!(
                "`{field}`: there is no object storage bucket named `{name}`"
            )))
        }
    }
}

/// Test and demo hooks: the object storage side, and an archiving run on demand.
impl MemoryProvider {
    /// Creates an empty object storage bucket `name` (nothing when it exists).
    pub fn seed_object_bucket(&self, name: &str) {
        self.lock().arch.buckets.entry(name.into()).or_default();
    }

    /// Puts an object of `size` bytes, created `age_days` ago, into object storage bucket
    /// `bucket` (created when missing), replacing one of the same key.
    pub fn put_source_object(&self, bucket: &str, key: &str, size: u64, age_days: u32) {
        let created_at = Utc::now() - chrono::Duration::days(i64::from(age_days));
        self.lock()
            .arch
            .buckets
            .entry(bucket.into())
            .or_default()
            .insert(key.into(), SrcObject { size, created_at });
    }

    /// The keys of object storage bucket `bucket`, sorted; empty when it does not exist.
    pub fn object_bucket_keys(&self, bucket: &str) -> Vec<String> {
        let mut st = self.lock();
        self.settle_archives(&mut st);
        st.arch
            .buckets
            .get(bucket)
            .map(|b| b.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The size of object `key` of object storage bucket `bucket`, if it is there.
    pub fn object_bucket_size(&self, bucket: &str, key: &str) -> Option<u64> {
        let mut st = self.lock();
        self.settle_archives(&mut st);
        st.arch.buckets.get(bucket)?.get(key).map(|o| o.size)
    }

    /// Runs the archiving policy of the archive with vendor id `archive_vendor_id` now (as its
    /// daily schedule would): the source objects at least `after_days` old (under the prefix)
    /// that are not archived yet, or changed since, are copied in when the job succeeds.
    /// Returns the job's vendor id; `None` when the archive has no enabled policy.
    pub fn run_archiving(&self, archive_vendor_id: &str) -> Option<String> {
        let mut st = self.lock();
        self.settle_archives(&mut st);
        let rec = st.arch.archives.get(archive_vendor_id)?;
        if rec.deleting_until.is_some() {
            return None;
        }
        let policy = rec.policy.clone().filter(|p| p.enabled)?;
        let cutoff = Utc::now() - chrono::Duration::days(i64::from(policy.after_days));
        let empty = BTreeMap::new();
        let source = st.arch.buckets.get(&policy.source).unwrap_or(&empty);
        let objects: Vec<(String, SrcObject)> = source
            .iter()
            .filter(|(k, o)| {
                policy
                    .prefix
                    .as_ref()
                    .is_none_or(|p| k.starts_with(p.as_str()))
                    && !k.ends_with('/')
                    && o.created_at <= cutoff
                    && rec
                        .objects
                        .get(*k)
                        .and_then(|v| v.last())
                        .is_none_or(|v| v.size != o.size || v.source_created != o.created_at)
            })
            .map(|(k, o)| (k.clone(), o.clone()))
            .collect();
        let path = policy.prefix.clone().unwrap_or_else(|| "/".into());
        let bytes = objects.iter().map(|(_, o)| o.size).sum();
        let paths = vec![(path, objects.len() as u64, bytes)];
        Some(self.start_job(
            &mut st,
            archive_vendor_id,
            ArchiveJobKind::Archiving,
            &policy.source,
            None,
            Work::Archive(objects),
            paths,
        ))
    }
}
