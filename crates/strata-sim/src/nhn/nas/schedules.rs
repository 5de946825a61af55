//! The snapshot policy of a volume (`snapshotPolicy`: retention, reserve, schedule), its
//! validation, and the scheduler that takes `SCHEDULED` snapshots.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::snapshots::Snap;
use super::{bad, Fail, Nas};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(super) struct Schedule {
    time: String,
    time_offset: String,
    weekdays: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(super) struct Policy {
    pub(super) max_scheduled_count: Option<u32>,
    pub(super) reserve_percent: u32,
    pub(super) schedule: Option<Schedule>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_scheduled_count: None,
            reserve_percent: 5,
            schedule: None,
        }
    }
}

fn check_hhmm(s: &str, signed: bool) -> bool {
    let s = if signed {
        match s.strip_prefix('+').or_else(|| s.strip_prefix('-')) {
            Some(rest) => rest,
            None => return false,
        }
    } else {
        s
    };
    let Some((h, m)) = s.split_once(':') else {
        return false;
    };
    h.len() == 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PolicyReq {
    max_scheduled_count: Option<u32>,
    reserve_percent: Option<u32>,
    /// Absent keeps the schedule; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    schedule: Option<Value>,
}

/// Keeps an explicit `null` as `Some(Value::Null)`, unlike `Option`'s default.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl PolicyReq {
    /// Validates and applies onto `p`.
    pub(super) fn apply(&self, p: &mut Policy) -> Result<(), Fail> {
        if let Some(n) = self.max_scheduled_count {
            if !(1..=30).contains(&n) {
                return Err(bad(format!(
                    "maxScheduledCount must be between 1 and 30 (got {n})"
                )));
            }
            p.max_scheduled_count = Some(n);
        }
        if let Some(r) = self.reserve_percent {
            if r > 100 {
                return Err(bad("reservePercent must be between 0 and 100"));
            }
            p.reserve_percent = r;
        }
        match &self.schedule {
            None => {}
            Some(Value::Null) => p.schedule = None,
            Some(v) => {
                let s: Schedule = serde_json::from_value(v.clone())
                    .map_err(|e| bad(format!("Invalid schedule: {e}")))?;
                if !check_hhmm(&s.time, false) {
                    return Err(bad("schedule.time must be HH:MM"));
                }
                if !check_hhmm(&s.time_offset, true) {
                    return Err(bad("schedule.timeOffset must be +HH:MM or -HH:MM"));
                }
                if s.weekdays.iter().any(|d| *d > 6) {
                    return Err(bad("schedule.weekdays must be between 0 and 6"));
                }
                p.schedule = Some(s);
            }
        }
        Ok(())
    }
}

impl Nas {
    pub(crate) fn run_schedule(&mut self, volume_id: &str) -> bool {
        self.tick();
        let seq = self.next_seq();
        let Some(v) = self.volumes.get_mut(volume_id) else {
            return false;
        };
        if v.policy.schedule.is_none() {
            return false;
        }
        let now = Utc::now();
        v.snapshots.push(Snap {
            id: uuid::Uuid::new_v4().to_string(),
            name: format!("{}.auto.{}", v.name, now.format("%Y%m%d%H%M%S%3f")),
            size: v.used_gb * 1024 * 1024,
            kind: "SCHEDULED",
            preserved: false,
            created_at: now,
            seq,
        });
        // Retention counts scheduled snapshots only; the oldest goes first.
        let max = v.policy.max_scheduled_count.unwrap_or(30) as usize;
        while v.snapshots.iter().filter(|s| s.kind == "SCHEDULED").count() > max {
            if let Some(pos) = v.snapshots.iter().position(|s| s.kind == "SCHEDULED") {
                v.snapshots.remove(pos);
            }
        }
        true
    }
}
