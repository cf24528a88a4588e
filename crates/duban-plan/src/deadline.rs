//! Deadlines (完成时限): `2025年3月底前`, `5月底前`, `10月31日前建成`,
//! `年底前`, `上半年`, `第三季度`, and ongoing work (`持续推进`).

use crate::model::Deadline;
use regex::Regex;
use std::sync::LazyLock;

static DATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(20\d{2})年)?(\d{1,2})月(?:(\d{1,2})日|(底|末|上旬|中旬|下旬))?(?:前|以前|之前|完成|止)",
    )
    .unwrap()
});
/// In a deadline cell (`完成时限：2025年12月`), a month needs no 前.
static DATED_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(20\d{2})年)?(\d{1,2})月(?:(\d{1,2})日|(底|末|上旬|中旬|下旬))?(?:前|以前|之前|完成|止)?").unwrap()
});
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(20\d{2})年?)?(年底前|年底|年末|年内|全年|上半年|下半年|(?:第)?([一二三四1-4])季度(?:末)?)(?:前|完成|内)?").unwrap()
});
/// Words that, standing as a deadline, mean the work has no end date.
const ONGOING: &[&str] = &[
    "持续推进",
    "长期坚持",
    "长期推进",
    "常态化推进",
    "持续开展",
    "长期",
    "持续",
    "常态化",
];

/// Whether a short piece of text is a deadline and nothing else, e.g. a
/// `完成时限` cell or a clause inside an assignment bracket.
pub fn looks_like_deadline(piece: &str) -> bool {
    let p = piece
        .trim()
        .trim_end_matches(['。', '；'])
        .trim_start_matches(['在', '于']);
    if ONGOING.contains(&p) {
        return true;
    }
    // `年内持续推进`: a period, then ongoing work.
    if let Some(head) = ONGOING.iter().find_map(|o| p.strip_suffix(o)) {
        if PERIOD
            .find(head)
            .is_some_and(|m| m.start() == 0 && m.end() == head.len())
        {
            return true;
        }
    }
    let p = p.trim_end_matches(['完', '成', '建', '投', '入', '使', '用']);
    DATED
        .find(p)
        .is_some_and(|m| m.start() == 0 && p.len() - m.end() <= 6)
        || PERIOD
            .find(p)
            .is_some_and(|m| m.start() == 0 && p.len() - m.end() <= 6)
}

fn last_day(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn date(year: Option<i32>, month: u32, day: u32) -> Option<String> {
    let y = year?;
    (1..=12).contains(&month).then_some(())?;
    (1..=last_day(y, month)).contains(&day).then_some(())?;
    Some(format!("{y:04}-{month:02}-{day:02}"))
}

/// Deadlines written in free text. `standalone` is true for a text that is
/// itself a deadline cell, where ongoing words count; in prose, 持续推进 is
/// a verb, not a deadline.
pub fn extract(text: &str, doc_year: Option<i32>, standalone: bool) -> Vec<Deadline> {
    let mut out = Vec::new();
    let trimmed = text.trim();
    if standalone && ONGOING.iter().any(|w| trimmed.starts_with(w)) {
        out.push(Deadline {
            text: trimmed.to_string(),
            date: None,
            ongoing: true,
        });
        return out;
    }
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let dated: &Regex = if standalone { &DATED_CELL } else { &DATED };
    for c in dated.captures_iter(text) {
        let m = c.get(0).unwrap();
        // `2025年` alone before a month-less clause is not a deadline, and a
        // month with neither day, 底 nor 前 is a date in prose.
        let year = c.get(1).and_then(|y| y.as_str().parse().ok()).or(doc_year);
        let Ok(month) = c[2].parse::<u32>() else {
            continue;
        };
        let day = match (c.get(3), c.get(4).map(|x| x.as_str())) {
            (Some(d), _) => d.as_str().parse().unwrap_or(0),
            (None, Some("上旬")) => 10,
            (None, Some("中旬")) => 20,
            (None, _) => year.map_or(0, |y| last_day(y, month)),
        };
        taken.push((m.start(), m.end()));
        out.push(Deadline {
            text: m.as_str().to_string(),
            date: date(year, month, day),
            ongoing: false,
        });
    }
    for c in PERIOD.captures_iter(text) {
        let m = c.get(0).unwrap();
        if taken.iter().any(|&(s, e)| m.start() < e && s < m.end()) {
            continue;
        }
        let what = &c[2];
        // 全年/年内 in prose ("全年接待游客") is not a deadline.
        let has_deadline_word = m.as_str().ends_with('前')
            || m.as_str().ends_with("完成")
            || what.contains("季度")
            || what.contains("半年")
            || what == "年底";
        if !standalone && !has_deadline_word {
            continue;
        }
        let year = c.get(1).and_then(|y| y.as_str().parse().ok()).or(doc_year);
        let (month, day) = if what.contains("上半年") {
            (6, 30)
        } else if let Some(q) = c.get(3) {
            let q = match q.as_str() {
                "一" | "1" => 1,
                "二" | "2" => 2,
                "三" | "3" => 3,
                _ => 4,
            };
            (q * 3, if q == 1 || q == 4 { 31 } else { 30 })
        } else {
            (12, 31)
        };
        out.push(Deadline {
            text: m.as_str().to_string(),
            date: date(year, month, day),
            ongoing: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(text: &str) -> Vec<(String, Option<String>)> {
        extract(text, Some(2025), false)
            .into_iter()
            .map(|d| (d.text, d.date))
            .collect()
    }

    #[test]
    fn resolves_dates() {
        assert_eq!(
            dates("在2025年3月底前实现"),
            vec![("2025年3月底前".into(), Some("2025-03-31".into()))]
        );
        assert_eq!(
            dates("5月底前完成"),
            vec![("5月底前".into(), Some("2025-05-31".into()))]
        );
        assert_eq!(
            dates("确保2025年10月31日前建成、12月31日前投入使用"),
            vec![
                ("2025年10月31日前".into(), Some("2025-10-31".into())),
                ("12月31日前".into(), Some("2025-12-31".into()))
            ]
        );
        assert_eq!(
            dates("年底前完成"),
            vec![("年底前完成".into(), Some("2025-12-31".into()))]
        );
        assert_eq!(
            dates("上半年完成"),
            vec![("上半年完成".into(), Some("2025-06-30".into()))]
        );
        assert_eq!(
            dates("第三季度"),
            vec![("第三季度".into(), Some("2025-09-30".into()))]
        );
        assert_eq!(
            dates("2月底前"),
            vec![("2月底前".into(), Some("2025-02-28".into()))]
        );
        assert!(dates("全年接待游客增长10%").is_empty());
        assert!(dates("持续推进医药集中带量采购").is_empty());
    }

    #[test]
    fn cells_need_no_qian() {
        let d = extract("2025年12月", Some(2025), true);
        assert_eq!(d[0].date.as_deref(), Some("2025-12-31"));
        let d = extract("2026年3月15日", Some(2025), true);
        assert_eq!(d[0].date.as_deref(), Some("2026-03-15"));
        // In prose a bare month is a date, not a deadline.
        assert!(extract("3月召开推进会", Some(2025), false).is_empty());
    }

    #[test]
    fn ongoing_cells() {
        let d = extract("持续推进", Some(2025), true);
        assert!(d[0].ongoing && d[0].date.is_none());
        assert!(looks_like_deadline("2025年6月底前完成"));
        assert!(looks_like_deadline("长期坚持"));
        assert!(!looks_like_deadline("市发改局"));
    }
}
