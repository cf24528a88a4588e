//! The coordination group's pages end to end: the real server on a random
//! port over SQLite, driven like a browser (cookies, form tokens read from
//! the HTML, multipart uploads), checked against the ledger itself.

use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::fresh_sqlite_url;
use duban_store::{NewUser, Region, Store, TaskFilter};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use std::path::PathBuf;

const ADMIN_PW: &str = "admin-pass-1";

struct Site {
    base: String,
    store: Store,
    region: Region,
}

fn sample() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap()
}

/// A fresh ledger with an admin; with the sample imported, also an office,
/// a reporter and a leader (they need its campaigns and units).
async fn spawn(with_sample: bool) -> Site {
    let store = Store::open(&fresh_sqlite_url()).await.unwrap();
    let region = store
        .ensure_region(
            &RegionName::parse("汨罗市").unwrap(),
            Some(&RegionName::parse("岳阳市").unwrap()),
            "test",
        )
        .await
        .unwrap();
    let mut users = vec![("admin", Role::Admin, None, None)];
    if with_sample {
        let plan = duban_plan::parse(&sample(), "miluo.txt").unwrap();
        store.import(&region, &plan, "test").await.unwrap();
        users.extend([
            ("office1", Role::Office, None, Some(1)),
            ("rsj", Role::Reporter, Some("市人社局"), None),
            ("leader", Role::Leader, None, None),
        ]);
    }
    for (name, role, unit, campaign) in users {
        let new = NewUser {
            name: UserName::parse(name).unwrap(),
            role,
            unit: unit.map(str::to_string),
            campaign,
            password: Some(ADMIN_PW.into()),
        };
        store.add_user(&region.id, new, "test").await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(duban_web::serve(
        listener,
        store.clone(),
        Default::default(),
    ));
    Site {
        base,
        store,
        region,
    }
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn admin(&self, page: &str) -> String {
        self.url(&format!("/r/{}/admin/{page}", self.region.id))
    }

    /// A browser: keeps cookies, does not follow redirects (the tests check them).
    fn browser() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    async fn try_sign_in(&self, user: &str, password: &str) -> (Client, StatusCode) {
        let c = Site::browser();
        let status = c
            .post(self.url("/login"))
            .form(&[("username", user), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap()
            .status();
        (c, status)
    }

    async fn sign_in(&self, user: &str, password: &str) -> Client {
        let (c, status) = self.try_sign_in(user, password).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{user} signs in");
        c
    }
}

async fn get(c: &Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Posts a form; returns the status, the redirect target and the body.
async fn post(c: &Client, url: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    (r.status(), location, r.text().await.unwrap())
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `(name, value)` of every `<input name=… value=…>` of a page, in order.
fn inputs(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, a: &str| {
        let start = tag.find(&format!(" {a}=\""))? + a.len() + 3;
        let end = tag[start..].find('"')? + start;
        Some(unescape(&tag[start..end]))
    };
    html.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()))
        })
        .collect()
}

/// The form token of a page (hidden input `csrf`).
fn csrf(html: &str) -> String {
    inputs(html)
        .into_iter()
        .find(|(n, _)| n == "csrf")
        .map(|(_, v)| v)
        .expect("the page carries a form token")
}

async fn upload(
    site: &Site,
    c: &Client,
    file_name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, String, String) {
    let (_, page) = get(c, &site.admin("import")).await;
    let form = Form::new()
        .text("csrf", csrf(&page))
        .part("file", Part::bytes(bytes).file_name(file_name.to_string()));
    let r = c
        .post(site.admin("import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    (r.status(), location, r.text().await.unwrap())
}

#[tokio::test]
async fn a_plan_is_previewed_corrected_and_imported_and_a_revision_shows_its_diff() {
    let site = spawn(false).await;
    let admin = site.sign_in("admin", ADMIN_PW).await;
    let plan = duban_plan::parse(&sample(), "miluo.txt").unwrap();

    let (status, preview_url, _) = upload(&site, &admin, "miluo.txt", sample()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, preview) = get(&admin, &site.url(&preview_url)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(preview.contains(&format!("任务（{}）", plan.tasks.len())));
    for t in &plan.tasks {
        assert!(preview.contains(&t.title), "preview lists {}", t.title);
    }
    // Nothing is written before the confirmation.
    assert!(site
        .store
        .tasks(&site.region.id, &TaskFilter::default())
        .await
        .unwrap()
        .is_empty());

    // Correct the first task's lead, submitting every input as a browser would.
    let task = &plan.tasks[0];
    let corrected = if task.lead_units[0] == "市财政局" {
        "市发改局"
    } else {
        "市财政局"
    };
    let mut form = inputs(&preview);
    let confirm_start = preview.find("/confirm\"").unwrap();
    let cancel_start = preview.find("/cancel\"").unwrap();
    form.retain(|(n, _)| n.starts_with("lead.") || n.starts_with("co.") || n == "csrf");
    assert_eq!(
        form.iter().filter(|(n, _)| n.starts_with("lead.")).count(),
        plan.tasks.len(),
        "one lead input per task"
    );
    assert!(confirm_start < cancel_start);
    for (name, value) in form.iter_mut() {
        if *name == format!("lead.{}", task.id) {
            assert_eq!(
                *value,
                task.lead_units.join("、"),
                "the parsed lead is the default"
            );
            *value = corrected.to_string();
        }
        if *name == format!("co.{}", task.id) {
            // A unit may not both lead and assist: drop it from the co units.
            *value = task
                .co_units
                .iter()
                .filter(|u| *u != corrected)
                .cloned()
                .collect::<Vec<_>>()
                .join("、");
        }
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let confirm_url = site.url(&format!("{preview_url}/confirm"));
    let (status, location, _) = post(&admin, &confirm_url, &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("done=imported"), "{location}");

    let tasks = site
        .store
        .tasks(&site.region.id, &TaskFilter::default())
        .await
        .unwrap();
    assert_eq!(tasks.len(), plan.tasks.len());
    let stored = tasks
        .iter()
        .find(|t| t.title == task.title && t.plan == i64::from(task.plan))
        .unwrap();
    let leads: Vec<&str> = stored.lead_units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(leads, [corrected]);
    assert!(!stored.lead_inferred);
    // Other tasks keep what the parser read.
    let second = tasks
        .iter()
        .find(|t| t.title == plan.tasks[1].title)
        .unwrap();
    let leads: Vec<String> = second.lead_units.iter().map(|u| u.name.clone()).collect();
    assert_eq!(leads, plan.tasks[1].lead_units);
    // The upload is gone, and the confirmation (with the correction) audited.
    let (status, _) = get(&admin, &site.url(&preview_url)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let log = site
        .store
        .audit_log(&site.region.id, None, 1000)
        .await
        .unwrap();
    let confirmed = log.iter().find(|e| e.action == "import.confirm").unwrap();
    assert_eq!(confirmed.actor, "admin");
    assert_eq!(
        confirmed.after.as_ref().unwrap()["corrections"][0]["leads"][0],
        corrected
    );

    // The same file again: nothing to confirm, no revision diff.
    let (status, again_url, _) = upload(&site, &admin, "miluo.txt", sample()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, again) = get(&admin, &site.url(&again_url)).await;
    assert!(again.contains("以前已原样导入过"));
    assert!(!again.contains("确认导入</button>") && !again.contains("id=\"diff\""));

    // A revision: one task reassigned, one reworded.
    let text = String::from_utf8(sample()).unwrap();
    let reassigned = "(市商务粮食局牵头，市发改局、市工信局、市文旅广电局";
    let reworded = "精心策划开展消费品以旧换新宣传月活动";
    assert!(text.contains(reassigned) && text.contains(reworded));
    let revised = text
        .replace(
            reassigned,
            "(市发改局牵头，市商务粮食局、市工信局、市文旅广电局",
        )
        .replace(reworded, "精心策划开展消费品以旧换新宣传季活动");
    let (status, preview_url, _) =
        upload(&site, &admin, "miluo-v2.txt", revised.into_bytes()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, preview) = get(&admin, &site.url(&preview_url)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(preview.contains("的修订版"), "a revision is announced");
    let diff = &preview[preview.find("id=\"diff\"").expect("a diff table")..];
    let diff = &diff[..diff.find("</table>").unwrap()];
    let rows: Vec<&str> = diff.split("<tr class=\"change\">").skip(1).collect();
    // The two edits, and the task corrected on the first import: the
    // document still names its original lead, and the preview says so.
    assert_eq!(rows.len(), 3, "exactly the changed tasks: {diff}");
    assert!(rows.iter().any(|r| r.contains(&task.title)
        && r.contains("调整责任单位")
        && r.contains(&format!("牵头：{corrected}"))
        && r.contains(&format!("牵头：{}", task.lead_units.join("、")))));
    assert!(rows.iter().any(|r| r.contains("创新消费场景")
        && r.contains("调整责任单位")
        && r.contains("牵头：市商务粮食局")
        && r.contains("牵头：市发改局")));
    assert!(rows
        .iter()
        .any(|r| r.contains("完善消费政策") && r.contains("改写")));
    // The dry run wrote nothing: the ledger still has the first version.
    let after = site
        .store
        .tasks(&site.region.id, &TaskFilter::default())
        .await
        .unwrap();
    assert_eq!(after, tasks);

    // Cancelling drops the upload.
    let cancel_url = site.url(&format!("{preview_url}/cancel"));
    let (status, location, _) = post(&admin, &cancel_url, &[("csrf", &csrf(&preview))]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("done=cancelled"));
    assert_eq!(
        get(&admin, &site.url(&preview_url)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_plan_is_refused_with_the_parsers_message() {
    let site = spawn(false).await;
    let admin = site.sign_in("admin", ADMIN_PW).await;
    let (status, _, body) = upload(
        &site,
        &admin,
        "notes.txt",
        "会议纪要：今天天气很好，大家讨论了午饭吃什么。"
            .as_bytes()
            .to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("没有找到任何带责任单位的任务"), "{body}");
    assert!(body.contains("notes.txt"));
    let (status, _, body) = upload(
        &site,
        &admin,
        "scan.png",
        vec![0x89, b'P', b'N', b'G', 0, 1, 2],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("class=\"error\""), "{body}");
}

#[tokio::test]
async fn accounts_are_created_reset_disabled_and_their_tokens_revoked() {
    let site = spawn(true).await;
    let admin = site.sign_in("admin", ADMIN_PW).await;
    let (_, page) = get(&admin, &site.admin("users")).await;
    let token = csrf(&page);
    let (status, location, _) = post(
        &admin,
        &site.admin("users"),
        &[
            ("csrf", &token),
            ("name", "zhangsan"),
            ("role", "reporter"),
            ("unit", "市发改局"),
            ("campaign", ""),
            ("password", "first-pass-1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "created");
    assert!(location.ends_with("done=created"));
    // A refused creation keeps what was typed and says why.
    let (status, _, body) = post(
        &admin,
        &site.admin("users"),
        &[
            ("csrf", &token),
            ("name", "lisi"),
            ("role", "reporter"),
            ("unit", ""),
            ("password", "first-pass-1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("填报账号必须指定所属单位"), "{body}");
    assert!(body.contains("value=\"lisi\""));

    let user_page = site.admin("users/zhangsan");
    let old = site.sign_in("zhangsan", "first-pass-1").await;
    assert_eq!(get(&old, &site.url("/account")).await.0, StatusCode::OK);
    let (status, _, _) = post(
        &admin,
        &format!("{user_page}/password"),
        &[("csrf", &token), ("password", "second-pass-2")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The reset ends the old session; only the new password signs in.
    assert_eq!(
        get(&old, &site.url("/account")).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        site.try_sign_in("zhangsan", "first-pass-1").await.1,
        StatusCode::UNAUTHORIZED
    );
    let zhangsan = site.sign_in("zhangsan", "second-pass-2").await;
    assert_eq!(
        get(&zhangsan, &site.url("/account")).await.0,
        StatusCode::OK
    );

    // Role change applies at once.
    let (status, _, _) = post(
        &admin,
        &user_page,
        &[
            ("csrf", &token),
            ("role", "leader"),
            ("unit", ""),
            ("campaign", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let user = site.store.user("zhangsan").await.unwrap();
    assert_eq!((user.role, user.unit_id), (Role::Leader, None));

    // A token: shown once, works on the API, then revoked: 401.
    let (status, _, body) = post(&admin, &format!("{user_page}/tokens"), &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::OK);
    let start = body.find("id=\"new-token\">").unwrap() + "id=\"new-token\">".len();
    let api_token = body[start..start + body[start..].find('<').unwrap()].to_string();
    assert!(api_token.len() >= 32, "{api_token}");
    let api = reqwest::Client::new();
    let regions = site.url("/api/v1/regions");
    let status = |t: String| {
        let (api, regions) = (api.clone(), regions.clone());
        async move {
            api.get(regions)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(status(api_token.clone()).await, StatusCode::OK);
    let (_, page) = get(&admin, &user_page).await;
    assert!(!page.contains(&api_token), "a token is shown only once");
    let id = site.store.tokens(Some("zhangsan")).await.unwrap()[0]
        .id
        .clone();
    assert!(page.contains(&format!("tokens/{id}/revoke")));
    let (code, location, _) = post(
        &admin,
        &format!("{user_page}/tokens/{id}/revoke"),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    assert!(location.ends_with("done=revoked"));
    assert_eq!(status(api_token.clone()).await, StatusCode::UNAUTHORIZED);

    // Disabled: the session ends and signing in is refused; enabled again: works.
    let (code, _, _) = post(
        &admin,
        &format!("{user_page}/disable"),
        &[("csrf", &token), ("disabled", "1")],
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&zhangsan, &site.url("/account")).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        site.try_sign_in("zhangsan", "second-pass-2").await.1,
        StatusCode::UNAUTHORIZED
    );
    let (_, list) = get(&admin, &site.admin("users")).await;
    let row = &list[list.find(">zhangsan</a>").unwrap()..];
    assert!(row[..row.find("</tr>").unwrap()].contains("已停用"));
    let (code, _, _) = post(
        &admin,
        &format!("{user_page}/disable"),
        &[("csrf", &token), ("disabled", "0")],
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    site.sign_in("zhangsan", "second-pass-2").await;
    // The admin cannot lock itself out.
    let (code, _, body) = post(
        &admin,
        &site.admin("users/admin/disable"),
        &[("csrf", &token), ("disabled", "1")],
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("不能停用自己"));

    // The audit page filters by user.
    let (code, audit) = get(&admin, &format!("{}?actor=zhangsan", site.admin("audit"))).await;
    assert_eq!(code, StatusCode::OK);
    let actors: Vec<&str> = audit
        .split("class=\"actor\">")
        .skip(1)
        .map(|s| &s[..s.find('<').unwrap()])
        .collect();
    assert!(
        actors.len() >= 2,
        "zhangsan's sign-ins are listed: {actors:?}"
    );
    assert!(actors.iter().all(|a| *a == "zhangsan"), "{actors:?}");
    let (_, by_admin) = get(
        &admin,
        &format!("{}?actor=admin&action=user.", site.admin("audit")),
    )
    .await;
    let actions: Vec<&str> = by_admin
        .split("<small class=\"muted\">")
        .skip(1)
        .map(|s| &s[..s.find('<').unwrap()])
        .filter(|s| s.contains('.'))
        .collect();
    for want in [
        "user.create",
        "user.password",
        "user.update",
        "user.disable",
        "user.enable",
    ] {
        assert!(actions.contains(&want), "{want} in {actions:?}");
    }
    assert!(
        actions.iter().all(|a| a.starts_with("user.")),
        "{actions:?}"
    );
}

#[tokio::test]
async fn holidays_are_added_and_removed() {
    let site = spawn(true).await;
    let admin = site.sign_in("admin", ADMIN_PW).await;
    let (_, page) = get(&admin, &site.admin("holidays")).await;
    let token = csrf(&page);
    let (code, _, _) = post(
        &admin,
        &site.admin("holidays"),
        &[("csrf", &token), ("day", "2025-10-01"), ("name", "国庆节")],
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    let (_, page) = get(&admin, &site.admin("holidays")).await;
    assert!(page.contains("2025-10-01") && page.contains("国庆节"));
    let stored = site.store.holidays(&site.region.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    // A wrong date is refused on the page with what was typed.
    let (code, _, body) = post(
        &admin,
        &site.admin("holidays"),
        &[("csrf", &token), ("day", "2025-13-01"), ("name", "不存在")],
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("value=\"不存在\""));
    let (code, _, _) = post(
        &admin,
        &site.admin("holidays/2025-10-01/remove"),
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    assert!(site
        .store
        .holidays(&site.region.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn units_awaiting_review_are_merged_and_aliased() {
    let site = spawn(true).await;
    let admin = site.sign_in("admin", ADMIN_PW).await;
    let (code, page) = get(&admin, &site.admin("units")).await;
    assert_eq!(code, StatusCode::OK);
    let token = csrf(&page);
    let units = site.store.units(&site.region.id).await.unwrap();
    for u in &units {
        assert!(page.contains(&u.name), "{} listed", u.name);
    }
    let (code, _, _) = post(
        &admin,
        &site.admin("units/alias"),
        &[
            ("csrf", &token),
            ("unit", "市发改局"),
            ("alias", "汨罗市发改局"),
        ],
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    let unit = site
        .store
        .unit(&site.region.id, "汨罗市发改局")
        .await
        .unwrap();
    assert_eq!(unit.name, "市发改局");
    // Merging a unit into itself is refused on the page.
    let (code, _, body) = post(
        &admin,
        &site.admin("units/merge"),
        &[
            ("csrf", &token),
            ("from", "市发改局"),
            ("into", "汨罗市发改局"),
        ],
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("同一个单位"));
    // A unit the import created is confirmed as a unit of its own, once.
    let pending = units.iter().find(|u| u.review.is_some()).unwrap();
    let review = [("csrf", token.as_str()), ("unit", pending.id.as_str())];
    let (code, _, _) = post(&admin, &site.admin("units/review"), &review).await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    let reviewed = site.store.unit(&site.region.id, &pending.id).await.unwrap();
    assert_eq!((reviewed.review, reviewed.suggested), (None, None));
    let (code, _, body) = post(&admin, &site.admin("units/review"), &review).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("已复核过"));
    let (code, _, _) = post(
        &admin,
        &site.admin("units/merge"),
        &[("csrf", &token), ("from", "市人社局"), ("into", "市发改局")],
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    assert_eq!(
        site.store
            .unit(&site.region.id, "市人社局")
            .await
            .unwrap()
            .name,
        "市发改局"
    );
}

#[tokio::test]
async fn only_the_admin_may_open_or_post_to_an_admin_page() {
    let site = spawn(true).await;
    let pages = [
        "import",
        "import/x",
        "units",
        "users",
        "users/admin",
        "holidays",
        "audit",
    ];
    for who in ["office1", "rsj", "leader"] {
        let c = site.sign_in(who, ADMIN_PW).await;
        for page in pages {
            assert_eq!(
                get(&c, &site.admin(page)).await.0,
                StatusCode::FORBIDDEN,
                "{who} GET {page}"
            );
        }
        // Even with a valid form token of their own session.
        let (_, own) = get(&c, &site.url("/account")).await;
        let token = csrf(&own);
        for page in [
            "users",
            "users/admin",
            "users/admin/password",
            "users/admin/disable",
            "users/admin/tokens",
            "holidays",
            "holidays/2025-10-01/remove",
            "units/merge",
            "units/alias",
            "units/review",
            "import/x/confirm",
            "import/x/cancel",
        ] {
            let (code, _, _) = post(
                &c,
                &site.admin(page),
                &[("csrf", &token), ("name", "x"), ("day", "2025-10-01")],
            )
            .await;
            assert_eq!(code, StatusCode::FORBIDDEN, "{who} POST {page}");
        }
        let form = Form::new()
            .text("csrf", token.clone())
            .part("file", Part::bytes(sample()).file_name("miluo.txt"));
        let r = c
            .post(site.admin("import"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who} uploads");
    }
    // Nobody signed in is sent to the sign-in page.
    let anon = Site::browser();
    let r = anon.get(site.admin("users")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

#[tokio::test]
async fn a_post_without_the_form_token_is_refused() {
    let site = spawn(true).await;
    let admin = site.sign_in("admin", ADMIN_PW).await;
    let (code, _, body) = post(
        &admin,
        &site.admin("holidays"),
        &[("day", "2025-10-01"), ("name", "国庆节")],
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert!(body.contains("表单令牌"));
    let (code, _, _) = post(
        &admin,
        &site.admin("users"),
        &[
            ("csrf", "forged"),
            ("name", "mallory"),
            ("role", "admin"),
            ("password", "mallory-pass"),
        ],
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert!(site
        .store
        .holidays(&site.region.id)
        .await
        .unwrap()
        .is_empty());
    assert!(site.store.user("mallory").await.is_err());
    let form = Form::new().part("file", Part::bytes(sample()).file_name("miluo.txt"));
    let r = admin
        .post(site.admin("import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
