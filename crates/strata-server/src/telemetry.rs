//! Logging setup.
//!
//! Log lines (the access log included) go through a non-blocking writer: a request formats
//! its line and hands it to a background thread, and never waits on stderr. If the writer
//! falls behind, lines are dropped rather than stalling requests (and the drop is counted by
//! the appender).

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. `RUST_LOG` wins over the configured filter. Keep the
/// returned guard alive for the life of the process: dropping it flushes pending lines.
pub fn init(format: LogFormat, filter: &str) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter));
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    guard
}
