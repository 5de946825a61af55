//! Agents (lifecycle, connection check, install path, targets) and filesystem policies
//! (agent + paths, duplicate paths, filesystem restore).

use serde_json::json;

use super::{detail, validation, T, WEST};

#[tokio::test]
async fn agent_lifecycle_and_connection_check() {
    let t = T::new().await;
    let srv = t.sim.seed_backup_target(WEST, "bm-1", "BM", "WINDOWS");
    t.sim.seed_backup_target(WEST, "bm-0", "BM", "LINUX");
    let b = t
        .get("/v1/backup-agents/targets?server_category=BAREMETAL_SERVER")
        .await;
    assert_eq!(b["count"], 2);
    assert_eq!(b["contents"][0]["server_name"], "bm-0");
    assert_eq!(b["contents"][1]["server_state"], "RUNNING");
    let (s, b) = t
        .call("GET", "/v1/backup-agents/targets?server_category=PC", None)
        .await;
    assert_eq!(s, 400);
    assert!(validation(&b).contains("server_category must be one of"));
    let b = t
        .get("/v1/backup-agents/agent-install-file-path?os_type=LINUX")
        .await;
    assert_eq!(b, json!({"install_file_path": "http://linux-agent"}));
    let (s, _) = t
        .call(
            "GET",
            "/v1/backup-agents/agent-install-file-path?os_type=MACOS",
            None,
        )
        .await;
    assert_eq!(s, 400);

    let (s, b) = t
        .call(
            "POST",
            "/v1/backup-agents",
            Some(json!({"server_uuid": srv, "tags": []})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let id = b["resource"]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("BACKUP_AGENT-"));
    let (s, b) = t
        .call(
            "POST",
            "/v1/backup-agents",
            Some(json!({"server_uuid": srv})),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("already exists"));
    let (s, _) = t
        .call(
            "POST",
            "/v1/backup-agents",
            Some(json!({"server_uuid": "nope"})),
        )
        .await;
    assert_eq!(s, 404);
    let b = t
        .get("/v1/backup-agents/targets?server_category=BAREMETAL_SERVER")
        .await;
    assert_eq!(
        b["count"], 1,
        "a server with an agent is no longer a target"
    );

    let path = format!("/v1/backup-agents/{id}");
    let a = t.get(&path).await;
    assert_eq!(a["state"], "AVAILABLE");
    assert_eq!(a["connection_state"], json!(null));
    assert_eq!(a["connection_check_time"], json!(null));
    assert_eq!(a["install_file_path"], "http://windows-agent");
    assert_eq!(a["server_os_type"], "WINDOWS");
    assert_eq!(a["server_category"], "BAREMETAL_SERVER");
    assert_eq!(a["backup_policy_count"], 0);
    assert_eq!(a.as_object().unwrap().len(), 20);
    let (s, b) = t
        .call("GET", &format!("{path}/check-connection-state"), None)
        .await;
    assert_eq!(s, 202);
    assert_eq!(b["resource"]["id"], id.as_str());
    let a = t
        .wait(WEST, &path, |a| a["connection_state"] == "SUCCESS")
        .await;
    assert!(a["connection_check_time"].as_str().unwrap().ends_with('Z'));

    let list = t.get("/v1/backup-agents?server_name=bm-").await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["contents"][0].as_object().unwrap().len(), 12);
    let ip = list["contents"][0]["server_backup_agent_ip"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        t.get(&format!("/v1/backup-agents?server_backup_agent_ip={ip}"))
            .await["count"],
        1
    );
    assert_eq!(t.get("/v1/backup-agents?name=zzz").await["count"], 0);

    let (s, _) = t.call("DELETE", &path, None).await;
    assert_eq!(s, 200);
    assert_eq!(t.get(&path).await["state"], "DELETING");
    t.wait_gone(WEST, &path).await;

    // A failing server's agent fails the check.
    let bad = t.sim.seed_backup_target(WEST, "fail-box", "VM", "LINUX");
    let agent = t.sim.seed_backup_agent(&bad);
    let p = format!("/v1/backup-agents/{agent}");
    assert_eq!(t.get(&p).await["connection_state"], "SUCCESS");
    t.call("GET", &format!("{p}/check-connection-state"), None)
        .await;
    t.wait(WEST, &p, |a| a["connection_state"] == "FAIL").await;
}

#[tokio::test]
async fn filesystem_policy_with_agent_paths_and_restore() {
    let t = T::new().await;
    let srv = t.sim.seed_backup_target(WEST, "db-1", "VM", "LINUX");
    let body = |name: &str, paths: serde_json::Value| {
        json!({"name": name, "policy_category": "AGENT", "policy_type": "FILESYSTEM",
            "server_uuid": srv, "server_category": "VIRTUAL_SERVER", "encrypt_enabled": false,
            "filesystem_paths": paths,
            "schedules": [{"type": "FULL", "frequency": "DAILY", "start_time": "03:00:00"}]})
    };
    let (s, b) = t
        .call("POST", "/v1/backups", Some(body("fs-1", json!(["/data"]))))
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("no AVAILABLE backup agent"));
    let agent = t.sim.seed_backup_agent(&srv);
    let (s, b) = t
        .call("POST", "/v1/backups", Some(body("fs-1", json!([]))))
        .await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("at least one filesystem path"));
    let (s, b) = t
        .call(
            "POST",
            "/v1/backups",
            Some(body("fs-1", json!(["/data", "/var/log/"]))),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let id = b["resource"]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/backups/{id}");
    let v = t.wait(WEST, &path, |b| b["state"] == "AVAILABLE").await;
    assert_eq!(v["backup_agent_id"], agent.as_str());
    assert_eq!(v["policy_category"], "AGENT");
    assert_eq!(v["encrypt_enabled"], false);
    assert_eq!(v["filesystem_paths"], json!(["/data", "/var/log/"]));
    assert_eq!(
        t.get(&format!("/v1/backup-agents/{agent}")).await["backup_policy_count"],
        1
    );

    let dup =
        format!("/v1/backups/check-filesystem-duplication?server_uuid={srv}&filesystem_path=");
    assert_eq!(t.get(&format!("{dup}/var/log")).await["result"], true);
    assert_eq!(t.get(&format!("{dup}/home")).await["result"], false);
    let (s, b) = t
        .call(
            "POST",
            "/v1/backups",
            Some(body("fs-2", json!(["/home", "/data/"]))),
        )
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("`/data/` already exists"));
    let (s, _) = t
        .call("POST", "/v1/backups", Some(body("fs-2", json!(["/home"]))))
        .await;
    assert_eq!(s, 200);
    let (s, b) = t
        .call(
            "PUT",
            &format!("{path}/filesystem-path"),
            Some(json!({"backup_filesystem_paths": ["/data", "/home"]})),
        )
        .await;
    assert_eq!(s, 409, "{b}");
    let (s, _) = t
        .call(
            "PUT",
            &format!("{path}/filesystem-path"),
            Some(json!({"backup_filesystem_paths": "/srv"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(t.get(&path).await["filesystem_paths"], json!(["/srv"]));
    let (s, b) = t
        .call("DELETE", &format!("/v1/backup-agents/{agent}"), None)
        .await;
    assert_eq!(s, 409);
    assert!(detail(&b).contains("used by 2 backup policies"));

    // Filesystem restore onto another Linux server with an agent.
    let run = t.manual_run(&id).await;
    assert_eq!(run["backup_job_state"], "SUCCESS");
    let point = t.get(&format!("{path}/restore-targets")).await["contents"][0]["restore_target_id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = t.sim.seed_backup_target(WEST, "db-2", "VM", "LINUX");
    let win = t.sim.seed_backup_target(WEST, "win-1", "VM", "WINDOWS");
    t.sim.seed_backup_agent(&win);
    let servers = t.get(&format!("{path}/agent-backup-restore-targets")).await;
    assert_eq!(servers["count"], 1, "{servers}");
    t.sim.seed_backup_agent(&other);
    let servers = t
        .get(&format!(
            "{path}/agent-backup-restore-targets?server_name=db-"
        ))
        .await;
    assert_eq!(servers["count"], 2);
    assert_eq!(servers["contents"][1]["server_name"], "db-2");
    let restore = |server: &str, source: &str| {
        json!({"restore_target_id": point, "restore_server_uuid": server, "overwrite": true,
            "filesystem_paths": [{"source": source, "destination": "/restore"}]})
    };
    let rpath = format!("{path}/restore-agent-backup");
    let (s, b) = t.call("POST", &rpath, Some(restore(&other, "/etc"))).await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("not a filesystem path"));
    let (s, b) = t.call("POST", &rpath, Some(restore(&win, "/srv"))).await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("LINUX"));
    let (s, b) = t.call("POST", &rpath, Some(restore(&other, "/srv/"))).await;
    assert_eq!(s, 200, "{b}");
    let h = t.get(&format!("{path}/restore-histories")).await;
    assert_eq!(h["contents"][0]["restore_server_id"], other.as_str());
    assert_eq!(h["contents"][0]["restore_server_name"], "db-2");
    t.wait(WEST, &format!("{path}/restore-histories"), |b| {
        b["contents"][0]["restore_state"] == "COMPLETED"
    })
    .await;
    let (s, b) = t
        .call(
            "POST",
            &format!("{path}/restore"),
            Some(json!({"restore_target_id": point,
        "restore_server_name": "x", "server_type_id": "s1v2m4"})),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&b).contains("restore-agent-backup"));
}
