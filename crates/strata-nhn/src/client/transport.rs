//! What the identity and NAS clients share: the per-call timeout and how a transport
//! failure (no HTTP answer) becomes a core error. A leaf, so neither client imports the
//! other for it.

use std::time::Duration;

use strata_core::error::Error;

/// Per-request timeout for vendor calls.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Maps a transport failure (no HTTP answer) to the core error, without the URL or headers.
pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    Error::transport(e.is_timeout(), e.is_connect())
}
