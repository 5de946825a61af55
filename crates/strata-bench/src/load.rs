//! The load driver: a fixed number of workers loop on one shared keep-alive client for a
//! warm-up and then a measured period (for comparisons, in slices alternating with the
//! baseline's: [`paired`]); every measured request's latency is kept and sorted
//! for percentiles (a few hundred thousand samples at most, so no histogram is needed).

use std::sync::Arc;
use std::time::{Duration, Instant};

/// How hard and how long every scenario drives its target.
#[derive(Debug, Clone, Copy)]
pub struct LoadSettings {
    /// Concurrent workers, each with one request in flight.
    pub concurrency: usize,
    /// Requests sent before measuring (connections opened, caches filled).
    pub warmup: Duration,
    /// The measured period.
    pub duration: Duration,
}

/// What one scenario measured.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Of those, the ones that failed or did not answer 2xx.
    pub errors: usize,
    /// Requests per second over the measured period.
    pub rps: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
}

/// Measured slices per side of a [`paired`] comparison.
pub const SLICES: u32 = 6;

/// Measures `baseline` and `target` in alternating slices (A B, B A, …) of the measured
/// period, so both see the same neighbours and the same drift of a noisy machine; each side
/// is warmed up first. Returns (baseline, target).
pub async fn paired(
    client: &reqwest::Client,
    baseline: reqwest::Request,
    target: reqwest::Request,
    settings: LoadSettings,
) -> (Stats, Stats) {
    let sides = [Arc::new(baseline), Arc::new(target)];
    let n = settings.concurrency;
    for side in &sides {
        collect(client, side, n, settings.warmup, Duration::ZERO).await;
    }
    let slice = settings.duration / SLICES;
    let mut acc = [(Vec::new(), 0), (Vec::new(), 0)];
    for round in 0..SLICES as usize {
        for i in [round % 2, 1 - round % 2] {
            let (samples, errors) = collect(client, &sides[i], n, Duration::ZERO, slice).await;
            acc[i].0.extend(samples);
            acc[i].1 += errors;
        }
    }
    let [(bs, be), (ts, te)] = acc;
    let period = slice * SLICES;
    (summarize(bs, be, period), summarize(ts, te, period))
}

/// Every request's latency over `duration` after `warmup`, and how many failed.
async fn collect(
    client: &reqwest::Client,
    template: &Arc<reqwest::Request>,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> (Vec<Duration>, usize) {
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let client = client.clone();
            let template = template.clone();
            tokio::spawn(async move {
                let mut samples = Vec::new();
                let mut errors = 0;
                loop {
                    let sent = Instant::now();
                    if sent >= end {
                        break;
                    }
                    let ok = send(&client, &template).await;
                    if sent >= measure_from {
                        samples.push(sent.elapsed());
                        errors += usize::from(!ok);
                    }
                }
                (samples, errors)
            })
        })
        .collect();
    let mut samples = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (s, e) = w.await.expect("load worker panicked");
        samples.extend(s);
        errors += e;
    }
    (samples, errors)
}

/// One request, its body read to the end so the connection is reused.
pub async fn send(client: &reqwest::Client, template: &reqwest::Request) -> bool {
    let req = template
        .try_clone()
        .expect("benchmark requests have no streaming body");
    match client.execute(req).await {
        Ok(resp) => {
            let ok = resp.status().is_success();
            resp.bytes().await.is_ok() && ok
        }
        Err(_) => false,
    }
}

/// Throughput and percentiles of the measured samples.
pub fn summarize(mut samples: Vec<Duration>, errors: usize, period: Duration) -> Stats {
    samples.sort_unstable();
    Stats {
        errors,
        rps: samples.len() as f64 / period.as_secs_f64(),
        p50: percentile(&samples, 50),
        p99: percentile(&samples, 99),
    }
}

/// The `pct`-th percentile of sorted samples (zero when there are none).
pub fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * pct / 100).min(sorted.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_sorted_samples() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 50), Duration::from_millis(51));
        assert_eq!(percentile(&s, 99), Duration::from_millis(100));
        assert_eq!(percentile(&[], 99), Duration::ZERO);
    }
}
