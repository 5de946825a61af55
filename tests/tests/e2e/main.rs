//! End-to-end tests: a real gateway on port 0, spoken to over HTTP.

mod api;
mod auth;
mod auth_interop;
mod cache;
mod conditional;
mod connections;
mod dispatch;
mod docs;
mod dry_run;
mod examples;
mod hardening;
mod layers;
mod metrics;
mod nhn;
mod paging;
mod problems;
mod scp;
mod scp_archive;
mod scp_backup;
mod scp_block;
mod scp_block_groups;
mod shared_store;
mod spec;
