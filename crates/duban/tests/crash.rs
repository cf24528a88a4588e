//! Crash safety: kill -9 the server while clients write; every write the
//! server acknowledged is there after a restart. On SQLite and PostgreSQL.
//! The report storm checks the group commit of issue 12: many concurrent
//! saves, committed in groups, none acknowledged before its group's commit.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_duban"))
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt")
}

fn duban(db: &str, args: &[&str]) -> String {
    let out = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `duban serve` on a random port; returns the child and base URL.
fn start(db: &str) -> (Child, String) {
    start_with(db, &[])
}

fn start_with(db: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(bin())
        .args(["--db", db, "serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('（').next())
        .expect("listening line")
        .trim()
        .to_string();
    (child, format!("http://{addr}"))
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let urls = rt.block_on(duban_store::testing::fresh_urls());
    for (backend, db) in urls {
        duban(
            &db,
            &["import", sample().to_str().unwrap(), "--region", "汨罗市"],
        );
        duban(&db, &["user", "add", "admin", "--role", "admin"]);
        let token = duban(&db, &["token", "create", "admin"])
            .split_whitespace()
            .last()
            .unwrap()
            .to_string();
        let (mut server, base) = start(&db);
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let tasks: serde_json::Value = client
            .get(format!(
                "{base}/api/v1/regions/%E6%B1%A8%E7%BD%97%E5%B8%82/tasks?campaign=1"
            ))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let task = tasks[0]["id"].as_str().unwrap().to_string();
        let url =
            format!("{base}/api/v1/regions/%E6%B1%A8%E7%BD%97%E5%B8%82/tasks/{task}/list-items");

        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (acknowledged, stop, url, token) = (
                acknowledged.clone(),
                stop.clone(),
                url.clone(),
                token.clone(),
            );
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .unwrap();
                for i in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let body = serde_json::json!({ "unit": "市人社局", "kind": "task", "title": format!("写入 {i}"), "lead_person": "测试" });
                    match client.post(&url).bearer_auth(&token).json(&body).send() {
                        Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                            let v: serde_json::Value = r.json().unwrap();
                            acknowledged
                                .lock()
                                .unwrap()
                                .push(v["id"].as_str().unwrap().to_string());
                        }
                        // The server died mid-request: that write was never acknowledged.
                        _ => break,
                    }
                }
            })
        };
        let started = Instant::now();
        while acknowledged.lock().unwrap().len() < 40 && started.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        server.kill().unwrap(); // SIGKILL: no shutdown, no flush.
        server.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        writer.join().unwrap();
        let acknowledged = acknowledged.lock().unwrap().clone();
        assert!(
            acknowledged.len() >= 40,
            "{backend}: only {} writes before the kill",
            acknowledged.len()
        );

        let (mut server, base) = start(&db);
        let url = url.replace(url.split("/api/").next().unwrap(), &base);
        let items: serde_json::Value = client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let stored: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        let lost: Vec<&String> = acknowledged
            .iter()
            .filter(|id| !stored.contains(&id.as_str()))
            .collect();
        assert!(
            lost.is_empty(),
            "{backend}: {} acknowledged writes lost of {}",
            lost.len(),
            acknowledged.len()
        );
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

const REGION: &str = "%E6%B1%A8%E7%BD%97%E5%B8%82";

/// What one writer sent for one report: `(version, completion)` per
/// attempt, and whether the server acknowledged it.
type Sent = Vec<(i64, f64, bool)>;

#[test]
fn acknowledged_report_saves_survive_sigkill_under_group_commit() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let urls = rt.block_on(duban_store::testing::fresh_urls());
    let today = ["--today", "2025-03-20"];
    for (backend, db) in urls {
        duban(
            &db,
            &["import", sample().to_str().unwrap(), "--region", "汨罗市"],
        );
        duban(&db, &["user", "add", "admin", "--role", "admin"]);
        let token = duban(&db, &["token", "create", "admin"])
            .split_whitespace()
            .last()
            .unwrap()
            .to_string();
        let (mut server, base) = start_with(&db, &today);
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let api = format!("{base}/api/v1/regions/{REGION}");
        let cycle: serde_json::Value = client
            .post(format!("{api}/cycles"))
            .bearer_auth(&token)
            .json(
                &serde_json::json!({ "plan": 1, "opens_on": "2025-03-17", "due_on": "2025-03-28" }),
            )
            .send()
            .unwrap()
            .json()
            .unwrap();
        let cycle = cycle["id"].as_str().unwrap().to_string();
        let due: serde_json::Value = client
            .get(format!("{api}/cycles/{cycle}/due"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let pairs: Vec<(String, String)> = due
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["task_id"].as_str().unwrap().to_string(),
                    d["unit_id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        const WRITERS: usize = 12;
        assert!(
            pairs.len() >= WRITERS * 2,
            "{backend}: {} reports",
            pairs.len()
        );

        // Twelve writers, each saving its own reports in turn, as fast as
        // the server answers, until the server dies under them.
        let sent: Arc<Mutex<std::collections::HashMap<(String, String), Sent>>> =
            Default::default();
        let acknowledged = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let mine: Vec<(String, String)> =
                pairs.iter().skip(w).step_by(WRITERS).cloned().collect();
            let (sent, acknowledged, token, url) = (
                sent.clone(),
                acknowledged.clone(),
                token.clone(),
                format!("{api}/cycles/{cycle}/reports"),
            );
            writers.push(std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let mut versions = vec![0i64; mine.len()];
                for i in 0.. {
                    let k = i % mine.len();
                    let (task, unit) = &mine[k];
                    let completion = ((i * 7 + w) % 101) as f64;
                    let attempt = sent.lock().unwrap().entry(mine[k].clone()).or_default().len();
                    sent.lock().unwrap().get_mut(&mine[k]).unwrap().push((versions[k] + 1, completion, false));
                    let body = serde_json::json!({ "version": versions[k], "status": "in_progress", "completion": completion, "progress": format!("第 {i} 次"), "submit": true });
                    match client.put(format!("{url}/{task}/{unit}")).bearer_auth(&token).json(&body).send() {
                        Ok(r) if r.status().is_success() => {
                            let v: serde_json::Value = r.json().unwrap();
                            assert_eq!(v["version"].as_i64(), Some(versions[k] + 1));
                            versions[k] += 1;
                            sent.lock().unwrap().get_mut(&mine[k]).unwrap()[attempt].2 = true;
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(r) => panic!("save refused: {} {}", r.status(), r.text().unwrap_or_default()),
                        // The server died mid-request: never acknowledged.
                        Err(_) => break,
                    }
                }
            }));
        }
        let started = Instant::now();
        while acknowledged.load(Ordering::SeqCst) < 300
            && started.elapsed() < Duration::from_secs(120)
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        server.kill().unwrap(); // SIGKILL during the storm: no shutdown, no flush.
        server.wait().unwrap();
        for w in writers {
            w.join().unwrap();
        }
        let sent = sent.lock().unwrap().clone();
        let total: usize = sent.values().flatten().filter(|s| s.2).count();
        assert!(
            total >= 300,
            "{backend}: only {total} saves before the kill"
        );

        let (mut server, base) = start_with(&db, &today);
        let api = format!("{base}/api/v1/regions/{REGION}");
        let mut in_flight_written = 0;
        for ((task, unit), attempts) in &sent {
            let history: serde_json::Value = client
                .get(format!("{api}/cycles/{cycle}/reports/{task}/{unit}"))
                .bearer_auth(&token)
                .send()
                .unwrap()
                .json()
                .unwrap();
            let stored: Vec<(i64, f64)> = history
                .as_array()
                .unwrap_or_else(|| panic!("{backend}: {history}"))
                .iter()
                .map(|r| {
                    (
                        r["version"].as_i64().unwrap(),
                        r["completion"].as_f64().unwrap(),
                    )
                })
                .collect();
            // Versions 1..n, each exactly what was sent for it.
            for (i, (version, completion)) in stored.iter().enumerate() {
                assert_eq!(*version, i as i64 + 1, "{backend}: versions have a gap");
                let attempt = attempts.get(i).unwrap_or_else(|| {
                    panic!("{backend}: version {version} of {task}/{unit} was never sent")
                });
                assert_eq!(
                    (attempt.0, attempt.1),
                    (*version, *completion),
                    "{backend}: {task}/{unit}"
                );
            }
            // Every acknowledged save is there; past them at most the one
            // in flight, whole (its content checked above).
            let acked = attempts.iter().filter(|a| a.2).count();
            assert!(
                stored.len() >= acked,
                "{backend}: {task}/{unit}: {acked} acknowledged saves, {} stored",
                stored.len()
            );
            assert!(stored.len() <= acked + 1, "{backend}: {task}/{unit}");
            in_flight_written += stored.len() - acked;
        }
        // Nothing half-written: every stored version has its audit entry,
        // and each report has exactly one current version.
        let store = rt.block_on(duban_store::Store::open_existing(&db)).unwrap();
        let orphans = rt.block_on(duban_store::testing::query_i64(
            &store,
            "SELECT COUNT(*) AS n FROM reports r WHERE NOT EXISTS \
             (SELECT 1 FROM audit_log a WHERE a.region_id = r.region_id AND a.entity = 'report' AND a.entity_id = r.id)",
        ));
        assert_eq!(
            orphans, 0,
            "{backend}: report versions without their audit entry"
        );
        let doubles = rt.block_on(duban_store::testing::query_i64(
            &store,
            "SELECT COUNT(*) AS n FROM (SELECT task_id, unit_id FROM reports WHERE superseded_at IS NULL \
             GROUP BY region_id, cycle_id, task_id, unit_id HAVING COUNT(*) > 1) d",
        ));
        assert_eq!(doubles, 0, "{backend}: a report with two current versions");
        eprintln!("{backend}: {total} acknowledged saves all present; {in_flight_written} unacknowledged saves committed whole");
        server.kill().unwrap();
        server.wait().unwrap();
    }
}
