//! A province-sized ledger: 100 regions × 500 tasks × 26 biweekly cycles of
//! reports (3.9 million reports), and the time to evaluate one region-cycle
//! in it. The dataset is built once (plans through the real parser and
//! import; reports by bulk SQL, since building it through the API would take
//! longer than the benchmark is worth).
//!
//!   cargo bench -p duban-store --bench province                  # one SQLite file
//!   DUBAN_BENCH_BACKEND=postgres cargo bench -p duban-store --bench province
//!
//! With `postgres` the database is made on the server of
//! `DUBAN_TEST_POSTGRES_URL`; after `eval "$(scripts/citus start)"` that is
//! the Citus coordinator, and the ledger is distributed by region over the
//! two workers (the benchmark prints where the shards went).

use criterion::{criterion_group, criterion_main, Criterion};
use duban_core::dates::Date;
use duban_core::names::RegionName;
use duban_store::testing::execute_raw;
use duban_store::Store;

const REGIONS: usize = 100;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let backend = std::env::var("DUBAN_BENCH_BACKEND").unwrap_or_else(|_| "sqlite".into());
    let started = std::time::Instant::now();
    let (store, region, last) = rt.block_on(async {
        let url = match backend.as_str() {
            "sqlite" => duban_store::testing::fresh_sqlite_url(),
            "postgres" => duban_store::testing::fresh_postgres_url().await,
            other => panic!("DUBAN_BENCH_BACKEND is sqlite or postgres, not {other}"),
        };
        let store = Store::open(&url).await.unwrap();
        let plan = duban_plan::parse(duban_store::testing::synthetic_plan(500).as_bytes(), "plan.txt").unwrap();
        let province = RegionName::parse("测试省").unwrap();
        let mut target = None;
        for i in 0..REGIONS {
            let region = store.ensure_region(&RegionName::parse(&format!("测试{i}县")).unwrap(), Some(&province), "bench").await.unwrap();
            store.import(&region, &plan, "bench").await.unwrap();
            let cycles = store.schedule_cycles(&region.id, 0, Date::new(2025, 1, 6).unwrap(), Date::new(2025, 12, 31).unwrap(), "bench").await.unwrap();
            // Every responsible unit reports every cycle: one bulk insert per region.
            execute_raw(
                &store,
                &format!(
                    "INSERT INTO reports (region_id, id, cycle_id, task_id, unit_id, version, state, status, completion, current_value, progress, problems, next_steps, attachments, submitted_at, late, author, created_at) \
                     SELECT a.region_id, c.id || '/' || a.task_id || '/' || a.unit_id, c.id, a.task_id, a.unit_id, 1, 'submitted', 'in_progress', \
                            (c.seq * 100.0 / 27.0), NULL, '按计划推进。', '', '', '[]', c.due_on, 0, 'bench', c.due_on \
                     FROM assignments a JOIN cycles c ON c.region_id = a.region_id WHERE a.region_id = '{}' AND a.deleted_at IS NULL",
                    region.id
                ),
            )
            .await;
            // Every cycle but the last is closed, with its lights kept.
            execute_raw(
                &store,
                &format!(
                    "INSERT INTO task_lights (region_id, cycle_id, task_id, light, reason) \
                     SELECT t.region_id, c.id, t.id, 'green', 'bench' FROM tasks t JOIN cycles c ON c.region_id = t.region_id \
                     WHERE t.region_id = '{}' AND c.seq < 26",
                    region.id
                ),
            )
            .await;
            execute_raw(&store, &format!("UPDATE cycles SET status = 'closed' WHERE region_id = '{}' AND seq < 26", region.id)).await;
            if i == REGIONS / 2 {
                target = Some((region, cycles.last().unwrap().clone()));
            }
        }
        let (region, last) = target.unwrap();
        (store, region, last)
    });
    let reports = rt.block_on(sqlx_count(&store));
    eprintln!(
        "province dataset ({backend}): {REGIONS} regions, {reports} reports, built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    if backend == "postgres" {
        // On Citus: how many shards of the ledger each worker holds.
        let citus = rt.block_on(duban_store::testing::query_i64(
            &store,
            "SELECT COUNT(*) AS n FROM pg_extension WHERE extname = 'citus'",
        ));
        if citus > 0 {
            for port in rt.block_on(duban_store::testing::query_i64s(
                &store,
                "SELECT CAST(nodeport AS BIGINT) AS n FROM citus_shards GROUP BY nodeport ORDER BY nodeport",
            )) {
                let shards = rt.block_on(duban_store::testing::query_i64(
                    &store,
                    &format!("SELECT COUNT(*) AS n FROM citus_shards WHERE nodeport = {port}"),
                ));
                eprintln!("citus_shards: node port {port} holds {shards} shards");
            }
        }
    }
    let mut group = c.benchmark_group(format!("province_{backend}"));
    group.sample_size(10);
    group.bench_function("evaluate_one_region_cycle", |b| {
        b.iter(|| {
            rt.block_on(store.evaluate(&region.id, &last, Date::new(2025, 12, 31).unwrap()))
                .unwrap()
        })
    });
    group.finish();
}

async fn sqlx_count(store: &Store) -> i64 {
    duban_store::testing::query_i64(store, "SELECT COUNT(*) AS n FROM reports").await
}

criterion_group!(benches, bench);
criterion_main!(benches);
