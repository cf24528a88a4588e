//! The API end to end: the real server on a random port, against SQLite
//! and PostgreSQL, driven over HTTP.

use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::fresh_stores;
use duban_store::{NewUser, Store, TaskFilter};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;

struct App {
    base: String,
    client: Client,
    tokens: HashMap<&'static str, String>,
    /// A task of campaign 1 led by 市人社局, and one of campaign 2.
    task1: String,
    task2: String,
    /// An open cycle of campaign 1, due in a week.
    cycle1: String,
}

impl App {
    async fn call(
        &self,
        who: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(w) = who {
            req = req.bearer_auth(&self.tokens[w]);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(rel),
    )
    .unwrap()
}

/// Imports the sample, adds one user per role, and serves on a random port.
async fn spawn(store: Store) -> App {
    let plan =
        duban_plan::parse(&fixture("sample/miluo-2025-qida-gongjian.txt"), "miluo.txt").unwrap();
    let region = store
        .ensure_region(
            &RegionName::parse("汨罗市").unwrap(),
            Some(&RegionName::parse("岳阳市").unwrap()),
            "test",
        )
        .await
        .unwrap();
    store
        .ensure_region(
            &RegionName::parse("平江县").unwrap(),
            Some(&RegionName::parse("岳阳市").unwrap()),
            "test",
        )
        .await
        .unwrap();
    store.import(&region, &plan, "test").await.unwrap();
    let users: [(&'static str, Role, Option<&str>, Option<u32>); 6] = [
        ("admin", Role::Admin, None, None),
        ("office1", Role::Office, None, Some(1)),
        ("office2", Role::Office, None, Some(2)),
        ("rsj", Role::Reporter, Some("市人社局"), None),
        ("fgj", Role::Reporter, Some("市发改局"), None),
        ("leader", Role::Leader, None, None),
    ];
    let mut tokens = HashMap::new();
    for (name, role, unit, campaign) in users {
        let new = NewUser {
            name: UserName::parse(name).unwrap(),
            role,
            unit: unit.map(str::to_string),
            campaign,
            password: None,
        };
        store.add_user(&region.id, new, "test").await.unwrap();
        tokens.insert(name, store.create_token(name, "test").await.unwrap().1);
    }
    let all = store
        .tasks(&region.id, &TaskFilter::default())
        .await
        .unwrap();
    let task1 = all
        .iter()
        .find(|t| t.plan == 1 && t.lead_units[0].name == "市人社局")
        .unwrap()
        .id
        .clone();
    let task2 = all.iter().find(|t| t.plan == 2).unwrap().id.clone();
    let today = duban_core::dates::Date::parse("1970-01-01")
        .unwrap()
        .add_days(
            (std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64
                + 8 * 3600)
                / 86_400,
        );
    let cycle1 = store
        .open_cycle(
            &region.id,
            1,
            today.add_days(-7),
            today.add_days(7),
            "regular",
            "test",
        )
        .await
        .unwrap()
        .id;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(duban_web::serve(listener, store, Default::default()));
    App {
        base,
        client: Client::new(),
        tokens,
        task1,
        task2,
        cycle1,
    }
}

const R: &str = "/api/v1/regions/%E6%B1%A8%E7%BD%97%E5%B8%82"; // 汨罗市

#[tokio::test]
async fn anonymous_callers_get_health_only() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let (s, v) = app.call(None, Method::GET, "/healthz", None).await;
        assert_eq!(
            (s, v["status"].as_str()),
            (StatusCode::OK, Some("ok")),
            "{backend}"
        );
        for route in duban_web::route_table()
            .iter()
            .filter(|r| r.path != "/healthz")
        {
            let path = route
                .path
                .replace("{region}", "汨罗市")
                .replace("{task}", &app.task1)
                .replace("{unit}", "市发改局")
                .replace("{cycle}", &app.cycle1)
                .replace("{plan}", "1")
                .replace("{id}", "x");
            let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
            let (s, v) = app
                .call(
                    None,
                    method,
                    &path,
                    (route.method != "get").then(|| json!({})),
                )
                .await;
            assert_eq!(
                s,
                StatusCode::UNAUTHORIZED,
                "{backend} {} {}",
                route.method,
                route.path
            );
            assert_eq!(v["error"]["code"], "unauthenticated");
        }
        let mut bad = app
            .client
            .get(format!("{}/api/v1/regions", app.base))
            .bearer_auth("dbn_not_a_token")
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
        bad = app
            .client
            .get(format!("{}/api/v1/regions", app.base))
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn every_documented_read_works_and_filters_apply() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let (s, doc) = app
            .call(Some("leader"), Method::GET, "/api/v1/openapi.json", None)
            .await;
        assert_eq!(s, StatusCode::OK);
        // A supervision visit with one rectification item, for their reads.
        let month = "2025-06";
        let (s, visit) = app
            .call(
                Some("admin"),
                Method::POST,
                &format!("{R}/visits"),
                Some(json!({ "plan": 1, "month": month, "title": "督导" })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {visit}");
        let visit = visit["id"].as_str().unwrap().to_string();
        let (s, _) = app
            .call(
                Some("admin"),
                Method::POST,
                &format!("{R}/visits/{visit}/record"),
                Some(json!({ "visited_on": "2025-06-10", "narrative": "情况" })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{backend}");
        let (s, item) = app
            .call(
                Some("admin"),
                Method::POST,
                &format!("{R}/visits/{visit}/findings"),
                Some(json!({ "problem": "问题", "requirement": "要求", "deadline": "2025-07-10", "lead_units": ["市人社局"] })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {item}");
        let item = item["id"].as_str().unwrap().to_string();
        for route in duban_web::route_table() {
            assert!(
                doc["paths"][&route.path][&route.method].is_object(),
                "{} missing from openapi",
                route.path
            );
            if route.method == "get" {
                let path = route
                    .path
                    .replace("{region}", "汨罗市")
                    .replace("{task}", &app.task1)
                    .replace("{cycle}", &app.cycle1)
                    .replace("{plan}", "1")
                    .replace("{unit}", "市人社局")
                    .replace("{visit}", &visit)
                    .replace("{item}", &item)
                    .replace("{month}", month);
                // The audit log and the publications are for admin and
                // offices; leaders read the rest.
                let who = if route.access == duban_web::Access::AdminOrOffice {
                    "office1"
                } else {
                    "leader"
                };
                let (s, _) = app.call(Some(who), Method::GET, &path, None).await;
                assert_eq!(s, StatusCode::OK, "{backend} GET {path}");
            }
        }
        let (_, plans) = app
            .call(Some("leader"), Method::GET, &format!("{R}/plans"), None)
            .await;
        assert_eq!(plans.as_array().unwrap().len(), 8);
        let (_, campaigns) = app
            .call(Some("leader"), Method::GET, &format!("{R}/campaigns"), None)
            .await;
        assert_eq!(campaigns.as_array().unwrap().len(), 7);
        let (_, lead) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!(
                    "{R}/tasks?unit=%E5%B8%82%E5%8F%91%E6%94%B9%E5%B1%80&role=lead&campaign=1"
                ),
                None,
            )
            .await;
        let lead = lead.as_array().unwrap();
        assert!(!lead.is_empty());
        assert!(
            lead.iter().all(|t| t["plan"] == 1
                && t["lead_units"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|u| u["name"] == "市发改局")),
            "{backend}"
        );
        let (s, v) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/tasks?role=boss"),
                None,
            )
            .await;
        // A bad query parameter is a 400, as documented for every read.
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        let (s, _) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/tasks?plan=abc"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, _) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/tasks/no-such-task"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app
            .call(
                Some("leader"),
                Method::GET,
                "/api/v1/regions/%E5%B9%B3%E6%B1%9F%E5%8E%BF/tasks",
                None,
            )
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{backend}: a 汨罗市 user reading 平江县"
        );
        let (s, _) = app
            .call(Some("leader"), Method::GET, "/api/v1/nothing", None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

/// Every role against every write endpoint.
#[tokio::test]
async fn roles_against_write_endpoints() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let item = |unit: &str| json!({ "unit": unit, "kind": "task", "title": "分解任务", "lead_person": "王五" });
        let writes: Vec<(&str, Method, String, Value)> = vec![
            (
                "create unit",
                Method::POST,
                format!("{R}/units"),
                json!({ "name": "测试单位", "kind": "department" }),
            ),
            (
                "add alias",
                Method::POST,
                format!("{R}/units/%E5%B8%82%E5%8F%91%E6%94%B9%E5%B1%80/aliases"),
                json!({ "alias": "发改局" }),
            ),
            (
                "list item, 市人社局, campaign 1",
                Method::POST,
                format!("{R}/tasks/{}/list-items", app.task1),
                item("市人社局"),
            ),
            (
                "list item, 市发改局, campaign 2",
                Method::POST,
                format!("{R}/tasks/{}/list-items", app.task2),
                item("市发改局"),
            ),
            (
                "correct assignment, campaign 1",
                Method::PUT,
                format!("{R}/tasks/{}/assignments", app.task1),
                json!({ "lead_units": ["市人社局"], "co_units": ["市财政局"] }),
            ),
        ];
        // Expected statuses, by hand from the rules: admin everything; an
        // office its campaign; a reporter its own unit's list items;
        // leaders nothing. 201 created / 200 ok / 403 forbidden.
        let ok = StatusCode::OK;
        let created = StatusCode::CREATED;
        let no = StatusCode::FORBIDDEN;
        let table: [(&str, [StatusCode; 5]); 6] = [
            ("admin", [created, created, created, created, ok]),
            ("office1", [no, no, created, no, ok]),
            ("office2", [no, no, no, created, no]),
            ("rsj", [no, no, created, no, no]),
            ("fgj", [no, no, no, created, no]),
            ("leader", [no, no, no, no, no]),
        ];
        for (who, expected) in table {
            for ((name, method, path, body), want) in writes.iter().zip(expected) {
                // Names must be fresh for the create endpoints to succeed.
                let body = match *name {
                    "create unit" => {
                        json!({ "name": format!("测试单位{who}"), "kind": "department" })
                    }
                    "add alias" => json!({ "alias": format!("发改局{who}") }),
                    _ => body.clone(),
                };
                let (s, v) = app.call(Some(who), method.clone(), path, Some(body)).await;
                assert_eq!(s, want, "{backend}: {who} → {name}: {v}");
                if s == no {
                    assert_eq!(v["error"]["code"], "forbidden");
                }
            }
        }
        // The writes that succeeded are in the audit log under their users.
        let (_, log) = app
            .call(
                Some("admin"),
                Method::GET,
                &format!("{R}/audit?limit=200"),
                None,
            )
            .await;
        let actors: Vec<&str> = log
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["actor"].as_str())
            .collect();
        for who in ["admin", "office1", "office2", "rsj", "fgj"] {
            assert!(actors.contains(&who), "{backend}: {who} missing from audit");
        }
        assert!(!actors.contains(&"leader"));
    }
}

#[tokio::test]
async fn bad_requests_are_4xx_never_500() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let url = format!("{}{R}/tasks/{}/list-items", app.base, app.task1);
        let post = |body: String, ctype: &'static str| {
            app.client
                .post(&url)
                .bearer_auth(&app.tokens["admin"])
                .header("content-type", ctype)
                .body(body)
                .send()
        };
        let cases: Vec<(&str, String, &str, StatusCode)> = vec![
            ("malformed", "{\"unit\": ".into(), "application/json", StatusCode::BAD_REQUEST),
            ("not json", "unit=市人社局".into(), "application/x-www-form-urlencoded", StatusCode::UNSUPPORTED_MEDIA_TYPE),
            ("unknown field", json!({ "unit": "市人社局", "kind": "task", "title": "t", "lead_person": "p", "evil": 1 }).to_string(), "application/json", StatusCode::UNPROCESSABLE_ENTITY),
            ("bad enum", json!({ "unit": "市人社局", "kind": "wish", "title": "t", "lead_person": "p" }).to_string(), "application/json", StatusCode::UNPROCESSABLE_ENTITY),
            ("bad number", json!({ "unit": "市人社局", "kind": "project", "title": "t", "lead_person": "p", "physical_progress": 150 }).to_string(), "application/json", StatusCode::UNPROCESSABLE_ENTITY),
            ("empty title", json!({ "unit": "市人社局", "kind": "task", "title": " ", "lead_person": "p" }).to_string(), "application/json", StatusCode::UNPROCESSABLE_ENTITY),
            ("unknown unit", json!({ "unit": "不存在局", "kind": "task", "title": "t", "lead_person": "p" }).to_string(), "application/json", StatusCode::NOT_FOUND),
            ("oversize", format!("{{\"title\": \"{}\"}}", "长".repeat(duban_web::MAX_BODY_BYTES)), "application/json", StatusCode::PAYLOAD_TOO_LARGE),
        ];
        for (name, body, ctype, want) in cases {
            let resp = post(body, ctype).await.unwrap();
            let status = resp.status();
            let v: Value = resp.json().await.unwrap_or(Value::Null);
            assert_eq!(status, want, "{backend} {name}: {v}");
            assert!(
                v["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(" / ") || m.contains("/")),
                "{backend} {name}: {v}"
            );
        }
        let (s, _) = app
            .call(
                Some("admin"),
                Method::POST,
                &format!("{R}/units"),
                Some(json!({ "name": "市发改局", "kind": "department" })),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend}: duplicate unit");
        let (s, _) = app
            .call(
                Some("admin"),
                Method::POST,
                &format!("{R}/units"),
                Some(json!({ "name": "新单位", "kind": "club" })),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _) = app
            .call(
                Some("admin"),
                Method::PUT,
                &format!("{R}/tasks/{}/assignments", app.task1),
                Some(json!({ "lead_units": [] })),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

fn report(version: i64, completion: f64, submit: bool) -> Value {
    json!({ "version": version, "status": "in_progress", "completion": completion, "progress": "推进中", "submit": submit,
            "coordination": [{ "to": "市财政局", "text": "请协调资金" }] })
}

/// A full cycle over HTTP: office opens, lead and co-unit report, office
/// returns, lead resubmits, office accepts and closes; plus a late report,
/// a concurrent-edit 409 and a reporter writing another unit's report 403.
#[tokio::test]
async fn dispatch_cycle_over_http() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let c = &app.cycle1;
        let t = &app.task1;
        let rsj = format!("{R}/cycles/{c}/reports/{t}/%E5%B8%82%E4%BA%BA%E7%A4%BE%E5%B1%80"); // 市人社局
        let fgj = format!("{R}/cycles/{c}/reports/{t}/%E5%B8%82%E5%8F%91%E6%94%B9%E5%B1%80"); // 市发改局 (co-unit)
                                                                                              // What 市人社局 owes now.
        let (s, due) = app
            .call(
                Some("rsj"),
                Method::GET,
                &format!("{R}/cycles/{c}/due"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            due.as_array()
                .unwrap()
                .iter()
                .any(|d| d["task_id"] == t.as_str() && d["role"] == "lead"),
            "{backend}: {due}"
        );
        // Reporter of another unit: 403.
        let (s, _) = app
            .call(Some("fgj"), Method::PUT, &rsj, Some(report(0, 10.0, true)))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{backend}");
        let (s, v1) = app
            .call(Some("rsj"), Method::PUT, &rsj, Some(report(0, 30.0, true)))
            .await;
        assert_eq!(
            (s, v1["version"].as_i64(), v1["late"].as_bool()),
            (StatusCode::OK, Some(1), Some(false)),
            "{backend}: {v1}"
        );
        let (s, _) = app
            .call(Some("fgj"), Method::PUT, &fgj, Some(report(0, 30.0, true)))
            .await;
        assert_eq!(s, StatusCode::OK, "{backend}: co-unit reports");
        // Concurrent edit: two editors start from version 1; the second gets 409.
        let (s, _) = app
            .call(Some("rsj"), Method::PUT, &rsj, Some(report(1, 35.0, false)))
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, conflict) = app
            .call(Some("rsj"), Method::PUT, &rsj, Some(report(1, 40.0, true)))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend}: {conflict}");
        assert!(conflict["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已被他人修改"));
        let (s, v3) = app
            .call(Some("rsj"), Method::PUT, &rsj, Some(report(2, 40.0, true)))
            .await;
        assert_eq!((s, v3["version"].as_i64()), (StatusCode::OK, Some(3)));
        // Review: a reporter may not; the campaign's office returns, then accepts.
        let (s, _) = app
            .call(
                Some("rsj"),
                Method::POST,
                &format!("{rsj}/review"),
                Some(json!({ "accept": true, "version": 3 })),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call(
                Some("office2"),
                Method::POST,
                &format!("{rsj}/review"),
                Some(json!({ "accept": true, "version": 3 })),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{backend}: another campaign's office"
        );
        let (s, back) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!("{rsj}/review"),
                Some(json!({ "accept": false, "comment": "请补充数据", "version": 3 })),
            )
            .await;
        assert_eq!(
            (s, back["state"].as_str()),
            (StatusCode::OK, Some("returned")),
            "{backend}: {back}"
        );
        let (_, v5) = app
            .call(Some("rsj"), Method::PUT, &rsj, Some(report(4, 45.0, true)))
            .await;
        let (s, ok) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!("{rsj}/review"),
                Some(json!({ "accept": true, "version": v5["version"] })),
            )
            .await;
        assert_eq!(
            (s, ok["state"].as_str(), ok["completion"].as_f64()),
            (StatusCode::OK, Some("accepted"), Some(45.0))
        );
        let (_, history) = app.call(Some("rsj"), Method::GET, &rsj, None).await;
        assert_eq!(
            history.as_array().unwrap().len(),
            6,
            "{backend}: every version kept"
        );
        // Others never see the unit's drafts (one of the six).
        let (_, history) = app.call(Some("leader"), Method::GET, &rsj, None).await;
        assert_eq!(
            history.as_array().unwrap().len(),
            5,
            "{backend}: drafts are the unit's own"
        );
        // Coordination requests are tracked with who owes the answer.
        let (_, open) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/coordination-requests?status=open"),
                None,
            )
            .await;
        let first = &open.as_array().unwrap()[0];
        assert_eq!(first["addressed_to"], "市财政局");
        let (s, done) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!(
                    "{R}/coordination-requests/{}/resolve",
                    first["id"].as_str().unwrap()
                ),
                Some(json!({ "answer": "已安排" })),
            )
            .await;
        assert_eq!(
            (s, done["status"].as_str()),
            (StatusCode::OK, Some("resolved"))
        );
        // A late report: a cycle whose due date has passed.
        let (s, late_cycle) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!("{R}/cycles"),
                Some(json!({ "plan": 1, "opens_on": "2025-03-03", "due_on": "2025-03-14" })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {late_cycle}");
        let lc = late_cycle["id"].as_str().unwrap();
        let (s, late) = app
            .call(
                Some("rsj"),
                Method::PUT,
                &format!("{R}/cycles/{lc}/reports/{t}/%E5%B8%82%E4%BA%BA%E7%A4%BE%E5%B1%80"),
                Some(report(0, 10.0, true)),
            )
            .await;
        assert_eq!(
            (s, late["late"].as_bool()),
            (StatusCode::OK, Some(true)),
            "{backend}: late reports are accepted and marked"
        );
        // Evaluation and close.
        let (s, eval) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/cycles/{c}/evaluation"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            eval["metrics"]["actual"], 2,
            "{backend}: {}",
            eval["metrics"]
        );
        assert!(
            eval["thresholds"]["red_gap"].as_f64().is_some(),
            "thresholds travel with the colours"
        );
        let (s, _) = app
            .call(
                Some("office2"),
                Method::POST,
                &format!("{R}/cycles/{c}/close"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, closed) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!("{R}/cycles/{c}/close"),
                None,
            )
            .await;
        assert_eq!(
            (s, closed["cycle"]["status"].as_str()),
            (StatusCode::OK, Some("closed"))
        );
        let (s, _) = app
            .call(Some("rsj"), Method::PUT, &rsj, Some(report(6, 50.0, true)))
            .await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "{backend}: a closed cycle is locked"
        );
        // Holidays move due dates earlier when cycles are scheduled (admin only).
        let (s, _) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!("{R}/holidays"),
                Some(json!({ "day": "2026-10-01", "name": "国庆节" })),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call(
                Some("admin"),
                Method::POST,
                &format!("{R}/holidays"),
                Some(json!({ "day": "2026-10-02", "name": "国庆节" })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}");
        let (s, scheduled) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!("{R}/cycles/schedule"),
                Some(json!({ "plan": 1, "from": "2026-09-21", "to": "2026-10-04" })),
            )
            .await;
        assert_eq!(
            (s, scheduled[0]["due_on"].as_str()),
            (StatusCode::CREATED, Some("2026-10-01")),
            "{backend}: {scheduled}"
        );
        // The lead sees the co-unit's report next to its own.
        let (s, view) = app
            .call(
                Some("rsj"),
                Method::GET,
                &format!("{R}/cycles/{c}/tasks/{t}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            (
                view["lead"].as_array().unwrap().len(),
                view["co"][0]["unit"].as_str()
            ),
            (1, Some("市发改局")),
            "{backend}: {view}"
        );
        // Light thresholds are per campaign, set by its office, shown with the colours.
        let settings = json!({ "cadence": "weekly", "thresholds": { "red_gap": 30.0, "due_soon_days": 10, "due_soon_min_completion": 70.0, "about_tolerance": 0.1 } });
        let (s, _) = app
            .call(
                Some("office2"),
                Method::PUT,
                &format!("{R}/plans/1/settings"),
                Some(settings.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call(
                Some("office1"),
                Method::PUT,
                &format!("{R}/plans/1/settings"),
                Some(json!({ "cadence": "daily", "thresholds": settings["thresholds"] })),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _) = app
            .call(
                Some("office1"),
                Method::PUT,
                &format!("{R}/plans/1/settings"),
                Some(settings),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{backend}");
        let (_, eval) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/cycles/{c}/evaluation"),
                None,
            )
            .await;
        assert_eq!(eval["thresholds"]["red_gap"], 30.0, "{backend}");
        // The region summary shows campaign 1's latest opened cycle.
        let (s, summary) = app
            .call(Some("leader"), Method::GET, &format!("{R}/summary"), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let first = &summary["campaigns"][0];
        assert_eq!(
            (first["plan"].as_i64(), first["cycle_id"].as_str()),
            (Some(1), Some(c.as_str())),
            "{backend}: {summary}"
        );
        assert!(summary["metrics"]["expected"].as_u64().unwrap() > 0);
    }
}

#[tokio::test]
async fn batch_reports_are_all_or_nothing() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let c = &app.cycle1;
        let (_, due) = app
            .call(
                Some("rsj"),
                Method::GET,
                &format!("{R}/cycles/{c}/due"),
                None,
            )
            .await;
        let items: Vec<Value> = due
            .as_array()
            .unwrap()
            .iter()
            .map(|d| json!({ "task_id": d["task_id"], "unit": "市人社局", "report": report(0, 50.0, true) }))
            .collect();
        assert!(items.len() >= 2, "{backend}: {}", items.len());
        // One bad item (another unit's task) refuses the whole batch.
        let mut bad = items.clone();
        bad.push(
            json!({ "task_id": app.task2, "unit": "市人社局", "report": report(0, 50.0, true) }),
        );
        let (s, _) = app
            .call(
                Some("rsj"),
                Method::POST,
                &format!("{R}/cycles/{c}/reports"),
                Some(Value::Array(bad)),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{backend}");
        let (_, none) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/cycles/{c}/reports"),
                None,
            )
            .await;
        assert!(
            none.as_array().unwrap().is_empty(),
            "{backend}: nothing saved from a refused batch"
        );
        let (s, saved) = app
            .call(
                Some("rsj"),
                Method::POST,
                &format!("{R}/cycles/{c}/reports"),
                Some(Value::Array(items.clone())),
            )
            .await;
        assert_eq!(
            (s, saved.as_array().map(Vec::len)),
            (StatusCode::OK, Some(items.len())),
            "{backend}: {saved}"
        );
        // A reporter cannot batch another unit's reports.
        let other = vec![
            json!({ "task_id": app.task1, "unit": "市发改局", "report": report(0, 50.0, true) }),
        ];
        let (s, _) = app
            .call(
                Some("rsj"),
                Method::POST,
                &format!("{R}/cycles/{c}/reports"),
                Some(Value::Array(other)),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call(
                Some("rsj"),
                Method::POST,
                &format!("{R}/cycles/{c}/reports"),
                Some(json!([])),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn indicator_owners_over_http() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let (_, targets) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/targets?plan=1"),
                None,
            )
            .await;
        let goal = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["task_id"].is_null())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let owner = json!({ "unit": "市人社局" });
        let (s, _) = app
            .call(
                Some("office2"),
                Method::PUT,
                &format!("{R}/targets/{goal}/owner"),
                Some(owner.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{backend}");
        let (s, set) = app
            .call(
                Some("office1"),
                Method::PUT,
                &format!("{R}/targets/{goal}/owner"),
                Some(owner),
            )
            .await;
        assert_eq!(
            (s, set["owner"].as_str()),
            (StatusCode::OK, Some("市人社局"))
        );
        let c = &app.cycle1;
        let (_, owed) = app
            .call(
                Some("rsj"),
                Method::GET,
                &format!("{R}/cycles/{c}/indicators"),
                None,
            )
            .await;
        assert_eq!(owed.as_array().unwrap().len(), 1);
        let value = json!({ "version": 0, "value": 9.1, "submit": true });
        let (s, _) = app
            .call(
                Some("fgj"),
                Method::PUT,
                &format!("{R}/cycles/{c}/indicators/{goal}"),
                Some(value.clone()),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{backend}: only the owner reports"
        );
        let (s, saved) = app
            .call(
                Some("rsj"),
                Method::PUT,
                &format!("{R}/cycles/{c}/indicators/{goal}"),
                Some(value.clone()),
            )
            .await;
        assert_eq!(
            (s, saved["version"].as_i64()),
            (StatusCode::OK, Some(1)),
            "{backend}: {saved}"
        );
        let (s, _) = app
            .call(
                Some("rsj"),
                Method::PUT,
                &format!("{R}/cycles/{c}/indicators/{goal}"),
                Some(value),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, eval) = app
            .call(
                Some("leader"),
                Method::GET,
                &format!("{R}/cycles/{c}/evaluation"),
                None,
            )
            .await;
        assert_eq!(eval["indicators"][0]["current"], 9.1, "{backend}");
    }
}
