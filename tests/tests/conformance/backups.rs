//! Conformance: backup policies, their runs, recovery points and restores, and agents. On
//! providers without backups the suite checks the refusal only.

use super::*;

impl Target {
    /// The provider's `backups` capabilities (`Null` when it has none).
    async fn backup_caps(&self) -> Value {
        let (s, p) = self.get(&format!("/v1/providers/{}", self.provider)).await;
        assert_eq!(s, 200, "{p}");
        p["capabilities"]["backups"].clone()
    }

    /// A server of the provider a backup can protect.
    async fn backup_server(&self) -> String {
        let (s, found) = self
            .get(&format!(
                "/v1/backup-targets?provider={}&server_type=virtual_server",
                self.provider
            ))
            .await;
        assert_eq!(s, 200, "{found}");
        found["targets"][0]["server_id"]
            .as_str()
            .expect("a server to protect")
            .to_string()
    }

    fn image_backup(&self, name: &str, server: &str) -> Value {
        json!({"provider": self.provider, "name": name, "kind": "image", "server_id": server,
               "server_type": "virtual_server", "retention": "one_month",
               "schedules": [{"level": "full", "frequency": "weekly", "day": "sunday", "hour": 2},
                             {"level": "incremental", "frequency": "daily", "hour": 3}]})
    }
}

async fn a_backup_runs_and_restores(t: Target) {
    let caps = t.backup_caps().await;
    if caps.is_null() {
        let body = t.image_backup("conf-bkp", "00000000-0000-4000-8000-000000000000");
        let resp = send(t.req(Method::POST, "/v1/backups").json(&body)).await;
        assert_problem(&resp, 422, "unsupported_by_provider");
        return;
    }
    let server = t.backup_server().await;
    let created = t
        .op(
            Method::POST,
            "/v1/backups",
            Some(t.image_backup("conf-bkp", &server)),
        )
        .await["result"]
        .clone();
    assert_eq!(
        (created["status"].as_str(), created["kind"].as_str()),
        (Some("active"), Some("image")),
        "{created}"
    );
    assert_eq!(
        created["schedules"].as_array().unwrap().len(),
        2,
        "{created}"
    );
    assert_eq!(created["server"]["server_id"], server.as_str());
    let b = format!("/v1/backups/{}", created["id"].as_str().unwrap());

    // A manual run settles with its job, which the job list shows.
    let job = t.op(Method::POST, &format!("{b}/run"), None).await["result"].clone();
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["backup_id"], created["id"]);
    let (_, jobs) = t.get(&format!("{b}/jobs?status=succeeded")).await;
    assert!(jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["id"] == job["id"]));
    let (s, one) = t
        .get(&format!("/v1/backup-jobs/{}", job["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (s, one["status"].as_str()),
        (200, Some("succeeded")),
        "{one}"
    );

    // Its recovery point restores to a new server.
    let (_, points) = t.get(&format!("{b}/recovery-points")).await;
    let rp = points["recovery_points"][0].clone();
    assert_eq!(rp["restorable"], true, "{points}");
    let restore = json!({"recovery_point_id": rp["id"],
                         "server": {"name": "conf-restored", "server_type": "s1v2m4"}});
    let done = t
        .op(Method::POST, &format!("{b}/restore"), Some(restore))
        .await["result"]
        .clone();
    assert_eq!(
        (done["status"].as_str(), done["server_name"].as_str()),
        (Some("succeeded"), Some("conf-restored")),
        "{done}"
    );
    let (_, restores) = t.get(&format!("{b}/restores")).await;
    assert!(restores["restores"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == done["id"]));

    // Retention and schedule change; the recovery point and the policy go.
    let changed = t
        .op(
            Method::PATCH,
            &b,
            Some(json!({"retention": "three_months",
                        "schedules": [{"level": "full", "frequency": "daily", "hour": 4}]})),
        )
        .await["result"]
        .clone();
    assert_eq!(changed["retention"], "three_months", "{changed}");
    assert_eq!(
        changed["schedules"],
        json!([{"level": "full", "frequency": "daily", "hour": 4, "minute": 0}])
    );
    let rp_path = format!("/v1/recovery-points/{}", rp["id"].as_str().unwrap());
    t.op(Method::DELETE, &rp_path, None).await;
    let (_, points) = t.get(&format!("{b}/recovery-points")).await;
    assert!(!points["recovery_points"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == rp["id"]));
    t.op(Method::DELETE, &b, None).await;
    assert_problem(&send(t.req(Method::GET, &b)).await, 404, "backup_not_found");
}

/// What the gateway (or the adapter's checks) can tell without changing anything at the
/// vendor is refused before anything is created.
async fn backup_requests_are_refused_before_anything_is_created(t: Target) {
    let caps = t.backup_caps().await;
    if caps.is_null() {
        let list = send(t.req(Method::GET, &format!("/v1/backups?provider={}", t.provider))).await;
        assert_problem(&list, 422, "unsupported_by_provider");
        return;
    }
    let server = t.backup_server().await;
    let mut monthly = t.image_backup("conf-bad", &server);
    monthly["schedules"] =
        json!([{"level": "full", "frequency": "monthly", "day": "friday", "hour": 1}]);
    let p = assert_problem(
        &send(t.req(Method::POST, "/v1/backups").json(&monthly)).await,
        422,
        "unsupported_value",
    );
    assert_eq!(p["field"], "schedules[0].week");
    let mut paths = t.image_backup("conf-bad", &server);
    paths["paths"] = json!(["/var/www"]);
    assert_problem(
        &send(t.req(Method::POST, "/v1/backups").json(&paths)).await,
        422,
        "unsupported_value",
    );
    // A name in use is refused before anything is created.
    t.op(
        Method::POST,
        "/v1/backups",
        Some(t.image_backup("conf-dup", &server)),
    )
    .await;
    let (_, before) = t
        .get(&format!(
            "/v1/backups?provider={}&name=conf-dup",
            t.provider
        ))
        .await;
    let resp = send(
        t.req(Method::POST, "/v1/backups")
            .json(&t.image_backup("conf-dup", &server)),
    )
    .await;
    let p = assert_problem(&resp, 409, "already_exists");
    assert_eq!(p["retryable"], false);
    let (_, after) = t
        .get(&format!(
            "/v1/backups?provider={}&name=conf-dup",
            t.provider
        ))
        .await;
    assert_eq!(
        before["backups"], after["backups"],
        "a second policy was created"
    );
}

async fn backup_agents_live_and_check_their_connection(t: Target) {
    let caps = t.backup_caps().await;
    if caps.is_null() || caps["agents"] != true {
        let body = json!({"provider": t.provider, "server_id": "00000000-0000-4000-8000-000000000000",
                          "server_type": "virtual_server"});
        let resp = send(t.req(Method::POST, "/v1/backup-agents").json(&body)).await;
        assert_problem(&resp, 422, "unsupported_by_provider");
        return;
    }
    let (_, free) = t
        .get(&format!(
            "/v1/backup-agent-targets?provider={}&server_type=virtual_server",
            t.provider
        ))
        .await;
    let server = free["targets"][0]["server_id"]
        .as_str()
        .expect("a server without an agent")
        .to_string();
    let agent = t
        .op(
            Method::POST,
            "/v1/backup-agents",
            Some(json!({"provider": t.provider, "server_id": server, "server_type": "virtual_server"})),
        )
        .await["result"]
        .clone();
    assert_eq!(agent["server_id"], server.as_str(), "{agent}");
    let a = format!("/v1/backup-agents/{}", agent["id"].as_str().unwrap());
    let checked = t.op(Method::POST, &format!("{a}/check"), None).await["result"].clone();
    assert_eq!(checked["connection"], "connected", "{checked}");
    let (s, installer) = t
        .get(&format!(
            "/v1/backup-agent-installers?provider={}&os=linux",
            t.provider
        ))
        .await;
    assert_eq!(
        (s, installer["os"].as_str()),
        (200, Some("linux")),
        "{installer}"
    );
    assert!(installer["url"].as_str().is_some_and(|u| !u.is_empty()));
    t.op(Method::DELETE, &a, None).await;
    assert_problem(
        &send(t.req(Method::GET, &a)).await,
        404,
        "backup_agent_not_found",
    );
}

suite!(
    a_backup_runs_and_restores,
    backup_requests_are_refused_before_anything_is_created,
    backup_agents_live_and_check_their_connection
);
