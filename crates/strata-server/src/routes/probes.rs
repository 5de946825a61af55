//! Operation probes rebuilt from data: an operation's kind (its catalogue [`Op`]), its target
//! id and, for mount targets, the mount target's id give the probe that settles it. Any
//! gateway replica can so finish an operation another replica started.

use std::sync::Arc;

use strata_core::catalogue::Op;
use strata_core::context::{CachePolicy, CallCtx};
use strata_core::error::{Error, Result as CoreResult};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::operation::{OperationRecord, ProbeFn, Probes};
use strata_core::provider::Provider;

use super::{archives, backups, poller, replicas, snapshots, volume_groups, volumes};
use crate::state::Registry;

/// The probe of each tracked operation kind, built from its provider, target id, call context
/// and detail (`None` for kinds the gateway does not track).
pub fn probe_of(
    op: Op,
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
    detail: Option<String>,
) -> Option<ProbeFn> {
    use Op::*;
    Some(match op {
        VolumeCreate
        | VolumeUpdate
        | AccessRulesSet
        | VolumeAttach
        | VolumeDetach
        | SnapshotRestore
        | SnapshotReservePut
        | SnapshotReserveDelete => Box::new(volumes::volume_probe(p, id, ctx)),
        VolumeDelete => Box::new(volumes::volume_gone_probe(p, id, ctx)),
        MountTargetCreate | MountTargetDelete => Box::new(volumes::mount_target_probe(
            p,
            id,
            ctx,
            detail?,
            op == MountTargetDelete,
        )),
        SnapshotCreate => Box::new(snapshots::snapshot_probe(p, id, ctx)),
        SnapshotDelete => Box::new(snapshots::snapshot_gone_probe(p, id, ctx)),
        SchedulePut | ScheduleDelete => Box::new(snapshots::schedule_probe(p, id, ctx)),
        ReplicaCreate | ReplicaUpdate | ReplicaStart | ReplicaStop | ReplicaReverse => {
            Box::new(replicas::replica_probe(p, id, ctx))
        }
        ReplicaDelete => Box::new(replicas::replica_gone_probe(p, id, ctx)),
        VolumeGroupCreate | GroupMembersAdd | GroupMembersRemove | GroupSnapshotRestore => {
            Box::new(volume_groups::group_probe(p, id, ctx))
        }
        VolumeGroupDelete => Box::new(gone(p, id, ctx, |p, ctx, id| p.get_volume_group(ctx, id))),
        GroupSnapshotCreate => Box::new(volume_groups::group_snapshot_probe(p, id, ctx)),
        GroupSnapshotDelete => {
            Box::new(gone(p, id, ctx, |p, ctx, id| p.get_group_snapshot(ctx, id)))
        }
        GroupSchedulePut | GroupScheduleDelete => {
            Box::new(volume_groups::group_schedule_probe(p, id, ctx))
        }
        GroupReplicaCreate | GroupReplicaUpdate | GroupReplicaStart | GroupReplicaStop => {
            Box::new(volume_groups::group_replica_probe(p, id, ctx))
        }
        GroupReplicaDelete => Box::new(gone(p, id, ctx, |p, ctx, id| p.get_group_replica(ctx, id))),
        BackupCreate | BackupUpdate => Box::new(backups::backup_probe(p, id, ctx)),
        BackupDelete => Box::new(gone(p, id, ctx, |p, ctx, id| p.get_backup(ctx, id))),
        BackupRun => Box::new(backups::job_probe(p, id, ctx)),
        BackupRestore => Box::new(backups::restore_probe(p, id, ctx)),
        // The vendor deletes recovery points at once: nothing to wait for.
        RecoveryPointDelete => Box::new(poller(p, id, ctx, |_, _, _| async {
            Ok(strata_core::operation::Probe::Done(None))
        })),
        AgentCreate => Box::new(backups::agent_probe(p, id, ctx)),
        AgentDelete => Box::new(gone(p, id, ctx, |p, ctx, id| p.get_backup_agent(ctx, id))),
        AgentCheck => Box::new(backups::agent_check_probe(p, id, ctx, detail?)),
        ArchiveCreate | ArchiveUpdate => Box::new(archives::archive_probe(p, id, ctx)),
        ArchiveDelete => Box::new(gone(p, id, ctx, |p, ctx, id| p.get_archive(ctx, id))),
        ArchivePolicyPut | ArchivePolicyEnable => Box::new(archives::policy_probe(p, id, ctx)),
        ArchiveRecover | ArchiveVersionRecover | ArchiveJobCancel => {
            Box::new(archives::archive_job_probe(p, id, ctx))
        }
        // The vendor accepts object and version deletes and removes them on its own: there is
        // no state to wait for.
        ArchiveObjectDelete | ArchiveVersionDelete => {
            Box::new(poller(p, id, ctx, |_, _, _| async {
                Ok(strata_core::operation::Probe::Done(None))
            }))
        }
        // Reads are never tracked. (No `_` arm: an operation added to the catalogue must be
        // placed here before the gateway builds.)
        VolumeList | VolumeGet | AccessRulesGet | MountTargetList | VolumeUsage | SnapshotList
        | SnapshotGet | RestoreList | ScheduleGet | ReplicaList | ReplicaGet | VolumeGroupList
        | VolumeGroupGet | GroupSnapshotList | GroupSnapshotGet | GroupScheduleGet
        | GroupReplicaGet | BackupList | BackupGet | BackupJobList | BackupJobGet
        | RecoveryPointList | RestoreJobList | RestoreJobGet | BackupTargetList
        | RestoreSubnetList | RestoreServerList | AgentList | AgentGet | AgentInstallerGet
        | AgentTargetList | ArchiveList | ArchiveGet | ArchiveObjectList | ArchiveVersionList
        | ArchivePolicyList | ArchivePolicyGet | ArchiveJobList | ArchiveJobGet => return None,
    })
}

/// A probe that settles once `read` answers `*_not_found`.
fn gone<T: Send + 'static>(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
    read: super::Read<T>,
) -> impl FnMut() -> super::ProbeFuture + Send + 'static {
    poller(p, id, ctx, move |p, id, ctx| async move {
        strata_core::operation::probe_deleted(read(p.as_ref(), &ctx, &id).await)
    })
}

/// The resource type of a tracked operation's target.
pub fn target_type(op: Op) -> ResourceType {
    use strata_core::catalogue::Family;
    match op {
        Op::SnapshotCreate | Op::SnapshotDelete => ResourceType::Snapshot,
        Op::GroupSnapshotCreate | Op::GroupSnapshotDelete => ResourceType::GroupSnapshot,
        Op::BackupRun => ResourceType::BackupJob,
        Op::BackupRestore => ResourceType::RestoreJob,
        Op::RecoveryPointDelete => ResourceType::RecoveryPoint,
        Op::AgentCreate | Op::AgentDelete | Op::AgentCheck => ResourceType::BackupAgent,
        Op::ArchiveRecover | Op::ArchiveVersionRecover | Op::ArchiveJobCancel => {
            ResourceType::ArchiveJob
        }
        op => match op.family() {
            Family::Replica => ResourceType::Replica,
            Family::VolumeGroup => ResourceType::VolumeGroup,
            Family::Backup => ResourceType::Backup,
            Family::Archive => ResourceType::Archive,
            _ => ResourceType::Volume,
        },
    }
}

/// [`Probes`] over the gateway's providers (every provider, whoever started the operation:
/// the owner's token was checked when it started).
pub struct RegistryProbes(pub Arc<Registry>);

impl Probes for RegistryProbes {
    fn probe(&self, rec: &OperationRecord) -> CoreResult<ProbeFn> {
        let o = &rec.operation;
        let bad = |what: &str| Error::Internal(format!("operation {}: {what}", o.id));
        let op = Op::from_name(&o.kind).ok_or_else(|| bad("unknown kind"))?;
        let raw = o.target.as_deref().ok_or_else(|| bad("no target"))?;
        let id = GlobalId::parse_as(raw, target_type(op)).map_err(|_| bad("bad target"))?;
        let p = self
            .0
            .all()
            .find(|p| p.info().id == o.provider)
            .cloned()
            .ok_or_else(|| bad("its provider is not configured"))?;
        let ctx = CallCtx {
            request_id: rec.request_id.as_deref().map(Arc::from),
            deadline: None,
            cache: CachePolicy::Bypass,
            principal: o.principal.as_deref().map(Arc::from),
        };
        probe_of(op, p, id, ctx, rec.detail.clone()).ok_or_else(|| bad("kind is not tracked"))
    }
}

#[cfg(all(test, feature = "demo"))]
mod tests {
    use super::*;

    /// Every change a route tracks has a probe (the mount target ones given their detail);
    /// reads have none.
    #[test]
    fn tracked_kinds_have_probes_and_reads_none() {
        let p: Arc<dyn Provider> = Arc::new(strata_sim::memory::MemoryProvider::new(
            "p",
            "KR1",
            std::time::Duration::ZERO,
        ));
        let probe = |op: Op| {
            let id = GlobalId::new(target_type(op), "p", None, "x");
            probe_of(op, p.clone(), id, CallCtx::default(), Some("mt".into())).is_some()
        };
        use Op::*;
        for op in [
            VolumeCreate,
            VolumeUpdate,
            VolumeDelete,
            AccessRulesSet,
            MountTargetCreate,
            MountTargetDelete,
            VolumeAttach,
            VolumeDetach,
            SnapshotCreate,
            SnapshotDelete,
            SnapshotRestore,
            SchedulePut,
            ScheduleDelete,
            ReplicaCreate,
            ReplicaUpdate,
            ReplicaDelete,
            ReplicaStart,
            ReplicaStop,
            ReplicaReverse,
            SnapshotReservePut,
            SnapshotReserveDelete,
            VolumeGroupCreate,
            VolumeGroupDelete,
            GroupMembersAdd,
            GroupMembersRemove,
            GroupSnapshotCreate,
            GroupSnapshotDelete,
            GroupSnapshotRestore,
            GroupSchedulePut,
            GroupScheduleDelete,
            GroupReplicaCreate,
            GroupReplicaUpdate,
            GroupReplicaDelete,
            GroupReplicaStart,
            GroupReplicaStop,
            BackupCreate,
            BackupUpdate,
            BackupDelete,
            BackupRun,
            BackupRestore,
            RecoveryPointDelete,
            AgentCreate,
            AgentDelete,
            AgentCheck,
        ] {
            assert!(probe(op), "{op}");
        }
        for op in Op::ALL.iter().copied().filter(|o| !o.is_mutation()) {
            assert!(!probe(op), "{op}");
        }
        assert_eq!(target_type(SnapshotCreate), ResourceType::Snapshot);
        assert_eq!(target_type(ReplicaStop), ResourceType::Replica);
        assert_eq!(target_type(SnapshotRestore), ResourceType::Volume);
        assert_eq!(
            target_type(GroupSnapshotCreate),
            ResourceType::GroupSnapshot
        );
        assert_eq!(target_type(GroupReplicaStop), ResourceType::VolumeGroup);
        assert_eq!(target_type(BackupRun), ResourceType::BackupJob);
        assert_eq!(target_type(AgentCheck), ResourceType::BackupAgent);
    }
}
