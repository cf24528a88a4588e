//! Dispatch speed on SQLite: durable report submission (batched and one
//! commit per report) and the evaluation of one region-cycle of a 500-task
//! ledger with 26 cycles of reports. See BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use duban_core::dates::Date;
use duban_core::names::RegionName;
use duban_store::{ReportItem, Store};

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
    let text = duban_store::testing::synthetic_plan(500);
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
                        report: duban_store::testing::report_input(0, "in_progress", 50.0, true),
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
                        &duban_store::testing::report_input(0, "in_progress", 50.0, true),
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
                    report: duban_store::testing::report_input(0, "in_progress", 50.0, true),
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
