//! The adapter against the NHN simulator over real HTTP: tokens, catalog, envelope, errors.

use std::time::Duration;

use strata_core::context::CallCtx;
use strata_core::ids::GlobalId;
use strata_core::model::*;
use strata_core::paging::PageRequest;
use strata_core::provider::*;
use strata_core::secret::Secret;
use strata_nhn::{NhnConfig, NhnProvider};
use strata_sim::nhn::{NhnSim, NhnSimConfig, SeedVolume};

async fn setup(ttl: Duration) -> (NhnSim, NhnProvider) {
    let sim = NhnSim::start(NhnSimConfig {
        token_ttl: ttl,
        delay: Duration::from_millis(50),
        ..Default::default()
    })
    .await
    .unwrap();
    let c = sim.config();
    let p = NhnProvider::new(NhnConfig::new(
        "nhn-kr1",
        "KR1",
        sim.identity_url(),
        &c.tenant_id,
        &c.username,
        Secret::new(c.password),
    ))
    .unwrap();
    (sim, p)
}

fn all() -> PageRequest {
    PageRequest {
        page_size: 100,
        page_token: None,
    }
}

#[tokio::test]
async fn concurrent_callers_share_one_token_and_a_revoked_token_is_reissued_once() {
    let (sim, p) = setup(Duration::from_secs(3600)).await;
    sim.seed_volume("KR1", SeedVolume::nfs("a", 300));
    let p = std::sync::Arc::new(p);
    let calls = (0..16).map(|_| {
        let p = p.clone();
        async move {
            p.list_volumes(&CallCtx::default(), &VolumeFilter::default(), &all())
                .await
        }
    });
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().items.len(), 1);
    }
    assert_eq!(
        sim.tokens_issued(),
        1,
        "one issuance for 16 concurrent callers"
    );

    sim.revoke_tokens();
    let page = p
        .list_volumes(&CallCtx::default(), &VolumeFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(sim.tokens_issued(), 2, "the 401 re-issued exactly once");
    let unauthorized = sim
        .nas_faults()
        .requests()
        .iter()
        .filter(|r| r.uri.starts_with("/v1/volumes"))
        .count();
    assert_eq!(unauthorized, 16 + 2, "the refused call was retried once");
}

#[tokio::test]
async fn expiring_tokens_are_renewed_before_the_vendor_refuses_them() {
    let (sim, p) = setup(Duration::from_secs(2)).await;
    p.list_volumes(&CallCtx::default(), &VolumeFilter::default(), &all())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    p.list_volumes(&CallCtx::default(), &VolumeFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(sim.tokens_issued(), 2);
}

#[tokio::test]
async fn wrong_password_is_vendor_unauthenticated_and_vendor_errors_map() {
    let (sim, _) = setup(Duration::from_secs(60)).await;
    let c = sim.config();
    let bad = NhnProvider::new(NhnConfig::new(
        "nhn-kr1",
        "KR1",
        sim.identity_url(),
        &c.tenant_id,
        &c.username,
        Secret::new("wrong"),
    ))
    .unwrap();
    let e = bad
        .list_volumes(&CallCtx::default(), &VolumeFilter::default(), &all())
        .await
        .unwrap_err();
    assert_eq!(e.http_status(), 502);
    assert!(!bad.health().await.ok);

    let (sim, p) = setup(Duration::from_secs(60)).await;
    sim.nas_faults().force_status(500, 1);
    let e = p
        .list_volumes(&CallCtx::default(), &VolumeFilter::default(), &all())
        .await
        .unwrap_err();
    assert_eq!((e.http_status(), e.code().as_str()), (502, "vendor_error"));
    let missing: GlobalId = GlobalId::new(
        strata_core::ResourceType::Volume,
        "nhn-kr1",
        Some(VolumeKind::File),
        "00000000-0000-4000-8000-000000000000",
    );
    assert_eq!(
        p.get_volume(&CallCtx::default(), &missing)
            .await
            .unwrap_err()
            .code(),
        "volume_not_found"
    );
}

#[tokio::test]
async fn vendor_paging_is_complete_and_in_name_order() {
    let (sim, p) = setup(Duration::from_secs(60)).await;
    for i in (0..23).rev() {
        sim.seed_volume("KR1", SeedVolume::nfs(&format!("v{i:02}"), 300));
    }
    let mut names = vec![];
    let mut token = None;
    loop {
        let page = p
            .list_volumes(
                &CallCtx::default(),
                &VolumeFilter::default(),
                &PageRequest {
                    page_size: 5,
                    page_token: token,
                },
            )
            .await
            .unwrap();
        names.extend(page.items.into_iter().map(|v| v.name));
        token = page.next_page_token;
        if token.is_none() {
            break;
        }
    }
    let want: Vec<String> = (0..23).map(|i| format!("v{i:02}")).collect();
    assert_eq!(names, want);
}
