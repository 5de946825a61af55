//! The demo's archives: an SCP Archive Storage archive filled from an object storage bucket
//! by its daily policy, with versions (one with the id the documentation's examples name),
//! and object storage buckets for the examples' policy and recovery.

use std::sync::Arc;

use strata_core::context::CallCtx;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::{CreateArchive, PutArchivePolicy};
use strata_core::provider::Provider;
use strata_sim::memory::MemoryProvider;
use strata_sim::scp::ScpSim;

/// The archived version the documentation's version examples name (of
/// `reports/summary.csv`, in every archive the demo and its tests seed).
pub const DEMO_ARCHIVE_VERSION: (&str, &str) =
    ("reports/summary.csv", "Oc9nEYWV.6VjzsIMXFZWM1zL8HcYvKl");

/// Objects of the demo's source buckets: key, size in bytes, age in days.
const SOURCE_OBJECTS: [(&str, u64, u32); 5] = [
    ("reports/2024/q1.csv", 48_213, 240),
    ("reports/2024/q2.csv", 51_877, 150),
    ("reports/summary.csv", 3_581, 60),
    ("access/2024-01.log", 1_204_551, 330),
    ("access/today.log", 88_120, 0),
];

/// Fills an existing SCP archive bucket (vendor id) with the documented objects: the folder
/// `reports/2024/`, and `reports/summary.csv` with the documented version.
pub fn fill(scp: &ScpSim, region: &str, bucket: &str) {
    for (key, size, _) in &SOURCE_OBJECTS[..2] {
        scp.seed_archived_object(region, bucket, key, *size);
    }
    let (key, version) = DEMO_ARCHIVE_VERSION;
    scp.seed_archived_object_as(region, bucket, key, 3_000, version);
}

/// Seeds `scp-kr-west1`: object storage buckets `web-logs` (the source of the archive
/// `web-logs-archive`), `app-logs` (free for a policy) and `restored` (empty, to recover
/// into), and the archive with its policy (made through the provider, as a client would)
/// and a first archiving run.
pub async fn seed_scp(scp: &ScpSim, p: &Arc<dyn Provider>) -> anyhow::Result<()> {
    let region = "kr-west1";
    for bucket in ["web-logs", "app-logs"] {
        scp.seed_object_bucket(region, bucket);
        for (key, size, age) in SOURCE_OBJECTS {
            scp.put_source_object(region, bucket, key, size, age);
        }
    }
    scp.seed_object_bucket(region, "restored");
    let ctx = CallCtx::default();
    let archive = p
        .create_archive(
            &ctx,
            &CreateArchive {
                provider: p.info().id.clone(),
                name: "web-logs-archive".into(),
                encrypted: true,
                versioning: true,
                labels: [("team".to_string(), "web".to_string())].into(),
            },
        )
        .await?;
    let id = GlobalId::parse_as(&archive.id, ResourceType::Archive)?;
    fill(scp, region, &id.vendor_id);
    let policy = PutArchivePolicy {
        source_bucket: "web-logs".into(),
        prefix: None,
        after_days: 30,
    };
    p.put_archive_policy(&ctx, &id, &policy).await?;
    scp.run_archiving(region, &id.vendor_id);
    Ok(())
}

/// Seeds an in-memory provider: the object storage bucket `app-logs` and the archive
/// `app-logs-archive` its policy fills (a first archiving run fired), and `restored`.
pub async fn seed_memory(m: &Arc<MemoryProvider>) -> anyhow::Result<()> {
    m.seed_object_bucket("app-logs");
    for (key, size, age) in SOURCE_OBJECTS {
        m.put_source_object("app-logs", key, size, age);
    }
    m.seed_object_bucket("restored");
    let ctx = CallCtx::default();
    let p: Arc<dyn Provider> = m.clone();
    let archive = p
        .create_archive(
            &ctx,
            &CreateArchive {
                provider: p.info().id.clone(),
                name: "app-logs-archive".into(),
                encrypted: false,
                versioning: true,
                labels: Default::default(),
            },
        )
        .await?;
    let id = GlobalId::parse_as(&archive.id, ResourceType::Archive)?;
    let policy = PutArchivePolicy {
        source_bucket: "app-logs".into(),
        prefix: None,
        after_days: 30,
    };
    p.put_archive_policy(&ctx, &id, &policy).await?;
    m.run_archiving(&id.vendor_id);
    Ok(())
}
