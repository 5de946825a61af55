//! The HTTP request series every request writes: `http_requests_total` (route template,
//! method, status), `http_request_duration_seconds` (route template, method) and
//! `http_requests_in_flight`.
//!
//! Written on every request by every core, so they are kept apart from the `prometheus`
//! vectors: each (route, method, status) series is found through a per-thread memo (no
//! hashing of labels under a shared lock, no reference count bumped per request) and counted
//! in per-thread shards on cache lines of their own; a scrape sums the shards. A series'
//! count is the sum of its bucket counts (the last bucket is +Inf), so a scrape never shows a
//! histogram whose buckets disagree with its count.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::core::{Collector, Desc};
use prometheus::proto;

use super::BUCKETS;

/// Shards per series: threads are spread over them, so two request threads rarely share one.
const SHARDS: usize = 8;

/// One thread group's counts of one series.
#[repr(align(128))]
#[derive(Default)]
struct Shard {
    /// Observations per bucket (not cumulative); the last one is past every bound (+Inf).
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

/// One thread group's share of the requests in flight (a request may leave on another
/// thread than it entered on, so a share can go below zero; their sum cannot, except for a
/// moment while a scrape reads the shards one by one, which can be off by a request).
#[repr(align(128))]
#[derive(Default)]
struct InFlightShard(AtomicI64);

/// One (route, method, status) series.
struct Series {
    route: String,
    method: String,
    status: u16,
    shards: [Shard; SHARDS],
}

/// One thread's series of one gateway, by route.
type RouteSeries = HashMap<String, Vec<Arc<Series>>>;

/// Distinguishes the metrics of several gateways in one process (tests) in the thread memo.
static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(0);
static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
    /// Instance → route → the series of that route this thread has written. (A thread keeps
    /// the series of a gateway dropped before it: only tests drop gateways.)
    static MEMO: RefCell<HashMap<u64, RouteSeries>> = RefCell::default();
}

/// The HTTP request series of one gateway, registered as one collector.
pub struct HttpSeries {
    instance: u64,
    all: Mutex<Vec<Arc<Series>>>,
    in_flight: [InFlightShard; SHARDS],
    requests: Desc,
    duration: Desc,
    in_flight_desc: Desc,
}

impl HttpSeries {
    /// Empty series, named as the registry's other series are (it adds the namespace).
    pub fn new() -> Self {
        let desc = |name: &str, help: &str, labels: &[&str]| {
            Desc::new(
                name.into(),
                help.into(),
                labels.iter().map(|l| l.to_string()).collect(),
                HashMap::new(),
            )
            .expect("a valid metric description")
        };
        HttpSeries {
            instance: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
            all: Mutex::default(),
            in_flight: Default::default(),
            in_flight_desc: desc("http_requests_in_flight", "HTTP requests being served", &[]),
            requests: desc(
                "http_requests_total",
                "HTTP requests by route template, method and status",
                &["route", "method", "status"],
            ),
            duration: desc(
                "http_request_duration_seconds",
                "HTTP request latency",
                &["route", "method"],
            ),
        }
    }

    /// Counts a request in flight (until [`leave`](Self::leave)).
    pub fn enter(&self) {
        self.in_flight[shard()].0.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request no longer in flight.
    pub fn leave(&self) {
        self.in_flight[shard()].0.fetch_sub(1, Ordering::Relaxed);
    }

    /// Counts one answered request. A method outside RFC 9110's and `PATCH` is counted as
    /// `OTHER`: clients choose methods, and each label value is a series kept for good.
    pub fn record(&self, route: &str, method: &str, status: u16, took: Duration) {
        let method = method_label(method);
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        let shard = shard();
        self.with_series(route, method, status, |s| {
            let shard = &s.shards[shard];
            shard.buckets[bucket].fetch_add(1, Ordering::Relaxed);
            let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
            shard.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        });
    }

    /// Runs `f` on the series, found in this thread's memo or (once per thread and series)
    /// under the shared lock.
    fn with_series(&self, route: &str, method: &str, status: u16, f: impl FnOnce(&Series)) {
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            let routes = memo.entry(self.instance).or_default();
            let known = routes
                .get(route)
                .and_then(|l| l.iter().find(|s| s.status == status && s.method == method));
            if let Some(s) = known {
                return f(s);
            }
            let s = self.shared(route, method, status);
            f(&s);
            routes.entry(route.to_string()).or_default().push(s);
        })
    }

    /// The one series of these labels (made on first use).
    fn shared(&self, route: &str, method: &str, status: u16) -> Arc<Series> {
        let mut all = self.all.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = all
            .iter()
            .find(|s| s.status == status && s.method == method && s.route == route)
        {
            return s.clone();
        }
        let s = Arc::new(Series {
            route: route.to_string(),
            method: method.to_string(),
            status,
            shards: Default::default(),
        });
        all.push(s.clone());
        s
    }
}

impl Default for HttpSeries {
    fn default() -> Self {
        Self::new()
    }
}

/// This thread's shard.
fn shard() -> usize {
    SHARD.with(|s| *s)
}

/// `method` if it is a standard one, else `OTHER`.
fn method_label(method: &str) -> &str {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    STANDARD
        .into_iter()
        .find(|m| *m == method)
        .unwrap_or("OTHER")
}

/// Counts per bucket (not cumulative; the last is +Inf) and the sum of the observations.
type Totals = ([u64; BUCKETS.len() + 1], f64);

/// A series' counts summed over its shards.
fn totals(s: &Series) -> Totals {
    let mut buckets = [0u64; BUCKETS.len() + 1];
    let mut nanos = 0u128;
    for shard in &s.shards {
        for (total, b) in buckets.iter_mut().zip(&shard.buckets) {
            *total += b.load(Ordering::Relaxed);
        }
        nanos += u128::from(shard.sum_nanos.load(Ordering::Relaxed));
    }
    (buckets, nanos as f64 / 1e9)
}

fn labels(pairs: &[(&str, &str)]) -> Vec<proto::LabelPair> {
    // Sorted by name, as the prometheus crate's own series are.
    pairs
        .iter()
        .map(|(name, value)| {
            let mut l = proto::LabelPair::default();
            l.set_name(name.to_string());
            l.set_value(value.to_string());
            l
        })
        .collect()
}

fn family(
    desc: &Desc,
    kind: proto::MetricType,
    metrics: Vec<proto::Metric>,
) -> proto::MetricFamily {
    let mut f = proto::MetricFamily::default();
    f.set_name(desc.fq_name.clone());
    f.set_help(desc.help.clone());
    f.set_field_type(kind);
    f.set_metric(metrics);
    f
}

impl Collector for HttpSeries {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.requests, &self.duration, &self.in_flight_desc]
    }

    fn collect(&self) -> Vec<proto::MetricFamily> {
        let all = self.all.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut requests = Vec::with_capacity(all.len());
        // Latency is by route and method: the statuses' series are added up.
        let mut latency: std::collections::BTreeMap<(&str, &str), Totals> = Default::default();
        for s in &all {
            let (buckets, sum) = totals(s);
            let status = s.status.to_string();
            let mut m = proto::Metric::from_label(labels(&[
                ("method", &s.method),
                ("route", &s.route),
                ("status", &status),
            ]));
            let mut c = proto::Counter::default();
            c.set_value(buckets.iter().sum::<u64>() as f64);
            m.set_counter(c);
            requests.push(m);
            let l = latency.entry((&s.route, &s.method)).or_default();
            for (total, b) in l.0.iter_mut().zip(buckets) {
                *total += b;
            }
            l.1 += sum;
        }
        let durations = latency
            .into_iter()
            .map(|((route, method), (buckets, sum))| {
                let mut h = proto::Histogram::default();
                h.set_sample_count(buckets.iter().sum());
                h.set_sample_sum(sum);
                let mut cumulative = 0;
                h.set_bucket(
                    BUCKETS
                        .iter()
                        .zip(buckets)
                        .map(|(bound, n)| {
                            cumulative += n;
                            let mut b = proto::Bucket::default();
                            b.set_cumulative_count(cumulative);
                            b.set_upper_bound(*bound);
                            b
                        })
                        .collect(),
                );
                let mut m =
                    proto::Metric::from_label(labels(&[("method", method), ("route", route)]));
                m.set_histogram(h);
                m
            })
            .collect();
        let mut in_flight = proto::Gauge::default();
        let n: i64 = self
            .in_flight
            .iter()
            .map(|s| s.0.load(Ordering::Relaxed))
            .sum();
        in_flight.set_value(n.max(0) as f64);
        vec![
            family(&self.requests, proto::MetricType::COUNTER, requests),
            family(&self.duration, proto::MetricType::HISTOGRAM, durations),
            family(
                &self.in_flight_desc,
                proto::MetricType::GAUGE,
                vec![proto::Metric::from_gauge(in_flight)],
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_add_up_to_one_consistent_histogram_per_route_and_method() {
        let http = Arc::new(HttpSeries::new());
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let http = http.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        http.record("/v1/volumes/{id}", "GET", 200, Duration::from_micros(300));
                    }
                    let status = if i == 0 { 404 } else { 200 };
                    http.record("/v1/volumes/{id}", "GET", status, Duration::from_secs(60));
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let families = http.collect();
        let requests = &families[0];
        assert_eq!(requests.name(), "http_requests_total");
        let count = |status: &str| {
            requests
                .get_metric()
                .iter()
                .find(|m| {
                    m.get_label()
                        .iter()
                        .any(|l| l.name() == "status" && l.value() == status)
                })
                .map(|m| m.get_counter().get_value())
        };
        assert_eq!(count("200"), Some(4003.0));
        assert_eq!(count("404"), Some(1.0));
        let latency = &families[1].get_metric()[0];
        let h = latency.get_histogram();
        assert_eq!(h.get_sample_count(), 4004);
        // 300 µs is in the first bucket (0.5 ms); the four 60 s answers are past every bound.
        assert_eq!(h.get_bucket()[0].cumulative_count(), 4000);
        assert_eq!(h.get_bucket().last().unwrap().cumulative_count(), 4000);
        assert!((h.get_sample_sum() - (4000.0 * 0.0003 + 240.0)).abs() < 1e-6);
    }

    #[test]
    fn made_up_methods_share_one_label() {
        let http = HttpSeries::new();
        for m in ["FOO", "BAR", "get", "GET"] {
            http.record("unmatched", m, 405, Duration::from_millis(1));
        }
        let families = http.collect();
        let methods: Vec<_> = families[0]
            .get_metric()
            .iter()
            .flat_map(|m| m.get_label().iter().filter(|l| l.name() == "method"))
            .map(|l| l.value().to_string())
            .collect();
        assert_eq!(methods, ["OTHER", "GET"]);
        let counts: Vec<_> = families[0]
            .get_metric()
            .iter()
            .map(|m| m.get_counter().get_value())
            .collect();
        assert_eq!(counts, [3.0, 1.0]);
    }

    #[test]
    fn requests_in_flight_add_up_across_threads() {
        let http = Arc::new(HttpSeries::new());
        let gauge = |http: &HttpSeries| http.collect()[2].get_metric()[0].get_gauge().get_value();
        http.enter();
        http.enter();
        // Leaving on another thread than entering.
        let other = http.clone();
        std::thread::spawn(move || other.leave()).join().unwrap();
        assert_eq!(gauge(&http), 1.0);
        http.leave();
        assert_eq!(gauge(&http), 0.0);
    }
}
