//! `cargo run --release -p strata-bench`: load benchmark of the gateway with the demo
//! providers, against a bare axum baseline measured in the same run.
//!
//! Everything runs in this process on loopback ports chosen by the system: the baseline, the
//! gateway as `strata demo` builds it, and its NHN and SCP simulators. Each load scenario
//! drives its target with the same client settings (a fixed number of workers sharing one
//! keep-alive client, a warm-up, then a measured period) and is reported as requests per
//! second, p50 and p99 latency, and a ratio to its baseline: absolute numbers vary with the
//! machine and its neighbours, the ratios much less. Unless `--no-redis`, the same gateway
//! with `redis_url` set is measured too (cached reads, and `GET /v1/operations/{id}` on both
//! stores).

mod baseline;
mod load;
mod scenarios;
mod shared;

use std::time::Duration;

use clap::Parser;

use crate::load::LoadSettings;
use crate::scenarios::{Bench, Row};

/// mimalloc: per-thread free lists instead of glibc's arena locks on the request path.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Command-line options (each also read from the environment).
#[derive(Parser)]
#[command(name = "strata-bench", about = "Load benchmark of the Strata gateway")]
struct Args {
    /// Concurrent workers per load scenario.
    #[arg(long, env = "STRATA_BENCH_CONCURRENCY", default_value_t = 32)]
    concurrency: usize,
    /// Measured seconds per load scenario.
    #[arg(long, env = "STRATA_BENCH_SECONDS", default_value_t = 3.0)]
    seconds: f64,
    /// Warm-up seconds before each measurement.
    #[arg(long, env = "STRATA_BENCH_WARMUP", default_value_t = 0.5)]
    warmup: f64,
    /// Redis for the shared-state scenarios (default: a `redis-server` started on a free
    /// loopback port; it must be on PATH).
    #[arg(long, env = "STRATA_BENCH_REDIS_URL")]
    redis_url: Option<String>,
    /// Leave the shared-state (Redis) scenarios out.
    #[arg(long)]
    no_redis: bool,
    /// Run only these scenario groups (comma-separated), e.g. `--only cached` while profiling.
    #[arg(long, env = "STRATA_BENCH_ONLY", value_enum, value_delimiter = ',')]
    only: Vec<Group>,
}

/// The scenario groups, in the order they run.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Group {
    /// `GET /healthz` on the baseline and the gateway.
    Healthz,
    /// Cached volume reads (memory, NHN, SCP).
    Cached,
    /// The warm list across every demo provider.
    List,
    /// Uncached NHN reads against the simulator called directly.
    Uncached,
    /// The shared-state (Redis) scenarios.
    Redis,
    /// 100 concurrent cold reads (single flight).
    Burst,
    /// A list with one provider hanging.
    Hanging,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let settings = LoadSettings {
        concurrency: args.concurrency.max(1),
        warmup: Duration::from_secs_f64(args.warmup.max(0.0)),
        duration: Duration::from_secs_f64(args.seconds.max(0.1)),
    };
    println!(
        "strata-bench: {} workers, {:.1} s warm-up + {:.1} s measured per scenario, {} cores\n",
        settings.concurrency,
        settings.warmup.as_secs_f64(),
        settings.duration.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, usize::from),
    );
    let bench = Bench::start(settings).await?;
    let runs = |g: Group| args.only.is_empty() || args.only.contains(&g);

    let mut rows = Vec::new();
    if runs(Group::Healthz) {
        rows.extend(bench.healthz().await?);
    }
    if runs(Group::Cached) {
        rows.extend(bench.cached_reads().await?);
    }
    if runs(Group::List) {
        rows.extend(bench.warm_list().await?);
    }
    let mut added = None;
    if runs(Group::Uncached) {
        let (uncached, added_p50, added_p99) = bench.uncached_nhn().await?;
        rows.extend(uncached);
        added = Some((added_p50, added_p99));
    }
    if runs(Group::Redis) && !args.no_redis {
        rows.extend(bench.with_redis(args.redis_url).await?);
    }
    print_table(&rows);
    if let Some((added_p50, added_p99)) = added {
        println!(
            "\nNHN uncached read, 1 worker: the gateway adds {:.3} ms at p50 and {:.3} ms at p99 \
             over calling the simulator directly.",
            ms(added_p50),
            ms(added_p99)
        );
    }
    if runs(Group::Burst) {
        let (calls, took, ok) = bench.cold_burst().await?;
        println!(
            "100 concurrent cold GET /v1/volumes/{{id}}/usage (NHN): {calls} vendor call(s), \
             {ok}/100 answered 200, in {:.1} ms.",
            ms(took)
        );
    }
    if runs(Group::Hanging) {
        let (took, unreachable, listed) = bench.hanging_list().await?;
        println!(
            "GET /v1/volumes (no-cache) with the NHN simulator hanging 30 s: answered in {:.0} ms \
             with {listed} volumes; unreachable: {}.",
            ms(took),
            if unreachable.is_empty() {
                "none".to_string()
            } else {
                unreachable.join(", ")
            }
        );
    }
    Ok(())
}

/// The rows as a Markdown table (pasted as-is into the README).
fn print_table(rows: &[Row]) {
    let width = rows.iter().map(|r| r.scenario.len()).max().unwrap_or(8);
    println!(
        "| {:width$} | {:>8} | {:>8} | {:>8} | {:>6} | {:>11} |",
        "scenario", "rps", "p50 ms", "p99 ms", "errors", "vs baseline"
    );
    println!(
        "|{}|{}:|{}:|{}:|{}:|{}:|",
        "-".repeat(width + 2),
        "-".repeat(9),
        "-".repeat(9),
        "-".repeat(9),
        "-".repeat(7),
        "-".repeat(12)
    );
    for r in rows {
        let ratio = r
            .baseline_rps
            .filter(|b| *b > 0.0)
            .map_or_else(|| "—".to_string(), |b| format!("{:.2}×", r.stats.rps / b));
        println!(
            "| {:width$} | {:>8.0} | {:>8.3} | {:>8.3} | {:>6} | {:>11} |",
            r.scenario,
            r.stats.rps,
            ms(r.stats.p50),
            ms(r.stats.p99),
            r.stats.errors,
            ratio
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
