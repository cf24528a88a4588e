//! `duban publish` end to end, by running the real binary on SQLite and on
//! PostgreSQL: a closed cycle is published and the public page's data
//! (`Store::published`, the `duban_core::public` view) then holds it,
//! snapshot equal to the view computed from the ledger, audited with the
//! command-line actor; an open cycle is refused with exit code 5 and an
//! unknown one with exit code 2, Chinese first; a second publish is
//! refused; `--list` shows both states; withdraw takes it off the page.

use assert_cmd::Command;
use duban_core::dates::Date;
use duban_store::testing::{fresh_postgres_url, fresh_sqlite_url};
use duban_store::Store;
use std::path::PathBuf;
use std::process::Output;

const REGION: &str = "汨罗市";

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `duban --db URL ARGS…` with a known `USER` (the audit actor).
fn duban(url: &str, args: &[&str]) -> Output {
    Command::cargo_bin("duban")
        .unwrap()
        .env_remove("DUBAN_DATABASE_URL")
        .env("USER", "publisher")
        .arg("--db")
        .arg(url)
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A refusal: the exit code, and a message in Chinese first, then English.
fn refused(out: &Output, code: i32, zh: &str, en: &str) {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(code), "{stdout}\n{stderr}");
    let (at_zh, at_en) = (stderr.find(zh), stderr.find(en));
    assert!(
        stderr.starts_with("错误") && at_zh.is_some() && at_en.is_some() && at_zh < at_en,
        "Chinese first, then English: {stderr}"
    );
}

fn scenario(url: &str) {
    let rt = runtime();
    let out = Command::cargo_bin("duban")
        .unwrap()
        .env_remove("DUBAN_DATABASE_URL")
        .arg("--db")
        .arg(url)
        .arg("import")
        .arg(sample())
        .args(["--region", REGION])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));

    // Campaign 1: cycle 1 closed (with one report), cycle 2 open.
    let store = rt.block_on(Store::open_existing(url)).unwrap();
    let region = rt.block_on(store.region(REGION)).unwrap();
    let (closed, open) = rt.block_on(async {
        let due = Date::new(2025, 5, 30).unwrap();
        let c1 = store
            .open_cycle(
                &region.id,
                1,
                Date::new(2025, 5, 19).unwrap(),
                due,
                "regular",
                "test",
            )
            .await
            .unwrap();
        let task = store
            .tasks(&region.id, &duban_store::TaskFilter::default())
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.plan == 1 && !t.lead_units.is_empty())
            .unwrap();
        let mut input = duban_store::testing::report_input(0, "done", 100.0, true);
        input.progress = "已完成。".into();
        store
            .save_report(
                &region.id,
                &c1.id,
                &task.id,
                &task.lead_units[0].id,
                &input,
                "test",
                due,
            )
            .await
            .unwrap();
        store
            .close_cycle(&region.id, &c1.id, due, "test")
            .await
            .unwrap();
        let c2 = store
            .open_cycle(
                &region.id,
                1,
                Date::new(2025, 6, 2).unwrap(),
                Date::new(2025, 6, 13).unwrap(),
                "regular",
                "test",
            )
            .await
            .unwrap();
        (c1.id, c2.id)
    });
    let public = || rt.block_on(store.published(&region.id)).unwrap().campaigns;

    // Nothing published yet; the closed cycle is offered, the open one not.
    let out = duban(url, &["publish", "--region", REGION, "--list"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let offered = stdout
        .split("可发布的已关闭周期")
        .nth(1)
        .unwrap_or_default();
    assert!(offered.contains(&closed), "{stdout}");
    assert!(!stdout.contains(&open), "{stdout}");

    // An open cycle is refused (exit 5), an unknown one too (exit 2).
    refused(
        &duban(url, &["publish", "--region", REGION, "--cycle", &open]),
        5,
        "只能发布已关闭的调度周期",
        "Only a closed cycle",
    );
    refused(
        &duban(
            url,
            &["publish", "--region", REGION, "--cycle", "no-such-cycle"],
        ),
        2,
        "没有调度周期",
        "No cycle",
    );
    assert!(public().is_empty(), "nothing published by a refusal");

    // The closed cycle: on the public page, exactly as the ledger has it.
    let out = duban(url, &["publish", "--region", REGION, "--cycle", &closed]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("已发布") && stdout.contains(&closed),
        "{stdout}"
    );
    let shown = public();
    assert_eq!(shown.len(), 1, "{shown:?}");
    let view = rt.block_on(store.public_view(&region.id, &closed)).unwrap();
    assert_eq!(shown[0], view);
    assert_eq!(shown[0].campaign, 1);
    assert!(
        shown[0].completed.iter().any(|t| !t.title.is_empty()),
        "the completed task is public: {:?}",
        shown[0]
    );
    let audit = rt
        .block_on(store.audit_log(&region.id, Some(&closed), 20))
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "publication.publish" && a.actor == "cli:publisher"),
        "{audit:?}"
    );

    // Once only; the list says it is public.
    refused(
        &duban(url, &["publish", "--region", REGION, "--cycle", &closed]),
        5,
        "已经发布",
        "already published",
    );
    let out = duban(url, &["publish", "--region", REGION, "--list"]);
    let (stdout, _) = text(&out);
    let records = stdout
        .split("可发布的已关闭周期")
        .next()
        .unwrap_or_default();
    assert!(
        records.contains(&closed)
            && records.contains("公开中")
            && records.contains("cli:publisher"),
        "{stdout}"
    );

    // Withdrawn: off the public page, audited; a second withdraw refused.
    let out = duban(
        url,
        &[
            "publish",
            "--region",
            REGION,
            "--cycle",
            &closed,
            "--withdraw",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("已撤回"), "{stdout}");
    assert!(public().is_empty(), "withdrawn from the public page");
    let audit = rt
        .block_on(store.audit_log(&region.id, Some(&closed), 20))
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "publication.withdraw" && a.actor == "cli:publisher"),
        "{audit:?}"
    );
    refused(
        &duban(
            url,
            &[
                "publish",
                "--region",
                REGION,
                "--cycle",
                &closed,
                "--withdraw",
            ],
        ),
        5,
        "没有发布",
        "not published",
    );
    let out = duban(url, &["publish", "--region", REGION, "--list"]);
    let (stdout, _) = text(&out);
    assert!(stdout.contains("已撤回"), "{stdout}");

    // Usage: --withdraw needs --cycle.
    let out = duban(url, &["publish", "--region", REGION, "--withdraw"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
}

#[test]
fn publish_from_the_command_line_on_sqlite() {
    scenario(&fresh_sqlite_url());
}

#[test]
fn publish_from_the_command_line_on_postgres() {
    let url = runtime().block_on(fresh_postgres_url());
    scenario(&url);
}
