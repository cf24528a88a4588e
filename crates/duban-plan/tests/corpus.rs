//! The generality corpus: one fixture per layout the parse issue lists,
//! each with expected results written from its source, plus bad input.

mod common;

use common::{tsv_rows, unit_list};
use duban_plan::{parse, Comparator, ParseError, Plan, TargetKind};
use std::collections::{BTreeMap, HashSet};

fn read(name: &str) -> Vec<u8> {
    common::fixture(&format!("corpus/{name}"))
}

fn load(name: &str) -> Plan {
    parse(&read(name), name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

struct Row {
    title: String,
    leads: Vec<String>,
    cos: Vec<String>,
    inferred: bool,
    deadlines: String,
}

fn expected() -> BTreeMap<String, Vec<Row>> {
    let mut out: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for c in tsv_rows("corpus/expected.tsv") {
        out.entry(c[0].clone()).or_default().push(Row {
            title: c[1].clone(),
            leads: unit_list(&c[2]),
            cos: unit_list(&c[3]),
            inferred: c[4] == "1",
            deadlines: c[5].clone(),
        });
    }
    out
}

fn deadlines(t: &duban_plan::Task) -> String {
    if t.deadlines.is_empty() {
        return "-".into();
    }
    t.deadlines
        .iter()
        .map(|d| {
            if d.ongoing {
                "ongoing".to_string()
            } else {
                d.date.clone().unwrap_or_else(|| d.text.clone())
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// Unit-assignment triples (task, role, unit), the measure the unseen-plan
/// bar (95% F1) is stated in.
fn triples(
    plan_rows: &[(String, Vec<String>, Vec<String>)],
) -> HashSet<(String, &'static str, String)> {
    let mut set = HashSet::new();
    for (title, leads, cos) in plan_rows {
        for u in leads {
            set.insert((title.clone(), "lead", u.clone()));
        }
        for u in cos {
            set.insert((title.clone(), "co", u.clone()));
        }
    }
    set
}

#[test]
fn every_layout_gives_the_expected_tasks() {
    let mut failures = Vec::new();
    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    for (file, rows) in expected() {
        let plan = load(&file);
        let got: Vec<(String, Vec<String>, Vec<String>)> = plan
            .tasks
            .iter()
            .map(|t| (t.title.clone(), t.lead_units.clone(), t.co_units.clone()))
            .collect();
        let want: Vec<(String, Vec<String>, Vec<String>)> = rows
            .iter()
            .map(|r| (r.title.clone(), r.leads.clone(), r.cos.clone()))
            .collect();
        let (g, w) = (triples(&got), triples(&want));
        tp += g.intersection(&w).count();
        fp += g.difference(&w).count();
        fneg += w.difference(&g).count();
        if plan.tasks.len() != rows.len() {
            failures.push(format!(
                "{file}: {} tasks, want {}",
                plan.tasks.len(),
                rows.len()
            ));
            continue;
        }
        for (t, r) in plan.tasks.iter().zip(&rows) {
            let got = (
                &t.title,
                &t.lead_units,
                &t.co_units,
                t.lead_inferred,
                deadlines(t),
            );
            let want = (&r.title, &r.leads, &r.cos, r.inferred, r.deadlines.clone());
            if got != want {
                failures.push(format!("{file}: got {got:?}\n   want {want:?}"));
            }
        }
    }
    let f1 = 2.0 * tp as f64 / (2 * tp + fp + fneg) as f64;
    eprintln!("corpus unit-assignment F1 = {f1:.3} (tp {tp}, fp {fp}, fn {fneg})");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((fp, fneg), (0, 0));
}

#[test]
fn encodings_and_formats_are_detected() {
    let cases = [
        ("county-plan.gb18030.txt", "txt", "GB18030"),
        ("province-traditional.big5.txt", "txt", "Big5"),
        ("task-table.docx", "docx", "UTF-8"),
        ("city-plan.pdf", "pdf", "pdf-text"),
        ("portal-page.html", "html", "UTF-8"),
        ("plan.md", "markdown", "UTF-8"),
    ];
    for (file, format, encoding) in cases {
        let p = load(file);
        assert_eq!(
            (p.source.format.as_str(), p.source.encoding.as_str()),
            (format, encoding),
            "{file}"
        );
        assert_eq!(p.source.sha256.len(), 64);
    }
}

#[test]
fn county_header_page_break_and_task_force() {
    let p = load("county-plan.gb18030.txt");
    assert_eq!(
        p.document.doc_number.as_deref(),
        Some("桃政办发〔2025〕12号")
    );
    assert_eq!(p.document.date.as_deref(), Some("2025-04-02"));
    assert_eq!(p.plans.len(), 1);
    // `— 3 —` dropped, the sentence it cut rejoined.
    let t = p.tasks.iter().find(|t| t.title == "规范中介服务").unwrap();
    assert!(
        t.text
            .contains("规范服务收费和办理时限，建立中介服务网上超市"),
        "{}",
        t.text
    );
    assert!(!t.text.contains('—'));
    let tf = &p.task_forces[0];
    assert_eq!(tf.name, "县优化营商环境工作专班");
    assert_eq!(tf.office.as_deref(), Some("县发改局"));
    assert_eq!(
        tf.deputy_conveners,
        vec!["县政府办主要负责人", "县发改局主要负责人"]
    );
    assert_eq!(
        tf.members,
        vec!["县数据局", "县市场监管局", "县财政局", "县税务局"]
    );
    // Full-width digits and spaces inside numbers: `新增规模以上工业企业１５家`, `增长 8 %`.
    let goals: Vec<(&str, f64, &str)> = p
        .targets
        .iter()
        .filter(|t| t.task.is_none())
        .map(|t| (t.metric.as_str(), t.value, t.unit.as_str()))
        .collect();
    assert!(goals.contains(&("市场主体数量", 8.0, "%")), "{goals:?}");
    assert!(
        goals.contains(&("新增规模以上工业企业", 15.0, "家")),
        "{goals:?}"
    );
}

#[test]
fn docx_numbering_and_table_groups() {
    let p = load("task-table.docx");
    // 一、 and 1. come from numbering.xml; the spanning row is a group heading.
    assert_eq!(
        p.tasks[0].path,
        vec![
            "二、任务分工",
            "一、教育和住房",
            "1.新建城区公办幼儿园3所，新增学位900个"
        ]
    );
    assert_eq!(
        p.tasks[4].path,
        vec!["三、其他任务", "1.推进电动自行车充电设施建设"]
    );
    let jobless = p
        .targets
        .iter()
        .find(|t| t.metric == "城镇调查失业率")
        .unwrap();
    assert_eq!(
        (jobless.kind, jobless.comparator, jobless.value),
        (TargetKind::Ceiling, Comparator::AtMost, 5.5)
    );
    assert_eq!(p.task_forces[0].office.as_deref(), Some("市发改局"));
}

#[test]
fn html_keeps_the_article_only() {
    let p = load("portal-page.html");
    assert_eq!(
        p.document.doc_number.as_deref(),
        Some("青政办发〔2025〕8号")
    );
    assert_eq!(p.document.issuer.as_deref(), Some("青山市人民政府办公室"));
    for t in &p.tasks {
        assert!(
            !t.text.contains("脚本内容") && !t.text.contains("页脚内容"),
            "{}",
            t.text
        );
    }
    let range = p
        .targets
        .iter()
        .find(|t| t.comparator == Comparator::Range)
        .unwrap();
    assert_eq!(
        (range.value, range.value_max, range.unit.as_str()),
        (2.0, Some(3.0), "个")
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let scanned = read("scanned.pdf");
    assert_eq!(
        parse(&scanned, "scanned.pdf").unwrap_err(),
        ParseError::PdfWithoutText
    );
    assert_eq!(parse(b"", "x.txt").unwrap_err(), ParseError::Empty);
    assert_eq!(parse(b"   \n\n ", "x.txt").unwrap_err(), ParseError::Empty);
    let binary: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    assert!(matches!(
        parse(&binary, "x.bin").unwrap_err(),
        ParseError::Binary | ParseError::Encoding | ParseError::UnknownFormat { .. }
    ));
    assert!(matches!(
        parse(&binary, "x.txt").unwrap_err(),
        ParseError::Binary | ParseError::Encoding
    ));
    assert_eq!(
        parse("一、总体要求\n坚持稳中求进。".as_bytes(), "x.txt").unwrap_err(),
        ParseError::NoTasks
    );
    assert!(matches!(
        parse(b"hello", "x.pptx").unwrap_err(),
        ParseError::UnknownFormat { .. }
    ));
    // Excel is read now; text named .xlsx is a corrupt workbook.
    assert!(matches!(
        parse(b"hello", "x.xlsx").unwrap_err(),
        ParseError::CorruptSpreadsheet { .. }
    ));
    assert_eq!(
        parse(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0], "x.doc").unwrap_err(),
        ParseError::LegacyDoc
    );
    // Truncated docx and pdf.
    let docx = read("task-table.docx");
    assert!(matches!(
        parse(&docx[..docx.len() / 2], "x.docx").unwrap_err(),
        ParseError::CorruptDocx { .. }
    ));
    let pdf = read("city-plan.pdf");
    assert!(matches!(
        parse(&pdf[..pdf.len() / 3], "x.pdf").unwrap_err(),
        ParseError::CorruptPdf { .. } | ParseError::PdfWithoutText
    ));
    // Over the size limit.
    let big = vec![b'a'; duban_plan::MAX_INPUT_BYTES + 1];
    assert!(matches!(
        parse(&big, "x.txt").unwrap_err(),
        ParseError::TooLarge { .. }
    ));
}

#[test]
fn docx_zip_bomb_is_refused() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("word/document.xml", opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..(duban_plan::error::MAX_DOCX_PART_BYTES >> 20) + 2 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
    }
    let bytes = buf.into_inner();
    assert!(bytes.len() < 1 << 20, "the bomb is small: {}", bytes.len());
    assert!(matches!(
        parse(&bytes, "bomb.docx").unwrap_err(),
        ParseError::DocxTooLarge { .. }
    ));
}

#[test]
fn table_with_measures_column_and_bare_month_deadline() {
    let md = "# 某县项目建设任务分工方案\n\n二、任务分工\n\n\
| 序号 | 重点任务 | 具体措施 | 牵头单位 | 配合单位 | 完成时限 |\n|---|---|---|---|---|---|\n\
| 1 | 建设产业园 | 完成土地征收，开工建设标准厂房5栋 | 县发改局 | 县自然资源局、县住建局 | 2025年12月 |\n\
| 2 | 推进污水管网 | 新建管网20公里 | | 县住建局（牵头）、各乡镇 | 长期坚持 |\n";
    let p = parse(md.as_bytes(), "x.md").unwrap();
    assert_eq!(p.tasks.len(), 2);
    let t = &p.tasks[0];
    assert!(t.text.contains("开工建设标准厂房5栋"), "{}", t.text);
    assert_eq!(t.deadlines[0].date.as_deref(), Some("2025-12-31"));
    let built: Vec<(&str, f64, &str)> = t
        .targets
        .iter()
        .map(|x| (x.metric.as_str(), x.value, x.unit.as_str()))
        .collect();
    assert_eq!(built, vec![("开工建设标准厂房", 5.0, "栋")]);
    // No lead column value: the 责任单位 cell's （牵头） mark decides.
    assert_eq!(p.tasks[1].lead_units, vec!["县住建局"]);
    assert_eq!(p.tasks[1].co_units, vec!["各乡镇"]);
    assert!(!p.tasks[1].lead_inferred);
    assert!(p.tasks[1].deadlines[0].ongoing);
}

#[test]
fn leader_columns_are_not_unit_columns() {
    let md = "# 某区重点任务分工方案\n\n\
| 序号 | 工作任务 | 牵头领导 | 牵头单位 | 责任单位 | 完成时限 |\n|---|---|---|---|---|---|\n\
| 1 | 建设智慧停车平台 | 张副区长 | 区城管局 | 区交通局 区公安分局 | 2025年10月 |\n";
    let p = parse(md.as_bytes(), "x.md").unwrap();
    assert_eq!(p.tasks[0].lead_units, vec!["区城管局"]);
    // Units a space once separated are two units.
    assert_eq!(p.tasks[0].co_units, vec!["区交通局", "区公安分局"]);
    assert_eq!(p.tasks[0].deadlines[0].date.as_deref(), Some("2025-10-31"));
}

/// Word's numbered headings: `一、` and `1.` come from paragraph styles
/// (styles.xml → numbering.xml), not from the paragraphs themselves.
#[test]
fn docx_numbering_through_paragraph_styles() {
    use std::io::Write;
    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let p = |style: &str, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    };
    let body = [
        p("Title", "某县推进乡村振兴实施方案"),
        p("H1", "重点任务"),
        p(
            "H2",
            "建设高标准农田5万亩。（县农业农村局牵头，县财政局、县水利局按职能分工负责）",
        ),
        p(
            "H2",
            "培育农业龙头企业3家。（县农业农村局牵头，各乡镇按职能分工负责）",
        ),
    ]
    .concat();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>"#
    );
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>
<w:style w:type="paragraph" w:styleId="H1"><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="H2"><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="3"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"/></w:styles>"#
    );
    let numbering = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}><w:abstractNum w:abstractNumId="7">
<w:lvl w:ilvl="0"><w:start w:val="2"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
</w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num></w:numbering>"#
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for (name, xml) in [
            ("word/document.xml", &document),
            ("word/styles.xml", &styles),
            ("word/numbering.xml", &numbering),
        ] {
            z.start_file(name, opts).unwrap();
            z.write_all(xml.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    let plan = parse(&buf.into_inner(), "styled.docx").unwrap();
    let paths: Vec<Vec<String>> = plan.tasks.iter().map(|t| t.path.clone()).collect();
    assert_eq!(
        paths,
        vec![
            vec![
                "二、重点任务".to_string(),
                "1.建设高标准农田5万亩".to_string()
            ],
            vec![
                "二、重点任务".to_string(),
                "2.培育农业龙头企业3家".to_string()
            ],
        ]
    );
    assert_eq!(plan.tasks[1].co_units, vec!["各乡镇"]);
}
