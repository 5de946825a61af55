//! A layer forwards every operation of the catalogue to its inner provider, sees each one in
//! its hook, and scopes the request id for the adapter.

use std::sync::Mutex;

use serde_json::json;

use super::*;
use crate::capability::Capabilities;
use crate::context::request_id;
use crate::error::Error;

/// Records which operations reached it, and the request id visible while they ran.
struct Recorder {
    info: ProviderInfo,
    caps: Capabilities,
    seen: Mutex<Vec<(Op, Option<String>)>>,
}

macro_rules! define_recorder {
    ( () $( $trait:ident $family:ident {
        $( $(#[$doc:meta])* $op:ident $name:literal $kind:ident $method:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*
    } )* ) => {
        $(
            #[async_trait]
            impl $trait for Recorder {
                $(
                    #[allow(unused_variables)]
                    async fn $method(&self, ctx: &CallCtx, $($arg: $ty),*) -> Result<$ret> {
                        self.seen.lock().unwrap().push((Op::$op, request_id()));
                        Err(Error::Internal("recorded".into()))
                    }
                )*
            }
        )*

        /// Calls `op` on `p` with placeholder arguments.
        async fn call(p: &dyn Provider, ctx: &CallCtx, op: Op) {
            match op {
                $( $( Op::$op => {
                    let _ = p.$method(ctx, $(<$ty as Dummy>::dummy()),*).await;
                } )* )*
            }
        }
    };
}

crate::with_provider_api!(define_recorder);

#[async_trait]
impl Provider for Recorder {
    fn info(&self) -> &ProviderInfo {
        &self.info
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
}

/// Placeholder arguments for every argument type of the catalogue.
trait Dummy {
    fn dummy() -> Self;
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> &'static T {
    leak(serde_json::from_value(v).expect("placeholder deserializes"))
}

macro_rules! dummy_default {
    ($($t:ty),*) => { $( impl Dummy for &'static $t { fn dummy() -> Self { leak(<$t>::default()) } } )* };
}
dummy_default!(
    VolumeFilter,
    PageRequest,
    UpdateVolume,
    CreateSnapshot,
    RestoreSnapshot,
    UpdateReplica,
    UpdateBackup,
    RestoreGroupSnapshot,
    ArchiveFilter,
    UpdateArchive,
    ObjectFilter
);

macro_rules! dummy_json {
    ($($t:ty => $v:expr),* $(,)?) => { $( impl Dummy for &'static $t { fn dummy() -> Self { from_json($v) } } )* };
}
dummy_json!(
    CreateVolume => json!({"provider": "p", "kind": "file", "name": "n"}),
    CreateMountTarget => json!({"network": "n"}),
    Attachment => json!({"server_id": "s"}),
    SnapshotSchedule => json!({"frequency": "daily", "hour": 1}),
    CreateReplica => json!({"destination_region": "r"}),
    SnapshotReserve => json!({"percent": 10}),
    CreateGroupReplica => json!({"destination_region": "r"}),
    CreateVolumeGroup => json!({"provider": "p", "name": "n", "volume_ids": []}),
    CreateBackup => json!({"provider": "p", "name": "n", "kind": "image", "server_id": "s", "server_type": "virtual_server"}),
    RestoreBackup => json!({"recovery_point_id": "r"}),
    BackupFilter => json!({}),
    CreateBackupAgent => json!({"provider": "p", "server_id": "s", "server_type": "virtual_server"}),
    CreateArchive => json!({"provider": "p", "name": "n", "encrypted": false}),
    PutArchivePolicy => json!({"source_bucket": "s", "after_days": 1}),
    RecoverObjects => json!({"target_bucket": "t", "items": [{"path": "a", "type": "file"}]}),
    RecoverVersion => json!({"target_bucket": "t", "key": "a", "version_id": "v"}),
    DeleteObjects => json!({"paths": ["a"]}),
    DeleteVersions => json!({"key": "a", "version_ids": ["v"]}),
    ArchiveJobFilter => json!({"since": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"}),
);

impl Dummy for bool {
    fn dummy() -> Self {
        true
    }
}

impl Dummy for &'static GlobalId {
    fn dummy() -> Self {
        leak(GlobalId::new(
            crate::ids::ResourceType::Volume,
            "p",
            None,
            "v",
        ))
    }
}

impl Dummy for &'static str {
    fn dummy() -> Self {
        "s"
    }
}

impl Dummy for Option<JobStatus> {
    fn dummy() -> Self {
        None
    }
}

impl Dummy for ServerType {
    fn dummy() -> Self {
        ServerType::VirtualServer
    }
}

impl Dummy for Option<&'static str> {
    fn dummy() -> Self {
        None
    }
}

impl Dummy for &'static [GlobalId] {
    fn dummy() -> Self {
        &[]
    }
}

impl Dummy for &'static [AccessRule] {
    fn dummy() -> Self {
        &[]
    }
}

/// Counts the operations its hook saw.
struct Tally {
    inner: Arc<dyn Provider>,
    hooked: Mutex<Vec<(Op, String)>>,
}

impl Layer for Tally {
    fn inner(&self) -> &Arc<dyn Provider> {
        &self.inner
    }
    fn around<'a, T: Answer>(
        &'a self,
        info: &'a CallInfo<'a>,
        call: Call<'a, T>,
    ) -> BoxFuture<'a, Result<T>> {
        self.hooked.lock().unwrap().push((info.op, (info.args)()));
        call()
    }
}

fn recorder() -> Arc<Recorder> {
    Arc::new(Recorder {
        info: serde_json::from_value(json!({
            "id": "rec", "vendor": "memory", "region": "r", "display_name": "recorder"
        }))
        .expect("provider info"),
        caps: Capabilities::default(),
        seen: Mutex::new(vec![]),
    })
}

#[tokio::test]
async fn every_operation_is_forwarded_and_hooked() {
    let rec = recorder();
    let tally = Arc::new(Layered(Tally {
        inner: rec.clone(),
        hooked: Mutex::new(vec![]),
    }));
    // Two layers deep, with the request-id layer outermost, as the gateway stacks them.
    let stack = Layered(RequestScope(tally.clone()));
    let ctx = CallCtx::for_request("req-abc");
    for op in Op::ALL {
        call(&stack, &ctx, *op).await;
    }
    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().map(|(op, _)| *op).collect::<Vec<_>>(),
        Op::ALL.to_vec(),
        "every operation reached the inner provider, in order"
    );
    assert!(
        seen.iter()
            .all(|(_, rid)| rid.as_deref() == Some("req-abc")),
        "the adapter saw the call's request id every time"
    );
    let hooked = tally.0.hooked.lock().unwrap().clone();
    assert_eq!(
        hooked.iter().map(|(op, _)| *op).collect::<Vec<_>>(),
        Op::ALL.to_vec()
    );
    // The key names the arguments: the id in its wire form, the page request as JSON.
    let id = <&GlobalId>::dummy().encode();
    let (_, key) = hooked
        .iter()
        .find(|(op, _)| *op == Op::SnapshotList)
        .unwrap();
    assert_eq!(
        key,
        &format!("\"{id}\"\u{1f}{{\"page_size\":0,\"page_token\":null}}")
    );
    assert_eq!(stack.info().id, "rec");
}

#[tokio::test]
async fn defaults_name_the_operation() {
    struct Bare(ProviderInfo, Capabilities);
    #[async_trait]
    impl Provider for Bare {
        fn info(&self) -> &ProviderInfo {
            &self.0
        }
        fn capabilities(&self) -> &Capabilities {
            &self.1
        }
    }
    impl VolumeOps for Bare {}
    impl SnapshotOps for Bare {}
    impl ReplicaOps for Bare {}
    impl VolumeGroupOps for Bare {}
    impl BackupOps for Bare {}
    impl ArchiveOps for Bare {}
    let rec = recorder();
    let bare = Bare(rec.info.clone(), Capabilities::default());
    let err = bare
        .reverse_replica(&CallCtx::default(), <&GlobalId>::dummy())
        .await
        .unwrap_err();
    assert_eq!(err, Error::unsupported(Op::ReplicaReverse.name()));
}
