//! Capability documents and their validation.

use super::*;
use crate::model::{AccessLevel, Weekday};

fn caps() -> KindCapabilities {
    KindCapabilities {
        features: [
            Feature::VolumeCreate,
            Feature::VolumeResize,
            Feature::AccessRules,
            Feature::SnapshotSchedule,
        ]
        .into(),
        size: SizeLimits {
            min_gib: 300,
            max_gib: 10_000,
            step_gib: 100,
            elastic: false,
        },
        protocols: vec![Protocol::Nfs, Protocol::Cifs],
        tiers: vec![],
        name: NameRules::word(1, 100),
        access_rule_kinds: vec![AccessRuleKind::Cidr],
        max_access_rules: Some(2),
        access_levels: vec![AccessLevel::ReadWrite],
        server_types: vec![],
        snapshot_names: true,
        labels: false,
        descriptions: true,
        schedule: Some(ScheduleLimits {
            frequencies: vec![ScheduleFrequency::Weekly],
            minutes: false,
            max_retention_count: Some(30),
            timezones: vec!["Asia/Seoul".into()],
            max_days: None,
            retention: true,
        }),
        replication_regions: vec!["KR2".into()],
        encryption: true,
        attachments: None,
        qos: None,
        snapshot_reserve: None,
        options: BTreeMap::new(),
        update_options: BTreeMap::new(),
    }
}

fn req() -> CreateVolume {
    serde_json::from_value(serde_json::json!({"provider":"p","kind":"file","name":"data","size_gib":300,"protocol":"nfs"})).unwrap()
}

fn field_of(r: Result<()>) -> String {
    r.unwrap_err().field().unwrap_or("-").to_string()
}

#[test]
fn create_validation_names_the_field() {
    let c = caps();
    c.validate_create(&req()).unwrap();
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            size_gib: 250,
            ..req()
        })),
        "size_gib"
    );
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            size_gib: 350,
            ..req()
        })),
        "size_gib"
    );
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            size_gib: 10_100,
            ..req()
        })),
        "size_gib"
    );
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            protocol: None,
            ..req()
        })),
        "protocol"
    );
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            protocol: Some(Protocol::ParallelFs),
            ..req()
        })),
        "protocol"
    );
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            name: "bad name".into(),
            ..req()
        })),
        "name"
    );
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            name: "".into(),
            ..req()
        })),
        "name"
    );
    let rule = |v: &str| AccessRule {
        kind: AccessRuleKind::Cidr,
        value: v.into(),
        server_type: None,
        access: AccessLevel::ReadWrite,
    };
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            access_rules: vec![rule("10.0.0.0/33")],
            ..req()
        })),
        "access_rules[0].value"
    );
    assert_eq!(
        field_of(c.validate_create(&CreateVolume {
            access_rules: vec![rule("a"), rule("b"), rule("c")],
            ..req()
        })),
        "access_rules"
    );
    c.validate_create(&CreateVolume {
        access_rules: vec![rule("10.0.0.0/24")],
        ..req()
    })
    .unwrap();
}

#[test]
fn update_and_schedule_validation() {
    let c = caps();
    // Before the volume is read, only the new size's own form is checked.
    let shrink = UpdateVolume {
        size_gib: Some(400),
        ..Default::default()
    };
    c.validate_update(None, &shrink).unwrap();
    let off_step = UpdateVolume {
        size_gib: Some(450),
        ..Default::default()
    };
    assert_eq!(field_of(c.validate_update(None, &off_step)), "size_gib");
    c.validate_update(
        Some(500),
        &UpdateVolume {
            size_gib: Some(600),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        field_of(c.validate_update(
            Some(500),
            &UpdateVolume {
                size_gib: Some(400),
                ..Default::default()
            }
        )),
        "size_gib"
    );
    let s = SnapshotSchedule {
        frequency: ScheduleFrequency::Weekly,
        days: vec![Weekday::Monday],
        hour: 3,
        minute: 0,
        timezone: "Asia/Seoul".into(),
        retention_count: Some(30),
    };
    c.validate_schedule(&s).unwrap();
    assert_eq!(
        field_of(c.validate_schedule(&SnapshotSchedule {
            retention_count: Some(31),
            ..s.clone()
        })),
        "retention_count"
    );
    assert_eq!(
        field_of(c.validate_schedule(&SnapshotSchedule {
            hour: 24,
            ..s.clone()
        })),
        "hour"
    );
    assert_eq!(
        field_of(c.validate_schedule(&SnapshotSchedule {
            minute: 30,
            ..s.clone()
        })),
        "minute"
    );
    assert_eq!(
        field_of(c.validate_schedule(&SnapshotSchedule {
            days: vec![],
            ..s.clone()
        })),
        "days"
    );
    assert_eq!(
        field_of(c.validate_schedule(&SnapshotSchedule {
            frequency: ScheduleFrequency::Daily,
            days: vec![],
            ..s
        })),
        "frequency"
    );
}

#[test]
fn unsupported_features_and_kinds() {
    let c = caps();
    let e = c.validate_replica_region("KR2").unwrap_err();
    assert_eq!(e.code(), "unsupported_by_provider");
    let all = Capabilities {
        volumes: [(VolumeKind::File, c)].into(),
        ..Default::default()
    };
    assert_eq!(
        all.kind(VolumeKind::Block).unwrap_err().code(),
        "unsupported_by_provider"
    );
}

#[test]
fn elastic_sizes_server_rules_and_vendor_named_snapshots() {
    let mut c = caps();
    c.size.elastic = true;
    c.server_types = vec!["vm".into(), "gpu_node".into()];
    c.access_rule_kinds = vec![AccessRuleKind::Server];
    c.snapshot_names = false;
    let mut r = req();
    assert_eq!(field_of(c.validate_create(&r)), "size_gib");
    r.size_gib = 0;
    c.validate_create(&r).unwrap();
    let rule = |t: Option<&str>| AccessRule {
        kind: AccessRuleKind::Server,
        value: "43fq3347-02q4".into(),
        server_type: t.map(str::to_string),
        access: AccessLevel::ReadWrite,
    };
    c.validate_access_rules(&[rule(Some("gpu_node"))]).unwrap();
    assert_eq!(
        field_of(c.validate_access_rules(&[rule(Some("bm"))])),
        "access_rules[0].server_type"
    );
    assert_eq!(
        field_of(c.validate_access_rules(&[rule(None)])),
        "access_rules[0].server_type"
    );
    assert_eq!(field_of(c.validate_snapshot_name("mine")), "name");
}

/// What the provider does not offer is `unsupported_value` (422); what breaks the schema on
/// every provider is `invalid_argument` (400).
#[test]
fn capability_refusals_are_unsupported_value_and_schema_breaks_invalid_argument() {
    let mut c = caps();
    c.tiers = vec!["ssd".into()];
    let code = |r: Result<()>| {
        let e = r.unwrap_err();
        (
            e.field().unwrap_or("-").to_string(),
            e.code(),
            e.http_status(),
        )
    };
    let offered = |field: &str| (field.to_string(), "unsupported_value".to_string(), 422);
    let schema = |field: &str| (field.to_string(), "invalid_argument".to_string(), 400);
    let create = |f: &dyn Fn(&mut CreateVolume)| {
        let mut r = req();
        f(&mut r);
        c.validate_create(&r)
    };
    assert_eq!(code(create(&|r| r.size_gib = 10_100)), offered("size_gib"));
    assert_eq!(code(create(&|r| r.size_gib = 250)), offered("size_gib"));
    assert_eq!(
        code(create(&|r| r.protocol = Some(Protocol::ParallelFs))),
        offered("protocol")
    );
    assert_eq!(code(create(&|r| r.protocol = None)), offered("protocol"));
    assert_eq!(
        code(create(&|r| r.tier = Some("gold".into()))),
        offered("tier")
    );
    assert_eq!(
        code(create(&|r| r.name = "bad name".into())),
        offered("name")
    );
    assert_eq!(
        code(create(
            &|r| r.labels = [("k".to_string(), "v".to_string())].into()
        )),
        offered("labels")
    );
    assert_eq!(
        code(create(&|r| r.options = serde_json::Map::from_iter([(
            "x".to_string(),
            serde_json::json!(1)
        )]))),
        offered("options.x")
    );
    let rule = |v: &str| AccessRule {
        kind: AccessRuleKind::Cidr,
        value: v.into(),
        server_type: None,
        access: AccessLevel::ReadWrite,
    };
    assert_eq!(
        code(c.validate_access_rules(&[rule("10.0.0.0/33")])),
        schema("access_rules[0].value")
    );
    assert_eq!(
        code(c.validate_access_rules(&[rule("a"), rule("b"), rule("c")])),
        offered("access_rules")
    );
    assert_eq!(
        code(c.validate_update(
            Some(500),
            &UpdateVolume {
                size_gib: Some(400),
                ..Default::default()
            }
        )),
        offered("size_gib")
    );
    let s = SnapshotSchedule {
        frequency: ScheduleFrequency::Weekly,
        days: vec![Weekday::Monday],
        hour: 3,
        minute: 0,
        timezone: "Asia/Seoul".into(),
        retention_count: Some(30),
    };
    let sched = |f: &dyn Fn(&mut SnapshotSchedule)| {
        let mut x = s.clone();
        f(&mut x);
        c.validate_schedule(&x)
    };
    assert_eq!(code(sched(&|x| x.hour = 24)), schema("hour"));
    assert_eq!(code(sched(&|x| x.minute = 60)), schema("minute"));
    assert_eq!(code(sched(&|x| x.minute = 30)), offered("minute"));
    assert_eq!(code(sched(&|x| x.days.clear())), schema("days"));
    assert_eq!(
        code(sched(&|x| x.retention_count = Some(0))),
        schema("retention_count")
    );
    assert_eq!(
        code(sched(&|x| x.retention_count = Some(31))),
        offered("retention_count")
    );
    assert_eq!(
        code(sched(&|x| x.timezone = "UTC".into())),
        offered("timezone")
    );
    assert_eq!(
        code(sched(&|x| x.frequency = ScheduleFrequency::Daily)),
        offered("frequency")
    );
    let mut c = caps();
    c.features.insert(Feature::ReplicaCreate);
    assert_eq!(
        code(c.validate_replica_region("KR3")),
        offered("destination_region")
    );
}

#[test]
fn refusals_spell_values_as_clients_write_them() {
    let c = caps();
    let rule = |kind: &str, access: &str| -> AccessRule {
        serde_json::from_value(
            serde_json::json!({"kind": kind, "value": "10.0.0.0/24", "access": access}),
        )
        .unwrap()
    };
    let detail = |r: Result<()>| r.unwrap_err().to_string();
    let level = detail(c.validate_access_rules(&[rule("cidr", "read_only")]));
    assert!(
        level.contains("`read_only`") && level.contains("allowed: read_write"),
        "{level}"
    );
    let kind = detail(c.validate_access_rules(&[AccessRule {
        value: "10.0.0.1".into(),
        ..rule("ip", "read_write")
    }]));
    assert!(
        kind.contains("`ip`") && kind.contains("allowed: cidr"),
        "{kind}"
    );
    let schedule: SnapshotSchedule = serde_json::from_value(
        serde_json::json!({"frequency": "daily", "hour": 1, "timezone": "Asia/Seoul"}),
    )
    .unwrap();
    let freq = detail(c.validate_schedule(&schedule));
    assert!(freq.contains("`daily`"), "{freq}");
}

#[test]
fn descriptions_are_refused_before_any_call_where_the_provider_keeps_none() {
    let c = KindCapabilities {
        descriptions: false,
        ..caps()
    };
    let described = CreateVolume {
        description: Some("x".into()),
        ..req()
    };
    assert_eq!(field_of(c.validate_create(&described)), "description");
    let update = UpdateVolume {
        description: Some("x".into()),
        ..Default::default()
    };
    let e = c.validate_update(None, &update).unwrap_err();
    assert_eq!(
        (e.code(), e.http_status()),
        ("unsupported_value".into(), 422)
    );
    caps().validate_create(&described).unwrap();
}
