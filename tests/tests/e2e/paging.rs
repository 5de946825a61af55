//! Paging through `GET /v1/volumes` on SCP providers: every page but the last is full, across
//! the provider's two services and across providers, and the pages hold every volume once.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use strata_tests::*;

/// Long enough that volumes created by the tests stay `creating` throughout.
const SLOW: Duration = Duration::from_secs(3600);

/// Every page of `query` at `size`, read past the gateway's cache.
async fn pages(gw: &TestGateway, query: &str, size: u32) -> Vec<Value> {
    let mut out: Vec<Value> = vec![];
    let mut token: Option<String> = None;
    loop {
        let mut path = format!("/v1/volumes?page_size={size}");
        if !query.is_empty() {
            path.push_str(&format!("&{query}"));
        }
        if let Some(t) = &token {
            path.push_str(&format!("&page_token={t}"));
        }
        let (s, _, page) = send(
            gw.req(Method::GET, &path)
                .header("cache-control", "no-cache"),
        )
        .await;
        assert_eq!(s, 200, "GET {path}: {page}");
        assert!(page.get("unreachable").is_none(), "{page}");
        token = page["next_page_token"].as_str().map(str::to_string);
        out.push(page);
        if token.is_none() {
            return out;
        }
        assert!(out.len() < 100, "{query}: the listing does not end");
    }
}

fn names(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Every page but the last holds `size` volumes, the last is not empty (unless nothing
/// matches), and together they are `expected` (names), each once.
fn check(pages: &[Value], size: u32, expected: &[&str], what: &str) {
    let (last, rest) = pages.split_last().expect("a page");
    for (i, p) in rest.iter().enumerate() {
        let n = p["volumes"].as_array().expect("volumes").len();
        assert_eq!(
            n, size as usize,
            "{what}, page size {size}: page {i} holds {n}"
        );
    }
    let n = last["volumes"].as_array().expect("volumes").len();
    assert!(n <= size as usize);
    assert_eq!(
        n == 0,
        expected.is_empty(),
        "{what}, page size {size}: last page"
    );
    let mut got: Vec<&str> = pages
        .iter()
        .flat_map(|p| p["volumes"].as_array().expect("volumes"))
        .map(|v| v["name"].as_str().expect("name"))
        .collect();
    got.sort_unstable();
    let mut want = expected.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "{what}, page size {size}");
}

#[tokio::test]
async fn scp_volume_pages_are_full_across_services_and_providers() {
    let (gw, sim) = start_scp(SLOW).await;
    let mut west = vec![];
    for i in 0..7 {
        let name = format!("fs_{i:02}");
        sim.seed_file_volume("kr-west1", &name, "NFS", "HDD");
        west.push(name);
    }
    for i in 0..5 {
        let name = format!("pfs_{i:02}");
        sim.seed_parallel_volume("kr-west1", &name, 1);
        west.push(name);
    }
    // Two more that stay `creating`: one per service.
    let mut creating = vec![];
    for body in [
        json!({"provider": "scp-kr-west1", "kind": "file", "name": "fs_03a", "protocol": "nfs", "tier": "SSD"}),
        json!({"provider": "scp-kr-west1", "kind": "parallel_file", "name": "pfs_01a", "size_gib": 1024}),
    ] {
        let (s, _, op) = send(gw.req(Method::POST, "/v1/volumes").json(&body)).await;
        assert_eq!(s, 202, "{op}");
        let name = body["name"].as_str().unwrap().to_string();
        creating.push(name.clone());
        west.push(name);
    }
    let mut everything = west.clone();
    for i in 0..3 {
        let name = format!("east_{i:02}");
        sim.seed_file_volume("kr-east1", &name, "NFS", "HDD");
        everything.push(name);
    }
    let available: Vec<String> = west
        .iter()
        .filter(|n| !creating.contains(n))
        .cloned()
        .collect();

    // The case that used to answer an empty page with a token.
    let first = &pages(&gw, "provider=scp-kr-west1", 10).await[0];
    assert_eq!(first["volumes"].as_array().unwrap().len(), 10, "{first}");

    for size in 1..=15 {
        let p = pages(&gw, "provider=scp-kr-west1", size).await;
        check(&p, size, &names(&west), "scp-kr-west1");
        let p = pages(&gw, "provider=scp-kr-west1&status=creating", size).await;
        check(&p, size, &names(&creating), "creating");
        let p = pages(&gw, "provider=scp-kr-west1&status=available", size).await;
        check(&p, size, &names(&available), "available");
        let p = pages(&gw, "provider=scp-kr-west1&status=deleting", size).await;
        check(&p, size, &[], "deleting");
        let p = pages(&gw, "kind=file&status=available", size).await;
        let files: Vec<&str> = everything
            .iter()
            .map(String::as_str)
            .filter(|n| !n.starts_with("pfs") && !creating.iter().any(|c| c == n))
            .collect();
        check(&p, size, &files, "available files, both providers");
        let p = pages(&gw, "", size).await;
        check(&p, size, &names(&everything), "both providers");
    }
    gw.stop().await;
}
