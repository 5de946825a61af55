//! The Block Storage resources: volumes ([`Vol`]) with their attachments, schedule and
//! snapshots, volume groups ([`Group`]) with their snapshots, and replication relations
//! ([`Rep`]), each with the state transitions it goes through.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::common::{self, conflict, hex_id};
use crate::scp::api::Fail;
use crate::scp::base::Pending;

/// What a pending volume change turns into.
#[derive(Debug, Clone, Copy)]
pub(super) enum Next {
    To(&'static str),
    Gone,
}

/// A server a volume is attached to.
#[derive(Clone)]
pub(super) struct Attachment {
    pub id: String,
    pub kind: String,
}

/// A snapshot schedule: weekly on `day`, else daily, at `hour`.
#[derive(Clone)]
pub(super) struct Schedule {
    pub day: Option<String>,
    pub hour: i64,
}

impl Schedule {
    /// `{day_of_week, frequency, hour}`; `None` is frequency `NONE`.
    pub fn json(s: Option<&Schedule>) -> Value {
        match s {
            Some(s) => json!({
                "day_of_week": s.day.clone().unwrap_or_default(),
                "frequency": if s.day.is_some() { "WEEKLY" } else { "DAILY" },
                "hour": s.hour,
            }),
            None => json!({"day_of_week": "", "frequency": "NONE", "hour": 0}),
        }
    }
}

/// A volume snapshot.
pub(super) struct Snap {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub size_mb: f64,
}

/// A volume.
pub(super) struct Vol {
    pub id: String,
    pub region: String,
    pub name: String,
    pub disk_type: String,
    pub size_gb: u64,
    pub state: &'static str,
    pub previous_state: &'static str,
    pub pending: Option<Pending<Next>>,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub attachments: Vec<Attachment>,
    pub purpose: &'static str,
    pub qos: Option<(i64, i64)>,
    pub snapshot_rate: i64,
    pub schedule: Option<Schedule>,
    pub snaps: Vec<Snap>,
    pub storage_name: String,
    pub group: Option<String>,
    /// `(origin volume, recovery volume)` when this volume has a recovery relation.
    pub recovery: Option<(String, String)>,
    pub tags: Vec<Value>,
}

impl Vol {
    /// A volume being created (`CREATING`, nothing pending yet).
    pub fn new(
        region: &str,
        name: &str,
        disk_type: &str,
        size_gb: u64,
        purpose: &'static str,
    ) -> Vol {
        let now = Utc::now();
        let id = hex_id();
        Vol {
            storage_name: format!("vo{}{}", now.format("%Y%m%d%H%M"), &id[..11]),
            id,
            region: region.into(),
            name: name.into(),
            disk_type: disk_type.into(),
            size_gb,
            state: "CREATING",
            previous_state: "CREATING",
            pending: None,
            created_at: now,
            modified_at: now,
            attachments: vec![],
            purpose,
            qos: (disk_type == "SSD").then_some((3000, 125)),
            snapshot_rate: 0,
            schedule: None,
            snaps: vec![],
            group: None,
            recovery: None,
            tags: vec![],
        }
    }

    /// The state a settled volume rests in: `IN_USE` when attached, else `AVAILABLE`.
    pub fn at_rest(&self) -> &'static str {
        if self.attachments.is_empty() {
            "AVAILABLE"
        } else {
            "IN_USE"
        }
    }

    /// Enters the transitional state `ing`, settling to `then` after `delay`.
    pub fn begin(&mut self, ing: &'static str, then: Next, delay: std::time::Duration) {
        self.previous_state = self.state;
        self.state = ing;
        self.pending = Pending::after(delay, then);
        self.modified_at = Utc::now();
    }

    /// `EDITING` → back to the current state.
    pub fn edit(&mut self, delay: std::time::Duration) {
        let back = self.state;
        self.begin("EDITING", Next::To(back), delay);
    }

    /// Mutations need a settled volume (409 while `*ING`).
    pub fn ready(&self) -> Result<(), Fail> {
        if self.state.ends_with("ING") {
            Err(conflict(format!(
                "volume `{}` is {}: wait until it settles",
                self.id,
                self.state.to_lowercase().replace('_', " ")
            )))
        } else {
            Ok(())
        }
    }

    /// Takes a snapshot now.
    pub fn take_snapshot(&mut self) -> &Snap {
        let now = Utc::now();
        self.snaps.push(Snap {
            id: common::snapshot_id(),
            name: format!(
                "{}___snapshot-create-bm-blockstorage.{}",
                self.storage_name,
                now.format("%Y-%m-%d_%H%M%S")
            ),
            created_at: now,
            size_mb: self.size_gb as f64 * 10.24,
        });
        self.snaps.last().expect("just pushed")
    }
}

/// A group snapshot, with the members it covers `(id, name, disk_type, size_gb)`.
pub(super) struct GroupSnap {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub members: Vec<(String, String, String, u64)>,
}

/// A volume group (consistency group).
pub(super) struct Group {
    pub id: String,
    pub region: String,
    pub name: String,
    pub state: &'static str,
    pub pending: Option<Pending<&'static str>>,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub members: Vec<String>,
    pub purpose: &'static str,
    pub schedule: Option<Schedule>,
    pub snaps: Vec<GroupSnap>,
    /// `(origin group, recovery group)` when this group has a recovery relation.
    pub recovery: Option<(String, String)>,
    pub storage_name: String,
    pub tags: Vec<Value>,
}

impl Group {
    /// A group being created (`CREATING`).
    pub fn new(region: &str, name: &str, members: Vec<String>, purpose: &'static str) -> Group {
        let now = Utc::now();
        let id = hex_id();
        Group {
            storage_name: format!("go0{}{}", now.format("%y%m%d%H%M"), &id[..11]),
            id,
            region: region.into(),
            name: name.into(),
            state: "CREATING",
            pending: None,
            created_at: now,
            modified_at: now,
            members,
            purpose,
            schedule: None,
            snaps: vec![],
            recovery: None,
            tags: vec![],
        }
    }

    /// Enters `state`, settling to `AVAILABLE` after `delay`.
    pub fn begin(&mut self, state: &'static str, delay: std::time::Duration) {
        self.state = state;
        self.pending = Pending::after(delay, "AVAILABLE");
        self.modified_at = Utc::now();
    }

    /// Mutations need a settled group (409 while `*ING`).
    pub fn ready(&self) -> Result<(), Fail> {
        if self.state.ends_with("ING") {
            Err(conflict(format!(
                "volume group `{}` is {}: wait until it settles",
                self.id,
                self.state.to_lowercase()
            )))
        } else {
            Ok(())
        }
    }
}

/// What a pending replication change turns into.
#[derive(Debug, Clone, Copy)]
pub(super) enum RepNext {
    Mirrored,
    Gone,
}

/// A replication relation from `src` to its replica `dst` (volumes or groups).
pub(super) struct Rep {
    pub src: String,
    pub dst: String,
    pub cycle: String,
    pub sync_state: &'static str,
    pub pending: Option<Pending<RepNext>>,
    /// Group replications: `(source member, replica member)`.
    pub members: Vec<(String, String)>,
}

impl Rep {
    /// The access the replica side has: `READ` while mirrored, `READ_WRITE` once broken off.
    pub fn replica_auth(&self) -> &'static str {
        if self.sync_state == "BROKEN_OFF" {
            "READ_WRITE"
        } else {
            "READ"
        }
    }
}
