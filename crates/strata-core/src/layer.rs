//! Wrap-safe provider layers.
//!
//! A cross-cutting behaviour (request-id scoping, and later cache, retry, deadline, breaker,
//! metrics) implements [`Layer`]: one [`around`](Layer::around) hook that sees every call
//! with its [`Op`] and [`CallCtx`]. [`Layered`] turns a layer into a [`Provider`] whose
//! forwarding methods are generated from the [operation catalogue](crate::catalogue), so a
//! layer cannot lose an operation: adding one to the catalogue adds its forwarding here.

use std::sync::Arc;

use async_trait::async_trait;
use futures::future::BoxFuture;

use crate::capability::Capabilities;
use crate::catalogue::Op;
use crate::context::CallCtx;
use crate::error::Result;
use crate::ids::{GlobalId, IdGrammar};
use crate::model::*;
use crate::paging::{Page, PageRequest};
use crate::provider::*;

/// One call to the inner provider, which a layer may make once, several times (retries) or
/// not at all (a cache hit, an open breaker).
pub type Call<'a, T> = &'a (dyn Fn() -> BoxFuture<'a, Result<T>> + Send + Sync);

/// What a layer knows of a call besides the call itself.
pub struct CallInfo<'a> {
    /// The operation.
    pub op: Op,
    /// The call's context.
    pub ctx: &'a CallCtx,
    /// The call's arguments as a stable string (ids in their wire form, queries and bodies as
    /// JSON), computed only when a layer asks: with the operation, a cache key.
    pub args: &'a (dyn Fn() -> String + Send + Sync),
}

/// The values provider calls answer with: a layer may keep them (a cache) and hand out
/// copies.
pub trait Answer: Clone + Send + Sync + 'static {}
impl<T: Clone + Send + Sync + 'static> Answer for T {}

/// Writes the call arguments' key: each argument as JSON, separated by a unit separator.
pub fn args_key(args: &[&dyn erased::Key]) -> String {
    let mut out = Vec::with_capacity(64);
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(0x1f);
        }
        a.write(&mut out);
    }
    // JSON and the separator are UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Object-safe serialization of call arguments into a key.
pub mod erased {
    /// An argument that can write itself into a key.
    pub trait Key: Sync {
        /// Appends the argument's stable form (its JSON) to `out`.
        fn write(&self, out: &mut Vec<u8>);
    }

    impl<T: serde::Serialize + Sync + ?Sized> Key for T {
        fn write(&self, out: &mut Vec<u8>) {
            // Serializing model types into memory cannot fail.
            let _ = serde_json::to_writer(&mut *out, self);
        }
    }
}

/// Behaviour around every call to an inner provider.
pub trait Layer: Send + Sync + 'static {
    /// The provider being wrapped.
    fn inner(&self) -> &Arc<dyn Provider>;

    /// Answers the call described by `info` with this layer's behaviour, calling the inner
    /// provider through `call`.
    fn around<'a, T: Answer>(
        &'a self,
        info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>>;
}

/// A [`Provider`] made of a [`Layer`] around its inner provider.
pub struct Layered<L>(pub L);

impl<L: Layer> Layered<L> {
    /// Wraps `layer` as a shareable provider.
    pub fn provider(layer: L) -> Arc<dyn Provider> {
        Arc::new(Layered(layer))
    }
}

macro_rules! define_forwarding {
    ( () $( $trait:ident $family:ident {
        $( $(#[$doc:meta])* $op:ident $name:literal $kind:ident $method:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*
    } )* ) => {
        $(
            #[async_trait]
            #[deny(clippy::missing_trait_methods)]
            impl<L: Layer> $trait for Layered<L> {
                $(
                    async fn $method(&self, ctx: &CallCtx, $($arg: $ty),*) -> Result<$ret> {
                        let inner = self.0.inner();
                        let call = || inner.$method(ctx, $($arg),*);
                        let args = || args_key(&[$(&$arg as &dyn erased::Key),*]);
                        let info = CallInfo { op: Op::$op, ctx, args: &args };
                        self.0.around(&info, &call).await
                    }
                )*
            }
        )*
    };
}

crate::with_provider_api!(define_forwarding);

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl<L: Layer> Provider for Layered<L> {
    fn info(&self) -> &ProviderInfo {
        self.0.inner().info()
    }
    fn capabilities(&self) -> &Capabilities {
        self.0.inner().capabilities()
    }
    fn id_grammar(&self) -> IdGrammar {
        self.0.inner().id_grammar()
    }
    fn records_dry_runs(&self) -> bool {
        self.0.inner().records_dry_runs()
    }
    async fn health(&self) -> Health {
        self.0.inner().health().await
    }
}

/// The layer that makes a call's request id visible to the adapter (the `X-Request-Id` it
/// forwards), for requests and for the tracker probes they start alike.
pub struct RequestScope(pub Arc<dyn Provider>);

impl Layer for RequestScope {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.0
    }

    fn around<'a, T: Answer>(
        &'a self,
        info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        Box::pin(info.ctx.scope(call()))
    }
}

/// In a dry run, notes every provider call in the log, and stops a mutation of a provider whose
/// transport does not record vendor requests ([`Provider::records_dry_runs`]) before it
/// changes anything.
pub struct DryRunGuard(pub Arc<dyn Provider>);

impl Layer for DryRunGuard {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.0
    }

    fn around<'a, T: Answer>(
        &'a self,
        info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        let log = crate::dry_run::active();
        if let Some(log) = &log {
            log.enter(&self.0.info().id, info.op.name());
        }
        match log {
            Some(log) if info.op.is_mutation() && !self.0.records_dry_runs() => {
                let note = format!(
                    "`{}` keeps its state in the gateway's memory: it has no vendor request to \
                     show, and nothing was changed",
                    self.0.info().id
                );
                Box::pin(async move { Err(log.stop_without_request(note)) })
            }
            _ => call(),
        }
    }
}

#[cfg(test)]
#[path = "layer_tests.rs"]
mod tests;
