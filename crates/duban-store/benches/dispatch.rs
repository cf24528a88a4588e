//! Dispatch speed on SQLite: durable report submission (batched and one
//! commit per report) and the evaluation of one region-cycle of a 500-task
//! ledger with 26 cycles of reports. See BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use duban_core::dates::Date;
use duban_core::names::RegionName;
use duban_store::{ReportInput, ReportItem, Store};

fn report() -> ReportInput {
    ReportInput {
        version: 0,
        status: "in_progress".into(),
        completion: 50.0,
        current_value: None,
        progress: "按计划推进，完成阶段性任务。".into(),
        problems: String::new(),
        next_steps: "继续推进。".into(),
        coordination: vec![],
        attachments: vec![],
        submit: true,
    }
}

/// A plan with `n` tasks over 20 units, in the Miluo layout.
fn synthetic_plan(n: usize) -> String {
    let mut s = String::from(
        "某市2025年重点工作实施方案\n\n一、工作目标\n\n全年完成各项任务。\n\n二、重点任务\n\n",
    );
    for section in 0..(n / 10) {
        s.push_str(&format!(
            "（{}）第{}组任务\n\n",
            ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][section % 10],
            section + 1
        ));
        for k in 0..10 {
            let lead = (section * 10 + k) % 20;
            s.push_str(&format!(
                "{}.推进第{}项工作。加快推进相关建设，确保年底前完成。（市测试{lead}局牵头，市测试{}局、市测试{}局按职能分工负责）\n\n",
                k + 1,
                section * 10 + k + 1,
                (lead + 1) % 20,
                (lead + 2) % 20
            ));
        }
    }
    s
}

async fn setup(plan_text: &str) -> (Store, String) {
    let store = Store::open(&duban_store::testing::fresh_sqlite_url())
        .await
        .unwrap();
    let region = store
        .ensure_region(&RegionName::parse("测试市").unwrap(), None, "bench")
        .await
        .unwrap();
    let plan = duban_plan::parse(plan_text.as_bytes(), "plan.txt").unwrap();
    store.import(&region, &plan, "bench").await.unwrap();
    (store, region.id)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let text = synthetic_plan(500);
    let (store, region) = rt.block_on(setup(&text));
    let day = Date::new(2025, 6, 1).unwrap();
    let expected = rt.block_on(async {
        let cycle = store
            .open_cycle(&region, 0, day, day.add_days(13), "regular", "bench")
            .await
            .unwrap();
        store.expected_reports(&region, &cycle).await.unwrap()
    });
    let mut group = c.benchmark_group("reports_sqlite");
    group.sample_size(10);
    group.throughput(Throughput::Elements(expected.len() as u64));
    group.bench_function(format!("batch_of_{}", expected.len()), |b| {
        b.iter_batched(
            || {
                rt.block_on(store.open_cycle(&region, 0, day, day.add_days(13), "extra", "bench"))
                    .unwrap()
                    .id
            },
            |cycle| {
                let items: Vec<ReportItem> = expected
                    .iter()
                    .map(|e| ReportItem {
                        task_id: e.task_id.clone(),
                        unit: e.unit_id.clone(),
                        report: report(),
                    })
                    .collect();
                rt.block_on(store.save_reports(&region, &cycle, &items, "bench", day))
                    .unwrap()
            },
            BatchSize::PerIteration,
        )
    });
    group.throughput(Throughput::Elements(50));
    group.bench_function("one_commit_each_50", |b| {
        b.iter_batched(
            || {
                rt.block_on(store.open_cycle(&region, 0, day, day.add_days(13), "extra", "bench"))
                    .unwrap()
                    .id
            },
            |cycle| {
                for e in expected.iter().take(50) {
                    rt.block_on(store.save_report(
                        &region,
                        &cycle,
                        &e.task_id,
                        &e.unit_id,
                        &report(),
                        "bench",
                        day,
                    ))
                    .unwrap();
                }
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    // Evaluation of one region-cycle: 500 tasks, 26 closed cycles before it.
    let (store, region) = rt.block_on(setup(&text));
    let last = rt.block_on(async {
        let cycles = store
            .schedule_cycles(
                &region,
                0,
                Date::new(2025, 1, 6).unwrap(),
                Date::new(2025, 12, 31).unwrap(),
                "bench",
            )
            .await
            .unwrap();
        for cycle in &cycles {
            let expected = store.expected_reports(&region, cycle).await.unwrap();
            let items: Vec<ReportItem> = expected
                .iter()
                .map(|e| ReportItem {
                    task_id: e.task_id.clone(),
                    unit: e.unit_id.clone(),
                    report: report(),
                })
                .collect();
            let due = Date::parse(&cycle.due_on).unwrap();
            store
                .save_reports(&region, &cycle.id, &items, "bench", due)
                .await
                .unwrap();
            if cycle.id != cycles.last().unwrap().id {
                store
                    .close_cycle(&region, &cycle.id, due, "bench")
                    .await
                    .unwrap();
            }
        }
        cycles.last().unwrap().clone()
    });
    let mut group = c.benchmark_group("evaluation_sqlite");
    group.sample_size(10);
    group.bench_function("region_cycle_500_tasks", |b| {
        b.iter(|| {
            rt.block_on(store.evaluate(&region, &last, Date::new(2025, 12, 31).unwrap()))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
