//! Normalisation: one spelling for every character that government
//! documents write several ways, and repair of what pagination broke.

use std::borrow::Cow;

/// Folds full-width ASCII to half-width (digits, letters, `%`, `.`), ASCII
/// brackets to Chinese ones, traditional to simplified characters, and drops
/// typesetting spaces inside Chinese text and numbers (`增长 8 %` → `增长8%`).
pub fn normalize_text(s: &str) -> String {
    let simplified = if !s.is_ascii() {
        Cow::Owned(fast2s::convert(s))
    } else {
        Cow::Borrowed(s)
    };
    let mut folded: Vec<char> = Vec::with_capacity(simplified.len());
    for c in simplified.chars() {
        let n = c as u32;
        if (0x2474..=0x2487).contains(&n) {
            // `⑸` (parenthesised number) is `（5）`.
            folded.push('（');
            folded.extend((n - 0x2473).to_string().chars());
            folded.push('）');
        } else {
            folded.push(fold_char(c));
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < folded.len() {
        let c = folded[i];
        if c == ' ' || c == '\t' {
            let start = i;
            while i < folded.len() && (folded[i] == ' ' || folded[i] == '\t') {
                i += 1;
            }
            let prev = if start > 0 {
                Some(folded[start - 1])
            } else {
                None
            };
            let next = folded.get(i).copied();
            if let (Some(p), Some(n)) = (prev, next) {
                if keeps_space(p, n) {
                    out.push(' ');
                }
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn keeps_space(prev: char, next: char) -> bool {
    prev.is_ascii() && next.is_ascii() && !(prev.is_ascii_digit() && matches!(next, '%' | '.'))
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '(' => '（',
        ')' => '）',
        '％' => '%',
        '．' | '﹒' => '.',
        '～' => '~',
        '＋' => '+',
        '／' => '/',
        '＜' => '<',
        '＞' => '>',
        '＝' => '=',
        '\u{3000}' | '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' => ' ',
        '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' => ' ',
        _ => c,
    }
}

/// A text view for extraction: drops markup artefacts that are kept in the
/// displayed text (`**bold**`, `PM_{2.5}`), so patterns need not know them.
pub fn clean_markup(s: &str) -> Cow<'_, str> {
    if !s.contains("**") && !s.contains("_{") && !s.contains("^{") && !s.contains("__") {
        return Cow::Borrowed(s);
    }
    let mut out = s.replace("**", "").replace("__", "");
    for open in ["_{", "^{"] {
        while let Some(pos) = out.find(open) {
            match out[pos..].find('}') {
                Some(close) => {
                    let inner = out[pos + 2..pos + close].to_string();
                    out.replace_range(pos..pos + close + 1, &inner);
                }
                None => {
                    out.replace_range(pos..pos + 2, "");
                }
            }
        }
    }
    Cow::Owned(out)
}

/// `— 3 —`, `-3-`, `- 12 -`, `第 3 页`: page furniture, not content.
pub fn is_page_number(s: &str) -> bool {
    let t = s.trim();
    let inner = t
        .trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '－' | '~' | ' ' | '·' | '*'))
        .trim_start_matches('第')
        .trim_end_matches('页');
    let inner = inner.split("页共").next().unwrap_or(inner).trim();
    !inner.is_empty()
        && inner.len() <= 3
        && inner.chars().all(|c| c.is_ascii_digit())
        && t.chars().count() <= 12
}

const TERMINAL: &[char] = &[
    '。', '！', '？', '；', '：', '…', '”', '’', '）', '」', '』', '】', '〕', '》', '!', '?', ';',
    ':', '.',
];

const TITLE_ENDINGS: &[&str] = &[
    "方案", "通知", "意见", "办法", "计划", "规划", "细则", "清单", "要点", "决定", "报告", "文件",
    "附件",
];

/// Whether a paragraph opens a new structural item, so that nothing may be
/// joined onto the paragraph before it.
pub fn starts_item(s: &str) -> bool {
    let c = clean_markup(s);
    let t = c.trim_start_matches(['*', '#', ' ', '>']);
    crate::structure::heading_level(t).is_some()
        || t.starts_with("附件")
        || t.starts_with("——")
        || t.starts_with("牵头单位")
        || t.starts_with("责任单位")
        || t.starts_with("配合单位")
}

/// Whether `current` was cut by a page or line break and `next` continues
/// it. A cut line is long (it filled the page width) and stops mid-sentence.
pub fn is_broken(current: &str, next: &str) -> bool {
    let cur = current.trim_end();
    let Some(last) = cur.chars().last() else {
        return false;
    };
    if TERMINAL.contains(&last) || cur.chars().count() < 15 {
        return false;
    }
    if TITLE_ENDINGS.iter().any(|e| cur.ends_with(e)) {
        return false;
    }
    !starts_item(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_widths_and_spaces() {
        assert_eq!(normalize_text("增长 ８ ％以上"), "增长8%以上");
        assert_eq!(normalize_text("(1) 完成 3 亿元"), "（1）完成3亿元");
        assert_eq!(normalize_text("1．推进 ISCC 认证"), "1.推进ISCC认证");
        assert_eq!(normalize_text("ISCC carbon 认证"), "ISCC carbon认证");
        assert_eq!(normalize_text("市場監管局牽頭"), "市场监管局牵头");
    }

    #[test]
    fn cleans_markup() {
        assert_eq!(clean_markup("——**内需**。PM_{2.5}≤31"), "——内需。PM2.5≤31");
        assert_eq!(clean_markup("x_{broken"), "xbroken");
    }

    #[test]
    fn page_numbers() {
        for p in ["— 3 —", "-3-", "- 12 -", "第 3 页", "7"] {
            assert!(is_page_number(p), "{p}");
        }
        for p in ["2025年3月7日", "一、攻坚目标", "1234", "3.推进"] {
            assert!(!is_page_number(p), "{p}");
        }
    }

    #[test]
    fn broken_lines() {
        assert!(is_broken(
            "（三）实施科技创新赋能攻坚。以“十大技术攻关项目”为",
            "抓手，加强与省"
        ));
        assert!(!is_broken("（一）大力提振消费", "1.推动增收减负。"));
        assert!(!is_broken(
            "内需扩量提效攻坚实施方案这是一个很长的标题方案",
            "为加快落实"
        ));
        assert!(!is_broken(
            "2.提升智慧文旅水平。持续升级迭代汨罗智慧文旅系统，不",
            "3.培育"
        ));
    }
}
