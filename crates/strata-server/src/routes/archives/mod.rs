//! Archives: cold-tier buckets an archiving policy fills from an object storage bucket, their
//! objects and object versions, and the jobs (archiving runs, recoveries) they run.

use std::sync::Arc;

use strata_core::context::CallCtx;
use strata_core::ids::GlobalId;
use strata_core::operation::Probe;
use strata_core::provider::Provider;

use super::*;

pub(crate) fn archive_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_archive(ctx, id))
}

pub(crate) fn archive_job_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_archive_job(ctx, id))
}

/// The policy changes synchronously at the vendor: the result is the policy as it stands.
pub(crate) fn policy_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    poller(p, id, ctx, |p, id, ctx| async move {
        let policy = p.get_archive_policy(&ctx, &id).await?;
        Ok(Probe::Done(serde_json::to_value(policy).ok()))
    })
}
