//! The servers backups protect, and backup agents.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strata_core::catalogue::Op;
use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;
use strata_core::operation::{Operation, Probe};
use strata_core::provider::Provider;
use utoipa::{IntoParams, ToSchema};

use super::{backup_check, page_of, BackupTargetList};
use crate::routes::*;

/// The probe of `backup_agent.check`: settles once the agent was checked at or after
/// `asked` (RFC 3339, the operation's detail), so any replica can rebuild it.
pub(crate) fn agent_check_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
    asked: String,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    let asked = chrono::DateTime::parse_from_rfc3339(&asked)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|_| chrono::Utc::now());
    poller(p, id, ctx, move |p, id, ctx| async move {
        let a = p.get_backup_agent(&ctx, &id).await?;
        if a.checked_at.is_none_or(|t| t < asked) {
            return Ok(Probe::Pending);
        }
        Ok(Probe::Done(serde_json::to_value(&a).ok()))
    })
}

pub(crate) fn agent_probe(
    p: Arc<dyn Provider>,
    id: GlobalId,
    ctx: CallCtx,
) -> impl FnMut() -> ProbeFuture + Send + 'static {
    settle(p, id, ctx, |p, ctx, id| p.get_backup_agent(ctx, id))
}

/// The provider and server type of a server list, and its paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetParams {
    /// The provider to ask.
    #[param(max_length = 255)]
    pub provider: String,
    /// The kind of server.
    pub server_type: ServerType,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "crate::routes::page_size")]
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

impl TargetParams {
    fn split(self) -> (String, ServerType, PageParams) {
        (
            self.provider,
            self.server_type,
            PageParams {
                page_size: self.page_size,
                page_token: self.page_token,
            },
        )
    }
}

/// Servers of one type a backup policy can protect (`server_id` of `POST /v1/backups`).
#[utoipa::path(get, path = "/v1/backup-targets", tag = "backups", params(TargetParams), responses((status = 200, body = BackupTargetList)))]
pub async fn list_backup_targets(r: Req, ApiQuery(q): ApiQuery<TargetParams>) -> ApiResult {
    let (provider, server_type, page) = q.split();
    let p = r.provider(&provider)?;
    backup_check(&p, |_| Ok(()))?;
    let page = page_of(&p, page);
    let found = provider_call(&p, p.list_backup_targets(&r.ctx, server_type, &page)).await?;
    Ok(ok(&BackupTargetList {
        targets: found.items,
        next_page_token: found.next_page_token,
    }))
}

/// Servers of one type a backup agent can be installed on (`server_id` of
/// `POST /v1/backup-agents`).
#[utoipa::path(get, path = "/v1/backup-agent-targets", tag = "backups", params(TargetParams), responses((status = 200, body = BackupTargetList)))]
pub async fn list_agent_targets(r: Req, ApiQuery(q): ApiQuery<TargetParams>) -> ApiResult {
    let (provider, server_type, page) = q.split();
    let p = r.provider(&provider)?;
    backup_check(&p, |b| b.require_agents())?;
    let page = page_of(&p, page);
    let found = provider_call(&p, p.list_agent_targets(&r.ctx, server_type, &page)).await?;
    Ok(ok(&BackupTargetList {
        targets: found.items,
        next_page_token: found.next_page_token,
    }))
}

/// A page of backup agents across providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupAgentList {
    /// The agents of this page, by server.
    pub agents: Vec<BackupAgent>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Providers that could not be listed; the page holds everything else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<UnreachableProvider>,
}

/// Lists backup agents across every provider the token may use that manages them.
#[utoipa::path(get, path = "/v1/backup-agents", tag = "backups", params(lists::ProviderListParams), responses((status = 200, body = BackupAgentList)))]
pub async fn list_backup_agents(
    r: Req,
    ApiQuery(q): ApiQuery<lists::ProviderListParams>,
) -> ApiResult {
    let merged = lists::across(
        &r,
        lists::Across {
            named: q.provider.as_deref(),
            require: &|p| backup_check(p, |b| b.require_agents()),
            select: &|p| p.capabilities().backups.as_ref().is_some_and(|b| b.agents),
            fingerprint: &["backup-agents", q.provider.as_deref().unwrap_or("")],
            page: (q.page_size, q.page_token.as_deref()),
        },
        |p, ctx, req| async move { p.list_backup_agents(&ctx, &req).await },
        |a: &BackupAgent| (a.server_id.clone(), a.id.clone()),
    )
    .await?;
    Ok(ok(&BackupAgentList {
        agents: merged.items,
        next_page_token: merged.next_page_token,
        unreachable: merged.unreachable.into_iter().map(Into::into).collect(),
    }))
}

/// Registers a backup agent for a server (`filesystem` policies back up through it).
#[utoipa::path(post, path = "/v1/backup-agents", tag = "backups", params(MutationParams), request_body = CreateBackupAgent,
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn create_backup_agent(
    m: Mutation,
    ApiJson(req): ApiJson<CreateBackupAgent>,
) -> ApiResult {
    let p = m.provider(&req.provider)?;
    backup_check(&p, |b| b.require_agents())?;
    crate::routes::volumes::server_ref(&p, &req.server_id)?;
    let a = provider_call(&p, p.create_backup_agent(&m.ctx, &req)).await?;
    let t = Target::returned(&p, &a.id, ResourceType::BackupAgent)?;
    m.track(Op::AgentCreate, t).await
}

/// One backup agent.
#[utoipa::path(get, path = "/v1/backup-agents/{id}", tag = "backups", params(("id" = String, Path, description = "Backup agent id")), responses((status = 200, body = BackupAgent)))]
pub async fn get_backup_agent(r: Req, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = r.target(&id, ResourceType::BackupAgent)?;
    t.answer(t.p.get_backup_agent(&r.ctx, &t.id)).await
}

/// Removes a backup agent.
#[utoipa::path(delete, path = "/v1/backup-agents/{id}", tag = "backups", params(("id" = String, Path, description = "Backup agent id"), MutationParams),
    responses((status = 202, body = Operation), (status = 200, body = Operation)))]
pub async fn delete_backup_agent(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::BackupAgent)?;
    m.run(
        &t,
        Op::AgentDelete,
        |t| backup_check(&t.p, |b| b.require_agents()),
        |p, ctx, id| p.delete_backup_agent(ctx, id),
    )
    .await
}

/// Checks that a backup agent reaches the vendor's backup master.
///
/// The operation settles with the agent once the check is over (`connection` is
/// `connected` or `disconnected`).
#[utoipa::path(post, path = "/v1/backup-agents/{id}/check", tag = "backups", params(("id" = String, Path, description = "Backup agent id"), MutationParams),
    responses((status = 202, body = Operation, description = "Settles with the checked agent"), (status = 200, body = Operation)))]
pub async fn check_backup_agent(m: Mutation, ApiPath(id): ApiPath<String>) -> ApiResult {
    let t = m.target(&id, ResourceType::BackupAgent)?;
    // The check is over once the agent says it was checked after this request (vendors
    // report check times to the second).
    let asked = chrono::Utc::now() - chrono::Duration::seconds(1);
    m.run_with(
        &t,
        Op::AgentCheck,
        Some(asked.to_rfc3339()),
        |t| backup_check(&t.p, |b| b.require_agents()),
        |p, ctx, id| {
            Box::pin(async move {
                p.check_backup_agent(ctx, id).await?;
                Ok(())
            })
        },
    )
    .await
}

/// An operating system the agent installs on.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentOs {
    /// Linux.
    Linux,
    /// Windows.
    Windows,
}

/// The provider and operating system of an agent installer.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstallerParams {
    /// The provider to ask.
    #[param(max_length = 255)]
    pub provider: String,
    /// The operating system.
    pub os: AgentOs,
}

/// Where to download the backup agent for an operating system.
#[utoipa::path(get, path = "/v1/backup-agent-installers", tag = "backups", params(InstallerParams), responses((status = 200, body = AgentInstaller)))]
pub async fn get_agent_installer(r: Req, ApiQuery(q): ApiQuery<InstallerParams>) -> ApiResult {
    let p = r.provider(&q.provider)?;
    backup_check(&p, |b| b.require_agents())?;
    let os = match q.os {
        AgentOs::Linux => "linux",
        AgentOs::Windows => "windows",
    };
    Ok(ok(
        &provider_call(&p, p.backup_agent_installer(&r.ctx, os)).await?
    ))
}
