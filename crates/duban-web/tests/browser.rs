//! The pages in real headless Chromium: a whole dispatch loop through the
//! browser (an office opens a cycle; a reporter fills and submits with an
//! attachment; the office returns one with a reason; the reporter sees it,
//! fixes and resubmits; the office accepts), a stale edit keeping what was
//! typed, a refusal page, a form without its CSRF token, and sign-in
//! throttling.

mod support;

use duban_core::dates::Date;
use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::fresh_sqlite_url;
use duban_store::{NewUser, ReportInput, Store};
use fantoccini::Locator;
use support::browser::Browser;

const PASSWORD: &str = "correct-horse-9";

struct Site {
    base: String,
    store: Store,
    region: String,
    unit: String,
}

fn today() -> Date {
    Date::new(2025, 6, 2).unwrap()
}

async fn add_users(store: &Store, region: &str, users: &[(&str, Role, Option<&str>, Option<u32>)]) {
    for (name, role, unit, campaign) in users {
        store
            .add_user(
                region,
                NewUser {
                    name: UserName::parse(name).unwrap(),
                    role: *role,
                    unit: unit.map(str::to_string),
                    campaign: *campaign,
                    password: Some(PASSWORD.into()),
                },
                "test",
            )
            .await
            .unwrap();
    }
}

const STAFF: [(&str, Role, Option<&str>, Option<u32>); 3] = [
    ("office1", Role::Office, None, Some(1)),
    ("rep1", Role::Reporter, Some("市发改局"), None),
    ("rep2", Role::Reporter, Some("市发改局"), None),
];

/// A served ledger with an admin; the sample plan imported (and the other
/// users added) unless the test imports it through the pages itself.
async fn site() -> Site {
    site_with(true).await
}

async fn site_with(imported: bool) -> Site {
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
    add_users(&store, &region.id, &[("admin", Role::Admin, None, None)]).await;
    if imported {
        store.import(&region, &plan, "test").await.unwrap();
        add_users(&store, &region.id, &STAFF).await;
    }
    let unit = if imported {
        store.unit(&region.id, "市发改局").await.unwrap().id
    } else {
        String::new()
    };
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
        region: region.id,
        unit,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_dispatch_loop_in_the_browser() {
    let mut s = site_with(false).await;
    let b = Browser::start(1280, 900).await;

    // The admin uploads the sample plan, corrects one task's units in the
    // preview and imports it.
    b.sign_in(&s.base, "admin", PASSWORD).await;
    b.goto(&format!("{}/r/{}/admin/import", s.base, s.region))
        .await;
    b.client
        .find(Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(
            &std::fs::canonicalize(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/sample/miluo-2025-qida-gongjian.txt"
            ))
            .unwrap()
            .display()
            .to_string(),
        )
        .await
        .unwrap();
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    let preview = b.text().await;
    assert!(
        preview.contains("推动增收减负"),
        "the preview lists the tasks"
    );
    let lead = b
        .client
        .find(Locator::Css("#tasks input[name^='lead.']"))
        .await
        .unwrap();
    let field = lead.attr("name").await.unwrap().unwrap();
    let row_title = b
        .client
        .find(Locator::Css("#tasks tbody tr td[data-label='任务'] b"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    b.fill(&format!("input[name='{field}']"), "市统计局").await;
    b.click("#confirm button[type=submit]").await;
    let after = b.text().await;
    assert!(
        s.store
            .tasks(&s.region, &Default::default())
            .await
            .unwrap()
            .len()
            > 100,
        "imported: {after}"
    );
    let corrected = s
        .store
        .tasks(&s.region, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.title == row_title)
        .expect("the corrected task was imported");
    let leads: Vec<_> = corrected
        .lead_units
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(leads, ["市统计局"], "the correction was applied");
    add_users(&s.store, &s.region, &STAFF).await;
    s.unit = s.store.unit(&s.region, "市发改局").await.unwrap().id;

    // The office opens an extra cycle for campaign 1 from the cycles page.
    b.sign_in(&s.base, "office1", PASSWORD).await;
    assert!(
        b.text().await.contains("调度台"),
        "office lands on its desk"
    );
    b.goto(&format!("{}/r/{}/cycles?plan=1", s.base, s.region))
        .await;
    b.set(
        "form[action$='/cycles/open'] input[name=from]",
        "2025-06-02",
    )
    .await;
    b.set("form[action$='/cycles/open'] input[name=to]", "2025-06-13")
        .await;
    b.click("form[action$='/cycles/open'] button[type=submit]")
        .await;
    assert!(
        b.text().await.contains("已开启临时调度"),
        "{}",
        b.text().await
    );
    let cycle = s.store.cycles(&s.region, Some(1)).await.unwrap();
    assert_eq!(cycle.len(), 1);
    let cycle = cycle[0].clone();
    assert_eq!(
        (cycle.opens_on.as_str(), cycle.due_on.as_str()),
        ("2025-06-02", "2025-06-13")
    );

    // The reporter's workbench lists what 市发改局 owes in campaign 1.
    let owed: Vec<_> = s
        .store
        .expected_reports(&s.region, &cycle)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.unit_id == s.unit)
        .collect();
    assert!(owed.len() >= 3, "市发改局 owes several reports");
    b.sign_in(&s.base, "rep1", PASSWORD).await;
    let text = b.text().await;
    for e in &owed {
        assert!(text.contains(&e.task), "workbench lists {}: {text}", e.task);
    }
    let form = |task: &str| {
        format!(
            "{}/r/{}/cycles/{}/reports/{}/{}",
            s.base, s.region, cycle.id, task, s.unit
        )
    };
    // Task A: filled and submitted at once.
    let (a, bt, c) = (&owed[0].task_id, &owed[1].task_id, &owed[2].task_id);
    b.goto(&form(a)).await;
    b.fill("input[name=completion]", "40").await;
    b.fill("textarea[name=progress]", "完成第一批职业技能培训。")
        .await;
    b.click("button[name=action][value=submit]").await;
    assert!(b.text().await.contains("已报送"), "{}", b.text().await);
    // Task B: a draft with an attachment, then "submit all drafts".
    b.goto(&form(bt)).await;
    b.fill("input[name=completion]", "25").await;
    b.fill("textarea[name=progress]", "政策文件已起草。").await;
    b.click("button[name=action][value=draft]").await;
    assert!(b.text().await.contains("草稿已保存"));
    let pdf = std::env::temp_dir().join(format!("佐证-{}.pdf", std::process::id()));
    std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").unwrap();
    b.client
        .find(Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(&pdf.display().to_string())
        .await
        .unwrap();
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    let text = b.text().await;
    assert!(text.contains("附件已上传"), "{text}");
    assert!(text.contains(".pdf"), "the file is listed: {text}");
    b.goto(&format!("{}/r/{}/workbench", s.base, s.region))
        .await;
    b.click("form[action$='/submit-all'] button[type=submit]")
        .await;
    assert!(b.text().await.contains("已报送 1 项"), "{}", b.text().await);
    let files = s
        .store
        .attachments(&s.region, &cycle.id, bt, &s.unit)
        .await
        .unwrap();
    assert_eq!(files.len(), 1, "the attachment is stored");
    assert_eq!(files[0].content_type, "application/pdf");

    // The office returns A with a reason.
    b.sign_in(&s.base, "office1", PASSWORD).await;
    b.goto(&format!("{}/r/{}/desk?plan=1", s.base, s.region))
        .await;
    assert!(b.text().await.contains("待审核（2）"), "{}", b.text().await);
    let review_a = format!("form[action$='/reports/{a}/{}/review']", s.unit);
    b.fill(
        &format!("{review_a} input[name=comment]"),
        "请补充培训人数。",
    )
    .await;
    b.click(&format!("{review_a} button[value=return]")).await;
    assert!(b.text().await.contains("已退回"), "{}", b.text().await);
    // …and urges every unit still missing (催办), which lands on workbenches.
    b.click("form[action$='/remind'] button[type=submit]").await;
    assert!(
        b.text().await.contains("个单位发出催办"),
        "{}",
        b.text().await
    );

    // The reporter sees the reason first, fixes and resubmits.
    b.sign_in(&s.base, "rep1", PASSWORD).await;
    let text = b.text().await;
    assert!(text.contains("退回理由：请补充培训人数。"), "{text}");
    assert!(text.contains("【催办】市发改局"), "the 催办 shows: {text}");
    let reason_at = text.find("退回理由").unwrap();
    let other_task_at = text.find(&owed[1].task).unwrap();
    assert!(reason_at < other_task_at, "returned items come first");
    b.goto(&form(a)).await;
    assert!(b.text().await.contains("专班办公室退回：请补充培训人数。"));
    b.fill(
        "textarea[name=progress]",
        "完成第一批职业技能培训，共 320 人。",
    )
    .await;
    b.click("button[name=action][value=submit]").await;
    assert!(b.text().await.contains("已报送"));

    // The office accepts it.
    b.sign_in(&s.base, "office1", PASSWORD).await;
    b.goto(&format!("{}/r/{}/desk?plan=1", s.base, s.region))
        .await;
    b.click(&format!("{review_a} button[value=accept]")).await;
    assert!(b.text().await.contains("已审核通过"), "{}", b.text().await);
    let reports = s.store.current_reports(&s.region, &cycle).await.unwrap();
    let ra = reports.iter().find(|r| &r.task_id == a).unwrap();
    assert_eq!(ra.state, "accepted");
    assert!(ra.progress.contains("320 人"));
    assert_eq!(
        reports.iter().find(|r| &r.task_id == bt).unwrap().state,
        "submitted"
    );

    // The task page shows A's light with its reason and percentages in range.
    b.goto(&format!(
        "{}/r/{}/cycles/{}/tasks/{a}",
        s.base, s.region, cycle.id
    ))
    .await;
    let text = b.text().await;
    let line = text
        .lines()
        .skip_while(|l| !l.contains("完成 / 序时进度"))
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let percents: Vec<f64> = line
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(percents.len(), 2, "completion and time progress: {line}");
    assert!(percents.iter().all(|p| (0.0..=100.0).contains(p)), "{line}");
    assert!(text.contains("灯"), "{text}");
    // The light's reason is in Chinese only (the API keeps both halves).
    let light = b
        .client
        .find(Locator::XPath("//dt[.='灯']/following-sibling::dd[1]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        light.ends_with('。') && !light.chars().any(|c| c.is_ascii_alphabetic()),
        "a Chinese reason without its English half: {light}"
    );

    // A second reporter edits C while the first saved it: stale, text kept.
    b.sign_in(&s.base, "rep2", PASSWORD).await;
    b.goto(&form(c)).await;
    s.store
        .save_report(
            &s.region,
            &cycle.id,
            c,
            &s.unit,
            &ReportInput {
                version: 0,
                status: "in_progress".into(),
                completion: 10.0,
                current_value: None,
                progress: "由 rep1 先保存。".into(),
                problems: String::new(),
                next_steps: String::new(),
                coordination: vec![],
                attachments: vec![],
                submit: false,
            },
            "rep1",
            today(),
        )
        .await
        .unwrap();
    b.fill("textarea[name=progress]", "rep2 写的进展，不能丢。")
        .await;
    b.click("button[name=action][value=draft]").await;
    let text = b.text().await;
    assert!(text.contains("已被他人修改"), "{text}");
    assert_eq!(
        b.value("textarea[name=progress]").await,
        "rep2 写的进展，不能丢。",
        "what was typed is kept"
    );

    // A reporter opening an office page is refused, on a page that says why.
    b.goto(&format!("{}/r/{}/desk", s.base, s.region)).await;
    let text = b.text().await;
    assert!(
        text.contains("无权访问") && text.contains("工作台"),
        "{text}"
    );

    // A form posted without its CSRF token is refused.
    b.goto(&form(c)).await;
    b.client
        .execute(
            "document.querySelector('form[data-guard] input[name=csrf]').remove()",
            vec![],
        )
        .await
        .unwrap();
    b.fill("textarea[name=progress]", "没有令牌的提交").await;
    b.click("button[name=action][value=draft]").await;
    assert!(b.text().await.contains("表单令牌"), "{}", b.text().await);
    let now = s.store.current_reports(&s.region, &cycle).await.unwrap();
    assert!(
        now.iter().all(|r| !r.progress.contains("没有令牌")),
        "nothing was saved"
    );

    // Signing out needs the form token too, and ends the session.
    b.goto(&format!("{}/account", s.base)).await;
    b.click("header form[action='/logout'] button").await;
    b.goto(&format!("{}/r/{}/workbench", s.base, s.region))
        .await;
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/login"));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sixth_wrong_password_is_throttled() {
    let s = site().await;
    let b = Browser::start(1280, 900).await;
    for attempt in 1..=5 {
        b.sign_in(&s.base, "rep1", "wrong-password").await;
        assert!(
            b.text().await.contains("用户名或密码不正确"),
            "attempt {attempt}"
        );
        assert_eq!(
            b.value("input[name=username]").await,
            "rep1",
            "the name is kept"
        );
    }
    b.sign_in(&s.base, "rep1", "wrong-password").await;
    assert!(
        b.text().await.contains("登录失败次数过多"),
        "{}",
        b.text().await
    );
    // Even the right password waits now.
    b.sign_in(&s.base, "rep1", PASSWORD).await;
    assert!(b.text().await.contains("登录失败次数过多"));
    // Every attempt is in the audit log.
    let audit = s.store.audit_log(&s.region, None, 100).await.unwrap();
    let failed = audit.iter().filter(|e| e.action == "login.failed").count();
    let throttled = audit
        .iter()
        .filter(|e| e.action == "login.throttled")
        .count();
    assert_eq!((failed, throttled), (5, 2));
    // Another account from elsewhere is not affected by rep1's lock (but this
    // address is: five failures from one address lock the address too).
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_visitors_go_to_the_sign_in_page() {
    let s = site().await;
    let b = Browser::start(375, 812).await;
    b.goto(&format!("{}/", s.base)).await;
    assert_eq!(b.client.current_url().await.unwrap().path(), "/login");
    b.goto(&format!("{}/r/{}/workbench", s.base, s.region))
        .await;
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/login");
    assert!(url.query().unwrap_or("").contains("next="));
    // Signing in returns to the page asked for.
    b.fill("input[name=username]", "rep1").await;
    b.fill("input[name=password]", PASSWORD).await;
    b.click("form button[type=submit]").await;
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/workbench"));
    b.close().await;
}
