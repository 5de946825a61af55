//! AIP-158 paging: `page_size`, opaque `page_token`, `next_page_token`, and the merge of
//! several providers' pages into one.
//!
//! Each provider pages in its own way (offset/limit, page numbers); adapters hide that behind
//! their own opaque tokens. [`merge_pages`] fetches the current page of every provider
//! concurrently and merges them by a sort key. Its token records, per provider, the provider's
//! token of the page in use and how many of that page's items were already returned, so no
//! item is lost or repeated when one provider's page is only partly consumed. A provider that
//! fails is reported as unreachable and retried from the same place on the next page.

use std::collections::BTreeMap;
use std::future::Future;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Default page size when the client gives none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page size a client may ask for; larger values are clamped (AIP-158).
pub const MAX_PAGE_SIZE: u32 = 500;

/// A request for one page from a provider.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct PageRequest {
    /// Most items to return.
    pub page_size: u32,
    /// The provider's own opaque token; `None` for the first page.
    pub page_token: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in the provider's order.
    pub items: Vec<T>,
    /// `None` on the last page.
    pub next_page_token: Option<String>,
}

/// Clamps a client's page size: 0 or absent means the default.
pub fn effective_page_size(requested: Option<u32>) -> u32 {
    match requested {
        None | Some(0) => DEFAULT_PAGE_SIZE,
        Some(n) => n.min(MAX_PAGE_SIZE),
    }
}

/// Pages an in-memory, stably ordered list with an offset token. For providers (and
/// simulators) whose vendor returns everything at once.
pub fn page_slice<T: Clone>(all: &[T], req: &PageRequest) -> Result<Page<T>> {
    let start = match &req.page_token {
        None => 0,
        Some(t) => t.parse::<usize>().map_err(|_| Error::InvalidPageToken)?,
    };
    let size = req.page_size.max(1) as usize;
    let end = (start + size).min(all.len());
    let items = all.get(start..end).map(<[T]>::to_vec).unwrap_or_default();
    Ok(Page {
        items,
        next_page_token: (end < all.len()).then(|| end.to_string()),
    })
}

/// A provider that could not be listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreachable {
    /// Provider id.
    pub provider: String,
    /// Why it could not be listed.
    pub error: Error,
}

/// The merged page.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedPage<T> {
    /// The items of every reachable provider, merged by the sort key.
    pub items: Vec<T>,
    /// Token of the next merged page; `None` when every provider is exhausted.
    pub next_page_token: Option<String>,
    /// Providers that failed; they are retried from the same place on the next page.
    pub unreachable: Vec<Unreachable>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Cursor {
    /// The provider token of the page in use.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// Items of that page already returned.
    #[serde(rename = "s", default)]
    skip: usize,
    /// The page size that page was fetched with (skips only make sense with the same size).
    #[serde(rename = "n", default)]
    size: u32,
    /// The provider has nothing more.
    #[serde(rename = "d", default)]
    done: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct Token {
    v: u8,
    /// Fingerprint of the query the token belongs to.
    f: String,
    c: BTreeMap<String, Cursor>,
}

/// A short fingerprint of the list's filters, so a token cannot be replayed on another query.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex_prefix(&h.finalize())
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn decode_token(token: &str, fp: &str) -> Result<BTreeMap<String, Cursor>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| Error::InvalidPageToken)?;
    let t: Token = serde_json::from_slice(&bytes).map_err(|_| Error::InvalidPageToken)?;
    if t.v != 1 || t.f != fp {
        return Err(Error::InvalidPageToken);
    }
    Ok(t.c)
}

fn encode_token(fp: &str, cursors: BTreeMap<String, Cursor>) -> String {
    let t = Token {
        v: 1,
        f: fp.to_string(),
        c: cursors,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&t).expect("token serializes"))
}

/// Most times one provider's lane is refilled with its next page within one merged page (see
/// [`merge_pages`]): enough for a page of [`MAX_PAGE_SIZE`] from providers whose own pages
/// hold 100, with room for a few short ones.
pub const MAX_REFILLS: usize = 8;

/// Merges one page across providers.
///
/// `fetch(provider, request)` lists one provider page; `key` orders items across providers
/// (within a provider the vendor's order is kept). The page holds `page_size` items unless
/// every provider is exhausted, a provider failed (reported in `unreachable`), or a refill
/// failed or hit [`MAX_REFILLS`]: a provider whose page runs out while it has more is asked
/// for its next page within the same merged page. `fingerprint` must change whenever the
/// filters change (see [`fingerprint`]).
pub async fn merge_pages<T, K, F, Fut>(
    providers: &[String],
    page_token: Option<&str>,
    page_size: u32,
    fingerprint: &str,
    fetch: F,
    key: impl Fn(&T) -> K,
) -> Result<MergedPage<T>>
where
    K: Ord,
    F: Fn(String, PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let page_size = page_size.max(1);
    let mut cursors = match page_token {
        Some(t) if !t.is_empty() => decode_token(t, fingerprint)?,
        _ => BTreeMap::new(),
    };
    // Providers added since the first page start fresh; removed ones are dropped.
    cursors.retain(|p, _| providers.contains(p));
    for p in providers {
        cursors.entry(p.clone()).or_default();
    }

    let active: Vec<(String, Cursor)> = cursors
        .iter()
        .filter(|(_, c)| !c.done)
        .map(|(p, c)| (p.clone(), c.clone()))
        .collect();
    let results = futures::future::join_all(active.iter().map(|(p, c)| {
        let size = if c.size == 0 { page_size } else { c.size };
        fetch(
            p.clone(),
            PageRequest {
                page_size: size,
                page_token: c.token.clone(),
            },
        )
    }))
    .await;

    struct Lane<T> {
        provider: String,
        items: std::collections::VecDeque<T>,
        consumed: usize,
        skip: usize,
        size: u32,
        token: Option<String>,
        next: Option<String>,
        refills: usize,
    }
    let mut lanes = Vec::new();
    let mut unreachable = Vec::new();
    for ((provider, cursor), result) in active.into_iter().zip(results) {
        match result {
            Ok(page) => {
                let mut items: std::collections::VecDeque<T> = page.items.into();
                let skip = cursor.skip.min(items.len());
                items.drain(..skip);
                lanes.push(Lane {
                    provider,
                    items,
                    consumed: 0,
                    skip,
                    size: if cursor.size == 0 {
                        page_size
                    } else {
                        cursor.size
                    },
                    token: cursor.token,
                    next: page.next_page_token,
                    refills: 0,
                });
            }
            // Invalid tokens are the client's fault and must not be hidden as "unreachable".
            Err(e @ (Error::InvalidPageToken | Error::InvalidArgument { .. })) => return Err(e),
            Err(error) => unreachable.push(Unreachable { provider, error }),
        }
    }

    // K-way merge of the lanes' heads: each lane is consumed as a prefix, which is what makes
    // the saved (token, skip) cursor exact. A lane that runs dry while its provider has more
    // is refilled with the provider's next page before the next pick, so the page fills up
    // (a provider's pages may be short: its own page limit, items it filtered out) and stays
    // ordered by the key. When a refill fails, or a lane has been refilled MAX_REFILLS times
    // in this page, the page ends there, short, rather than out of order; the lane resumes
    // from its next token on the next page (a provider that is really down is reported
    // unreachable then).
    let mut items = Vec::with_capacity(page_size as usize);
    'merge: while items.len() < page_size as usize {
        let dry: Vec<usize> = lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| l.items.is_empty() && l.next.is_some())
            .map(|(i, _)| i)
            .collect();
        if !dry.is_empty() {
            if dry.iter().any(|&i| lanes[i].refills == MAX_REFILLS) {
                break 'merge;
            }
            let pages = futures::future::join_all(dry.iter().map(|&i| {
                fetch(
                    lanes[i].provider.clone(),
                    PageRequest {
                        page_size,
                        page_token: lanes[i].next.clone(),
                    },
                )
            }))
            .await;
            let mut failed = false;
            for (&i, result) in dry.iter().zip(pages) {
                let lane = &mut lanes[i];
                lane.refills += 1;
                match result {
                    Ok(page) => {
                        lane.items = page.items.into();
                        lane.token = lane.next.take();
                        lane.consumed = 0;
                        lane.skip = 0;
                        lane.size = page_size;
                        lane.next = page.next_page_token;
                    }
                    Err(e @ Error::InvalidArgument { .. }) => return Err(e),
                    Err(_) => failed = true,
                }
            }
            if failed {
                break 'merge;
            }
            // Refilled lanes may come back empty with yet another token: look again.
            continue;
        }
        let best = lanes
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.items.front().map(|x| (i, key(x))))
            .min_by(|a, b| a.1.cmp(&b.1))
            .map(|(i, _)| i);
        let Some(i) = best else { break };
        let lane = &mut lanes[i];
        items.push(lane.items.pop_front().expect("lane has a head"));
        lane.consumed += 1;
    }

    for lane in lanes {
        let cursor = if lane.items.is_empty() {
            match lane.next {
                Some(next) => Cursor {
                    token: Some(next),
                    skip: 0,
                    size: 0,
                    done: false,
                },
                None => Cursor {
                    done: true,
                    ..Cursor::default()
                },
            }
        } else {
            Cursor {
                token: lane.token,
                skip: lane.skip + lane.consumed,
                size: lane.size,
                done: false,
            }
        };
        cursors.insert(lane.provider, cursor);
    }
    let more = cursors.values().any(|c| !c.done);
    Ok(MergedPage {
        items,
        next_page_token: more.then(|| encode_token(fingerprint, cursors)),
        unreachable,
    })
}

#[cfg(test)]
#[path = "paging_tests.rs"]
mod tests;
