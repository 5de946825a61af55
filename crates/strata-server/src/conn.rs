//! Per-connection bookkeeping for the accept loop: what a connection is doing (reading a
//! request head, running requests, idle between requests) and when it has to be closed.
//!
//! hyper's own `header_read_timeout` also runs while a keep-alive connection waits for its
//! next request, so it cannot tell a slow head from an idle connection; this watch can, and
//! gives each its own limit ([`crate::config::ServerConfig`]).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::auth::ConnectionAuth;

/// Why a connection was closed by its watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    /// The client did not send a complete request head in time.
    HeaderRead,
    /// The connection was idle between requests for too long.
    Idle,
}

struct State {
    /// Requests dispatched and not yet answered.
    in_flight: usize,
    /// When the request head now being read started (accept, or the first byte after the last
    /// answer); `None` while idle or while requests run.
    head_since: Option<Instant>,
    /// Last time anything happened: accept, an answer, a write.
    quiet_since: Instant,
}

/// The state of one connection, shared by its I/O, its service and its watchdog.
pub struct ConnWatch {
    state: Mutex<State>,
    header_read: Duration,
    idle: Duration,
}

impl ConnWatch {
    /// A connection just accepted: it is reading its first request head.
    pub fn new(header_read: Duration, idle: Duration) -> Arc<Self> {
        let now = Instant::now();
        Arc::new(ConnWatch {
            state: Mutex::new(State {
                in_flight: 0,
                head_since: Some(now),
                quiet_since: now,
            }),
            header_read,
            idle,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn on_read(&self, n: usize) {
        if n > 0 {
            let mut s = self.lock();
            if s.in_flight == 0 && s.head_since.is_none() {
                s.head_since = Some(Instant::now());
            }
        }
    }

    fn on_write(&self, n: usize) {
        if n > 0 {
            self.lock().quiet_since = Instant::now();
        }
    }

    /// A request head was read and the request dispatched; the guard marks its answer.
    fn request_started(self: &Arc<Self>) -> InFlight {
        let mut s = self.lock();
        s.in_flight += 1;
        s.head_since = None;
        InFlight(self.clone())
    }

    /// `Err` once the connection has to be closed, else the next time to look again.
    fn check(&self, now: Instant) -> Result<Instant, Expired> {
        let s = self.lock();
        if s.in_flight > 0 {
            // Handlers bound their own time (`?wait=` is capped); look again later.
            return Ok(now + self.header_read.min(self.idle));
        }
        let (deadline, why) = match s.head_since {
            Some(h) => (h + self.header_read, Expired::HeaderRead),
            None => (s.quiet_since + self.idle, Expired::Idle),
        };
        if now >= deadline {
            Err(why)
        } else {
            Ok(deadline)
        }
    }

    /// Resolves when the connection has to be closed.
    pub async fn expired(&self) -> Expired {
        loop {
            match self.check(Instant::now()) {
                Err(why) => return why,
                Ok(at) => tokio::time::sleep_until(at).await,
            }
        }
    }
}

struct InFlight(Arc<ConnWatch>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.in_flight -= 1;
        s.quiet_since = Instant::now();
    }
}

/// A socket that reports its reads and writes to the connection's watch.
pub struct WatchedIo<T> {
    inner: T,
    watch: Arc<ConnWatch>,
}

impl<T> WatchedIo<T> {
    /// Wraps a connection's I/O so the watch sees its reads and writes.
    pub fn new(inner: T, watch: Arc<ConnWatch>) -> Self {
        WatchedIo { inner, watch }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WatchedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            self.watch.on_read(buf.filled().len() - before);
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            self.watch.on_write(n);
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = r {
            self.watch.on_write(n);
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The app as a hyper service for one connection, marking each request in flight and
/// handing each the connection's authentication memo.
#[derive(Clone)]
pub struct ConnService {
    app: Router,
    watch: Arc<ConnWatch>,
    auth: Arc<ConnectionAuth>,
}

impl ConnService {
    /// Serves `app` on a connection, telling the watch when requests start and end.
    pub fn new(app: Router, watch: Arc<ConnWatch>) -> Self {
        ConnService {
            app,
            watch,
            auth: Arc::default(),
        }
    }
}

impl hyper::service::Service<Request<hyper::body::Incoming>> for ConnService {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, req: Request<hyper::body::Incoming>) -> Self::Future {
        let busy = self.watch.request_started();
        let answer = self
            .auth
            .scope(self.app.clone().oneshot(req.map(Body::new)));
        Box::pin(async move {
            let resp = answer.await;
            drop(busy);
            resp
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn heads_and_idle_connections_expire_on_their_own_limits() {
        let w = ConnWatch::new(Duration::from_secs(2), Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(w.check(t0), Ok(t0 + Duration::from_secs(2)));
        assert_eq!(
            w.check(t0 + Duration::from_secs(2)),
            Err(Expired::HeaderRead)
        );
        // A request runs as long as it needs.
        let busy = w.request_started();
        assert!(w.check(t0 + Duration::from_secs(60)).is_ok());
        w.on_read(5); // body bytes do not start a head
        tokio::time::advance(Duration::from_secs(3)).await;
        drop(busy);
        let t1 = Instant::now();
        assert_eq!(w.check(t1), Ok(t1 + Duration::from_secs(10)));
        assert_eq!(w.check(t1 + Duration::from_secs(10)), Err(Expired::Idle));
        // The first byte of the next request starts the head clock.
        tokio::time::advance(Duration::from_secs(5)).await;
        w.on_read(1);
        let t2 = Instant::now();
        assert_eq!(w.check(t2), Ok(t2 + Duration::from_secs(2)));
        assert_eq!(w.expired().await, Expired::HeaderRead);
        assert_eq!(Instant::now(), t2 + Duration::from_secs(2));
    }
}
