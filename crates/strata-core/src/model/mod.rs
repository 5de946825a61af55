//! The vendor-neutral resource model.
//!
//! Every resource carries its global `id`, its `provider`, normalized fields, and a `vendor`
//! object holding the vendor's untranslated fields, so nothing the vendor said is lost while
//! the model itself stays free of vendor quirks.

mod archive;
mod archive_jobs;
mod backup;
mod backup_jobs;
mod block;
pub mod bounds;
mod common;
mod group;
mod replica;
pub mod rules;
mod snapshot;
mod volume;

pub use archive::*;
pub use archive_jobs::*;
pub use backup::*;
pub use backup_jobs::*;
pub use block::*;
pub use common::*;
pub use group::*;
pub use replica::*;
pub use snapshot::*;
pub use volume::*;
