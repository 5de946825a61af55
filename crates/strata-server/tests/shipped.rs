//! Every shipped configuration starts as shipped: the real `strata` binary is run with each
//! config under `deploy/` and the environment its manifest documents, and must answer
//! `/readyz` with 200 and serve a token minted the way README shows.

#[path = "../../../tests/src/redis.rs"]
mod redis;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "shipped-config-test-secret-0123456789abcdef";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// The block under `key: |` in a YAML file, de-indented (enough YAML for our manifests).
fn literal_block(yaml: &str, key: &str) -> String {
    let mut lines = yaml.lines().skip_while(|l| l.trim() != format!("{key}: |"));
    let header = lines.next().expect("block key present");
    let indent = header.len() - header.trim_start().len() + 2;
    lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `NAME: value` pairs under `environment:` in the compose file.
fn compose_environment(yaml: &str) -> Vec<(String, String)> {
    let mut lines = yaml.lines().skip_while(|l| l.trim() != "environment:");
    let header = lines.next().expect("environment present");
    let indent = header.len() - header.trim_start().len();
    lines
        .take_while(|l| l.len() - l.trim_start().len() > indent)
        .filter_map(|l| l.trim().split_once(": "))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `strata <args>` with only the given environment (plus PATH), as a container would run it.
fn strata(args: &[&str], env: &[(String, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    cmd
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `strata serve` with `config` and `env`, waits for `/readyz`, and checks that a
/// token minted by `strata token` (README's example) is accepted.
async fn starts_as_shipped(name: &str, config: &Path, env: Vec<(String, String)>) {
    let port = free_port();
    let mut env = env;
    env.push(("STRATA_CONFIG".into(), config.display().to_string()));
    // The one override: a free loopback port instead of the shipped 0.0.0.0:8080.
    env.push(("STRATA_LISTEN".into(), format!("127.0.0.1:{port}")));
    let child = strata(&["serve"], &env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("strata starts");
    let mut server = Running(child);
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.0.try_wait().expect("process state") {
            let mut err = String::new();
            if let Some(mut e) = server.0.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            panic!("{name}: strata serve exited with {status}: {err}");
        }
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            let with_redis = env.iter().any(|(k, _)| k == "STRATA_REDIS_URL");
            // With Redis the gateway may answer unready until its first ping.
            if status == 503 && with_redis && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            assert_eq!(status, 200, "{name}: /readyz: {body}");
            if with_redis {
                assert!(body.contains("\"redis\":\"up\""), "{name}: {body}");
            }
            break;
        }
        assert!(Instant::now() < deadline, "{name}: not ready after 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let out = strata(
        &[
            "token",
            "--sub",
            "alice",
            "--scope",
            "storage.read storage.write",
            "--ttl",
            "1h",
        ],
        &env,
    )
    .output()
    .expect("strata token runs");
    assert!(
        out.status.success(),
        "{name}: strata token: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).expect("utf-8 token");
    let r = http
        .get(format!("{base}/v1/volumes"))
        .bearer_auth(token.trim())
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(r.status(), 200, "{name}: the minted token works");
}

#[tokio::test]
async fn example_config_starts_with_its_documented_environment() {
    let config = repo().join("deploy/strata.example.toml");
    assert!(read("deploy/strata.example.toml").contains("env = \"STRATA_JWT_SECRET\""));
    starts_as_shipped(
        "strata.example.toml",
        &config,
        vec![("STRATA_JWT_SECRET".into(), SECRET.into())],
    )
    .await;
}

#[tokio::test]
async fn docker_compose_environment_starts_the_image_config() {
    // The image ships deploy/strata.example.toml; compose supplies the environment, whose
    // Redis is a real one here (the compose service's host name resolves only in compose).
    let redis = redis::RedisServer::start();
    let mut env = compose_environment(&read("deploy/docker-compose.yml"));
    let url = env
        .iter_mut()
        .find(|(k, _)| k == "STRATA_REDIS_URL")
        .expect("compose sets STRATA_REDIS_URL");
    url.1 = redis.url();
    assert!(
        env.iter().any(|(k, _)| k == "STRATA_JWT_SECRET"),
        "compose sets the secret: {env:?}"
    );
    assert!(read("deploy/Dockerfile")
        .contains("COPY deploy/strata.example.toml /etc/strata/strata.toml"));
    starts_as_shipped(
        "docker-compose",
        &repo().join("deploy/strata.example.toml"),
        env,
    )
    .await;
}

#[tokio::test]
async fn kubernetes_configmap_starts_with_the_deployment_environment() {
    let manifest = read("deploy/kubernetes/strata.yaml");
    let toml = literal_block(&manifest, "strata.toml");
    assert!(toml.contains("[auth]"), "{toml}");
    // The Deployment takes the secret from a Secret into this variable, and Redis's URL.
    assert!(manifest.contains("name: STRATA_JWT_SECRET"));
    assert!(manifest.contains("name: STRATA_REDIS_URL"));
    assert!(manifest.contains("replicas: 2"));
    let redis = redis::RedisServer::start();
    let dir = std::env::temp_dir().join(format!("strata-k8s-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("strata.toml");
    std::fs::write(&path, toml).expect("write config");
    starts_as_shipped(
        "kubernetes ConfigMap",
        &path,
        vec![
            ("STRATA_JWT_SECRET".into(), SECRET.into()),
            ("STRATA_REDIS_URL".into(), redis.url()),
        ],
    )
    .await;
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn manifest_helpers_read_what_they_should() {
    let yaml = "a:\n  strata.toml: |\n    x = 1\n\n    [y]\n    z = 2\n---\nb: 1\n";
    assert_eq!(literal_block(yaml, "strata.toml"), "x = 1\n\n[y]\nz = 2");
    let compose = "s:\n  x:\n    environment:\n      A: b\n      C: \"d\"\n    ports: []\n";
    assert_eq!(
        compose_environment(compose),
        vec![("A".into(), "b".into()), ("C".into(), "d".into())]
    );
}
