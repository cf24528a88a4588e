//! The leaders' dashboard in real headless Chromium: by default the latest
//! cycle that is over (not the one under way, where everything unreported
//! is red), and the seven campaigns' light counts equal `GET …/summary`
//! for the same cycles; the cycle under way can still be chosen; a red task
//! drills down to its reason and its reports; the region tree decides who
//! sees which dashboard (a county leader never a sibling county's, the city
//! leader both and the roll-up); a reporter is refused.

mod support;

use duban_core::dates::Date;
use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::fresh_sqlite_url;
use duban_store::{NewUser, ReportInput, Store, TaskFilter};
use fantoccini::Locator;
use support::browser::Browser;

const PASSWORD: &str = "dash-board-9";
const RED_PROGRESS: &str = "测试进展：征地拆迁卡在最后三户";
const RED_PROBLEM: &str = "三户未签约";

fn today() -> Date {
    Date::new(2025, 6, 6).unwrap()
}

/// The due date of cycle 1, when its reports came and it was closed.
fn closed_on() -> Date {
    Date::new(2025, 5, 30).unwrap()
}

struct Site {
    base: String,
    store: Store,
    miluo: String,
    pingjiang: String,
    city: String,
    /// The task made red (blocked) in 汨罗市's campaign 1.
    red_task: String,
}

async fn user(store: &Store, region: &str, name: &str, role: Role, unit: Option<String>) {
    store
        .add_user(
            region,
            NewUser {
                name: UserName::parse(name).unwrap(),
                role,
                unit,
                campaign: None,
                password: Some(PASSWORD.into()),
            },
            "test",
        )
        .await
        .unwrap();
}

fn report(status: &str, completion: f64, progress: &str, problems: &str) -> ReportInput {
    ReportInput {
        version: 0,
        status: status.into(),
        completion,
        current_value: None,
        progress: progress.into(),
        problems: problems.into(),
        next_steps: String::new(),
        coordination: vec![],
        attachments: vec![],
        submit: true,
    }
}

/// 岳阳市 over 汨罗市 and 平江县, the sample plan in both; in each county
/// per campaign a closed cycle 1 with some reports (one task of 汨罗市
/// blocked, so red; a few done, so green) and cycle 2 under way on
/// `today()`, where nobody has reported yet.
async fn site() -> Site {
    let store = Store::open(&fresh_sqlite_url()).await.unwrap();
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/sample/miluo-2025-qida-gongjian.txt"
    ))
    .unwrap();
    let plan = duban_plan::parse(&sample, "miluo.txt").unwrap();
    let city_name = RegionName::parse("岳阳市").unwrap();
    let city = store.ensure_region(&city_name, None, "test").await.unwrap();
    let mut ids = Vec::new();
    let mut red_task = String::new();
    for (k, county) in ["汨罗市", "平江县"].into_iter().enumerate() {
        let region = store
            .ensure_region(
                &RegionName::parse(county).unwrap(),
                Some(&city_name),
                "test",
            )
            .await
            .unwrap();
        store.import(&region, &plan, "test").await.unwrap();
        let tasks = store
            .tasks(&region.id, &TaskFilter::default())
            .await
            .unwrap();
        for no in 1..=7 {
            let cycle = store
                .open_cycle(
                    &region.id,
                    no,
                    Date::new(2025, 5, 19).unwrap(),
                    Date::new(2025, 5, 30).unwrap(),
                    "regular",
                    "test",
                )
                .await
                .unwrap();
            let mine: Vec<_> = tasks
                .iter()
                .filter(|t| t.plan == no && !t.lead_units.is_empty())
                .collect();
            for (i, t) in mine.iter().enumerate().take(4 + k) {
                let lead = &t.lead_units[0].id;
                let input = if no == 1 && i == 0 {
                    if k == 0 {
                        red_task = t.id.clone();
                    }
                    report("blocked", 20.0, RED_PROGRESS, RED_PROBLEM)
                } else if i % 2 == 0 {
                    report("done", 100.0, "已完成。", "")
                } else {
                    report("in_progress", 45.0, "推进中。", "")
                };
                store
                    .save_report(
                        &region.id,
                        &cycle.id,
                        &t.id,
                        lead,
                        &input,
                        "test",
                        closed_on(),
                    )
                    .await
                    .unwrap();
            }
            store
                .close_cycle(&region.id, &cycle.id, closed_on(), "test")
                .await
                .unwrap();
            store
                .open_cycle(
                    &region.id,
                    no,
                    Date::new(2025, 6, 2).unwrap(),
                    Date::new(2025, 6, 13).unwrap(),
                    "regular",
                    "test",
                )
                .await
                .unwrap();
        }
        ids.push(region.id);
    }
    user(&store, &ids[0], "leader", Role::Leader, None).await;
    user(&store, &ids[1], "pjleader", Role::Leader, None).await;
    user(&store, &city.id, "cityleader", Role::Leader, None).await;
    let unit = store.unit(&ids[0], "市发改局").await.unwrap().id;
    user(&store, &ids[0], "rep", Role::Reporter, Some(unit)).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(duban_web::serve(
        listener,
        store.clone(),
        duban_web::Options {
            today: Some(today()),
        },
    ));
    Site {
        base,
        store,
        miluo: ids[0].clone(),
        pingjiang: ids[1].clone(),
        city: city.id,
        red_task,
    }
}

/// The text of the first element matching `css` inside `row`.
async fn cell(row: &fantoccini::elements::Element, css: &str) -> String {
    row.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leader_sees_the_summary_and_drills_into_a_red_task() {
    let s = site().await;
    let (_, token) = s.store.create_token("leader", "test").await.unwrap();
    let summary: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/regions/{}/summary", s.base, s.miluo))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let campaigns = summary["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 7, "{summary}");
    // By default the closed cycle 1, not cycle 2 under way.
    for c in campaigns {
        assert_eq!(
            (c["seq"].as_i64(), c["stage"].as_str()),
            (Some(1), Some("closed")),
            "{c}"
        );
    }
    // The fixture made campaign 1 red somewhere and green somewhere.
    assert!(campaigns[0]["red"].as_u64().unwrap() >= 1);
    assert!(campaigns.iter().any(|c| c["green"].as_u64().unwrap() >= 1));

    let b = Browser::start(1280, 900).await;
    // The leader's home is the dashboard.
    b.sign_in(&s.base, "leader", PASSWORD).await;
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/r/{}/dashboard", s.miluo));
    let rows = b
        .client
        .find_all(Locator::Css("#campaigns tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 7, "seven campaigns on the dashboard");
    // The page says which cycle it shows.
    let subtitle = b
        .client
        .find(Locator::Css("#shown"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(subtitle.contains("第 1 期（已截止）"), "{subtitle}");
    for c in campaigns {
        let plan = c["plan"].as_i64().unwrap();
        let row = b
            .client
            .find(Locator::Css(&format!("#campaigns tr[data-plan='{plan}']")))
            .await
            .unwrap();
        for light in ["green", "yellow", "red"] {
            assert_eq!(
                cell(&row, &format!("td.{light}-count")).await,
                c[light].as_u64().unwrap().to_string(),
                "campaign {plan} {light}"
            );
        }
    }
    let total = |k: &str| {
        campaigns
            .iter()
            .map(|c| c[k].as_u64().unwrap())
            .sum::<u64>()
            .to_string()
    };
    for light in ["green", "yellow", "red"] {
        let shown = b
            .client
            .find(Locator::Css(&format!("#total-{light}")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(shown, total(light), "total {light}");
    }
    // The charts are inline SVG with an accessible name.
    let chart_title = b
        .client
        .find(Locator::Css("figure.chart svg[role='img'] title"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(chart_title.contains("各攻坚红黄绿灯"), "{chart_title}");

    // The red task is listed with its reason and responsible units; its
    // link opens the task page with the reason and the lead's report.
    let row = b
        .client
        .find(Locator::XPath(&format!(
            "//table[@id='alerts']//tr[.//a[contains(@href, '/tasks/{}')]]",
            s.red_task
        )))
        .await
        .unwrap();
    assert_eq!(cell(&row, "td[data-label='灯']").await, "红灯");
    let reason = cell(&row, "td[data-label='理由']").await;
    assert!(reason.contains("受阻"), "{reason}");
    assert!(!cell(&row, "td[data-label='牵头单位']").await.is_empty());
    let href = row
        .find(Locator::Css("td[data-label='任务'] a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    b.goto(&format!("{}{href}", s.base)).await;
    let page = b.text().await;
    assert!(page.contains(&reason), "the task page gives the reason");
    assert!(page.contains(RED_PROGRESS), "the lead's report is shown");
    assert!(page.contains(RED_PROBLEM), "with its problems");

    // The bulletin offered is May's, the month that is over, not June's
    // in progress; the same on the desk.
    let bulletin = "bulletin.docx?month=2025-05";
    b.goto(&format!("{}/r/{}/dashboard", s.base, s.miluo)).await;
    let href = b
        .client
        .find(Locator::Css("a[href*='bulletin.docx']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(href.ends_with(bulletin), "{href}");
    b.goto(&format!("{}/r/{}/desk?plan=1", s.base, s.miluo))
        .await;
    let desk = b
        .client
        .find(Locator::Css(&format!("a[href$='{bulletin}']")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(desk.starts_with("2025-05"), "{desk}");

    // The cycle under way can still be chosen: there every task nobody
    // has reported yet is red.
    b.goto(&format!("{}/r/{}/dashboard?cycle=2", s.base, s.miluo))
        .await;
    let row = b
        .client
        .find(Locator::Css("#campaigns tr[data-plan='1']"))
        .await
        .unwrap();
    let label = cell(&row, "td[data-label='周期']").await;
    assert!(
        label.starts_with("第 2 期") && label.contains("填报中"),
        "{label}"
    );
    let red: u64 = cell(&row, "td.red-count").await.parse().unwrap();
    assert!(red > campaigns[0]["red"].as_u64().unwrap(), "{red}");
    let green = cell(&row, "td.green-count").await;
    assert_eq!(green, "0", "nobody has reported in cycle 2 yet");

    // Drilling into campaign 1 keeps only its row.
    b.goto(&format!("{}/r/{}/dashboard?plan=1", s.base, s.miluo))
        .await;
    let rows = b
        .client
        .find_all(Locator::Css("#campaigns tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_region_tree_decides_who_sees_which_dashboard() {
    let s = site().await;
    let b = Browser::start(1280, 900).await;

    // A county leader: its own dashboard, never the sibling county's.
    b.sign_in(&s.base, "pjleader", PASSWORD).await;
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/r/{}/dashboard", s.pingjiang));
    assert!(b.text().await.contains("各攻坚概况"));
    for path in [
        format!("/r/{}/dashboard", s.miluo),
        format!("/r/{}/regions", s.city),
        format!("/r/{}/dashboard", s.city),
    ] {
        b.goto(&format!("{}{path}", s.base)).await;
        let text = b.text().await;
        assert!(text.contains("无权访问"), "{path}: {text}");
        assert!(!text.contains("各攻坚概况"), "{path}");
    }

    // The city leader: the roll-up ranks both counties and links to each.
    b.sign_in(&s.base, "cityleader", PASSWORD).await;
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/r/{}/dashboard", s.city));
    // The city has no cycles of its own: its bulletin month is its
    // counties' (May is over, June in progress).
    let href = b
        .client
        .find(Locator::Css("a[href*='bulletin.docx']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(href.ends_with("bulletin.docx?month=2025-05"), "{href}");
    b.goto(&format!("{}/r/{}/regions", s.base, s.city)).await;
    let rows = b
        .client
        .find_all(Locator::Css("#regions tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "two counties ranked");
    let mut names = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(cell(r, "td[data-label='名次']").await, (i + 1).to_string());
        names.push(cell(r, "td[data-label='区域']").await);
    }
    names.sort();
    assert_eq!(names, ["平江县", "汨罗市"]);
    for county in [&s.miluo, &s.pingjiang] {
        b.click(&format!("#regions a[href^='/r/{county}/dashboard']"))
            .await;
        let url = b.client.current_url().await.unwrap();
        assert_eq!(url.path(), format!("/r/{county}/dashboard"));
        let rows = b
            .client
            .find_all(Locator::Css("#campaigns tbody tr"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 7, "the county's seven campaigns");
        b.goto(&format!("{}/r/{}/regions", s.base, s.city)).await;
    }

    // A reporter has the workbench, not the dashboard.
    b.sign_in(&s.base, "rep", PASSWORD).await;
    b.goto(&format!("{}/r/{}/dashboard", s.base, s.miluo)).await;
    let text = b.text().await;
    assert!(
        text.contains("无权访问") && text.contains("工作台"),
        "{text}"
    );
    b.close().await;
}
