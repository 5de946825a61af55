//! Seeds for demos and tests: servers, agents, backups with finished history, extra
//! recovery points, and the scheduler, as [`ScpSim`] methods.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::agents::new_agent;
use super::backups::new_backup;
use super::common::{alnum, hex_id, uuid};
use super::model::{Job, Point, Sched, Server};
use super::runs::MANUAL;
use super::Backups;
use crate::scp::{lock, ScpSim};

/// A private IPv4 address from a sequence number and a host part.
pub(super) fn ip(seq: u64, host: u8) -> String {
    format!("10.{}.{}.{host}", (seq / 256) % 256, seq % 256)
}

fn category(c: &str) -> &'static str {
    match c.to_ascii_uppercase().as_str() {
        "VM" | "VIRTUAL_SERVER" => "VIRTUAL_SERVER",
        "GPU" | "GPU_SERVER" => "GPU_SERVER",
        "BM" | "BAREMETAL_SERVER" => "BAREMETAL_SERVER",
        other => {
            panic!("server category must be VM, GPU or BM (or the vendor's names), got {other}")
        }
    }
}

fn os(o: &str) -> (&'static str, &'static str) {
    match o.to_ascii_uppercase().as_str() {
        "LINUX" => ("LINUX", "UBUNTU 22.04"),
        "WINDOWS" => ("WINDOWS", "WINDOWS 2019"),
        other => panic!("os type must be LINUX or WINDOWS, got {other}"),
    }
}

fn sched(kind: &str, frequency: &str, day: Option<&str>) -> Sched {
    let now = Utc::now();
    Sched {
        id: hex_id(),
        name: format!("{kind}_{frequency}_01:00:00-{}", alnum(6)),
        kind: kind.into(),
        frequency: frequency.into(),
        start_time: "01:00:00".into(),
        start_day: day.map(str::to_string),
        start_week: None,
        created_at: now,
        modified_at: now,
    }
}

impl Backups {
    fn seed_server(
        &mut self,
        id: Option<&str>,
        region: &str,
        name: &str,
        cat: &str,
        os_type: &str,
    ) -> String {
        self.tick();
        let (category, (os_type, os_version)) = (category(cat), os(os_type));
        let seq = self.next_seq();
        let server_type = match category {
            "VIRTUAL_SERVER" => "s1v2m4",
            "GPU_SERVER" => "g1v8m64",
            _ => "b1v16m64",
        };
        let s = Server {
            uuid: id.map_or_else(uuid, str::to_string),
            guid: uuid(),
            region: region.into(),
            name: name.into(),
            category,
            os_type,
            os_version: os_version.into(),
            server_type: server_type.into(),
            ip: ip(seq, 10),
            gateway_ip: ip(seq, 1),
            seq,
        };
        let id = s.uuid.clone();
        self.servers.insert(id.clone(), s);
        id
    }

    fn seed_agent(&mut self, server_uuid: &str) -> String {
        self.tick();
        if let Some(a) = self.agent_of(server_uuid) {
            return a.id.clone();
        }
        let region = self.servers[server_uuid].region.clone();
        let mut a = new_agent(self, &region, server_uuid);
        a.connection_state = Some("SUCCESS");
        a.connection_check_time = Some(Utc::now());
        let id = a.id.clone();
        self.agents.insert(id.clone(), a);
        id
    }

    /// A finished `SUCCESS` job and its recovery point at `at`.
    fn seed_point(
        &mut self,
        backup_id: &str,
        at: DateTime<Utc>,
        schedule: Option<usize>,
        point_id: Option<&str>,
    ) -> Option<String> {
        let (js, ps) = (self.next_seq(), self.next_seq());
        let b = self.backups.get_mut(backup_id)?;
        let (sid, sname, full) = match schedule.and_then(|i| b.schedules.get(i)) {
            Some(s) => (s.id.clone(), s.name.clone(), s.kind == "FULL"),
            None => (MANUAL.to_string(), MANUAL.to_string(), true),
        };
        b.jobs.push(Job {
            guid: uuid(),
            state: "SUCCESS",
            start: at,
            end: Some(at + chrono::Duration::minutes(10)),
            schedule_id: sid.clone(),
            schedule_name: sname.clone(),
            full,
            pending: None,
            seq: js,
        });
        let id = point_id.map_or_else(uuid, str::to_string);
        b.points.push(Point {
            id: id.clone(),
            start: at,
            available: true,
            retention: b.retention.clone(),
            schedule_id: sid,
            schedule_name: sname,
            usage_gb: if full { 20.0 } else { 2.0 },
            seq: ps,
        });
        Some(id)
    }
}

impl ScpSim {
    /// Adds a server the account can protect (a backup target), restore onto and register
    /// an agent on. `server_category`: `VM`, `GPU`, `BM` or the vendor's `VIRTUAL_SERVER`,
    /// `GPU_SERVER`, `BAREMETAL_SERVER`; `os_type`: `LINUX` or `WINDOWS`. A name containing
    /// `fail` or `partial` makes its backup jobs fail or partially succeed. Returns its uuid.
    pub fn seed_backup_target(
        &self,
        region: &str,
        server_name: &str,
        server_category: &str,
        os_type: &str,
    ) -> String {
        lock(&self.world)
            .backup
            .seed_server(None, region, server_name, server_category, os_type)
    }

    /// Like [`ScpSim::seed_backup_target`], with the server's id chosen by the caller, so a
    /// demo can name the server in documentation.
    pub fn seed_backup_target_as(
        &self,
        id: &str,
        region: &str,
        server_name: &str,
        server_category: &str,
        os_type: &str,
    ) -> String {
        lock(&self.world).backup.seed_server(
            Some(id),
            region,
            server_name,
            server_category,
            os_type,
        )
    }

    /// Registers an `AVAILABLE` backup agent with a successful connection check on a seeded
    /// server (the existing one if it has an agent). Returns the agent id.
    pub fn seed_backup_agent(&self, server_uuid: &str) -> String {
        lock(&self.world).backup.seed_agent(server_uuid)
    }

    /// Creates an `AVAILABLE` backup policy on a seeded server: `kind` `image` (`VM_IMAGE`)
    /// or `filesystem` (`FILESYSTEM` on `/data`, registering an agent when the server has
    /// none), retention `WEEK_2`, encrypted, with a FULL weekly (Sunday) and an INCREMENTAL
    /// daily schedule at 01:00:00, and two finished `SUCCESS` jobs with their recovery
    /// points, two days and one day ago. Returns the backup id (32 hex).
    pub fn seed_backup(&self, region: &str, name: &str, server_uuid: &str, kind: &str) -> String {
        self.seed_backup_with(None, region, name, server_uuid, kind)
    }

    /// Like [`ScpSim::seed_backup`], with the backup's id and its newest recovery point's id
    /// chosen by the caller, so a demo can name them in documentation.
    pub fn seed_backup_as(
        &self,
        ids: (&str, &str),
        region: &str,
        name: &str,
        server_uuid: &str,
        kind: &str,
    ) -> String {
        self.seed_backup_with(Some(ids), region, name, server_uuid, kind)
    }

    fn seed_backup_with(
        &self,
        ids: Option<(&str, &str)>,
        region: &str,
        name: &str,
        server_uuid: &str,
        kind: &str,
    ) -> String {
        let mut w = lock(&self.world);
        let bs = &mut w.backup;
        bs.tick();
        let filesystem = matches!(kind.to_ascii_lowercase().as_str(), "filesystem");
        if filesystem {
            bs.seed_agent(server_uuid);
        }
        let server = bs
            .servers
            .get(server_uuid)
            .expect("a seeded server")
            .clone();
        let b = new_backup(
            bs,
            region,
            name,
            &server,
            if filesystem { "FILESYSTEM" } else { "VM_IMAGE" },
            "WEEK_2",
            true,
            filesystem.then(|| vec!["/data".to_string()]),
            vec![
                sched("FULL", "WEEKLY", Some("SUN")),
                sched("INCREMENTAL", "DAILY", None),
            ],
            Duration::ZERO,
        );
        let mut b = b;
        if let Some((id, _)) = ids {
            b.id = id.to_string();
        }
        let id = b.id.clone();
        bs.backups.insert(id.clone(), b);
        let now = Utc::now();
        bs.seed_point(&id, now - chrono::Duration::days(2), Some(0), None);
        bs.seed_point(
            &id,
            now - chrono::Duration::days(1),
            Some(1),
            ids.map(|i| i.1),
        );
        id
    }

    /// Adds a finished manual `SUCCESS` job and its recovery point taken at `taken_at` (for
    /// retention: the scheduler removes points older than their retention period). Returns
    /// the restore target id, or `None` for an unknown backup.
    pub fn seed_backup_recovery_point(
        &self,
        backup_id: &str,
        taken_at: DateTime<Utc>,
    ) -> Option<String> {
        let mut w = lock(&self.world);
        w.backup.tick();
        w.backup.seed_point(backup_id, taken_at, None, None)
    }

    /// The backup scheduler: starts a job for every schedule of every `AVAILABLE` original
    /// backup without a running job, as if each schedule's time had come (the jobs settle
    /// after the delay into history rows and recovery points), then removes the recovery
    /// points past their retention period. Returns the number of jobs started.
    pub fn run_backup_schedules(&self) -> usize {
        let mut w = lock(&self.world);
        let delay = w.cfg.delay;
        w.backup.run_schedules(delay)
    }
}
