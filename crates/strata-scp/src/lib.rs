//! # strata-scp
//!
//! The Samsung Cloud Platform adapter: request signer, HTTP client and one module per SCP
//! storage service (block, file, parallel file, backup, archive), mapping the vendor's API to
//! the [`strata_core`] model. The services land with their issues; until then this crate only
//! names the vendor.

/// The vendor this adapter speaks to.
pub const VENDOR: strata_core::model::Vendor = strata_core::model::Vendor::Scp;
