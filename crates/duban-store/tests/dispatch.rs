//! Dispatch on both databases: a full cycle, late reports, stale edits,
//! closing, lights and metrics.

use duban_core::dates::Date;
use duban_core::evaluation::Light;
use duban_core::names::RegionName;
use duban_store::testing::fresh_stores;
use duban_store::testing::report_input as input;
use duban_store::{StoreError, TaskFilter};
use std::path::PathBuf;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[tokio::test]
async fn a_full_cycle_on_both_databases() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    for (backend, store) in fresh_stores().await {
        let r = store
            .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "t")
            .await
            .unwrap();
        store.import(&r, &plan, "t").await.unwrap();
        // 26 biweekly cycles for campaign 1 over 2025.
        let cycles = store
            .schedule_cycles(&r.id, 1, d("2025-01-06"), d("2025-12-31"), "t")
            .await
            .unwrap();
        assert_eq!(cycles.len(), 26, "{backend}");
        assert_eq!(
            store
                .schedule_cycles(&r.id, 1, d("2025-01-06"), d("2025-12-31"), "t")
                .await
                .unwrap()
                .len(),
            0,
            "idempotent"
        );
        let extra = store
            .open_cycle(&r.id, 1, d("2025-02-10"), d("2025-02-12"), "extra", "t")
            .await
            .unwrap();
        assert_eq!((extra.kind.as_str(), extra.seq), ("extra", 27));

        let cycle = cycles[5].clone(); // 2025-03-17 .. 2025-03-28
        assert_eq!(
            (cycle.opens_on.as_str(), cycle.due_on.as_str()),
            ("2025-03-17", "2025-03-28")
        );
        let expected = store.expected_reports(&r.id, &cycle).await.unwrap();
        let tasks = store
            .tasks(
                &r.id,
                &TaskFilter {
                    plan: Some(1),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let pairs: usize = tasks
            .iter()
            .map(|t| t.lead_units.len() + t.co_units.iter().filter(|u| u.kind != "group").count())
            .sum();
        assert_eq!(
            expected.len(),
            pairs,
            "{backend}: one report per task per responsible unit"
        );

        let task = &tasks[0]; // 推动增收减负: 市人社局 leads, 市发改局 co-owns
        assert_eq!(task.lead_units[0].name, "市人社局");
        let today = d("2025-03-25");
        // Lead submits, office returns, lead resubmits, office accepts.
        let v1 = store
            .save_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市人社局",
                &input(0, "in_progress", 20.0, true),
                "rsj",
                today,
            )
            .await
            .unwrap();
        assert_eq!(
            (v1.version, v1.state.as_str(), v1.late),
            (1, "submitted", false)
        );
        // A co-unit reports to the lead on the same task.
        store
            .save_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市发改局",
                &input(0, "in_progress", 20.0, true),
                "fgj",
                today,
            )
            .await
            .unwrap();
        let back = store
            .review_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市人社局",
                false,
                "请补充就业数据",
                1,
                "office1",
            )
            .await
            .unwrap();
        assert_eq!(
            (
                back.version,
                back.state.as_str(),
                back.review_comment.as_deref()
            ),
            (2, "returned", Some("请补充就业数据"))
        );
        // Returning without a reason is refused.
        assert!(matches!(
            store
                .review_report(
                    &r.id,
                    &cycle.id,
                    &task.id,
                    "市人社局",
                    false,
                    " ",
                    2,
                    "office1"
                )
                .await,
            Err(StoreError::Invalid(_))
        ));
        // A stale edit (from version 1) is a conflict; nothing is overwritten.
        let stale = store
            .save_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市人社局",
                &input(1, "in_progress", 25.0, true),
                "rsj",
                today,
            )
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict(_))),
            "{backend}: {stale:?}"
        );
        let v3 = store
            .save_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市人社局",
                &input(2, "in_progress", 25.0, true),
                "rsj",
                today,
            )
            .await
            .unwrap();
        let v4 = store
            .review_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市人社局",
                true,
                "",
                v3.version,
                "office1",
            )
            .await
            .unwrap();
        assert_eq!(
            (v4.version, v4.state.as_str(), v4.completion),
            (4, "accepted", 25.0)
        );
        let history = store
            .report_history(&r.id, &cycle, &task.id, "市人社局")
            .await
            .unwrap();
        assert_eq!(
            history.iter().map(|h| h.state.as_str()).collect::<Vec<_>>(),
            vec!["submitted", "returned", "submitted", "accepted"]
        );
        // A unit that owes nothing on the task cannot report on it.
        assert!(matches!(
            store
                .save_report(
                    &r.id,
                    &cycle.id,
                    &task.id,
                    "市林业局",
                    &input(0, "done", 100.0, true),
                    "x",
                    today
                )
                .await,
            Err(StoreError::NotFound(_))
        ));
        // Invalid values are refused.
        assert!(store
            .save_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市发改局",
                &input(1, "sleeping", 10.0, true),
                "x",
                today
            )
            .await
            .is_err());
        assert!(store
            .save_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市发改局",
                &input(1, "in_progress", 120.0, true),
                "x",
                today
            )
            .await
            .is_err());

        // A cycle scheduled for later does not take reports yet.
        let future = &cycles[20];
        let early = store
            .save_report(
                &r.id,
                &future.id,
                &task.id,
                "市人社局",
                &input(0, "in_progress", 30.0, true),
                "rsj",
                today,
            )
            .await;
        assert!(
            matches!(early, Err(StoreError::Conflict(_))),
            "{backend}: {early:?}"
        );
        // A late report is accepted and marked late.
        let other = &tasks[1];
        let late = store
            .save_report(
                &r.id,
                &cycle.id,
                &other.id,
                &other.lead_units[0].name,
                &input(0, "blocked", 10.0, true),
                "x",
                d("2025-03-31"),
            )
            .await
            .unwrap();
        assert!(late.late);

        let eval = store
            .close_cycle(&r.id, &cycle.id, d("2025-03-31"), "office1")
            .await
            .unwrap();
        assert_eq!(eval.cycle.status, "closed");
        assert_eq!(eval.green + eval.yellow + eval.red, tasks.len());
        let first = eval.tasks.iter().find(|t| t.task_id == task.id).unwrap();
        assert!(first.reported && first.completion == 25.0);
        let blocked = eval.tasks.iter().find(|t| t.task_id == other.id).unwrap();
        assert_eq!(blocked.light, Light::Red, "{backend}: blocked is red");
        // Metrics: 4 pairs reported of `pairs`; one of them late.
        assert_eq!(
            (
                eval.metrics.expected,
                eval.metrics.actual,
                eval.metrics.on_time
            ),
            (pairs, 3, 2),
            "{backend}"
        );
        assert!(!eval.ranking.is_empty());
        // A closed cycle answers with the lights it was closed with, on
        // whatever day it is asked (issue 7, item 12).
        let later = store
            .evaluate(&r.id, &eval.cycle, d("2026-11-28"))
            .await
            .unwrap();
        let lights = |e: &duban_store::Evaluation| -> Vec<(String, Light, String)> {
            e.tasks
                .iter()
                .map(|t| (t.task_id.clone(), t.light, t.reason.clone()))
                .collect()
        };
        assert_eq!(lights(&later), lights(&eval), "{backend}");
        assert_eq!(
            (later.green, later.yellow, later.red),
            (eval.green, eval.yellow, eval.red)
        );
        // Ongoing tasks of the 2025 plan have run their course after 2025:
        // their time progress is 100 %, not that of November 2026.
        let open = &cycles[6];
        let late_look = store.evaluate(&r.id, open, d("2026-11-28")).await.unwrap();
        let ongoing: Vec<_> = tasks.iter().filter(|t| t.due_date.is_none()).collect();
        assert!(!ongoing.is_empty(), "the sample has ongoing tasks");
        for t in ongoing {
            let e = late_look.tasks.iter().find(|e| e.task_id == t.id).unwrap();
            assert_eq!(e.time_progress, 100.0, "{backend}: {}", t.title);
        }
        // An open cycle is judged, by default, no later than its due date.
        assert_eq!(
            duban_store::default_as_of(open, d("2026-11-28")).to_string(),
            open.due_on
        );
        assert_eq!(
            duban_store::default_as_of(open, d("2025-03-30")).to_string(),
            "2025-03-30"
        );
        // The closed cycle is locked.
        let locked = store
            .save_report(
                &r.id,
                &cycle.id,
                &task.id,
                "市人社局",
                &input(4, "done", 100.0, true),
                "rsj",
                d("2025-04-01"),
            )
            .await;
        assert!(matches!(locked, Err(StoreError::Conflict(_))));
        assert!(store
            .current_reports(&r.id, &eval.cycle)
            .await
            .unwrap()
            .iter()
            .all(|r| r.state == "locked"));
    }
}

#[tokio::test]
async fn reported_values_are_judged_against_targets() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    for (backend, store) in fresh_stores().await {
        let r = store
            .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "t")
            .await
            .unwrap();
        store.import(&r, &plan, "t").await.unwrap();
        // 新增限额以上批零住餐企业14家以上 (a count target of task 搭建消费平台).
        let target = store
            .targets(&r.id, Some(1))
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.metric.contains("限额以上批零住餐企业"))
            .unwrap();
        let task = store
            .task(&r.id, target.task_id.as_deref().unwrap())
            .await
            .unwrap();
        let cycle = store
            .open_cycle(&r.id, 1, d("2025-06-23"), d("2025-07-02"), "regular", "t")
            .await
            .unwrap();
        let mut input = input(0, "in_progress", 50.0, true);
        input.current_value = Some(6.0);
        store
            .save_report(
                &r.id,
                &cycle.id,
                &task.id,
                &task.lead_units[0].id,
                &input,
                "t",
                d("2025-07-01"),
            )
            .await
            .unwrap();
        let project = duban_store::NewListItem {
            unit: task.lead_units[0].name.clone(),
            kind: duban_core::names::ListKind::Project,
            title: "商贸流通项目".into(),
            lead_person: "赵六".into(),
            planned_investment: Some(100.0),
            funds_secured: Some(80.0),
            started: Some(true),
            funds_paid: Some(20.0),
            physical_progress: Some(30.0),
        };
        store
            .add_list_item(&r.id, &task.id, &project, "t")
            .await
            .unwrap();
        let eval = store
            .evaluate(&r.id, &cycle, d("2025-07-02"))
            .await
            .unwrap();
        let (unit, rates) = &eval.four_rates_by_unit[0];
        assert_eq!(
            (unit.as_str(), rates.start_rate, rates.disbursement_rate),
            (task.lead_units[0].name.as_str(), 1.0, 0.25),
            "{backend}"
        );
        let judged = eval
            .tasks
            .iter()
            .find(|t| t.task_id == task.id)
            .and_then(|t| t.target.clone())
            .expect("target judged");
        // 14 × (182 / 364) = 7 expected by 2 July; 6 is behind.
        assert!(
            (judged.attainment.expected - 7.0).abs() < 1e-9,
            "{backend}: {judged:?}"
        );
        assert!(!judged.attainment.on_track);
        assert_eq!(
            (judged.value, judged.unit.as_str(), judged.current),
            (14.0, "家", 6.0)
        );
    }
}

#[tokio::test]
async fn indicator_owners_report_goal_values() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    for (backend, store) in fresh_stores().await {
        let r = store
            .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "t")
            .await
            .unwrap();
        store.import(&r, &plan, "t").await.unwrap();
        // Campaign 1's goal: 社会消费品零售总额增长8%以上, owned by 市商务粮食局.
        let goal = store
            .targets(&r.id, Some(1))
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.task_id.is_none() && t.metric == "社会消费品零售总额")
            .unwrap();
        let task_target = store
            .targets(&r.id, Some(1))
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.task_id.is_some())
            .unwrap();
        assert!(matches!(
            store
                .set_target_owner(&r.id, &task_target.id, "市商务粮食局", "t")
                .await,
            Err(StoreError::Invalid(_))
        ));
        let owned = store
            .set_target_owner(&r.id, &goal.id, "市商务粮食局", "t")
            .await
            .unwrap();
        assert_eq!(owned.owner.as_deref(), Some("市商务粮食局"));
        let cycle = store
            .open_cycle(&r.id, 1, d("2025-06-23"), d("2025-07-02"), "regular", "t")
            .await
            .unwrap();
        let before = store
            .evaluate(&r.id, &cycle, d("2025-07-02"))
            .await
            .unwrap();
        let tasks_expected = store.expected_reports(&r.id, &cycle).await.unwrap().len();
        assert_eq!(
            before.metrics.expected,
            tasks_expected + 1,
            "{backend}: one report per indicator owner"
        );
        let input = duban_store::IndicatorInput {
            version: 0,
            value: 7.5,
            note: "1-6月累计".into(),
            submit: true,
        };
        let saved = store
            .save_indicator(&r.id, &cycle.id, &goal.id, &input, "t", d("2025-07-01"))
            .await
            .unwrap();
        assert_eq!((saved.version, saved.late), (1, false));
        assert!(
            matches!(
                store
                    .save_indicator(&r.id, &cycle.id, &goal.id, &input, "t", d("2025-07-01"))
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{backend}: stale version"
        );
        let eval = store
            .evaluate(&r.id, &cycle, d("2025-07-02"))
            .await
            .unwrap();
        assert_eq!(eval.metrics.actual, 1);
        let ind = &eval.indicators[0];
        // A growth rate compares directly: 7.5 < 8 is off track.
        assert_eq!(
            (ind.current, ind.attainment.as_ref().map(|a| a.on_track)),
            (Some(7.5), Some(false)),
            "{backend}"
        );
    }
}

/// Issue 7, item 11: a stored word outside its vocabulary (a cycle status,
/// a report status) is an error where it is read — never passed on as if
/// it were valid, never a silent "" or 0.
#[tokio::test]
async fn a_row_that_does_not_decode_is_an_error() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    for (backend, store) in fresh_stores().await {
        let r = store
            .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "t")
            .await
            .unwrap();
        store.import(&r, &plan, "t").await.unwrap();
        let cycle = store
            .open_cycle(&r.id, 1, d("2025-06-02"), d("2025-06-13"), "regular", "t")
            .await
            .unwrap();
        let due = store.expected_reports(&r.id, &cycle).await.unwrap();
        store
            .save_report(
                &r.id,
                &cycle.id,
                &due[0].task_id,
                &due[0].unit_id,
                &input(0, "in_progress", 30.0, true),
                "t",
                d("2025-06-05"),
            )
            .await
            .unwrap();
        assert_eq!(store.current_reports(&r.id, &cycle).await.unwrap().len(), 1);
        duban_store::testing::execute_raw(
            &store,
            &format!(
                "UPDATE reports SET status = 'almost' WHERE region_id = '{}'",
                r.id
            ),
        )
        .await;
        let got = store.current_reports(&r.id, &cycle).await;
        assert!(
            matches!(got, Err(StoreError::Corrupt(_))),
            "{backend}: {got:?}"
        );
        let got = store.evaluate(&r.id, &cycle, d("2025-06-10")).await;
        assert!(matches!(got, Err(StoreError::Corrupt(_))), "{backend}");
        duban_store::testing::execute_raw(
            &store,
            &format!(
                "UPDATE cycles SET status = 'shut' WHERE region_id = '{}'",
                r.id
            ),
        )
        .await;
        // Cycles are cached by the catalog version (issue 12): a row
        // changed behind duban's back is read again at the next change.
        duban_store::testing::execute_raw(
            &store,
            "UPDATE catalog_versions SET version = version + 1",
        )
        .await;
        let got = store.cycles(&r.id, None).await;
        assert!(
            matches!(got, Err(StoreError::Corrupt(_))),
            "{backend}: {got:?}"
        );
    }
}
