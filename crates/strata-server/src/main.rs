//! The `strata` command.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use strata_server::auth::mint_hs256;
use strata_server::config::Config;
#[cfg(feature = "demo")]
use strata_server::demo;
use strata_server::{openapi, serve, telemetry, Gateway};

/// mimalloc: per-thread free lists instead of glibc's arena locks on the request path.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "strata", version, about = "One storage API across clouds")]
struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "STRATA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway with the configured providers.
    Serve,
    /// Run the gateway with built-in demo providers (no cloud account needed).
    #[cfg(feature = "demo")]
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Print the OpenAPI document (YAML).
    Openapi,
    /// Mint a development token signed with the configured HS256 secret.
    Token {
        /// Subject (who the token is for).
        #[arg(long)]
        sub: String,
        /// Space-separated scopes.
        #[arg(long, default_value = "storage.read storage.write")]
        scope: String,
        /// Lifetime: `30m`, `1h`, `7d` or seconds.
        #[arg(long, default_value = "1h")]
        ttl: String,
        /// Limit the token to these providers (repeatable).
        #[arg(long = "provider")]
        providers: Vec<String>,
    },
}

fn parse_ttl(s: &str) -> anyhow::Result<Duration> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, "s"), |i| s.split_at(i));
    let n: u64 = num
        .parse()
        .map_err(|_| anyhow::anyhow!("invalid --ttl `{s}` (use 30m, 1h, 7d)"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => anyhow::bail!("invalid --ttl `{s}` (use 30m, 1h, 7d)"),
    };
    Ok(Duration::from_secs(secs))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            use std::io::Write;
            // `strata openapi | head` closes the pipe early; that is not an error.
            match std::io::stdout().write_all(openapi::spec_yaml().as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
        }
        Command::Token {
            sub,
            scope,
            ttl,
            providers,
        } => {
            let cfg = Config::load(cli.config.as_deref())?;
            let secret = cfg
                .auth
                .hs256_secret
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("auth.hs256_secret is not configured"))?
                .resolve()?;
            let providers = (!providers.is_empty()).then_some(providers);
            println!(
                "{}",
                mint_hs256(
                    &secret,
                    &cfg.auth,
                    &sub,
                    &scope,
                    parse_ttl(&ttl)?,
                    providers
                )?
            );
        }
        Command::Serve => {
            let cfg = Config::load(cli.config.as_deref())?;
            let _logs = telemetry::init(cfg.log_format, &cfg.log_filter);
            let grace = cfg.shutdown_grace();
            let listen = cfg.listen.clone();
            let gw = Gateway::from_config(cfg).await?;
            let server = serve(&gw, &listen, grace, true).await?;
            tracing::info!(addr = %server.addr, providers = gw.state.registry.len(), "strata is serving");
            server.wait().await?;
        }
        #[cfg(feature = "demo")]
        Command::Demo { listen } => run_demo(&listen).await?,
    }
    Ok(())
}

/// `strata demo`: simulators, demo providers and a dev token.
#[cfg(feature = "demo")]
async fn run_demo(listen: &str) -> anyhow::Result<()> {
    let cfg = demo::demo_config(listen);
    let _logs = telemetry::init(cfg.log_format, "warn,strata_server=info");
    let secret = cfg
        .auth
        .hs256_secret
        .as_ref()
        .expect("demo config has a secret")
        .resolve()?;
    let token = mint_hs256(
        &secret,
        &cfg.auth,
        "demo",
        "storage.read storage.write storage.admin",
        Duration::from_secs(12 * 3600),
        None,
    )?;
    let grace = cfg.shutdown_grace();
    let (registry, _simulators) = demo::demo_registry().await?;
    let gw = Gateway::with_registry(cfg, registry).await?;
    let server = serve(&gw, listen, grace, true).await?;
    let base = gw.state.config.base_url(server.addr);
    println!("Strata demo is running with providers demo-kr1, demo-kr2 (in-memory), nhn-kr1, nhn-kr2 (NHN Cloud NAS, simulated) and scp-kr-west1, scp-kr-east1 (SCP File Storage + Parallel File Storage, simulated).\n");
    println!("  API:        {base}/v1");
    println!("  Swagger UI: {base}/docs   (click Authorize and paste the token)");
    println!("  OpenAPI:    {base}/openapi.json\n");
    println!("Dev token (12 h, all scopes, valid for this run only):\n\n{token}\n");
    println!("Try:\n  export TOKEN={token}\n  curl -s -H \"Authorization: Bearer $TOKEN\" {base}/v1/volumes\n\nCtrl-C stops it.");
    server.wait().await?;
    Ok(())
}
