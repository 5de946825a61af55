//! `ArchiveOps` of [`ScpProvider`]: archives, their objects, versions, policy and jobs are
//! Archive Storage's, so every method goes to it (`unsupported_by_provider` when the
//! provider does not offer it). An id reaches it only when it is of this provider and of the
//! type the method takes: an archive id names its bucket (and no parent); a job id names its
//! bucket as parent and a kind its vendor part carries (checked again by the job calls).

use async_trait::async_trait;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, IdError, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::ArchiveOps;

use crate::archive::ArchiveService;
use crate::ScpProvider;

impl ScpProvider {
    /// Archive Storage; `unsupported_by_provider` when it is not configured.
    pub(crate) fn archives(&self) -> Result<&ArchiveService> {
        self.archive
            .as_ref()
            .ok_or_else(|| Error::unsupported("archives"))
    }

    /// Archive Storage and the bucket id of archive `id`.
    fn archive_of<'a>(&self, id: &'a GlobalId) -> Result<(&ArchiveService, &'a str)> {
        self.own(id)?;
        if id.rtype != ResourceType::Archive || id.kind.is_some() {
            return Err(Error::InvalidId(IdError::Unroutable(id.rtype)));
        }
        if id.parent.is_some() {
            return Err(Error::not_found(ResourceType::Archive, id.encode()));
        }
        Ok((self.archives()?, id.vendor_id.as_str()))
    }

    /// Archive Storage, for job `id`.
    fn archive_job_of(&self, id: &GlobalId) -> Result<&ArchiveService> {
        self.own(id)?;
        if id.rtype != ResourceType::ArchiveJob || id.kind.is_some() {
            return Err(Error::InvalidId(IdError::Unroutable(id.rtype)));
        }
        let svc = self.archives()?;
        crate::archive::job_parts(id)?;
        Ok(svc)
    }
}

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl ArchiveOps for ScpProvider {
    async fn list_archives(
        &self,
        _ctx: &CallCtx,
        filter: &ArchiveFilter,
        page: &PageRequest,
    ) -> Result<Page<Archive>> {
        self.archives()?.list_archives(filter, page).await
    }
    async fn get_archive(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Archive> {
        let (s, bid) = self.archive_of(id)?;
        s.read(bid).await
    }
    async fn create_archive(&self, _ctx: &CallCtx, req: &CreateArchive) -> Result<Archive> {
        self.archives()?.create_archive(req).await
    }
    async fn update_archive(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateArchive,
    ) -> Result<Archive> {
        let (s, bid) = self.archive_of(id)?;
        s.update_archive(bid, req).await
    }
    async fn delete_archive(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let (s, bid) = self.archive_of(id)?;
        s.delete_archive(bid).await
    }
    async fn list_archive_objects(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        filter: &ObjectFilter,
        page: &PageRequest,
    ) -> Result<Page<ArchiveObject>> {
        let (s, bid) = self.archive_of(id)?;
        s.list_archive_objects(bid, filter, page).await
    }
    async fn delete_archive_objects(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &DeleteObjects,
    ) -> Result<()> {
        let (s, bid) = self.archive_of(id)?;
        s.delete_archive_objects(bid, req).await
    }
    async fn list_object_versions(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        key: &str,
        page: &PageRequest,
    ) -> Result<Page<ObjectVersion>> {
        let (s, bid) = self.archive_of(id)?;
        s.list_object_versions(bid, key, page).await
    }
    async fn delete_object_versions(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &DeleteVersions,
    ) -> Result<()> {
        let (s, bid) = self.archive_of(id)?;
        s.delete_object_versions(bid, req).await
    }
    async fn list_archive_policies(
        &self,
        _ctx: &CallCtx,
        page: &PageRequest,
    ) -> Result<Page<ArchivePolicy>> {
        self.archives()?.list_archive_policies(page).await
    }
    async fn get_archive_policy(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
    ) -> Result<Option<ArchivePolicy>> {
        let (s, bid) = self.archive_of(id)?;
        s.get_archive_policy(bid).await
    }
    async fn put_archive_policy(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        p: &PutArchivePolicy,
    ) -> Result<ArchivePolicy> {
        let (s, bid) = self.archive_of(id)?;
        s.put_archive_policy(bid, p).await
    }
    async fn set_archive_policy_enabled(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        enabled: bool,
    ) -> Result<ArchivePolicy> {
        let (s, bid) = self.archive_of(id)?;
        s.set_archive_policy_enabled(bid, enabled).await
    }
    async fn recover_archive_objects(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &RecoverObjects,
    ) -> Result<ArchiveJob> {
        let (s, bid) = self.archive_of(id)?;
        s.recover_archive_objects(bid, req).await
    }
    async fn recover_object_version(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &RecoverVersion,
    ) -> Result<ArchiveJob> {
        let (s, bid) = self.archive_of(id)?;
        s.recover_object_version(bid, req).await
    }
    async fn list_archive_jobs(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        filter: &ArchiveJobFilter,
        page: &PageRequest,
    ) -> Result<Page<ArchiveJob>> {
        let (s, bid) = self.archive_of(id)?;
        s.list_archive_jobs(bid, filter, page).await
    }
    async fn get_archive_job(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<ArchiveJob> {
        self.archive_job_of(id)?.get_archive_job(id).await
    }
    async fn cancel_archive_job(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<ArchiveJob> {
        self.archive_job_of(id)?.cancel_archive_job(id).await
    }
}
