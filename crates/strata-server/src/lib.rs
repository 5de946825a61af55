//! # strata-server
//!
//! The Strata gateway: an axum app exposing the vendor-neutral `/v1` API with JWT auth,
//! RFC 9457 problems, operation tracking, and a generated OpenAPI document served with
//! Swagger UI. The `strata` binary (`serve`, `demo`, `openapi`, `token`) lives in `main.rs`;
//! `demo` and the simulators it runs come with the `demo` cargo feature (on by default).

pub mod app;
pub mod around;
pub mod auth;
pub mod conditional;
pub mod config;
pub mod conn;
#[cfg(feature = "demo")]
pub mod demo;
pub mod edge;
pub mod idempotency;
pub mod layers;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod server;
pub mod shared;
pub mod state;
pub mod telemetry;
pub mod vendors;

pub use app::Gateway;
pub use config::Config;
pub use server::{serve, RunningServer};
