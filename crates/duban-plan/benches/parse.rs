//! Parsing speed: the bundled sample plan (119 KB, 8 plans, 155 tasks),
//! the docx and pdf corpus files, and a 2,000-row xlsx 分解表 built here
//! with merged title and group cells. See BENCHMARKS.md for results and
//! method.

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
    let xlsx = fenjie_xlsx(2000);
    group.throughput(Throughput::Bytes(xlsx.len() as u64));
    group.bench_function("xlsx_2000_rows", |b| {
        b.iter(|| {
            let plan = duban_plan::parse(black_box(&xlsx), "fenjie.xlsx").unwrap();
            assert_eq!(plan.tasks.len(), 2000);
        })
    });
    group.finish();
}

/// A 任务分解表 workbook the way offices send them: a merged title row, a
/// header row, a group column merged over every ten rows, units separated
/// by 、 and by line breaks, deadlines as text.
fn fenjie_xlsx(rows: u32) -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    let header = [
        "序号",
        "类别",
        "重点任务",
        "牵头单位",
        "配合单位",
        "完成时限",
    ];
    sheet
        .merge_range(0, 0, 0, 5, "2025年重点任务分解表", &plain)
        .unwrap();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let units = [
        "市发改委",
        "市财政局",
        "市工信局",
        "市住建局",
        "市自然资源局",
        "各县（市、区）人民政府",
    ];
    for i in 0..rows {
        let r = i + 2;
        if i % 10 == 0 {
            let last = (r + 9).min(rows + 1);
            let group = format!("第{}组重点工作", i / 10 + 1);
            if last > r {
                sheet.merge_range(r, 1, last, 1, &group, &plain).unwrap();
            } else {
                sheet.write_string(r, 1, &group).unwrap();
            }
        }
        sheet.write_number(r, 0, f64::from(i + 1)).unwrap();
        let task = format!(
            "推进第{}项重点工作，完成年度投资{}亿元，形成一批可复制可推广的经验。",
            i + 1,
            i % 50 + 1
        );
        sheet.write_string(r, 2, &task).unwrap();
        sheet
            .write_string(r, 3, units[i as usize % units.len()])
            .unwrap();
        let co = if i % 2 == 0 {
            format!(
                "{}、{}",
                units[(i as usize + 1) % units.len()],
                units[(i as usize + 2) % units.len()]
            )
        } else {
            format!(
                "{}\n{}",
                units[(i as usize + 3) % units.len()],
                units[(i as usize + 4) % units.len()]
            )
        };
        sheet.write_string(r, 4, &co).unwrap();
        sheet
            .write_string(r, 5, format!("{}月底前", i % 12 + 1))
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

criterion_group!(benches, bench);
criterion_main!(benches);
