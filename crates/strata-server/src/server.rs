//! Serves a [`Gateway`] on a socket: the accept loop with its connection cap and per-connection
//! time limits, request-head limits answered as problems, and graceful shutdown.
//!
//! Shutdown: stop accepting, end every `?wait=` long-poll with the operation as it stands,
//! let in-flight requests finish, answer those still running shortly before the grace period
//! ends with `503 shutting_down`, and drop what remains when it ends.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::app::Gateway;
use crate::conn::{ConnService, ConnWatch, Expired, WatchedIo};
use crate::problem::Problem;
use crate::state::AppState;

/// Requests with more header fields than this get `431 headers_too_large`. hyper's own hard
/// limit is its default of 100 fields (past it, hyper answers a bare `431` and closes the
/// connection), which it parses into arrays on the stack: setting any limit of our own makes
/// it allocate and fill room for that many fields on every request head (two 6 KB heap arrays
/// at 200 fields, the largest single cost of a `/healthz`). So ours stays below hyper's.
pub const MAX_HEADER_FIELDS: usize = 64;

/// A gateway serving on a socket.
pub struct RunningServer {
    /// The address actually bound.
    pub addr: SocketAddr,
    /// The address `/metrics` is served on, when `server.metrics_listen` sets one of its own.
    pub metrics_addr: Option<SocketAddr>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting, drains in-flight requests, and waits for the server to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.wait().await
    }

    /// Waits for the server to end by itself.
    pub async fn wait(self) -> std::io::Result<()> {
        self.handle
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Binds `listen` (port 0 picks a free port) and serves the gateway until told to stop, or
/// until ctrl-c / SIGTERM when `signals` is set; in-flight requests get `grace` to finish.
pub async fn serve(
    gw: &Gateway,
    listen: &str,
    grace: Duration,
    signals: bool,
) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let metrics = match &gw.state.config.server.metrics_listen {
        Some(at) => Some(crate::metrics::serve_apart(at, gw.state.clone()).await?),
        None => None,
    };
    let metrics_addr = metrics.as_ref().map(|(a, _)| *a);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        tokio::select! {
            _ = rx => {},
            _ = shutdown_signal(), if signals => {},
        }
    };
    let served = accept_loop(listener, gw.router(), gw.state.clone(), grace, stop);
    let handle = tokio::spawn(async move {
        let ended = served.await;
        if let Some((_, task)) = metrics {
            task.abort(); // the metrics listener ends with the API's
        }
        ended
    });
    Ok(RunningServer {
        addr,
        metrics_addr,
        shutdown: Some(tx),
        handle,
    })
}

async fn accept_loop(
    listener: TcpListener,
    app: axum::Router,
    state: AppState,
    grace: Duration,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let cfg = state.config.server.clone();
    let mut http = hyper::server::conn::http1::Builder::new();
    // Heads are bounded by `ConnWatch` (time) and `head_limits` (size); hyper's limits are a
    // backstop above them.
    let hard_head = 4 * (cfg.max_header_bytes + cfg.max_uri_bytes);
    http.keep_alive(true)
        .header_read_timeout(None)
        .max_header_size(hard_head)
        .max_buf_size(hard_head.max(8192 + 4096 * 100));
    let permits = Arc::new(Semaphore::new(cfg.max_connections));
    let graceful = GracefulShutdown::new();
    let mut conns = JoinSet::new();
    tokio::pin!(stop);
    loop {
        while conns.try_join_next().is_some() {}
        // At the cap, wait for a connection to end before accepting: further clients stay
        // in the listen backlog, unserved, instead of costing a file descriptor each.
        let permit = tokio::select! {
            biased;
            _ = &mut stop => break,
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            biased;
            _ = &mut stop => break,
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let watch = ConnWatch::new(cfg.header_read_timeout(), cfg.keep_alive_idle());
        let conn = http.serve_connection(
            TokioIo::new(WatchedIo::new(stream, watch.clone())),
            ConnService::new(app.clone(), watch.clone()),
        );
        let conn = graceful.watch(conn);
        conns.spawn(async move {
            let _permit = permit;
            tokio::select! {
                r = conn => if let Err(e) = r {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                },
                why = watch.expired() => match why {
                    Expired::HeaderRead => tracing::debug!(%peer, "closing a connection that did not send a request head in time"),
                    Expired::Idle => tracing::debug!(%peer, "closing an idle keep-alive connection"),
                },
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: draining in-flight requests");
    begin_shutdown(&state, grace);
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections drained"),
        _ = tokio::time::sleep(grace) => {
            tracing::warn!("grace period over; dropping remaining connections");
        }
    }
    conns.shutdown().await;
    Ok(())
}

/// Starts draining: long-polls return at once, and requests still running a little before
/// the grace period ends are answered `503 shutting_down` (by the edge).
pub fn begin_shutdown(state: &AppState, grace: Duration) {
    let margin = (grace / 4).min(Duration::from_secs(1));
    state
        .shutdown
        .begin(tokio::time::Instant::now() + grace - margin);
    state.tracker.begin_shutdown();
}

/// The problem for a request target or header section over the configured sizes
/// (`414 uri_too_long`, `431 headers_too_large`), answered before routing or auth.
pub fn head_problem(state: &AppState, req: &Request) -> Option<Problem> {
    let cfg = &state.config.server;
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len())
        + req.uri().authority().map_or(0, |a| a.as_str().len());
    if uri_len > cfg.max_uri_bytes {
        return Some(Problem::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            "URI too long",
            format!(
                "the request target is {uri_len} bytes long; at most {} are accepted",
                cfg.max_uri_bytes
            ),
        ));
    }
    let head_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if head_bytes > cfg.max_header_bytes || req.headers().len() > MAX_HEADER_FIELDS {
        return Some(Problem::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            "Request headers too large",
            format!(
                "the request headers are too large: at most {} bytes in at most \
                 {MAX_HEADER_FIELDS} fields are accepted",
                cfg.max_header_bytes
            ),
        ));
    }
    None
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
