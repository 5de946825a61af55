//! `strata demo`: the gateway with built-in providers and no cloud account (the `demo`
//! cargo feature, on by default; it also registers the `memory` vendor).
//!
//! Two in-memory providers (`demo-kr1`, `demo-kr2`) and two NHN Cloud NAS providers
//! (`nhn-kr1`, `nhn-kr2`) backed by the in-process NHN simulator (identity + NAS over real
//! HTTP on loopback ports). The NHN providers are built from ordinary provider configuration,
//! exactly as `strata serve` would build them against the real cloud. Likewise `scp-kr-west1`
//! and `scp-kr-east1` (File Storage and Parallel File Storage) talk signed HTTP to the
//! in-process SCP simulator.

pub mod archives;

use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;
use serde_json::json;
use strata_core::model::Protocol;
use strata_sim::memory::MemoryProvider;
use strata_sim::nhn::{NhnSim, NhnSimConfig, SeedVolume};
use strata_sim::scp::{ScpSim, ScpSimConfig, Service};

use crate::config::{Config, ProviderConfig, SecretSource};
use crate::state::Registry;
use crate::vendors::build_providers;

/// The factory of the `memory` vendor: an in-memory provider whose changes settle after
/// `settle_delay_ms` (default 500), replicating to `replication_regions`.
pub fn memory_provider(
    cfg: &ProviderConfig,
    _all: &[ProviderConfig],
) -> anyhow::Result<Arc<dyn strata_core::provider::Provider>> {
    let delay_ms = cfg
        .settings
        .get("settle_delay_ms")
        .and_then(|v| v.as_u64())
        .unwrap_or(500);
    let regions = cfg
        .settings
        .get("replication_regions")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(Arc::new(
        MemoryProvider::new(&cfg.id, &cfg.region, Duration::from_millis(delay_ms))
            .with_replication_regions(regions),
    ))
}

/// Block volumes the demo seeds with fixed vendor ids in `scp-kr-west1` (in no group), so
/// the volume group examples of the API documentation name real volumes: the create example
/// groups the first, the members example adds the second.
pub const DEMO_BLOCK_VOLUMES: [(&str, &str); 2] = [
    ("5ca1ab1e00004000800000000000a001", "spare-a"),
    ("5ca1ab1e00004000800000000000b002", "spare-b"),
];

/// The backup objects the demo seeds with fixed ids in `scp-kr-west1`, named by the API
/// documentation's examples: a server that can be protected (vendor id), and an image
/// backup policy of another server with its newest recovery point.
pub const DEMO_BACKUP: (&str, &str, &str) = (
    "8a1f0c2e4b6d4e8f9a0b1c2d3e4f5a6b",
    "b0c1d2e3f4a5467889abcdef01234567",
    "4d1f6a2e-8b3c-4e5f-9a7b-0c1d2e3f4a5b",
);

/// The demo configuration: a random HS256 secret (tokens are valid for this run only) and
/// the given listen address.
pub fn demo_config(listen: &str) -> Config {
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let mut cfg = Config {
        listen: listen.into(),
        ..Config::default()
    };
    cfg.auth.hs256_secret = Some(SecretSource::Literal(hex::encode(secret)));
    cfg.operations.initial_poll_ms = 100;
    cfg.operations.max_poll_ms = 1000;
    cfg
}

/// The simulators behind the demo providers; they stop when this is dropped.
pub struct DemoSimulators {
    /// The NHN identity and NAS simulator.
    pub nhn: NhnSim,
    /// The SCP File Storage and Parallel File Storage simulators.
    pub scp: ScpSim,
}

/// Provider configuration for SCP regions served by `sim` (one account, both services).
pub fn scp_provider_configs(sim: &ScpSim, regions: &[&str]) -> Vec<ProviderConfig> {
    let c = sim.config();
    regions
        .iter()
        .map(|r| {
            let settings = json!({
                "environment": c.environment,
                "services": ["file", "parallel_file", "block", "backup", "archive"],
                "access_key": c.access_key,
                "secret_key": c.secret_key,
                "account_id": c.account_id,
                "endpoints": {
                    "file": sim.url(Service::FileStorage, r),
                    "parallel_file": sim.url(Service::ParallelFileStorage, r),
                    "block": sim.url(Service::BlockStorage, r),
                    "backup": sim.url(Service::Backup, r),
                    "archive": sim.url(Service::ArchiveStorage, r),
                },
            });
            ProviderConfig {
                id: format!("scp-{r}"),
                vendor: "scp".into(),
                region: r.to_string(),
                display_name: Some(format!("Samsung Cloud Platform {r} (simulated)")),
                settings: settings.as_object().cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Provider configuration for NHN regions served by `sim` (one tenant).
pub fn nhn_provider_configs(sim: &NhnSim, regions: &[&str]) -> Vec<ProviderConfig> {
    let c = sim.config();
    regions
        .iter()
        .map(|r| {
            let settings = json!({
                "identity_url": sim.identity_url(),
                "tenant_id": c.tenant_id,
                "username": c.username,
                "password": c.password,
                "replication_regions": regions.iter().filter(|o| *o != r).collect::<Vec<_>>(),
            });
            ProviderConfig {
                id: format!("nhn-{}", r.to_ascii_lowercase()),
                vendor: "nhn".into(),
                region: r.to_string(),
                display_name: Some(format!("NHN Cloud NAS {r} (simulated)")),
                settings: settings.as_object().cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Starts the simulators and builds the demo providers, seeded with sample volumes.
pub async fn demo_registry() -> anyhow::Result<(Registry, DemoSimulators)> {
    let mut r = Registry::new();

    let kr1 = MemoryProvider::new("demo-kr1", "KR1", Duration::from_secs(2))
        .with_replication_regions(vec!["KR2".into()]);
    kr1.seed_volume("shared-assets", 500, Protocol::Nfs);
    kr1.seed_volume("build-cache", 1000, Protocol::Nfs);
    let kr2 = MemoryProvider::new("demo-kr2", "KR2", Duration::from_secs(2))
        .with_replication_regions(vec!["KR1".into()]);
    kr2.seed_volume("windows-profiles", 300, Protocol::Cifs);
    let kr1 = Arc::new(kr1);
    archives::seed_memory(&kr1).await?;
    r.insert(kr1);
    r.insert(Arc::new(kr2));

    let nhn = NhnSim::start(NhnSimConfig {
        regions: vec!["KR1".into(), "KR2".into()],
        delay: Duration::from_secs(2),
        ..Default::default()
    })
    .await?;
    nhn.seed_volume(
        "KR1",
        SeedVolume {
            acl: vec!["10.0.1.0/24".into()],
            subnet_ids: vec!["cb779d62-72ef-43b6-b368-3fe28dcd812b".into()],
            ..SeedVolume::nfs("analytics", 500)
        },
    );
    nhn.seed_volume(
        "KR1",
        SeedVolume {
            protocol: "cifs".into(),
            ..SeedVolume::nfs("team-share", 300)
        },
    );
    nhn.seed_volume("KR2", SeedVolume::nfs("dr-staging", 300));
    for p in build_providers(&nhn_provider_configs(&nhn, &["KR1", "KR2"]))? {
        r.insert(p);
    }

    let scp = ScpSim::start(ScpSimConfig {
        delay: Duration::from_secs(2),
        ..Default::default()
    })
    .await?;
    scp.seed_file_volume("kr-west1", "web_content", "NFS", "SSD");
    scp.seed_file_volume("kr-west1", "finance_share", "CIFS", "HDD");
    scp.seed_parallel_volume("kr-west1", "training_data", 100);
    scp.seed_file_volume("kr-east1", "dr_landing", "NFS", "HDD");
    // Block storage: a database's data and log volumes on two bare-metal servers, grouped
    // so they are snapshotted together, and a spare volume attached to nothing.
    let servers = [
        ("3f1c2a7e9b8d4c6fa1e2d3c4b5a69788", "BM"),
        ("7a8b9c0d1e2f4a3b8c7d6e5f4a3b2c1d", "BM"),
    ];
    let data = scp.seed_block_volume("kr-west1", "orders-data", "SSD", 500, &servers);
    let log = scp.seed_block_volume("kr-west1", "orders-log", "SSD", 100, &servers);
    scp.seed_block_volume("kr-west1", "scratch", "HDD", 200, &[]);
    scp.seed_volume_group("kr-west1", "orders-db", &[&data, &log]);
    // Backups: servers to protect (one with a fixed id the documentation names), an image
    // policy with history and recovery points (fixed ids too), and a filesystem policy
    // through an agent.
    let (server, backup, point) = DEMO_BACKUP;
    scp.seed_backup_target_as(server, "kr-west1", "web-01", "VIRTUAL_SERVER", "LINUX");
    let web2 = scp.seed_backup_target("kr-west1", "web-02", "VIRTUAL_SERVER", "LINUX");
    let files = scp.seed_backup_target("kr-west1", "files-01", "VIRTUAL_SERVER", "LINUX");
    scp.seed_backup_target("kr-west1", "db-01", "BAREMETAL_SERVER", "LINUX");
    scp.seed_backup_as((backup, point), "kr-west1", "web-02-weekly", &web2, "image");
    scp.seed_backup("kr-west1", "files-01-data", &files, "filesystem");
    // Two volumes with fixed ids, so the documentation's volume group examples name them.
    for (id, name) in DEMO_BLOCK_VOLUMES {
        scp.seed_block_volume_as(id, "kr-west1", name, "SSD", 50);
    }
    for p in build_providers(&scp_provider_configs(&scp, &["kr-west1", "kr-east1"]))? {
        if p.info().id == "scp-kr-west1" {
            archives::seed_scp(&scp, &p).await?;
        }
        r.insert(p);
    }
    Ok((r, DemoSimulators { nhn, scp }))
}

#[cfg(test)]
mod tests {
    use strata_core::ids::{GlobalId, ResourceType};
    use strata_core::model::VolumeKind;

    /// The volume group examples of the API documentation name the demo's fixed volumes.
    #[test]
    fn documented_volume_ids_are_the_demos() {
        let ids: Vec<String> = super::DEMO_BLOCK_VOLUMES
            .iter()
            .map(|(vendor, _)| {
                GlobalId::new(
                    ResourceType::Volume,
                    "scp-kr-west1",
                    Some(VolumeKind::Block),
                    *vendor,
                )
                .encode()
            })
            .collect();
        let spec = serde_json::to_value(crate::openapi::spec()).unwrap();
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["CreateVolumeGroup"]["example"]["volume_ids"][0],
            ids[0]
        );
        assert_eq!(schemas["GroupMembers"]["example"]["volume_ids"][0], ids[1]);
    }

    /// The backup examples of the API documentation name the demo's fixed server, policy
    /// and recovery point.
    #[test]
    fn documented_backup_ids_are_the_demos() {
        let (server, backup, point) = super::DEMO_BACKUP;
        let rp = GlobalId::new(ResourceType::RecoveryPoint, "scp-kr-west1", None, point)
            .with_parent(backup)
            .encode();
        let spec = serde_json::to_value(crate::openapi::spec()).unwrap();
        let schemas = &spec["components"]["schemas"];
        assert_eq!(schemas["CreateBackup"]["example"]["server_id"], server);
        assert_eq!(schemas["CreateBackupAgent"]["example"]["server_id"], server);
        assert_eq!(schemas["RestoreBackup"]["example"]["recovery_point_id"], rp);
    }
}
