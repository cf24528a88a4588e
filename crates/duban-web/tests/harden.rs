//! Regression tests for issue 7 ("trustworthy by construction"), API side:
//! each failed before its fix. Every test runs on SQLite and PostgreSQL.

mod common;

use common::{spawn, today, App, R};
use duban_store::testing::fresh_stores;
use duban_store::{CoordinationInput, ReportInput};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn report(submit: bool, coordination: Vec<CoordinationInput>) -> ReportInput {
    ReportInput {
        version: 0,
        status: "in_progress".into(),
        completion: 40.0,
        current_value: None,
        progress: "推进中".into(),
        problems: String::new(),
        next_steps: String::new(),
        coordination,
        attachments: vec![],
        submit,
    }
}

/// Saves a report with one coordination request on `task`'s lead unit, in
/// `cycle`, and returns the request's id.
async fn ask(app: &App, cycle: &str, task: &str) -> String {
    let lead = app.task(task).lead_units[0].id.clone();
    let saved = app
        .store
        .save_report(
            &app.region_id,
            cycle,
            task,
            &lead,
            &report(
                true,
                vec![CoordinationInput {
                    to: "市财政局".into(),
                    text: "请协调资金".into(),
                }],
            ),
            "test",
            today(),
        )
        .await
        .expect("report saved");
    app.store
        .coordination_requests(&app.region_id, Some("open"))
        .await
        .expect("requests")
        .into_iter()
        .find(|c| c.task_id == saved.task_id)
        .expect("the request")
        .id
}

/// Item 1: an office resolved another campaign's coordination request,
/// because the check used the caller's campaign instead of the request's.
#[tokio::test]
async fn an_office_resolves_only_its_own_campaigns_requests() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let id = ask(&app, &app.cycle2, &app.task2).await;
        let url = format!("{R}/coordination-requests/{id}/resolve");
        let answer = json!({ "answer": "已协调" });
        for who in ["office1", "rsj", "leader"] {
            let (s, v) = app
                .call(Some(who), Method::POST, &url, Some(answer.clone()))
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{backend} {who}: {v}");
            assert_eq!(v["error"]["code"], "forbidden");
        }
        let (_, audit) = app.get("admin", &format!("{R}/audit?entity_id={id}")).await;
        assert_eq!(
            audit.as_array().map(Vec::len),
            Some(0),
            "{backend}: {audit}"
        );
        let (s, v) = app
            .call(Some("office2"), Method::POST, &url, Some(answer.clone()))
            .await;
        assert_eq!(
            (s, v["status"].as_str()),
            (StatusCode::OK, Some("resolved")),
            "{backend}: {v}"
        );
        let (s, _) = app
            .call(
                Some("office1"),
                Method::POST,
                &format!("{R}/coordination-requests/nope/resolve"),
                Some(answer),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{backend}");
    }
}

/// Item 1: a reporter added list items under a task its unit is not
/// assigned to (201).
#[tokio::test]
async fn list_items_only_under_tasks_the_unit_is_assigned_to() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let unassigned = app
            .tasks
            .iter()
            .find(|t| {
                t.plan == 1
                    && !t
                        .lead_units
                        .iter()
                        .chain(&t.co_units)
                        .any(|u| u.name == "市人社局" || u.kind == "group")
            })
            .expect("a task without 市人社局");
        let item = json!({ "unit": "市人社局", "kind": "task", "title": "分解任务", "lead_person": "王五" });
        for who in ["rsj", "office1", "admin"] {
            let (s, v) = app
                .call(
                    Some(who),
                    Method::POST,
                    &format!("{R}/tasks/{}/list-items", unassigned.id),
                    Some(item.clone()),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend} {who}: {v}");
        }
        let (s, v) = app
            .call(
                Some("rsj"),
                Method::POST,
                &format!("{R}/tasks/{}/list-items", app.task1),
                Some(item),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {v}");
    }
}

/// Saves `unit`'s report on `task` in cycle 1 as `submit` says.
async fn save(app: &App, task: &str, unit: &str, submit: bool) {
    app.store
        .save_report(
            &app.region_id,
            &app.cycle1,
            task,
            unit,
            &report(submit, vec![]),
            "test",
            today(),
        )
        .await
        .expect("report saved");
}

/// Item 6: a reporter read every unit's reports, drafts included. Now a
/// reporter sees its own unit's reports and its co-units' on tasks it
/// leads; drafts only their unit.
#[tokio::test]
async fn reports_are_read_on_a_need_to_know_basis() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let t1 = app.task(&app.task1).clone();
        let co: Vec<&str> = t1
            .co_units
            .iter()
            .filter(|u| u.kind != "group" && u.name != "市人社局")
            .map(|u| u.name.as_str())
            .collect();
        assert!(co.len() >= 2, "{backend}: task1 needs two co-units");
        // Elsewhere: a campaign-1 task 市人社局 has nothing to do with.
        let other = app
            .tasks
            .iter()
            .find(|t| {
                t.plan == 1
                    && t.lead_units[0].kind != "group"
                    && !t
                        .lead_units
                        .iter()
                        .chain(&t.co_units)
                        .any(|u| u.name == "市人社局" || u.kind == "group")
            })
            .expect("another task")
            .clone();
        save(&app, &t1.id, "市人社局", false).await; // rsj's own draft
        save(&app, &t1.id, co[0], true).await; // a co-unit's submitted report
        save(&app, &t1.id, co[1], false).await; // a co-unit's draft
        save(&app, &other.id, &other.lead_units[0].name, true).await;

        let url = format!("{R}/cycles/{}/reports", app.cycle1);
        let seen = |v: &serde_json::Value| -> Vec<(String, String)> {
            let mut out: Vec<(String, String)> = v
                .as_array()
                .expect("array")
                .iter()
                .map(|r| {
                    (
                        r["unit"].as_str().unwrap_or("").to_string(),
                        r["state"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            out.sort();
            out
        };
        let pair = |u: &str, s: &str| (u.to_string(), s.to_string());
        let (s, v) = app.get("rsj", &url).await;
        assert_eq!(s, StatusCode::OK, "{backend}");
        let mut want = vec![pair("市人社局", "draft"), pair(co[0], "submitted")];
        want.sort();
        assert_eq!(seen(&v), want, "{backend}: the lead's view");
        for who in ["admin", "office1", "leader"] {
            let (_, v) = app.get(who, &url).await;
            let mut want = vec![
                pair(co[0], "submitted"),
                pair(&other.lead_units[0].name, "submitted"),
            ];
            want.sort();
            assert_eq!(seen(&v), want, "{backend} {who}: no drafts");
        }
        // The consolidated view and one unit's history obey the same rule.
        let (_, v) = app
            .get(
                "admin",
                &format!("{R}/cycles/{}/tasks/{}", app.cycle1, t1.id),
            )
            .await;
        assert_eq!(
            v["lead"].as_array().map(Vec::len),
            Some(0),
            "{backend}: {v}"
        );
        let (_, v) = app
            .get(
                "rsj",
                &format!(
                    "{R}/cycles/{}/reports/{}/{}",
                    app.cycle1, other.id, other.lead_units[0].name
                ),
            )
            .await;
        assert_eq!(v.as_array().map(Vec::len), Some(0), "{backend}: {v}");
        let (_, v) = app
            .get(
                "rsj",
                &format!("{R}/cycles/{}/reports/{}/市人社局", app.cycle1, t1.id),
            )
            .await;
        assert_eq!(
            v.as_array().map(Vec::len),
            Some(1),
            "{backend}: own draft history"
        );
        // Pages are capped.
        let (s, v) = app.get("admin", &format!("{url}?limit=1")).await;
        assert_eq!(
            (s, v.as_array().map(Vec::len)),
            (StatusCode::OK, Some(1)),
            "{backend}"
        );
        let (s, v) = app.get("admin", &format!("{url}?limit=100000")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{backend}: {v}");
        assert_eq!(v["error"]["code"], "bad_request");
    }
}

/// Item 6: a reporter read the whole audit log, with any `limit`.
#[tokio::test]
async fn the_audit_log_is_for_admin_and_offices_a_page_at_a_time() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        for (who, want) in [
            ("admin", StatusCode::OK),
            ("office1", StatusCode::OK),
            ("rsj", StatusCode::FORBIDDEN),
            ("leader", StatusCode::FORBIDDEN),
        ] {
            let (s, v) = app.get(who, &format!("{R}/audit?limit=5")).await;
            assert_eq!(s, want, "{backend} {who}: {v}");
        }
        let (_, v) = app.get("admin", &format!("{R}/audit?limit=5")).await;
        assert_eq!(v.as_array().map(Vec::len), Some(5), "{backend}");
        for limit in ["0", "501", "1000000"] {
            let (s, v) = app.get("admin", &format!("{R}/audit?limit={limit}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{backend} limit={limit}: {v}");
        }
        for url in ["coordination-requests", "notifications", "reminders"] {
            let (s, _) = app.get("admin", &format!("{R}/{url}?limit=501")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{backend} {url}");
        }
    }
}

/// `?due_from=2025-02-30` answered 200 (an unfiltered list).
#[tokio::test]
async fn impossible_dates_in_task_filters_are_400() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        for q in [
            "due_from=2025-02-30",
            "due_to=2025-13-01",
            "due_from=tomorrow",
        ] {
            let (s, v) = app.get("leader", &format!("{R}/tasks?{q}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{backend} {q}: {v}");
            assert_eq!(v["error"]["code"], "bad_request");
        }
        let (s, _) = app
            .get("leader", &format!("{R}/tasks?due_from=2025-02-28"))
            .await;
        assert_eq!(s, StatusCode::OK, "{backend}");
    }
}

/// Item 7: no security headers; 405s and path errors in plain text.
#[tokio::test]
async fn responses_carry_security_headers_and_json_errors() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        for (who, path) in [
            (Some("admin"), format!("{R}/plans")),
            (None, "/healthz".to_string()),
        ] {
            let mut req = app.client.get(format!("{}{path}", app.base));
            if let Some(w) = who {
                req = req.bearer_auth(&app.tokens[w]);
            }
            let resp = req.send().await.expect("response");
            assert_eq!(resp.status(), StatusCode::OK, "{backend} {path}");
            let h = resp.headers();
            for (name, want) in [
                ("x-content-type-options", "nosniff"),
                ("cache-control", "no-store"),
                ("referrer-policy", "no-referrer"),
                ("x-frame-options", "DENY"),
            ] {
                assert_eq!(
                    h.get(name).and_then(|v| v.to_str().ok()),
                    Some(want),
                    "{backend} {path} {name}"
                );
            }
            let csp = h
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert!(csp.contains("frame-ancestors 'none'"), "{backend}: {csp}");
        }
        // A method the route does not have: 405, JSON, with Allow.
        let resp = app
            .client
            .delete(format!("{}{R}/plans", app.base))
            .bearer_auth(&app.tokens["admin"])
            .send()
            .await
            .expect("response");
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED, "{backend}");
        assert!(resp.headers().get("allow").is_some(), "{backend}: Allow");
        let v: serde_json::Value = resp.json().await.expect("JSON 405");
        assert_eq!(v["error"]["code"], "method_not_allowed", "{backend}");
        // A path segment that is not UTF-8: 400, JSON.
        let (s, v) = app
            .call(
                Some("admin"),
                Method::GET,
                "/api/v1/regions/%FF%FE/plans",
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{backend}: {v}");
        assert_eq!(v["error"]["code"], "bad_request", "{backend}: {v}");
    }
}

/// Item 7: 500 half-open connections stayed open 70 s (and about 20,000
/// exhausted the server's descriptors). Now idle connections are closed
/// after the header-read timeout, and normal requests answer promptly
/// while they hang.
#[tokio::test]
async fn slow_clients_neither_block_others_nor_stay_forever() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (backend, store) = fresh_stores().await.remove(0);
    let app = spawn(store).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut idle = Vec::new();
    for i in 0..400 {
        let mut s = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        if i % 2 == 0 {
            // Half a request head, never finished (slowloris).
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .await
                .expect("write");
        }
        idle.push(s);
    }
    // Normal requests are answered beside them (no clock is asserted: a
    // server blocked by idle connections would never answer at all).
    for _ in 0..20 {
        let (s, _) = app.get("admin", &format!("{R}/plans")).await;
        assert_eq!(s, StatusCode::OK, "{backend}");
    }
    // After the header-read timeout the server has hung up on every one.
    tokio::time::sleep(std::time::Duration::from_secs(12)).await;
    for (i, s) in idle.iter_mut().enumerate() {
        let mut buf = [0u8; 512];
        let read = tokio::time::timeout(std::time::Duration::from_secs(2), s.read(&mut buf)).await;
        // EOF, a reset, or a 408 before EOF: anything but waiting.
        assert!(read.is_ok(), "{backend}: connection {i} still open");
    }
}

/// Item 3: the OpenAPI document listed 14 paths and none of the dispatch
/// routes. Now it is generated from the handlers, through the same route
/// table the router is built from: its operations equal the router's.
#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes() {
    let (backend, store) = fresh_stores().await.remove(0);
    let app = spawn(store).await;
    let (s, doc) = app.get("leader", "/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK, "{backend}");
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            documented.insert((method.clone(), path.clone()));
            let responses = op["responses"].as_object().expect("responses");
            if path != "/healthz" {
                assert!(op["security"].is_array(), "{method} {path}: security");
                for status in ["401", "403", "404"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
            }
            if let Some(body) = op.get("requestBody") {
                let content = body["content"].as_object().expect("content");
                assert_eq!(
                    content.keys().collect::<Vec<_>>(),
                    ["application/json"],
                    "{method} {path}: JSON only"
                );
                for status in ["409", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
            }
        }
    }
    let table: std::collections::BTreeSet<(String, String)> = duban_web::route_table()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(documented, table);
    // The dispatch routes the old document left out are all there.
    for path in [
        "/cycles",
        "/cycles/{cycle}/reports/{task}/{unit}",
        "/cycles/{cycle}/evaluation",
        "/summary",
        "/coordination-requests",
        "/reminders",
        "/cycles/{cycle}/indicators",
        "/plans/{plan}/settings",
        "/holidays",
    ] {
        let full = format!("/api/v1/regions/{{region}}{path}");
        assert!(doc["paths"][&full].is_object(), "{full}");
    }
    // And the router answers every route in the table (no 404 "no such
    // endpoint", no 405), signed in as admin.
    for (method, path) in &table {
        let url = path
            .replace("{region}", "汨罗市")
            .replace("{task}", &app.task1)
            .replace("{cycle}", &app.cycle1)
            .replace("{unit}", "市人社局")
            .replace("{plan}", "1")
            .replace("{target}", "x")
            .replace("{id}", "x");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let body = (method != "get").then(|| json!({}));
        let (s, v) = app.call(Some("admin"), m, &url, body).await;
        assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(
            !(s == StatusCode::NOT_FOUND
                && v["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("No such endpoint"))),
            "{method} {path}: not routed"
        );
    }
}

/// The list-item body schema is written by hand (its rule is conditional);
/// a typo in it would silently leave an empty schema, so check its shape.
#[test]
fn the_list_item_schema_states_its_conditional_rule() {
    let doc = serde_json::to_value(duban_web::openapi_document()).expect("JSON");
    let one_of = doc["components"]["schemas"]["NewListItem"]["oneOf"]
        .as_array()
        .expect("oneOf");
    assert_eq!(one_of.len(), 2);
    assert!(one_of[0]["properties"]["planned_investment"].is_object());
    assert!(one_of[1]["properties"]["planned_investment"].is_null());
    assert_eq!(
        one_of[1]["properties"]["kind"]["enum"],
        json!(["task", "policy"])
    );
}

/// A refusal that comes before the handler reads the body (an unknown
/// region; a body over the API's limit) reaches the client as the
/// documented JSON error, for bodies up to 1 MiB, which the server reads
/// before answering (`src/drain.rs`). `tests/fuzz.rs` failed now and then
/// on a loaded machine with the connection closed under the client; this
/// test states the behaviour, though on a quiet machine it passed without
/// the fix too (the race needs the load).
#[tokio::test]
async fn early_refusals_of_large_bodies_reach_the_client() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let big = json!({ "cadence": "x".repeat(1_000_000) });
        let small = json!({ "cadence": "x".repeat(70_000) });
        for round in 0..20 {
            for (path, body, status, code) in [
                (
                    "/api/v1/regions/不存在/plans/1/settings",
                    &small,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                ),
                (
                    "/api/v1/regions/不存在/plans/1/settings",
                    &big,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                ),
                (
                    &format!("{R}/plans/1/settings") as &str,
                    &big,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                ),
            ] {
                let resp = app
                    .client
                    .put(format!("{}{path}", app.base))
                    .bearer_auth(&app.tokens["admin"])
                    .json(body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{backend} round {round} {path}: {e}"));
                assert_eq!(resp.status(), status, "{backend} {path}");
                let v: serde_json::Value = resp.json().await.expect("json error");
                assert_eq!(v["error"]["code"], code, "{backend} {path}");
            }
        }
    }
}
