//! # strata-sim
//!
//! Simulators of the vendor APIs Strata speaks to (SCP's storage services, NHN identity and
//! NAS) as in-process axum apps, and an in-memory demo provider. The vendor simulators land
//! with their adapters' issues; the [`memory`] provider lets the gateway, its tests and
//! `strata demo` run without any cloud.

pub mod faults;
pub mod memory;
pub mod nhn;
pub mod scp;
