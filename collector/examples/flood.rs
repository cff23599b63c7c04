//! Overload benchmark (`scripts/bench-collector.sh` runs it): a flood of
//! connections posting large beacons at a collector on 127.0.0.1, while a
//! "real" visitor posts one small beacon every 20 ms on a fresh connection
//! from another address (127.0.0.2).
//! Prints the real beacons' latency (p50/p99/max) and answers, the flood's
//! answers, and the collector's peak memory (VmHWM of `--pid`).
//!
//! `cargo run --release -p microconv-collector --example flood -- --url http://127.0.0.1:PORT --pid PID`
//! Options: `--connections 3000 --body-kb 60 --seconds 10`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Args {
    addr: String,
    pid: Option<u32>,
    connections: usize,
    body_kb: usize,
    seconds: u64,
}

fn args() -> Args {
    let mut a = Args {
        addr: String::new(),
        pid: None,
        connections: 3000,
        body_kb: 60,
        seconds: 10,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let v = pair.get(1).cloned().unwrap_or_default();
        match pair[0].as_str() {
            "--url" => {
                a.addr = v
                    .trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_string()
            }
            "--pid" => a.pid = v.parse().ok(),
            "--connections" => a.connections = v.parse().unwrap_or(a.connections),
            "--body-kb" => a.body_kb = v.parse().unwrap_or(a.body_kb),
            "--seconds" => a.seconds = v.parse().unwrap_or(a.seconds),
            other => panic!("unknown option {other}"),
        }
    }
    assert!(!a.addr.is_empty(), "--url is required");
    a
}

static SEQ: AtomicU64 = AtomicU64::new(0);

/// A valid beacon of `events` events padded to about `bytes`.
fn beacon(events: usize, bytes: usize) -> String {
    let pad = "x".repeat((bytes / events.max(1)).saturating_sub(330));
    let evs: Vec<String> = (0..events)
        .map(|_| {
            let id = SEQ.fetch_add(1, Ordering::Relaxed);
            format!(
                r#"{{"id":"f{id}","conversion":"flood","trigger":"t","at":1763899999500,"session":"s{s}","page":{{"url":"http://127.0.0.1/x","path":"/x"}},"vars":{{"pad":"{pad}"}}}}"#,
                s = id % 100_000
            )
        })
        .collect();
    format!(r#"{{"v":1,"events":[{}]}}"#, evs.join(","))
}

fn request(host: &str, body: &str, close: bool) -> Vec<u8> {
    format!(
        "POST /collect HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{}\r\n{body}",
        body.len(),
        if close { "Connection: close\r\n" } else { "" }
    )
    .into_bytes()
}

/// Reads one answer's status (headers only; bodies here are short).
async fn status(s: &mut TcpStream) -> Option<u16> {
    let mut buf = vec![0u8; 4096];
    let mut n = 0;
    loop {
        let got = s.read(&mut buf[n..]).await.ok()?;
        if got == 0 {
            return None;
        }
        n += got;
        if let Some(end) = buf[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]);
            let code = head.split_whitespace().nth(1)?.parse().ok()?;
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            let mut have = n - end - 4;
            while have < len {
                let got = s.read(&mut buf).await.ok()?;
                if got == 0 {
                    break;
                }
                have += got;
            }
            return Some(code);
        }
        if n == buf.len() {
            return None;
        }
    }
}

type Counts = Arc<Mutex<BTreeMap<String, u64>>>;

fn count(c: &Counts, what: String) {
    *c.lock().unwrap().entry(what).or_default() += 1;
}

async fn flooder(addr: String, body_kb: usize, until: Instant, counts: Counts) {
    while Instant::now() < until {
        let Ok(mut s) = TcpStream::connect(&addr).await else {
            count(&counts, "connect error".into());
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        while Instant::now() < until {
            let req = request(&addr, &beacon(100, body_kb * 1024), false);
            if s.write_all(&req).await.is_err() {
                count(&counts, "closed".into());
                break;
            }
            match tokio::time::timeout(Duration::from_secs(30), status(&mut s)).await {
                Ok(Some(code)) => count(&counts, code.to_string()),
                _ => {
                    count(&counts, "closed".into());
                    break;
                }
            }
        }
    }
}

fn vm(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let a = args();
    let until = Instant::now() + Duration::from_secs(a.seconds);
    let flood: Counts = Default::default();
    let mut tasks = Vec::new();
    for _ in 0..a.connections {
        tasks.push(tokio::spawn(flooder(
            a.addr.clone(),
            a.body_kb,
            until,
            flood.clone(),
        )));
    }
    let real: Counts = Default::default();
    let mut latencies = Vec::new();
    let mut peak_rss = 0;
    tokio::time::sleep(Duration::from_millis(500)).await; // the flood is on
    while Instant::now() < until {
        let started = Instant::now();
        let req = request(&a.addr, &beacon(1, 400), true);
        let answer = async {
            // Another address than the flood's: a visitor is not the attacker.
            let sock = tokio::net::TcpSocket::new_v4().ok()?;
            sock.bind("127.0.0.2:0".parse().unwrap()).ok()?;
            let mut s = sock.connect(a.addr.parse().ok()?).await.ok()?;
            s.write_all(&req).await.ok()?;
            status(&mut s).await
        };
        match tokio::time::timeout(Duration::from_secs(30), answer).await {
            Ok(Some(code)) => count(&real, code.to_string()),
            Ok(None) => count(&real, "closed".into()),
            Err(_) => count(&real, "timeout".into()),
        }
        latencies.push(started.elapsed());
        if let Some(pid) = a.pid {
            peak_rss = peak_rss.max(vm(pid, "VmRSS:"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for t in tasks {
        let _ = t.await;
    }
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
    };
    let ms = |d: Option<&Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1e3);
    println!(
        "flood: {} connections x {} KB bodies for {} s; flood answers {:?}",
        a.connections,
        a.body_kb,
        a.seconds,
        flood.lock().unwrap()
    );
    println!(
        "flood: real beacons: {} sent, answers {:?}, latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        real.lock().unwrap(),
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(latencies.last())
    );
    if let Some(pid) = a.pid {
        println!(
            "flood: collector memory: peak RSS {:.0} MB (VmHWM {:.0} MB), now {:.0} MB",
            peak_rss as f64 / 1024.0,
            vm(pid, "VmHWM:") as f64 / 1024.0,
            vm(pid, "VmRSS:") as f64 / 1024.0
        );
    }
}
