//! The in-memory provider moves volumes through real states and refuses what its capabilities refuse.

use super::*;

const CTX: &CallCtx = &CallCtx {
    request_id: None,
    deadline: None,
    cache: strata_core::context::CachePolicy::Normal,
    principal: None,
};

fn create(name: &str) -> CreateVolume {
    serde_json::from_value(serde_json::json!({"provider":"m","kind":"file","name":name,"size_gib":300,"protocol":"nfs"})).unwrap()
}

#[tokio::test]
async fn volume_moves_through_creating_to_available_and_is_deleted() {
    let p = MemoryProvider::new("m", "KR1", Duration::from_millis(50));
    let v = p.create_volume(CTX, &create("a")).await.unwrap();
    assert_eq!(v.status, VolumeStatus::Creating);
    let id: GlobalId = v.id.parse().unwrap();
    assert_eq!(
        p.create_snapshot(CTX, &id, &CreateSnapshot::default())
            .await
            .unwrap_err()
            .code(),
        "conflict"
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(
        p.get_volume(CTX, &id).await.unwrap().status,
        VolumeStatus::Available
    );
    p.delete_volume(CTX, &id).await.unwrap();
    assert_eq!(
        p.get_volume(CTX, &id).await.unwrap().status,
        VolumeStatus::Deleting
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(
        p.get_volume(CTX, &id).await.unwrap_err().code(),
        "volume_not_found"
    );
}

#[tokio::test]
async fn refuses_what_its_capabilities_refuse() {
    let p = MemoryProvider::new("m", "KR1", Duration::ZERO);
    let e = p
        .create_volume(
            CTX,
            &CreateVolume {
                size_gib: 150,
                ..create("a")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("size_gib"));
    p.create_volume(CTX, &create("a")).await.unwrap();
    let dup = p.create_volume(CTX, &create("a")).await.unwrap_err();
    assert_eq!(
        (dup.http_status(), dup.code(), dup.retryable()),
        (409, "already_exists".into(), false)
    );
    let id: GlobalId = p
        .list_volumes(
            CTX,
            &VolumeFilter::default(),
            &PageRequest {
                page_size: 10,
                page_token: None,
            },
        )
        .await
        .unwrap()
        .items[0]
        .id
        .parse()
        .unwrap();
    let e = p
        .create_replica(
            CTX,
            &id,
            &CreateReplica {
                destination_region: "KR2".into(),
                destination_name: None,
                frequency: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("destination_region"));
    assert_eq!(
        p.reverse_replica(CTX, &id).await.unwrap_err().code(),
        "unsupported_by_provider"
    );
}
