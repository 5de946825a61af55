//! # strata-nhn
//!
//! The NHN Cloud adapter: IaaS identity token client with cache, NAS (`nasv1`) client, and
//! the mapping to the [`strata_core`] model. The NAS adapter lands with its issue; until then
//! this crate only names the vendor.

/// The vendor this adapter speaks to.
pub const VENDOR: strata_core::model::Vendor = strata_core::model::Vendor::Nhn;
