//! Parsing speed: the bundled sample plan (119 KB, 8 plans, 155 tasks) and
//! the docx and pdf corpus files. See BENCHMARKS.md for results and method.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(rel),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, file) in [
        ("sample_txt", "sample/miluo-2025-qida-gongjian.txt"),
        ("corpus_docx", "corpus/task-table.docx"),
        ("corpus_pdf", "corpus/city-plan.pdf"),
    ] {
        let bytes = fixture(file);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| duban_plan::parse(black_box(&bytes), file).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
