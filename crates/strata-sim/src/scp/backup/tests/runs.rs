//! The scheduler, retention, partial success and failure, and paging and sorting.

use chrono::{Duration, Utc};
use serde_json::json;

use super::{validation, T, WEST};

#[tokio::test]
async fn the_scheduler_runs_every_schedule_and_applies_retention() {
    let t = T::new().await;
    let srv = t.sim.seed_backup_target(WEST, "web-1", "VM", "LINUX");
    let id = t.sim.seed_backup(WEST, "bk-1", &srv, "image");
    let path = format!("/v1/backups/{id}");
    assert_eq!(t.get(&format!("{path}/backup-histories")).await["count"], 2);
    assert_eq!(t.get(&format!("{path}/restore-targets")).await["count"], 2);
    let old = t
        .sim
        .seed_backup_recovery_point(&id, Utc::now() - Duration::days(15))
        .unwrap();
    let young = t
        .sim
        .seed_backup_recovery_point(&id, Utc::now() - Duration::days(13))
        .unwrap();
    assert_eq!(t.get(&format!("{path}/restore-targets")).await["count"], 4);

    assert_eq!(t.sim.run_backup_schedules(), 2);
    assert_eq!(t.sim.run_backup_schedules(), 0, "jobs are running");
    let pts = t.get(&format!("{path}/restore-targets")).await;
    let ids: Vec<&str> = pts["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["restore_target_id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&old.as_str()) && ids.contains(&young.as_str()),
        "{ids:?}"
    );
    let h = t
        .get(&format!(
            "{path}/backup-histories?backup_job_state=INPROGRESS"
        ))
        .await;
    assert_eq!(h["count"], 2);
    t.wait(
        WEST,
        &format!("{path}/backup-histories?backup_job_state=SUCCESS"),
        |b| b["count"] == 6,
    )
    .await;
    let pts = t
        .get(&format!("{path}/restore-targets?sort=usage_gb:asc"))
        .await;
    assert_eq!(pts["count"], 5);
    assert_eq!(pts["contents"][0]["usage_gb"], 2.0);
    assert!(pts["contents"][0]["schedule_name"]
        .as_str()
        .unwrap()
        .starts_with("INCREMENTAL_DAILY_"));
    let sched = t.get(&format!("{path}/schedules")).await;
    assert_eq!(
        pts["contents"][0]["schedule_id"],
        sched["contents"][1]["id"]
    );
}

#[tokio::test]
async fn server_names_decide_partial_success_and_failure() {
    let t = T::new().await;
    let partial = t.sim.seed_backup_target(WEST, "partial-1", "VM", "LINUX");
    let failing = t.sim.seed_backup_target(WEST, "fail-1", "VM", "LINUX");
    let p = t.image_policy("bk-p", &partial).await;
    let f = t.image_policy("bk-f", &failing).await;
    let run = t.manual_run(&p).await;
    assert_eq!(run["backup_job_state"], "PARTIAL_SUCCESS");
    let pts = t.get(&format!("/v1/backups/{p}/restore-targets")).await;
    assert_eq!(
        (pts["count"].clone(), pts["contents"][0]["usage_gb"].clone()),
        (json!(1), json!(10.0))
    );
    let run = t.manual_run(&f).await;
    assert_eq!(run["backup_job_state"], "FAILED");
    assert!(run["backup_end_time"].is_string());
    assert_eq!(
        t.get(&format!("/v1/backups/{f}/restore-targets")).await["count"],
        0
    );
    let h = t
        .get(&format!(
            "/v1/backups/{f}/backup-histories?backup_job_state=ALL"
        ))
        .await;
    assert_eq!(h["count"], 1);
    let (s, b) = t
        .call(
            "GET",
            &format!("/v1/backups/{f}/backup-histories?backup_job_state=DONE"),
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert!(validation(&b).contains("backup_job_state"));

    // A restore whose new server's name says so fails.
    let point = t.get(&format!("/v1/backups/{p}/restore-targets")).await["contents"][0]
        ["restore_target_id"]
        .clone();
    let (s, _) = t.call("POST", &format!("/v1/backups/{p}/restore"), Some(json!({"restore_target_id": point,
        "restore_server_name": "will fail", "server_type_id": "s1v2m4", "restore_region": "kr-east1"}))).await;
    assert_eq!(s, 202);
    let h = t
        .wait(WEST, &format!("/v1/backups/{p}/restore-histories"), |b| {
            b["contents"][0]["restore_state"] == "FAILED"
        })
        .await;
    assert_eq!(h["contents"][0]["restore_server_id"], json!(null));
    assert!(h["contents"][0]["restore_end_time"].is_string());
    assert_eq!(
        t.get("/v1/backups/restore/check-name-duplication?restore_server_name=will%20fail")
            .await["result"],
        false
    );
}

#[tokio::test]
async fn lists_page_sort_and_filter() {
    let t = T::new().await;
    let mut ids = vec![];
    for i in 0..7 {
        let srv = t
            .sim
            .seed_backup_target(WEST, &format!("srv-{i}"), "VM", "LINUX");
        ids.push(t.sim.seed_backup(WEST, &format!("bk-{i}"), &srv, "image"));
    }
    let b = t.get("/v1/backups?page=1&size=3").await;
    assert_eq!(b["count"], 7);
    let names: Vec<&str> = b["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bk-3", "bk-2", "bk-1"], "newest first by default");
    let b = t.get("/v1/backups?sort=name:asc&page=2&size=3").await;
    assert_eq!(b["contents"].as_array().unwrap().len(), 1);
    assert_eq!(b["contents"][0]["name"], "bk-6");
    assert_eq!(b["contents"][0].as_object().unwrap().len(), 11);
    let b = t.get("/v1/backups?size=2147483647&server_name=srv-4").await;
    assert_eq!(
        (b["count"].clone(), b["contents"][0]["id"].clone()),
        (json!(1), json!(ids[4]))
    );
    assert_eq!(t.get("/v1/backups?name=bk-").await["count"], 7);
    for bad in [
        "sort=name",
        "sort=colour:asc",
        "sort=name:up",
        "page=-1",
        "size=x",
    ] {
        let (s, b) = t.call("GET", &format!("/v1/backups?{bad}"), None).await;
        assert_eq!(s, 400, "{bad}");
        validation(&b);
    }
    // Targets: default size 5, sorted by name.
    let b = t
        .get("/v1/backups/backup-targets?server_category=VIRTUAL_SERVER")
        .await;
    assert_eq!(
        (b["count"].clone(), b["contents"].as_array().unwrap().len()),
        (json!(7), 5)
    );
    assert_eq!(b["contents"][0]["server_name"], "srv-0");
    let (s, _) = t.call("GET", "/v1/backups/backup-targets", None).await;
    assert_eq!(s, 400);
    // Histories: window and sort.
    let h = format!("/v1/backups/{}/backup-histories", ids[0]);
    let all = t.get(&format!("{h}?sort=backup_start_time:asc")).await;
    let first = all["contents"][0]["backup_start_time"]
        .as_str()
        .unwrap()
        .to_string();
    let b = t
        .get(&format!(
            "{h}?backup_start_time={first}&backup_end_time={first}"
        ))
        .await;
    assert_eq!(b["count"], 1);
    let b = t.get(&format!("{h}?size=1&page=1")).await;
    assert_eq!(b["contents"][0]["backup_start_time"], first.as_str());
    let (s, _) = t
        .call("GET", &format!("{h}?backup_start_time=yesterday"), None)
        .await;
    assert_eq!(s, 400);
}
