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

use super::{replicas, snapshots, volumes};
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
        VolumeCreate | VolumeUpdate | AccessRulesSet | VolumeAttach | VolumeDetach
        | SnapshotRestore => Box::new(volumes::volume_probe(p, id, ctx)),
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
        // Reads are never tracked.
        VolumeList | VolumeGet | AccessRulesGet | MountTargetList | VolumeUsage | SnapshotList
        | SnapshotGet | RestoreList | ScheduleGet | ReplicaList | ReplicaGet | VolumeGroupList
        | VolumeGroupGet | BackupList | BackupGet | BackupJobList | RecoveryPointList
        | ArchiveList | ArchiveGet | ArchiveObjectList | ArchivePolicyGet | ArchiveJobList => {
            return None
        }
        // Changes no route makes yet: their probes come with their routes. (No `_` arm: an
        // operation added to the catalogue must be placed here before the gateway builds.)
        VolumeGroupCreate | VolumeGroupDelete | BackupCreate | BackupUpdate | BackupDelete
        | BackupRun | BackupRestore | ArchiveCreate | ArchiveDelete | ArchivePolicyPut
        | ArchiveRecover | ArchiveJobCancel => return None,
    })
}

/// The resource type of a tracked operation's target.
pub fn target_type(op: Op) -> ResourceType {
    match op {
        Op::SnapshotCreate | Op::SnapshotDelete => ResourceType::Snapshot,
        op if op.family() == strata_core::catalogue::Family::Replica => ResourceType::Replica,
        _ => ResourceType::Volume,
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
        ] {
            assert!(probe(op), "{op}");
        }
        for op in Op::ALL.iter().copied().filter(|o| !o.is_mutation()) {
            assert!(!probe(op), "{op}");
        }
        assert_eq!(target_type(SnapshotCreate), ResourceType::Snapshot);
        assert_eq!(target_type(ReplicaStop), ResourceType::Replica);
        assert_eq!(target_type(SnapshotRestore), ResourceType::Volume);
    }
}
