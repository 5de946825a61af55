//! The provider conformance suite: the same behaviours, through the gateway's HTTP API, on
//! every provider. A behaviour is skipped (and says so) only where the provider's published
//! capability document declares the feature unsupported — and then the suite checks that the
//! gateway answers `unsupported_by_provider` instead. One module per resource family.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;
use strata_sim::faults::Faults;
use strata_sim::scp::{ScpSim, Service};
use strata_tests::*;

/// How long the providers' simulated changes take: short, so the behaviours run fast.
const SETTLE: Duration = Duration::from_millis(30);

/// A provider under test, behind a running gateway.
struct Target {
    gw: TestGateway,
    provider: &'static str,
    /// The volume kind under test.
    kind: &'static str,
    caps: Value,
    /// The request logs of the vendor services behind the provider, by service id.
    logs: Vec<(&'static str, Faults)>,
    /// Keeps vendor simulators alive.
    _sims: Vec<Box<dyn std::any::Any + Send>>,
}

async fn target(
    gw: TestGateway,
    provider: &'static str,
    kind: &'static str,
    logs: Vec<(&'static str, Faults)>,
    sims: Vec<Box<dyn std::any::Any + Send>>,
) -> Target {
    let (s, _, body) = send(gw.req(Method::GET, &format!("/v1/providers/{provider}"))).await;
    assert_eq!(s, 200, "{body}");
    let caps = body["capabilities"]["volumes"][kind].clone();
    assert!(caps.is_object(), "{provider} offers {kind} volumes: {body}");
    Target {
        caps,
        gw,
        provider,
        kind,
        logs,
        _sims: sims,
    }
}

// Each target's changes (create, resize, delete…) settle after `settle`.

async fn memory(settle: Duration) -> Target {
    // `mem-a` is kept for the archive hooks (an archiving run, object storage buckets).
    let (registry, mem_a) = memory_registry_with_a(settle);
    let gw = TestGateway::start_with(test_config(), registry).await;
    target(gw, "mem-a", "file", vec![], vec![Box::new(mem_a)]).await
}

async fn nhn(settle: Duration) -> Target {
    let (gw, sim) = start_nhn(settle, Duration::from_secs(3600)).await;
    let logs = vec![
        ("nas", sim.nas_faults().clone()),
        ("identity", sim.identity_faults().clone()),
    ];
    target(gw, "nhn-kr1", "file", logs, vec![Box::new(sim)]).await
}

async fn scp_file(settle: Duration) -> Target {
    let (gw, sim) = start_scp(settle).await;
    target(
        gw,
        "scp-kr-west1",
        "file",
        scp_logs(&sim),
        vec![Box::new(sim)],
    )
    .await
}

async fn scp_parallel_file(settle: Duration) -> Target {
    let (gw, sim) = start_scp(settle).await;
    let logs = scp_logs(&sim);
    target(
        gw,
        "scp-kr-west1",
        "parallel_file",
        logs,
        vec![Box::new(sim)],
    )
    .await
}

async fn scp_block(settle: Duration) -> Target {
    let (gw, sim) = start_scp(settle).await;
    let logs = scp_logs(&sim);
    target(gw, "scp-kr-west1", "block", logs, vec![Box::new(sim)]).await
}

fn scp_logs(sim: &ScpSim) -> Vec<(&'static str, Faults)> {
    [
        Service::FileStorage,
        Service::ParallelFileStorage,
        Service::BlockStorage,
        Service::Backup,
        Service::ArchiveStorage,
    ]
    .map(|s| (s.id(), sim.faults(s).clone()))
    .into()
}

impl Target {
    fn supports(&self, feature: &str) -> bool {
        let on = self.caps["features"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f == feature));
        if !on {
            eprintln!(
                "{}: `{feature}` is not supported; checking the refusal only",
                self.provider
            );
        }
        on
    }

    fn elastic(&self) -> bool {
        self.caps["size"]["elastic"] == true
    }

    fn named_snapshots(&self) -> bool {
        self.caps["snapshot_names"] == true
    }

    /// A snapshot request: named where the provider lets callers name snapshots.
    fn snapshot_body(&self, name: &str) -> Value {
        if self.named_snapshots() {
            json!({ "name": name })
        } else {
            json!({})
        }
    }

    /// Two access rules of the kinds the provider accepts.
    fn two_rules(&self) -> Value {
        let kinds = self.caps["access_rule_kinds"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if kinds.iter().any(|k| k == "cidr") {
            return json!({"rules": [{"kind": "cidr", "value": "10.1.0.0/16", "access": "read_write"},
                                    {"kind": "ip", "value": "10.2.0.9", "access": "read_write"}]});
        }
        let types = self.caps["server_types"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let first = types.first().cloned().unwrap_or(json!("vm"));
        let last = types.last().cloned().unwrap_or(json!("vm"));
        json!({"rules": [{"kind": "server", "value": "node-0001", "server_type": first, "access": "read_write"},
                         {"kind": "server", "value": "node-0002", "server_type": last, "access": "read_write"}]})
    }

    fn min_size(&self) -> u64 {
        self.caps["size"]["min_gib"].as_u64().unwrap()
    }

    fn step(&self) -> u64 {
        self.caps["size"]["step_gib"].as_u64().unwrap().max(1)
    }

    fn req(&self, m: Method, path: &str) -> reqwest::RequestBuilder {
        self.gw.req(m, path)
    }

    async fn op(&self, m: Method, path: &str, body: Option<Value>) -> Value {
        run_op(&self.gw, m, path, body).await
    }

    /// `name` as this kind's name rules allow it (block volume names take `-`, not `_`).
    fn name(&self, name: &str) -> String {
        if self.kind == "block" {
            name.replace('_', "-")
        } else {
            name.to_string()
        }
    }

    /// The kind under test.
    fn volume_kind(&self) -> VolumeKind {
        self.kind.parse().expect("a volume kind")
    }

    /// What the kind's snapshot schedules accept: a weekly schedule on as many of
    /// `days` as allowed, with `minute` and `retention_count` where the provider takes them.
    fn schedule_body(&self, days: &[&str], hour: u8, minute: u8, retention: u32) -> Value {
        let limits = &self.caps["schedule"];
        let tz = limits["timezones"][0].as_str().unwrap_or("UTC");
        let max = limits["max_days"]
            .as_u64()
            .map_or(days.len(), |m| m as usize);
        let mut s = json!({"frequency": "weekly", "days": &days[..max.min(days.len())],
                           "hour": hour, "minute": if limits["minutes"] == true { minute } else { 0 },
                           "timezone": tz});
        if limits["retention"] != false {
            s["retention_count"] = json!(retention);
        }
        s
    }

    fn create_body(&self, name: &str) -> Value {
        let mut body = json!({"provider": self.provider, "kind": self.kind, "name": self.name(name),
                              "protocol": self.caps["protocols"][0]});
        if !self.elastic() {
            body["size_gib"] = json!(self.min_size());
        }
        body
    }

    /// Creates a volume and waits until it is available; returns its id. Where the kind
    /// takes snapshots only with a snapshot reserve (SCP block), the volume gets one.
    async fn volume(&self, name: &str) -> String {
        let op = self
            .op(Method::POST, "/v1/volumes", Some(self.create_body(name)))
            .await;
        assert_eq!(op["result"]["status"], "available", "{op}");
        let id = op["result"]["id"].as_str().unwrap().to_string();
        if self.caps["snapshot_reserve"]["required"] == true {
            let path = format!("/v1/volumes/{id}/snapshot-reserve");
            self.op(Method::PUT, &path, Some(json!({"percent": 20})))
                .await;
        }
        id
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, b) = send(self.req(Method::GET, path)).await;
        (s, b)
    }

    async fn refused(&self, m: Method, path: &str, body: Value) {
        let resp = send(self.req(m, path).json(&body)).await;
        assert_problem(&resp, 422, "unsupported_by_provider");
    }
}

/// Runs each behaviour (a fn taking a [`Target`]) on each provider under test, as
/// `<family>::<provider>::<behaviour>`. `settle = <path to a Duration>;` first makes the
/// providers' changes take that long instead of [`SETTLE`] (to catch a resource mid-change).
macro_rules! suite {
    ($($behaviour:ident),+ $(,)?) => {
        suite!(settle = crate::SETTLE; $($behaviour),+);
    };
    (settle = $settle:path; $($behaviour:ident),+ $(,)?) => {
        suite!(@targets $settle; [$($behaviour),+] memory nhn scp_file scp_parallel_file scp_block);
    };
    (@targets $settle:path; $behaviours:tt $($target:ident)+) => {
        $( suite!(@one $settle; $target $behaviours); )+
    };
    (@one $settle:path; $target:ident [$($behaviour:ident),+]) => {
        mod $target {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    super::$behaviour(crate::$target($settle).await).await
                }
            )+
        }
    };
}

mod archives;
mod backups;
mod dry_run;
mod errors;
mod replicas;
mod snapshots;
mod volume_groups;
mod volumes;
