//! 一月一督导 over the API, on SQLite and PostgreSQL: plan a visit, record
//! it, turn findings into rectification items, the unit reports evidence,
//! the office returns once and then closes; an overdue item turns red and
//! queues reminders; a listed item closes only by an admin; a unit never
//! sees another unit's items; everything lands in the audit log.

mod common;

use common::{spawn, today, App, R};
use duban_core::supervision::Month;
use duban_store::testing::fresh_stores;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(app: &App, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.call(Some(who), Method::POST, &format!("{R}{path}"), Some(body))
        .await
}

async fn get(app: &App, who: &str, path: &str) -> (StatusCode, Value) {
    app.get(who, &format!("{R}{path}")).await
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_whole_loop_on_both_engines() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let day = |d: i64| today().add_days(d).to_string();
        let month = Month::of(today()).to_string();

        // Plan: the office of campaign 1 only.
        let plan = json!({ "plan": 1, "month": month, "title": "六月实地督导",
            "team_users": ["office1"], "team_names": ["张督导"],
            "tasks": [app.task1], "units": ["市人社局"] });
        for who in ["rsj", "office2", "leader"] {
            let (s, v) = post(&app, who, "/visits", plan.clone()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{backend}: {who} plans: {v}");
        }
        let (s, visit) = post(&app, "office1", "/visits", plan.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {visit}");
        assert_eq!(visit["state"], "planned");
        assert_eq!(visit["tasks"][0]["id"], app.task1.as_str());
        assert_eq!(visit["units"][0]["name"], "市人社局");
        let vid = visit["id"].as_str().unwrap().to_string();
        // A task of another campaign is refused.
        let mut wrong = plan.clone();
        wrong["tasks"] = json!([app.task2]);
        let (s, v) = post(&app, "office1", "/visits", wrong).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {v}");

        // No findings before the visit is recorded.
        let finding = |lead: &str, deadline: String| {
            json!({ "problem": format!("{lead}台账不全"), "requirement": "补齐台账并建立月报制度",
                    "deadline": deadline, "lead_units": [lead], "co_units": ["市财政局"], "task": app.task1 })
        };
        let (s, v) = post(
            &app,
            "office1",
            &format!("/visits/{vid}/findings"),
            finding("市人社局", day(20)),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend}: {v}");
        let (s, v) = post(
            &app,
            "office1",
            &format!("/visits/{vid}/record"),
            json!({ "visited_on": day(-30), "narrative": "现场查看了项目进度，发现两处问题。" }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        assert_eq!(v["state"], "done");
        assert_eq!(v["visited_on"], day(-30));

        // Findings → items: one due in 20 days, one already past due.
        let (s, a) = post(
            &app,
            "office1",
            &format!("/visits/{vid}/findings"),
            finding("市人社局", day(20)),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {a}");
        assert_eq!(a["state"], "open");
        assert_eq!(a["light"], "green");
        assert_eq!(a["overdue"], false);
        assert_eq!(a["co_units"][0]["name"], "市财政局");
        let (s, b) = post(
            &app,
            "office1",
            &format!("/visits/{vid}/findings"),
            finding("市发改局", day(-5)),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {b}");
        assert_eq!(b["light"], "red", "{backend}: past its deadline");
        assert_eq!(b["overdue"], true);
        let (aid, bid) = (
            a["id"].as_str().unwrap().to_string(),
            b["id"].as_str().unwrap().to_string(),
        );
        // A deadline before the visit is refused.
        let (s, _) = post(
            &app,
            "office1",
            &format!("/visits/{vid}/findings"),
            finding("市人社局", day(-40)),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");

        // A unit sees its own items only.
        let (s, mine) = get(&app, "rsj", "/rectifications").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(ids(&mine), vec![aid.clone()], "{backend}: rsj's items");
        let (s, _) = get(&app, "rsj", &format!("/rectifications/{bid}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{backend}: rsj reads fgj's item");
        let (s, _) = get(&app, "fgj", &format!("/rectifications/{aid}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{backend}: fgj reads rsj's item");
        let (s, v) = get(&app, "rsj", &format!("/visits/{vid}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(ids(&v["items"]), vec![aid.clone()], "{backend}: visit view");
        let (_, all) = get(&app, "leader", "/rectifications").await;
        assert_eq!(ids(&all).len(), 2, "{backend}: the leader sees both");
        let (s, _) = post(
            &app,
            "rsj",
            &format!("/rectifications/{bid}/progress"),
            json!({ "version": 1, "text": "越权" }),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{backend}: rsj reports on fgj's item"
        );

        // The unit reports, asks for verification; the office returns once.
        let p = format!("/rectifications/{aid}/progress");
        let (s, v) = post(
            &app,
            "rsj",
            &p,
            json!({ "version": 1, "text": "已补齐一半台账" }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        assert_eq!(
            (v["state"].as_str(), v["version"].as_i64()),
            (Some("in_progress"), Some(2))
        );
        let (s, _) = post(&app, "rsj", &p, json!({ "version": 1, "text": "旧版本" })).await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend}: a stale version");
        let (s, v) = post(
            &app,
            "rsj",
            &p,
            json!({ "version": 2, "text": "台账已补齐，附照片", "submit": true }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        assert_eq!(v["state"], "awaiting_verification");
        let r = format!("/rectifications/{aid}/review");
        let (s, _) = post(&app, "rsj", &r, json!({ "version": 3, "close": true })).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{backend}: a unit cannot close its own item"
        );
        let (s, _) = post(&app, "office1", &r, json!({ "version": 3, "close": false })).await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: a return needs a reason"
        );
        let (s, v) = post(
            &app,
            "office1",
            &r,
            json!({ "version": 3, "close": false, "reason": "缺少月报制度文件" }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        assert_eq!(v["state"], "returned");
        assert_eq!(v["return_reason"], "缺少月报制度文件");
        let (s, _) = post(&app, "office1", &r, json!({ "version": 4, "close": true })).await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "{backend}: a returned item is not closable"
        );
        let (s, _) = post(
            &app,
            "rsj",
            &p,
            json!({ "version": 4, "text": "已印发月报制度", "submit": true }),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, v) = post(&app, "office1", &r, json!({ "version": 5, "close": true })).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        assert_eq!(v["state"], "closed");
        assert_eq!(v["light"], Value::Null);
        assert_eq!(v["closed_late"], false);
        assert_eq!(v["closed_on"], today().to_string());
        let (s, _) = post(&app, "rsj", &p, json!({ "version": 6, "text": "再报" })).await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "{backend}: a closed item takes no more reports"
        );
        let (_, detail) = get(&app, "rsj", &format!("/rectifications/{aid}")).await;
        let events: Vec<&str> = detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["event"].as_str())
            .collect();
        assert_eq!(
            events,
            ["create", "progress", "submit", "return", "submit", "close"],
            "{backend}: every version kept"
        );

        // Overdue: red, and a reminder queued on the inbox and each channel,
        // once a day.
        let channels = duban_web::notify::Channels {
            webhook: Some("http://127.0.0.1:9/hook".into()),
            smtp: None,
        };
        duban_web::notify::run_once(&app.store, &channels, today())
            .await
            .unwrap();
        duban_web::notify::run_once(&app.store, &channels, today())
            .await
            .unwrap();
        let queued: Vec<_> = app
            .store
            .notifications(&app.region_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.kind == "rectification_overdue")
            .collect();
        let for_unit = |unit: &str, channel: &str| {
            queued
                .iter()
                .filter(|n| n.unit == unit && n.channel == channel)
                .count()
        };
        assert_eq!(for_unit("市发改局", "inbox"), 1, "{backend}: {queued:?}");
        assert_eq!(for_unit("市发改局", "webhook"), 1, "{backend}: {queued:?}");
        assert_eq!(for_unit("市财政局", "inbox"), 1, "{backend}: co-units too");
        assert_eq!(
            for_unit("市人社局", "inbox"),
            0,
            "{backend}: closed items are quiet"
        );
        assert!(queued.iter().all(|n| n.subject.contains("整改逾期")));

        // Listed (挂牌督办): the office lists it, may return it, but only an
        // admin closes it.
        let (s, _) = post(
            &app,
            "rsj",
            &format!("/rectifications/{bid}/list"),
            json!({ "leader": "李市长" }),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = post(
            &app,
            "office1",
            &format!("/rectifications/{bid}/list"),
            json!({ "leader": "李市长" }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        assert_eq!(v["listed"]["leader"], "李市长");
        assert_eq!(v["listed"]["by"], "office1");
        let (_, listed) = get(&app, "leader", "/rectifications?listed=true&open=true").await;
        assert_eq!(ids(&listed), vec![bid.clone()]);
        let bp = format!("/rectifications/{bid}/progress");
        let br = format!("/rectifications/{bid}/review");
        let (s, _) = post(
            &app,
            "fgj",
            &bp,
            json!({ "version": 2, "text": "整改完毕", "submit": true }),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, v) = post(&app, "office1", &br, json!({ "version": 3, "close": true })).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{backend}: an office cannot close a listed item: {v}"
        );
        let (s, _) = post(
            &app,
            "office1",
            &br,
            json!({ "version": 3, "close": false, "reason": "请补充现场照片" }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: the office may return it");
        let (s, _) = post(
            &app,
            "fgj",
            &bp,
            json!({ "version": 4, "text": "已补照片", "submit": true }),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, v) = post(&app, "admin", &br, json!({ "version": 5, "close": true })).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        assert_eq!(v["state"], "closed");
        assert_eq!(
            v["closed_late"], true,
            "{backend}: handed in after its deadline"
        );

        // The month, for the bulletin.
        let (s, m) = get(&app, "leader", &format!("/supervision/months/{month}")).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {m}");
        assert_eq!(ids(&m["visits"]), vec![vid.clone()]);
        assert_eq!(ids(&m["found"]).len(), 2);
        assert_eq!(ids(&m["closed"]).len(), 2);
        assert_eq!(
            ids(&m["listed"]).len(),
            0,
            "{backend}: closed listed items leave the list"
        );
        let (_, m) = get(&app, "rsj", &format!("/supervision/months/{month}")).await;
        assert_eq!(
            ids(&m["found"]),
            vec![aid.clone()],
            "{backend}: rsj's month"
        );

        // Cancel: a reason is required; a cancelled visit is final.
        let (_, v2) = post(&app, "office1", "/visits", plan.clone()).await;
        let v2 = v2["id"].as_str().unwrap().to_string();
        let (s, _) = post(
            &app,
            "office1",
            &format!("/visits/{v2}/cancel"),
            json!({ "reason": " " }),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, v) = post(
            &app,
            "office1",
            &format!("/visits/{v2}/cancel"),
            json!({ "reason": "防汛抢险，改期" }),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["state"], "cancelled");
        assert_eq!(v["cancel_reason"], "防汛抢险，改期");
        let (s, _) = post(
            &app,
            "office1",
            &format!("/visits/{v2}/record"),
            json!({ "visited_on": day(0), "narrative": "x" }),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);

        // Query parameters outside their documented range are refused.
        for bad in [
            "/visits?plan=0",
            "/rectifications?plan=1000",
            "/rectifications?unit=%0C",
        ] {
            let (s, v) = get(&app, "leader", bad).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{backend}: {bad}: {v}");
        }

        // Cadence: monthly by default, set by the campaign's office.
        let (_, c) = get(&app, "rsj", "/plans/1/supervision").await;
        assert_eq!(c["cadence"], "monthly");
        for (who, plan, want) in [
            ("office1", 2, StatusCode::FORBIDDEN),
            ("office1", 1, StatusCode::OK),
        ] {
            let (s, v) = app
                .call(
                    Some(who),
                    Method::PUT,
                    &format!("{R}/plans/{plan}/supervision"),
                    Some(json!({ "cadence": "quarterly" })),
                )
                .await;
            assert_eq!(s, want, "{backend}: {who} sets plan {plan}: {v}");
        }
        let (_, c) = get(&app, "rsj", "/plans/1/supervision").await;
        assert_eq!(c["cadence"], "quarterly");

        // Audited.
        let (_, log) = get(&app, "admin", "/audit?limit=200").await;
        let actions: Vec<&str> = log
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        for a in [
            "visit.plan",
            "visit.record",
            "visit.cancel",
            "rectification.create",
            "rectification.progress",
            "rectification.submit",
            "rectification.return",
            "rectification.close",
            "rectification.list",
            "supervision.cadence",
        ] {
            assert!(actions.contains(&a), "{backend}: {a} audited: {actions:?}");
        }
    }
}
