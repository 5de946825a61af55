//! Backup targets (servers that can be protected or get an agent) and backup agents.

use chrono::Utc;
use serde_json::Value;
use strata_core::error::{Error, Result};
use strata_core::ids::ResourceType;
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};

use super::api;
use super::{map, wire, BackupService};
use crate::shared::wire::{decode, time};

impl BackupService {
    /// The `backup_agent_not_found` error of agent `aid`.
    fn agent_gone(&self, aid: &str) -> impl FnOnce(Error) -> Error {
        Error::vendor_404_as(
            ResourceType::BackupAgent,
            self.ids.gid(ResourceType::BackupAgent, aid).encode(),
        )
    }

    fn targets(rows: &[Value], t: ServerType) -> Result<Vec<BackupTarget>> {
        rows.iter()
            .map(|v| Ok(map::target(&decode(v)?, v, Some(t))))
            .collect()
    }

    /// Servers of type `t` a policy can protect (ListBackupTargets).
    pub async fn list_backup_targets(
        &self,
        t: ServerType,
        req: &PageRequest,
    ) -> Result<Page<BackupTarget>> {
        let c = map::category(t);
        let (rows, next) = Self::page(req, |p| api::list_backup_targets(&self.api, c, p)).await?;
        Ok(Page {
            items: Self::targets(&rows, t)?,
            next_page_token: next,
        })
    }

    /// Servers of type `t` an agent can be registered on (ListTargetsOfBackupAgent).
    pub async fn list_agent_targets(
        &self,
        t: ServerType,
        req: &PageRequest,
    ) -> Result<Page<BackupTarget>> {
        let c = map::category(t);
        let (rows, next) = Self::page(req, |p| api::list_agent_targets(&self.api, c, p)).await?;
        Ok(Page {
            items: Self::targets(&rows, t)?,
            next_page_token: next,
        })
    }

    /// ShowBackupAgent, decoded and raw.
    async fn show_agent(&self, aid: &str) -> Result<(wire::Agent, Value)> {
        let raw = api::show_agent(&self.api, aid)
            .await
            .map_err(self.agent_gone(aid))?;
        Ok((decode(&raw)?, raw))
    }

    /// The agent `aid` as the model has it.
    pub async fn get_backup_agent(&self, aid: &str) -> Result<BackupAgent> {
        let (a, raw) = self.show_agent(aid).await?;
        Ok(map::agent(&self.ids, &a, &raw))
    }

    /// Agents a page at a time, oldest first, each read in full (list rows lack the
    /// server's id and OS).
    pub async fn list_backup_agents(&self, req: &PageRequest) -> Result<Page<BackupAgent>> {
        let (rows, next) = Self::page(req, |p| api::list_agents(&self.api, p)).await?;
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|v| v["id"].as_str().map(str::to_string))
            .collect();
        let mut items = vec![];
        for a in futures::future::join_all(ids.iter().map(|i| self.get_backup_agent(i))).await {
            match a {
                Ok(a) => items.push(a),
                // Deleted between the list and the read.
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    /// CreateBackupAgent; returns the agent as read.
    pub async fn create_backup_agent(&self, req: &CreateBackupAgent) -> Result<BackupAgent> {
        let env: wire::Envelope = decode(&api::create_agent(&self.api, &req.server_id).await?)?;
        if let Some(aid) = env.resource.and_then(|r| r.id).filter(|i| !i.is_empty()) {
            return self.get_backup_agent(&aid).await;
        }
        // No id back: the agent is the one on the server (one agent per server). List rows
        // carry no server id, so each listed agent is read until it is found.
        for page in 0..10 {
            let raw = api::list_agents(&self.api, api::VendorPage { page, size: 100 }).await?;
            let l: wire::List<wire::Agent> = decode(&raw)?;
            let last = l.contents.len() < 100;
            for row in l.contents.iter().rev() {
                let (a, raw) = self.show_agent(&row.id).await?;
                if a.server_uuid.as_deref() == Some(req.server_id.as_str()) {
                    return Ok(map::agent(&self.ids, &a, &raw));
                }
            }
            if last {
                break;
            }
        }
        Err(Error::VendorFailed {
            vendor_status: None,
            vendor_code: None,
            message: "the created backup agent is not listed".into(),
        })
    }

    /// DeleteBackupAgent.
    pub async fn delete_backup_agent(&self, aid: &str) -> Result<()> {
        api::delete_agent(&self.api, aid)
            .await
            .map_err(self.agent_gone(aid))?;
        Ok(())
    }

    /// CheckBackupMasterConnectionState (a GET answering 202), then the agent as read. The
    /// result comes later: while the agent's `connection_check_time` predates the call, its
    /// connection reads `checking`.
    pub async fn check_backup_agent(&self, aid: &str) -> Result<BackupAgent> {
        let start = Utc::now() - chrono::Duration::seconds(1);
        api::check_connection(&self.api, aid)
            .await
            .map_err(self.agent_gone(aid))?;
        let (a, raw) = self.show_agent(aid).await?;
        let mut agent = map::agent(&self.ids, &a, &raw);
        let checked = raw["connection_check_time"].as_str().map(str::to_string);
        if time(&checked).is_none_or(|t| t < start) {
            agent.connection = AgentConnection::Checking;
        }
        Ok(agent)
    }

    /// ShowBackupAgentInstallFilePath for `linux` or `windows`.
    pub async fn backup_agent_installer(&self, os: &str) -> Result<AgentInstaller> {
        let os_type = match os.to_ascii_lowercase().as_str() {
            "linux" => "LINUX",
            "windows" => "WINDOWS",
            _ => {
                return Err(Error::unsupported_value(
                    "os",
                    format!("agent installers exist for `linux` and `windows`, not `{os}`"),
                ))
            }
        };
        let p: wire::InstallFilePath = decode(&api::install_file_path(&self.api, os_type).await?)?;
        Ok(AgentInstaller {
            os: os_type.to_ascii_lowercase(),
            url: p.install_file_path,
        })
    }
}
