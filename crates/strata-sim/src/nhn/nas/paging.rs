//! Paging (`limit`, `page`) and sorting (`sort=key:asc|desc`) of NAS lists.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{bad, Fail};

pub(super) struct Paging {
    pub(super) limit: usize,
    pub(super) page: usize,
    pub(super) sort: Option<(String, bool)>,
}

pub(super) fn paging(q: &HashMap<String, String>, keys: &[&str]) -> Result<Paging, Fail> {
    let num = |k: &str, default: usize| -> Result<usize, Fail> {
        match q.get(k) {
            None => Ok(default),
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(format!("{k} must be a positive integer"))),
        }
    };
    let sort = match q.get("sort") {
        None => None,
        Some(s) => {
            let (key, dir) = s.split_once(':').unwrap_or((s, "asc"));
            if !keys.contains(&key) || !matches!(dir, "asc" | "desc") {
                return Err(bad(format!(
                    "sort must be one of {} followed by :asc or :desc",
                    keys.join(", ")
                )));
            }
            Some((key.to_string(), dir == "desc"))
        }
    };
    Ok(Paging {
        limit: num("limit", 50)?.min(1000),
        page: num("page", 1)?,
        sort,
    })
}

pub(super) fn page_of<T: Clone>(all: Vec<T>, p: &Paging) -> (Vec<T>, Value) {
    let total = all.len();
    let items = all
        .into_iter()
        .skip((p.page - 1).saturating_mul(p.limit))
        .take(p.limit)
        .collect();
    (
        items,
        json!({"limit": p.limit, "page": p.page, "totalCount": total}),
    )
}

/// Sorts JSON objects by a field (strings and numbers), stably.
pub(super) fn sort_json(items: &mut [Value], sort: &Option<(String, bool)>) {
    if let Some((key, desc)) = sort {
        items.sort_by(|a, b| {
            let o = match (&a[key], &b[key]) {
                (Value::Number(x), Value::Number(y)) => x
                    .as_f64()
                    .partial_cmp(&y.as_f64())
                    .unwrap_or(std::cmp::Ordering::Equal),
                (x, y) => x.as_str().unwrap_or("").cmp(y.as_str().unwrap_or("")),
            };
            if *desc {
                o.reverse()
            } else {
                o
            }
        });
    }
}
