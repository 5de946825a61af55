//! Every error path answers RFC 9457 problem+json with a stable code.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::json;
use strata_core::capability::Capabilities;
use strata_core::context::CallCtx;
use strata_core::error::{Error, Result};
use strata_core::ids::GlobalId;
use strata_core::model::*;
use strata_core::paging::{Page, PageRequest};
use strata_core::provider::*;
use strata_server::state::Registry;
use strata_sim::memory::{memory_capabilities, MemoryProvider};
use strata_tests::*;

/// A provider whose vendor is broken in a chosen way.
struct Broken {
    info: ProviderInfo,
    caps: Capabilities,
    error: Option<Error>,
}

#[async_trait]
impl VolumeOps for Broken {
    async fn list_volumes(
        &self,
        _ctx: &CallCtx,
        _f: &VolumeFilter,
        _p: &PageRequest,
    ) -> Result<Page<Volume>> {
        Err(self.error.clone().unwrap_or(Error::VendorUnavailable {
            retry_after_secs: None,
            message: "connection refused".into(),
        }))
    }
    async fn get_volume(&self, _ctx: &CallCtx, _id: &GlobalId) -> Result<Volume> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => panic!("simulated bug: secret-internal-detail"),
        }
    }
}
impl SnapshotOps for Broken {}
impl ReplicaOps for Broken {}
impl VolumeGroupOps for Broken {}
impl BackupOps for Broken {}
impl ArchiveOps for Broken {}
#[async_trait]
impl Provider for Broken {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
}

fn broken(id: &str, error: Option<Error>) -> Arc<Broken> {
    Arc::new(Broken {
        info: ProviderInfo {
            id: id.into(),
            vendor: Vendor::Memory,
            region: "KR1".into(),
            display_name: id.into(),
        },
        caps: memory_capabilities(vec![]),
        error,
    })
}

fn vol_id(provider: &str) -> String {
    GlobalId::new(
        strata_core::ResourceType::Volume,
        provider,
        Some(VolumeKind::File),
        "v-1",
    )
    .encode()
}

#[tokio::test]
async fn routing_and_body_errors() {
    let mut cfg = test_config();
    cfg.max_body_bytes = 2048;
    let gw = TestGateway::start_with(cfg, memory_registry(Duration::ZERO)).await;

    let r = send(gw.req(Method::GET, "/v1/nothing-here")).await;
    let p = assert_problem(&r, 404, "route_not_found");
    assert_eq!(p["instance"], "/v1/nothing-here");
    assert_problem(
        &send(gw.http.get(gw.url("/not/even/v1"))).await,
        404,
        "route_not_found",
    );
    assert_problem(
        &send(gw.req(Method::PUT, "/v1/volumes")).await,
        405,
        "method_not_allowed",
    );

    let post = || gw.req(Method::POST, "/v1/volumes");
    let r = send(
        post()
            .header("content-type", "application/json")
            .body("{\"provider\": "),
    )
    .await;
    assert_problem(&r, 400, "invalid_json");
    let r = send(post().header("content-type", "text/plain").body("{}")).await;
    assert_problem(&r, 415, "unsupported_media_type");
    let r = send(post().body("{}")).await;
    assert_problem(&r, 415, "unsupported_media_type");
    let r = send(
        post().json(&json!({"provider":"mem-a","kind":"file","name":"x","size_gib":300,"bogus":1})),
    )
    .await;
    let p = assert_problem(&r, 400, "invalid_body");
    assert!(p["detail"].as_str().unwrap().contains("bogus"), "{p}");
    let r = send(post().json(&json!({"provider":"mem-a","kind":"tape","name":"x","size_gib":300})))
        .await;
    assert_problem(&r, 400, "invalid_body");
    let big = json!({"provider":"mem-a","kind":"file","name":"x".repeat(4096),"size_gib":300});
    assert_problem(&send(post().json(&big)).await, 413, "payload_too_large");
    // A chunked body (no Content-Length to refuse up front) is cut off at the same limit.
    let answer = raw_exchange(
        &gw,
        &format!(
            "POST /v1/volumes HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
             content-type: application/json\r\ntransfer-encoding: chunked\r\n\
             connection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
            token(&claims("tester", "storage.write")),
            big.to_string().len(),
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"payload_too_large\""), "{answer}");

    // Ids and query parameters.
    assert_problem(
        &send(gw.req(Method::GET, "/v1/volumes/not-an-id")).await,
        400,
        "invalid_id",
    );
    // Of the documented form (`vol_` + base64url) but decoding to nothing this gateway issued:
    // the client kept the contract, and no such volume exists.
    for id in ["vol_AAAA", "vol_x", "vol_AQ", "vol_-_-_"] {
        let p = assert_problem(
            &send(gw.req(Method::GET, &format!("/v1/volumes/{id}"))).await,
            404,
            "volume_not_found",
        );
        assert!(p["detail"].as_str().unwrap().contains(id), "{p}");
    }
    for bad in ["page_size=501", "wait=", "wait=5h", "page_size=-1"] {
        let path = if bad.starts_with("wait") {
            format!("/v1/operations/op_nope?{bad}")
        } else {
            format!("/v1/volumes?{bad}")
        };
        assert_problem(
            &send(gw.req(Method::GET, &path)).await,
            400,
            "invalid_argument",
        );
    }
    let snap_as_vol = GlobalId::new(
        strata_core::ResourceType::Snapshot,
        "mem-a",
        Some(VolumeKind::File),
        "s",
    )
    .encode();
    let p = assert_problem(
        &send(gw.req(Method::GET, &format!("/v1/volumes/{snap_as_vol}"))).await,
        400,
        "invalid_id",
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("expected a volume id"),
        "{p}"
    );
    assert_problem(
        &send(gw.req(Method::GET, "/v1/volumes?page_size=lots")).await,
        400,
        "invalid_argument",
    );
    let p = assert_problem(
        &send(gw.req(Method::GET, "/v1/volumes?page_token=forged")).await,
        422,
        "invalid_page_token",
    );
    assert_eq!(
        (p["field"].as_str(), p["retryable"].as_bool()),
        (Some("page_token"), Some(false))
    );
    assert_problem(
        &send(gw.req(Method::GET, &format!("/v1/volumes/{}", vol_id("nowhere")))).await,
        404,
        "provider_not_found",
    );
    let p = assert_problem(
        &send(gw.req(Method::GET, &format!("/v1/volumes/{}", vol_id("mem-a")))).await,
        404,
        "volume_not_found",
    );
    assert_eq!(p["provider"], "mem-a");
    assert_problem(
        &send(gw.req(Method::GET, "/v1/operations/op_nope")).await,
        404,
        "operation_not_found",
    );
    // Every query parameter is validated before anything else is looked at.
    assert_problem(
        &send(gw.req(Method::GET, "/v1/operations/op_nope?wait=forever")).await,
        400,
        "invalid_argument",
    );

    // Validation against capabilities, before any provider call.
    let r = send(post().json(
        &json!({"provider":"mem-a","kind":"file","name":"x","size_gib":250,"protocol":"nfs"}),
    ))
    .await;
    let p = assert_problem(&r, 422, "unsupported_value");
    assert_eq!(p["field"], "size_gib");
    assert!(
        p["detail"].as_str().unwrap().contains("steps of 100"),
        "{p}"
    );
    let r = send(post().json(&json!({"provider":"mem-a","kind":"file","name":"x","size_gib":300,"protocol":"parallel_fs"}))).await;
    assert_eq!(
        assert_problem(&r, 422, "unsupported_value")["field"],
        "protocol"
    );
    let r =
        send(post().json(&json!({"provider":"mem-a","kind":"block","name":"x","size_gib":300})))
            .await;
    assert_problem(&r, 422, "unsupported_by_provider");
    assert_problem(
        &send(gw.req(Method::POST, "/v1/volumes?wait=soon").json(
            &json!({"provider":"mem-a","kind":"file","name":"x","size_gib":300,"protocol":"nfs"}),
        ))
        .await,
        400,
        "invalid_argument",
    );

    // The client's request id is kept; a hostile one is replaced.
    let r = send(
        gw.req(Method::GET, "/v1/nothing")
            .header("x-request-id", "trace-abc-123"),
    )
    .await;
    assert_eq!(r.1["x-request-id"], "trace-abc-123");
    assert_eq!(
        assert_problem(&r, 404, "route_not_found")["request_id"],
        "trace-abc-123"
    );
    let r = send(
        gw.req(Method::GET, "/healthz")
            .header("x-request-id", "x".repeat(500)),
    )
    .await;
    assert_eq!(
        r.1["x-request-id"].len(),
        36,
        "oversized ids are replaced by a UUID"
    );
    for hostile in ["<script>alert(1)</script>", "a b", "x'y", &"k".repeat(65)] {
        let r = send(
            gw.req(Method::GET, "/healthz")
                .header("x-request-id", hostile),
        )
        .await;
        let kept = &r.1["x-request-id"];
        assert_ne!(kept, hostile);
        assert_eq!(kept.len(), 36, "{hostile:?} is replaced by a UUID");
    }
    gw.stop().await;
}

#[tokio::test]
async fn vendor_failures_and_bugs() {
    let mut reg = Registry::new();
    reg.insert(Arc::new(MemoryProvider::new(
        "mem-a",
        "KR1",
        Duration::ZERO,
    )));
    reg.insert(broken(
        "vendor-500",
        Some(Error::VendorFailed {
            vendor_status: Some(500),
            vendor_code: Some("E500".into()),
            message: "internal server error".into(),
        }),
    ));
    reg.insert(broken(
        "vendor-down",
        Some(Error::VendorUnavailable {
            retry_after_secs: None,
            message: "connection refused".into(),
        }),
    ));
    reg.insert(broken("vendor-slow", Some(Error::VendorTimeout)));
    reg.insert(broken("buggy", None));
    let gw = TestGateway::start_with(test_config(), reg).await;

    let get = |p: &str| gw.req(Method::GET, &format!("/v1/volumes/{}", vol_id(p)));
    let p = assert_problem(&send(get("vendor-500")).await, 502, "vendor_error");
    assert_eq!(
        (
            p["vendor_status"].as_u64(),
            p["vendor_code"].as_str(),
            p["retryable"].as_bool()
        ),
        (Some(500), Some("E500"), Some(true))
    );
    assert_eq!(p["provider"], "vendor-500");
    assert_problem(&send(get("vendor-down")).await, 503, "vendor_unavailable");
    assert_problem(&send(get("vendor-slow")).await, 504, "vendor_timeout");
    // A panic is a 500 problem that reveals nothing of the bug.
    let r = send(get("buggy")).await;
    let p = assert_problem(&r, 500, "internal");
    assert!(!p.to_string().contains("secret-internal-detail"), "{p}");
    // The gateway survives and keeps serving.
    assert_eq!(send(gw.req(Method::GET, "/v1/providers")).await.0, 200);

    // A failing provider does not fail the list: it is named under `unreachable`.
    let (s, _, b) = send(gw.req(Method::POST, "/v1/volumes?wait=5s").json(
        &json!({"provider":"mem-a","kind":"file","name":"ok","size_gib":300,"protocol":"nfs"}),
    ))
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, _, b) = send(gw.req(Method::GET, "/v1/volumes")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["volumes"].as_array().unwrap().len(), 1);
    let mut unreachable: Vec<&str> = b["unreachable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["provider"].as_str().unwrap())
        .collect();
    unreachable.sort();
    assert_eq!(
        unreachable,
        ["buggy", "vendor-500", "vendor-down", "vendor-slow"]
    );
    gw.stop().await;
}

/// Sends `request` as written on a new connection and reads the answer until the gateway
/// closes it.
async fn raw_exchange(gw: &TestGateway, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = gw.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}
