//! Reads and saves at speed (issue 12), on SQLite and PostgreSQL: the big
//! reads answer `ETag`/`If-None-Match` with 304 and compress with gzip or
//! br, the cached body follows the ledger (a change gives a new tag and new
//! content), lists page with `limit`/`offset`, and concurrent report saves
//! over HTTP each get their own answer with one stale save among them.

mod common;

use common::{spawn, R};
use duban_store::testing::fresh_stores;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Read;

async fn get_with(app: &common::App, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(&app.tokens["leader"]);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("response")
}

#[tokio::test]
async fn big_reads_revalidate_and_compress() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        for path in [
            format!("{R}/tasks"),
            format!("{R}/tasks?unit=%E5%B8%82%E5%8F%91%E6%94%B9%E5%B1%80&role=lead"),
            format!("{R}/units"),
            format!("{R}/summary"),
            format!("{R}/targets"),
        ] {
            let plain = get_with(&app, &path, &[]).await;
            assert_eq!(plain.status(), StatusCode::OK, "{backend} {path}");
            let etag = plain.headers()["etag"].to_str().unwrap().to_string();
            assert!(
                etag.starts_with('"') && etag.len() > 10,
                "{backend}: {etag}"
            );
            // Security headers stay on cached answers.
            assert_eq!(plain.headers()["cache-control"], "no-store", "{backend}");
            assert_eq!(plain.headers()["x-content-type-options"], "nosniff");
            let body: Value = plain.json().await.unwrap();
            // The same tag again: 304, no body.
            let again = get_with(&app, &path, &[("if-none-match", &etag)]).await;
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{backend} {path}");
            assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
            assert!(again.bytes().await.unwrap().is_empty());
            // Another tag: the full answer.
            let other = get_with(&app, &path, &[("if-none-match", "\"0000\"")]).await;
            assert_eq!(other.status(), StatusCode::OK, "{backend} {path}");
            for (coding, decode) in [
                ("gzip", gunzip as fn(&[u8]) -> Vec<u8>),
                ("br", unbrotli as fn(&[u8]) -> Vec<u8>),
            ] {
                let r = get_with(&app, &path, &[("accept-encoding", coding)]).await;
                assert_eq!(r.status(), StatusCode::OK);
                let raw = body.to_string();
                if raw.len() < 1024 {
                    continue; // small answers go out as they are
                }
                assert_eq!(
                    r.headers()
                        .get("content-encoding")
                        .and_then(|v| v.to_str().ok()),
                    Some(coding),
                    "{backend} {path}"
                );
                let bytes = r.bytes().await.unwrap();
                assert!(
                    bytes.len() < raw.len() / 2,
                    "{backend} {path} {coding}: {} of {}",
                    bytes.len(),
                    raw.len()
                );
                let decoded: Value = serde_json::from_slice(&decode(&bytes)).unwrap();
                assert_eq!(decoded, body, "{backend} {path} {coding}");
            }
        }
        // The full task list is compressed at least 5 to 1.
        let r = get_with(
            &app,
            &format!("{R}/tasks"),
            &[("accept-encoding", "br, gzip")],
        )
        .await;
        assert_eq!(r.headers()["content-encoding"], "br");

        // A write moves the tag and the content.
        let path = format!("{R}/units");
        let before = get_with(&app, &path, &[]).await;
        let etag = before.headers()["etag"].to_str().unwrap().to_string();
        let n = before
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len();
        let (s, _) = app
            .call(
                Some("admin"),
                reqwest::Method::POST,
                &path,
                Some(json!({ "name": "市测速局", "kind": "department" })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}");
        let after = get_with(&app, &path, &[("if-none-match", &etag)]).await;
        assert_eq!(
            after.status(),
            StatusCode::OK,
            "{backend}: a stale tag is not a 304"
        );
        assert_ne!(after.headers()["etag"].to_str().unwrap(), etag);
        assert_eq!(
            after
                .json::<Value>()
                .await
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            n + 1
        );

        // A report save moves the summary's tag (it counts reports).
        let summary = get_with(&app, &format!("{R}/summary"), &[]).await;
        let tag = summary.headers()["etag"].to_str().unwrap().to_string();
        let (s, v) = app
            .call(
                Some("rsj"),
                reqwest::Method::PUT,
                &format!("{R}/cycles/{}/reports/{}/市人社局", app.cycle1, app.task1),
                Some(json!({ "version": 0, "status": "in_progress", "completion": 40, "submit": true })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        let summary = get_with(&app, &format!("{R}/summary"), &[("if-none-match", &tag)]).await;
        assert_eq!(summary.status(), StatusCode::OK, "{backend}");
    }
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(b, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn lists_page_with_limit_and_offset() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        for list in [
            "tasks",
            "units",
            "targets",
            "plans",
            "cycles",
            "task-forces",
        ] {
            let (s, all) = app.get("leader", &format!("{R}/{list}")).await;
            assert_eq!(s, StatusCode::OK, "{backend} {list}: {all}");
            let all = all.as_array().unwrap().clone();
            assert!(all.len() >= 2, "{backend} {list}");
            let (s, page) = app
                .get("leader", &format!("{R}/{list}?limit=1&offset=1"))
                .await;
            assert_eq!(s, StatusCode::OK, "{backend} {list}: {page}");
            assert_eq!(page.as_array().unwrap(), &all[1..2], "{backend} {list}");
            let (s, _) = app.get("leader", &format!("{R}/{list}?limit=0")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{backend} {list}");
        }
    }
}

/// Concurrent single saves over HTTP, one of them stale: each valid one is
/// answered with its version, the stale one with 409, and all valid ones
/// are stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_saves_over_http() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let (s, due) = app
            .get("admin", &format!("{R}/cycles/{}/due", app.cycle1))
            .await;
        assert_eq!(s, StatusCode::OK);
        let due: Vec<(String, String)> = due
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["task_id"].as_str().unwrap().into(),
                    d["unit_id"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert!(due.len() >= 20, "{backend}");
        let url = |(t, u): &(String, String)| {
            format!("{}{R}/cycles/{}/reports/{t}/{u}", app.base, app.cycle1)
        };
        let mut handles = Vec::new();
        for (i, pair) in due.iter().take(20).enumerate() {
            // Save 0 claims version 3 of a report that has none: stale.
            let version = if i == 0 { 3 } else { 0 };
            let req = app
                .client
                .put(url(pair))
                .bearer_auth(&app.tokens["admin"])
                .json(&json!({ "version": version, "status": "in_progress", "completion": i, "submit": true }));
            handles.push(tokio::spawn(async move {
                let r = req.send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap())
            }));
        }
        for (i, h) in handles.into_iter().enumerate() {
            let (status, body) = h.await.unwrap();
            if i == 0 {
                assert_eq!(status, StatusCode::CONFLICT, "{backend}: {body}");
            } else {
                assert_eq!(status, StatusCode::OK, "{backend}: {body}");
                assert_eq!(
                    (body["version"].as_i64(), body["completion"].as_f64()),
                    (Some(1), Some(i as f64))
                );
            }
        }
        let (_, reports) = app
            .get("admin", &format!("{R}/cycles/{}/reports", app.cycle1))
            .await;
        assert_eq!(
            reports.as_array().unwrap().len(),
            19,
            "{backend}: {reports}"
        );
    }
}
