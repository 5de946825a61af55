//! The SCP services this adapter speaks, and their names in configuration and on the wire.
//! A leaf module: configuration, capabilities and the provider all use it.

use strata_core::model::VolumeKind;

/// The SCP services this adapter speaks: three volume services, Backup and Archive Storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScpService {
    /// File Storage (`filestorage`): volumes of kind `file`.
    File,
    /// Parallel File Storage (`parallel-filestorage`): volumes of kind `parallel_file`.
    ParallelFile,
    /// Block Storage for bare-metal servers (`baremetal-blockstorage`): volumes of kind
    /// `block`, and volume groups.
    Block,
    /// Backup (`backup`): backup policies, their jobs, recovery points and restores, and
    /// backup agents. Not a volume service.
    Backup,
    /// Archive Storage (`archivestorage`): archives (archive buckets), their archiving
    /// policy, objects, versions, archiving runs and recoveries. Not a volume service.
    Archive,
}

impl ScpService {
    /// Every service, in list order.
    pub const ALL: [ScpService; 5] = [
        ScpService::File,
        ScpService::ParallelFile,
        ScpService::Block,
        ScpService::Backup,
        ScpService::Archive,
    ];

    /// The vendor's service id (host prefix and `Scp-Api-Version` prefix).
    pub fn service_id(self) -> &'static str {
        match self {
            ScpService::File => "filestorage",
            ScpService::ParallelFile => "parallel-filestorage",
            ScpService::Block => "baremetal-blockstorage",
            ScpService::Backup => "backup",
            ScpService::Archive => "archivestorage",
        }
    }

    /// The name used in configuration (`services`, `endpoints.<name>`, `versions.<name>`).
    pub fn config_name(self) -> &'static str {
        match self {
            ScpService::File => "file",
            ScpService::ParallelFile => "parallel_file",
            ScpService::Block => "block",
            ScpService::Backup => "backup",
            ScpService::Archive => "archive",
        }
    }

    /// The API versions the vendor documents (and the adapter speaks).
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            ScpService::File => &["1.0", "1.1"],
            ScpService::ParallelFile => &["1.0"],
            ScpService::Block => &["1.0", "1.1", "1.2"],
            ScpService::Backup => &["1.0", "1.1"],
            ScpService::Archive => &["1.0", "1.1"],
        }
    }

    /// The current API version (File Storage 1.0, Block Storage 1.0/1.1, Backup 1.0 and
    /// Archive Storage 1.0 are deprecated).
    pub fn default_version(self) -> &'static str {
        match self {
            ScpService::File => "1.1",
            ScpService::ParallelFile => "1.0",
            ScpService::Block => "1.2",
            ScpService::Backup => "1.1",
            ScpService::Archive => "1.1",
        }
    }

    /// The volume kind this service's volumes have in Strata's model; `None` for a service
    /// that serves no volumes (Backup, Archive Storage).
    pub fn kind(self) -> Option<VolumeKind> {
        match self {
            ScpService::File => Some(VolumeKind::File),
            ScpService::ParallelFile => Some(VolumeKind::ParallelFile),
            ScpService::Block => Some(VolumeKind::Block),
            ScpService::Backup | ScpService::Archive => None,
        }
    }

    /// The service named `s` in configuration, if this build speaks it.
    pub fn from_config_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.config_name() == s)
    }
}
