//! Backup and restore (issue 7): a backup taken while the ledger is in use
//! is consistent, and the restored ledger answers every read exactly like
//! the original.

use duban_core::dates::Date;
use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::{fresh_sqlite_url, report_input};
use duban_store::{NewUser, Store, StoreError, TaskFilter};
use std::path::PathBuf;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// Every read the store offers, over every region, cycle and task, as text.
async fn every_read(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    let as_of = d("2025-06-30");
    let regions = store.regions().await.unwrap();
    out.push(format!("{regions:?}"));
    out.push(format!("{:?}", store.users(None).await.unwrap()));
    out.push(format!("{:?}", store.tokens(None).await.unwrap()));
    for r in &regions {
        let id = r.id.as_str();
        out.push(format!("{:?}", store.ledger_version(id).await.unwrap()));
        out.push(format!("{:?}", store.counts(id).await.unwrap()));
        out.push(format!("{:?}", store.plans(id).await.unwrap()));
        let tasks = store.tasks(id, &TaskFilter::default()).await.unwrap();
        out.push(format!("{tasks:?}"));
        for t in &tasks {
            out.push(format!("{:?}", store.task(id, &t.id).await.unwrap()));
            out.push(format!("{:?}", store.list_items(id, &t.id).await.unwrap()));
        }
        out.push(format!("{:?}", store.targets(id, None).await.unwrap()));
        out.push(format!("{:?}", store.task_forces(id).await.unwrap()));
        out.push(format!("{:?}", store.units(id).await.unwrap()));
        out.push(format!(
            "{:?}",
            store.audit_log(id, None, 100_000).await.unwrap()
        ));
        out.push(format!(
            "{:?}",
            store.coordination_requests(id, None).await.unwrap()
        ));
        out.push(format!("{:?}", store.notifications(id).await.unwrap()));
        out.push(format!("{:?}", store.reminders(id, as_of).await.unwrap()));
        out.push(format!(
            "{:?}",
            store.region_summary(id, as_of).await.unwrap()
        ));
        for c in store.cycles(id, None).await.unwrap() {
            out.push(format!("{c:?}"));
            out.push(format!(
                "{:?}",
                store.expected_reports(id, &c).await.unwrap()
            ));
            out.push(format!(
                "{:?}",
                store.current_reports(id, &c).await.unwrap()
            ));
            out.push(format!(
                "{:?}",
                store.evaluate(id, &c, as_of).await.unwrap()
            ));
            out.push(format!(
                "{:?}",
                store.expected_indicators(id, &c).await.unwrap()
            ));
        }
    }
    out
}

#[tokio::test]
async fn a_restored_ledger_answers_every_read_like_the_original() {
    let url = fresh_sqlite_url();
    let store = Store::open(&url).await.unwrap();
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    let r = store
        .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "t")
        .await
        .unwrap();
    store.import(&r, &plan, "t").await.unwrap();
    store
        .add_user(
            &r.id,
            NewUser {
                name: UserName::parse("admin").unwrap(),
                role: Role::Admin,
                unit: None,
                campaign: None,
                password: Some("long enough".into()),
            },
            "t",
        )
        .await
        .unwrap();
    let (_, token) = store.create_token("admin", "t").await.unwrap();
    let cycles = store
        .schedule_cycles(&r.id, 1, d("2025-01-06"), d("2025-12-31"), "t")
        .await
        .unwrap();
    for (i, c) in cycles.iter().take(4).enumerate() {
        let today = d(&c.due_on);
        for e in store
            .expected_reports(&r.id, c)
            .await
            .unwrap()
            .iter()
            .take(12)
        {
            let input = report_input(0, "in_progress", 10.0 * (i + 1) as f64, true);
            store
                .save_report(&r.id, &c.id, &e.task_id, &e.unit_id, &input, "t", today)
                .await
                .unwrap();
        }
        store
            .close_cycle(&r.id, &c.id, today.add_days(1), "office1")
            .await
            .unwrap();
    }
    assert!(!every_read(&store).await.is_empty());

    // The backup is taken while another task keeps writing.
    let writer = {
        let store = store.clone();
        let region = r.id.clone();
        let cycle = cycles[5].clone();
        tokio::spawn(async move {
            let due = store.expected_reports(&region, &cycle).await.unwrap();
            for e in due.iter().take(30) {
                let input = report_input(0, "in_progress", 5.0, false);
                store
                    .save_report(
                        &region,
                        &cycle.id,
                        &e.task_id,
                        &e.unit_id,
                        &input,
                        "t",
                        d("2025-03-20"),
                    )
                    .await
                    .unwrap();
            }
        })
    };
    let dir = PathBuf::from(fresh_sqlite_url().trim_start_matches("sqlite://"))
        .parent()
        .unwrap()
        .to_path_buf();
    std::fs::create_dir_all(&dir).unwrap();
    let backup = dir.join("ledger-backup.db");
    store.backup(&backup).await.unwrap();
    writer.await.unwrap();
    assert!(
        matches!(store.backup(&backup).await, Err(StoreError::Invalid(_))),
        "a backup is never overwritten"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let after_writes = every_read(&store).await;

    // Restore into a new ledger. The backup saw one moment of the writes:
    // every report of the open cycle it holds is one the live ledger has,
    // whole; the closed cycles answer exactly as before.
    let target = fresh_sqlite_url();
    Store::restore(&backup, &target, false).await.unwrap();
    let restored = Store::open_existing(&target).await.unwrap();
    let live: Vec<String> = store
        .current_reports(&r.id, &cycles[5])
        .await
        .unwrap()
        .iter()
        .map(|x| format!("{x:?}"))
        .collect();
    let copied = restored.current_reports(&r.id, &cycles[5]).await.unwrap();
    assert!(copied.len() <= 30);
    for x in &copied {
        assert!(live.contains(&format!("{x:?}")), "{x:?}");
    }
    for c in cycles.iter().take(4) {
        assert_eq!(
            format!(
                "{:?}",
                restored.evaluate(&r.id, c, d("2025-06-30")).await.unwrap()
            ),
            format!(
                "{:?}",
                store.evaluate(&r.id, c, d("2025-06-30")).await.unwrap()
            )
        );
    }
    // And the token still signs in.
    assert!(restored
        .principal_for_token(&token)
        .await
        .unwrap()
        .is_some());

    // A quiet ledger restores to exactly the same answers.
    let quiet = dir.join("quiet.db");
    store.backup(&quiet).await.unwrap();
    let target = fresh_sqlite_url();
    Store::restore(&quiet, &target, false).await.unwrap();
    let restored = Store::open_existing(&target).await.unwrap();
    assert_eq!(every_read(&restored).await, after_writes);

    // Restoring over an existing ledger needs `replace`; a file that is not
    // a ledger is refused.
    assert!(matches!(
        Store::restore(&quiet, &target, false).await,
        Err(StoreError::Invalid(_))
    ));
    drop(restored);
    Store::restore(&quiet, &target, true).await.unwrap();
    let junk = dir.join("junk.db");
    std::fs::write(&junk, "not a ledger").unwrap();
    assert!(Store::restore(&junk, &fresh_sqlite_url(), false)
        .await
        .is_err());
}
