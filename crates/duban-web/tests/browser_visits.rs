//! 一月一督导 through the pages in real headless Chromium: the office plans
//! and records a visit and registers two findings; the unit reports
//! progress and asks for verification from its workbench; the office
//! returns once, then closes; the overdue item is red, gets listed
//! (挂牌督办) and stays on top until the admin closes it (the office has no
//! close button for it); another unit cannot open the items.

mod support;

use duban_core::dates::Date;
use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::fresh_sqlite_url;
use duban_store::{NewUser, Store};
use fantoccini::Locator;
use support::browser::Browser;

const PASSWORD: &str = "correct-horse-9";

fn today() -> Date {
    Date::new(2025, 6, 2).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervision_loop_in_the_browser() {
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
    for (name, role, unit, campaign) in [
        ("admin", Role::Admin, None, None),
        ("office1", Role::Office, None, Some(1)),
        ("rep", Role::Reporter, Some("市发改局"), None),
        ("other", Role::Reporter, Some("市人社局"), None),
    ] {
        store
            .add_user(
                &region.id,
                NewUser {
                    name: UserName::parse(name).unwrap(),
                    role,
                    unit: unit.map(str::to_string),
                    campaign,
                    password: Some(PASSWORD.into()),
                },
                "test",
            )
            .await
            .unwrap();
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
    let r = format!("{base}/r/{}", region.id);
    let b = Browser::start(1280, 900).await;

    // The office plans a visit of campaign 1 from the supervision page.
    b.sign_in(&base, "office1", PASSWORD).await;
    b.goto(&format!("{r}/supervision?plan=1")).await;
    assert!(
        b.text().await.contains("应安排一次督导"),
        "the month's visit is due"
    );
    b.fill("form[action$='/visits'] input[name=title]", "六月实地督导")
        .await;
    b.fill(
        "form[action$='/visits'] input[name=team_names]",
        "周敏、陈刚",
    )
    .await;
    b.fill("form[action$='/visits'] input[name=units]", "市发改局")
        .await;
    b.click("form[action$='/visits'] button[type=submit]").await;
    let page = b.text().await;
    assert!(
        page.contains("计划中") && page.contains("周敏、陈刚"),
        "{page}"
    );
    let visit_url = b.client.current_url().await.unwrap();

    // Recorded as done, then two findings for 市发改局: one due in July,
    // one whose deadline has passed.
    b.set(
        "form[action$='/record'] input[name=visited_on]",
        "2025-05-20",
    )
    .await;
    b.fill(
        "form[action$='/record'] textarea[name=narrative]",
        "实地查看项目现场，发现两个问题。",
    )
    .await;
    b.click("form[action$='/record'] button[type=submit]").await;
    assert!(b.text().await.contains("已督导"), "{}", b.text().await);
    for (problem, deadline) in [("台账不完整", "2025-07-15"), ("进度滞后", "2025-05-30")] {
        b.fill("form[action$='/findings'] textarea[name=problem]", problem)
            .await;
        b.fill(
            "form[action$='/findings'] textarea[name=requirement]",
            "限期整改",
        )
        .await;
        b.set(
            "form[action$='/findings'] select[name=lead_unit]",
            "市发改局",
        )
        .await;
        b.set("form[action$='/findings'] input[name=deadline]", deadline)
            .await;
        b.click("form[action$='/findings'] button[type=submit]")
            .await;
        assert!(b.text().await.contains(problem), "{}", b.text().await);
    }
    let items = store
        .rectification_items(&region.id, &Default::default(), today())
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    let (a, late) = (items[0].id.clone(), items[1].id.clone());
    // The overdue one is red on the visit page, the other green.
    for (id, light) in [(&late, "red"), (&a, "green")] {
        b.client
            .find(Locator::Css(&format!("tr#item-{id} .light-{light}")))
            .await
            .unwrap_or_else(|_| panic!("item {id} shows {light}"));
    }

    // Another unit cannot open them.
    b.sign_in(&base, "other", PASSWORD).await;
    b.goto(&format!("{r}/rectifications/{a}")).await;
    assert!(b.text().await.contains("无权访问"), "{}", b.text().await);

    // The unit finds the items on its workbench, reports, asks to close.
    b.sign_in(&base, "rep", PASSWORD).await;
    b.goto(&format!("{r}/workbench")).await;
    let wb = b.text().await;
    assert!(
        wb.contains("督导整改事项") && wb.contains("台账不完整"),
        "{wb}"
    );
    b.click(&format!("tr#item-{a} a.button")).await;
    b.fill("textarea[name=text]", "已补齐一半台账").await;
    b.click("button[value=progress]").await;
    assert!(b.text().await.contains("整改中"), "{}", b.text().await);
    b.fill("textarea[name=text]", "台账已全部补齐").await;
    b.click("button[value=submit]").await;
    assert!(b.text().await.contains("待核验"), "{}", b.text().await);

    // The office returns it once (a reason is required), then closes it.
    b.sign_in(&base, "office1", PASSWORD).await;
    b.goto(&format!("{r}/rectifications/{a}")).await;
    b.click("button[value=return]").await;
    assert!(
        b.text().await.contains("请填写退回原因"),
        "{}",
        b.text().await
    );
    b.fill("form[action$='/review'] input[name=reason]", "缺少照片")
        .await;
    b.click("button[value=return]").await;
    assert!(b.text().await.contains("已退回"), "{}", b.text().await);
    b.sign_in(&base, "rep", PASSWORD).await;
    b.goto(&format!("{r}/rectifications/{a}")).await;
    assert!(b.text().await.contains("缺少照片"), "the unit sees why");
    b.fill("textarea[name=text]", "已补充照片").await;
    b.click("button[value=submit]").await;
    b.sign_in(&base, "office1", PASSWORD).await;
    b.goto(&format!("{r}/rectifications/{a}")).await;
    b.click("button[value=close]").await;
    let closed = b.text().await;
    assert!(
        closed.contains("已销号") && closed.contains("按期销号"),
        "{closed}"
    );

    // The overdue item is listed and stays on top of the supervision page.
    b.goto(&format!("{r}/rectifications/{late}")).await;
    b.fill("form[action$='/list'] input[name=leader]", "李市长")
        .await;
    b.click("form[action$='/list'] button[type=submit]").await;
    assert!(b.text().await.contains("李市长 挂牌"), "{}", b.text().await);
    b.goto(&format!("{r}/supervision?plan=1")).await;
    b.client
        .find(Locator::Css(&format!(
            "section.listed tr#listed-{late} .light-red"
        )))
        .await
        .expect("the listed item is on top, red");
    b.sign_in(&base, "rep", PASSWORD).await;
    b.goto(&format!("{r}/rectifications/{late}")).await;
    b.fill("textarea[name=text]", "已倒排工期，完成整改").await;
    b.click("button[value=submit]").await;
    // The office may not close a listed item: no button, the reason shown.
    b.sign_in(&base, "office1", PASSWORD).await;
    b.goto(&format!("{r}/rectifications/{late}")).await;
    assert!(b.text().await.contains("由综合协调组核验销号"));
    assert!(b
        .client
        .find(Locator::Css("button[value=close]"))
        .await
        .is_err());
    b.sign_in(&base, "admin", PASSWORD).await;
    b.goto(&format!("{r}/rectifications/{late}")).await;
    b.click("button[value=close]").await;
    let closed = b.text().await;
    assert!(
        closed.contains("已销号") && closed.contains("逾期销号"),
        "{closed}"
    );
    b.goto(&format!("{r}/supervision?plan=1")).await;
    assert!(
        b.client.find(Locator::Css("section.listed")).await.is_err(),
        "closed listed items leave the top"
    );
    b.client.goto(visit_url.as_str()).await.unwrap();
    assert!(b.text().await.contains("已督导"));
    b.close().await;
}
