use super::*;
use serde_json::json;
use strata_core::ids::IdGrammar;

fn ids() -> BackupIds {
    BackupIds {
        provider: "scp-kr-west1".into(),
        region: "kr-west1".into(),
        peers: [("kr-east1".to_string(), "scp-kr-east1".to_string())].into(),
        dr_regions: vec!["kr-east1".into()],
    }
}

fn ws(
    level: &str,
    freq: &str,
    time: &str,
    day: Option<&str>,
    week: Option<&str>,
) -> wire::Schedule {
    wire::Schedule {
        level: Some(level.into()),
        frequency: Some(freq.into()),
        start_time: Some(time.into()),
        start_day: day.map(Into::into),
        start_week: week.map(Into::into),
        name: None,
    }
}

#[test]
fn kinds_and_server_types_map_both_ways() {
    assert_eq!(kind_wire(BackupKind::Image), ("AGENTLESS", "VM_IMAGE"));
    assert_eq!(kind_wire(BackupKind::Filesystem), ("AGENT", "FILESYSTEM"));
    assert_eq!(kind(Some("VM_IMAGE"), None), Some(BackupKind::Image));
    assert_eq!(kind(None, Some("AGENT")), Some(BackupKind::Filesystem));
    assert_eq!(kind(Some("SAP"), None), None);
    for t in [
        ServerType::VirtualServer,
        ServerType::GpuServer,
        ServerType::BaremetalServer,
    ] {
        assert_eq!(server_type(category(t)), Some(t));
    }
    // The reference's placeholder is not a value.
    assert_eq!(
        server_type("VIRTUAL_SERVER | GPU_SERVER | BAREMETAL_SERVER"),
        None
    );
}

#[test]
fn retention_maps_both_ways() {
    for (r, w) in RETENTIONS {
        assert_eq!(retention_wire(r), w);
        assert_eq!(retention(w), Some(r));
    }
    assert_eq!(retention("DAY_1"), None);
}

#[test]
fn schedules_map_both_ways() {
    let cases = [
        (
            BackupSchedule {
                level: BackupLevel::Full,
                frequency: BackupFrequency::Monthly,
                day: Some(Weekday::Friday),
                week: Some(WeekOfMonth::Last),
                hour: 2,
                minute: 0,
            },
            json!({"type": "FULL", "frequency": "MONTHLY", "start_time": "02:00:00",
                   "start_day": "FRI", "start_week": "WEEK_LAST"}),
        ),
        (
            BackupSchedule {
                level: BackupLevel::Full,
                frequency: BackupFrequency::Monthly,
                day: Some(Weekday::Monday),
                week: Some(WeekOfMonth::Second),
                hour: 23,
                minute: 30,
            },
            json!({"type": "FULL", "frequency": "MONTHLY", "start_time": "23:30:00",
                   "start_day": "MON", "start_week": "WEEK_2"}),
        ),
        (
            BackupSchedule {
                level: BackupLevel::Incremental,
                frequency: BackupFrequency::Weekly,
                day: Some(Weekday::Sunday),
                week: None,
                hour: 9,
                minute: 0,
            },
            json!({"type": "INCREMENTAL", "frequency": "WEEKLY", "start_time": "09:00:00",
                   "start_day": "SUN"}),
        ),
        (
            BackupSchedule {
                level: BackupLevel::Incremental,
                frequency: BackupFrequency::Daily,
                day: None,
                week: None,
                hour: 15,
                minute: 0,
            },
            json!({"type": "INCREMENTAL", "frequency": "DAILY", "start_time": "15:00:00"}),
        ),
    ];
    for (model, wire_form) in cases {
        assert_eq!(schedule_wire(&model), wire_form);
        let back: wire::Schedule = serde_json::from_value(wire_form).unwrap();
        assert_eq!(schedule(&back), Some(model));
    }
}

#[test]
fn schedules_read_drop_what_the_frequency_does_not_use() {
    // The seed's own example: DAILY with a day and a week.
    let s = schedule(&ws(
        "FULL",
        "DAILY",
        "14:00:00",
        Some("MON"),
        Some("WEEK_2"),
    ))
    .unwrap();
    assert_eq!((s.day, s.week, s.hour), (None, None, 14));
    let s = schedule(&ws(
        "FULL",
        "WEEKLY",
        "14:00:00",
        Some("TUE"),
        Some("WEEK_1"),
    ))
    .unwrap();
    assert_eq!((s.day, s.week), (Some(Weekday::Tuesday), None));
    let s = schedule(&ws("FULL", "MONTHLY", "14:00:00", Some(""), Some("WEEK_3"))).unwrap();
    assert_eq!((s.day, s.week), (None, Some(WeekOfMonth::Third)));
    assert!(schedule(&ws("FULL", "HOURLY", "14:00:00", None, None)).is_none());
    assert!(schedule(&ws("DIFF", "DAILY", "14:00:00", None, None)).is_none());
    assert!(schedule(&ws("FULL", "DAILY", "25:00:00", None, None)).is_none());
    // A model entry's day on a daily schedule is never sent.
    let daily = BackupSchedule {
        level: BackupLevel::Full,
        frequency: BackupFrequency::Daily,
        day: Some(Weekday::Monday),
        week: Some(WeekOfMonth::First),
        hour: 1,
        minute: 0,
    };
    assert_eq!(
        schedule_wire(&daily),
        json!({"type": "FULL", "frequency": "DAILY", "start_time": "01:00:00"})
    );
}

#[test]
fn states_map() {
    assert_eq!(status(Some("AVAILABLE")), BackupStatus::Active);
    assert_eq!(status(Some("CREATING")), BackupStatus::Creating);
    assert_eq!(status(Some("DELETING")), BackupStatus::Deleting);
    assert_eq!(status(Some("ERROR")), BackupStatus::Error);
    assert_eq!(status(Some("SOMETHING")), BackupStatus::Unknown);
    assert_eq!(status(None), BackupStatus::Unknown);
    assert_eq!(job_status(Some("INPROGRESS")), JobStatus::Running);
    assert_eq!(job_status(Some("SUCCESS")), JobStatus::Succeeded);
    assert_eq!(
        job_status(Some("PARTIAL_SUCCESS")),
        JobStatus::PartiallySucceeded
    );
    assert_eq!(job_status(Some("FAILED")), JobStatus::Failed);
    assert_eq!(job_status(Some("ALL")), JobStatus::Unknown);
    for s in [
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::PartiallySucceeded,
        JobStatus::Failed,
    ] {
        assert_eq!(job_status(job_state_wire(s)), s);
    }
    assert_eq!(job_state_wire(JobStatus::Queued), None);
    assert_eq!(restore_status(Some("INPROGRESS")), JobStatus::Running);
    assert_eq!(restore_status(Some("COMPLETED")), JobStatus::Succeeded);
    assert_eq!(restore_status(Some("FAILED")), JobStatus::Failed);
    assert_eq!(connection(Some("SUCCESS")), AgentConnection::Connected);
    assert_eq!(connection(Some("FAIL")), AgentConnection::Disconnected);
    assert_eq!(connection(Some("FAILED")), AgentConnection::Disconnected);
    assert_eq!(connection(Some("IN_PROGRESS")), AgentConnection::Checking);
    assert_eq!(connection(Some("INPROGRESS")), AgentConnection::Checking);
    assert_eq!(connection(Some("CHECKING")), AgentConnection::Checking);
    assert_eq!(connection(None), AgentConnection::Unknown);
}

#[test]
fn triggers_come_from_the_schedule_fields() {
    let h = |id: Option<&str>, name: Option<&str>| wire::History {
        backup_job_guid: Some("g".into()),
        backup_job_state: Some("SUCCESS".into()),
        backup_start_time: None,
        backup_end_time: None,
        schedule_id: id.map(Into::into),
        schedule_name: name.map(Into::into),
    };
    assert_eq!(trigger(&h(None, None)), JobTrigger::Manual);
    assert_eq!(
        trigger(&h(Some("MANUAL"), Some("MANUAL"))),
        JobTrigger::Manual
    );
    assert_eq!(trigger(&h(Some(""), Some(""))), JobTrigger::Manual);
    assert_eq!(
        trigger(&h(Some("f5b8e22b"), Some("FULL_DAILY_09:00:00-abc123"))),
        JobTrigger::Scheduled
    );
}

#[test]
fn restore_ids_are_stable_and_fit_the_id_grammar() {
    let row = |name: &str, start: &str| wire::RestoreHistory {
        restore_start_time: Some(start.into()),
        restore_end_time: None,
        restore_state: Some("INPROGRESS".into()),
        restore_server_id: None,
        restore_server_name: Some(name.into()),
    };
    let a = restore_id("b1", &row("restore test 1", "2024-10-28T05:52:47"));
    // The naive and the zoned spelling of one instant are one restore; the server id
    // appearing later changes nothing.
    let mut later = row("restore test 1", "2024-10-28T05:52:47Z");
    later.restore_server_id = Some("26895cb7".into());
    later.restore_state = Some("COMPLETED".into());
    assert_eq!(a, restore_id("b1", &later));
    assert_ne!(a, restore_id("b2", &later));
    assert_ne!(
        a,
        restore_id("b1", &row("restore test 2", "2024-10-28T05:52:47"))
    );
    assert_ne!(
        a,
        restore_id("b1", &row("restore test 1", "2024-10-28T05:52:48"))
    );
    assert!(IdGrammar::Token.accepts(&a), "{a}");
    let gid = GlobalId::parse_as(
        &ids().child(
            ResourceType::RestoreJob,
            "0fdd87aab8cb46f59b7c1f81ed03fb3e",
            &a,
        ),
        ResourceType::RestoreJob,
    )
    .unwrap();
    assert_eq!(gid.vendor_id, a);
}

#[test]
fn a_backup_reads_with_its_replication_and_vendor_fields() {
    let raw = json!({"id": "b1", "name": "web", "state": "AVAILABLE", "role_type": "ORIGINAL",
        "policy_category": "AGENTLESS", "policy_type": "VM_IMAGE", "retention_period": "MONTH_3",
        "encrypt_enabled": true, "filesystem_paths": null, "server_uuid": "s1",
        "server_name": "web-1", "server_category": "GPU_SERVER", "region": "kr-west1",
        "created_at": "2024-05-17T00:23:17Z", "dr_enabled": true, "dr_region": "kr-east1",
        "replica_backup_id": "b9"});
    let d: wire::BackupDetail = serde_json::from_value(raw.clone()).unwrap();
    let scheds = [ws("FULL", "DAILY", "09:00:00", None, None)];
    let b = backup(&ids(), &d, &raw, &scheds);
    assert_eq!(b.kind, BackupKind::Image);
    assert_eq!(b.status, BackupStatus::Active);
    assert_eq!(b.server.server_type, ServerType::GpuServer);
    assert_eq!(b.retention, Retention::ThreeMonths);
    assert_eq!(b.replication_region.as_deref(), Some("kr-east1"));
    assert_eq!(b.replica_of, None);
    assert_eq!(b.schedules.len(), 1);
    assert_eq!(b.vendor["role_type"], "ORIGINAL");
    assert_eq!(b.vendor["replica_backup_id"], "b9");
    // A replica in the DR region points at its origin through the peer provider.
    let raw = json!({"id": "b9", "name": "web_DR", "state": "AVAILABLE", "role_type": "REPLICA",
        "policy_type": "VM_IMAGE", "server_uuid": "s1", "region": "kr-west1",
        "dr_enabled": true, "dr_region": "kr-east1", "origin_backup_id": "b1"});
    let d: wire::BackupDetail = serde_json::from_value(raw.clone()).unwrap();
    let r = backup(&ids(), &d, &raw, &[]);
    assert_eq!(r.replication_region, None);
    let origin =
        GlobalId::parse_as(r.replica_of.as_deref().unwrap(), ResourceType::Backup).unwrap();
    assert_eq!(
        (origin.provider.as_str(), origin.vendor_id.as_str()),
        ("scp-kr-east1", "b1")
    );
}

#[test]
fn recovery_points_and_agents_read() {
    let raw = json!({"restore_target_id": "rp1", "backup_start_time": "2024-10-28T05:38:48",
        "is_restore_available": "true", "usage_gb": "1.5", "retention_period": "WEEK_2"});
    let t: wire::RestoreTarget = serde_json::from_value(raw.clone()).unwrap();
    let p = recovery_point(&ids(), "b1", &t, &raw);
    assert!(p.restorable);
    assert_eq!(p.size_bytes, Some(3 * (1 << 29)));
    let gid = GlobalId::parse_as(&p.id, ResourceType::RecoveryPoint).unwrap();
    assert_eq!(gid.parent.as_deref(), Some("b1"));
    let raw = json!({"id": "BACKUP_AGENT-abcd", "state": "AVAILABLE", "connection_state": "FAIL",
        "server_uuid": "s1", "server_name": "db", "backup_policy_count": "3"});
    let a: wire::Agent = serde_json::from_value(raw.clone()).unwrap();
    let m = agent(&ids(), &a, &raw);
    assert_eq!(m.connection, AgentConnection::Disconnected);
    assert_eq!(m.vendor["backup_policy_count"], "3");
}
