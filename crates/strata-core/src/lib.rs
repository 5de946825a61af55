//! # strata-core
//!
//! The vendor-neutral heart of Strata: the resource [`model`], [global ids](ids), typed
//! [errors](error), [capability documents](capability), AIP-158 [paging], AIP-151
//! [operations](operation) with their tracker, and the [provider traits](provider) every
//! adapter implements. It has no HTTP server and speaks no vendor's wire format.

pub mod capability;
pub mod catalogue;
pub mod context;
pub mod dry_run;
pub mod error;
pub mod ids;
pub mod layer;
pub mod model;
pub mod operation;
pub mod paging;
pub mod provider;
pub mod refusal;
pub mod secret;
pub mod settings;
pub mod vendor_path;

pub use catalogue::Op;
pub use context::CallCtx;
pub use error::{Error, Result};
pub use ids::{GlobalId, IdError, IdGrammar, ResourceType};
pub use vendor_path::vendor_path;
