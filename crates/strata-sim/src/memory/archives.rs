//! Archives of the in-memory provider: the neutral archive operations over the state of
//! [`archive_state`](super::archive_state).
//!
//! Archives are created, updated and get their policy synchronously (status `active`);
//! deleting one shows `deleting` for the settle delay, then `archive_not_found`. A name that
//! refers to nothing (an object storage bucket, an archived path or version) is
//! `failed_precondition` (see [`missing`]); deleting paths that match nothing is not an
//! error.

use super::archive_state::*;
use super::*;

/// The archive capabilities of the memory provider.
pub fn memory_archive_capabilities() -> ArchiveCapabilities {
    ArchiveCapabilities {
        name: NameRules::word(3, 63),
        labels: true,
        versioning: true,
        policy_pause: true,
        policy_prefix: true,
        min_after_days: 1,
        max_after_days: 3650,
        archiving_schedule: "daily".into(),
    }
}

impl MemoryProvider {
    fn job_rec<'a>(&self, st: &'a mut State, id: &GlobalId) -> Result<&'a mut JobRec> {
        self.own_as(id, ResourceType::ArchiveJob)?;
        self.settle_archives(st);
        st.arch
            .jobs
            .get_mut(&id.vendor_id)
            .filter(|j| id.parent.as_ref() == Some(&j.archive))
            .ok_or_else(|| Error::not_found(ResourceType::ArchiveJob, id.encode()))
    }

    fn recover(
        &self,
        id: &GlobalId,
        target: &str,
        overwrite: bool,
        pick: impl FnOnce(&ArchiveRec) -> Result<Vec<(String, Vec<(String, u64)>)>>,
    ) -> Result<ArchiveJob> {
        let mut st = self.lock();
        let rec = self.live_archive(&mut st, id)?;
        let picked = pick(rec)?;
        let archive = rec.vendor_id.clone();
        Self::bucket_exists(&st, "target_bucket", target)?;
        let paths = picked
            .iter()
            .map(|(p, objs)| {
                (
                    p.clone(),
                    objs.len() as u64,
                    objs.iter().map(|(_, s)| s).sum(),
                )
            })
            .collect();
        let objects = picked.into_iter().flat_map(|(_, o)| o).collect();
        let job = self.start_job(
            &mut st,
            &archive,
            ArchiveJobKind::Recovery,
            target,
            Some(target.into()),
            Work::Recover {
                target: target.into(),
                overwrite,
                objects,
            },
            paths,
        );
        Ok(self.job_view(&st.arch.jobs[&job], true))
    }
}

fn latest(versions: &[VersionRec]) -> Option<&VersionRec> {
    versions.last()
}

#[async_trait]
impl ArchiveOps for MemoryProvider {
    async fn list_archives(
        &self,
        _ctx: &CallCtx,
        filter: &ArchiveFilter,
        page: &PageRequest,
    ) -> Result<Page<Archive>> {
        let mut st = self.lock();
        self.settle_archives(&mut st);
        let mut all: Vec<Archive> = st
            .arch
            .archives
            .values()
            .filter(|a| {
                filter
                    .name
                    .as_ref()
                    .is_none_or(|n| a.name.contains(n.as_str()))
            })
            .map(|a| self.archive_view(a))
            .collect();
        all.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        page_slice(&all, page)
    }

    async fn get_archive(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Archive> {
        let mut st = self.lock();
        let rec = self.archive_rec(&mut st, id)?;
        Ok(self.archive_view(rec))
    }

    async fn create_archive(&self, _ctx: &CallCtx, req: &CreateArchive) -> Result<Archive> {
        self.caps.archives()?.check_create(req)?;
        let mut st = self.lock();
        self.settle_archives(&mut st);
        if st
            .arch
            .archives
            .values()
            .any(|a| a.name == req.name && a.deleting_until.is_none())
        {
            return Err(Error::already_exists(format!(
                "an archive named `{}` already exists",
                req.name
            )));
        }
        st.next += 1;
        let vendor_id = format!("mem-arc-{:06}", st.next);
        let rec = ArchiveRec {
            vendor_id: vendor_id.clone(),
            name: req.name.clone(),
            encrypted: req.encrypted,
            versioning: req.versioning,
            labels: req.labels.clone(),
            created_at: Utc::now(),
            policy: None,
            objects: BTreeMap::new(),
            deleting_until: None,
        };
        let view = self.archive_view(&rec);
        st.arch.archives.insert(vendor_id, rec);
        Ok(view)
    }

    async fn update_archive(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateArchive,
    ) -> Result<Archive> {
        self.caps.archives()?.check_update(req)?;
        let mut st = self.lock();
        let rec = self.live_archive(&mut st, id)?;
        if let Some(e) = req.encrypted {
            rec.encrypted = e;
        }
        if let Some(v) = req.versioning {
            rec.versioning = v;
        }
        Ok(self.archive_view(rec))
    }

    async fn delete_archive(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let mut st = self.lock();
        let rec = self.archive_rec(&mut st, id)?;
        if rec.deleting_until.is_some() {
            return Ok(());
        }
        if !rec.objects.is_empty() {
            return Err(Error::failed_precondition(
                "the archive holds objects: delete them first",
            ));
        }
        let delay = self.delay;
        let running = st
            .arch
            .jobs
            .values()
            .any(|j| j.archive == id.vendor_id && j.status(delay).is_transitional());
        if running {
            return Err(Error::failed_precondition(
                "the archive has a running job: wait for it or cancel it first",
            ));
        }
        let rec = st
            .arch
            .archives
            .get_mut(&id.vendor_id)
            .expect("checked above");
        rec.deleting_until = Some(Instant::now() + self.delay);
        self.settle_archives(&mut st);
        Ok(())
    }

    async fn list_archive_objects(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        filter: &ObjectFilter,
        page: &PageRequest,
    ) -> Result<Page<ArchiveObject>> {
        let folder = filter.folder.as_deref().unwrap_or("");
        if !folder.is_empty() {
            check_object_path("folder", folder, PathKind::Folder)?;
        }
        let mut st = self.lock();
        let rec = self.archive_rec(&mut st, id)?;
        let mut entries: BTreeMap<String, ArchiveObject> = BTreeMap::new();
        for (key, versions) in rec.objects.range(folder.to_string()..) {
            let Some(rest) = key.strip_prefix(folder) else {
                break;
            };
            let entry = match rest.find('/') {
                Some(i) => ArchiveObject {
                    key: format!("{folder}{}", &rest[..=i]),
                    object_type: ObjectType::Folder,
                    size_bytes: None,
                    modified_at: None,
                },
                None => {
                    let Some(v) = latest(versions) else { continue };
                    ArchiveObject {
                        key: key.clone(),
                        object_type: ObjectType::File,
                        size_bytes: Some(v.size),
                        modified_at: Some(v.archived_at),
                    }
                }
            };
            entries.entry(entry.key.clone()).or_insert(entry);
        }
        // Folders first, then objects, each by key (as the API documents the listing).
        let (folders, files): (Vec<ArchiveObject>, Vec<ArchiveObject>) = entries
            .into_values()
            .partition(|o| o.object_type == ObjectType::Folder);
        let all: Vec<ArchiveObject> = folders
            .into_iter()
            .chain(files)
            .filter(|o| {
                filter
                    .name
                    .as_ref()
                    .is_none_or(|n| o.key.contains(n.as_str()))
            })
            .filter(|o| filter.object_type.is_none_or(|t| o.object_type == t))
            .collect();
        page_slice(&all, page)
    }

    async fn delete_archive_objects(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &DeleteObjects,
    ) -> Result<()> {
        let mut st = self.lock();
        let rec = self.live_archive(&mut st, id)?;
        // All or nothing, as SCP: a path that matches nothing removes nothing.
        let matches = |path: &String| {
            if path.ends_with('/') {
                rec.objects.keys().any(|k| k.starts_with(path.as_str()))
            } else {
                rec.objects.contains_key(path)
            }
        };
        if let Some(missing) = req.paths.iter().find(|p| !matches(p)) {
            return Err(Error::failed_precondition(format!(
                "a path matches nothing in the archive: `{missing}`"
            )));
        }
        for path in &req.paths {
            if path.ends_with('/') {
                rec.objects.retain(|k, _| !k.starts_with(path.as_str()));
            } else {
                rec.objects.remove(path);
            }
        }
        Ok(())
    }

    async fn list_object_versions(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        key: &str,
        page: &PageRequest,
    ) -> Result<Page<ObjectVersion>> {
        let mut st = self.lock();
        let rec = self.archive_rec(&mut st, id)?;
        let all: Vec<ObjectVersion> = rec
            .objects
            .get(key)
            .map(|versions| {
                let n = versions.len();
                versions
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, v)| ObjectVersion {
                        key: key.into(),
                        version_id: v.id.clone(),
                        latest: i + 1 == n,
                        size_bytes: v.size,
                        modified_at: v.archived_at,
                        etag: Some(format!(
                            "{:016x}{:08x}",
                            v.size,
                            v.source_created.timestamp()
                        )),
                    })
                    .collect()
            })
            .unwrap_or_default();
        page_slice(&all, page)
    }

    async fn delete_object_versions(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &DeleteVersions,
    ) -> Result<()> {
        let mut st = self.lock();
        let rec = self.live_archive(&mut st, id)?;
        let Some(versions) = rec.objects.get_mut(&req.key) else {
            return Err(missing(format!(
                "`key`: the archive holds no object `{}`",
                req.key
            )));
        };
        if let Some(v) = req
            .version_ids
            .iter()
            .find(|v| !versions.iter().any(|x| &x.id == *v))
        {
            return Err(missing(format!(
                "`version_ids`: `{}` has no version `{v}`",
                req.key
            )));
        }
        versions.retain(|x| !req.version_ids.contains(&x.id));
        if versions.is_empty() {
            rec.objects.remove(&req.key);
        }
        Ok(())
    }

    async fn list_archive_policies(
        &self,
        _ctx: &CallCtx,
        page: &PageRequest,
    ) -> Result<Page<ArchivePolicy>> {
        let mut st = self.lock();
        self.settle_archives(&mut st);
        let mut recs: Vec<&ArchiveRec> = st.arch.archives.values().collect();
        recs.sort_by(|a, b| (&a.name, &a.vendor_id).cmp(&(&b.name, &b.vendor_id)));
        let all: Vec<ArchivePolicy> = recs
            .into_iter()
            .filter_map(|a| a.policy.as_ref().map(|p| self.policy_view(a, p)))
            .collect();
        page_slice(&all, page)
    }

    async fn get_archive_policy(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
    ) -> Result<Option<ArchivePolicy>> {
        let mut st = self.lock();
        let rec = self.archive_rec(&mut st, id)?;
        Ok(rec.policy.as_ref().map(|p| self.policy_view(rec, p)))
    }

    async fn put_archive_policy(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        p: &PutArchivePolicy,
    ) -> Result<ArchivePolicy> {
        self.caps.archives()?.check_policy(p)?;
        let mut st = self.lock();
        self.live_archive(&mut st, id)?;
        Self::bucket_exists(&st, "source_bucket", &p.source_bucket)?;
        if let Some(other) = st.arch.archives.values().find(|a| {
            a.vendor_id != id.vendor_id
                && a.policy
                    .as_ref()
                    .is_some_and(|q| q.source == p.source_bucket)
        }) {
            // As SCP answers it: the bucket is in use, a precondition of the policy.
            return Err(Error::failed_precondition(format!(
                "bucket `{}` is already the source of archive `{}`",
                p.source_bucket, other.name
            )));
        }
        let rec = st
            .arch
            .archives
            .get_mut(&id.vendor_id)
            .expect("checked above");
        match &mut rec.policy {
            Some(q) if q.source != p.source_bucket || q.prefix != p.prefix => {
                return Err(Error::failed_precondition(
                    "the source of an archiving policy cannot change",
                ));
            }
            Some(q) => q.after_days = p.after_days,
            None => {
                rec.policy = Some(PolicyRec {
                    source: p.source_bucket.clone(),
                    prefix: p.prefix.clone(),
                    after_days: p.after_days,
                    enabled: true,
                })
            }
        }
        let policy = rec.policy.as_ref().expect("set above");
        Ok(self.policy_view(rec, policy))
    }

    async fn set_archive_policy_enabled(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        enabled: bool,
    ) -> Result<ArchivePolicy> {
        self.caps.archives()?.check_pause()?;
        let mut st = self.lock();
        let rec = self.live_archive(&mut st, id)?;
        let Some(policy) = rec.policy.as_mut() else {
            return Err(Error::failed_precondition(
                "the archive has no archiving policy",
            ));
        };
        policy.enabled = enabled;
        let policy = policy.clone();
        Ok(self.policy_view(rec, &policy))
    }

    async fn recover_archive_objects(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &RecoverObjects,
    ) -> Result<ArchiveJob> {
        self.recover(id, &req.target_bucket, req.overwrite, |rec| {
            let mut picked = Vec::new();
            for (i, item) in req.items.iter().enumerate() {
                let objects: Vec<(String, u64)> = rec
                    .objects
                    .iter()
                    .filter(|(k, _)| match item.object_type {
                        ObjectType::Folder => k.starts_with(item.path.as_str()),
                        ObjectType::File => **k == item.path,
                    })
                    .filter_map(|(k, v)| latest(v).map(|v| (k.clone(), v.size)))
                    .collect();
                if objects.is_empty() {
                    return Err(missing(format!(
                        "`items[{i}].path`: the archive holds nothing at `{}`",
                        item.path
                    )));
                }
                picked.push((item.path.clone(), objects));
            }
            Ok(picked)
        })
    }

    async fn recover_object_version(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &RecoverVersion,
    ) -> Result<ArchiveJob> {
        self.recover(id, &req.target_bucket, req.overwrite, |rec| {
            let v = rec
                .objects
                .get(&req.key)
                .ok_or_else(|| {
                    missing(format!("`key`: the archive holds no object `{}`", req.key))
                })?
                .iter()
                .find(|v| v.id == req.version_id)
                .ok_or_else(|| {
                    missing(format!(
                        "`version_id`: `{}` has no version `{}`",
                        req.key, req.version_id
                    ))
                })?;
            Ok(vec![(req.key.clone(), vec![(req.key.clone(), v.size)])])
        })
    }

    async fn list_archive_jobs(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        filter: &ArchiveJobFilter,
        page: &PageRequest,
    ) -> Result<Page<ArchiveJob>> {
        let mut st = self.lock();
        self.archive_rec(&mut st, id)?;
        let mut jobs: Vec<&JobRec> = st
            .arch
            .jobs
            .values()
            .filter(|j| j.archive == id.vendor_id)
            .filter(|j| filter.kind.is_none_or(|k| k == j.kind))
            .filter(|j| j.started_at >= filter.since && j.started_at <= filter.until)
            .collect();
        // Newest first; vendor ids grow with time, so they order jobs started together.
        jobs.sort_by(|a, b| (b.started_at, &b.vendor_id).cmp(&(a.started_at, &a.vendor_id)));
        let all: Vec<ArchiveJob> = jobs
            .into_iter()
            .map(|j| self.job_view(j, false))
            .filter(|j| filter.status.is_none_or(|s| s == j.status))
            .collect();
        page_slice(&all, page)
    }

    async fn get_archive_job(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<ArchiveJob> {
        let mut st = self.lock();
        let job = self.job_rec(&mut st, id)?;
        Ok(self.job_view(job, true))
    }

    async fn cancel_archive_job(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<ArchiveJob> {
        let mut st = self.lock();
        let delay = self.delay;
        let job = self.job_rec(&mut st, id)?;
        let status = job.status(delay);
        if !status.is_transitional() {
            return Err(Error::failed_precondition(format!(
                "the job has finished ({}): only a queued or running job can be cancelled",
                serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            )));
        }
        job.cancelled_halves = u64::from(status == JobStatus::Running);
        job.settled = Some((JobStatus::Cancelled, Utc::now()));
        Ok(self.job_view(job, true))
    }
}

#[cfg(test)]
#[path = "archives_tests.rs"]
mod tests;
