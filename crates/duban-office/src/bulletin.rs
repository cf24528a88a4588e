//! The monthly bulletin (通报) as a 公文 DOCX after GB/T 9704-2012, written
//! with `docx-rs` (MIT). The content is generated from the ledger
//! ([`content`]: plain blocks, testable as text); [`write`] lays it out.
//!
//! What the layout needs and how `docx-rs` gives it (checked in its
//! source, 0.4.22):
//! - A4 and the margins 37/35/28/26 mm: `Docx::page_size`/`page_margin` (twips).
//! - 22 lines × 28 characters: a `w:docGrid` of type linesAndChars on the
//!   section (`SectionProperty::doc_grid`, set through `Docx::document`'s
//!   section property), line pitch 579 twips = 28.95 pt.
//! - East Asian font names (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312):
//!   `RunFonts::east_asia`, with the same name for ascii/hAnsi so digits
//!   and Latin letters match the Chinese text.
//! - Exact 28.95 pt line spacing: `LineSpacing::line(579)` with
//!   `LineSpacingType::Exact`.
//! - The red rule under the 文号: a bottom paragraph border (`w:pBdr`),
//!   red, 2.25 pt. `Paragraph` has no setter for it, but its `property`
//!   field is public and `ParagraphProperty::set_borders` exists.
//! - Page numbers `— N —`, odd right and even left: `Docx::footer` and
//!   `Docx::even_footer` (the latter also turns on `w:evenAndOddHeaders`
//!   in settings), each with a PAGE field (`Paragraph::add_page_num`).

use crate::model::{light_label, light_rgb, num, CampaignLedger, Counts, Ledger, LedgerTask};
use crate::xlsx::comparator_zh;
use crate::OfficeError;
use docx_rs::{
    AlignmentType, BorderType, BreakType, DocGridType, Docx, Footer, LineSpacing, LineSpacingType,
    PageMargin, PageNum, Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders,
    Pic, Run, RunFonts, Shading, SpecialIndentType, Table, TableCell, TableRow, WidthType,
};

/// Page and type sizes of GB/T 9704-2012, in the units Word uses.
pub mod layout {
    /// A4 in twips (1/1440 inch).
    pub const PAGE_W: u32 = 11906;
    pub const PAGE_H: u32 = 16838;
    /// Millimetres to twips.
    pub const fn mm(v: u32) -> i32 {
        (v as i64 * 14400 / 254) as i32
    }
    pub const TOP: i32 = mm(37);
    pub const BOTTOM: i32 = mm(35);
    pub const LEFT: i32 = mm(28);
    pub const RIGHT: i32 = mm(26);
    /// Footer distance: the page number sits about 7 mm below the text.
    pub const FOOTER: i32 = mm(23);
    /// Exact line spacing, 28.95 pt in twips: 22 lines in the 225 mm text height.
    pub const LINE: i32 = 579;
    /// 28 characters in the 156 mm text width (442 pt) at 3号 (16 pt):
    /// each character 0.25 pt narrower (`w:spacing` in twentieths of a
    /// point). A `linesAndChars` grid would say the same to Word, but
    /// LibreOffice and WPS compute its pitch from other bases and spread
    /// the text; a run's spacing means the same everywhere.
    pub const CHAR_SPACING: i32 = -5;
    /// Font sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt.
    pub const SIZE_2: usize = 44;
    pub const SIZE_3: usize = 32;
    pub const SIZE_4: usize = 28;
    /// First-line indent of two 3号 characters (32 pt), in twips. (docx-rs
    /// 0.4.22 keeps `first_line_chars` but does not write `w:firstLineChars`
    /// to the XML, so the indent is given in twips, which every reader honours.)
    pub const INDENT: i32 = 640;
    /// 五号 (10.5 pt) for table cells.
    pub const SIZE_5: usize = 21;
    /// The red of the 版头 and the rule.
    pub const RED: &str = "FF0000";
}

pub const FONT_TITLE: &str = "方正小标宋简体";
pub const FONT_BODY: &str = "仿宋_GB2312";
pub const FONT_H1: &str = "黑体";
pub const FONT_H2: &str = "楷体_GB2312";
pub const FONT_PAGE: &str = "宋体";

/// The issuing organ's 版头 and the 文号, configurable per region.
#[derive(Debug, Clone, PartialEq)]
pub struct Masthead {
    /// 发文机关标志, e.g. 汨罗市"七大攻坚"行动指挥部办公室.
    pub organ: String,
    /// 发文字号, e.g. 汨攻坚办通〔2025〕3号.
    pub doc_number: String,
    /// 落款 (the signing organ under the text).
    pub signature: String,
}

/// A section added by another part of duban (e.g. supervision visits),
/// placed before 下一步工作.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// Everything a bulletin is made from.
#[derive(Debug, Clone, PartialEq)]
pub struct Bulletin {
    pub masthead: Masthead,
    /// The period in words, e.g. 2025年3月.
    pub period: String,
    /// The issue date in words (成文日期), e.g. 2025年4月2日.
    pub date: String,
    pub ledger: Ledger,
    pub extra_sections: Vec<ExtraSection>,
    /// The light chart as PNG with its pixel size.
    pub chart: Option<(Vec<u8>, u32, u32)>,
}

/// A block of the bulletin's text, before layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Centred, 2号 方正小标宋; `\n` breaks a line (see [`title`]).
    Title(String),
    /// 一、… (黑体).
    Heading1(String),
    /// （一）… (楷体).
    Heading2(String),
    Para(String),
    /// Header row, rows (a cell may carry a light, filled and labelled),
    /// and the columns' relative widths.
    Table(Vec<String>, Vec<Vec<Cell>>, Vec<usize>),
    /// 附件N label starting a new page.
    Annex(String),
    Chart,
    /// The signature and date, right-aligned.
    Signature(String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Light(duban_core::evaluation::Light),
}

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn numeral(i: usize) -> String {
    match i {
        1..=10 => NUMERALS[i - 1].to_string(),
        11..=19 => format!("十{}", NUMERALS[i - 11]),
        _ => i.to_string(),
    }
}

/// Change of a count in words: 增加 N 项 / 减少 N 项 / 持平.
fn change(now: usize, before: usize, unit: &str) -> String {
    match now.cmp(&before) {
        std::cmp::Ordering::Greater => format!("增加{}{unit}", now - before),
        std::cmp::Ordering::Less => format!("减少{}{unit}", before - now),
        std::cmp::Ordering::Equal => "持平".into(),
    }
}

fn change_pct(now: u32, before: u32) -> String {
    match now.cmp(&before) {
        std::cmp::Ordering::Greater => format!("上升{}个百分点", now - before),
        std::cmp::Ordering::Less => format!("下降{}个百分点", before - now),
        std::cmp::Ordering::Equal => "持平".into(),
    }
}

/// The sentence on one campaign's overall picture.
pub fn overview_sentence(c: &CampaignLedger) -> String {
    let n = &c.counts;
    let mut s = format!(
        "{}纳入本期调度任务{}项，其中绿灯{}项、黄灯{}项、红灯{}项；应报送{}份，实报送{}份，报送率{}%，按时报送率{}%。",
        short(&c.title),
        n.tasks(),
        n.green,
        n.yellow,
        n.red,
        n.expected,
        n.actual,
        n.reporting_pct(),
        n.on_time_pct()
    );
    match &c.previous {
        Some(p) => s.push_str(&format!(
            "与上期相比，绿灯{}，红灯{}，报送率{}。",
            change(n.green, p.green, "项"),
            change(n.red, p.red, "项"),
            change_pct(n.reporting_pct(), p.reporting_pct())
        )),
        None => s.push_str("本期为首期调度。"),
    }
    s
}

/// The region's totals over all campaigns.
pub fn totals(l: &Ledger) -> Counts {
    l.campaigns.iter().fold(Counts::default(), |a, c| Counts {
        green: a.green + c.counts.green,
        yellow: a.yellow + c.counts.yellow,
        red: a.red + c.counts.red,
        expected: a.expected + c.counts.expected,
        actual: a.actual + c.counts.actual,
        on_time: a.on_time + c.counts.on_time,
    })
}

/// How many units are praised and urged per campaign.
const PRAISED: usize = 2;
const URGED: usize = 2;
/// How much of a unit's own report text is quoted in 表扬.
const QUOTE_CHARS: usize = 60;

fn quote(s: &str) -> String {
    let s = s.trim().trim_end_matches(['。', '；', ';', '.']);
    let cut: String = s.chars().take(QUOTE_CHARS).collect();
    if cut.chars().count() < s.chars().count() {
        format!("{cut}……")
    } else {
        cut
    }
}

/// Title characters on a line: the 156 mm text width (442 pt) holds 20
/// characters of 2号 (22 pt).
const TITLE_CHARS: f64 = 20.0;

/// A title's width in 2号 characters: digits and Latin letters are about
/// half as wide as a Chinese character.
fn title_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

/// The title on one line when it fits; else broken (`\n`) between who and
/// when ("关于汨罗市2025年10月") and the subject ("重点任务推进情况的通报").
/// Left to the word processor, the 21-character title wraps before its
/// last character or two and leaves "通报" alone on the second line;
/// GB/T 9704-2012 (7.3.3) wants a title that wraps to keep words whole and
/// its lines balanced (标题回行时要词意完整，排列对称).
fn title(head: &str, tail: &str) -> String {
    if title_width(head) + title_width(tail) <= TITLE_CHARS {
        format!("{head}{tail}")
    } else {
        format!("{head}\n{tail}")
    }
}

/// The bulletin's text, block by block, from the ledger.
pub fn content(b: &Bulletin) -> Vec<Block> {
    let l = &b.ledger;
    let mut out = vec![Block::Title(title(
        &format!("关于{}{}", l.region, b.period),
        "重点任务推进情况的通报",
    ))];
    let t = totals(l);
    out.push(Block::Para(format!(
        "为推动各项重点任务落地见效，现将{}各攻坚行动推进情况通报如下（数据截至{}）。全市共{}个攻坚行动纳入调度，任务{}项，其中绿灯{}项、黄灯{}项、红灯{}项；应报送{}份，实报送{}份，报送率{}%，按时报送率{}%。",
        b.period,
        l.as_of,
        l.campaigns.len(),
        t.tasks(),
        t.green,
        t.yellow,
        t.red,
        t.expected,
        t.actual,
        t.reporting_pct(),
        t.on_time_pct()
    )));
    let mut h = 0;
    let mut heading = |out: &mut Vec<Block>, text: &str| {
        h += 1;
        out.push(Block::Heading1(format!("{}、{text}", numeral(h))));
    };
    heading(&mut out, "总体情况");
    for (i, c) in l.campaigns.iter().enumerate() {
        out.push(Block::Heading2(format!(
            "（{}）{}",
            numeral(i + 1),
            short(&c.title)
        )));
        out.push(Block::Para(overview_sentence(c)));
    }
    heading(&mut out, "主要指标完成情况");
    let indicators: Vec<_> = l
        .campaigns
        .iter()
        .flat_map(|c| c.indicators.iter())
        .collect();
    if indicators.is_empty() {
        out.push(Block::Para("本期无需报送的量化指标。".into()));
    } else {
        let reported = indicators.iter().filter(|i| i.current.is_some()).count();
        let on_track = indicators
            .iter()
            .filter(|i| i.on_track == Some(true))
            .count();
        out.push(Block::Para(format!(
            "纳入调度的量化指标{}项，已报送{}项，达到序时进度{}项，未达到{}项，未报送{}项。",
            indicators.len(),
            reported,
            on_track,
            reported - on_track.min(reported),
            indicators.len() - reported
        )));
        let off: Vec<String> = indicators
            .iter()
            .filter(|i| i.on_track == Some(false))
            .map(|i| i.metric.clone())
            .collect();
        if !off.is_empty() {
            out.push(Block::Para(format!(
                "未达到序时进度的指标：{}（详见附件2）。",
                off.join("、")
            )));
        }
    }
    heading(&mut out, "表扬");
    let mut praised_any = false;
    for c in &l.campaigns {
        let best: Vec<_> = c
            .ranking
            .iter()
            .filter(|r| !r.silent && r.score > 0.0)
            .take(PRAISED)
            .collect();
        if best.is_empty() {
            continue;
        }
        praised_any = true;
        let names: Vec<String> = best
            .iter()
            .map(|r| format!("{}（{}分）", r.unit, num(r.score)))
            .collect();
        let mut p = format!(
            "{}中，{}综合得分靠前，予以通报表扬。",
            short(&c.title),
            names.join("、")
        );
        for r in &best {
            if let Some(h) = r.highlights.iter().find(|h| !h.trim().is_empty()) {
                p.push_str(&format!("{}：{}。", r.unit, quote(h)));
            }
        }
        out.push(Block::Para(p));
    }
    if !praised_any {
        out.push(Block::Para("本期暂无得分靠前的单位。".into()));
    }
    heading(&mut out, "督办");
    for c in &l.campaigns {
        let n = c.ranking.len();
        let worst: Vec<_> = c
            .ranking
            .iter()
            // Never a praised unit: the bottom ones after the praised ones.
            .skip(n.saturating_sub(URGED).max(PRAISED))
            .filter(|r| r.silent || r.red > 0 || r.on_time < r.expected)
            .collect();
        let flagged = flagged_tasks(c);
        if worst.is_empty() && flagged.is_empty() {
            continue;
        }
        let mut p = format!("{}中，", short(&c.title));
        if !worst.is_empty() {
            let names: Vec<String> = worst
                .iter()
                .map(|r| {
                    if r.silent {
                        format!("{}（{}分，本期未报送）", r.unit, num(r.score))
                    } else {
                        format!("{}（{}分）", r.unit, num(r.score))
                    }
                })
                .collect();
            p.push_str(&format!("{}排名靠后，请切实加快进度。", names.join("、")));
        }
        if flagged.len() > LISTED {
            p.push_str(&format!(
                "共有{}项任务亮红灯或已逾期（详见附件3），其中问题最突出的{}项如下，请牵头单位限期整改：",
                flagged.len(),
                LISTED
            ));
        } else if !flagged.is_empty() {
            p.push_str(&format!(
                "以下{}项任务亮红灯或已逾期，请牵头单位限期整改：",
                flagged.len()
            ));
        }
        out.push(Block::Para(p));
        for (i, t) in flagged.iter().take(LISTED).enumerate() {
            let state = task_state(t);
            out.push(Block::Para(format!(
                "{}. {}（牵头单位：{}；{}）。",
                i + 1,
                t.title.trim_end_matches('。'),
                t.lead,
                state
            )));
        }
    }
    heading(&mut out, "需协调解决的事项");
    let requests: Vec<_> = l.campaigns.iter().flat_map(|c| c.requests.iter()).collect();
    if requests.is_empty() {
        out.push(Block::Para("本期无未办结的协调事项。".into()));
    } else {
        out.push(Block::Para(format!(
            "截至{}，尚有{}项协调事项未办结：",
            l.as_of,
            requests.len()
        )));
        for (i, r) in requests.iter().enumerate() {
            out.push(Block::Para(format!(
                "{}. {}提请{}协调：{}（涉及任务：{}；已提出{}天）。",
                i + 1,
                r.from_unit,
                r.addressed_to,
                r.text.trim_end_matches('。'),
                r.task.trim_end_matches('。'),
                r.days_open
            )));
        }
    }
    for s in &b.extra_sections {
        heading(&mut out, &s.heading);
        out.extend(s.paragraphs.iter().cloned().map(Block::Para));
    }
    heading(&mut out, "下一步工作");
    let next_due = l
        .campaigns
        .iter()
        .filter_map(|c| c.next_due.as_deref())
        .min()
        .map(|d| format!("下期调度（{d}截止）"))
        .unwrap_or_else(|| "下期调度".into());
    // In the order the tasks come, each unit once.
    let mut red_leads: Vec<&str> = Vec::new();
    for t in l.campaigns.iter().flat_map(|c| c.tasks.iter()) {
        if t.light == duban_core::evaluation::Light::Red && !red_leads.contains(&t.lead.as_str()) {
            red_leads.push(&t.lead);
        }
    }
    let late = t.expected - t.on_time.min(t.expected);
    let mut steps = Vec::new();
    if t.red > 0 {
        steps.push(format!(
            "请{}个红灯任务的牵头单位（{}）在{}前报送整改措施和时间表，逐项销号。",
            t.red,
            red_leads.join("、"),
            next_due
        ));
    }
    if late > 0 {
        steps.push(format!(
            "本期有{late}份填报未按时报送，请相关单位严格按调度时限报送，{next_due}前补报到位。"
        ));
    }
    if !requests.is_empty() {
        steps.push(format!(
            "请各专班办公室对{}项未办结协调事项逐项跟进，及时提请领导协调解决。",
            requests.len()
        ));
    }
    steps.push(
        "各攻坚专班要对照任务清单和序时进度，持续抓好调度、督办和通报，确保各项任务按期完成。"
            .into(),
    );
    for (i, s) in steps.iter().enumerate() {
        out.push(Block::Para(format!("（{}）{s}", numeral(i + 1))));
    }
    let has_indicators = !indicators.is_empty();
    let flagged: Vec<(&CampaignLedger, &LedgerTask)> = l
        .campaigns
        .iter()
        .flat_map(|c| flagged_tasks(c).into_iter().map(move |t| (c, t)))
        .collect();
    let mut annexes = vec!["各攻坚行动红黄绿灯情况"];
    if has_indicators {
        annexes.push("主要指标完成情况表");
    }
    if !flagged.is_empty() {
        annexes.push("红灯及逾期任务清单");
    }
    for (i, a) in annexes.iter().enumerate() {
        out.push(Block::Para(if i == 0 {
            format!("附件：1. {a}")
        } else {
            format!("　　　{}. {a}", i + 1)
        }));
    }
    out.push(Block::Signature(
        b.masthead.signature.clone(),
        b.date.clone(),
    ));
    let mut n = 0;
    let mut annex = |out: &mut Vec<Block>, title: &str| {
        n += 1;
        out.push(Block::Annex(format!("附件{n}")));
        out.push(Block::Title(title.to_string()));
    };
    annex(&mut out, "各攻坚行动红黄绿灯情况");
    let mut rows: Vec<Vec<Cell>> = l
        .campaigns
        .iter()
        .map(|c| {
            let n = &c.counts;
            vec![
                Cell::Text(short(&c.title).to_string()),
                Cell::Text(n.tasks().to_string()),
                Cell::Text(n.green.to_string()),
                Cell::Text(n.yellow.to_string()),
                Cell::Text(n.red.to_string()),
                Cell::Text(format!("{}%", n.reporting_pct())),
                Cell::Text(format!("{}%", n.on_time_pct())),
                Cell::Text(match &c.previous {
                    Some(p) => format!("红灯{}", change(n.red, p.red, "项")),
                    None => "首期".into(),
                }),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::Text("合计".into()),
        Cell::Text(t.tasks().to_string()),
        Cell::Text(t.green.to_string()),
        Cell::Text(t.yellow.to_string()),
        Cell::Text(t.red.to_string()),
        Cell::Text(format!("{}%", t.reporting_pct())),
        Cell::Text(format!("{}%", t.on_time_pct())),
        Cell::Text(String::new()),
    ]);
    out.push(Block::Table(
        [
            "攻坚行动",
            "任务",
            "绿灯",
            "黄灯",
            "红灯",
            "报送率",
            "按时报送率",
            "较上期",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        vec![6, 2, 2, 2, 2, 3, 4, 4],
    ));
    out.push(Block::Chart);
    if has_indicators {
        annex(&mut out, "主要指标完成情况表");
        out.push(Block::Table(
            ["指标", "责任单位", "目标", "当前值", "应达值", "情况"]
                .map(String::from)
                .to_vec(),
            indicators
                .iter()
                .map(|i| {
                    vec![
                        Cell::Text(i.metric.clone()),
                        Cell::Text(i.owner.clone()),
                        Cell::Text(format!(
                            "{}{}{}",
                            comparator_zh(&i.comparator),
                            num(i.target),
                            i.unit
                        )),
                        Cell::Text(i.current.map(num).unwrap_or_else(|| "未报".into())),
                        Cell::Text(i.expected.map(num).unwrap_or_default()),
                        Cell::Text(
                            match i.on_track {
                                Some(true) => "达标",
                                Some(false) => "未达标",
                                None => "未报",
                            }
                            .into(),
                        ),
                    ]
                })
                .collect(),
            vec![6, 4, 3, 2, 2, 2],
        ));
    }
    if !flagged.is_empty() {
        annex(&mut out, "红灯及逾期任务清单");
        out.push(Block::Table(
            ["序号", "攻坚行动", "任务", "牵头单位", "完成比例", "情况"]
                .map(String::from)
                .to_vec(),
            flagged
                .iter()
                .enumerate()
                .map(|(i, (c, t))| {
                    vec![
                        Cell::Text((i + 1).to_string()),
                        Cell::Text(short(&c.title).to_string()),
                        Cell::Text(t.title.clone()),
                        Cell::Text(t.lead.clone()),
                        Cell::Text(
                            t.completion
                                .map(|v| format!("{}%", num(v.round())))
                                .unwrap_or_else(|| "未报".into()),
                        ),
                        Cell::Text(task_state(t)),
                    ]
                })
                .collect(),
            vec![2, 3, 7, 3, 2, 4],
        ));
    }
    out
}

/// How many red or overdue tasks per campaign the text names (the rest
/// are in the annex): a 通报 is read, not searched.
const LISTED: usize = 5;

/// A campaign's red and overdue tasks, the longest overdue first, then
/// the red ones in ledger order.
fn flagged_tasks(c: &CampaignLedger) -> Vec<&LedgerTask> {
    let mut v: Vec<&LedgerTask> = c
        .tasks
        .iter()
        .filter(|t| t.light == duban_core::evaluation::Light::Red || t.days_overdue > 0)
        .collect();
    v.sort_by_key(|t| std::cmp::Reverse(t.days_overdue));
    v
}

/// Why a task is flagged, in words: days overdue, else its light's reason.
fn task_state(t: &LedgerTask) -> String {
    if t.days_overdue > 0 {
        format!("已逾期{}天", t.days_overdue)
    } else {
        duban_core::evaluation::reason_zh(&t.reason)
            .trim_end_matches('。')
            .to_string()
    }
}

/// A campaign's title without the trailing 实施方案 ("内需扩量提效攻坚实施方案"
/// reads as 内需扩量提效攻坚 in sentences and tables).
pub fn short(title: &str) -> &str {
    title.strip_suffix("实施方案").unwrap_or(title)
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(name)
        .ascii(name)
        .hi_ansi(name)
        .cs(name)
}

fn exact() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(layout::LINE)
}

fn body_run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .character_spacing(layout::CHAR_SPACING)
        .fonts(fonts(FONT_BODY))
        .size(layout::SIZE_3)
}

/// A title in one run, its lines (`\n` in `text`) separated by line
/// breaks, so that it stays one paragraph with one spacing.
fn title_para(text: &str) -> Paragraph {
    let mut run = Run::new().fonts(fonts(FONT_TITLE)).size(layout::SIZE_2);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    Paragraph::new().add_run(run).line_spacing(exact())
}

fn para(text: &str, font: &str, size: usize) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(text).fonts(fonts(font)).size(size))
        .line_spacing(exact())
}

/// The footer of odd (right) or even (left) pages: `— N —` in 4号 宋体,
/// one character in from the edge.
fn page_footer(align: AlignmentType) -> Footer {
    let run = |t: &str| {
        Run::new()
            .add_text(t)
            .fonts(fonts(FONT_PAGE))
            .size(layout::SIZE_4)
    };
    let mut p = Paragraph::new()
        .add_run(run("— "))
        .add_page_num(PageNum::new())
        .add_run(run(" —"))
        .align(align)
        .size(layout::SIZE_4)
        .fonts(fonts(FONT_PAGE));
    p = match align {
        AlignmentType::Right => p.indent(None, None, Some(layout::SIZE_4 as i32 * 10), None),
        _ => p.indent(Some(layout::SIZE_4 as i32 * 10), None, None, None),
    };
    Footer::new().add_paragraph(p)
}

/// A cell holding a number or a percentage.
fn is_figure(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '%')
}

/// Text width in twips (156 mm), shared out among a table's columns.
const TEXT_WIDTH: usize = 8845;

fn table(headers: &[String], rows: &[Vec<Cell>], weights: &[usize]) -> Table {
    let total: usize = weights.iter().sum::<usize>().max(1);
    let widths: Vec<usize> = weights.iter().map(|w| TEXT_WIDTH * w / total).collect();
    let fallback = TEXT_WIDTH / headers.len().max(1);
    let width = |i: usize| widths.get(i).copied().unwrap_or(fallback);
    let cell_para = |t: &str, bold: bool| {
        let mut r = Run::new()
            .add_text(t)
            .fonts(fonts(if bold { FONT_H1 } else { FONT_BODY }))
            .size(layout::SIZE_5);
        if bold {
            r = r.bold();
        }
        // Off the line grid: table lines are single-spaced, not 28.95 pt.
        Paragraph::new()
            .add_run(r)
            .snap_to_grid(false)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Auto)
                    .line(240),
            )
    };
    let cell = |i: usize| TableCell::new().width(width(i), WidthType::Dxa);
    let mut out = vec![TableRow::new(
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                cell(i)
                    .add_paragraph(cell_para(h, true).align(AlignmentType::Center))
                    .shading(Shading::new().fill("D9E1F2"))
            })
            .collect(),
    )
    .cant_split()];
    for r in rows {
        out.push(
            TableRow::new(
                r.iter()
                    .enumerate()
                    .map(|(i, c)| match c {
                        // Figures centred, text left.
                        Cell::Text(t) if is_figure(t) => {
                            cell(i).add_paragraph(cell_para(t, false).align(AlignmentType::Center))
                        }
                        Cell::Text(t) => cell(i).add_paragraph(cell_para(t, false)),
                        Cell::Light(l) => cell(i)
                            .add_paragraph(
                                cell_para(light_label(*l), true).align(AlignmentType::Center),
                            )
                            .shading(Shading::new().fill(format!("{:06X}", light_rgb(*l)))),
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(out)
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(docx_rs::TableLayoutType::Fixed)
}

/// The 版头's size in half-points: as large as GB/T 9704 allows (about
/// 36 pt) but never wider than the text width, so a long organ name stays
/// on one line.
fn organ_size(organ: &str) -> usize {
    let chars = organ.chars().count().max(1);
    // 420 pt of the 442 pt width, in half-points per character.
    (840 / chars).clamp(layout::SIZE_3, 72)
}

/// Lays the bulletin out and returns the DOCX bytes.
pub fn write(b: &Bulletin) -> Result<Vec<u8>, OfficeError> {
    let mut doc = Docx::new()
        .page_size(layout::PAGE_W, layout::PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(layout::TOP)
                .bottom(layout::BOTTOM)
                .left(layout::LEFT)
                .right(layout::RIGHT)
                .header(851)
                .footer(layout::FOOTER),
        )
        .default_fonts(fonts(FONT_BODY))
        .default_size(layout::SIZE_3)
        .default_line_spacing(exact())
        .footer(page_footer(AlignmentType::Right))
        .even_footer(page_footer(AlignmentType::Left));
    doc.document.section_property = doc.document.section_property.clone().doc_grid(
        docx_rs::DocGrid::new()
            .grid_type(DocGridType::Lines)
            .line_pitch(layout::LINE as usize),
    );
    // 版头: the organ in red, the 文号, the red rule under it.
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(
                Run::new()
                    .add_text(&b.masthead.organ)
                    .fonts(fonts(FONT_TITLE))
                    .size(organ_size(&b.masthead.organ))
                    .color(layout::RED),
            )
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(1158).after(579)),
    );
    let mut number = para(&b.masthead.doc_number, FONT_BODY, layout::SIZE_3)
        .align(AlignmentType::Center)
        .line_spacing(exact().after(579));
    number.property = number.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(18)
                .space(8)
                .color(layout::RED),
        ),
    );
    doc = doc.add_paragraph(number);
    for block in content(b) {
        doc = match block {
            Block::Title(t) => doc.add_paragraph(
                title_para(&t).align(AlignmentType::Center).line_spacing(
                    LineSpacing::new()
                        .line_rule(LineSpacingType::Exact)
                        .line(layout::LINE)
                        .before(579)
                        .after(579),
                ),
            ),
            // Headings stay with the text they head.
            Block::Heading1(t) => doc.add_paragraph(
                para(&t, FONT_H1, layout::SIZE_3)
                    .indent(
                        None,
                        Some(SpecialIndentType::FirstLine(layout::INDENT)),
                        None,
                        None,
                    )
                    .keep_next(true),
            ),
            Block::Heading2(t) => doc.add_paragraph(
                para(&t, FONT_H2, layout::SIZE_3)
                    .indent(
                        None,
                        Some(SpecialIndentType::FirstLine(layout::INDENT)),
                        None,
                        None,
                    )
                    .keep_next(true),
            ),
            Block::Para(t) => doc.add_paragraph(
                Paragraph::new()
                    .add_run(body_run(&t))
                    .line_spacing(exact())
                    .indent(
                        None,
                        Some(SpecialIndentType::FirstLine(layout::INDENT)),
                        None,
                        None,
                    )
                    .align(AlignmentType::Both),
            ),
            Block::Table(h, rows, w) => doc
                .add_table(table(&h, &rows, &w))
                .add_paragraph(Paragraph::new().line_spacing(exact())),
            Block::Annex(t) => {
                doc.add_paragraph(para(&t, FONT_H1, layout::SIZE_3).page_break_before(true))
            }
            Block::Chart => match &b.chart {
                Some((png, w, h)) => {
                    // Fit the text width (156 mm) keeping the aspect ratio.
                    let width_emu: u32 = 156 * 36000;
                    let height_emu = (width_emu as u64 * *h as u64 / (*w).max(1) as u64) as u32;
                    doc.add_paragraph(
                        Paragraph::new()
                            .add_run(
                                Run::new().add_image(
                                    Pic::new_with_dimensions(png.clone(), *w, *h)
                                        .size(width_emu, height_emu),
                                ),
                            )
                            .align(AlignmentType::Center),
                    )
                }
                None => doc.add_paragraph(para("（无图表）", FONT_BODY, layout::SIZE_3)),
            },
            Block::Signature(who, when) => doc
                .add_paragraph(Paragraph::new().line_spacing(exact()))
                .add_paragraph(
                    para(&who, FONT_BODY, layout::SIZE_3)
                        .align(AlignmentType::Right)
                        .indent(None, None, Some(layout::SIZE_3 as i32 * 20 * 4 / 2), None),
                )
                .add_paragraph(
                    para(&when, FONT_BODY, layout::SIZE_3)
                        .align(AlignmentType::Right)
                        .indent(None, None, Some(layout::SIZE_3 as i32 * 20 * 4 / 2), None),
                ),
        };
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| OfficeError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_that_does_not_fit_breaks_between_when_and_what() {
        let subject = "重点任务推进情况的通报";
        // 21 characters wide (digits count half): two lines, "通报" kept
        // with its subject.
        assert_eq!(
            title("关于汨罗市2025年10月", subject),
            "关于汨罗市2025年10月\n重点任务推进情况的通报"
        );
        // 19.5 wide: one line.
        assert_eq!(
            title("关于某县2025年1月", subject),
            "关于某县2025年1月重点任务推进情况的通报"
        );
        assert_eq!(title_width("关于2025年"), 5.0);
    }
}
