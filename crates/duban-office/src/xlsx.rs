//! The ledger (台账) as an XLSX workbook: one sheet per campaign, a sheet
//! of indicators, a sheet of the ranking. Written with `rust_xlsxwriter`
//! (MIT OR Apache-2.0); nothing of the format by hand.

use crate::model::{light_label, light_rgb, num, CampaignLedger, Ledger};
use crate::OfficeError;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

/// The columns of a campaign sheet, in order (the list).
pub const TASK_HEADERS: [&str; 12] = [
    "序号",
    "任务",
    "牵头单位",
    "责任单位",
    "完成时限",
    "本期状态",
    "完成比例",
    "序时进度",
    "灯",
    "理由",
    "进展情况",
    "存在问题",
];

pub const INDICATOR_SHEET: &str = "指标";
pub const INDICATOR_HEADERS: [&str; 8] = [
    "攻坚",
    "指标",
    "责任单位",
    "目标",
    "计量单位",
    "当前值",
    "应达值",
    "是否达标",
];

pub const RANKING_SHEET: &str = "排名";
pub const RANKING_HEADERS: [&str; 10] = [
    "攻坚", "名次", "单位", "得分", "应报", "已报", "按时", "绿灯", "黄灯", "红灯",
];

/// Widest a column gets (in Excel's character units); longer text wraps.
const MAX_WIDTH: f64 = 48.0;

/// The sheet name of a campaign: "N 标题", cut to Excel's 31 characters
/// and without the characters Excel forbids in sheet names.
pub fn sheet_name(c: &CampaignLedger) -> String {
    let raw = format!("{} {}", c.plan, c.title);
    raw.chars()
        .map(|ch| match ch {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\'' => ' ',
            other => other,
        })
        .take(31)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Display width of text in Excel's character units: a CJK character is
/// as wide as two Latin ones, which is why default widths cut Chinese off.
pub(crate) fn text_width(s: &str) -> f64 {
    s.lines()
        .map(|l| {
            l.chars()
                .map(|c| if (c as u32) < 0x2E80 { 1.1 } else { 2.1 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// Tracks the widest cell of each column and sets the widths at the end.
struct Widths(Vec<f64>);

impl Widths {
    fn new(headers: &[&str]) -> Self {
        Widths(headers.iter().map(|h| text_width(h) + 2.0).collect())
    }
    fn see(&mut self, col: usize, s: &str) {
        if let Some(w) = self.0.get_mut(col) {
            *w = w.max(text_width(s) + 2.0);
        }
    }
    fn apply(&self, sheet: &mut Worksheet) -> Result<(), OfficeError> {
        for (i, w) in self.0.iter().enumerate() {
            sheet.set_column_width(i as u16, w.min(MAX_WIDTH))?;
        }
        Ok(())
    }
}

struct Formats {
    header: Format,
    text: Format,
    number: Format,
    lights: [(duban_core::evaluation::Light, Format); 3],
}

fn formats() -> Formats {
    use duban_core::evaluation::Light;
    let base = Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let light = |l: Light| {
        (
            l,
            base.clone()
                .set_align(FormatAlign::Center)
                .set_bold()
                .set_background_color(Color::RGB(light_rgb(l))),
        )
    };
    Formats {
        header: base
            .clone()
            .set_bold()
            .set_font_name("黑体")
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(0xD9E1F2)),
        text: base.clone().set_text_wrap(),
        number: base.clone().set_num_format("0.0"),
        lights: [light(Light::Green), light(Light::Yellow), light(Light::Red)],
    }
}

fn header_row(
    sheet: &mut Worksheet,
    headers: &[&str],
    rows: usize,
    f: &Formats,
) -> Result<(), OfficeError> {
    for (i, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, *h, &f.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows as u32, headers.len() as u16 - 1)?;
    Ok(())
}

/// Writes the ledger workbook.
pub fn ledger(ledger: &Ledger) -> Result<Vec<u8>, OfficeError> {
    let f = formats();
    let mut book = Workbook::new();
    let mut used = std::collections::HashSet::new();
    for c in &ledger.campaigns {
        let sheet = book.add_worksheet();
        let mut name = sheet_name(c);
        // Two campaigns whose names cut to the same 31 characters.
        if !used.insert(name.clone()) {
            name = format!("{} {}", c.plan, c.cycle_id)
                .chars()
                .take(31)
                .collect();
            used.insert(name.clone());
        }
        sheet.set_name(name)?;
        campaign_sheet(sheet, c, &f)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name(INDICATOR_SHEET)?;
    indicator_sheet(sheet, ledger, &f)?;
    let sheet = book.add_worksheet();
    sheet.set_name(RANKING_SHEET)?;
    ranking_sheet(sheet, ledger, &f)?;
    Ok(book.save_to_buffer()?)
}

fn campaign_sheet(
    sheet: &mut Worksheet,
    c: &CampaignLedger,
    f: &Formats,
) -> Result<(), OfficeError> {
    header_row(sheet, &TASK_HEADERS, c.tasks.len(), f)?;
    let texts = |t: &'_ crate::model::LedgerTask| -> [(u16, String); 8] {
        [
            (1, t.title.clone()),
            (2, t.lead.clone()),
            (3, t.units.clone()),
            (4, t.deadline.clone()),
            (5, t.status.clone()),
            // An office file is read in Chinese: the reason's English
            // part (for API clients) is left out.
            (9, duban_core::evaluation::reason_zh(&t.reason).to_string()),
            (10, t.progress.clone()),
            (11, t.problems.clone()),
        ]
    };
    // Widths first, so each row can be made tall enough for its wrapped
    // text (no spreadsheet program grows rows written with a height).
    let mut w = Widths::new(&TASK_HEADERS);
    for t in &c.tasks {
        for (col, s) in texts(t) {
            w.see(col as usize, &s);
        }
    }
    for (i, t) in c.tasks.iter().enumerate() {
        let r = i as u32 + 1;
        let texts = texts(t);
        let lines = texts
            .iter()
            .map(|(col, s)| {
                let width =
                    w.0.get(*col as usize)
                        .copied()
                        .unwrap_or(MAX_WIDTH)
                        .min(MAX_WIDTH);
                (text_width(s) / (width - 1.0).max(1.0)).ceil().max(1.0)
            })
            .fold(1.0, f64::max);
        sheet.set_row_height(r, 15.0 * lines)?;
        sheet.write_number_with_format(
            r,
            0,
            (i + 1) as f64,
            &f.number.clone().set_num_format("0"),
        )?;
        for (col, s) in &texts {
            sheet.write_string_with_format(r, *col, s, &f.text)?;
        }
        match t.completion {
            Some(v) => sheet.write_number_with_format(r, 6, v, &f.number)?,
            None => sheet.write_string_with_format(r, 6, "未报", &f.text)?,
        };
        sheet.write_number_with_format(r, 7, t.time_progress, &f.number)?;
        let lf = f
            .lights
            .iter()
            .find(|(l, _)| *l == t.light)
            .map(|(_, fmt)| fmt)
            .unwrap_or(&f.text);
        sheet.write_string_with_format(r, 8, light_label(t.light), lf)?;
    }
    w.apply(sheet)?;
    sheet.set_landscape();
    // A4, printed one page wide, as many pages long as it takes.
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

fn indicator_sheet(sheet: &mut Worksheet, l: &Ledger, f: &Formats) -> Result<(), OfficeError> {
    let rows: Vec<_> = l
        .campaigns
        .iter()
        .flat_map(|c| c.indicators.iter().map(move |i| (c, i)))
        .collect();
    header_row(sheet, &INDICATOR_HEADERS, rows.len(), f)?;
    let mut w = Widths::new(&INDICATOR_HEADERS);
    for (i, (c, ind)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, s) in [
            (0u16, c.title.as_str()),
            (1, &ind.metric),
            (2, &ind.owner),
            (4, &ind.unit),
        ] {
            sheet.write_string_with_format(r, col, s, &f.text)?;
            w.see(col as usize, s);
        }
        let target = format!("{} {}", comparator_zh(&ind.comparator), num(ind.target));
        sheet.write_string_with_format(r, 3, &target, &f.text)?;
        w.see(3, &target);
        match ind.current {
            Some(v) => sheet.write_number_with_format(r, 5, v, &f.text)?,
            None => sheet.write_string_with_format(r, 5, "未报", &f.text)?,
        };
        match ind.expected {
            Some(v) => {
                sheet.write_number_with_format(r, 6, v, &f.number.clone().set_num_format("0.00"))?
            }
            None => sheet.write_string_with_format(r, 6, "", &f.text)?,
        };
        let verdict = match ind.on_track {
            Some(true) => "达标",
            Some(false) => "未达标",
            None => "未报",
        };
        sheet.write_string_with_format(r, 7, verdict, &f.text)?;
    }
    w.apply(sheet)?;
    Ok(())
}

fn ranking_sheet(sheet: &mut Worksheet, l: &Ledger, f: &Formats) -> Result<(), OfficeError> {
    let rows: Vec<_> = l
        .campaigns
        .iter()
        .flat_map(|c| c.ranking.iter().map(move |r| (c, r)))
        .collect();
    header_row(sheet, &RANKING_HEADERS, rows.len(), f)?;
    let mut w = Widths::new(&RANKING_HEADERS);
    let int = f.number.clone().set_num_format("0");
    for (i, (c, k)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string_with_format(r, 0, &c.title, &f.text)?;
        w.see(0, &c.title);
        sheet.write_number_with_format(r, 1, k.rank as f64, &int)?;
        sheet.write_string_with_format(r, 2, &k.unit, &f.text)?;
        w.see(2, &k.unit);
        sheet.write_number_with_format(r, 3, k.score, &f.number)?;
        for (col, v) in [
            (4u16, k.expected),
            (5, k.actual),
            (6, k.on_time),
            (7, k.green),
            (8, k.yellow),
            (9, k.red),
        ] {
            sheet.write_number_with_format(r, col, v as f64, &int)?;
        }
    }
    w.apply(sheet)?;
    Ok(())
}

/// The comparator of a target as office staff write it.
pub fn comparator_zh(c: &str) -> &'static str {
    const WORDS: [(&str, &str); 4] = [
        (">=", "不低于"),
        ("<=", "不高于"),
        ("about", "约"),
        ("range", "介于"),
    ];
    WORDS
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(_, v)| *v)
        .unwrap_or("")
}
