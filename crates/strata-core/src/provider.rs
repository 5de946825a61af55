//! The provider abstraction: one async trait per resource family, generated from the
//! [operation catalogue](crate::catalogue).
//!
//! Every method takes the [`CallCtx`] of the call and has a default that answers
//! `unsupported_by_provider` with the operation's catalogue name, so an adapter implements
//! exactly what its vendor can do and declares the same in its [`Capabilities`]. Wrappers do
//! not implement these traits by hand: they implement [`Layer`](crate::layer::Layer) and are
//! wrapped in [`Layered`](crate::layer::Layered), which forwards every operation. The gateway
//! validates requests against the capabilities before calling these methods; adapters may
//! still refuse what the vendor refuses.
//!
//! Mutations return the resource as the vendor reported it right after accepting the change
//! (often in a transitional status). The gateway settles them by polling the `get_*` methods.

use async_trait::async_trait;

use crate::capability::Capabilities;
use crate::catalogue::Op;
use crate::context::CallCtx;
use crate::error::{Error, Result};
use crate::ids::{GlobalId, IdGrammar};
use crate::model::*;
use crate::paging::{Page, PageRequest};

macro_rules! define_traits {
    ( () $( $trait:ident $family:ident {
        $( $(#[$doc:meta])* $op:ident $name:literal $kind:ident $method:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*
    } )* ) => {
        $(
            #[doc = concat!("The `", stringify!($family), "` family of provider operations.")]
            #[async_trait]
            pub trait $trait: Send + Sync {
                $(
                    $(#[$doc])*
                    #[doc = concat!("\n\nOperation [`Op::", stringify!($op), "`]; by default `unsupported_by_provider`.")]
                    #[allow(unused_variables)]
                    async fn $method(&self, ctx: &CallCtx, $($arg: $ty),*) -> Result<$ret> {
                        Err(Error::unsupported(Op::$op.name()))
                    }
                )*
            }
        )*
    };
}

crate::with_provider_api!(define_traits);

/// Health of a provider as last observed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// Whether the vendor was reachable.
    pub ok: bool,
    /// What went wrong, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A provider: one vendor account in one region, with everything it supports.
#[async_trait]
pub trait Provider:
    VolumeOps + SnapshotOps + ReplicaOps + VolumeGroupOps + BackupOps + ArchiveOps
{
    /// Which provider this is: its id, vendor and region.
    fn info(&self) -> &ProviderInfo;
    /// What the provider supports, and within which limits.
    fn capabilities(&self) -> &Capabilities;
    /// What this provider's vendor ids look like; the gateway checks every id against it
    /// before the provider sees the id.
    fn id_grammar(&self) -> IdGrammar {
        IdGrammar::Token
    }
    /// Whether the provider's transport records its vendor requests in a dry run
    /// ([`crate::dry_run`]) instead of sending them. A provider that does not (one keeping
    /// its state in process) has its mutations stopped before they run ([`DryRunGuard`]).
    ///
    /// [`DryRunGuard`]: crate::layer::DryRunGuard
    fn records_dry_runs(&self) -> bool {
        false
    }
    /// A cheap reachability check of the vendor.
    async fn health(&self) -> Health {
        Health {
            ok: true,
            detail: None,
        }
    }
}
