//! `BackupOps` of [`ScpProvider`]: backup policies, jobs, recovery points, restores and
//! agents are the Backup service's, so every method goes to it (`unsupported_by_provider`
//! when the provider does not offer Backup). An id reaches it only when it is of this
//! provider and of the type the method takes; a child (job, recovery point, restore) is
//! addressed under its policy, whose vendor id it carries as its parent.

use async_trait::async_trait;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::{GlobalId, IdError, ResourceType};
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::BackupOps;

use crate::backup::BackupService;
use crate::ScpProvider;

impl ScpProvider {
    /// The Backup service; `unsupported_by_provider` when it is not configured.
    pub(crate) fn backups(&self) -> Result<&BackupService> {
        self.backup
            .as_ref()
            .ok_or_else(|| Error::unsupported("backups"))
    }

    /// The Backup service and the vendor id of the policy of `id`, which must be of this
    /// provider and of type `rtype` (children must name their policy).
    fn backup_of<'a>(
        &self,
        id: &'a GlobalId,
        rtype: ResourceType,
    ) -> Result<(&BackupService, &'a str)> {
        self.own(id)?;
        if id.rtype != rtype {
            return Err(Error::InvalidId(IdError::Unroutable(id.rtype)));
        }
        let svc = self.backups()?;
        let bid = match rtype {
            ResourceType::BackupAgent => id.vendor_id.as_str(),
            _ => BackupService::backup_vid(id)?,
        };
        Ok((svc, bid))
    }
}

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl BackupOps for ScpProvider {
    async fn list_backups(
        &self,
        _ctx: &CallCtx,
        filter: &BackupFilter,
        page: &PageRequest,
    ) -> Result<Page<Backup>> {
        self.backups()?.list_backups(filter, page).await
    }
    async fn get_backup(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<Backup> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.read(bid).await
    }
    async fn create_backup(&self, _ctx: &CallCtx, req: &CreateBackup) -> Result<Backup> {
        self.backups()?.create_backup(req).await
    }
    async fn update_backup(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &UpdateBackup,
    ) -> Result<Backup> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.update_backup(bid, req).await
    }
    async fn delete_backup(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.delete_backup(bid).await
    }
    async fn run_backup(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<BackupJob> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.run_backup(bid).await
    }
    async fn list_backup_jobs(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        status: Option<JobStatus>,
        page: &PageRequest,
    ) -> Result<Page<BackupJob>> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.list_backup_jobs(bid, status, page).await
    }
    async fn get_backup_job(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<BackupJob> {
        let (s, _) = self.backup_of(id, ResourceType::BackupJob)?;
        s.get_backup_job(id).await
    }
    async fn list_recovery_points(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<RecoveryPoint>> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.list_recovery_points(bid, page).await
    }
    async fn delete_recovery_point(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let (s, _) = self.backup_of(id, ResourceType::RecoveryPoint)?;
        s.delete_recovery_point(id).await
    }
    async fn restore_backup(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        req: &RestoreBackup,
    ) -> Result<RestoreJob> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.restore_backup(bid, req).await
    }
    async fn list_restore_jobs(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<RestoreJob>> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.list_restore_jobs(bid, page).await
    }
    async fn get_restore_job(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<RestoreJob> {
        let (s, _) = self.backup_of(id, ResourceType::RestoreJob)?;
        s.get_restore_job(id).await
    }
    async fn list_backup_targets(
        &self,
        _ctx: &CallCtx,
        server_type: ServerType,
        page: &PageRequest,
    ) -> Result<Page<BackupTarget>> {
        self.backups()?.list_backup_targets(server_type, page).await
    }
    async fn list_restore_subnets(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        region: Option<&str>,
    ) -> Result<Vec<RestoreSubnet>> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.list_restore_subnets(bid, region).await
    }
    async fn list_restore_servers(
        &self,
        _ctx: &CallCtx,
        id: &GlobalId,
        page: &PageRequest,
    ) -> Result<Page<BackupTarget>> {
        let (s, bid) = self.backup_of(id, ResourceType::Backup)?;
        s.list_restore_servers(bid, page).await
    }
    async fn list_backup_agents(
        &self,
        _ctx: &CallCtx,
        page: &PageRequest,
    ) -> Result<Page<BackupAgent>> {
        self.backups()?.list_backup_agents(page).await
    }
    async fn get_backup_agent(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<BackupAgent> {
        let (s, aid) = self.backup_of(id, ResourceType::BackupAgent)?;
        s.get_backup_agent(aid).await
    }
    async fn create_backup_agent(
        &self,
        _ctx: &CallCtx,
        req: &CreateBackupAgent,
    ) -> Result<BackupAgent> {
        self.backups()?.create_backup_agent(req).await
    }
    async fn delete_backup_agent(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<()> {
        let (s, aid) = self.backup_of(id, ResourceType::BackupAgent)?;
        s.delete_backup_agent(aid).await
    }
    async fn check_backup_agent(&self, _ctx: &CallCtx, id: &GlobalId) -> Result<BackupAgent> {
        let (s, aid) = self.backup_of(id, ResourceType::BackupAgent)?;
        s.check_backup_agent(aid).await
    }
    async fn backup_agent_installer(&self, _ctx: &CallCtx, os: &str) -> Result<AgentInstaller> {
        self.backups()?.backup_agent_installer(os).await
    }
    async fn list_agent_targets(
        &self,
        _ctx: &CallCtx,
        server_type: ServerType,
        page: &PageRequest,
    ) -> Result<Page<BackupTarget>> {
        self.backups()?.list_agent_targets(server_type, page).await
    }
}
