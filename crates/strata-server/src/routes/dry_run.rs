//! `?validate_only=true` on every change: the request runs as a real one up to its first
//! vendor call, which the adapter records instead of sending (core `dry_run`); the answer is
//! the [`DryRun`] document. One step of the `/v1` pipeline, so a mutation route added later
//! has it too.

use std::future::Future;

use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use strata_core::dry_run::{self, DryRunLog};

use crate::app::Step;
use crate::problem::Problem;

/// Whether the query asks for a dry run: a `validate_only` of `true`, decoded as the
/// mutation's query extractor decodes it. Any other value is left to that extractor, which
/// refuses what is not `true`/`false` before the handler runs (and refuses `true` outside a
/// dry run), so a malformed flag can never turn into a real change.
pub(crate) fn wants_dry_run(uri: &axum::http::Uri) -> bool {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .is_ok_and(|q| q.0.iter().any(|(k, v)| k == "validate_only" && v == "true"))
}

/// Runs a mutation as a dry run when asked to; everything else passes through untouched (the
/// next step's future as it is, so a read's future carries nothing of this step).
pub fn dry_run<'a, F, Fut>(req: Request, next: F) -> Step<'a, Fut>
where
    F: FnOnce(Request) -> Fut + Send + 'a,
    Fut: Future<Output = Response> + Send + 'a,
{
    if req.method() == Method::GET || !wants_dry_run(req.uri()) {
        return Step::Left(next(req));
    }
    Step::Right(Box::pin(async move {
        let log = DryRunLog::new();
        let resp = dry_run::scope(log.clone(), next(req)).await;
        if log.stopped() {
            // It reached the vendor boundary: everything before it passed.
            return axum::Json(log.document()).into_response();
        }
        if resp.status().is_success() {
            // A change that completed without reaching a provider's transport would have done
            // something for real; the tracker refuses to start operations in a dry run, so
            // this is a bug, not a client error.
            tracing::error!("a dry run finished without stopping at a vendor call");
            return Problem::internal().into_response();
        }
        // Refused before any vendor call: the same answer as without `validate_only`.
        resp
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_read_as_the_extractor_reads_it() {
        let asks = |q: &str| wants_dry_run(&format!("/v1/volumes{q}").parse().unwrap());
        for q in [
            "?validate_only=true",
            "?wait=5s&validate_only=true",
            "?validate_only=%74rue",
        ] {
            assert!(asks(q), "{q}");
        }
        for q in [
            "",
            "?",
            "?validate_only=false",
            "?validate_only=TRUE",
            "?validate_only=1",
            "?xvalidate_only=true",
        ] {
            assert!(!asks(q), "{q}");
        }
    }
}
