//! Structure: the document header, the plans inside the document, and the
//! heading hierarchy of each plan.

use crate::model::{DocumentHeader, PlanEntry, PlanKind, Warning};
use crate::normalize::clean_markup;
use regex::Regex;
use std::sync::LazyLock;

/// Heading markers from the top level down. The level of a marker is fixed
/// (`一、` is always above `（一）`), which is how Chinese official documents
/// number, per GB/T 9704.
static HEADING_MARKERS: LazyLock<[Regex; 5]> = LazyLock::new(|| {
    [
        Regex::new(r"^[一二三四五六七八九十]{1,3}、").unwrap(),
        Regex::new(r"^（[一二三四五六七八九十]{1,3}）").unwrap(),
        Regex::new(r"^\d{1,2}(?:\.|、)(?:[^\d]|$)").unwrap(),
        Regex::new(r"^（\d{1,2}）").unwrap(),
        Regex::new(r"^[①-⑳]").unwrap(),
    ]
});

/// The level (0 = `一、`) of a paragraph that starts with a heading marker.
pub fn heading_level(text: &str) -> Option<usize> {
    HEADING_MARKERS.iter().position(|re| re.is_match(text))
}

/// Splits `1.推动增收减负。突出……` into (`1.`, `推动增收减负。突出……`).
pub fn split_marker(text: &str) -> Option<(usize, &str, &str)> {
    HEADING_MARKERS.iter().enumerate().find_map(|(level, re)| {
        re.find(text).map(|m| {
            let mut end = m.end();
            // The level-3 pattern looks one character past the marker.
            if level == 2 {
                end = text[..end]
                    .char_indices()
                    .rev()
                    .find(|(_, c)| *c == '.' || *c == '、')
                    .map(|(i, c)| i + c.len_utf8())
                    .unwrap_or(end);
            }
            (level, &text[..end], text[end..].trim_start())
        })
    })
}

/// A short title for an item: its first sentence, or its first clause when
/// the sentence runs long. Assignment brackets are never part of a title.
pub fn title_of(body: &str) -> String {
    let body = clean_markup(body);
    let body = body.trim_start_matches(['—', '-', ' ']);
    let cut = body.find(['。', '；', '！', '？']).unwrap_or(body.len());
    let mut title = &body[..cut];
    if let Some(open) = crate::assign::first_assignment_start(title) {
        title = &title[..open];
    }
    if title.chars().count() > 50 {
        if let Some(comma) = title.find('，') {
            if title[..comma].chars().count() >= 4 {
                title = &title[..comma];
            }
        }
    }
    title
        .trim_end_matches(['，', '、', '：', ' '])
        .trim()
        .to_string()
}

static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}]{1,12}[〔\[［【（]\s*\d{4}\s*[〕\]］】）]\s*\d{1,4}\s*号").unwrap()
});
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$").unwrap());
static CN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日$").unwrap()
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(20\d{2})年").unwrap());
static ATTACHMENT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^附\s*件\s*[:：]?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})?$").unwrap()
});

fn cn_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32)
        .or(match c {
            '○' | '零' => Some(0),
            _ => None,
        })
}

/// Parses `一`, `十`, `十二`, `二十三`.
pub fn cn_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', u] => Some(10 + cn_digit(*u)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', u] => Some(cn_digit(*t)? * 10 + cn_digit(*u)?),
        [d] => cn_digit(*d),
        _ => None,
    }
}

fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    if let Some(c) = DATE.captures(text) {
        return Some((c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?));
    }
    let c = CN_DATE.captures(text)?;
    let year = c[1]
        .chars()
        .try_fold(0i32, |acc, ch| Some(acc * 10 + cn_digit(ch)? as i32))?;
    Some((year, cn_number(&c[2])?, cn_number(&c[3])?))
}

/// The first `20xx年` in the document: the year of a plan without a date.
pub fn first_year(paragraphs: &[(String, usize)]) -> Option<i32> {
    paragraphs
        .iter()
        .find_map(|(p, _)| YEAR.captures(p).and_then(|c| c[1].parse().ok()))
}

/// Whether a paragraph is the title line of a plan.
pub fn is_plan_title(text: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "方案",
        "计划",
        "措施",
        "意见",
        "办法",
        "清单",
        "细则",
        "要点",
        "任务分工",
        "分工表",
        "分解表",
        "任务表",
    ];
    let t = clean_markup(text);
    let t = t.trim();
    let n = t.chars().count();
    (4..=45).contains(&n)
        && ENDINGS.iter().any(|e| t.ends_with(e))
        && heading_level(t).is_none()
        && !t.starts_with("附件")
        && !t.contains('。')
        && !t.contains('《')
}

pub fn attachment_number(text: &str) -> Option<Option<u32>> {
    let c = ATTACHMENT_LINE.captures(text.trim())?;
    Some(
        c.get(1)
            .and_then(|m| m.as_str().parse().ok().or_else(|| cn_number(m.as_str()))),
    )
}

/// Reads the header from the paragraphs before the first plan title.
pub fn header(paragraphs: &[(String, usize)], first_plan_title: Option<&str>) -> DocumentHeader {
    let mut h = DocumentHeader::default();
    let mut title_index = None;
    for (i, (p, _)) in paragraphs.iter().enumerate() {
        let t: String = p.chars().filter(|c| *c != ' ').collect();
        if h.doc_number.is_none() {
            if let Some(m) = DOC_NUMBER.find(&t) {
                h.doc_number = Some(m.as_str().to_string());
            }
        }
        if h.issuer.is_none() && t.ends_with("文件") && t.chars().count() <= 30 && i < 5 {
            h.issuer = Some(t.trim_end_matches("文件").to_string());
        }
        if h.title.is_none()
            && t.contains("关于")
            && (t.ends_with("通知") || t.ends_with("意见") || t.ends_with("决定"))
        {
            h.title = Some(t.clone());
            title_index = Some(i);
        }
        if h.date.is_none() {
            if let Some((y, m, d)) = parse_date(&t) {
                h.date = Some(format!("{y:04}-{m:02}-{d:02}"));
                h.year = Some(y);
                if h.issuer.is_none() && i > 0 {
                    let signer = paragraphs[i - 1].0.replace(' ', "");
                    if signer.chars().count() <= 30 && !signer.ends_with('。') {
                        h.issuer = Some(signer);
                    }
                }
            }
        }
    }
    if let Some(i) = title_index {
        if let Some((next, _)) = paragraphs.get(i + 1) {
            let next = next.trim();
            if next.ends_with('：') || next.ends_with(':') {
                h.recipients = next
                    .trim_end_matches(['：', ':'])
                    .split(['，', '、', ',', '；'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
            }
        }
    }
    if h.title.is_none() {
        h.title = first_plan_title.map(str::to_string);
    }
    if h.year.is_none() {
        let haystack = [h.doc_number.as_deref(), h.title.as_deref()];
        h.year = haystack
            .iter()
            .flatten()
            .find_map(|s| {
                s.find('〔')
                    .and_then(|i| s[i + 3..].get(..4))
                    .and_then(|y| y.parse().ok())
            })
            .or_else(|| {
                paragraphs
                    .iter()
                    .take(200)
                    .find_map(|(p, _)| YEAR.captures(p).and_then(|c| c[1].parse().ok()))
            });
    }
    h
}

/// Where each plan starts (index into the paragraph list) and its entry.
pub struct PlanStart {
    pub index: usize,
    pub entry: PlanEntry,
}

/// Finds the plans inside the document. An attachment usually has an
/// `附件 N` line before its title; when that line was lost (it happens, two
/// of seven in the Miluo plan), the title alone starts the next attachment.
pub fn segment_plans(
    paragraphs: &[(String, usize)],
    warnings: &mut Vec<Warning>,
) -> Vec<PlanStart> {
    let mut starts: Vec<PlanStart> = Vec::new();
    let mut pending_attachment: Option<Option<u32>> = None;
    for (i, (p, line)) in paragraphs.iter().enumerate() {
        if let Some(n) = attachment_number(p) {
            pending_attachment = Some(n);
            continue;
        }
        let prev_closed = i == 0
            || paragraphs[i - 1]
                .0
                .ends_with(['。', '！', '；', '：', '）'])
            || attachment_number(&paragraphs[i - 1].0).is_some()
            || is_plan_title(&paragraphs[i - 1].0)
            || paragraphs[i - 1].0.chars().count() < 30;
        let next_is_continuation = paragraphs
            .get(i + 1)
            .is_some_and(|(n, _)| n.starts_with(['，', '、', '。', '；', '）', '”']));
        if !is_plan_title(p) || !prev_closed || next_is_continuation {
            pending_attachment = None;
            continue;
        }
        // The notice's own title mentions the plan; a plan title repeated
        // right after it (no body between) is the same plan.
        let title = clean_markup(p).trim().to_string();
        let attachment = pending_attachment.take();
        let no = match attachment {
            Some(Some(n)) => n,
            Some(None) | None => match starts.last() {
                Some(last) => last.entry.no + 1,
                None => 0,
            },
        };
        if attachment.is_none() && !starts.is_empty() {
            warnings.push(Warning {
                line: Some(*line),
                message: format!(
                    "“{title}”前缺少“附件 {no}”行，已按顺序编为附件 {no}。/ Attachment line missing before this plan title; numbered {no} by order."
                ),
            });
        }
        if starts.iter().any(|s| s.entry.no == no) {
            warnings.push(Warning {
                line: Some(*line),
                message: format!("方案编号 {no} 重复。/ Plan number {no} repeats."),
            });
        }
        starts.push(PlanStart {
            index: i,
            entry: PlanEntry {
                no,
                title,
                kind: if attachment.is_some() {
                    PlanKind::Implementation
                } else {
                    PlanKind::Overall
                },
                attachment_line: attachment.is_some() || starts.is_empty(),
            },
        });
    }
    // A lone plan that is not called 总体 is an implementation plan; later
    // unmarked plans after attachments are implementation plans too.
    let count = starts.len();
    for (k, s) in starts.iter_mut().enumerate() {
        if k > 0 || (count == 1 && !s.entry.title.contains("总体")) {
            s.entry.kind = PlanKind::Implementation;
        }
    }
    starts
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    Goals,
    Tasks,
    Mechanism,
    Other,
}

pub fn section_kind(title: &str) -> SectionKind {
    if title.contains("目标") {
        SectionKind::Goals
    } else if ["机制", "保障", "组织", "要求", "步骤"]
        .iter()
        .any(|k| title.contains(k))
    {
        SectionKind::Mechanism
    } else if ["任务", "重点", "举措", "措施", "行动", "工程"]
        .iter()
        .any(|k| title.contains(k))
    {
        SectionKind::Tasks
    } else {
        SectionKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_levels() {
        let cases = [
            ("一、攻坚目标", Some(0)),
            ("十二、其他", Some(0)),
            ("（一）大力提振消费", Some(1)),
            ("1.推动增收减负。", Some(2)),
            ("12、建设", Some(2)),
            ("（3）统筹推进城乡就业。", Some(3)),
            ("①第一项", Some(4)),
            ("2025年培育", None),
            ("1.5%的增长", None),
            ("一是加强", None),
        ];
        for (text, level) in cases {
            assert_eq!(heading_level(text), level, "{text}");
        }
        assert_eq!(split_marker("1.推动增收减负。").map(|s| s.1), Some("1."));
        assert_eq!(split_marker("1、推动").map(|s| s.2), Some("推动"));
    }

    #[test]
    fn titles() {
        assert_eq!(title_of("推动增收减负。突出就业优先导向"), "推动增收减负");
        assert_eq!(
            title_of("更新义务教育学校设备（牵头单位：市教体局）"),
            "更新义务教育学校设备"
        );
        assert_eq!(cn_number("二十三"), Some(23));
        assert_eq!(parse_date("二〇二五年三月七日"), Some((2025, 3, 7)));
    }

    #[test]
    fn plan_titles() {
        assert!(is_plan_title("内需扩量提效攻坚实施方案"));
        assert!(is_plan_title("关于加快推进数字政府建设的实施意见"));
        assert!(!is_plan_title("2.产业育新培强攻坚实施方案"));
        assert!(!is_plan_title("附件：1.内需扩量提效攻坚实施方案"));
        assert_eq!(attachment_number("附件 3"), Some(Some(3)));
        assert_eq!(attachment_number("附件三"), Some(Some(3)));
        assert_eq!(attachment_number("附件"), Some(None));
    }
}
