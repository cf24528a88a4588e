//! Crash safety: kill -9 the server while a client writes; every write the
//! server acknowledged (201) is there after a restart. On SQLite and
//! PostgreSQL.

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
    let mut child = Command::new(bin())
        .args(["--db", db, "serve", "--listen", "127.0.0.1:0"])
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
