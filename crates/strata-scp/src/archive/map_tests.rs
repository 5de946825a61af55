//! The pure mapping of Archive Storage's answers, on the reference's examples.

use serde_json::json;
use strata_core::ids::{GlobalId, ResourceType};
use strata_core::model::*;

use super::api::{wire_time, History};
use super::map::*;
use super::wire;
use crate::shared::wire::decode;

fn ids() -> ArchiveIds {
    ArchiveIds {
        provider: "scp-kr-west1".into(),
    }
}

#[test]
fn states_normalise_case_insensitively() {
    for (raw, want) in [
        ("SUCCESS", JobStatus::Succeeded),
        ("succeeded", JobStatus::Succeeded),
        ("COMPLETED", JobStatus::Succeeded),
        ("FAILURE", JobStatus::Failed),
        ("error", JobStatus::Failed),
        ("CANCELED", JobStatus::Cancelled),
        ("Cancelled", JobStatus::Cancelled),
        ("IN_PROGRESS", JobStatus::Running),
        ("INPROGRESS", JobStatus::Running),
        ("in progress", JobStatus::Running),
        ("PENDING", JobStatus::Queued),
        ("QUEUED", JobStatus::Queued),
        ("SKIPPED", JobStatus::Skipped),
        ("skip", JobStatus::Skipped),
        ("WHATEVER", JobStatus::Unknown),
    ] {
        assert_eq!(job_status(Some(raw)), want, "{raw}");
    }
    assert_eq!(job_status(None), JobStatus::Unknown);
    assert_eq!(bucket_status(Some("active")), BackupStatus::Active);
    assert_eq!(bucket_status(Some("DELETING")), BackupStatus::Unknown);
    assert_eq!(job_state_wire(JobStatus::Succeeded), Some("SUCCESS"));
    assert_eq!(job_state_wire(JobStatus::Running), None);
    assert_eq!(job_state_wire(JobStatus::Skipped), None);
}

#[test]
fn job_ids_carry_their_kind_and_bucket() {
    let id = ids().job(History::Recovery, "b-1", "EXE-9df439a5");
    let g = GlobalId::parse_as(&id, ResourceType::ArchiveJob).unwrap();
    assert_eq!(g.parent.as_deref(), Some("b-1"));
    assert_eq!(
        parse_job_vid(&g.vendor_id),
        Some((History::Recovery, "EXE-9df439a5"))
    );
    for bad in ["EXE-1", "backup.EXE-1", "archiving.", "recovery", ""] {
        assert_eq!(parse_job_vid(bad), None, "{bad}");
    }
    assert_eq!(
        parse_job_vid("archiving.EXE.1"),
        Some((History::Archiving, "EXE.1"))
    );
}

#[test]
fn the_seed_examples_map() {
    let raw = json!({"id":"138c2-fc8c2-9a449-dbfa86-81f8f-1d78e2","name":"astest","state":"ACTIVE","usage":"10","archiving_source_bucket_name":"obstest"});
    let b: wire::Bucket = decode(&raw).unwrap();
    let a = archive(&ids(), &b, &raw, true, None);
    assert_eq!(
        (a.name.as_str(), a.status, a.size_bytes, a.versioning),
        ("astest", BackupStatus::Active, Some(10), None)
    );
    assert_eq!(a.source_bucket.as_deref(), Some("obstest"));
    assert_eq!(a.vendor["state"], "ACTIVE");

    let o: wire::Object = decode(&json!({"object_name":"hello/TODO.txt","object_type":"FILE","object_size":"3581","modified_at":"2025-04-09T05:54:46.244000+00:00"})).unwrap();
    let o = object(&o).unwrap();
    assert_eq!(
        (o.key.as_str(), o.size_bytes),
        ("hello/TODO.txt", Some(3581))
    );
    assert_eq!(
        o.modified_at.unwrap().to_rfc3339(),
        "2025-04-09T05:54:46.244+00:00"
    );
    let f: wire::Object = decode(&json!({"object_name":"test/","object_type":"FOLDER","object_size":null,"modified_at":null})).unwrap();
    assert_eq!(object(&f).unwrap().object_type, ObjectType::Folder);
    let odd: wire::Object = decode(&json!({"object_name":"x","object_type":"LINK"})).unwrap();
    assert!(object(&odd).is_none());

    let v: wire::Version = decode(&json!({"object_path":"hello/my_file.txt","object_version_id":"Oc9nEYWV.6VjzsIMXFZWM1zL8HcYvKl","latest":true,"modified_at":"2025-04-09T05:54:46.244000+00:00","etag":"4f6094f1e0619a6504efcb5e69e63bec","size":"20"})).unwrap();
    let v = version("hello/my_file.txt", &v);
    assert!(v.latest);
    assert_eq!(v.size_bytes, 20);

    let p: wire::Policy = decode(&json!({"id":"SCH-XXXXXXX","bucket_id":"b","archiving_source":{"bucket_name":"obs-bucket-name","object_path":"/"},"object_lifecycle":"1","state":"ACTIVE"})).unwrap();
    let p = policy(&ids(), "b", &p, Some("INACTIVE"));
    assert_eq!(
        (p.source_bucket.as_str(), p.after_days, p.enabled),
        ("obs-bucket-name", 1, false)
    );
    assert_eq!(p.vendor["archiving_policy_id"], "SCH-XXXXXXX");

    let raw = json!({"recovery_id":"ARC-f9eab563","id":"EXE-9df439a5","state":"INPROGRESS","recovery_target_bucket_name":"test-obs-bucket","start_at":"2025-04-01T00:00:00+09:00","end_at":null,"bucket_id":"b",
        "recovery_infos":[{"source_object_path":"example_source_object_path/","usage":"1024","total_object_count":100,"recovery_object_count":50,"recovery_rate":50}]});
    let h: wire::History = decode(&raw).unwrap();
    let j = job(&ids(), History::Recovery, "b", &h, &raw).unwrap();
    assert_eq!(j.status, JobStatus::Running);
    assert_eq!(j.target_bucket.as_deref(), Some("test-obs-bucket"));
    assert_eq!(
        j.started_at.unwrap().to_rfc3339(),
        "2025-03-31T15:00:00+00:00"
    );
    assert_eq!(j.progress[0].done_objects, Some(50));
    assert_eq!(j.progress[0].percent, Some(50));
    assert_eq!(j.progress[0].bytes, Some(1024));
    assert_eq!(j.vendor["recovery_id"], "ARC-f9eab563");
}

#[test]
fn times_are_read_leniently_and_sent_in_utc() {
    for t in [
        "2025-04-01T00:00:00+09:00",
        "2025-03-31T15:00:00Z",
        "2025-03-31T15:00:00",
        "2025-03-31 15:00:00",
        "2025-03-31T15:00:00.000000",
    ] {
        assert_eq!(
            when(&Some(t.into())).map(|d| d.timestamp()),
            Some(1_743_433_200),
            "{t}"
        );
    }
    let t = when(&Some("2025-04-01T00:00:00+09:00".into())).unwrap();
    assert_eq!(wire_time(t), "2025-03-31T15:00:00Z");
}
