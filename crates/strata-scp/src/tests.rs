//! `ScpProvider::list_volumes` against the simulator: full pages across both services, exact
//! resumption, local status filtering and the vendor-call bound.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use strata_sim::scp::{ScpSim, ScpSimConfig, Service};

use super::*;

const REGION: &str = "kr-west1";

/// A simulator whose created volumes stay `creating` for the whole test.
async fn sim() -> ScpSim {
    ScpSim::start(ScpSimConfig {
        delay: Duration::from_secs(3600),
        ..Default::default()
    })
    .await
    .expect("simulator starts")
}

fn provider(sim: &ScpSim) -> ScpProvider {
    let mut cfg = crate::test_support::sim_config(sim);
    for (s, svc) in [
        (ScpService::File, Service::FileStorage),
        (ScpService::ParallelFile, Service::ParallelFileStorage),
        (ScpService::Block, Service::BlockStorage),
    ] {
        let url = sim.url(svc, REGION).expect("service url");
        cfg.endpoints.insert(s, url.to_string());
    }
    ScpProvider::new(cfg).expect("provider builds")
}

/// 7 file and 5 parallel file volumes; the ones created through the adapter (every third
/// name) stay `creating`, the seeded ones are `available`. Returns the names in list order.
async fn populate(sim: &ScpSim, p: &ScpProvider) -> Vec<String> {
    let ctx = CallCtx::for_request("test");
    let mut names = vec![];
    for (kind, n) in [("file", 7), ("parallel_file", 5)] {
        for i in 0..n {
            let name = format!("{}_{i:02}", if kind == "file" { "fs" } else { "pfs" });
            if i % 3 == 1 {
                let req: CreateVolume = serde_json::from_value(json!({
                    "provider": "scp-kr-west1", "kind": kind, "name": name,
                    "size_gib": if kind == "file" { 0 } else { 1024 },
                    "protocol": if kind == "file" { Some("nfs") } else { None },
                    "tier": if kind == "file" { Some("SSD") } else { None },
                }))
                .expect("create request");
                let v = p.create_volume(&ctx, &req).await.expect("volume created");
                assert_eq!(v.status, VolumeStatus::Creating, "{name}");
            } else if kind == "file" {
                sim.seed_file_volume(REGION, &name, "NFS", "HDD");
            } else {
                sim.seed_parallel_volume(REGION, &name, 1);
            }
            names.push(name);
        }
    }
    names
}

/// Every page of a listing; fails on a token that does not end.
async fn pages(p: &ScpProvider, filter: &VolumeFilter, size: u32) -> Vec<Page<Volume>> {
    let ctx = CallCtx::for_request("test");
    let mut out: Vec<Page<Volume>> = vec![];
    let mut token = None;
    loop {
        let page = p
            .list_volumes(
                &ctx,
                filter,
                &PageRequest {
                    page_size: size,
                    page_token: token,
                },
            )
            .await
            .expect("page listed");
        token = page.next_page_token.clone();
        out.push(page);
        if token.is_none() {
            return out;
        }
        assert!(out.len() < 100, "the listing does not end");
    }
}

/// The page rules: every page but the last is exactly `size` long, the last is not empty
/// unless nothing matches at all (a token is given only when something remains), and the
/// pages together are `expected`, each once, in list order.
fn check(pages: &[Page<Volume>], size: u32, expected: &[String], what: &str) {
    let (last, rest) = pages.split_last().expect("at least one page");
    for (i, page) in rest.iter().enumerate() {
        assert_eq!(
            page.items.len(),
            size as usize,
            "{what}: page {i} is not full"
        );
        assert!(page.next_page_token.is_some());
    }
    assert!(last.next_page_token.is_none());
    assert!(
        last.items.len() <= size as usize,
        "{what}: last page too long"
    );
    assert_eq!(
        last.items.is_empty(),
        expected.is_empty(),
        "{what}: an empty last page after a token"
    );
    let got: Vec<String> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|v| v.name.clone()))
        .collect();
    assert_eq!(got, expected, "{what}: not every volume once, in order");
    let ids: BTreeSet<&str> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|v| v.id.as_str()))
        .collect();
    assert_eq!(ids.len(), expected.len(), "{what}: repeated ids");
}

#[tokio::test]
async fn pages_are_full_across_both_services() {
    let sim = sim().await;
    let p = provider(&sim);
    let names = populate(&sim, &p).await;
    let creating: Vec<String> = names
        .iter()
        .filter(|n| n.ends_with("_01") || n.ends_with("_04"))
        .cloned()
        .collect();
    let available: Vec<String> = names
        .iter()
        .filter(|n| !creating.contains(n))
        .cloned()
        .collect();
    let parallel: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with("pfs"))
        .cloned()
        .collect();
    let cases = [
        ("all", VolumeFilter::default(), &names),
        (
            "available",
            VolumeFilter {
                status: Some(VolumeStatus::Available),
                ..Default::default()
            },
            &available,
        ),
        (
            "creating",
            VolumeFilter {
                status: Some(VolumeStatus::Creating),
                ..Default::default()
            },
            &creating,
        ),
        (
            "deleting",
            VolumeFilter {
                status: Some(VolumeStatus::Deleting),
                ..Default::default()
            },
            &vec![],
        ),
        (
            "parallel",
            VolumeFilter {
                kind: Some(VolumeKind::ParallelFile),
                ..Default::default()
            },
            &parallel,
        ),
        (
            "name 0",
            VolumeFilter {
                name: Some("_0".into()),
                ..Default::default()
            },
            &names,
        ),
    ];
    for (what, filter, expected) in &cases {
        for size in 1..=13 {
            let pages = pages(&p, filter, size).await;
            check(&pages, size, expected, &format!("{what}, page size {size}"));
        }
    }
}

#[tokio::test]
async fn unfiltered_pages_take_at_most_two_vendor_calls() {
    let sim = sim().await;
    let p = provider(&sim);
    populate(&sim, &p).await;
    let calls = || {
        [Service::FileStorage, Service::ParallelFileStorage]
            .iter()
            .flat_map(|s| sim.faults(*s).requests())
            .filter(|r| r.method == "GET" && r.uri.starts_with("/v1/volumes?"))
            .count()
    };
    for size in 1..=13 {
        let before = calls();
        let pages = pages(&p, &VolumeFilter::default(), size).await;
        let made = calls() - before;
        assert!(
            made <= 2 * pages.len(),
            "page size {size}: {made} vendor calls for {} pages",
            pages.len()
        );
    }
}

#[tokio::test]
async fn a_long_run_of_dropped_volumes_ends_the_page_at_the_call_bound() {
    let sim = sim().await;
    let p = provider(&sim);
    let ctx = CallCtx::for_request("test");
    // More available volumes than MAX_LIST_CALLS vendor pages hold, then one creating.
    let run = MAX_LIST_CALLS * 100 + 20;
    for i in 0..run {
        sim.seed_file_volume(REGION, &format!("fs_{i:04}"), "NFS", "HDD");
    }
    let req: CreateVolume = serde_json::from_value(json!({
        "provider": "scp-kr-west1", "kind": "parallel_file", "name": "pfs_new", "size_gib": 1024,
    }))
    .expect("create request");
    p.create_volume(&ctx, &req).await.expect("volume created");
    let filter = VolumeFilter {
        status: Some(VolumeStatus::Creating),
        ..Default::default()
    };
    let before = sim.faults(Service::FileStorage).request_count();
    let pages = pages(&p, &filter, 5).await;
    let made = sim.faults(Service::FileStorage).request_count() - before;
    // The first page scans MAX_LIST_CALLS vendor pages, finds nothing and says where it
    // stopped; the second finds the volume.
    assert_eq!(pages.len(), 2);
    assert!(pages[0].items.is_empty());
    assert_eq!(
        pages[0].next_page_token.as_deref(),
        Some(format!("f:{}:5", MAX_LIST_CALLS * 100).as_str())
    );
    assert_eq!(pages[1].items.len(), 1);
    assert_eq!(pages[1].items[0].name, "pfs_new");
    assert_eq!(made, MAX_LIST_CALLS + 1);
}

#[tokio::test]
async fn invalid_tokens_are_refused() {
    let sim = sim().await;
    let p = provider(&sim);
    let ctx = CallCtx::for_request("test");
    let parallel_only = VolumeFilter {
        kind: Some(VolumeKind::ParallelFile),
        ..Default::default()
    };
    for (token, filter) in [
        ("", VolumeFilter::default()),
        ("garbage", VolumeFilter::default()),
        ("x:0:5", VolumeFilter::default()),
        ("f:-1:5", VolumeFilter::default()),
        ("f:0:0", VolumeFilter::default()),
        ("f:0:101", VolumeFilter::default()),
        ("f:0", VolumeFilter::default()),
        ("f:0:5", parallel_only),
    ] {
        let err = p
            .list_volumes(
                &ctx,
                &filter,
                &PageRequest {
                    page_size: 5,
                    page_token: Some(token.into()),
                },
            )
            .await
            .expect_err(token);
        assert_eq!(err.field(), Some("page_token"), "{token}");
    }
}
