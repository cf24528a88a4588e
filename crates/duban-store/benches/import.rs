//! Import time of the sample plan into a fresh ledger, on SQLite and (when
//! DUBAN_TEST_POSTGRES_URL is set, as `./scripts/bench` does) PostgreSQL.
//! Parsing is excluded: the plan is parsed once up front.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use duban_core::names::RegionName;
use std::path::PathBuf;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    let mut backends = vec!["sqlite"];
    if std::env::var(duban_store::testing::POSTGRES_ENV).is_ok() {
        backends.push("postgres");
    }
    for backend in backends {
        group.bench_function(format!("sample_{backend}"), |b| {
            b.iter_batched(
                || {
                    rt.block_on(async {
                        let url = match backend {
                            "sqlite" => duban_store::testing::fresh_sqlite_url(),
                            _ => duban_store::testing::fresh_postgres_url().await,
                        };
                        let store = duban_store::Store::open(&url).await.unwrap();
                        let region = store
                            .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "bench")
                            .await
                            .unwrap();
                        (store, region)
                    })
                },
                |(store, region)| rt.block_on(store.import(&region, &plan, "bench")).unwrap(),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
