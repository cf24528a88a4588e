//! 信息公开 over HTTP, on SQLite and PostgreSQL: who may publish, what the
//! anonymous page shows before and after, and its caching (ETag,
//! Last-Modified, 304, gzip, a new ETag after each publish or withdraw).

mod common;

use common::{spawn, R};
use duban_store::testing::fresh_stores;
use reqwest::header;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Words the test puts into reports; none may reach the public page.
const PROBLEMS: &str = "资金缺口尚未落实甲乙";
const PROGRESS: &str = "已召开专题会议丙丁";
const NEXT: &str = "下一步拟协调戊己";
const ASK: &str = "请求分管领导协调庚辛";

/// How askama writes text into HTML, so a task title can be found in the page.
fn html_text(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

struct Page {
    status: StatusCode,
    etag: Option<String>,
    last_modified: Option<String>,
    cache_control: Option<String>,
    encoding: Option<String>,
    body: Vec<u8>,
}

impl Page {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn public(app: &common::App, path: &str, headers: &[(header::HeaderName, &str)]) -> Page {
    let mut req = app.client.get(format!("{}{path}", app.base));
    for (k, v) in headers {
        req = req.header(k.clone(), *v);
    }
    let resp = req.send().await.expect("request");
    let h = |name: header::HeaderName| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Page {
        status: resp.status(),
        etag: h(header::ETAG),
        last_modified: h(header::LAST_MODIFIED),
        cache_control: h(header::CACHE_CONTROL),
        encoding: h(header::CONTENT_ENCODING),
        body: resp.bytes().await.expect("body").to_vec(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_show_cache_and_withdraw() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let page_path = "/public/%E6%B1%A8%E7%BD%97%E5%B8%82"; // 汨罗市

        // An unknown region is a 404 page; a region with nothing published says so.
        let unknown = public(&app, "/public/no-such-region", &[]).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{backend}");
        let empty = public(&app, page_path, &[]).await;
        assert_eq!(empty.status, StatusCode::OK, "{backend}");
        assert!(empty.text().contains("暂无已发布的信息"), "{backend}");
        let etag0 = empty.etag.clone().expect("an ETag");
        assert!(
            etag0.starts_with('"') && etag0.ends_with('"'),
            "strong: {etag0}"
        );
        assert_eq!(empty.cache_control.as_deref(), Some("public, max-age=60"));

        // The lead unit of task1 reports it done, with words that are not public.
        let task1 = app.task(&app.task1).clone();
        let lead = task1.lead_units[0].id.clone();
        let (s, v) = app
            .call(
                Some("rsj"),
                Method::PUT,
                &format!("{R}/cycles/{}/reports/{}/{lead}", app.cycle1, app.task1),
                Some(json!({ "version": 0, "status": "done", "completion": 100,
                    "progress": PROGRESS, "problems": PROBLEMS, "next_steps": NEXT,
                    "coordination": [{ "to": "分管副市长", "text": ASK }], "submit": true })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{backend} report: {v}");

        // An open cycle cannot be published.
        let publish = format!("{R}/cycles/{}/publish", app.cycle1);
        let withdraw = format!("{R}/cycles/{}/withdraw", app.cycle1);
        let (s, v) = app
            .call(Some("office1"), Method::POST, &publish, None)
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend} open cycle: {v}");
        let (s, v) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!("{R}/cycles/{}/close", app.cycle1),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{backend} close: {v}");
        let (green, yellow, red) = (v["green"].clone(), v["yellow"].clone(), v["red"].clone());

        // A reporter, a leader and another campaign's office are refused.
        for who in ["rsj", "fgj", "leader", "office2"] {
            let (s, _) = app.call(Some(who), Method::POST, &publish, None).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{backend} {who} publishes");
            let (s, _) = app.call(Some(who), Method::POST, &withdraw, None).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{backend} {who} withdraws");
        }
        let (s, _) = app.call(None, Method::POST, &publish, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{backend} anonymous publishes");
        let still = public(&app, page_path, &[]).await;
        assert_eq!(still.etag.as_deref(), Some(etag0.as_str()), "{backend}");

        // The office publishes its campaign; twice is a conflict.
        let (s, v) = app
            .call(Some("office1"), Method::POST, &publish, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{backend} publish: {v}");
        assert_eq!(v["published_by"], "office1");
        let (s, _) = app
            .call(Some("office1"), Method::POST, &publish, None)
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend} publish twice");

        let shown = public(&app, page_path, &[]).await;
        assert_eq!(shown.status, StatusCode::OK);
        let etag1 = shown.etag.clone().expect("an ETag");
        assert_ne!(etag1, etag0, "{backend}: a publish changes the ETag");
        let text = shown.text();
        assert!(
            text.contains(&html_text(&task1.title)),
            "{backend}: the completed task"
        );
        assert!(
            text.contains(&task1.lead_units[0].name),
            "{backend}: its lead"
        );
        assert!(
            text.contains(&format!("绿灯 {green} 项，黄灯 {yellow} 项，红灯 {red} 项")),
            "{backend}: the counts of the closed cycle ({green}/{yellow}/{red})"
        );
        for secret in [
            PROBLEMS,
            PROGRESS,
            NEXT,
            ASK,
            "分管副市长",
            "office1",
            "rsj",
        ] {
            assert!(!text.contains(secret), "{backend}: “{secret}” leaked");
        }
        // Campaign 2 is not published: its name is not on the page.
        let plans = app.store.plans(&app.region_id).await.unwrap();
        let name = |no: i64| plans.iter().find(|p| p.no == no).unwrap().title.clone();
        assert!(text.contains(&html_text(&name(1))));
        assert!(
            !text.contains(&html_text(&name(2))),
            "{backend}: campaign 2"
        );

        // Conditional requests: 304 with no body; gzip when accepted.
        let again = public(&app, page_path, &[(header::IF_NONE_MATCH, &etag1)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{backend}");
        assert!(again.body.is_empty());
        assert_eq!(again.etag.as_deref(), Some(etag1.as_str()));
        let other = public(&app, page_path, &[(header::IF_NONE_MATCH, &etag0)]).await;
        assert_eq!(other.status, StatusCode::OK, "{backend}: a stale ETag");
        let lm = shown.last_modified.clone().expect("Last-Modified");
        let since = public(&app, page_path, &[(header::IF_MODIFIED_SINCE, &lm)]).await;
        assert_eq!(since.status, StatusCode::NOT_MODIFIED, "{backend}: {lm}");
        let before = public(
            &app,
            page_path,
            &[(header::IF_MODIFIED_SINCE, "Mon, 01 Jan 2024 00:00:00 GMT")],
        )
        .await;
        assert_eq!(before.status, StatusCode::OK, "{backend}");
        let gz = public(&app, page_path, &[(header::ACCEPT_ENCODING, "gzip")]).await;
        assert_eq!(gz.encoding.as_deref(), Some("gzip"), "{backend}");
        assert_eq!(&gz.body[..2], &[0x1f, 0x8b], "{backend}: gzip magic");
        assert!(
            gz.body.len() < shown.body.len() / 2,
            "{backend}: compressed"
        );
        assert_eq!(gz.etag.as_deref(), Some(etag1.as_str()));
        // A session cookie changes nothing: the page is the same for everyone.
        let with_cookie = public(&app, page_path, &[(header::COOKIE, "duban_session=x")]).await;
        assert_eq!(with_cookie.body, shown.body);

        // Who published is recorded and audited; reporters do not see the list.
        let (s, list) = app.get("admin", &format!("{R}/publications")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{backend}: {list}");
        let (s, _) = app.get("rsj", &format!("{R}/publications")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Withdrawn: gone from the page, and the ETag changes again.
        let (s, v) = app
            .call(Some("office1"), Method::POST, &withdraw, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{backend} withdraw: {v}");
        assert_eq!(v["withdrawn_by"], "office1");
        let (s, _) = app
            .call(Some("office1"), Method::POST, &withdraw, None)
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend} withdraw twice");
        let gone = public(&app, page_path, &[(header::IF_NONE_MATCH, &etag1)]).await;
        assert_eq!(
            gone.status,
            StatusCode::OK,
            "{backend}: not 304 after withdraw"
        );
        let etag2 = gone.etag.clone().expect("an ETag");
        assert_ne!(etag2, etag1);
        let text = gone.text();
        assert!(text.contains("暂无已发布的信息"), "{backend}");
        assert!(
            !text.contains(&html_text(&task1.title)),
            "{backend}: withdrawn"
        );

        // The admin publishes it again.
        let (s, _) = app.call(Some("admin"), Method::POST, &publish, None).await;
        assert_eq!(s, StatusCode::OK, "{backend} admin publishes");
        let back = public(&app, page_path, &[]).await;
        assert!(back.text().contains(&html_text(&task1.title)));
        let (_, audit) = app.get("admin", &format!("{R}/audit?limit=20")).await;
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .filter(|a| a.starts_with("publication."))
            .collect();
        assert_eq!(
            actions,
            [
                "publication.publish",
                "publication.withdraw",
                "publication.publish"
            ],
            "{backend}: newest first"
        );
    }
}
