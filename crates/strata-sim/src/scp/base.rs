//! What every volume of both SCP services has: the [`Base`] (identity, state, access rules,
//! snapshots) and the pending changes that settle it over time.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::api::{conflict, not_found, ts, Fail};

/// A change that completes at `until`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending<T> {
    pub until: Instant,
    pub then: T,
}

impl<T: Copy> Pending<T> {
    pub fn after(delay: Duration, then: T) -> Option<Self> {
        Some(Pending {
            until: Instant::now() + delay,
            then,
        })
    }

    /// Takes the outcome when it is due.
    pub fn due(slot: &mut Option<Self>, now: Instant) -> Option<T> {
        match slot {
            Some(p) if p.until <= now => slot.take().map(|p| p.then),
            _ => None,
        }
    }
}

/// What a pending change turns into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Settle {
    Ready,
    Gone,
}

/// An access rule: an SCP object allowed on a volume (`adding` → `active`, `removing` →
/// gone). Parallel File Storage also resolves the object to an access IP.
pub(crate) struct Rule {
    pub object_type: String,
    pub object_id: String,
    pub state: &'static str,
    pub pending: Option<Pending<Settle>>,
    pub ip: Option<String>,
}

/// A snapshot (`creating` → `available`), named by the service.
pub(crate) struct Snap {
    pub id: String,
    pub name: String,
    pub size: u64,
    /// Taken by a schedule (only those count against a retention).
    pub scheduled: bool,
    pub state: &'static str,
    pub pending: Option<Pending<Settle>>,
    pub created_at: DateTime<Utc>,
}

impl Snap {
    pub fn json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "state": self.state, "size": self.size, "created_at": ts(self.created_at)})
    }
}

/// What every volume of both services has: identity, its state with the pending change,
/// its access rules and snapshots. Each service's volume derefs to it.
pub(crate) struct Base {
    pub id: String,
    pub region: String,
    pub name: String,
    pub state: &'static str,
    pub pending: Option<Pending<Settle>>,
    pub created_at: DateTime<Utc>,
    pub rules: Vec<Rule>,
    pub snaps: Vec<Snap>,
}

impl Base {
    /// A volume being created.
    pub fn new(id: &str, region: &str, name: &str) -> Self {
        Base {
            id: id.into(),
            region: region.into(),
            name: name.into(),
            state: "creating",
            pending: None,
            created_at: Utc::now(),
            rules: vec![],
            snaps: vec![],
        }
    }

    /// Settles what is due on the volume and its children; `true` when the volume is gone.
    pub fn settle(&mut self, now: Instant) -> bool {
        let gone = match Pending::due(&mut self.pending, now) {
            Some(Settle::Ready) => {
                self.state = "available";
                false
            }
            Some(Settle::Gone) => true,
            None => false,
        };
        for r in &mut self.rules {
            if let Some(Settle::Ready) = Pending::due(&mut r.pending, now) {
                r.state = "active";
            }
        }
        self.rules
            .retain(|r| !(r.state == "removing" && r.pending.is_none()));
        for s in &mut self.snaps {
            if Pending::due(&mut s.pending, now).is_some() {
                s.state = "available";
            }
        }
        gone
    }

    /// Where snapshot `sid` is in the volume's list (404 when it is not there).
    pub fn snap_index(&self, sid: &str) -> Result<usize, Fail> {
        self.snaps
            .iter()
            .position(|s| s.id == sid)
            .ok_or_else(|| not_found("snapshot", sid))
    }

    /// Mutations need an available volume (409 otherwise).
    pub fn available(&self) -> Result<(), Fail> {
        if self.state == "available" {
            Ok(())
        } else {
            Err(conflict(format!("volume `{}` is {}", self.id, self.state)))
        }
    }
}

/// Lets a service's volume type (`$volume { base: Base, … }`) be used as its [`Base`].
macro_rules! derefs_to_base {
    ($volume:ty) => {
        impl std::ops::Deref for $volume {
            type Target = $crate::scp::base::Base;
            fn deref(&self) -> &Self::Target {
                &self.base
            }
        }

        impl std::ops::DerefMut for $volume {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.base
            }
        }
    };
}
pub(crate) use derefs_to_base;

/// Settles every volume of a service, dropping the ones whose deletion completed.
pub(crate) fn settle_volumes<V: std::ops::DerefMut<Target = Base>>(
    volumes: &mut BTreeMap<String, V>,
) {
    let now = Instant::now();
    volumes.retain(|_, v| !v.settle(now));
}
