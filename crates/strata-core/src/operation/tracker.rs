//! The [`Tracker`]: settles operations by polling, under a lease, and takes over operations
//! whose tracking replica died.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;

use super::{Operation, OperationError, OperationRecord, OperationStore, Probe};
use crate::error::{Error, Result};

/// Polling schedule: exponential backoff from `initial` to `max`, giving up after `timeout`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Wait before the first poll.
    pub initial: Duration,
    /// Longest wait between polls.
    pub max: Duration,
    /// Multiplier applied to the wait after each poll.
    pub factor: f64,
    /// How long to poll before the operation fails with `operation_timeout`.
    pub timeout: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(10),
            factor: 2.0,
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl Backoff {
    fn next(&self, current: Duration) -> Duration {
        current.mul_f64(self.factor).min(self.max)
    }
}

/// Called with every operation a [`Tracker`] settles.
pub type SettleObserver = Arc<dyn Fn(&Operation) + Send + Sync>;

/// One poll of an operation's target, made again on every call.
pub type ProbeFn = Box<dyn FnMut() -> BoxFuture<'static, Result<Probe>> + Send>;

/// Rebuilds the probe of an operation from its record (kind, target, detail), so any
/// replica can poll an operation another replica started.
pub trait Probes: Send + Sync {
    /// The probe of `rec`, or why there is none (an unknown kind or provider).
    fn probe(&self, rec: &OperationRecord) -> Result<ProbeFn>;
}

/// Settles operations by polling.
#[derive(Clone)]
pub struct Tracker {
    store: Arc<dyn OperationStore>,
    backoff: Backoff,
    /// Told of every operation this tracker settles (metrics count them by state).
    observer: Option<SettleObserver>,
    /// Set once the gateway starts shutting down; ends every [`Tracker::wait`] at once.
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    /// Rebuilds probes from records (for [`Tracker::start`] and for taking over).
    probes: Option<Arc<dyn Probes>>,
    /// This replica's name in leases.
    owner: Arc<str>,
    /// How long a lease lasts without renewal.
    lease: Duration,
    /// Operations this replica is polling now.
    driving: Arc<Mutex<HashSet<String>>>,
    /// Timeouts of the operations of a family, where they differ from the backoff's.
    family_timeouts: std::collections::BTreeMap<crate::catalogue::Family, Duration>,
}

impl Tracker {
    /// A tracker recording operations in `store` and polling on the `backoff` schedule.
    pub fn new(store: Arc<dyn OperationStore>, backoff: Backoff) -> Self {
        Tracker {
            store,
            backoff,
            observer: None,
            shutdown: Arc::new(tokio::sync::watch::Sender::new(false)),
            probes: None,
            owner: format!("replica-{}", uuid::Uuid::new_v4().simple()).into(),
            lease: Duration::from_secs(15),
            driving: Arc::default(),
            family_timeouts: Default::default(),
        }
    }

    /// Operations of these families give up after their own timeout instead of the
    /// backoff's (an SCP recovery may take hours).
    pub fn with_family_timeouts(
        mut self,
        timeouts: std::collections::BTreeMap<crate::catalogue::Family, Duration>,
    ) -> Self {
        self.family_timeouts = timeouts;
        self
    }

    /// How long operations of `kind` (a catalogue name) are tracked.
    pub fn timeout_of(&self, kind: &str) -> Duration {
        crate::catalogue::Op::from_name(kind)
            .and_then(|op| self.family_timeouts.get(&op.family()))
            .copied()
            .unwrap_or(self.backoff.timeout)
    }

    /// The same tracker, telling `observer` of every operation it settles.
    pub fn with_observer(mut self, observer: SettleObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The same tracker, rebuilding probes with `probes`.
    pub fn with_probes(mut self, probes: Arc<dyn Probes>) -> Self {
        self.probes = Some(probes);
        self
    }

    /// The same tracker, holding leases for `lease` (renewed at least three times within it).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(30));
        self
    }

    /// This replica's name in leases.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Ends every current and future [`Tracker::wait`] early, so long-polls are answered with
    /// the operation as it stands while the server drains. Background settling goes on.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// The store holding the operation records.
    pub fn store(&self) -> &Arc<dyn OperationStore> {
        &self.store
    }

    /// A record of `op`, tracked until the configured timeout from now.
    pub fn record(&self, op: Operation, detail: Option<String>) -> OperationRecord {
        let timeout = chrono::Duration::from_std(self.timeout_of(&op.kind))
            .unwrap_or_else(|_| chrono::Duration::days(365));
        let mut rec = OperationRecord::new(op, chrono::Utc::now() + timeout);
        rec.detail = detail;
        rec
    }

    /// Records `rec` and settles it in the background with the probe its kind and target
    /// give ([`Probes`]). Returns the operation as first stored.
    pub async fn start(&self, rec: OperationRecord) -> Result<Operation> {
        let probes = self
            .probes
            .as_ref()
            .ok_or_else(|| Error::Internal("the tracker has no probes".into()))?;
        let probe = probes.probe(&rec)?;
        self.track(rec, probe).await
    }

    /// Records `rec`, takes its lease and settles it in the background with `probe`.
    /// Returns the operation as first stored.
    pub async fn track<F, Fut>(&self, rec: OperationRecord, probe: F) -> Result<Operation>
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Probe>> + Send,
    {
        self.store.put(&rec).await?;
        let first = rec.operation.clone();
        // A fresh id: nobody else can hold its lease.
        self.store.lease(rec.id(), &self.owner, self.lease).await?;
        self.driving_insert(rec.id());
        let this = self.clone();
        tokio::spawn(async move {
            this.drive(rec, probe).await;
        });
        Ok(first)
    }

    fn driving_insert(&self, id: &str) -> bool {
        self.driving
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string())
    }

    fn driving_remove(&self, id: &str) {
        self.driving
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// Polls until the operation settles or its deadline passes; stores and returns the
    /// final record. Returns `None` when another replica took the lease meanwhile (it goes
    /// on tracking).
    ///
    /// Errors from the probe that are retryable (vendor down, throttled) do not fail the
    /// operation: the vendor's change may well be progressing, so polling continues until the
    /// deadline. Any other error fails it.
    pub async fn drive<F, Fut>(&self, rec: OperationRecord, mut probe: F) -> Option<Operation>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Probe>>,
    {
        let id = rec.id().to_string();
        let settled = self.poll(rec, &mut probe).await;
        self.driving_remove(&id);
        let op = settled?;
        // A store that is down loses nothing: the record stays running, the lease expires,
        // and whichever replica finds it next settles it again.
        if let Err(e) = self.store.put(&self.record_of(&op, &id).await).await {
            tracing::error!(operation = %op.id, error = %e, "could not store the settled operation");
            return Some(op);
        }
        let _ = self.store.release(&id, &self.owner).await;
        tracing::info!(operation = %op.id, kind = %op.kind, state = ?op.state, "operation settled");
        if let Some(observe) = &self.observer {
            observe(&op);
        }
        Some(op)
    }

    /// The stored record of `op` (keeping its deadline and detail), or a new one.
    async fn record_of(&self, op: &Operation, id: &str) -> OperationRecord {
        match self.store.get(id).await {
            Ok(Some(mut rec)) => {
                rec.operation = op.clone();
                rec
            }
            _ => self.record(op.clone(), None),
        }
    }

    async fn poll<F, Fut>(&self, rec: OperationRecord, probe: &mut F) -> Option<Operation>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Probe>>,
    {
        let mut op = rec.operation;
        let left = (rec.deadline - chrono::Utc::now())
            .to_std()
            .unwrap_or_default();
        let deadline = tokio::time::Instant::now() + left;
        let mut delay = self.backoff.initial;
        let mut last_error: Option<Error>;
        loop {
            // Renewed before every poll; polls are at most a third of the lease apart.
            match self.store.lease(&op.id, &self.owner, self.lease).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(operation = %op.id, "another replica took the operation over");
                    return None;
                }
                Err(e) => {
                    tracing::warn!(operation = %op.id, error = %e, "could not renew the lease")
                }
            }
            match probe().await {
                Ok(Probe::Done(result)) => {
                    op.succeed(result);
                    break;
                }
                Ok(Probe::Failed(e)) => {
                    op.fail((&e).into());
                    break;
                }
                Ok(Probe::Pending) => last_error = None,
                Err(e) if e.retryable() => {
                    tracing::debug!(operation = %op.id, error = %e, "probe failed, will retry");
                    last_error = Some(e);
                }
                Err(e) => {
                    op.fail((&e).into());
                    break;
                }
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                let mut err = OperationError::from(&Error::Timeout);
                if let Some(e) = last_error {
                    err.message = format!("{} (last error: {})", err.message, e.public_detail());
                }
                op.fail(err);
                break;
            }
            tokio::time::sleep(delay.min(deadline - now).min(self.lease / 3)).await;
            delay = self.backoff.next(delay);
        }
        Some(op)
    }

    /// Looks for running operations whose lease has expired (their replica died or lost
    /// the store) every third of a lease, takes them over and settles them. Runs until the
    /// process ends; only worth running when the store is shared.
    pub fn take_over_orphans(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(this.lease / 3).await;
                if *this.shutdown.borrow() {
                    // Draining: the other replicas take over what this one leaves.
                    return;
                }
                if let Err(e) = this.take_over_once().await {
                    tracing::debug!(error = %e, "could not look for orphaned operations");
                }
            }
        })
    }

    /// One round of [`Tracker::take_over_orphans`]; returns how many it took over.
    pub async fn take_over_once(&self) -> Result<usize> {
        let Some(probes) = self.probes.clone() else {
            return Ok(0);
        };
        let mut taken = 0;
        for id in self.store.running().await? {
            if self
                .driving
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&id)
            {
                continue;
            }
            if !self.store.lease(&id, &self.owner, self.lease).await? {
                continue;
            }
            let rec = match self.store.get(&id).await? {
                Some(rec) if !rec.operation.done => rec,
                _ => {
                    self.store.release(&id, &self.owner).await?;
                    continue;
                }
            };
            if !self.driving_insert(&id) {
                continue;
            }
            tracing::info!(operation = %id, kind = %rec.operation.kind, "taking over an orphaned operation");
            taken += 1;
            let this = self.clone();
            match probes.probe(&rec) {
                Ok(probe) => {
                    tokio::spawn(async move {
                        this.drive(rec, probe).await;
                    });
                }
                Err(e) => {
                    // No probe can be built (the provider is no longer configured): fail it
                    // rather than leave it running forever.
                    tokio::spawn(async move {
                        let err = e.clone();
                        this.drive(rec, move || {
                            let err = err.clone();
                            async move { Err::<Probe, _>(err) }
                        })
                        .await;
                    });
                }
            }
        }
        Ok(taken)
    }

    /// Waits up to `timeout` for an operation to be done, polling the store (which may be
    /// shared with other replicas). Returns the latest record, early once
    /// [`Tracker::begin_shutdown`] was called.
    pub async fn wait(&self, id: &str, timeout: Duration) -> Result<Operation> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut delay = Duration::from_millis(20);
        let mut shutdown = self.shutdown.subscribe();
        loop {
            let op = self
                .store
                .get(id)
                .await?
                .ok_or_else(|| Error::Internal(format!("operation {id} vanished from the store")))?
                .operation;
            let now = tokio::time::Instant::now();
            if op.done || now >= deadline || *shutdown.borrow_and_update() {
                return Ok(op);
            }
            tokio::select! {
                _ = tokio::time::sleep(delay.min(deadline - now)) => {}
                _ = shutdown.changed() => {}
            }
            delay = (delay * 2).min(Duration::from_millis(250));
        }
    }
}
