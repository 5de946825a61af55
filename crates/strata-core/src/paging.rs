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
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// Providers backed by vectors, paged by offset tokens as real adapters would.
    fn data() -> HashMap<String, Vec<u32>> {
        HashMap::from([
            ("a".to_string(), (0..23).map(|i| i * 3).collect()),
            ("b".to_string(), (0..7).map(|i| i * 3 + 1).collect()),
            ("c".to_string(), (0..40).map(|i| i * 3 + 2).collect()),
        ])
    }

    async fn collect_all(
        page_size: u32,
        failing: &Mutex<Option<String>>,
    ) -> (Vec<u32>, usize, usize) {
        let data = data();
        let providers: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
        let mut token: Option<String> = None;
        let mut all = Vec::new();
        let mut pages = 0;
        let mut unreachable = 0;
        loop {
            let fetch = |p: String, req: PageRequest| {
                let fail = failing.lock().unwrap().clone();
                let rows = data[&p].clone();
                async move {
                    if fail.as_deref() == Some(p.as_str()) {
                        return Err(Error::VendorUnavailable {
                            retry_after_secs: None,
                            message: "down".into(),
                        });
                    }
                    page_slice(&rows, &req)
                }
            };
            let page = merge_pages(
                &providers,
                token.as_deref(),
                page_size,
                "fp",
                fetch,
                |x: &u32| *x,
            )
            .await
            .unwrap();
            assert!(page.items.len() <= page_size as usize);
            unreachable += page.unreachable.len();
            // A provider fails once, then recovers: its items must still all arrive.
            failing.lock().unwrap().take();
            all.extend(page.items);
            pages += 1;
            match page.next_page_token {
                Some(t) => token = Some(t),
                None => break,
            }
            assert!(pages < 1000, "paging does not terminate");
        }
        (all, pages, unreachable)
    }

    #[tokio::test]
    async fn merge_is_complete_and_without_repeats() {
        let expected: usize = data().values().map(Vec::len).sum();
        for size in [1, 2, 5, 7, 10, 50, 100] {
            let (mut all, pages, _) = collect_all(size, &Mutex::new(None)).await;
            assert_eq!(all.len(), expected, "page size {size}");
            all.sort();
            all.dedup();
            assert_eq!(all.len(), expected, "duplicates at page size {size}");
            assert!(pages >= expected / size as usize, "page size {size}");
        }
    }

    #[tokio::test]
    async fn merge_orders_by_key_and_fills_pages() {
        let (all, _, _) = collect_all(100, &Mutex::new(None)).await;
        // With pages large enough to hold every provider's page, the merge is totally ordered.
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
    }

    #[tokio::test]
    async fn failing_provider_is_unreachable_then_resumed() {
        let (mut all, _, unreachable) = collect_all(5, &Mutex::new(Some("b".into()))).await;
        assert_eq!(unreachable, 1);
        all.sort();
        all.dedup();
        assert_eq!(all.len(), data().values().map(Vec::len).sum::<usize>());
    }

    #[tokio::test]
    async fn tokens_are_bound_to_the_query() {
        let calls = AtomicUsize::new(0);
        let providers = vec!["a".to_string()];
        let fetch = |_p: String, req: PageRequest| {
            calls.fetch_add(1, Ordering::SeqCst);
            let rows: Vec<u32> = (0..10).collect();
            async move { page_slice(&rows, &req) }
        };
        let first = merge_pages(&providers, None, 3, "q1", fetch, |x| *x)
            .await
            .unwrap();
        let token = first.next_page_token.unwrap();
        let err = merge_pages(&providers, Some(&token), 3, "q2", fetch, |x| *x)
            .await
            .unwrap_err();
        assert_eq!(err, Error::InvalidPageToken);
        assert_eq!(err.field(), Some("page_token"));
        let err = merge_pages(&providers, Some("garbage!"), 3, "q1", fetch, |x| *x)
            .await
            .unwrap_err();
        assert_eq!(
            (err.http_status(), err.code()),
            (422, "invalid_page_token".into())
        );
    }

    #[tokio::test]
    async fn a_provider_token_refused_by_its_provider_fails_the_list() {
        // The merged token decodes, but the provider does not recognise its own part: that is
        // the client's token, not an unreachable provider.
        let providers = vec!["a".to_string()];
        let cursors = BTreeMap::from([(
            "a".to_string(),
            Cursor {
                token: Some("not-an-offset".into()),
                ..Cursor::default()
            },
        )]);
        let token = encode_token("q", cursors);
        let fetch = |_p: String, req: PageRequest| async move {
            page_slice(&(0..10).collect::<Vec<u32>>(), &req)
        };
        let err = merge_pages(&providers, Some(&token), 3, "q", fetch, |x| *x)
            .await
            .unwrap_err();
        assert_eq!(err, Error::InvalidPageToken);
    }

    /// A provider whose pages hold at most `cap` rows, and that drops the rows `hide` refuses
    /// (as a provider filtering locally does), leaving short or empty pages with tokens.
    fn short_pages(
        rows: &[u32],
        req: &PageRequest,
        cap: u32,
        hide: impl Fn(u32) -> bool,
    ) -> Result<Page<u32>> {
        let page = page_slice(
            rows,
            &PageRequest {
                page_size: req.page_size.min(cap),
                page_token: req.page_token.clone(),
            },
        )?;
        Ok(Page {
            items: page.items.into_iter().filter(|x| !hide(*x)).collect(),
            next_page_token: page.next_page_token,
        })
    }

    /// Every merged page for `size`, with the provider fetch `fetch`.
    async fn all_pages<F, Fut>(providers: &[String], size: u32, fetch: F) -> Vec<MergedPage<u32>>
    where
        F: Fn(String, PageRequest) -> Fut + Copy,
        Fut: Future<Output = Result<Page<u32>>>,
    {
        let mut pages: Vec<MergedPage<u32>> = vec![];
        let mut token: Option<String> = None;
        loop {
            let page = merge_pages(providers, token.as_deref(), size, "fp", fetch, |x| *x)
                .await
                .unwrap();
            token = page.next_page_token.clone();
            pages.push(page);
            if token.is_none() {
                return pages;
            }
            assert!(pages.len() < 1000, "paging does not terminate");
        }
    }

    #[tokio::test]
    async fn short_provider_pages_are_refilled_into_full_ordered_pages() {
        let data = data();
        let providers: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
        // Pages of at most 4 rows; `c` drops most rows, so it answers empty pages too.
        let fetch = |p: String, req: PageRequest| {
            let rows = data[&p].clone();
            async move {
                short_pages(&rows, &req, 4, |x| {
                    p == "c" && x % 5 != 0 && (50..110).contains(&x)
                })
            }
        };
        let mut expected: Vec<u32> = data
            .iter()
            .flat_map(|(p, rows)| {
                rows.iter()
                    .copied()
                    .filter(move |x| !(p == "c" && x % 5 != 0 && (50..110).contains(x)))
            })
            .collect();
        expected.sort();
        for size in [1, 2, 3, 5, 7, 10, 13, 50] {
            let pages = all_pages(&providers, size, fetch).await;
            let (last, rest) = pages.split_last().unwrap();
            for p in rest {
                assert_eq!(p.items.len(), size as usize, "page size {size}");
            }
            assert!(!last.items.is_empty(), "page size {size}: empty last page");
            let all: Vec<u32> = pages.into_iter().flat_map(|p| p.items).collect();
            assert_eq!(all, expected, "page size {size}: complete, once, in order");
        }
    }

    #[tokio::test]
    async fn a_failed_refill_ends_the_page_short_and_loses_nothing() {
        let providers: Vec<String> = vec!["a".into(), "b".into()];
        let calls = AtomicUsize::new(0);
        let fetch = |p: String, req: PageRequest| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                // The third call (`a`'s first refill) fails.
                if n == 2 {
                    return Err(Error::VendorTimeout);
                }
                let rows: Vec<u32> = if p == "a" {
                    (0..10).map(|i| i * 2).collect()
                } else {
                    (0..10).map(|i| i * 2 + 1).collect()
                };
                short_pages(&rows, &req, 3, |_| false)
            }
        };
        let first = merge_pages(&providers, None, 8, "fp", fetch, |x| *x)
            .await
            .unwrap();
        assert_eq!(first.items, vec![0, 1, 2, 3, 4]);
        assert!(first.unreachable.is_empty());
        let token = first.next_page_token.expect("more to come");
        let mut all = first.items;
        let rest = all_pages_from(&providers, token, 8, fetch).await;
        all.extend(rest);
        assert_eq!(all, (0..20).collect::<Vec<_>>());
    }

    async fn all_pages_from<F, Fut>(
        providers: &[String],
        token: String,
        size: u32,
        fetch: F,
    ) -> Vec<u32>
    where
        F: Fn(String, PageRequest) -> Fut + Copy,
        Fut: Future<Output = Result<Page<u32>>>,
    {
        let mut token = Some(token);
        let mut all = vec![];
        while let Some(t) = token {
            let page = merge_pages(providers, Some(&t), size, "fp", fetch, |x| *x)
                .await
                .unwrap();
            all.extend(page.items);
            token = page.next_page_token;
        }
        all
    }

    #[tokio::test]
    async fn refills_are_bounded_per_page() {
        // A provider whose first 20 pages are empty (all filtered out), then one item.
        let providers = vec!["a".to_string()];
        let calls = AtomicUsize::new(0);
        let fetch = |_p: String, req: PageRequest| {
            calls.fetch_add(1, Ordering::SeqCst);
            let rows: Vec<u32> = (0..21).collect();
            async move { short_pages(&rows, &req, 1, |x| x < 20) }
        };
        let first = merge_pages(&providers, None, 5, "fp", fetch, |x| *x)
            .await
            .unwrap();
        assert!(first.items.is_empty());
        assert_eq!(calls.load(Ordering::SeqCst), 1 + MAX_REFILLS);
        let rest = all_pages_from(&providers, first.next_page_token.unwrap(), 5, fetch).await;
        assert_eq!(rest, vec![20]);
    }

    #[test]
    fn page_sizes_are_clamped() {
        assert_eq!(effective_page_size(None), DEFAULT_PAGE_SIZE);
        assert_eq!(effective_page_size(Some(0)), DEFAULT_PAGE_SIZE);
        assert_eq!(effective_page_size(Some(10_000)), MAX_PAGE_SIZE);
        assert_eq!(effective_page_size(Some(7)), 7);
    }
}
