//! Lists across providers: the one sequence every cross-provider list runs.

use std::future::Future;
use std::sync::Arc;

use strata_core::context::CallCtx;
use strata_core::error::Result as CoreResult;
use strata_core::paging::{
    effective_page_size, fingerprint, merge_pages, MergedPage, Page, PageRequest,
};
use strata_core::provider::Provider;

use serde::Deserialize;
use utoipa::IntoParams;

use super::Req;
use crate::problem::Problem;

/// The provider and name filters and paging of a cross-provider list of named resources
/// (volume groups, backups, archives).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NamedListParams {
    /// Only those of this provider.
    pub provider: Option<String>,
    /// Only those whose name contains this text.
    pub name: Option<String>,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// The provider filter and paging of a cross-provider list (backup agents, archive
/// policies).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProviderListParams {
    /// Only those of this provider.
    pub provider: Option<String>,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// What a named provider must offer for a list to read it.
pub(crate) type Requirement = dyn Fn(&Arc<dyn Provider>) -> Result<(), Problem> + Sync;

/// Which providers a cross-provider list reads, and how its page token is bound.
pub(crate) struct Across<'a> {
    /// The provider the client named (`?provider=`), if any.
    pub named: Option<&'a str>,
    /// What the named provider must offer (its refusal is the answer).
    pub require: &'a Requirement,
    /// Which providers take part (the others are left out silently).
    pub select: &'a (dyn Fn(&Arc<dyn Provider>) -> bool + Sync),
    /// What the page token is bound to: the list and its filters.
    pub fingerprint: &'a [&'a str],
    /// `page_size` and `page_token` of the request.
    pub page: (Option<u32>, Option<&'a str>),
}

/// Reads one page across the providers the token may use (or the named one), each through
/// `fetch` within the list deadline, merged by `key`; a provider that does not answer in time
/// is reported as unreachable while the rest is answered. The deadline is the request's, not
/// each call's: the pages the merge asks for to fill the page share it.
pub(crate) async fn across<T, K, F, Fut>(
    r: &Req,
    a: Across<'_>,
    fetch: F,
    key: impl Fn(&T) -> K,
) -> Result<MergedPage<T>, Problem>
where
    K: Ord,
    F: Fn(Arc<dyn Provider>, CallCtx, PageRequest) -> Fut,
    Fut: Future<Output = CoreResult<Page<T>>>,
{
    let providers: Vec<Arc<dyn Provider>> = match a.named {
        Some(id) => {
            let p = r.state.registry.get(id, &r.principal)?;
            (a.require)(&p)?;
            vec![p]
        }
        None => r.state.registry.visible(&r.principal).cloned().collect(),
    };
    let providers: Vec<Arc<dyn Provider>> =
        providers.into_iter().filter(|p| (a.select)(p)).collect();
    let ids: Vec<String> = providers.iter().map(|p| p.info().id.clone()).collect();
    let deadline = tokio::time::Instant::now() + r.state.config.layers.list_deadline();
    let read = |pid: String, mut req: PageRequest| {
        let p = providers.iter().find(|p| p.info().id == pid).cloned();
        let ctx = CallCtx {
            deadline: Some(deadline),
            ..r.ctx.clone()
        };
        let fetch = &fetch;
        async move {
            let p =
                p.ok_or_else(|| strata_core::Error::Internal(format!("provider {pid} vanished")))?;
            req.page_size = req.page_size.min(p.capabilities().max_page_size.max(1));
            fetch(p, ctx, req).await
        }
    };
    merge_pages(
        &ids,
        a.page.1,
        effective_page_size(a.page.0),
        &fingerprint(a.fingerprint),
        read,
        key,
    )
    .await
    .map_err(Problem::from)
}
