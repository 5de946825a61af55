//! The operation catalogue: every provider operation, named once.
//!
//! [`with_provider_api!`] holds the one list of operations, each with its [`Op`] variant,
//! stable name, kind (read, repeatable mutation, or mutation that must not be repeated), the
//! trait method that performs it and that method's signature. Everything else is generated
//! from that list, so nothing can drift or be forgotten:
//! - the [`Op`] enum and its metadata (below);
//! - the provider traits in [`crate::provider`], whose defaults answer
//!   `unsupported_by_provider` with the operation's name;
//! - the forwarding [`Layered`](crate::layer::Layered) provider, which cannot skip a method.
//!
//! Unsupported errors, operation kinds (`Operation.kind`), capability features, and later
//! metric labels and cache keys all use [`Op::name`].

use serde::Serialize;

/// Calls `$callback! { ($($extra)*) <the list> }` with the whole provider API.
///
/// List entry: `Variant "stable.name" kind method(arg: Type, ...) -> Return;` where kind is
/// `read`, `write` (a mutation that is safe to repeat) or `once` (a mutation that must not be
/// re-sent: repeating it would create or toggle something again).
#[macro_export]
#[doc(hidden)]
macro_rules! with_provider_api {
    ($callback:ident $(, $extra:tt)*) => {
        $callback! { ($($extra)*)
            VolumeOps Volume {
                /// Lists volumes matching the filter, one page at a time.
                VolumeList "volume.list" read list_volumes(filter: &VolumeFilter, page: &PageRequest) -> Page<Volume>;
                VolumeGet "volume.get" read get_volume(id: &GlobalId) -> Volume;
                /// Starts creating a volume; returns it as the vendor first reports it.
                VolumeCreate "volume.create" once create_volume(req: &CreateVolume) -> Volume;
                VolumeUpdate "volume.update" write update_volume(id: &GlobalId, req: &UpdateVolume) -> Volume;
                VolumeDelete "volume.delete" write delete_volume(id: &GlobalId) -> ();
                AccessRulesGet "volume.access_rules.get" read get_access_rules(id: &GlobalId) -> Vec<AccessRule>;
                /// Replaces the volume's access rules with `rules`.
                AccessRulesSet "volume.access_rules.set" write set_access_rules(id: &GlobalId, rules: &[AccessRule]) -> Vec<AccessRule>;
                MountTargetList "volume.mount_targets.list" read list_mount_targets(id: &GlobalId) -> Vec<MountTarget>;
                /// Exposes the volume on another network; returns the new (possibly pending) target.
                MountTargetCreate "volume.mount_target.create" once create_mount_target(id: &GlobalId, req: &CreateMountTarget) -> MountTarget;
                /// Removes a mount target by its `id`.
                MountTargetDelete "volume.mount_target.delete" write delete_mount_target(id: &GlobalId, target: &str) -> ();
                VolumeUsage "volume.usage" read get_usage(id: &GlobalId) -> Usage;
                VolumeAttach "volume.attach" once attach(id: &GlobalId, att: &Attachment) -> Volume;
                VolumeDetach "volume.detach" write detach(id: &GlobalId, server_id: &str) -> Volume;
                /// Sets (or changes) the snapshot reserve of a block volume.
                SnapshotReservePut "volume.snapshot_reserve.put" write put_snapshot_reserve(id: &GlobalId, r: &SnapshotReserve) -> SnapshotReserve;
                /// Removes the snapshot reserve (and with it the ability to take snapshots).
                SnapshotReserveDelete "volume.snapshot_reserve.delete" write delete_snapshot_reserve(id: &GlobalId) -> ();
            }
            SnapshotOps Snapshot {
                SnapshotList "snapshot.list" read list_snapshots(volume: &GlobalId, page: &PageRequest) -> Page<Snapshot>;
                SnapshotGet "snapshot.get" read get_snapshot(id: &GlobalId) -> Snapshot;
                SnapshotCreate "snapshot.create" once create_snapshot(volume: &GlobalId, req: &CreateSnapshot) -> Snapshot;
                SnapshotDelete "snapshot.delete" write delete_snapshot(id: &GlobalId) -> ();
                /// Restores in place (returns the source volume) or into a new volume (returns it).
                SnapshotRestore "snapshot.restore" once restore_snapshot(id: &GlobalId, req: &RestoreSnapshot) -> Volume;
                RestoreList "volume.restores.list" read list_restores(volume: &GlobalId) -> Vec<RestoreRecord>;
                /// `None` when the volume has no schedule.
                ScheduleGet "snapshot_schedule.get" read get_snapshot_schedule(volume: &GlobalId) -> Option<SnapshotSchedule>;
                SchedulePut "snapshot_schedule.put" write put_snapshot_schedule(volume: &GlobalId, s: &SnapshotSchedule) -> SnapshotSchedule;
                ScheduleDelete "snapshot_schedule.delete" write delete_snapshot_schedule(volume: &GlobalId) -> ();
            }
            ReplicaOps Replica {
                ReplicaList "replica.list" read list_replicas(volume: &GlobalId) -> Vec<Replica>;
                ReplicaGet "replica.get" read get_replica(id: &GlobalId) -> Replica;
                ReplicaCreate "replica.create" once create_replica(volume: &GlobalId, req: &CreateReplica) -> Replica;
                ReplicaUpdate "replica.update" write update_replica(id: &GlobalId, req: &UpdateReplica) -> Replica;
                ReplicaDelete "replica.delete" write delete_replica(id: &GlobalId) -> ();
                ReplicaStart "replica.start" write start_replica(id: &GlobalId) -> Replica;
                ReplicaStop "replica.stop" write stop_replica(id: &GlobalId) -> Replica;
                /// Swaps source and destination: repeating it swaps them back.
                ReplicaReverse "replica.reverse" once reverse_replica(id: &GlobalId) -> Replica;
            }
            VolumeGroupOps VolumeGroup {
                /// Lists the provider's volume groups whose name contains `name`, a page at a time.
                VolumeGroupList "volume_group.list" read list_volume_groups(name: Option<&str>, page: &PageRequest) -> Page<VolumeGroup>;
                VolumeGroupGet "volume_group.get" read get_volume_group(id: &GlobalId) -> VolumeGroup;
                /// Starts creating a group of the request's volumes (their ids already checked).
                VolumeGroupCreate "volume_group.create" once create_volume_group(req: &CreateVolumeGroup, volumes: &[GlobalId]) -> VolumeGroup;
                VolumeGroupDelete "volume_group.delete" write delete_volume_group(id: &GlobalId) -> ();
                /// Adds volumes to the group; returns the group with its new members.
                GroupMembersAdd "volume_group.members.add" write add_group_members(id: &GlobalId, volumes: &[GlobalId]) -> VolumeGroup;
                /// Removes volumes from the group; returns the group with its remaining members.
                GroupMembersRemove "volume_group.members.remove" write remove_group_members(id: &GlobalId, volumes: &[GlobalId]) -> VolumeGroup;
                GroupSnapshotList "group_snapshot.list" read list_group_snapshots(group: &GlobalId, page: &PageRequest) -> Page<GroupSnapshot>;
                GroupSnapshotGet "group_snapshot.get" read get_group_snapshot(id: &GlobalId) -> GroupSnapshot;
                GroupSnapshotCreate "group_snapshot.create" once create_group_snapshot(group: &GlobalId) -> GroupSnapshot;
                GroupSnapshotDelete "group_snapshot.delete" write delete_group_snapshot(id: &GlobalId) -> ();
                /// Restores in place (returns the group) or into a new group (returns it).
                GroupSnapshotRestore "group_snapshot.restore" once restore_group_snapshot(id: &GlobalId, req: &RestoreGroupSnapshot) -> VolumeGroup;
                /// `None` when the group has no schedule.
                GroupScheduleGet "volume_group.snapshot_schedule.get" read get_group_snapshot_schedule(group: &GlobalId) -> Option<SnapshotSchedule>;
                GroupSchedulePut "volume_group.snapshot_schedule.put" write put_group_snapshot_schedule(group: &GlobalId, s: &SnapshotSchedule) -> SnapshotSchedule;
                GroupScheduleDelete "volume_group.snapshot_schedule.delete" write delete_group_snapshot_schedule(group: &GlobalId) -> ();
                /// The group's replication; `group_replica_not_found` when it has none.
                GroupReplicaGet "volume_group.replica.get" read get_group_replica(group: &GlobalId) -> GroupReplica;
                GroupReplicaCreate "volume_group.replica.create" once create_group_replica(group: &GlobalId, req: &CreateGroupReplica) -> GroupReplica;
                GroupReplicaUpdate "volume_group.replica.update" write update_group_replica(group: &GlobalId, req: &UpdateReplica) -> GroupReplica;
                GroupReplicaDelete "volume_group.replica.delete" write delete_group_replica(group: &GlobalId) -> ();
                GroupReplicaStart "volume_group.replica.start" write start_group_replica(group: &GlobalId) -> GroupReplica;
                GroupReplicaStop "volume_group.replica.stop" write stop_group_replica(group: &GlobalId) -> GroupReplica;
            }
            BackupOps Backup {
                /// Lists the provider's backup policies matching the filter, a page at a time.
                BackupList "backup.list" read list_backups(filter: &BackupFilter, page: &PageRequest) -> Page<Backup>;
                BackupGet "backup.get" read get_backup(id: &GlobalId) -> Backup;
                /// Creates a policy (name and paths checked unused first).
                BackupCreate "backup.create" once create_backup(req: &CreateBackup) -> Backup;
                BackupUpdate "backup.update" write update_backup(id: &GlobalId, req: &UpdateBackup) -> Backup;
                BackupDelete "backup.delete" write delete_backup(id: &GlobalId) -> ();
                /// Runs the policy now; returns the job it started.
                BackupRun "backup.run" once run_backup(id: &GlobalId) -> BackupJob;
                /// The policy's jobs, newest first, optionally only those in `status`.
                BackupJobList "backup.jobs.list" read list_backup_jobs(id: &GlobalId, status: Option<JobStatus>, page: &PageRequest) -> Page<BackupJob>;
                BackupJobGet "backup_job.get" read get_backup_job(id: &GlobalId) -> BackupJob;
                RecoveryPointList "backup.recovery_points.list" read list_recovery_points(id: &GlobalId, page: &PageRequest) -> Page<RecoveryPoint>;
                RecoveryPointDelete "recovery_point.delete" write delete_recovery_point(id: &GlobalId) -> ();
                /// Starts a restore; returns it as first reported.
                BackupRestore "backup.restore" once restore_backup(id: &GlobalId, req: &RestoreBackup) -> RestoreJob;
                RestoreJobList "backup.restores.list" read list_restore_jobs(id: &GlobalId, page: &PageRequest) -> Page<RestoreJob>;
                RestoreJobGet "restore_job.get" read get_restore_job(id: &GlobalId) -> RestoreJob;
                /// Servers that can be protected, of one type.
                BackupTargetList "backup_target.list" read list_backup_targets(server_type: ServerType, page: &PageRequest) -> Page<BackupTarget>;
                /// Subnets a server restored from an image backup can use (in `region`, or the backup's).
                RestoreSubnetList "backup.restore_subnets.list" read list_restore_subnets(id: &GlobalId, region: Option<&str>) -> Vec<RestoreSubnet>;
                /// Servers a filesystem backup can be restored onto.
                RestoreServerList "backup.restore_servers.list" read list_restore_servers(id: &GlobalId, page: &PageRequest) -> Page<BackupTarget>;
                AgentList "backup_agent.list" read list_backup_agents(page: &PageRequest) -> Page<BackupAgent>;
                AgentGet "backup_agent.get" read get_backup_agent(id: &GlobalId) -> BackupAgent;
                AgentCreate "backup_agent.create" once create_backup_agent(req: &CreateBackupAgent) -> BackupAgent;
                AgentDelete "backup_agent.delete" write delete_backup_agent(id: &GlobalId) -> ();
                /// Starts a check of the agent's connection; returns the agent as it stands.
                AgentCheck "backup_agent.check" once check_backup_agent(id: &GlobalId) -> BackupAgent;
                /// Where the agent installer for `os` (`linux`, `windows`) is.
                AgentInstallerGet "backup_agent.installer.get" read backup_agent_installer(os: &str) -> AgentInstaller;
                /// Servers an agent can be installed on, of one type.
                AgentTargetList "backup_agent.targets.list" read list_agent_targets(server_type: ServerType, page: &PageRequest) -> Page<BackupTarget>;
            }
            ArchiveOps Archive {
                /// Lists the provider's archives matching the filter, a page at a time.
                ArchiveList "archive.list" read list_archives(filter: &ArchiveFilter, page: &PageRequest) -> Page<Archive>;
                ArchiveGet "archive.get" read get_archive(id: &GlobalId) -> Archive;
                /// Creates an archive and applies its encryption and versioning settings.
                ArchiveCreate "archive.create" once create_archive(req: &CreateArchive) -> Archive;
                /// Turns encryption or versioning on or off.
                ArchiveUpdate "archive.update" write update_archive(id: &GlobalId, req: &UpdateArchive) -> Archive;
                ArchiveDelete "archive.delete" write delete_archive(id: &GlobalId) -> ();
                /// The direct children of a folder of the archive, a page at a time.
                ArchiveObjectList "archive.objects.list" read list_archive_objects(id: &GlobalId, filter: &ObjectFilter, page: &PageRequest) -> Page<ArchiveObject>;
                /// Deletes objects and folders (every version of them).
                ArchiveObjectDelete "archive.objects.delete" write delete_archive_objects(id: &GlobalId, req: &DeleteObjects) -> ();
                /// The archived versions of one object, newest first.
                ArchiveVersionList "archive.versions.list" read list_object_versions(id: &GlobalId, key: &str, page: &PageRequest) -> Page<ObjectVersion>;
                ArchiveVersionDelete "archive.versions.delete" write delete_object_versions(id: &GlobalId, req: &DeleteVersions) -> ();
                /// The archiving policies of the provider's archives, a page at a time.
                ArchivePolicyList "archive_policy.list" read list_archive_policies(page: &PageRequest) -> Page<ArchivePolicy>;
                /// The archive's policy; `None` when it has none.
                ArchivePolicyGet "archive.policy.get" read get_archive_policy(id: &GlobalId) -> Option<ArchivePolicy>;
                /// Creates the policy, or changes the days of the one in place.
                ArchivePolicyPut "archive.policy.put" write put_archive_policy(id: &GlobalId, p: &PutArchivePolicy) -> ArchivePolicy;
                /// Pauses (`false`) or resumes (`true`) scheduled archiving.
                ArchivePolicyEnable "archive.policy.enable" write set_archive_policy_enabled(id: &GlobalId, enabled: bool) -> ArchivePolicy;
                /// Starts recovering objects; returns the recovery job as first reported.
                ArchiveRecover "archive.recover" once recover_archive_objects(id: &GlobalId, req: &RecoverObjects) -> ArchiveJob;
                /// Starts recovering one object version; returns the recovery job.
                ArchiveVersionRecover "archive.versions.recover" once recover_object_version(id: &GlobalId, req: &RecoverVersion) -> ArchiveJob;
                /// The archive's jobs started in the filter's window, newest first.
                ArchiveJobList "archive.jobs.list" read list_archive_jobs(id: &GlobalId, filter: &ArchiveJobFilter, page: &PageRequest) -> Page<ArchiveJob>;
                ArchiveJobGet "archive_job.get" read get_archive_job(id: &GlobalId) -> ArchiveJob;
                /// Asks for a running job to stop; returns it as it stands.
                ArchiveJobCancel "archive_job.cancel" write cancel_archive_job(id: &GlobalId) -> ArchiveJob;
            }
        }
    };
}

/// The resource family an operation belongs to (one provider trait each).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Volumes and what hangs directly off them.
    Volume,
    /// Snapshots, restores and snapshot schedules.
    Snapshot,
    /// Cross-region replication.
    Replica,
    /// Consistency groups of block volumes.
    VolumeGroup,
    /// Backup policies, jobs, recovery points and restores.
    Backup,
    /// Archives, their policy, objects and jobs.
    Archive,
}

/// Whether an operation reads, or changes something and may or may not be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Changes nothing.
    Read,
    /// A mutation that is safe to repeat (setting a value, deleting).
    Write,
    /// A mutation that must not be re-sent (creating, running, toggling).
    Once,
}

macro_rules! op_kind {
    (read) => {
        OpKind::Read
    };
    (write) => {
        OpKind::Write
    };
    (once) => {
        OpKind::Once
    };
}

macro_rules! define_ops {
    ( () $( $trait:ident $family:ident {
        $( $(#[$doc:meta])* $op:ident $name:literal $kind:ident $method:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*
    } )* ) => {
        /// Every provider operation. See the [module docs](self).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Op {
            $( $( #[doc = concat!("`", $name, "` (`", stringify!($trait), "::", stringify!($method), "`)")] $op, )* )*
        }

        impl Op {
            /// Every operation, in catalogue order.
            pub const ALL: &'static [Op] = &[ $( $( Op::$op, )* )* ];

            /// The one stable spelling of the operation.
            pub const fn name(self) -> &'static str {
                match self { $( $( Op::$op => $name, )* )* }
            }

            /// The family (provider trait) it belongs to.
            pub const fn family(self) -> Family {
                match self { $( $( Op::$op => Family::$family, )* )* }
            }

            /// Read, repeatable mutation, or mutation that must not be repeated.
            pub const fn kind(self) -> OpKind {
                match self { $( $( Op::$op => op_kind!($kind), )* )* }
            }

            /// The provider trait method that performs it.
            pub const fn method(self) -> &'static str {
                match self { $( $( Op::$op => stringify!($method), )* )* }
            }
        }
    };
}

with_provider_api!(define_ops);

impl Op {
    /// Whether the operation changes something at the vendor.
    pub const fn is_mutation(self) -> bool {
        !matches!(self.kind(), OpKind::Read)
    }

    /// Whether repeating the call is safe (retries are allowed only for these).
    pub const fn idempotent(self) -> bool {
        !matches!(self.kind(), OpKind::Once)
    }

    /// The operation with this stable name.
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|op| op.name() == name)
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Op {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_methods_are_unique_and_round_trip() {
        let names: HashSet<_> = Op::ALL.iter().map(|o| o.name()).collect();
        let methods: HashSet<_> = Op::ALL.iter().map(|o| o.method()).collect();
        assert_eq!(names.len(), Op::ALL.len());
        assert_eq!(methods.len(), Op::ALL.len());
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(*op));
            assert!(
                op.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'),
                "{op}"
            );
        }
    }

    #[test]
    fn metadata() {
        assert_eq!(Op::VolumeGet.family(), Family::Volume);
        assert!(!Op::VolumeGet.is_mutation());
        assert!(Op::VolumeCreate.is_mutation() && !Op::VolumeCreate.idempotent());
        assert!(Op::VolumeDelete.is_mutation() && Op::VolumeDelete.idempotent());
        assert!(!Op::ReplicaReverse.idempotent());
        assert_eq!(Op::ScheduleGet.method(), "get_snapshot_schedule");
        assert_eq!(Op::ALL.len(), 93);
    }
}
