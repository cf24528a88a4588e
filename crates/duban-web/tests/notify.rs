//! Reminders end to end: queued once a day, delivered to a real local
//! webhook and SMTP listener, failures retried and visible. Both databases.

use duban_core::dates::Date;
use duban_core::names::RegionName;
use duban_store::testing::fresh_stores;
use duban_web::notify::{run_once, Channels, Smtp, SmtpTls};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A webhook receiver that answers 200 and keeps the bodies.
async fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/robot/send?token=x",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 65536];
            let mut got = Vec::new();
            loop {
                let n = s.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if body.len() >= len {
                        keep.lock().unwrap().push(body.to_string());
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .await
                .unwrap();
        }
    });
    (url, seen)
}

/// An SMTP server that accepts everything and keeps the DATA.
async fn smtp() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    tokio::spawn(async move {
        loop {
            let (s, _) = listener.accept().await.unwrap();
            let (r, mut w) = s.into_split();
            let mut lines = BufReader::new(r).lines();
            w.write_all(b"220 test\r\n").await.unwrap();
            let mut data = String::new();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                if in_data {
                    if line == "." {
                        in_data = false;
                        keep.lock().unwrap().push(std::mem::take(&mut data));
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else {
                        data.push_str(&line);
                        data.push('\n');
                    }
                    continue;
                }
                let reply: &[u8] = match line.split_whitespace().next().unwrap_or("") {
                    "EHLO" => b"250-test\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go\r\n"
                    }
                    "QUIT" => b"221 bye\r\n",
                    _ => b"250 ok\r\n",
                };
                w.write_all(reply).await.unwrap();
            }
        }
    });
    (addr, seen)
}

#[tokio::test]
async fn reminders_are_queued_once_delivered_and_retried() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    for (backend, store) in fresh_stores().await {
        let r = store
            .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "t")
            .await
            .unwrap();
        store.import(&r, &plan, "t").await.unwrap();
        let cycle = store
            .open_cycle(&r.id, 1, d("2025-06-02"), d("2025-06-11"), "regular", "t")
            .await
            .unwrap();
        let today = d("2025-06-10"); // due tomorrow: 临近提醒
        let before = store.reminders(&r.id, today).await.unwrap();
        assert!(
            !before.is_empty() && before.iter().all(|x| x.kind == "due_soon"),
            "{backend}"
        );
        // A unit that reported everything gets no reminder.
        let first = &before[0];
        let due = store.expected_reports(&r.id, &cycle).await.unwrap();
        for e in due.iter().filter(|e| e.unit == first.unit) {
            let input = duban_store::testing::report_input(0, "in_progress", 40.0, true);
            store
                .save_report(&r.id, &cycle.id, &e.task_id, &e.unit_id, &input, "t", today)
                .await
                .unwrap();
        }
        let reminders = store.reminders(&r.id, today).await.unwrap();
        assert_eq!(reminders.len(), before.len() - 1, "{backend}");
        assert!(!reminders.iter().any(|x| x.unit == first.unit));

        let (url, hooks) = webhook().await;
        let (server, mails) = smtp().await;
        let channels = Channels {
            webhook: Some(url),
            smtp: Some(Smtp {
                server,
                from: "duban@example.gov".into(),
                to: "office@example.gov".into(),
                tls: SmtpTls::None,
                credentials: None,
            }),
        };
        let s1 = run_once(&store, &channels, today).await.unwrap();
        assert_eq!(
            (s1.queued, s1.delivered, s1.failed),
            (reminders.len() * 2, reminders.len() * 2, 0),
            "{backend}: {s1:?}"
        );
        assert_eq!(hooks.lock().unwrap().len(), reminders.len());
        assert!(hooks.lock().unwrap()[0].contains("临近提醒"));
        assert_eq!(mails.lock().unwrap().len(), reminders.len());
        // lettre encodes the Chinese subject (RFC 2047) and body.
        let mail = mails.lock().unwrap()[0].clone();
        assert!(
            mail.to_ascii_lowercase().contains("subject: =?utf-8?"),
            "{mail}"
        );
        // The same day again: nothing new.
        let s2 = run_once(&store, &channels, today).await.unwrap();
        assert_eq!((s2.queued, s2.delivered), (0, 0), "{backend}");

        // Two days later the cycle is overdue (催办); the webhook is down.
        let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let dead_url = format!("http://{}/", dead.local_addr().unwrap());
        drop(dead);
        let broken = Channels {
            webhook: Some(dead_url),
            smtp: None,
        };
        let s3 = run_once(&store, &broken, d("2025-06-12")).await.unwrap();
        assert_eq!(
            (s3.queued, s3.delivered, s3.failed),
            (reminders.len(), 0, reminders.len()),
            "{backend}: {s3:?}"
        );
        let outbox = store.notifications(&r.id).await.unwrap();
        let failed: Vec<_> = outbox.iter().filter(|n| n.kind == "overdue").collect();
        assert!(
            failed
                .iter()
                .all(|n| n.delivered_at.is_none() && n.attempts == 1 && n.last_error.is_some()),
            "{backend}: failures are visible"
        );
        // Not retried before the backoff has passed.
        let s4 = run_once(&store, &broken, d("2025-06-12")).await.unwrap();
        assert_eq!((s4.queued, s4.failed), (0, 0), "{backend}");
    }
}

/// Issue 7, item 4: one region's unreadable data (a cycle whose due date
/// was written outside duban as a wrapped-around year) answers with an
/// error for that region only; the reminder round still serves the others.
#[tokio::test]
async fn one_regions_bad_data_never_stops_the_others() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    for (backend, store) in fresh_stores().await {
        let mut regions = Vec::new();
        for name in ["汨罗市", "平江县"] {
            let r = store
                .ensure_region(&RegionName::parse(name).unwrap(), None, "t")
                .await
                .unwrap();
            store.import(&r, &plan, "t").await.unwrap();
            store
                .open_cycle(&r.id, 1, d("2025-06-02"), d("2025-06-11"), "regular", "t")
                .await
                .unwrap();
            regions.push(r);
        }
        let (bad, good) = (&regions[0], &regions[1]);
        let cycle = store.cycles(&bad.id, Some(1)).await.unwrap().remove(0);
        let due = store.expected_reports(&bad.id, &cycle).await.unwrap();
        duban_store::testing::execute_raw(
            &store,
            &format!(
                "UPDATE cycles SET due_on = '-2147483648-01-05' WHERE region_id = '{}'",
                bad.id
            ),
        )
        .await;
        // Cycles are cached by the catalog version (issue 12): a row
        // changed behind duban's back is read again at the next change.
        duban_store::testing::execute_raw(
            &store,
            "UPDATE catalog_versions SET version = version + 1",
        )
        .await;
        let today = d("2025-06-10");
        let err = store.reminders(&bad.id, today).await;
        assert!(
            matches!(err, Err(duban_store::StoreError::Corrupt(_))),
            "{backend}: {err:?}"
        );
        let good_count = store.reminders(&good.id, today).await.unwrap().len();
        assert!(good_count > 0);
        let s = run_once(&store, &Channels::default(), today).await.unwrap();
        assert_eq!(s.reminders, good_count, "{backend}: {s:?}");
        assert_eq!(s.region_errors.len(), 1, "{backend}: {s:?}");
        assert_eq!(s.region_errors[0].0, bad.name);
        // Reading its cycles or saving a report in the damaged region is an
        // error, not a panic.
        assert!(matches!(
            store.cycles(&bad.id, Some(1)).await,
            Err(duban_store::StoreError::Corrupt(_))
        ));
        let input = duban_store::testing::report_input(0, "in_progress", 40.0, true);
        let saved = store
            .save_report(
                &bad.id,
                &cycle.id,
                &due[0].task_id,
                &due[0].unit_id,
                &input,
                "t",
                today,
            )
            .await;
        assert!(
            matches!(saved, Err(duban_store::StoreError::Corrupt(_))),
            "{backend}: {saved:?}"
        );
    }
}

/// Issue 7, item 10: the webhook speaks https (政务钉钉 / 企业微信 bots are
/// https endpoints) and mail can require TLS: against a listener that does
/// not speak TLS both fail in the TLS handshake — they are attempted, not
/// refused as unsupported — and the failure is recorded for a retry.
#[tokio::test]
async fn https_webhooks_and_tls_mail_are_attempted() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    let store = fresh_stores().await.remove(0).1;
    let r = store
        .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "t")
        .await
        .unwrap();
    store.import(&r, &plan, "t").await.unwrap();
    store
        .open_cycle(&r.id, 1, d("2025-06-02"), d("2025-06-11"), "regular", "t")
        .await
        .unwrap();
    // A plain TCP listener that answers garbage to anything.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
        }
    });
    let channels = Channels {
        webhook: Some(format!("https://{addr}/robot/send?access_token=x")),
        smtp: Some(Smtp {
            server: addr.to_string(),
            from: "duban@example.gov".into(),
            to: "office@example.gov, leader@example.gov".into(),
            tls: SmtpTls::Implicit,
            credentials: None,
        }),
    };
    let s = run_once(&store, &channels, d("2025-06-10")).await.unwrap();
    assert!(
        s.queued > 0 && s.delivered == 0 && s.failed == s.queued,
        "{s:?}"
    );
    let outbox = store.notifications(&r.id).await.unwrap();
    for n in &outbox {
        let e = n.last_error.clone().unwrap_or_default();
        assert!(!e.contains("只支持"), "https is supported: {e}");
        match n.channel.as_str() {
            "webhook" => assert!(e.contains("webhook 发送失败"), "{e}"),
            _ => assert!(e.contains("SMTP 发送失败"), "{e}"),
        }
    }
    // A webhook that answers 500 is a failure with its status.
    let server = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", server.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut s, _)) = server.accept().await {
            let mut buf = vec![0u8; 65536];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let region2 = store
        .ensure_region(&RegionName::parse("平江县").unwrap(), None, "t")
        .await
        .unwrap();
    store.import(&region2, &plan, "t").await.unwrap();
    store
        .open_cycle(
            &region2.id,
            1,
            d("2025-06-02"),
            d("2025-06-11"),
            "regular",
            "t",
        )
        .await
        .unwrap();
    let hook_only = Channels {
        webhook: Some(url),
        smtp: None,
    };
    run_once(&store, &hook_only, d("2025-06-10")).await.unwrap();
    let outbox = store.notifications(&region2.id).await.unwrap();
    assert!(!outbox.is_empty());
    assert!(outbox
        .iter()
        .all(|n| n.last_error.as_deref().unwrap_or("").contains("500")));
}
