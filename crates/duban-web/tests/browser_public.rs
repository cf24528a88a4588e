//! 信息公开 in real headless Chromium: the public page of an unpublished
//! cycle shows nothing of it; after the office publishes through its
//! 发布 page, the page shows exactly the published fields: the lights'
//! counts equal the evaluation's, the completed task is listed with its
//! lead unit, and none of the problems, progress, next steps, coordination
//! requests, review comments or person and account names the test put
//! into the reports appears anywhere in the page's text.

mod support;

use duban_core::dates::Date;
use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::fresh_sqlite_url;
use duban_store::{CoordinationInput, NewUser, ReportInput, Store, TaskFilter};
use support::browser::Browser;

const PASSWORD: &str = "public-pass-9";

fn today() -> Date {
    Date::new(2025, 6, 2).unwrap()
}

fn report(status: &str, completion: f64, words: &[&str; 3], ask: Option<&str>) -> ReportInput {
    ReportInput {
        version: 0,
        status: status.into(),
        completion,
        current_value: None,
        progress: words[0].into(),
        problems: words[1].into(),
        next_steps: words[2].into(),
        coordination: ask
            .map(|text| {
                vec![CoordinationInput {
                    to: "分管副市长王大明".into(),
                    text: text.into(),
                }]
            })
            .unwrap_or_default(),
        attachments: vec![],
        submit: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_shows_only_what_was_published() {
    let store = Store::open(&fresh_sqlite_url()).await.unwrap();
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/sample/miluo-2025-qida-gongjian.txt"
    ))
    .unwrap();
    let plan = duban_plan::parse(&sample, "miluo.txt").unwrap();
    let region = store
        .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "test")
        .await
        .unwrap();
    store.import(&region, &plan, "test").await.unwrap();
    let tasks = store
        .tasks(&region.id, &TaskFilter::default())
        .await
        .unwrap();
    // Three tasks of campaign 1, each with a department as its lead.
    let mine: Vec<_> = tasks
        .iter()
        .filter(|t| t.plan == 1 && t.lead_units.first().is_some_and(|u| u.kind == "department"))
        .take(3)
        .collect();
    assert_eq!(mine.len(), 3, "campaign 1 has three department-led tasks");
    let users = [
        ("admin", Role::Admin, None, None),
        ("office1", Role::Office, None, Some(1)),
        (
            "zhangsanfeng",
            Role::Reporter,
            Some(mine[0].lead_units[0].id.clone()),
            None,
        ),
    ];
    for (name, role, unit, campaign) in users {
        store
            .add_user(
                &region.id,
                NewUser {
                    name: UserName::parse(name).unwrap(),
                    role,
                    unit,
                    campaign,
                    password: Some(PASSWORD.into()),
                },
                "test",
            )
            .await
            .unwrap();
    }
    let cycle = store
        .open_cycle(
            &region.id,
            1,
            today(),
            today().add_days(10),
            "regular",
            "office1",
        )
        .await
        .unwrap();
    // What the reports say and who said it: none of it is public.
    let secret_words = [
        [
            "进展：联系人李四海已完成验收",
            "问题：资金缺口三百万元",
            "下一步：请赵钱孙跟进",
        ],
        [
            "进展：召开专题会议周吴郑",
            "问题：用地指标不足",
            "下一步：报请市政府研究",
        ],
        [
            "进展：受阻于征拆冯陈褚",
            "问题：群众诉求未解决",
            "下一步：协调卫蒋沈",
        ],
    ];
    let asks = ["请王大明副市长协调用地问题"];
    let inputs = [
        report("done", 100.0, &secret_words[0], None),
        report("in_progress", 30.0, &secret_words[1], None),
        report("blocked", 20.0, &secret_words[2], Some(asks[0])),
    ];
    let mut reports = Vec::new();
    for (t, input) in mine.iter().zip(&inputs) {
        reports.push(
            store
                .save_report(
                    &region.id,
                    &cycle.id,
                    &t.id,
                    &t.lead_units[0].id,
                    input,
                    "zhangsanfeng",
                    today(),
                )
                .await
                .unwrap(),
        );
    }
    let comment = "审核意见：韩杨朱同志请补充佐证材料";
    store
        .review_report(
            &region.id,
            &cycle.id,
            &mine[0].id,
            &mine[0].lead_units[0].id,
            true,
            comment,
            reports[0].version,
            "office1",
        )
        .await
        .unwrap();
    let closed = store
        .close_cycle(&region.id, &cycle.id, today().add_days(10), "office1")
        .await
        .unwrap();
    let evaluated = store
        .evaluate(&region.id, &closed.cycle, today().add_days(10))
        .await
        .unwrap();
    assert_eq!(
        (closed.green, closed.yellow, closed.red),
        (evaluated.green, evaluated.yellow, evaluated.red)
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(duban_web::serve(
        listener,
        store.clone(),
        duban_web::Options {
            today: Some(today().add_days(11)),
        },
    ));
    let public_url = format!("{base}/public/{}", region.id);
    let campaign = store
        .plans(&region.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.no == 1)
        .unwrap()
        .title;
    let b = Browser::start(1280, 900).await;

    // Closed but not published: nothing of it on the public page.
    b.goto(&public_url).await;
    let before = b.text().await;
    assert!(before.contains("暂无已发布的信息"), "{before}");
    assert!(!before.contains(&campaign), "{before}");
    assert!(!before.contains(&mine[0].title), "{before}");

    // The office publishes the closed cycle on its 发布 page.
    b.sign_in(&base, "office1", PASSWORD).await;
    b.goto(&format!("{base}/r/{}/publish", region.id)).await;
    let desk = b.text().await;
    assert!(desk.contains("未发布"), "{desk}");
    b.click(&format!(
        "form[action=\"/r/{}/cycles/{}/publish\"] button",
        region.id, cycle.id
    ))
    .await;
    let after_publish = b.text().await;
    assert!(after_publish.contains("已发布（office1"), "{after_publish}");

    // Anyone (no session) reads the published fields, and nothing else.
    // The browser kept the page (max-age=60); a reload revalidates it
    // with If-None-Match, and the new ETag brings the new page.
    b.client.delete_all_cookies().await.unwrap();
    b.goto(&public_url).await;
    b.client.refresh().await.unwrap();
    let text = b.text().await;
    assert!(text.contains(&campaign), "{text}");
    assert!(
        text.contains(&format!(
            "绿灯 {} 项，黄灯 {} 项，红灯 {} 项",
            evaluated.green, evaluated.yellow, evaluated.red
        )),
        "the counts equal the evaluation's: {text}"
    );
    assert!(
        text.contains(&format!("数据截至 {}", cycle.due_on)),
        "{text}"
    );
    assert!(text.contains(&mine[0].title), "the completed task: {text}");
    assert!(
        text.contains(&mine[0].lead_units[0].name),
        "its lead: {text}"
    );
    assert!(text.contains("已完成任务（1 项）"), "{text}");
    // Tasks that are not done are counted, not listed.
    assert!(!text.contains(&mine[1].title), "{text}");
    assert!(!text.contains(&mine[2].title), "{text}");
    let mut secrets: Vec<&str> = secret_words.iter().flatten().copied().collect();
    secrets.extend(asks);
    secrets.extend([
        comment,
        "分管副市长王大明",
        "zhangsanfeng",
        "office1",
        "admin",
        // Fragments, in case a text were cut or reworded.
        "李四海",
        "资金缺口",
        "韩杨朱",
        "王大明",
        "审核意见",
    ]);
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "“{secret}” is on the public page:\n{text}"
        );
    }
    // The chart's words carry the same counts (never colour alone).
    assert!(
        text.contains(&format!(
            "绿 {} · 黄 {} · 红 {}",
            evaluated.green, evaluated.yellow, evaluated.red
        )),
        "{text}"
    );
    b.close().await;
}
