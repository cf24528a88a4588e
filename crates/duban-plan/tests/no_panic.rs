//! Property tests: random and mutated input never panics the readers or
//! the extractor. A parse may fail, but only with a ParseError.

mod common;

use common::fixture;
use proptest::prelude::*;
use std::sync::OnceLock;

/// Office variants of real documents (tools/make_office_variants.py).
const XLSX: &str = "real/a09-liaoning-dongbei-zhenxing-fengong-2012/variant.xlsx";
const XLS: &str = "real/a09-liaoning-dongbei-zhenxing-fengong-2012/variant.xls";

#[test]
fn office_variants_parse() {
    for f in [XLSX, XLS] {
        let plan = duban_plan::parse(&fixture(f), f).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(plan.tasks.len() >= 10, "{f}");
    }
    // A corrupt workbook is refused with the spreadsheet error.
    let mut b = fixture(XLSX);
    b.truncate(b.len() / 2);
    let e = duban_plan::parse(&b, "x.xlsx").unwrap_err();
    assert!(e.to_string().starts_with("Excel"), "{e}");
}

fn sample_head() -> &'static [u8] {
    static S: OnceLock<Vec<u8>> = OnceLock::new();
    S.get_or_init(|| {
        let s = String::from_utf8(fixture("sample/miluo-2025-qida-gongjian.txt")).unwrap();
        // The first attachment: long enough to hold every structure, short
        // enough for many cases.
        let end = s.find("附件 2").unwrap();
        s.as_bytes()[..end].to_vec()
    })
}

/// `DUBAN_FUZZ_CASES=20000 cargo test --test no_panic` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("DUBAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(i, b) => {
                if !bytes.is_empty() {
                    let i = i % len;
                    bytes[i] ^= b | 1;
                }
            }
            Mutation::Insert(i, v) => {
                let i = i % (bytes.len() + 1);
                bytes.splice(i..i, v.iter().copied());
            }
            Mutation::Delete(i, n) => {
                if !bytes.is_empty() {
                    let i = i % len;
                    let end = (i + n).min(bytes.len());
                    bytes.drain(i..end);
                }
            }
            Mutation::Truncate(i) => bytes.truncate(i % len),
        }
    }
    bytes
}

/// Characters that matter to the grammar, so random text hits its paths.
const ALPHABET: &[&str] = &[
    "（",
    "）",
    "(",
    ")",
    "〔",
    "〕",
    "【",
    "】",
    "、",
    "，",
    "；",
    "：",
    "。",
    "\n",
    "\n\n",
    "牵头",
    "负责",
    "按职能分工负责",
    "分别",
    "等",
    "和",
    "及",
    "牵头单位：",
    "责任单位：",
    "配合单位：",
    "市发改局",
    "各镇",
    "高新区管委会",
    "一、",
    "（一）",
    "1.",
    "（1）",
    "①",
    "附件 2",
    "实施方案",
    "增长",
    "8",
    "%",
    "以上",
    "以内",
    "左右",
    "1~2",
    "家",
    "亿元",
    "个百分点",
    "2025年",
    "3月底前",
    "年底前",
    "上半年",
    "持续推进",
    "PM_{2.5}",
    "**",
    "— 3 —",
    "≤",
    "31μg/m³",
    "分别达到",
    "成立",
    "工作专班",
    "任召集人",
    "办公室设在",
    "成员单位包括",
    " ",
    "\u{3000}",
    "０",
    "牽頭",
    "<p>",
    "</p>",
    "<table><tr><td>",
    "|",
    "序号",
    "牵头单位",
    "★",
    "/",
    "|||",
    "分管县领导",
    "协同配合单位",
    "主要责任单位",
    "完成时限",
    "<市工信委、市财政局>",
    "由市发改局牵头，",
    "市财政局配合",
    "分管副省长",
];

/// A failed parse says what went wrong in Chinese first, then in English.
fn check_error(r: Result<duban_plan::Plan, duban_plan::ParseError>) {
    if let Err(e) = r {
        let msg = e.to_string();
        let first = msg.chars().next().unwrap_or(' ');
        assert!(
            ('\u{4e00}'..='\u{9fff}').contains(&first) || first.is_ascii_alphabetic(),
            "{msg}"
        );
        assert!(msg.contains("/ "), "no English part: {msg}");
        let (zh, en) = msg.split_once("/ ").unwrap_or(("", ""));
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{msg}"
        );
        assert!(en.chars().any(|c| c.is_ascii_alphabetic()), "{msg}");
    }
}

/// A table of random cells, written as a flattened table one cell per
/// line, as rows on one line, as a pipe table and as an HTML table.
fn table_text() -> impl Strategy<Value = (Vec<Vec<String>>, u8)> {
    (
        proptest::collection::vec(
            proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(ALPHABET), 0..6)
                    .prop_map(|v| v.concat()),
                1..7,
            ),
            1..12,
        ),
        0u8..4,
    )
}

fn render(rows: &[Vec<String>], style: u8) -> (String, &'static str) {
    let header = "序号\n重点任务\n牵头单位\n配合单位\n完成时限\n";
    match style {
        0 => {
            let mut t = header.to_string();
            for r in rows {
                for c in r {
                    t.push_str(c);
                    t.push('\n');
                }
            }
            (t, "x.txt")
        }
        1 => {
            let mut t = header.replace('\n', " ");
            t.push('\n');
            for r in rows {
                t.push_str(&r.join(" "));
                t.push('\n');
            }
            (t, "x.txt")
        }
        2 => {
            let mut t = "| 序号 | 重点任务 | 牵头单位 |\n|---|---|---|\n".to_string();
            for r in rows {
                t.push_str(&format!("| {} |\n", r.join(" | ")));
            }
            (t, "x.md")
        }
        _ => {
            let mut t = "<table><tr><th>序号</th><th>任务</th><th>责任单位</th></tr>".to_string();
            for (i, r) in rows.iter().enumerate() {
                t.push_str("<tr>");
                for c in r {
                    let span = if i % 3 == 0 { " rowspan=\"2\"" } else { "" };
                    t.push_str(&format!("<td{span}>{c}</td>"));
                }
                t.push_str("</tr>");
            }
            t.push_str("</table>");
            (t, "x.html")
        }
    }
}

fn grammar_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096), ext in proptest::sample::select(vec!["txt", "docx", "pdf", "html", "md", ""])) {
        let _ = duban_plan::parse(&bytes, &format!("x.{ext}"));
    }

    #[test]
    fn grammar_soup(text in grammar_text()) {
        let _ = duban_plan::parse(text.as_bytes(), "x.txt");
        let _ = duban_plan::parse(text.as_bytes(), "x.md");
        let _ = duban_plan::assign::find_assignments(&text);
        let _ = duban_plan::target::extract(&text);
        let _ = duban_plan::deadline::extract(&text, Some(2025), false);
        let _ = duban_plan::taskforce::extract(&text, 0);
    }

    #[test]
    fn random_tables((rows, style) in table_text()) {
        let (text, name) = render(&rows, style);
        check_error(duban_plan::parse(text.as_bytes(), name));
    }

    #[test]
    fn mutated_sample_text(muts in proptest::collection::vec(mutation(), 1..8)) {
        let bytes = apply(sample_head().to_vec(), &muts);
        let _ = duban_plan::parse(&bytes, "x.txt");
    }
}

proptest! {
    // Containers are slower to parse; fewer cases.
    #![proptest_config(ProptestConfig { cases: cases(64), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_docx(muts in proptest::collection::vec(mutation(), 1..4)) {
        let bytes = apply(fixture("corpus/task-table.docx"), &muts);
        let _ = duban_plan::parse(&bytes, "x.docx");
    }

    #[test]
    fn mutated_xlsx(muts in proptest::collection::vec(mutation(), 1..4)) {
        let bytes = apply(fixture(XLSX), &muts);
        check_error(duban_plan::parse(&bytes, "x.xlsx"));
    }

    #[test]
    fn mutated_xls(muts in proptest::collection::vec(mutation(), 1..4)) {
        let bytes = apply(fixture(XLS), &muts);
        check_error(duban_plan::parse(&bytes, "x.xls"));
    }

    #[test]
    fn random_spreadsheet_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096), ole in any::<bool>()) {
        // Random bodies behind the zip and OLE signatures.
        let mut b = if ole { vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] } else { b"PK\x03\x04".to_vec() };
        b.extend(bytes);
        check_error(duban_plan::parse(&b, if ole { "x.xls" } else { "x.xlsx" }));
    }

    #[test]
    fn mutated_pdf(muts in proptest::collection::vec(mutation(), 1..4)) {
        let bytes = apply(fixture("corpus/city-plan.pdf"), &muts);
        let _ = duban_plan::parse(&bytes, "x.pdf");
    }
}
