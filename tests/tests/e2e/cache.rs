//! The response cache through the gateway, counted in the NHN simulator's request log:
//! single flight, hits with `Age`, TTL expiry, `no-cache`, read-your-writes, errors never
//! cached, and no answer for a principal that may not use the provider.

use std::time::Duration;

use futures::StreamExt;
use reqwest::Method;
use serde_json::json;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::VolumeKind;
use strata_server::Config;
use strata_sim::faults::Faults;
use strata_tests::*;

const HOUR: Duration = Duration::from_secs(3600);

fn config(ttl_ms: u64) -> Config {
    let mut cfg = test_config();
    cfg.layers.cache_ttl_ms = ttl_ms;
    cfg
}

fn count(log: &Faults, f: impl Fn(&str) -> bool) -> usize {
    log.requests()
        .iter()
        .filter(|r| r.method == "GET" && f(&r.uri))
        .count()
}

async fn volume(gw: &TestGateway, name: &str) -> String {
    let op = run_op(
        gw,
        Method::POST,
        "/v1/volumes",
        Some(
            json!({"provider":"nhn-kr1","kind":"file","name":name,"size_gib":300,"protocol":"nfs"}),
        ),
    )
    .await;
    op["result"]["id"].as_str().unwrap().to_string()
}

fn vendor_id(id: &str) -> String {
    id.parse::<GlobalId>().unwrap().vendor_id
}

/// 100 concurrent cold reads of one resource make one vendor call; 100 concurrent cold lists
/// make one vendor list.
#[tokio::test]
async fn concurrent_cold_reads_collapse_into_one_vendor_call() {
    let (gw, sim) = start_nhn_with(config(60_000), Duration::from_millis(5), HOUR).await;
    let vol = volume(&gw, "sf").await;
    let log = sim.nas_faults();
    log.set_latency(Duration::from_millis(100));
    let usage = format!("/v1/volumes/{vol}/usage");
    let statuses: Vec<u16> = futures::stream::iter(0..100)
        .map(|_| async { send(gw.req(Method::GET, &usage)).await.0 })
        .buffer_unordered(100)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        count(log, |u| u.ends_with("/usage")),
        1,
        "one vendor usage call"
    );

    let lists: Vec<u16> = futures::stream::iter(0..100)
        .map(|_| async {
            send(gw.req(Method::GET, "/v1/volumes?provider=nhn-kr1"))
                .await
                .0
        })
        .buffer_unordered(100)
        .collect()
        .await;
    assert!(lists.iter().all(|s| *s == 200));
    assert_eq!(
        count(log, |u| u.starts_with("/v1/volumes?")),
        1,
        "one vendor list for 100 concurrent cold lists"
    );
    log.clear();
    gw.stop().await;
}

/// A second read within the TTL is served from the cache with `Age`; after the TTL, or with
/// `Cache-Control: no-cache`, the vendor is asked again; errors are never cached.
#[tokio::test]
async fn hits_expire_and_no_cache_bypasses() {
    let (gw, sim) = start_nhn_with(config(1500), Duration::from_millis(5), HOUR).await;
    let vol = volume(&gw, "hit").await;
    let vid = vendor_id(&vol);
    let log = sim.nas_faults();
    let path = format!("/v1/volumes/{vol}");
    let shows = || count(log, |u| u == format!("/v1/volumes/{vid}"));

    tokio::time::sleep(Duration::from_millis(1600)).await; // what the probes cached expires
    let before = shows();
    let (s, h, _) = send(gw.req(Method::GET, &path)).await;
    assert_eq!((s, shows()), (200, before + 1), "a miss asks the vendor");
    assert!(h.get("age").is_none(), "a fresh answer has no Age");
    let (s, h, _) = send(gw.req(Method::GET, &path)).await;
    assert_eq!((s, shows()), (200, before + 1), "a hit does not");
    assert!(h.get("age").is_some(), "a cached answer says so");

    let (s, _, _) = send(
        gw.req(Method::GET, &path)
            .header("cache-control", "no-cache"),
    )
    .await;
    assert_eq!((s, shows()), (200, before + 2), "no-cache asks the vendor");

    tokio::time::sleep(Duration::from_millis(1600)).await;
    send(gw.req(Method::GET, &path)).await;
    assert_eq!(shows(), before + 3, "an expired entry is fetched again");

    let missing = GlobalId::new(
        ResourceType::Volume,
        "nhn-kr1",
        Some(VolumeKind::File),
        "0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3e",
    )
    .encode();
    for _ in 0..2 {
        assert_problem(
            &send(gw.req(Method::GET, &format!("/v1/volumes/{missing}"))).await,
            404,
            "volume_not_found",
        );
    }
    assert_eq!(
        count(log, |u| u.contains("0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3e")),
        2,
        "a 404 is not cached"
    );
    gw.stop().await;
}

/// Through a long TTL, a client reads its own writes: resize, snapshot, delete.
#[tokio::test]
async fn clients_read_their_own_writes() {
    let (gw, _sim) = start_nhn_with(config(60_000), Duration::from_millis(5), HOUR).await;
    let vol = volume(&gw, "ryw").await;
    let path = format!("/v1/volumes/{vol}");
    let (_, _, v) = send(gw.req(Method::GET, &path)).await;
    assert_eq!(v["size_gib"], 300);
    let (_, _, list) = send(gw.req(Method::GET, "/v1/volumes?provider=nhn-kr1")).await;
    assert_eq!(list["volumes"].as_array().unwrap().len(), 1);
    let (_, _, snaps) = send(gw.req(Method::GET, &format!("{path}/snapshots"))).await;
    assert_eq!(snaps["snapshots"].as_array().unwrap().len(), 0);

    run_op(&gw, Method::PATCH, &path, Some(json!({"size_gib": 500}))).await;
    let (_, _, v) = send(gw.req(Method::GET, &path)).await;
    assert_eq!(v["size_gib"], 500, "the resize is visible at once: {v}");
    let (_, _, list) = send(gw.req(Method::GET, "/v1/volumes?provider=nhn-kr1")).await;
    assert_eq!(list["volumes"][0]["size_gib"], 500, "and in lists: {list}");

    run_op(
        &gw,
        Method::POST,
        &format!("{path}/snapshots"),
        Some(json!({"name": "s1"})),
    )
    .await;
    let (_, _, snaps) = send(gw.req(Method::GET, &format!("{path}/snapshots"))).await;
    assert_eq!(snaps["snapshots"].as_array().unwrap().len(), 1, "{snaps}");

    run_op(&gw, Method::DELETE, &path, None).await;
    assert_problem(
        &send(gw.req(Method::GET, &path)).await,
        404,
        "volume_not_found",
    );
    let (_, _, list) = send(gw.req(Method::GET, "/v1/volumes?provider=nhn-kr1")).await;
    assert_eq!(list["volumes"].as_array().unwrap().len(), 0, "{list}");
    gw.stop().await;
}

/// A cached answer is sent as its entry's rendition: the same bytes, `Content-Type` and
/// `ETag` as the answer serialized fresh, `304` on its tag, and a new rendition (new bytes,
/// new tag) once a change ends the entry.
#[tokio::test]
async fn cached_answers_are_sent_as_the_bytes_a_fresh_answer_has() {
    let (gw, sim) = start_nhn_with(config(60_000), Duration::from_millis(5), HOUR).await;
    let vol = volume(&gw, "rendered").await;
    let path = format!("/v1/volumes/{vol}");
    let raw = |no_cache: bool| {
        let rb = gw.req(Method::GET, &path);
        let rb = if no_cache {
            rb.header("cache-control", "no-cache")
        } else {
            rb
        };
        async move {
            let resp = rb.send().await.unwrap();
            assert_eq!(resp.status(), 200);
            let h = resp.headers().clone();
            let header = |n: &str| h.get(n).map(|v| v.to_str().unwrap().to_string());
            let (etag, ctype, age) = (header("etag"), header("content-type"), header("age"));
            (resp.bytes().await.unwrap(), etag.unwrap(), ctype, age)
        }
    };
    let fresh = raw(true).await;
    let vendor_reads = count(sim.nas_faults(), |u| u.ends_with(&vendor_id(&vol)));
    let first = raw(false).await; // renders the entry
    let second = raw(false).await; // sends the rendition
    assert_eq!(
        count(sim.nas_faults(), |u| u.ends_with(&vendor_id(&vol))),
        vendor_reads,
        "both cached reads were answered from the cache"
    );
    for (what, cached) in [("first", &first), ("second", &second)] {
        assert_eq!(cached.0, fresh.0, "{what} cached body equals the fresh one");
        assert_eq!(cached.1, fresh.1, "{what} cached ETag equals the fresh one");
        assert_eq!(cached.2.as_deref(), Some("application/json"));
        assert!(cached.3.is_some(), "{what} cached answer has an Age");
    }
    assert_eq!(fresh.3, None, "a fresh answer has no Age");
    let (s, h, body) = send(
        gw.req(Method::GET, &path)
            .header("if-none-match", &second.1),
    )
    .await;
    assert_eq!((s, body), (304, serde_json::Value::Null));
    assert_eq!(h["etag"].to_str().unwrap(), second.1);
    assert!(h.get("content-type").is_none());

    run_op(&gw, Method::PATCH, &path, Some(json!({"size_gib": 400}))).await;
    let changed = raw(false).await;
    let again = raw(false).await;
    assert_ne!(changed.1, second.1, "a new representation has a new tag");
    assert_eq!((&again.0, &again.1), (&changed.0, &changed.1));
    let v: serde_json::Value = serde_json::from_slice(&again.0).unwrap();
    assert_eq!(v["size_gib"], 400);
    gw.stop().await;
}

/// A token that may not use a provider gets nothing of it, cached or not.
#[tokio::test]
async fn cached_answers_never_reach_a_principal_that_may_not_see_them() {
    let (gw, _sim) = start_nhn_with(config(60_000), Duration::from_millis(5), HOUR).await;
    let vol = volume(&gw, "priv").await;
    let path = format!("/v1/volumes/{vol}");
    assert_eq!(send(gw.req(Method::GET, &path)).await.0, 200);
    let mut claims = claims("kr2-only", "storage.read");
    claims["strata_providers"] = json!(["nhn-kr2"]);
    let other = token(&claims);
    let resp = send(gw.http.get(gw.url(&path)).bearer_auth(&other)).await;
    assert_problem(&resp, 403, "provider_forbidden");
    let (s, _, list) = send(gw.http.get(gw.url("/v1/volumes")).bearer_auth(&other)).await;
    assert_eq!(s, 200);
    assert!(
        list["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["provider"] == "nhn-kr2"),
        "{list}"
    );
    gw.stop().await;
}
