//! Paging: page sizes, tokens and the merge of provider pages.

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

async fn collect_all(page_size: u32, failing: &Mutex<Option<String>>) -> (Vec<u32>, usize, usize) {
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
