//! The pages' authorisation matrix: every route of the page route table
//! (`duban_web::page_route_table`) × anonymous and every role × own/other
//! campaign × own/other unit, in the own region, plus a sibling region
//! (always refused) and a child region (readable from above). The expected
//! answer comes from the route's declared [`PageAccess`]; a route added to
//! the table is in the matrix at once, and one whose request this file
//! cannot build fails until a case is added.

use duban_core::dates::Date;
use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::fresh_sqlite_url;
use duban_store::{CoordinationInput, NewUser, ReportInput, Store, TaskFilter};
use duban_web::{PageAccess, PageRoute};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

const PASSWORD: &str = "matrix-pass-1";
const ROLES: [(&str, Role); 4] = [
    ("admin", Role::Admin),
    ("office1", Role::Office),
    ("reporter", Role::Reporter),
    ("leader", Role::Leader),
];

fn today() -> Date {
    Date::new(2025, 6, 2).unwrap()
}

/// What a request aims at, per campaign (index 0: campaign 1, run by office1).
struct Objects {
    region: String,
    child: String,
    sibling: String,
    tasks: [String; 2],
    /// A task of each campaign the reporter's unit is not assigned to.
    foreign_tasks: [String; 2],
    cycles: [String; 2],
    /// The reporter's unit (a co-unit of both tasks, never their lead).
    own_unit: String,
    /// The lead unit of each task.
    other_units: [String; 2],
    /// Goal targets: [campaign][own unit's, another unit's].
    targets: [[String; 2]; 2],
    requests: [String; 2],
    /// Attachments: [campaign][own unit's, another unit's].
    attachments: [[String; 2]; 2],
    /// A done supervision visit per campaign.
    visits: [String; 2],
    /// Rectification items: [campaign][the own unit's, another unit's].
    items: [[String; 2]; 2],
    /// Evidence files on those items.
    files: [[String; 2]; 2],
}

fn report(progress: &str, coordination: Vec<CoordinationInput>) -> ReportInput {
    ReportInput {
        version: 0,
        status: "in_progress".into(),
        completion: 30.0,
        current_value: None,
        progress: progress.into(),
        problems: String::new(),
        next_steps: String::new(),
        coordination,
        attachments: vec![],
        submit: true,
    }
}

async fn setup() -> (Store, Objects, String) {
    let store = Store::open(&fresh_sqlite_url()).await.unwrap();
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/sample/miluo-2025-qida-gongjian.txt"
    ))
    .unwrap();
    let plan = duban_plan::parse(&sample, "miluo.txt").unwrap();
    let city = RegionName::parse("岳阳市").unwrap();
    let region = store
        .ensure_region(&RegionName::parse("汨罗市").unwrap(), Some(&city), "t")
        .await
        .unwrap();
    let child = store
        .ensure_region(
            &RegionName::parse("白水镇").unwrap(),
            Some(&RegionName::parse("汨罗市").unwrap()),
            "t",
        )
        .await
        .unwrap();
    let sibling = store
        .ensure_region(&RegionName::parse("平江县").unwrap(), Some(&city), "t")
        .await
        .unwrap();
    store.import(&region, &plan, "t").await.unwrap();
    let tasks = store
        .tasks(&region.id, &TaskFilter::default())
        .await
        .unwrap();
    // A unit that is a co-unit (and not the lead) of a task in campaigns 1 and 2.
    let co_task = |plan: i64, unit: &str| {
        tasks.iter().find(|t| {
            t.plan == plan
                && t.co_units.iter().any(|u| u.id == unit)
                && !t.lead_units.iter().any(|u| u.id == unit)
                && t.lead_units.iter().all(|u| u.kind != "group")
        })
    };
    let own_unit = store
        .units(&region.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.kind == "department")
        .find(|u| co_task(1, &u.id).is_some() && co_task(2, &u.id).is_some())
        .expect("a unit co-assigned in campaigns 1 and 2")
        .id;
    let t = [
        co_task(1, &own_unit).unwrap(),
        co_task(2, &own_unit).unwrap(),
    ];
    let other_units = [t[0].lead_units[0].id.clone(), t[1].lead_units[0].id.clone()];
    let foreign = |plan: i64| {
        tasks
            .iter()
            .find(|t| {
                t.plan == plan
                    && t.lead_units
                        .iter()
                        .chain(&t.co_units)
                        .all(|u| u.id != own_unit && u.kind != "group")
            })
            .map(|t| t.id.clone())
            .expect("a task the unit is not on")
    };
    let foreign_tasks = [foreign(1), foreign(2)];
    for (name, role) in ROLES {
        store
            .add_user(
                &region.id,
                NewUser {
                    name: UserName::parse(name).unwrap(),
                    role,
                    unit: (role == Role::Reporter).then(|| own_unit.clone()),
                    campaign: (role == Role::Office).then_some(1),
                    password: Some(PASSWORD.into()),
                },
                "t",
            )
            .await
            .unwrap();
    }
    store
        .add_user(
            &region.id,
            NewUser {
                name: UserName::parse("matrixuser").unwrap(),
                role: Role::Leader,
                unit: None,
                campaign: None,
                password: Some(PASSWORD.into()),
            },
            "t",
        )
        .await
        .unwrap();
    let mut cycles = Vec::new();
    let mut targets = Vec::new();
    let mut requests = Vec::new();
    let mut attachments = Vec::new();
    for c in 0..2usize {
        let plan_no = c as i64 + 1;
        let cycle = store
            .open_cycle(
                &region.id,
                plan_no,
                today(),
                today().add_days(10),
                "regular",
                "t",
            )
            .await
            .unwrap();
        let goals: Vec<_> = store
            .targets(&region.id, Some(plan_no))
            .await
            .unwrap()
            .into_iter()
            .filter(|x| x.task_id.is_none())
            .collect();
        assert!(goals.len() >= 2, "campaign {plan_no} has two goal targets");
        store
            .set_target_owner(&region.id, &goals[0].id, &own_unit, "t")
            .await
            .unwrap();
        store
            .set_target_owner(&region.id, &goals[1].id, &other_units[c], "t")
            .await
            .unwrap();
        targets.push([goals[0].id.clone(), goals[1].id.clone()]);
        // Both units have reported; the lead raised a coordination request.
        let ask = vec![CoordinationInput {
            to: "分管副市长".into(),
            text: "请协调".into(),
        }];
        store
            .save_report(
                &region.id,
                &cycle.id,
                &t[c].id,
                &other_units[c],
                &report("牵头", ask),
                "t",
                today(),
            )
            .await
            .unwrap();
        store
            .save_report(
                &region.id,
                &cycle.id,
                &t[c].id,
                &own_unit,
                &report("配合", vec![]),
                "t",
                today(),
            )
            .await
            .unwrap();
        let pdf = b"%PDF-1.4 matrix";
        let a_own = store
            .add_attachment(
                &region.id, &cycle.id, &t[c].id, &own_unit, "a.pdf", pdf, "t",
            )
            .await
            .unwrap();
        let a_other = store
            .add_attachment(
                &region.id,
                &cycle.id,
                &t[c].id,
                &other_units[c],
                "b.pdf",
                pdf,
                "t",
            )
            .await
            .unwrap();
        attachments.push([a_own.id, a_other.id]);
        cycles.push(cycle.id);
        let req = store
            .coordination_requests(&region.id, Some("open"))
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.task_id == t[c].id)
            .unwrap();
        requests.push(req.id);
    }
    let mut visits = Vec::new();
    let mut items = Vec::new();
    let mut files = Vec::new();
    for (c, other_unit) in other_units.iter().enumerate() {
        let visit = store
            .plan_visit(
                &region.id,
                &duban_store::NewVisit {
                    plan: c as u32 + 1,
                    month: "2025-06".into(),
                    title: "矩阵督导".into(),
                    planned_on: None,
                    team_users: vec![],
                    team_names: vec![],
                    tasks: vec![],
                    list_items: vec![],
                    units: vec![],
                },
                "t",
            )
            .await
            .unwrap();
        let record = duban_store::VisitRecord {
            visited_on: "2025-05-30".into(),
            narrative: "矩阵".into(),
            team_users: None,
            team_names: None,
            tasks: None,
            list_items: None,
            units: None,
        };
        store
            .record_visit(&region.id, &visit.id, &record, "t")
            .await
            .unwrap();
        let mut pair = Vec::new();
        let mut pair_files = Vec::new();
        for lead in [own_unit.clone(), other_unit.clone()] {
            let finding = duban_store::NewFinding {
                problem: "矩阵问题".into(),
                requirement: "矩阵要求".into(),
                deadline: "2025-06-30".into(),
                lead_units: vec![lead],
                co_units: vec![],
                task: None,
                list_item: None,
            };
            let item = store
                .add_finding(&region.id, &visit.id, &finding, today(), "t")
                .await
                .unwrap();
            let file = store
                .add_supervision_file(&region.id, "item", &item.id, "e.pdf", b"%PDF-1.4 e", "t")
                .await
                .unwrap();
            pair.push(item.id);
            pair_files.push(file.id);
        }
        visits.push(visit.id);
        items.push([pair[0].clone(), pair[1].clone()]);
        files.push([pair_files[0].clone(), pair_files[1].clone()]);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(duban_web::serve(
        listener,
        store.clone(),
        duban_web::Options {
            today: Some(today()),
        },
    ));
    let o = Objects {
        region: region.id,
        child: child.id,
        sibling: sibling.id,
        tasks: [t[0].id.clone(), t[1].id.clone()],
        foreign_tasks,
        cycles: [cycles[0].clone(), cycles[1].clone()],
        own_unit,
        other_units,
        targets: [targets[0].clone(), targets[1].clone()],
        requests: [requests[0].clone(), requests[1].clone()],
        attachments: [attachments[0].clone(), attachments[1].clone()],
        visits: [visits[0].clone(), visits[1].clone()],
        items: [items[0].clone(), items[1].clone()],
        files: [files[0].clone(), files[1].clone()],
    };
    (store, o, base)
}

/// A signed-in browser-like client: its session cookie and form token.
struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(client: &Client, base: &str, user: &str) -> Session {
    let resp = client
        .post(format!("{base}/login"))
        .form(&[("username", user), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{user} signs in");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("duban_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let page = client
        .get(format!("{base}/account"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    Session { cookie, csrf }
}

/// The concrete path and form for `route`, aimed at campaign `c` and the
/// caller's own unit or another, in `region`.
fn aim(
    route: &PageRoute,
    o: &Objects,
    region: &str,
    c: usize,
    own: bool,
) -> (String, Vec<(String, String)>) {
    let unit = if own { &o.own_unit } else { &o.other_units[c] };
    let path = route
        .path
        .replace("{region}", region)
        .replace("{cycle}", &o.cycles[c])
        .replace(
            "{task}",
            if route.access == PageAccess::TaskReader && !own {
                &o.foreign_tasks[c]
            } else {
                &o.tasks[c]
            },
        )
        .replace("{unit}", unit)
        .replace("{target}", &o.targets[c][usize::from(!own)])
        .replace("{plan}", &(c + 1).to_string())
        .replace("{name}", "matrixuser")
        .replace("{day}", "2025-10-01")
        .replace("{visit}", &o.visits[c])
        .replace("{item}", &o.items[c][usize::from(!own)])
        .replace("{file}", &o.files[c][usize::from(!own)])
        .replace(
            "{id}",
            if route.path.contains("/attachments/") {
                &o.attachments[c][usize::from(!own)]
            } else {
                &o.requests[c]
            },
        );
    let f = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let tail = route.path.trim_start_matches("/r/{region}");
    let form = match (route.method, tail) {
        ("get", _) => vec![],
        // A right password: failures from one address would throttle the rest of the run.
        ("post", "/login") => f(&[("username", "leader"), ("password", PASSWORD)]),
        ("post", "/logout") => vec![],
        ("post", "/account/password") => f(&[
            ("current", "wrong"),
            ("new", "12345678"),
            ("confirm", "12345678"),
        ]),
        ("post", "/cycles/{cycle}/submit-all") => f(&[("unit", unit)]),
        ("post", "/cycles/{cycle}/indicators/{target}") => {
            f(&[("value", "5"), ("version", "0"), ("unit", unit)])
        }
        ("post", "/cycles/{cycle}/reports/{task}/{unit}") => f(&[
            ("version", "99"),
            ("status", "in_progress"),
            ("completion", "40"),
            ("progress", "矩阵"),
            ("action", "draft"),
        ]),
        ("post", "/cycles/{cycle}/reports/{task}/{unit}/attachments") => vec![],
        // Not a form: refused as a file, after the access check.
        ("post", "/cycles/{cycle}/units/{unit}/form") => vec![],
        ("post", "/cycles/{cycle}/reports/{task}/{unit}/review") => f(&[
            ("version", "99"),
            ("decision", "return"),
            ("comment", "矩阵退回"),
        ]),
        ("post", "/cycles/{cycle}/remind") => vec![],
        ("post", "/cycles/schedule") | ("post", "/cycles/open") => f(&[
            ("plan", &(c + 1).to_string()),
            ("from", "2025-09-01"),
            ("to", "2025-09-12"),
        ]),
        ("post", "/cycles/{cycle}/close") => vec![],
        ("post", "/plans/{plan}/settings") => f(&[
            ("cadence", "biweekly"),
            ("red_gap", "20"),
            ("due_soon_days", "15"),
            ("due_soon_min_completion", "80"),
        ]),
        ("post", "/list-items") => f(&[
            ("task", &o.tasks[c]),
            ("unit", unit),
            ("kind", "task"),
            ("title", "矩阵清单事项"),
        ]),
        ("post", "/coordination/{id}/resolve") => f(&[("answer", "矩阵答复")]),
        // The matrix's cycles are open: publishing is refused with 409 (not
        // 403) for whoever may publish, and there is nothing to withdraw.
        ("post", "/cycles/{cycle}/publish") | ("post", "/cycles/{cycle}/withdraw") => vec![],
        ("post", "/plans/{plan}/supervision") => f(&[("cadence", "monthly")]),
        ("post", "/visits") => f(&[
            ("plan", &(c + 1).to_string()),
            ("month", "2025-07"),
            ("title", "矩阵计划督导"),
        ]),
        ("post", "/visits/{visit}/record") => {
            f(&[("visited_on", "2025-05-30"), ("narrative", "矩阵督导情况")])
        }
        // The visit is done: an allowed cancel is refused on the page, never applied.
        ("post", "/visits/{visit}/cancel") => f(&[("reason", "矩阵取消")]),
        ("post", "/visits/{visit}/findings") => f(&[
            ("problem", "矩阵问题"),
            ("requirement", "矩阵要求"),
            ("deadline", "2025-06-30"),
            ("lead_unit", unit),
        ]),
        ("post", "/visits/{visit}/attachments")
        | ("post", "/rectifications/{item}/attachments") => {
            vec![]
        }
        // Stale versions: allowed callers see a refusal, nothing changes.
        ("post", "/rectifications/{item}/progress") => f(&[
            ("version", "99"),
            ("text", "矩阵进展"),
            ("action", "progress"),
        ]),
        ("post", "/rectifications/{item}/review") => f(&[
            ("version", "99"),
            ("decision", "return"),
            ("reason", "矩阵退回"),
        ]),
        ("post", "/rectifications/{item}/list") => f(&[("leader", "矩阵领导")]),
        // The admin's pages act on a throwaway account and on objects that
        // do not exist: an admin gets a page (or a 404), everyone else 403.
        ("post", "/admin/import") => vec![],
        ("post", "/admin/import/{id}/confirm") | ("post", "/admin/import/{id}/cancel") => vec![],
        ("post", "/admin/units/merge") => {
            f(&[("from", "不存在的单位甲"), ("into", "不存在的单位乙")])
        }
        ("post", "/admin/units/alias") => f(&[("unit", "不存在的单位甲"), ("alias", "矩阵别名")]),
        ("post", "/admin/units/review") => f(&[("unit", "不存在的单位甲")]),
        ("post", "/admin/users") => f(&[
            ("name", "matrixnew"),
            ("role", "leader"),
            ("password", "matrix-new-1"),
        ]),
        ("post", "/admin/users/{name}") => f(&[("role", "leader")]),
        ("post", "/admin/users/{name}/password") => f(&[("password", "matrix-reset-1")]),
        ("post", "/admin/users/{name}/disable") => f(&[("disabled", "1")]),
        ("post", "/admin/users/{name}/tokens") => vec![],
        ("post", "/admin/users/{name}/tokens/{id}/revoke") => vec![],
        ("post", "/admin/holidays") => f(&[("day", "2025-10-02"), ("name", "矩阵假日")]),
        ("post", "/admin/holidays/{day}/remove") => vec![],
        other => panic!("the page matrix cannot build a request for {other:?}: add a case"),
    };
    (path, form)
}

/// Whether `role` may use `route` aimed at campaign `c` (0 = the office's)
/// and the reporter's own unit or another, by the route's declared access.
fn allowed(access: PageAccess, role: Role, c: usize, own: bool) -> bool {
    use PageAccess::*;
    match access {
        Anyone | SignedIn | Read => true,
        Staff => role != Role::Reporter,
        ReportReader | TaskReader => role != Role::Reporter || own,
        UnitOrCampaign => match role {
            Role::Admin => true,
            Role::Office => c == 0,
            Role::Reporter => own,
            Role::Leader => false,
        },
        Campaign => role == Role::Admin || (role == Role::Office && c == 0),
        AdminOrOffice => matches!(role, Role::Admin | Role::Office),
        Admin => role == Role::Admin,
    }
}

async fn send(
    client: &Client,
    base: &str,
    route: &PageRoute,
    path: &str,
    form: &[(String, String)],
    session: Option<&Session>,
) -> reqwest::Response {
    let url = format!("{base}{path}");
    let mut req = if route.method == "get" {
        client.get(url)
    } else if path.ends_with("/attachments")
        || path.ends_with("/admin/import")
        || path.ends_with("/form")
    {
        let mut mp = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 m".to_vec()).file_name("m.pdf"),
        );
        if let Some(s) = session.filter(|s| !s.csrf.is_empty()) {
            mp = mp.text("csrf", s.csrf.clone());
        }
        client.post(url).multipart(mp)
    } else {
        let mut form = form.to_vec();
        if let Some(s) = session.filter(|s| !s.csrf.is_empty()) {
            form.push(("csrf".into(), s.csrf.clone()));
        }
        client.post(url).form(&form)
    };
    if let Some(s) = session {
        req = req.header("cookie", &s.cookie);
    }
    req.send().await.unwrap()
}

fn goes_to_login(resp: &reqwest::Response) -> bool {
    resp.status() == StatusCode::SEE_OTHER
        && resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/login"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_route_for_every_role() {
    let (_store, o, base) = setup().await;
    let client = Client::builder().redirect(Policy::none()).build().unwrap();
    let table = duban_web::page_route_table();
    assert!(table.len() >= 25, "the page table lists every page");
    let mut checked = 0;
    let mut failures = Vec::new();
    // Sign-out and password changes last: they end or alter the session.
    let mut routes: Vec<&PageRoute> = table.iter().collect();
    routes.sort_by_key(|r| matches!(r.path.as_str(), "/logout" | "/account/password"));
    // Anonymous: only `Anyone` routes answer; the rest send to the sign-in page.
    for route in &routes {
        let (path, form) = aim(route, &o, &o.region, 0, true);
        let resp = send(&client, &base, route, &path, &form, None).await;
        let ok = if route.access == PageAccess::Anyone {
            !goes_to_login(&resp) || route.path == "/"
        } else {
            goes_to_login(&resp)
        };
        if !ok || resp.status().is_server_error() {
            failures.push(format!(
                "anonymous {} {path}: {}",
                route.method,
                resp.status()
            ));
        }
        checked += 1;
    }
    for (user, role) in ROLES {
        // One session per user (argon2 makes every sign-in costly), renewed
        // only after the sign-out route ended it.
        let mut session = sign_in(&client, &base, user).await;
        for route in &routes {
            for c in 0..2 {
                for own in [true, false] {
                    if matches!(route.path.as_str(), "/logout" | "/account/password") {
                        session = sign_in(&client, &base, user).await;
                    }
                    // Without the form token every state-changing form is refused.
                    if route.method == "post" && route.access != PageAccess::Anyone && c == 0 && own
                    {
                        let (path, form) = aim(route, &o, &o.region, c, own);
                        let bare = Session {
                            cookie: session.cookie.clone(),
                            csrf: String::new(),
                        };
                        let no_token = send(&client, &base, route, &path, &form, Some(&bare)).await;
                        if no_token.status() != StatusCode::FORBIDDEN {
                            failures
                                .push(format!("{user} {path} without csrf: {}", no_token.status()));
                        }
                    }
                    let (path, form) = aim(route, &o, &o.region, c, own);
                    let resp = send(&client, &base, route, &path, &form, Some(&session)).await;
                    let status = resp.status();
                    let want = allowed(route.access, role, c, own);
                    // Signing out succeeds by sending to the sign-in page.
                    let got = if route.path == "/logout" {
                        status == StatusCode::SEE_OTHER
                    } else {
                        status != StatusCode::FORBIDDEN && !goes_to_login(&resp)
                    };
                    if got != want || status.is_server_error() {
                        failures.push(format!(
                            "{user} {} {} campaign {} {} unit: {status} (expected {})",
                            route.method,
                            route.path,
                            c + 1,
                            if own { "own" } else { "other" },
                            if want { "allowed" } else { "403" }
                        ));
                    }
                    checked += 1;
                }
            }
        }
        // A sibling region is refused for every region page; a child region
        // is readable from above.
        let session = sign_in(&client, &base, user).await;
        for route in routes.iter().filter(|r| r.path.starts_with("/r/")) {
            let (path, form) = aim(route, &o, &o.sibling, 0, true);
            let resp = send(&client, &base, route, &path, &form, Some(&session)).await;
            if resp.status() != StatusCode::FORBIDDEN {
                failures.push(format!("{user} sibling {path}: {}", resp.status()));
            }
            checked += 1;
        }
        for page in ["coordination", "cycles"] {
            let resp = client
                .get(format!("{base}/r/{}/{page}", o.child))
                .header("cookie", &session.cookie)
                .send()
                .await
                .unwrap();
            if resp.status() != StatusCode::OK {
                failures.push(format!("{user} child region {page}: {}", resp.status()));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked >= table.len() * ROLES.len() * 4,
        "the matrix ran {checked} cases"
    );
}
