//! Load generator for the deadline rush (issue 12): concurrent single-report
//! saves over HTTP against a running `duban serve`, each request a real save
//! (a new version of its own report, so never a 409), beside the limits of
//! the same machine measured in the same run: raw SQLite durable
//! single-row commits per second and rows per second in one transaction
//! (on the disk given by `--raw-dir`), and `GET /healthz` (a no-op handler
//! behind the same server) as the HTTP ceiling.
//!
//! Used by `scripts/bench-saves`; run by hand:
//! `cargo run --release -p duban-web --example bench_saves -- BASE TOKEN REGION CLIENTS SECONDS RAW_DIR`

use std::sync::Arc;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// One client's reports: (URL, current version).
type Owned = Arc<tokio::sync::Mutex<Vec<(String, i64)>>>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, token, region, clients, secs, raw_dir] = args.as_slice() else {
        return Err("usage: bench_saves BASE TOKEN REGION CLIENTS SECONDS RAW_DIR".into());
    };
    let clients: usize = clients.parse()?;
    let secs: u64 = secs.parse()?;
    // REGION may be a comma-separated list: the saves are dealt over every
    // region's reports (a province's deadline rush on a distributed engine).
    let regions: Vec<String> = region.split(',').map(encode).collect();

    let (single, batched) = raw_sqlite(std::path::Path::new(raw_dir)).await?;
    println!("raw SQLite on this disk: {single:.0} durable single-row commits/s; {batched:.0} rows/s in one transaction");

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let ceiling = storm(clients, Duration::from_secs(secs.div_ceil(2)), {
        let (client, url) = (client.clone(), format!("{base}/healthz"));
        move |_| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let r = client.get(&url).send().await?;
                Ok(r.status().is_success())
            }
        }
    })
    .await;
    println!(
        "GET /healthz ceiling, {clients} clients: {}",
        ceiling.line()
    );

    // Every report the regions' open cycles expect, dealt out to the
    // clients: each client owns its reports, so its saves never conflict.
    let mut pairs = Vec::new();
    for region in &regions {
        let api = format!("{base}/api/v1/regions/{region}");
        let cycles: serde_json::Value = client
            .get(format!("{api}/cycles"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        for c in cycles.as_array().ok_or("cycles: not a list")? {
            if c["status"] != "open" {
                continue;
            }
            let cycle = c["id"].as_str().ok_or("cycle id")?.to_string();
            let due: serde_json::Value = client
                .get(format!("{api}/cycles/{cycle}/due"))
                .bearer_auth(token)
                .send()
                .await?
                .json()
                .await?;
            for d in due.as_array().ok_or("due: not a list")? {
                let version = d["report"]["version"].as_i64().unwrap_or(0);
                pairs.push((
                    format!(
                        "{api}/cycles/{cycle}/reports/{}/{}",
                        d["task_id"].as_str().ok_or("task_id")?,
                        d["unit_id"].as_str().ok_or("unit_id")?
                    ),
                    version,
                ));
            }
        }
    }
    if pairs.len() < clients {
        return Err(format!("only {} reports for {clients} clients", pairs.len()).into());
    }
    println!("{} reports over {clients} clients", pairs.len());
    let owned: Vec<Owned> = (0..clients)
        .map(|c| {
            Arc::new(tokio::sync::Mutex::new(
                pairs.iter().skip(c).step_by(clients).cloned().collect(),
            ))
        })
        .collect();
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let saves = storm(clients, Duration::from_secs(secs), {
        let (client, token) = (client.clone(), token.clone());
        move |c| {
            let (client, token, mine, counter) = (
                client.clone(),
                token.clone(),
                owned[c].clone(),
                counter.clone(),
            );
            async move {
                let mut mine = mine.lock().await;
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let k = (n as usize) % mine.len();
                let (url, version) = mine[k].clone();
                let body = serde_json::json!({
                    "version": version,
                    "status": "in_progress",
                    "completion": (n % 100) as f64,
                    "progress": format!("截止前填报，第 {n} 次保存"),
                });
                let r = client
                    .put(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await?;
                if !r.status().is_success() {
                    eprintln!("{} {}", r.status(), r.text().await.unwrap_or_default());
                    return Ok(false);
                }
                let saved: serde_json::Value = r.json().await?;
                mine[k].1 = saved["version"].as_i64().ok_or("no version")?;
                Ok(true)
            }
        }
    })
    .await;
    println!(
        "PUT one report per request, {clients} clients: {}",
        saves.line()
    );
    println!(
        "ratios: saves/s = {:.1}× raw durable single-row commits/s, {:.1} % of raw batched rows/s, {:.1} % of the /healthz ceiling",
        saves.rate / single,
        100.0 * saves.rate / batched,
        100.0 * saves.rate / ceiling.rate
    );
    Ok(())
}

/// Percent-encodes a path segment (the region's Chinese name).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct Outcome {
    rate: f64,
    ok: usize,
    failed: usize,
    latencies: Vec<Duration>,
}

impl Outcome {
    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }

    fn line(&self) -> String {
        format!(
            "{:.0} req/s ({} ok, {} failed); p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.rate,
            self.ok,
            self.failed,
            self.pct(0.5),
            self.pct(0.99),
            self.pct(1.0)
        )
    }
}

/// `clients` loops each sending one request at a time for `length`.
async fn storm<F, Fut>(clients: usize, length: Duration, request: F) -> Outcome
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<bool, Error>> + Send,
{
    let start = Instant::now();
    let mut handles = Vec::new();
    for c in 0..clients {
        let request = request.clone();
        handles.push(tokio::spawn(async move {
            let (mut lat, mut failed) = (Vec::new(), 0);
            while start.elapsed() < length {
                let t = Instant::now();
                match request(c).await {
                    Ok(true) => lat.push(t.elapsed()),
                    Ok(false) => failed += 1,
                    Err(e) => {
                        eprintln!("{e}");
                        failed += 1;
                    }
                }
            }
            (lat, failed)
        }));
    }
    let (mut latencies, mut failed) = (Vec::new(), 0);
    for h in handles {
        if let Ok((l, f)) = h.await {
            latencies.extend(l);
            failed += f;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort();
    Outcome {
        rate: latencies.len() as f64 / elapsed,
        ok: latencies.len(),
        failed,
        latencies,
    }
}

/// The raw limits of SQLite on this disk, with the ledger's settings (WAL,
/// synchronous=FULL): durable single-row commits per second (2 s), and rows
/// per second inserted in one transaction (100,000 rows).
async fn raw_sqlite(dir: &std::path::Path) -> Result<(f64, f64), Error> {
    use sqlx::{ConnectOptions, Connection};
    let path = dir.join("raw-limit.db");
    let _ = std::fs::remove_file(&path);
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
        .connect()
        .await?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .execute(&mut conn)
        .await?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        sqlx::query("INSERT INTO t (v) VALUES (?)")
            .bind("截止前填报")
            .execute(&mut conn)
            .await?;
        n += 1;
    }
    let single = n as f64 / start.elapsed().as_secs_f64();
    let rows = 100_000;
    let start = Instant::now();
    let mut tx = conn.begin().await?;
    for _ in 0..rows {
        sqlx::query("INSERT INTO t (v) VALUES (?)")
            .bind("截止前填报")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let batched = rows as f64 / start.elapsed().as_secs_f64();
    conn.close().await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("raw-limit.db{suffix}")));
    }
    Ok((single, batched))
}
