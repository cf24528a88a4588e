//! The authorisation matrix (issue 7 item 2): every route of the router's
//! own route table (`duban_web::route_table`) × every role (and anonymous)
//! × own/other campaign × own/other unit, and own/other/child region, with
//! the status its declared [`Access`] implies. A route added to the table
//! is in the matrix at once; one whose request this file cannot build
//! fails the test until a case is added below.

mod common;

use common::{spawn, today, App};
use duban_core::names::RegionName;
use duban_store::testing::fresh_stores;
use duban_store::{CoordinationInput, ReportInput};
use duban_web::{Access, RouteInfo};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The callers: anonymous and one user per role (office1 runs campaign 1;
/// rsj reports for 市人社局).
const CALLERS: [Option<&str>; 5] = [
    None,
    Some("admin"),
    Some("office1"),
    Some("rsj"),
    Some("leader"),
];
const OWN_UNIT: &str = "市人社局";

/// The objects a request can aim at, per campaign (index 0: campaign 1).
struct Objects {
    tasks: [String; 2],
    cycles: [String; 2],
    /// Goal targets: [campaign][own unit's, another unit's].
    targets: [[String; 2]; 2],
    requests: [String; 2],
    /// A unit on each campaign's task other than 市人社局.
    other_units: [String; 2],
    /// A done supervision visit per campaign.
    visits: [String; 2],
    /// Rectification items: [campaign][led by 市人社局, led by another unit].
    items: [[String; 2]; 2],
}

fn report_body() -> Value {
    json!({ "version": 0, "status": "in_progress", "completion": 30, "progress": "推进中", "submit": true })
}

/// The request for `route` aimed at campaign `c` (0 or 1) and, where the
/// route acts for a unit, the caller's own unit or another.
fn aim(route: &RouteInfo, o: &Objects, c: usize, own_unit: bool) -> (String, Option<Value>) {
    let unit = if own_unit {
        OWN_UNIT.to_string()
    } else {
        o.other_units[c].clone()
    };
    let target = &o.targets[c][usize::from(!own_unit)];
    let path = route
        .path
        .replace("{task}", &o.tasks[c])
        .replace("{cycle}", &o.cycles[c])
        .replace("{unit}", &unit)
        .replace("{target}", target)
        .replace("{plan}", &(c + 1).to_string())
        .replace("{id}", &o.requests[c])
        .replace("{visit}", &o.visits[c])
        .replace("{item}", &o.items[c][usize::from(!own_unit)])
        .replace(
            "{month}",
            &duban_core::supervision::Month::of(today()).to_string(),
        );
    let tail = route.path.trim_start_matches("/api/v1/regions/{region}");
    let day = |d: i64| today().add_days(d).to_string();
    let body = match (route.method.as_str(), tail) {
        ("get", _) => None,
        ("put", "/plans/{plan}/settings") => Some(json!({ "cadence": "biweekly",
            "thresholds": { "red_gap": 20.0, "due_soon_days": 15, "due_soon_min_completion": 80.0, "about_tolerance": 0.05 } })),
        // The task's own lead and no co-units: allowed or not, nothing the
        // rest of the matrix relies on changes.
        ("put", "/tasks/{task}/assignments") => Some(json!({ "lead_units": [unit] })),
        ("post", "/tasks/{task}/list-items") => Some(json!({ "unit": unit, "kind": "task", "title": "分解任务", "lead_person": "王五" })),
        ("post", "/units") => Some(json!({ "name": format!("矩阵测试单位{c}{own_unit}"), "kind": "department" })),
        ("post", "/units/{unit}/aliases") => Some(json!({ "alias": format!("矩阵别名{c}{own_unit}") })),
        ("post", "/cycles") => Some(json!({ "plan": c + 1, "opens_on": day(0), "due_on": day(7), "kind": "extra" })),
        ("post", "/cycles/schedule") => Some(json!({ "plan": c + 1, "from": day(200), "to": day(230) })),
        ("post", "/cycles/{cycle}/close") => None,
        // Open cycles: 409 for whoever may publish, 403 for the rest.
        ("post", "/cycles/{cycle}/publish") | ("post", "/cycles/{cycle}/withdraw") => None,
        ("post", "/holidays") => Some(json!({ "day": day(100), "name": "矩阵假日" })),
        ("post", "/cycles/{cycle}/reports") => Some(json!([{ "task_id": o.tasks[c], "unit": unit, "report": report_body() }])),
        ("put", "/cycles/{cycle}/reports/{task}/{unit}") => Some(report_body()),
        ("post", "/cycles/{cycle}/reports/{task}/{unit}/review") => Some(json!({ "accept": false, "comment": "请补充", "version": 1 })),
        ("put", "/targets/{target}/owner") => Some(json!({ "unit": if own_unit { OWN_UNIT } else { "市发改局" } })),
        ("put", "/cycles/{cycle}/indicators/{target}") => Some(json!({ "version": 0, "value": 1.0 })),
        ("post", "/coordination-requests/{id}/resolve") => Some(json!({ "answer": "已协调" })),
        ("post", "/visits") => Some(json!({ "plan": c + 1, "month": duban_core::supervision::Month::of(today()).to_string(), "title": "矩阵督导" })),
        ("post", "/visits/{visit}/record") => Some(json!({ "visited_on": day(-10), "narrative": "矩阵督导情况" })),
        // The visit is done, so an allowed cancel is a 409, never a change.
        ("post", "/visits/{visit}/cancel") => Some(json!({ "reason": "矩阵取消" })),
        ("post", "/visits/{visit}/findings") => Some(json!({ "problem": "矩阵问题", "requirement": "矩阵要求", "deadline": day(10), "lead_units": [unit] })),
        // Stale versions: allowed callers get 409 and nothing changes.
        ("post", "/rectifications/{item}/progress") => Some(json!({ "version": 99, "text": "矩阵进展" })),
        ("post", "/rectifications/{item}/review") => Some(json!({ "version": 99, "close": false, "reason": "矩阵退回" })),
        ("post", "/rectifications/{item}/list") => Some(json!({ "leader": "矩阵领导" })),
        ("put", "/plans/{plan}/supervision") => Some(json!({ "cadence": "monthly" })),
        (m, p) => panic!("授权矩阵缺少该路由的请求：{m} {p} / the matrix cannot build a request for {m} {p}: add a case to `aim`"),
    };
    (path, body)
}

/// Whether `who` may call `route` on an object of campaign `c` for the
/// own or another unit, from the rules (not from the handlers).
fn allowed(access: Access, who: &str, c: usize, own_unit: bool) -> bool {
    let own_campaign = c == 0;
    match (access, who) {
        (Access::Anyone | Access::SignedIn | Access::Read, _) => true,
        (_, "admin") => true,
        (Access::AdminOrOffice, w) => w == "office1",
        (Access::Admin, _) => false,
        (Access::Campaign, w) => w == "office1" && own_campaign,
        (Access::UnitOrCampaign, w) => (w == "office1" && own_campaign) || (w == "rsj" && own_unit),
    }
}

fn acts_for_a_unit(route: &RouteInfo) -> bool {
    route.access == Access::UnitOrCampaign
}

async fn objects(app: &App) -> Objects {
    let tasks = [app.task1.clone(), app.task2.clone()];
    let other_units = [0, 1].map(|c| {
        let t = app.task(&tasks[c]);
        t.lead_units
            .iter()
            .chain(&t.co_units)
            .find(|u| u.kind != "group" && u.name != OWN_UNIT)
            .expect("another unit on the task")
            .name
            .clone()
    });
    let mut targets: Vec<[String; 2]> = Vec::new();
    for plan in [1, 2] {
        let goals: Vec<_> = app
            .store
            .targets(&app.region_id, Some(plan))
            .await
            .expect("targets")
            .into_iter()
            .filter(|t| t.task_id.is_none())
            .collect();
        assert!(goals.len() >= 2, "plan {plan} needs two goal targets");
        for (t, owner) in goals.iter().zip([OWN_UNIT, "市发改局"]) {
            app.store
                .set_target_owner(&app.region_id, &t.id, owner, "test")
                .await
                .expect("owner");
        }
        targets.push([goals[0].id.clone(), goals[1].id.clone()]);
    }
    let cycles = [app.cycle1.clone(), app.cycle2.clone()];
    let mut requests = Vec::new();
    for c in 0..2 {
        let t = app.task(&tasks[c]);
        let lead = t.lead_units[0].id.clone();
        let input = ReportInput {
            version: 0,
            status: "in_progress".into(),
            completion: 10.0,
            current_value: None,
            progress: String::new(),
            problems: String::new(),
            next_steps: String::new(),
            coordination: vec![CoordinationInput {
                to: "市财政局".into(),
                text: "请协调".into(),
            }],
            attachments: vec![],
            submit: true,
        };
        app.store
            .save_report(
                &app.region_id,
                &cycles[c],
                &tasks[c],
                &lead,
                &input,
                "test",
                today(),
            )
            .await
            .expect("report");
        let id = app
            .store
            .coordination_requests(&app.region_id, Some("open"))
            .await
            .expect("requests")
            .into_iter()
            .find(|r| r.task_id == tasks[c])
            .expect("request")
            .id;
        requests.push(id);
    }
    let mut visits = Vec::new();
    let mut items = Vec::new();
    for (c, other_unit) in other_units.iter().enumerate() {
        let visit = app
            .store
            .plan_visit(
                &app.region_id,
                &duban_store::NewVisit {
                    plan: c as u32 + 1,
                    month: duban_core::supervision::Month::of(today()).to_string(),
                    title: "矩阵督导".into(),
                    planned_on: None,
                    team_users: vec![],
                    team_names: vec![],
                    tasks: vec![],
                    list_items: vec![],
                    units: vec![],
                },
                "test",
            )
            .await
            .expect("visit");
        let record = duban_store::VisitRecord {
            visited_on: today().add_days(-10).to_string(),
            narrative: "矩阵".into(),
            team_users: None,
            team_names: None,
            tasks: None,
            list_items: None,
            units: None,
        };
        app.store
            .record_visit(&app.region_id, &visit.id, &record, "test")
            .await
            .expect("record");
        let mut pair = Vec::new();
        for lead in [OWN_UNIT.to_string(), other_unit.clone()] {
            let finding = duban_store::NewFinding {
                problem: "矩阵问题".into(),
                requirement: "矩阵要求".into(),
                deadline: today().add_days(10).to_string(),
                lead_units: vec![lead],
                co_units: vec![],
                task: None,
                list_item: None,
            };
            pair.push(
                app.store
                    .add_finding(&app.region_id, &visit.id, &finding, today(), "test")
                    .await
                    .expect("finding")
                    .id,
            );
        }
        visits.push(visit.id);
        items.push([pair[0].clone(), pair[1].clone()]);
    }
    Objects {
        visits: [visits[0].clone(), visits[1].clone()],
        items: [items[0].clone(), items[1].clone()],
        tasks,
        cycles,
        targets: [targets[0].clone(), targets[1].clone()],
        requests: [requests[0].clone(), requests[1].clone()],
        other_units,
    }
}

async fn call(
    app: &App,
    who: Option<&str>,
    method: &str,
    region: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    let path = path.replace("{region}", region);
    app.call(who, m, &path, body).await
}

#[tokio::test]
async fn every_route_every_role_every_scope() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        app.store
            .ensure_region(
                &RegionName::parse("罗江镇").expect("name"),
                Some(&RegionName::parse("汨罗市").expect("name")),
                "test",
            )
            .await
            .expect("child region");
        let o = objects(&app).await;
        let table = duban_web::route_table();
        assert!(table.len() >= 39, "{backend}: the route table lost routes");
        let mut checked = 0;
        for route in &table {
            let units: &[bool] = if acts_for_a_unit(route) {
                &[true, false]
            } else {
                &[true]
            };
            for c in [0, 1] {
                for &own_unit in units {
                    let (path, body) = aim(route, &o, c, own_unit);
                    for who in CALLERS {
                        let (s, v) =
                            call(&app, who, &route.method, "汨罗市", &path, body.clone()).await;
                        let case = format!("{backend}: {who:?} {} {path} (campaign {}, own unit {own_unit}): {s} {v}", route.method, c + 1);
                        assert!(!s.is_server_error(), "{case}");
                        match who {
                            None if route.access != Access::Anyone => {
                                assert_eq!(s, StatusCode::UNAUTHORIZED, "{case}");
                            }
                            None => assert_eq!(s, StatusCode::OK, "{case}"),
                            Some(w) if allowed(route.access, w, c, own_unit) => {
                                assert!(
                                    s != StatusCode::UNAUTHORIZED && s != StatusCode::FORBIDDEN,
                                    "{case}"
                                );
                            }
                            Some(_) => {
                                assert_eq!(s, StatusCode::FORBIDDEN, "{case}");
                                assert_eq!(v["error"]["code"], "forbidden", "{case}");
                            }
                        }
                        checked += 1;
                    }
                }
            }
            // Other and child regions, for routes inside a region.
            if route.path.contains("{region}") {
                let (path, body) = aim(route, &o, 0, true);
                for who in CALLERS.into_iter().flatten() {
                    let (s, v) = call(
                        &app,
                        Some(who),
                        &route.method,
                        "平江县",
                        &path,
                        body.clone(),
                    )
                    .await;
                    assert_eq!(
                        s,
                        StatusCode::FORBIDDEN,
                        "{backend}: {who} {} {path} in 平江县: {v}",
                        route.method
                    );
                    let (s, v) = call(
                        &app,
                        Some(who),
                        &route.method,
                        "罗江镇",
                        &path,
                        body.clone(),
                    )
                    .await;
                    let other_region = v["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("outside your access"));
                    assert!(
                        !s.is_server_error() && !other_region,
                        "{backend}: {who} {} {path} in 罗江镇 (a child region): {s} {v}",
                        route.method
                    );
                    checked += 2;
                }
            }
        }
        assert!(checked > 500, "{backend}: only {checked} cases");
    }
}
