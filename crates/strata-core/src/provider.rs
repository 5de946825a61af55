//! The provider abstraction: one async trait per resource family.
//!
//! Every method has a default that answers `unsupported_by_provider`, so an adapter implements
//! exactly what its vendor can do and declares the same in its [`Capabilities`]. The gateway
//! validates requests against the capabilities before calling these methods; adapters may
//! still refuse what the vendor refuses.
//!
//! Mutations return the resource as the vendor reported it right after accepting the change
//! (often in a transitional status). The gateway settles them by polling the `get_*` methods.

use async_trait::async_trait;

use crate::capability::Capabilities;
use crate::error::{Error, Result};
use crate::ids::{GlobalId, IdGrammar};
use crate::model::*;
use crate::paging::{Page, PageRequest};

fn unsupported<T>(op: &str) -> Result<T> {
    Err(Error::unsupported(op))
}

/// Volumes and what hangs directly off them.
#[async_trait]
pub trait VolumeOps: Send + Sync {
    async fn list_volumes(
        &self,
        _filter: &VolumeFilter,
        _page: &PageRequest,
    ) -> Result<Page<Volume>> {
        unsupported("volume.list")
    }
    async fn get_volume(&self, _id: &GlobalId) -> Result<Volume> {
        unsupported("volume.get")
    }
    async fn create_volume(&self, _req: &CreateVolume) -> Result<Volume> {
        unsupported("volume.create")
    }
    async fn update_volume(&self, _id: &GlobalId, _req: &UpdateVolume) -> Result<Volume> {
        unsupported("volume.update")
    }
    async fn delete_volume(&self, _id: &GlobalId) -> Result<()> {
        unsupported("volume.delete")
    }
    async fn get_access_rules(&self, _id: &GlobalId) -> Result<Vec<AccessRule>> {
        unsupported("volume.access_rules")
    }
    async fn set_access_rules(
        &self,
        _id: &GlobalId,
        _rules: &[AccessRule],
    ) -> Result<Vec<AccessRule>> {
        unsupported("volume.access_rules")
    }
    async fn list_mount_targets(&self, _id: &GlobalId) -> Result<Vec<MountTarget>> {
        unsupported("volume.mount_targets")
    }
    /// Exposes the volume on another network; returns the new (possibly pending) target.
    async fn create_mount_target(
        &self,
        _id: &GlobalId,
        _req: &CreateMountTarget,
    ) -> Result<MountTarget> {
        unsupported("volume.mount_targets.manage")
    }
    /// Removes a mount target by its `id`.
    async fn delete_mount_target(&self, _id: &GlobalId, _target: &str) -> Result<()> {
        unsupported("volume.mount_targets.manage")
    }
    async fn get_usage(&self, _id: &GlobalId) -> Result<Usage> {
        unsupported("volume.usage")
    }
    async fn attach(&self, _id: &GlobalId, _att: &Attachment) -> Result<Volume> {
        unsupported("volume.attachments")
    }
    async fn detach(&self, _id: &GlobalId, _server_id: &str) -> Result<Volume> {
        unsupported("volume.attachments")
    }
}

/// Snapshots, restores and snapshot schedules.
#[async_trait]
pub trait SnapshotOps: Send + Sync {
    async fn list_snapshots(
        &self,
        _volume: &GlobalId,
        _page: &PageRequest,
    ) -> Result<Page<Snapshot>> {
        unsupported("snapshot.list")
    }
    async fn get_snapshot(&self, _id: &GlobalId) -> Result<Snapshot> {
        unsupported("snapshot.get")
    }
    async fn create_snapshot(&self, _volume: &GlobalId, _req: &CreateSnapshot) -> Result<Snapshot> {
        unsupported("snapshot.create")
    }
    async fn delete_snapshot(&self, _id: &GlobalId) -> Result<()> {
        unsupported("snapshot.delete")
    }
    /// Restores in place (returns the source volume) or into a new volume (returns it).
    async fn restore_snapshot(&self, _id: &GlobalId, _req: &RestoreSnapshot) -> Result<Volume> {
        unsupported("snapshot.restore")
    }
    async fn list_restores(&self, _volume: &GlobalId) -> Result<Vec<RestoreRecord>> {
        unsupported("volume.restore_history")
    }
    /// `None` when the volume has no schedule.
    async fn get_snapshot_schedule(&self, _volume: &GlobalId) -> Result<Option<SnapshotSchedule>> {
        unsupported("volume.snapshot_schedule")
    }
    async fn put_snapshot_schedule(
        &self,
        _volume: &GlobalId,
        _s: &SnapshotSchedule,
    ) -> Result<SnapshotSchedule> {
        unsupported("volume.snapshot_schedule")
    }
    async fn delete_snapshot_schedule(&self, _volume: &GlobalId) -> Result<()> {
        unsupported("volume.snapshot_schedule")
    }
}

/// Cross-region replication.
#[async_trait]
pub trait ReplicaOps: Send + Sync {
    async fn list_replicas(&self, _volume: &GlobalId) -> Result<Vec<Replica>> {
        unsupported("replica.list")
    }
    async fn get_replica(&self, _id: &GlobalId) -> Result<Replica> {
        unsupported("replica.get")
    }
    async fn create_replica(&self, _volume: &GlobalId, _req: &CreateReplica) -> Result<Replica> {
        unsupported("replica.create")
    }
    async fn update_replica(&self, _id: &GlobalId, _req: &UpdateReplica) -> Result<Replica> {
        unsupported("replica.update")
    }
    async fn delete_replica(&self, _id: &GlobalId) -> Result<()> {
        unsupported("replica.delete")
    }
    async fn start_replica(&self, _id: &GlobalId) -> Result<Replica> {
        unsupported("replica.start_stop")
    }
    async fn stop_replica(&self, _id: &GlobalId) -> Result<Replica> {
        unsupported("replica.start_stop")
    }
    async fn reverse_replica(&self, _id: &GlobalId) -> Result<Replica> {
        unsupported("replica.reverse")
    }
}

/// Consistency groups of block volumes.
#[async_trait]
pub trait VolumeGroupOps: Send + Sync {
    async fn list_volume_groups(&self, _page: &PageRequest) -> Result<Page<VolumeGroup>> {
        unsupported("volume_group.list")
    }
    async fn get_volume_group(&self, _id: &GlobalId) -> Result<VolumeGroup> {
        unsupported("volume_group.get")
    }
    async fn create_volume_group(&self, _req: &CreateVolumeGroup) -> Result<VolumeGroup> {
        unsupported("volume_group.create")
    }
    async fn delete_volume_group(&self, _id: &GlobalId) -> Result<()> {
        unsupported("volume_group.delete")
    }
}

/// Backup policies, their jobs, recovery points and restores.
#[async_trait]
pub trait BackupOps: Send + Sync {
    async fn list_backups(&self, _page: &PageRequest) -> Result<Page<Backup>> {
        unsupported("backup.list")
    }
    async fn get_backup(&self, _id: &GlobalId) -> Result<Backup> {
        unsupported("backup.get")
    }
    async fn create_backup(&self, _req: &CreateBackup) -> Result<Backup> {
        unsupported("backup.create")
    }
    async fn update_backup(&self, _id: &GlobalId, _req: &UpdateBackup) -> Result<Backup> {
        unsupported("backup.update")
    }
    async fn delete_backup(&self, _id: &GlobalId) -> Result<()> {
        unsupported("backup.delete")
    }
    async fn run_backup(&self, _id: &GlobalId) -> Result<BackupJob> {
        unsupported("backup.run")
    }
    async fn list_backup_jobs(
        &self,
        _id: &GlobalId,
        _page: &PageRequest,
    ) -> Result<Page<BackupJob>> {
        unsupported("backup.jobs")
    }
    async fn list_recovery_points(
        &self,
        _id: &GlobalId,
        _page: &PageRequest,
    ) -> Result<Page<RecoveryPoint>> {
        unsupported("backup.recovery_points")
    }
    async fn restore_backup(&self, _id: &GlobalId, _req: &RestoreBackup) -> Result<BackupJob> {
        unsupported("backup.restore")
    }
}

/// Archive vaults, their policy, objects and jobs.
#[async_trait]
pub trait ArchiveOps: Send + Sync {
    async fn list_archives(&self, _page: &PageRequest) -> Result<Page<Archive>> {
        unsupported("archive.list")
    }
    async fn get_archive(&self, _id: &GlobalId) -> Result<Archive> {
        unsupported("archive.get")
    }
    async fn create_archive(&self, _req: &CreateArchive) -> Result<Archive> {
        unsupported("archive.create")
    }
    async fn delete_archive(&self, _id: &GlobalId) -> Result<()> {
        unsupported("archive.delete")
    }
    async fn list_archive_objects(
        &self,
        _id: &GlobalId,
        _page: &PageRequest,
    ) -> Result<Page<ArchiveObject>> {
        unsupported("archive.objects")
    }
    async fn get_archive_policy(&self, _id: &GlobalId) -> Result<Option<ArchivePolicy>> {
        unsupported("archive.policy")
    }
    async fn put_archive_policy(
        &self,
        _id: &GlobalId,
        _p: &ArchivePolicy,
    ) -> Result<ArchivePolicy> {
        unsupported("archive.policy")
    }
    async fn recover_archive_objects(
        &self,
        _id: &GlobalId,
        _req: &RecoverObjects,
    ) -> Result<ArchiveJob> {
        unsupported("archive.recover")
    }
    async fn list_archive_jobs(
        &self,
        _id: &GlobalId,
        _page: &PageRequest,
    ) -> Result<Page<ArchiveJob>> {
        unsupported("archive.jobs")
    }
    async fn cancel_archive_job(&self, _id: &GlobalId) -> Result<ArchiveJob> {
        unsupported("archive.jobs.cancel")
    }
}

/// Health of a provider as last observed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A provider: one vendor account in one region, with everything it supports.
#[async_trait]
pub trait Provider:
    VolumeOps + SnapshotOps + ReplicaOps + VolumeGroupOps + BackupOps + ArchiveOps
{
    fn info(&self) -> &ProviderInfo;
    fn capabilities(&self) -> &Capabilities;
    /// What this provider's vendor ids look like; the gateway checks every id against it
    /// before the provider sees the id.
    fn id_grammar(&self) -> IdGrammar {
        IdGrammar::Token
    }
    /// A cheap reachability check of the vendor.
    async fn health(&self) -> Health {
        Health {
            ok: true,
            detail: None,
        }
    }
}
