//! Concurrent report saves (issue 12): on SQLite they are committed in
//! groups by one writer, each request in its own savepoint; on PostgreSQL
//! each in its own transaction. Either way every valid save is answered
//! with its own saved version, a stale one gets its 409 without failing its
//! neighbours, and what was answered is what is stored.

use duban_core::dates::Date;
use duban_core::names::RegionName;
use duban_store::testing::{fresh_stores, report_input as input};
use duban_store::{Store, StoreError};
use std::path::PathBuf;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

async fn ledger(store: &Store) -> (String, duban_store::Cycle, Vec<duban_store::Expected>) {
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
    let cycle = store
        .open_cycle(&r.id, 1, d("2025-03-17"), d("2025-03-28"), "regular", "t")
        .await
        .unwrap();
    let expected = store.expected_reports(&r.id, &cycle).await.unwrap();
    (r.id, cycle, expected)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_saves_with_one_stale_among_them() {
    let today = d("2025-03-20");
    for (backend, store) in fresh_stores().await {
        let (region, cycle, expected) = ledger(&store).await;
        assert!(expected.len() >= 30, "{backend}: {} pairs", expected.len());
        // The stale edit's pair already has version 1.
        let stale = &expected[0];
        store
            .save_report(
                &region,
                &cycle.id,
                &stale.task_id,
                &stale.unit_id,
                &input(0, "in_progress", 10.0, false),
                "t",
                today,
            )
            .await
            .unwrap();
        let before = store.ledger_version(&region).await.unwrap();
        let (groups_before, requests_before) = Store::group_commit_counts();

        let mut handles = Vec::new();
        for (i, e) in expected.iter().enumerate().take(30) {
            let (store, region, cycle_id, task, unit) = (
                store.clone(),
                region.clone(),
                cycle.id.clone(),
                e.task_id.clone(),
                e.unit_id.clone(),
            );
            // Pair 0 is sent at version 0 again: stale. The others are
            // first reports, some submitted, with their own completion.
            let version = 0;
            let submit = i % 3 == 0;
            handles.push(tokio::spawn(async move {
                store
                    .save_report(
                        &region,
                        &cycle_id,
                        &task,
                        &unit,
                        &input(version, "in_progress", i as f64, submit),
                        "u",
                        today,
                    )
                    .await
            }));
        }
        let mut answered = Vec::new();
        for (i, h) in handles.into_iter().enumerate() {
            let result = h.await.unwrap();
            if i == 0 {
                assert!(
                    matches!(result, Err(StoreError::Conflict(_))),
                    "{backend}: the stale save is a conflict, got {result:?}"
                );
            } else {
                let report = result.unwrap_or_else(|e| panic!("{backend}: save {i}: {e}"));
                assert_eq!(report.version, 1, "{backend}");
                assert_eq!(report.completion, i as f64, "{backend}");
                assert_eq!(
                    report.state,
                    if i % 3 == 0 { "submitted" } else { "draft" },
                    "{backend}"
                );
                answered.push(report);
            }
        }
        // What each request was answered is exactly what is stored.
        let stored = store.current_reports(&region, &cycle).await.unwrap();
        assert_eq!(
            stored.len(),
            30,
            "{backend}: 29 new reports and the first one"
        );
        for a in &answered {
            let s = stored
                .iter()
                .find(|s| s.id == a.id)
                .unwrap_or_else(|| panic!("{backend}: {} not stored", a.id));
            assert_eq!(s, a, "{backend}");
        }
        // The stale pair still has its first version, untouched.
        let kept = stored
            .iter()
            .find(|s| s.task_id == stale.task_id && s.unit_id == stale.unit_id)
            .unwrap();
        assert_eq!((kept.version, kept.completion), (1, 10.0), "{backend}");
        assert!(
            store.ledger_version(&region).await.unwrap() > before,
            "{backend}: readers see the change"
        );
        if backend == "sqlite" {
            let (groups, requests) = Store::group_commit_counts();
            assert_eq!(
                requests - requests_before,
                30,
                "every request went through the writer"
            );
            assert!(groups > groups_before, "committed in groups");
        }
    }
}

/// Two people save the same report from the same version at the same time:
/// exactly one wins, the other is told to reload; on SQLite this is decided
/// inside one group, by the savepoints.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_edits_of_one_report_one_wins() {
    let today = d("2025-03-20");
    for (backend, store) in fresh_stores().await {
        let (region, cycle, expected) = ledger(&store).await;
        for e in expected.iter().take(5) {
            let mut handles = Vec::new();
            for k in 0..8 {
                let (store, region, cycle_id, task, unit) = (
                    store.clone(),
                    region.clone(),
                    cycle.id.clone(),
                    e.task_id.clone(),
                    e.unit_id.clone(),
                );
                handles.push(tokio::spawn(async move {
                    store
                        .save_report(
                            &region,
                            &cycle_id,
                            &task,
                            &unit,
                            &input(0, "in_progress", k as f64, false),
                            "u",
                            today,
                        )
                        .await
                }));
            }
            let mut won = 0;
            for h in handles {
                match h.await.unwrap() {
                    Ok(r) => {
                        assert_eq!(r.version, 1, "{backend}");
                        won += 1;
                    }
                    Err(StoreError::Conflict(_)) => {}
                    Err(other) => panic!("{backend}: {other}"),
                }
            }
            assert_eq!(
                won, 1,
                "{backend}: exactly one of eight racing first saves wins"
            );
            let history = store
                .report_history(&region, &cycle, &e.task_id, &e.unit_id)
                .await
                .unwrap();
            assert_eq!(history.len(), 1, "{backend}: no half-written loser");
        }
    }
}

/// Saves are grouped: a burst of concurrent saves on SQLite is committed in
/// fewer transactions than requests (retried a few bursts, since how many
/// requests meet in the queue depends on scheduling).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_is_committed_in_fewer_groups_than_requests() {
    let store = Store::open(&duban_store::testing::fresh_sqlite_url())
        .await
        .unwrap();
    let (region, cycle, expected) = ledger(&store).await;
    let today = d("2025-03-20");
    for version in 0..20 {
        let (g0, r0) = Store::group_commit_counts();
        let mut handles = Vec::new();
        for e in expected.iter().take(24) {
            let (store, region, cycle_id, task, unit) = (
                store.clone(),
                region.clone(),
                cycle.id.clone(),
                e.task_id.clone(),
                e.unit_id.clone(),
            );
            handles.push(tokio::spawn(async move {
                store
                    .save_report(
                        &region,
                        &cycle_id,
                        &task,
                        &unit,
                        &input(version, "in_progress", 50.0, false),
                        "u",
                        today,
                    )
                    .await
            }));
        }
        for h in handles {
            h.await.unwrap().unwrap();
        }
        let (g1, r1) = Store::group_commit_counts();
        // Other tests in this binary may save at the same time; the counts
        // only grow, so a burst of 24 in fewer than 24 groups is grouping.
        if r1 - r0 >= 24 && g1 - g0 < r1 - r0 {
            return;
        }
    }
    panic!("twenty bursts of 24 concurrent saves were never grouped");
}
