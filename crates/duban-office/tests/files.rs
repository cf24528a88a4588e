//! Every office file is read back and compared with the data it was made
//! from: the ledger's cells (calamine), the form's protection and
//! validation, the bulletin's page setup, fonts, red rule, page numbers
//! and the numbers in its text (unzipped and parsed with roxmltree).

use calamine::{Data, Reader};
use duban_core::evaluation::Light;
use duban_office::bulletin::{self, Bulletin, ExtraSection, Masthead};
use duban_office::form::{self, Form, FormRow};
use duban_office::model::*;
use duban_office::xlsx;
use std::io::Read;

fn task(i: usize, light: Light, completion: Option<f64>, overdue: i64) -> LedgerTask {
    LedgerTask {
        task_id: format!("t{i}"),
        title: format!("推进第{i}号重点项目建设"),
        lead: ["市发改局", "市住建局", "市财政局"][i % 3].into(),
        units: "市自然资源局、各镇".into(),
        deadline: if i.is_multiple_of(2) {
            "2025-06-30".into()
        } else {
            "持续推进".into()
        },
        status: "推进中".into(),
        completion,
        time_progress: 41.5 + i as f64,
        light,
        reason: "完成 30%，落后序时进度 50% 超过 15 个百分点。/ Behind.".into(),
        progress: format!("完成项目{i}的前期手续"),
        problems: if light == Light::Red {
            "用地指标未落实".into()
        } else {
            String::new()
        },
        days_overdue: overdue,
    }
}

fn rank(rank: usize, unit: &str, score: f64, silent: bool) -> RankRow {
    RankRow {
        rank,
        unit: unit.into(),
        score,
        expected: 6,
        actual: if silent { 0 } else { 5 },
        on_time: if silent { 0 } else { 4 },
        green: 3,
        yellow: 1,
        red: if silent { 2 } else { 0 },
        silent,
        highlights: vec![format!("{unit}完成年度投资目标的八成")],
    }
}

fn fixture() -> Ledger {
    let c1 = CampaignLedger {
        plan: 1,
        title: "重点项目建设攻坚".into(),
        cycle_id: "c1".into(),
        due_on: "2025-10-24".into(),
        as_of: "2025-10-24".into(),
        counts: Counts {
            green: 7,
            yellow: 3,
            red: 2,
            expected: 40,
            actual: 37,
            on_time: 33,
        },
        previous: Some(Counts {
            green: 5,
            yellow: 4,
            red: 3,
            expected: 40,
            actual: 35,
            on_time: 30,
        }),
        tasks: vec![
            task(1, Light::Green, Some(80.0), 0),
            task(2, Light::Yellow, Some(55.5), 0),
            task(3, Light::Red, None, 0),
            task(4, Light::Red, Some(30.0), 12),
        ],
        indicators: vec![
            IndicatorRow {
                metric: "固定资产投资增速".into(),
                owner: "市发改局".into(),
                comparator: ">=".into(),
                target: 8.0,
                unit: "%".into(),
                current: Some(8.6),
                expected: Some(8.0),
                on_track: Some(true),
            },
            IndicatorRow {
                metric: "新开工项目".into(),
                owner: "市住建局".into(),
                comparator: ">=".into(),
                target: 60.0,
                unit: "个".into(),
                current: None,
                expected: None,
                on_track: None,
            },
        ],
        ranking: vec![
            rank(1, "市发改局", 92.5, false),
            rank(2, "市住建局", 81.0, false),
            rank(3, "市财政局", 20.0, true),
        ],
        requests: vec![OpenRequest {
            task: "推进第4号重点项目建设".into(),
            from_unit: "市住建局".into(),
            addressed_to: "市自然资源局".into(),
            text: "请协调解决项目用地指标".into(),
            days_open: 9,
        }],
        next_due: Some("2025-11-07".into()),
    };
    let c2 = CampaignLedger {
        plan: 2,
        title: "招商引资攻坚".into(),
        cycle_id: "c2".into(),
        due_on: "2025-10-24".into(),
        as_of: "2025-10-24".into(),
        counts: Counts {
            green: 4,
            yellow: 0,
            red: 0,
            expected: 8,
            actual: 8,
            on_time: 8,
        },
        previous: None,
        tasks: vec![task(5, Light::Green, Some(100.0), 0)],
        indicators: vec![],
        ranking: vec![rank(1, "市商务局", 100.0, false)],
        requests: vec![],
        next_due: Some("2025-11-07".into()),
    };
    Ledger {
        region: "汨罗市".into(),
        as_of: "2025-10-24".into(),
        campaigns: vec![c1, c2],
    }
}

fn open_xlsx(bytes: &[u8]) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx reads")
}

fn zip_text(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut s = String::new();
    z.by_name(name)
        .expect(name)
        .read_to_string(&mut s)
        .expect("utf-8");
    s
}

fn s(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn f(d: &Data) -> f64 {
    match d {
        Data::Float(v) => *v,
        Data::Int(v) => *v as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

#[test]
fn ledger_cells_equal_the_ledger() {
    let l = fixture();
    let bytes = xlsx::ledger(&l).expect("written");
    let mut book = open_xlsx(&bytes);
    let names = book.sheet_names();
    assert_eq!(
        names,
        vec![
            "1 重点项目建设攻坚".to_string(),
            "2 招商引资攻坚".to_string(),
            "指标".to_string(),
            "排名".to_string()
        ]
    );
    for (c, name) in l.campaigns.iter().zip(&names) {
        let range = book.worksheet_range(name).expect("sheet");
        let rows: Vec<&[Data]> = range.rows().collect();
        let headers: Vec<String> = rows[0].iter().map(s).collect();
        assert_eq!(headers, xlsx::TASK_HEADERS);
        assert_eq!(rows.len(), c.tasks.len() + 1);
        for (i, t) in c.tasks.iter().enumerate() {
            let r = rows[i + 1];
            assert_eq!(f(&r[0]), (i + 1) as f64);
            assert_eq!(s(&r[1]), t.title);
            assert_eq!(s(&r[2]), t.lead);
            assert_eq!(s(&r[3]), t.units);
            assert_eq!(s(&r[4]), t.deadline);
            assert_eq!(s(&r[5]), t.status);
            match t.completion {
                Some(v) => assert_eq!(f(&r[6]), v),
                None => assert_eq!(s(&r[6]), "未报"),
            }
            assert_eq!(f(&r[7]), t.time_progress);
            assert_eq!(s(&r[8]), light_label(t.light));
            // The reason's Chinese part only: an office file has no English.
            assert_eq!(s(&r[9]), "完成 30%，落后序时进度 50% 超过 15 个百分点。");
            assert!(!s(&r[9]).contains("Behind") && !s(&r[9]).contains('/'));
            assert_eq!(s(&r[10]), t.progress);
            assert_eq!(s(&r[11]), t.problems);
        }
    }
    let ind = book.worksheet_range("指标").expect("indicators");
    let rows: Vec<&[Data]> = ind.rows().collect();
    assert_eq!(
        rows[0].iter().map(s).collect::<Vec<_>>(),
        xlsx::INDICATOR_HEADERS
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(s(&rows[1][1]), "固定资产投资增速");
    assert_eq!(s(&rows[1][3]), "不低于 8");
    assert_eq!(f(&rows[1][5]), 8.6);
    assert_eq!(s(&rows[1][7]), "达标");
    assert_eq!(s(&rows[2][5]), "未报");
    let rank = book.worksheet_range("排名").expect("ranking");
    let rows: Vec<&[Data]> = rank.rows().collect();
    assert_eq!(
        rows[0].iter().map(s).collect::<Vec<_>>(),
        xlsx::RANKING_HEADERS
    );
    let all: Vec<(&CampaignLedger, &RankRow)> = l
        .campaigns
        .iter()
        .flat_map(|c| c.ranking.iter().map(move |r| (c, r)))
        .collect();
    assert_eq!(rows.len(), all.len() + 1);
    for ((c, k), r) in all.iter().zip(&rows[1..]) {
        assert_eq!(s(&r[0]), c.title);
        assert_eq!(f(&r[1]), k.rank as f64);
        assert_eq!(s(&r[2]), k.unit);
        assert_eq!(f(&r[3]), k.score);
        let nums: Vec<f64> = r[4..10].iter().map(f).collect();
        let want: Vec<f64> = [k.expected, k.actual, k.on_time, k.green, k.yellow, k.red]
            .iter()
            .map(|v| *v as f64)
            .collect();
        assert_eq!(nums, want);
    }
    // Frozen header, filter, fitted widths, and light cells filled.
    let sheet1 = zip_text(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains(r#"state="frozen""#) && sheet1.contains(r#"ySplit="1""#),
        "frozen header"
    );
    assert!(
        sheet1.contains("<autoFilter ref=\"A1:L5\""),
        "autofilter over the table"
    );
    let widths: Vec<f64> = roxmltree::Document::parse(&sheet1)
        .expect("xml")
        .descendants()
        .filter(|n| n.has_tag_name("col"))
        .filter_map(|n| n.attribute("width")?.parse().ok())
        .collect();
    // The task title (11 CJK characters) gets a column wide enough for it.
    assert!(
        widths[1] >= 11.0 * 2.0,
        "task column fits Chinese text: {widths:?}"
    );
    let styles = zip_text(&bytes, "xl/styles.xml");
    for l in [Light::Green, Light::Yellow, Light::Red] {
        assert!(
            styles.contains(&format!("FF{:06X}", light_rgb(l))),
            "fill of {l:?}"
        );
    }
}

fn form_fixture() -> Form {
    let row = |i: usize, status: &str, completion: Option<f64>| FormRow {
        cycle_id: "cyc".into(),
        task_id: format!("t{i}"),
        unit_id: "u1".into(),
        version: i as i64 - 1,
        task: format!("推进第{i}号重点项目建设"),
        role: "牵头".into(),
        deadline: "2025-06-30".into(),
        status: status.into(),
        completion,
        current_value: None,
        progress: format!("进展{i}"),
        problems: String::new(),
        next_steps: "继续推进".into(),
        submitted: false,
    };
    Form {
        title: "汨罗市 · 市发改局 · 第3期调度填报表".into(),
        rows: vec![
            row(1, "in_progress", Some(45.0)),
            row(2, "", None),
            row(3, "done", Some(100.0)),
        ],
    }
}

/// Rewrites the 填报表 sheet with some cells changed, as a unit saving the
/// form from Excel would: every cell read with calamine, edits applied,
/// written with rust_xlsxwriter.
fn edit(bytes: &[u8], edits: &[(u32, u16, Data)]) -> Vec<u8> {
    let mut book = open_xlsx(bytes);
    let range = book.worksheet_range(form::SHEET).expect("form sheet");
    let mut out = rust_xlsxwriter::Workbook::new();
    let sheet = out.add_worksheet();
    sheet.set_name(form::SHEET).expect("name");
    let put = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, d: &Data| match d {
        Data::String(v) => {
            sheet.write_string(r, c, v).expect("cell");
        }
        Data::Float(v) => {
            sheet.write_number(r, c, *v).expect("cell");
        }
        Data::Int(v) => {
            sheet.write_number(r, c, *v as f64).expect("cell");
        }
        _ => {}
    };
    let (r0, c0) = range.start().expect("start");
    for (i, row) in range.rows().enumerate() {
        for (j, d) in row.iter().enumerate() {
            let (r, c) = (r0 + i as u32, (c0 + j as u32) as u16);
            if !edits.iter().any(|(er, ec, _)| (*er, *ec) == (r, c)) {
                put(sheet, r, c, d);
            }
        }
    }
    for (r, c, d) in edits {
        put(sheet, *r, *c, d);
    }
    out.save_to_buffer().expect("saved")
}

#[test]
fn form_reads_back_what_it_was_made_from() {
    let f = form_fixture();
    let bytes = form::write(&f).expect("written");
    let read = form::read(&bytes).expect("read");
    assert!(read.refused.is_empty(), "{:?}", read.refused);
    // The row with no status was not filled in: skipped, not refused.
    assert_eq!(read.rows.len(), 2);
    let (a, b) = (&read.rows[0], &read.rows[1]);
    assert_eq!(a.row, 3, "Excel row number of the first data row");
    assert_eq!(a.key, form::key("cyc", "t1", "u1"));
    assert_eq!(
        (a.version, a.status.as_str(), a.completion),
        (0, "in_progress", 45.0)
    );
    assert_eq!(a.progress, "进展1");
    assert_eq!(a.next_steps, "继续推进");
    assert!(!a.submit, "the form starts as drafts");
    assert_eq!(
        (b.key.as_str(), b.version, b.status.as_str()),
        ("cyc/t3/u1", 2, "done")
    );
}

#[test]
fn form_is_protected_with_hidden_keys_and_validation() {
    let bytes = form::write(&form_fixture()).expect("written");
    let sheet = zip_text(&bytes, "xl/worksheets/sheet1.xml");
    let doc = roxmltree::Document::parse(&sheet).expect("xml");
    assert!(doc
        .descendants()
        .any(|n| n.has_tag_name("sheetProtection") && n.attribute("sheet") == Some("1")));
    let hidden: Vec<(&str, &str)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("col") && n.attribute("hidden") == Some("1"))
        .map(|n| {
            (
                n.attribute("min").unwrap_or(""),
                n.attribute("max").unwrap_or(""),
            )
        })
        .collect();
    assert!(
        hidden.contains(&("1", "1")) && hidden.contains(&("2", "2")),
        "key and version hidden: {hidden:?}"
    );
    let validations: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("dataValidation"))
        .map(|n| {
            (
                n.attribute("type").unwrap_or("").into(),
                n.attribute("sqref").unwrap_or("").into(),
            )
        })
        .collect();
    assert!(
        validations.contains(&("list".into(), "G3:G5".into())),
        "{validations:?}"
    );
    assert!(
        validations.contains(&("decimal".into(), "H3:H5".into())),
        "{validations:?}"
    );
    let list = doc
        .descendants()
        .find(|n| n.has_tag_name("formula1"))
        .and_then(|n| n.text())
        .unwrap_or("");
    assert_eq!(list, "\"未启动,推进中,已完成,滞后,受阻\"");
    // Open columns use an unlocked style; the key column a locked one.
    let styles = zip_text(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"<protection locked="0"/>"#));
    let style_of = |cell: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("c") && n.attribute("r") == Some(cell))
            .and_then(|n| n.attribute("s"))
            .and_then(|s| s.parse::<usize>().ok())
            .expect("cell style")
    };
    let xfs = roxmltree::Document::parse(&styles).expect("styles");
    let cell_xfs: Vec<roxmltree::Node> = xfs
        .descendants()
        .find(|n| n.has_tag_name("cellXfs"))
        .expect("cellXfs")
        .children()
        .filter(|n| n.is_element())
        .collect();
    let unlocked = |i: usize| {
        cell_xfs[i]
            .children()
            .any(|p| p.has_tag_name("protection") && p.attribute("locked") == Some("0"))
    };
    assert!(!unlocked(style_of("A3")), "key locked");
    assert!(!unlocked(style_of("D3")), "task locked");
    assert!(unlocked(style_of("G3")), "status open");
    assert!(unlocked(style_of("H3")), "completion open");
}

#[test]
fn form_bad_values_are_refused_row_by_row() {
    let bytes = form::write(&form_fixture()).expect("written");
    // Row 3 (index 2): completion 150; row 5 (index 4): status not in the list;
    // row 4 (index 3): filled in with a broken hidden version.
    let edited = edit(
        &bytes,
        &[
            (2, 7, Data::Float(150.0)),
            (4, 6, Data::String("差不多了".into())),
            (3, 6, Data::String("推进中".into())),
            (3, 7, Data::Float(10.0)),
            (3, 1, Data::String("abc".into())),
        ],
    );
    let read = form::read(&edited).expect("read");
    assert!(read.rows.is_empty(), "{:?}", read.rows);
    let mut refused: Vec<(u32, &str)> = read
        .refused
        .iter()
        .map(|r| (r.row, r.reason.as_str()))
        .collect();
    refused.sort();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert_eq!(refused[0].0, 3);
    assert!(
        refused[0].1.starts_with("完成比例“150”应为 0 到 100"),
        "{}",
        refused[0].1
    );
    assert_eq!(refused[1].0, 4);
    assert!(
        refused[1].1.starts_with("隐藏的版本列被改动"),
        "{}",
        refused[1].1
    );
    assert_eq!(refused[2].0, 5);
    assert!(
        refused[2].1.starts_with("本期状态“差不多了”不在下拉列表中"),
        "{}",
        refused[2].1
    );
    // Every reason: Chinese, then English.
    assert!(read
        .refused
        .iter()
        .all(|r| r.reason.contains("/ ") && !r.reason.starts_with(|c: char| c.is_ascii())));
}

#[test]
fn a_file_that_is_not_a_form_is_an_error() {
    assert!(matches!(
        form::read(b"not a zip"),
        Err(duban_office::OfficeError::NotAForm(_))
    ));
    let ledger = xlsx::ledger(&fixture()).expect("ledger");
    assert!(matches!(
        form::read(&ledger),
        Err(duban_office::OfficeError::NotAForm(_))
    ));
}

fn bulletin_fixture() -> Bulletin {
    Bulletin {
        masthead: Masthead {
            organ: "汨罗市“七大攻坚”行动指挥部办公室".into(),
            doc_number: "汨攻坚办通〔2025〕10号".into(),
            signature: "汨罗市“七大攻坚”行动指挥部办公室".into(),
        },
        period: "2025年10月".into(),
        date: "2025年10月24日".into(),
        ledger: fixture(),
        extra_sections: vec![ExtraSection {
            heading: "实地督查情况".into(),
            paragraphs: vec!["本月实地督查项目现场。".into()],
        }],
        chart: None,
    }
}

/// The paragraphs of document.xml with their text, fonts, sizes and spacing.
struct Para {
    text: String,
    east_asia: Vec<String>,
    sizes: Vec<String>,
    line: Option<(String, String)>,
}

fn paragraphs(xml: &str) -> Vec<Para> {
    let doc = roxmltree::Document::parse(xml).expect("document.xml");
    doc.descendants()
        .filter(|n| n.has_tag_name("p"))
        .map(|p| {
            let w = |n: &roxmltree::Node, a: &str| {
                n.attributes()
                    .find(|x| x.name() == a)
                    .map(|x| x.value().to_string())
            };
            Para {
                text: p
                    .descendants()
                    .filter(|n| n.has_tag_name("t"))
                    .filter_map(|n| n.text())
                    .collect(),
                east_asia: p
                    .descendants()
                    .filter(|n| n.has_tag_name("rFonts"))
                    .filter_map(|n| w(&n, "eastAsia"))
                    .collect(),
                sizes: p
                    .descendants()
                    .filter(|n| n.has_tag_name("sz"))
                    .filter_map(|n| w(&n, "val"))
                    .collect(),
                line: p
                    .children()
                    .find(|n| n.has_tag_name("pPr"))
                    .and_then(|pp| pp.children().find(|n| n.has_tag_name("spacing")))
                    .and_then(|sp| Some((w(&sp, "line")?, w(&sp, "lineRule")?))),
            }
        })
        .collect()
}

/// Every run of digits in a text, in order.
fn numbers(s: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in s.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_digit() {
            cur.push(ch);
        } else if !cur.is_empty() {
            out.push(cur.parse().expect("digits"));
            cur.clear();
        }
    }
    out
}

#[test]
fn bulletin_page_setup_fonts_rule_and_page_numbers() {
    let bytes = bulletin::write(&bulletin_fixture()).expect("written");
    let xml = zip_text(&bytes, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).expect("xml");
    let attr = |n: &roxmltree::Node, a: &str| {
        n.attributes()
            .find(|x| x.name() == a)
            .map(|x| x.value().to_string())
    };
    let sect = doc
        .descendants()
        .rfind(|n| n.has_tag_name("sectPr"))
        .expect("sectPr");
    let pg = sect
        .children()
        .find(|n| n.has_tag_name("pgSz"))
        .expect("pgSz");
    assert_eq!(
        (attr(&pg, "w").as_deref(), attr(&pg, "h").as_deref()),
        (Some("11906"), Some("16838")),
        "A4"
    );
    let mar = sect
        .children()
        .find(|n| n.has_tag_name("pgMar"))
        .expect("pgMar");
    // 37/35/28/26 mm in twips.
    let twips = |mm: f64| (mm * 1440.0 / 25.4).floor() as i64;
    for (side, mm) in [
        ("top", 37.0),
        ("bottom", 35.0),
        ("left", 28.0),
        ("right", 26.0),
    ] {
        let v: i64 = attr(&mar, side).and_then(|v| v.parse().ok()).expect(side);
        assert_eq!(v, twips(mm), "{side} margin");
    }
    let grid = sect
        .children()
        .find(|n| n.has_tag_name("docGrid"))
        .expect("docGrid");
    assert_eq!(
        attr(&grid, "linePitch").as_deref(),
        Some("579"),
        "22 lines of 28.95 pt"
    );
    let refs: Vec<String> = sect
        .children()
        .filter(|n| n.has_tag_name("footerReference"))
        .filter_map(|n| attr(&n, "type"))
        .collect();
    assert!(
        refs.contains(&"default".into()) && refs.contains(&"even".into()),
        "{refs:?}"
    );
    assert!(zip_text(&bytes, "word/settings.xml").contains("evenAndOddHeaders"));

    let paras = paragraphs(&xml);
    // 版头: organ in red, then the 文号 with the red rule under it.
    let organ = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("r")
                && n.descendants()
                    .any(|t| t.text() == Some("汨罗市“七大攻坚”行动指挥部办公室"))
        })
        .expect("organ run");
    assert!(organ
        .descendants()
        .any(|n| n.has_tag_name("color") && attr(&n, "val").as_deref() == Some("FF0000")));
    let number = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("p")
                && n.descendants()
                    .any(|t| t.text() == Some("汨攻坚办通〔2025〕10号"))
        })
        .expect("文号");
    let bottom = number
        .descendants()
        .find(|n| n.has_tag_name("pBdr"))
        .and_then(|b| b.children().find(|n| n.has_tag_name("bottom")))
        .expect("red rule");
    assert_eq!(attr(&bottom, "color").as_deref(), Some("FF0000"));
    assert_eq!(attr(&bottom, "val").as_deref(), Some("single"));
    // Title: 2号 方正小标宋简体.
    let title = paras
        .iter()
        .find(|p| p.text == "关于汨罗市2025年10月重点任务推进情况的通报")
        .expect("title");
    assert_eq!(title.east_asia, vec![bulletin::FONT_TITLE]);
    assert_eq!(title.sizes, vec!["44"]);
    // Too long for one line at 2号: broken before the subject by a line
    // break, not left to wrap a lone "通报" onto the second line.
    let title_node = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("p")
                && n.descendants()
                    .filter(|t| t.has_tag_name("t"))
                    .filter_map(|t| t.text())
                    .collect::<String>()
                    .starts_with("关于汨罗市")
        })
        .expect("title paragraph");
    let lines: Vec<&str> = title_node
        .descendants()
        .filter(|t| t.has_tag_name("t"))
        .filter_map(|t| t.text())
        .collect();
    assert_eq!(lines, ["关于汨罗市2025年10月", "重点任务推进情况的通报"]);
    assert_eq!(
        title_node
            .descendants()
            .filter(|n| n.has_tag_name("br"))
            .count(),
        1
    );
    // Body: 3号 仿宋_GB2312, exact 28.95 pt.
    let body = paras
        .iter()
        .find(|p| p.text.starts_with("为推动各项重点任务"))
        .expect("body");
    assert_eq!(body.east_asia, vec![bulletin::FONT_BODY]);
    assert_eq!(body.sizes, vec!["32"]);
    assert_eq!(body.line, Some(("579".into(), "exact".into())));
    let body_node = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("p")
                && n.descendants()
                    .filter(|t| t.has_tag_name("t"))
                    .filter_map(|t| t.text())
                    .collect::<String>()
                    .starts_with("为推动")
        })
        .expect("body paragraph");
    let ind = body_node
        .descendants()
        .find(|n| n.has_tag_name("ind"))
        .expect("indent");
    assert_eq!(
        attr(&ind, "firstLine").as_deref(),
        Some("640"),
        "two characters of 16 pt"
    );
    // Headings: 黑体 for 一、, 楷体 for （一）.
    let h1 = paras.iter().find(|p| p.text == "一、总体情况").expect("h1");
    assert_eq!(h1.east_asia, vec![bulletin::FONT_H1]);
    let h2 = paras
        .iter()
        .find(|p| p.text == "（一）重点项目建设攻坚")
        .expect("h2");
    assert_eq!(h2.east_asia, vec![bulletin::FONT_H2]);
    // The extra section comes before 下一步工作.
    let pos = |t: &str| {
        paras
            .iter()
            .position(|p| p.text.ends_with(t))
            .unwrap_or_else(|| panic!("{t}"))
    };
    assert!(pos("实地督查情况") < pos("下一步工作"));

    // Page numbers: — PAGE — in 4号 宋体, odd right, even left.
    let rels = zip_text(&bytes, "word/_rels/document.xml.rels");
    let target_of = |kind: &str| {
        let id = sect
            .children()
            .find(|n| n.has_tag_name("footerReference") && attr(n, "type").as_deref() == Some(kind))
            .and_then(|n| attr(&n, "id"))
            .expect("footer id");
        let r = roxmltree::Document::parse(&rels).expect("rels");
        let t = r
            .descendants()
            .find(|n| n.attribute("Id") == Some(id.as_str()))
            .and_then(|n| n.attribute("Target"))
            .expect("target")
            .to_string();
        t
    };
    for (kind, jc) in [("default", "right"), ("even", "left")] {
        let footer = zip_text(&bytes, &format!("word/{}", target_of(kind)));
        let f = roxmltree::Document::parse(&footer).expect("footer");
        let instr: String = f
            .descendants()
            .filter(|n| n.has_tag_name("instrText"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(instr.trim(), "PAGE", "{kind} footer has a page field");
        let text: String = f
            .descendants()
            .filter(|n| n.has_tag_name("t"))
            .filter_map(|n| n.text())
            .collect();
        assert!(
            text.starts_with("— ") && text.ends_with(" —"),
            "{kind}: {text}"
        );
        let j = f
            .descendants()
            .find(|n| n.has_tag_name("jc"))
            .and_then(|n| attr(&n, "val"));
        assert_eq!(j.as_deref(), Some(jc), "{kind} footer alignment");
        assert!(f
            .descendants()
            .any(|n| n.has_tag_name("rFonts") && attr(&n, "eastAsia").as_deref() == Some("宋体")));
        assert!(f
            .descendants()
            .any(|n| n.has_tag_name("sz") && attr(&n, "val").as_deref() == Some("28")));
    }
}

#[test]
fn bulletin_numbers_equal_the_ledger() {
    let b = bulletin_fixture();
    let bytes = bulletin::write(&b).expect("written");
    let xml = zip_text(&bytes, "word/document.xml");
    let paras = paragraphs(&xml);
    let text_after = |heading: &str| {
        let i = paras
            .iter()
            .position(|p| p.text == heading)
            .unwrap_or_else(|| panic!("{heading}"));
        paras[i + 1].text.clone()
    };
    // Campaign 1: 12 tasks (7/3/2), 40 owed, 37 sent, 93 % and 83 %;
    // since last month green +2, red -1, reporting 88 % → 93 %: +5 points.
    let c1 = text_after("（一）重点项目建设攻坚");
    assert_eq!(
        numbers(&c1),
        vec![12, 7, 3, 2, 40, 37, 93, 83, 2, 1, 5],
        "{c1}"
    );
    assert!(
        c1.contains("绿灯增加2项，红灯减少1项，报送率上升5个百分点"),
        "{c1}"
    );
    // Campaign 2: 4 tasks, all green, 8 of 8 on time; first cycle.
    let c2 = text_after("（二）招商引资攻坚");
    assert_eq!(numbers(&c2), vec![4, 4, 0, 0, 8, 8, 100, 100], "{c2}");
    assert!(c2.ends_with("本期为首期调度。"), "{c2}");
    // The opening totals: 2 campaigns, 16 tasks (11/3/2), 48 owed, 45 sent (94 %), 41 on time (85 %).
    let intro = paras
        .iter()
        .find(|p| p.text.starts_with("为推动"))
        .expect("intro")
        .text
        .clone();
    assert_eq!(
        numbers(&intro),
        vec![2025, 10, 2025, 10, 24, 2, 16, 11, 3, 2, 48, 45, 94, 85],
        "{intro}"
    );
    // Indicators: 2, 1 reported, 1 on track, 0 off, 1 not reported.
    let ind = text_after("二、主要指标完成情况");
    assert_eq!(numbers(&ind), vec![2, 1, 1, 0, 1], "{ind}");
    // 表扬: the two best units with their scores and their own words.
    let praise = text_after("三、表扬");
    assert!(
        praise.contains("市发改局（92.5分）、市住建局（81分）"),
        "{praise}"
    );
    assert!(
        praise.contains("市发改局：市发改局完成年度投资目标的八成。"),
        "{praise}"
    );
    // 督办: the silent unit, red and overdue tasks with their leads and days overdue.
    let all: String = paras
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("重点项目建设攻坚中，市财政局（20分，本期未报送）排名靠后"),
        "{all}"
    );
    // A praised unit is never also urged.
    assert!(
        !all.contains("市住建局（81分）排名靠后") && !all.contains("市住建局（81分）、市财政局"),
        "{all}"
    );
    assert!(all.contains("以下2项任务亮红灯或已逾期"), "{all}");
    assert!(
        all.contains("推进第4号重点项目建设（牵头单位：市住建局；已逾期12天）"),
        "{all}"
    );
    assert!(all.contains("推进第3号重点项目建设（牵头单位：市发改局；完成 30%，落后序时进度 50% 超过 15 个百分点）"), "{all}");
    // Reasons in Chinese only: their English part is for API clients.
    assert!(!all.contains("Behind"), "{all}");
    // Open coordination requests, days open.
    assert!(all.contains("尚有1项协调事项未办结"), "{all}");
    assert!(all.contains("市住建局提请市自然资源局协调：请协调解决项目用地指标（涉及任务：推进第4号重点项目建设；已提出9天）"), "{all}");
    // Next steps name the red leads and the next due date; 7 late reports (40-33 + 8-8).
    assert!(
        all.contains("请2个红灯任务的牵头单位（市发改局、市住建局）在下期调度（2025-11-07截止）前"),
        "{all}"
    );
    assert!(all.contains("本期有7份填报未按时报送"), "{all}");
    // Annex 1: one row per campaign with its counts and rates, and the total.
    let doc = roxmltree::Document::parse(&xml).expect("xml");
    let rows: Vec<Vec<String>> = doc
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .map(|r| {
            r.children()
                .filter(|c| c.has_tag_name("tc"))
                .map(|c| {
                    c.descendants()
                        .filter(|n| n.has_tag_name("t"))
                        .filter_map(|n| n.text())
                        .collect()
                })
                .collect()
        })
        .collect();
    let row = |first: &str| {
        rows.iter()
            .find(|r| r[0] == first)
            .unwrap_or_else(|| panic!("{first}"))
            .clone()
    };
    assert_eq!(
        row("重点项目建设攻坚"),
        [
            "重点项目建设攻坚",
            "12",
            "7",
            "3",
            "2",
            "93%",
            "83%",
            "红灯减少1项"
        ]
    );
    assert_eq!(
        row("招商引资攻坚"),
        ["招商引资攻坚", "4", "4", "0", "0", "100%", "100%", "首期"]
    );
    assert_eq!(
        row("合计"),
        ["合计", "16", "11", "3", "2", "94%", "85%", ""]
    );
    // Annex 2: the indicators; annex 3: every red or overdue task, longest overdue first.
    assert_eq!(
        row("固定资产投资增速"),
        [
            "固定资产投资增速",
            "市发改局",
            "不低于8%",
            "8.6",
            "8",
            "达标"
        ]
    );
    assert_eq!(row("新开工项目")[3], "未报");
    let flagged: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r.len() == 6 && r[1] == "重点项目建设攻坚")
        .collect();
    assert_eq!(flagged.len(), 2);
    assert_eq!(
        flagged[0][2..],
        ["推进第4号重点项目建设", "市住建局", "30%", "已逾期12天"]
    );
    assert_eq!(
        flagged[1][2..4],
        ["推进第3号重点项目建设".to_string(), "市发改局".to_string()]
    );
    assert_eq!(flagged[1][4], "未报");
}

#[test]
fn chart_renders_to_png() {
    let svg = duban_office::chart::light_svg(&fixture(), "各攻坚行动红黄绿灯");
    let (png, w, h) = duban_office::chart::png(&svg).expect("png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(w > 0 && h > 0);
    // A bulletin with the chart embeds it as a picture.
    let mut b = bulletin_fixture();
    b.chart = Some((png.clone(), w, h));
    let bytes = bulletin::write(&b).expect("written");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let media: Vec<String> = z
        .file_names()
        .filter(|n| n.starts_with("word/media/") && !n.ends_with('/'))
        .map(String::from)
        .collect();
    assert_eq!(media.len(), 1, "{media:?}");
    let mut embedded = Vec::new();
    z.by_name(&media[0])
        .expect("media")
        .read_to_end(&mut embedded)
        .expect("read");
    assert_eq!(embedded, png);
}
