//! Conformance: `?validate_only=true` on every mutation route. A dry run reaches no vendor,
//! starts no operation and answers with the requests the real call then sends (method, path
//! and query, body), or with the same refusal as the real call. The steps walk one volume
//! through every change a provider can make, so each real step builds the next one's state.

mod archives;

use super::*;
use std::cell::{Cell, RefCell};
use strata_sim::faults::Recorded;

/// A change to try: method, path and body.
struct Step {
    method: Method,
    path: String,
    body: Option<Value>,
}

fn step(method: Method, path: impl Into<String>, body: Option<Value>) -> Step {
    Step {
        method,
        path: path.into(),
        body,
    }
}

impl Target {
    /// Every vendor request so far, per service.
    fn vendor_log(&self) -> Vec<(&'static str, Vec<Recorded>)> {
        self.logs.iter().map(|(s, f)| (*s, f.requests())).collect()
    }

    async fn operations(&self) -> usize {
        let (s, body) = self.get("/v1/operations?page_size=500").await;
        assert_eq!(s, 200, "{body}");
        body["operations"].as_array().map_or(0, Vec::len)
    }

    async fn send_step(&self, s: &Step, query: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        let sep = if s.path.contains('?') { '&' } else { '?' };
        let mut rb = self
            .req(s.method.clone(), &format!("{}{sep}{query}", s.path))
            // The real call reads through the cache, as a dry run does, so both make the
            // same vendor requests.
            .header("cache-control", "no-cache");
        if let Some(b) = &s.body {
            rb = rb.json(b);
        }
        send(rb).await
    }

    /// Dry-runs `s`, checks it changed nothing, then runs it for real and checks the dry run
    /// showed what the real call sent. Returns the real call's finished operation (`Null`
    /// when both refused it). Counts the dry runs that showed vendor requests in `shown`.
    async fn dry_then_real(&self, s: &Step, shown: &Cell<usize>) -> Value {
        let at = format!("{} {} on {}", s.method, s.path, self.provider);
        let (vendor_before, ops_before) = (self.vendor_log(), self.operations().await);
        let (status, _, dry) = self.send_step(s, "validate_only=true").await;
        assert_eq!(
            self.vendor_log(),
            vendor_before,
            "{at}: a dry run reached the vendor"
        );
        assert_eq!(
            self.operations().await,
            ops_before,
            "{at}: a dry run started an operation"
        );

        let real = self.send_step(s, "wait=30s").await;
        let stopped_at_read = dry["requests"]
            .as_array()
            .and_then(|r| r.last())
            .is_some_and(|r| r["read"] == true);
        if status != 200 {
            // Refused before any vendor call: exactly as the real request is.
            assert_eq!(
                (real.0, &real.2["code"]),
                (status, &dry["code"]),
                "{at}: {dry}"
            );
            return Value::Null;
        }
        assert_eq!(dry["validate_only"], true, "{at}: {dry}");
        assert_eq!(dry["provider"], self.provider, "{at}: {dry}");
        let requests = dry["requests"].as_array().expect("requests");
        let pending = dry["pending"].as_array().expect("pending");
        assert!(
            !pending.is_empty(),
            "{at}: a dry run says what it could not show: {dry}"
        );
        let done = if (200..300).contains(&real.0) {
            settle(&self.gw, real).await
        } else {
            // Only a check that needs the vendor's answer to the read the dry run stopped at
            // (the volume's current state) may refuse the real call after all.
            assert!(stopped_at_read, "{at}: dry run {dry}, real call {}", real.2);
            assert!((400..500).contains(&real.0), "{at}: {}", real.2);
            Value::Null
        };
        if self.logs.is_empty() {
            assert!(requests.is_empty(), "{at}: {dry}");
            return done;
        }
        assert!(!requests.is_empty(), "{at}: {dry}");
        shown.set(shown.get() + 1);
        let after = self.vendor_log();
        for (i, r) in requests.iter().enumerate() {
            let service = r["service"].as_str().unwrap();
            let sent = after
                .iter()
                .zip(&vendor_before)
                .find(|((s, _), _)| *s == service)
                .map(|((_, now), (_, before))| &now[before.len()..])
                .unwrap_or_else(|| panic!("{at}: no log of `{service}`"));
            let real = sent.get(i).unwrap_or_else(|| panic!("{at}: not sent: {r}"));
            let url = r["url"].as_str().unwrap();
            let uri = &url[url.find("://").map_or(0, |p| p + 3)..];
            let uri = &uri[uri.find('/').unwrap_or(uri.len())..];
            assert_eq!(
                (real.method.as_str(), real.uri.as_str(), real.body.as_ref()),
                (r["method"].as_str().unwrap(), uri, r.get("body")),
                "{at}: the dry run's request {i} is not what was sent"
            );
        }
        done
    }
}

/// Runs steps on one target, counting the dry runs that showed vendor requests and noting
/// which routes were tried.
struct Run<'a> {
    t: &'a Target,
    shown: Cell<usize>,
    tried: RefCell<Vec<(String, String)>>,
}

impl Run<'_> {
    async fn go(&self, s: &Step) -> Value {
        self.tried
            .borrow_mut()
            .push((s.method.as_str().to_ascii_lowercase(), s.path.clone()));
        self.t.dry_then_real(s, &self.shown).await
    }

    /// The document's change routes (every non-GET under `/v1`) that no step tried: a route
    /// added later fails here until the walk covers it.
    fn untried(&self) -> Vec<String> {
        let spec = serde_json::to_value(strata_server::openapi::spec()).unwrap();
        let tried = self.tried.borrow();
        let (mut missing, mut changes) = (vec![], 0);
        for (template, item) in spec["paths"].as_object().unwrap() {
            let pattern = format!(
                "^{}$",
                template
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { "[^/]+" } else { seg })
                    .collect::<Vec<_>>()
                    .join("/")
            );
            let re = regex::Regex::new(&pattern).unwrap();
            for method in item.as_object().unwrap().keys() {
                if method == "get" || !template.starts_with("/v1/") {
                    continue;
                }
                changes += 1;
                if !tried.iter().any(|(m, p)| m == method && re.is_match(p)) {
                    missing.push(format!("{method} {template}"));
                }
            }
        }
        assert!(
            changes >= 17,
            "only {changes} change routes in the document"
        );
        missing
    }
}

fn id(op: &Value) -> String {
    op["result"]["id"].as_str().unwrap_or_default().to_string()
}

async fn every_change_dry_runs_exactly(t: Target) {
    let run = Run {
        t: &t,
        shown: Cell::new(0),
        tried: RefCell::default(),
    };
    let regions = t.caps["replication_regions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let tz = t.caps["schedule"]["timezones"][0]
        .as_str()
        .unwrap_or("UTC")
        .to_string();

    let vol = id(&run
        .go(&step(
            Method::POST,
            "/v1/volumes",
            Some(t.create_body("dry_a")),
        ))
        .await);
    assert!(!vol.is_empty(), "{}: the volume was created", t.provider);
    let v = format!("/v1/volumes/{vol}");
    let changes = [
        step(
            Method::PATCH,
            &v,
            Some(json!({"description": "checked by a dry run"})),
        ),
        step(
            Method::PUT,
            format!("{v}/access-rules"),
            Some(t.two_rules()),
        ),
        step(
            Method::PUT,
            format!("{v}/snapshot-schedule"),
            Some(t.schedule_body(&["monday"], 3, 0, 3)),
        ),
        step(Method::DELETE, format!("{v}/snapshot-schedule"), None),
        step(
            Method::POST,
            format!("{v}/attachments"),
            Some(json!({"server_id": "srv-1"})),
        ),
        step(Method::DELETE, format!("{v}/attachments/srv-1"), None),
    ];
    for s in &changes {
        run.go(s).await;
    }

    run.go(&step(
        Method::PUT,
        format!("{v}/snapshot-reserve"),
        Some(json!({"percent": 50})),
    ))
    .await;
    let snap = run
        .go(&step(
            Method::POST,
            format!("{v}/snapshots"),
            Some(t.snapshot_body("dry_s")),
        ))
        .await;
    // Where the provider made none, a well-formed id that names nothing: both answers 404.
    let or_none = |id: String, none: &str| if id.is_empty() { none.to_string() } else { id };
    let s = format!("/v1/snapshots/{}", or_none(id(&snap), "snap_AAAA"));
    run.go(&step(Method::POST, format!("{s}/restore"), Some(json!({}))))
        .await;
    run.go(&step(Method::DELETE, &s, None)).await;

    let region = regions.first().cloned().unwrap_or(json!("KR2"));
    let rep = run
        .go(&step(
            Method::POST,
            format!("{v}/replicas"),
            Some(json!({"destination_region": region})),
        ))
        .await;
    let r = format!("/v1/replicas/{}", or_none(id(&rep), "rep_AAAA"));
    for s in [
        step(Method::POST, format!("{r}/stop"), None),
        step(Method::POST, format!("{r}/start"), None),
        step(Method::PATCH, &r, Some(json!({"frequency": "daily"}))),
        step(Method::POST, format!("{r}/reverse"), None),
        step(Method::DELETE, &r, None),
    ] {
        run.go(&s).await;
    }

    let mt = run
        .go(&step(
            Method::POST,
            format!("{v}/mount-targets"),
            Some(json!({"network": "0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3e"})),
        ))
        .await;
    let m = mt["result"]["id"]
        .as_str()
        .unwrap_or("0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3f");
    run.go(&step(
        Method::DELETE,
        format!("{v}/mount-targets/{m}"),
        None,
    ))
    .await;
    volume_group_changes(&run, &t, &vol, &tz, &region).await;
    backup_changes(&run, &t).await;
    archives::archive_changes(&run, &t).await;
    run.go(&step(Method::DELETE, format!("{v}/snapshot-reserve"), None))
        .await;
    run.go(&step(Method::DELETE, &v, None)).await;
    // Every change the provider offers was shown request by request (the in-memory provider
    // has no vendor requests to show).
    let shown = run.shown.get();
    eprintln!("{}: {shown} dry runs showed vendor requests", t.provider);
    assert!(
        t.logs.is_empty() || shown >= 5,
        "{}: only {shown}",
        t.provider
    );
    assert_eq!(run.untried(), Vec::<String>::new(), "{}", t.provider);
}

/// The volume group routes: a group of `vol` and a second volume that joins and leaves it,
/// group snapshots, schedule and replica (refused alike, dry or real, where the provider has
/// no volume groups).
async fn volume_group_changes(run: &Run<'_>, t: &Target, vol: &str, tz: &str, region: &Value) {
    let or_none = |id: String, none: &str| if id.is_empty() { none.to_string() } else { id };
    let grp = run
        .go(&step(
            Method::POST,
            "/v1/volume-groups",
            Some(json!({"provider": t.provider, "name": "dry-group", "volume_ids": [vol]})),
        ))
        .await;
    let g = format!("/v1/volume-groups/{}", or_none(id(&grp), "vg_AAAA"));
    // A second volume to add and remove, where groups exist (else the refusal needs none).
    let other = if id(&grp).is_empty() {
        vol.to_string()
    } else {
        id(&run
            .go(&step(
                Method::POST,
                "/v1/volumes",
                Some(t.create_body("dry-b")),
            ))
            .await)
    };
    for s in [
        step(
            Method::POST,
            format!("{g}/members/add"),
            Some(json!({ "volume_ids": [other] })),
        ),
        step(
            Method::POST,
            format!("{g}/members/remove"),
            Some(json!({ "volume_ids": [other] })),
        ),
        step(
            Method::PUT,
            format!("{g}/snapshot-schedule"),
            Some(json!({"frequency": "daily", "hour": 4, "timezone": tz})),
        ),
        step(Method::DELETE, format!("{g}/snapshot-schedule"), None),
    ] {
        run.go(&s).await;
    }
    let gs = run
        .go(&step(Method::POST, format!("{g}/snapshots"), None))
        .await;
    let gs = format!("/v1/group-snapshots/{}", or_none(id(&gs), "gsnap_AAAA"));
    run.go(&step(
        Method::POST,
        format!("{gs}/restore"),
        Some(json!({})),
    ))
    .await;
    run.go(&step(Method::DELETE, &gs, None)).await;
    for s in [
        step(
            Method::POST,
            format!("{g}/replica"),
            Some(json!({ "destination_region": region })),
        ),
        step(Method::POST, format!("{g}/replica/stop"), None),
        step(Method::POST, format!("{g}/replica/start"), None),
        step(
            Method::PATCH,
            format!("{g}/replica"),
            Some(json!({"frequency": "daily"})),
        ),
        step(Method::DELETE, format!("{g}/replica"), None),
        step(Method::DELETE, &g, None),
    ] {
        run.go(&s).await;
    }
    if other != vol {
        run.go(&step(Method::DELETE, format!("/v1/volumes/{other}"), None))
            .await;
    }
}

/// The backup routes: a policy of a server the provider lists, its run, recovery point,
/// restore and deletion, and an agent (refused alike, dry or real, where the provider has no
/// backups).
async fn backup_changes(run: &Run<'_>, t: &Target) {
    let or_none = |id: String, none: &str| if id.is_empty() { none.to_string() } else { id };
    let targets = format!(
        "/v1/backup-targets?provider={}&server_type=virtual_server",
        t.provider
    );
    let (_, found) = t.get(&targets).await;
    let server = found["targets"][0]["server_id"]
        .as_str()
        .unwrap_or("00000000-0000-4000-8000-000000000000")
        .to_string();
    let created = run
        .go(&step(
            Method::POST,
            "/v1/backups",
            Some(
                json!({"provider": t.provider, "name": "dry-backup", "kind": "image",
                        "server_id": server, "server_type": "virtual_server",
                        "schedules": [{"level": "full", "frequency": "daily", "hour": 1}]}),
            ),
        ))
        .await;
    let b = format!("/v1/backups/{}", or_none(id(&created), "bkp_AAAA"));
    run.go(&step(
        Method::PATCH,
        &b,
        Some(json!({"retention": "one_month"})),
    ))
    .await;
    run.go(&step(Method::POST, format!("{b}/run"), None)).await;
    let (_, points) = t.get(&format!("{b}/recovery-points")).await;
    let rp = points["recovery_points"][0]["id"]
        .as_str()
        .unwrap_or("rp_AAAA")
        .to_string();
    run.go(&step(
        Method::POST,
        format!("{b}/restore"),
        Some(json!({"recovery_point_id": rp,
                    "server": {"name": "dry-restored", "server_type": "s1v2m4"}})),
    ))
    .await;
    run.go(&step(
        Method::DELETE,
        format!("/v1/recovery-points/{rp}"),
        None,
    ))
    .await;
    run.go(&step(Method::DELETE, &b, None)).await;
    let agent = run
        .go(&step(
            Method::POST,
            "/v1/backup-agents",
            Some(json!({"provider": t.provider, "server_id": server,
                        "server_type": "virtual_server"})),
        ))
        .await;
    let a = format!("/v1/backup-agents/{}", or_none(id(&agent), "agt_AAAA"));
    run.go(&step(Method::POST, format!("{a}/check"), None))
        .await;
    run.go(&step(Method::DELETE, &a, None)).await;
}

/// A request the real call refuses is refused the same way as a dry run, and a malformed
/// flag never runs the change.
async fn refusals_are_the_same_with_and_without_validate_only(t: Target) {
    let mut bad = t.create_body("dry_bad");
    bad["size_gib"] = json!(1);
    bad["tier"] = json!("no-such-tier");
    let cases = [
        step(Method::POST, "/v1/volumes", Some(bad)),
        step(
            Method::POST,
            "/v1/volumes",
            Some(json!({"provider": t.provider})),
        ),
        step(Method::DELETE, "/v1/volumes/vol_AAAA", None),
        step(Method::DELETE, "/v1/volumes/not-an-id", None),
    ];
    let before = t.vendor_log();
    for s in &cases {
        let (dry, _, d) = t.send_step(s, "validate_only=true").await;
        let (real, _, r) = t.send_step(s, "").await;
        assert_eq!(
            (dry, &d["code"]),
            (real, &r["code"]),
            "{} {}: {d}",
            s.method,
            s.path
        );
        assert!((400..500).contains(&dry), "{d}");
    }
    let create = step(Method::POST, "/v1/volumes", Some(t.create_body("dry_flag")));
    for flag in [
        "validate_only=yes",
        "validate_only=",
        "validate_only=true&validate_only=false",
    ] {
        assert_problem(&t.send_step(&create, flag).await, 400, "invalid_argument");
    }
    assert_eq!(
        t.vendor_log(),
        before,
        "refused requests reached the vendor"
    );
    let (_, list) = t.get(&format!("/v1/volumes?provider={}", t.provider)).await;
    assert!(!list.to_string().contains("dry_flag"), "{list}");
}

suite!(
    every_change_dry_runs_exactly,
    refusals_are_the_same_with_and_without_validate_only
);
