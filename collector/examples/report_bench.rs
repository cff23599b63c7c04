//! Report benchmark (`scripts/bench-report.sh` runs it): how long
//! `GET /api/report` takes over a million stored events, and the latency of
//! `/collect` while reports run.
//!
//! `report_bench seed --db PATH`: stores 1,000,000 events of 100,000
//! sessions over the 90 days ending today (each session a visit and nine
//! conversions of the demo's rules; about one in twenty signs up).
//! `report_bench measure --url URL --token T`: times ten 90-day reports one
//! after another, then posts one beacon every 10 ms for `--seconds`, first
//! alone and then while reports run back to back, and prints each phase's
//! `/collect` latency (p50, p99, max).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use microconv_collector::beacon::{Event, Kind, PageInfo};
use microconv_collector::store::Store;

const SITE: &str = "www.example.com";
const SESSIONS: u64 = 100_000;
const PER_SESSION: u64 = 10;
const DAYS: i64 = 90;
const MICRO: [&str; 8] = [
    "article_read",
    "demo_watched",
    "trial_cta_click",
    "outbound_click",
    "whitepaper_download",
    "plan_selected",
    "newsletter_signup",
    "pricing_engaged",
];
const UA: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/// xorshift64*: a reproducible population without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn now_ms() -> i64 {
    microconv_collector::store::now_ms()
}

fn event(id: u64, kind: Kind, conversion: &str, session: u64, at: i64, path: &str) -> Event {
    Event {
        id: format!("b{id}"),
        kind,
        conversion: conversion.into(),
        trigger: conversion.into(),
        at,
        session: Some(format!("s{session}")),
        visitor: None,
        rules: None,
        is_macro: false,
        bot: false,
        page: PageInfo {
            url: format!("https://{SITE}{path}"),
            path: path.into(),
            ..Default::default()
        },
        vars: serde_json::Map::new(),
    }
}

fn seed(db: &Path) {
    let store = Store::open(db).expect("open the database");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = now_ms() - DAYS * 86_400_000;
    let t0 = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    let mut id = 0;
    // Sessions arrive in the order they start, as a live collector stores them.
    let mut starts: Vec<i64> = (0..SESSIONS)
        .map(|_| start + rng.below(DAYS as u64 * 86_400_000 - 3_600_000) as i64)
        .collect();
    starts.sort_unstable();
    for (s, &first) in starts.iter().enumerate() {
        let s = s as u64;
        let mut at = first;
        let path = ["/", "/pricing", "/blog/post.html", "/demo"][rng.below(4) as usize];
        id += 1;
        batch.push(event(id, Kind::Visit, "", s, at, path));
        let signs_up = rng.below(20) == 0;
        for k in 1..PER_SESSION {
            at += 1 + rng.below(120_000) as i64;
            let conversion = if signs_up && k == PER_SESSION - 1 {
                "signup"
            } else {
                MICRO[rng.below(MICRO.len() as u64) as usize]
            };
            id += 1;
            batch.push(event(id, Kind::Conversion, conversion, s, at, path));
        }
        if batch.len() >= 10_000 {
            store.insert(&batch).expect("insert");
            batch.clear();
        }
    }
    store.insert(&batch).expect("insert");
    drop(store);
    // The collector starts on a checkpointed database, as after a restart.
    let c = rusqlite::Connection::open(db).expect("open");
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    println!(
        "seed: {id} events of {SESSIONS} sessions over {DAYS} days stored in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}

/// One request on a fresh connection: (status, body, time taken).
async fn http(addr: &str, head: String, body: &str) -> (u16, String, Duration) {
    let t = Instant::now();
    let Ok(mut s) = TcpStream::connect(addr).await else {
        return (0, String::new(), t.elapsed());
    };
    let req = format!(
        "{head}Host: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if s.write_all(req.as_bytes()).await.is_err() {
        return (0, String::new(), t.elapsed());
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body, t.elapsed())
}

async fn report(addr: &str, token: &str) -> (u16, String, Duration) {
    let today = chrono::DateTime::from_timestamp_millis(now_ms())
        .unwrap()
        .date_naive();
    let from = today - chrono::Duration::days(DAYS);
    let head = format!(
        "GET /api/report?site={SITE}&from={from}&to={today} HTTP/1.1\r\nAuthorization: Bearer {token}\r\n"
    );
    http(addr, head, "").await
}

static SEQ: AtomicU64 = AtomicU64::new(0);

async fn collect(addr: &str) -> (u16, Duration) {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let run = now_ms();
    let body = format!(
        r#"{{"v":1,"events":[{{"id":"live{run}x{n}","conversion":"article_read","trigger":"t","at":{run},"session":"live{n}","page":{{"url":"https://{SITE}/","path":"/"}},"vars":{{}}}}]}}"#
    );
    let head =
        format!("POST /collect HTTP/1.1\r\nContent-Type: text/plain\r\nUser-Agent: {UA}\r\n");
    let (code, _, t) = http(addr, head, &body).await;
    (code, t)
}

/// Posts a beacon every 10 ms for `seconds`; prints the latencies.
async fn beacons(addr: &str, seconds: u64, label: &str) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    while Instant::now() < until {
        let a = addr.to_string();
        tasks.push(tokio::spawn(async move { collect(&a).await }));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut ms = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (code, d) = t.await.unwrap_or((0, Duration::ZERO));
        if code != 204 {
            failed += 1;
        }
        ms.push(d.as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let q = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "collect {label}: {} beacons, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {failed} not 204",
        ms.len(),
        q(0.5),
        q(0.99),
        q(1.0)
    );
}

async fn measure(addr: &str, token: &str, seconds: u64) {
    let mut times = Vec::new();
    for _ in 0..10 {
        let (code, body, d) = report(addr, token).await;
        assert_eq!(code, 200, "report: {body}");
        times.push(d.as_secs_f64() * 1000.0);
    }
    let (_, body, _) = report(addr, token).await;
    let sessions = body
        .split("\"sessions\":")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .unwrap_or("?")
        .to_string();
    times.sort_by(f64::total_cmp);
    println!(
        "report: 90 days, {sessions} sessions: median {:.0} ms, max {:.0} ms (10 runs)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    beacons(addr, seconds, "alone").await;
    let stop = Arc::new(AtomicBool::new(false));
    let runs = Arc::new(AtomicU64::new(0));
    let reporter = {
        let (a, t, stop, runs) = (
            addr.to_string(),
            token.to_string(),
            stop.clone(),
            runs.clone(),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                report(&a, &t).await;
                runs.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    beacons(addr, seconds, "during reports").await;
    stop.store(true, Ordering::Relaxed);
    let _ = reporter.await;
    println!("reports run meanwhile: {}", runs.load(Ordering::Relaxed));
}

/// The report's two halves in this process: reading the sessions, and
/// counting them.
fn profile(db: &Path) {
    let store = Store::open(db).expect("open the database");
    for _ in 0..3 {
        let t = Instant::now();
        let rows = store.sessions(Some(SITE), 0, i64::MAX).expect("sessions");
        let read = t.elapsed();
        let today = chrono::DateTime::from_timestamp_millis(now_ms())
            .unwrap()
            .date_naive();
        let days = (
            today - chrono::Duration::days(DAYS),
            today,
            chrono_tz::Tz::UTC,
        );
        let macros = ["signup".to_string()];
        let c = microconv_collector::report::compute::count(&rows, &macros, &[], days);
        println!(
            "profile: read {} sessions in {:.0} ms, counted in {:.0} ms ({} micro)",
            rows.len(),
            read.as_secs_f64() * 1000.0,
            (t.elapsed() - read).as_secs_f64() * 1000.0,
            c.micro.len()
        );
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    match args.first().map(String::as_str) {
        Some("seed") => seed(Path::new(&opt("--db").expect("--db PATH"))),
        Some("profile") => profile(Path::new(&opt("--db").expect("--db PATH"))),
        Some("measure") => {
            let url = opt("--url").expect("--url URL");
            let addr = url.trim_start_matches("http://").trim_end_matches('/');
            let seconds = opt("--seconds").and_then(|s| s.parse().ok()).unwrap_or(10);
            measure(addr, &opt("--token").expect("--token T"), seconds).await;
        }
        _ => eprintln!(
            "usage: report_bench seed --db PATH | measure --url URL --token T [--seconds 10]"
        ),
    }
}
