//! Shared state of the gateway.

use std::collections::BTreeMap;
use std::sync::Arc;

use strata_core::ids::IdGrammar;
use strata_core::operation::Tracker;
use strata_core::provider::Provider;

use crate::auth::Principal;
use crate::config::Config;
use crate::layers::{self, LayersConfig};
use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::shared::idempotency::IdempotencyStore;
use crate::shared::invalidation::Invalidations;
use crate::shared::Redis;

/// The configured providers, by id.
#[derive(Default)]
pub struct Registry {
    /// Each provider with its id grammar, read once: asking a layered provider goes through
    /// every layer, and every request naming a resource checks its id against it.
    providers: BTreeMap<String, (Arc<dyn Provider>, IdGrammar)>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// Adds a provider; ids are unique (checked by config validation).
    pub fn insert(&mut self, provider: Arc<dyn Provider>) {
        let grammar = provider.id_grammar();
        self.providers
            .insert(provider.info().id.clone(), (provider, grammar));
    }

    /// The same providers, each wrapped in the gateway's layer stack (composed once, at
    /// startup, by [`layers::stack`]).
    pub fn layered(
        self,
        cfg: &LayersConfig,
        metrics: &Arc<Metrics>,
        bus: &Arc<Invalidations>,
    ) -> Registry {
        Registry {
            providers: self
                .providers
                .into_iter()
                .map(|(id, (p, grammar))| (id, (layers::stack(p, cfg, metrics, bus), grammar)))
                .collect(),
        }
    }

    /// The provider with this id, if the token may use it.
    pub fn get(&self, id: &str, principal: &Principal) -> Result<Arc<dyn Provider>, Problem> {
        self.resolve(id, principal).map(|(p, _)| p)
    }

    /// The provider with this id and its id grammar, if the token may use it.
    pub fn resolve(
        &self,
        id: &str,
        principal: &Principal,
    ) -> Result<(Arc<dyn Provider>, IdGrammar), Problem> {
        let (p, grammar) = self
            .providers
            .get(id)
            .ok_or_else(|| Problem::unknown_provider(id))?;
        principal.check_provider(id)?;
        Ok((p.clone(), *grammar))
    }

    /// All providers the token may use, in id order.
    pub fn visible<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> impl Iterator<Item = &'a Arc<dyn Provider>> + 'a {
        self.all().filter(move |p| principal.may_use(&p.info().id))
    }

    /// Every provider, whatever the token.
    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn Provider>> {
        self.providers.values().map(|(p, _)| p)
    }

    /// How many providers are configured.
    pub fn len(&self) -> usize {
        self.providers.len()
    }

    /// Whether no provider is configured.
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }
}

/// The gateway's shutdown signal. Once draining starts it holds the instant by which every
/// in-flight request must have been answered (a little before the grace period ends).
#[derive(Clone)]
pub struct Shutdown(Arc<tokio::sync::watch::Sender<Option<tokio::time::Instant>>>);

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown(Arc::new(tokio::sync::watch::Sender::new(None)))
    }
}

impl Shutdown {
    /// Starts draining: requests still running at `answer_by` are answered without waiting
    /// for them further.
    pub fn begin(&self, answer_by: tokio::time::Instant) {
        self.0.send_if_modified(|d| {
            let first = d.is_none();
            if first {
                *d = Some(answer_by);
            }
            first
        });
    }

    /// Resolves once draining started, with the instant answers are due.
    pub async fn answer_by(&self) -> tokio::time::Instant {
        let mut rx = self.0.subscribe();
        let due = rx.wait_for(Option::is_some).await.ok().and_then(|d| *d);
        match due {
            Some(at) => at,
            // The sender lives in `self`, so it cannot be gone; never resolve if it were.
            None => std::future::pending().await,
        }
    }
}

/// State handed to every handler: one pointer, so each handler and middleware clones one
/// `Arc`, not every part.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl AppState {
    /// Bundles the gateway's shared parts.
    pub fn new(inner: AppStateInner) -> Self {
        AppState(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct AppStateInner {
    /// The configured providers, wrapped in the layer stack.
    pub registry: Arc<Registry>,
    /// Settles long-running operations.
    pub tracker: Tracker,
    /// The configuration the gateway runs with.
    pub config: Arc<Config>,
    /// Set when the server starts draining; see [`crate::server::serve`].
    pub shutdown: Shutdown,
    /// Prometheus series served at `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Redis, when `redis_url` is configured (shared state across replicas).
    pub redis: Option<Arc<Redis>>,
    /// `Idempotency-Key` records.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Cache invalidations, shared across replicas with Redis.
    pub invalidations: Arc<Invalidations>,
}

impl AppStateInner {
    /// Whether the shared state a change needs is reachable (always, without Redis).
    pub fn shared_state_up(&self) -> bool {
        self.redis.as_ref().is_none_or(|r| r.is_up())
    }
}
