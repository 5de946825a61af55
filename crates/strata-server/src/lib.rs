//! # strata-server
//!
//! The Strata gateway: an axum app exposing the vendor-neutral `/v1` API with JWT auth,
//! RFC 9457 problems, operation tracking, and a generated OpenAPI document served with
//! Swagger UI. The `strata` binary (`serve`, `demo`, `openapi`, `token`) lives in `main.rs`.

pub mod app;
pub mod auth;
pub mod config;
pub mod conn;
pub mod demo;
pub mod layers;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod server;
pub mod state;
pub mod telemetry;

pub use app::Gateway;
pub use config::Config;
pub use server::{serve, RunningServer};
