//! Quantified targets (目标值): `社会消费品零售总额增长8%`,
//! `城镇调查失业率控制在5.2%以内`, `培育跨境电商企业1~2家`.

use crate::model::{Comparator, TargetKind};
use crate::normalize::clean_markup;
use regex::Regex;
use std::sync::LazyLock;

/// Units a target can be measured in, longest first. Units of time (年,
/// 小时) and of voltage are left out on purpose: they name things, not goals.
const UNITS: &[&str] = &[
    "个百分点",
    "百分点",
    "%",
    "‰",
    "亿元",
    "万元",
    "元/月·人",
    "元/人",
    "元/月",
    "元",
    "万亩",
    "亩",
    "万平方米",
    "平方米",
    "万千瓦",
    "千瓦",
    "万吨",
    "吨",
    "公里",
    "千米",
    "万人次",
    "人次",
    "万人",
    "人",
    "家",
    "个",
    "项",
    "名",
    "场",
    "条",
    "座",
    "件",
    "户",
    "所",
    "次",
    "台",
    "栋",
    "辆",
    "套",
    "μg/m³",
    "微克/立方米",
    "倍",
];

const COUNT_UNITS: &[&str] = &[
    "家",
    "个",
    "项",
    "名",
    "场",
    "条",
    "座",
    "件",
    "户",
    "所",
    "次",
    "台",
    "栋",
    "辆",
    "套",
    "人",
    "人次",
    "万人",
    "万人次",
];

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    let units: Vec<String> = UNITS.iter().map(|u| regex::escape(u)).collect();
    Regex::new(&format!(
        r"(\d+(?:\.\d+)?)(?:([~\-—–至到])(\d+(?:\.\d+)?))?({})",
        units.join("|")
    ))
    .unwrap()
});

/// Words in a clause that make a number a goal rather than a description.
const CUES: &[&str] = &[
    "以上",
    "不低于",
    "不少于",
    "达到",
    "达",
    "超过",
    "突破",
    "以内",
    "以下",
    "控制在",
    "不高于",
    "不超过",
    "≤",
    "≥",
    "左右",
    "增长",
    "提高",
    "提升",
    "下降",
    "降低",
    "减少",
    "压减",
    "新增",
    "培育",
    "引进",
    "引育",
    "建设",
    "建成",
    "完成",
    "新建",
    "改造",
    "开展",
    "举办",
    "认定",
    "创建",
    "实现",
    "发放",
    "安装",
    "力争",
    "确保",
    "保持",
    "争取",
    "签约",
    "新开工",
    "新投产",
    "推动",
    "打造",
    "淘汰",
    "认证",
    "培训",
    "接入",
    "覆盖",
    "恢复",
    "稳定",
];

const AT_LEAST_BEFORE: &[&str] = &["不低于", "不少于", "达到", "超过", "突破", "≥", "高于"];
const AT_MOST_BEFORE: &[&str] = &["控制在", "不高于", "不超过", "低于", "≤", "<"];
const DECREASE: &[&str] = &["下降", "降低", "减少", "压减", "压降"];
const GROWTH: &[&str] = &["增长", "增速", "增加", "提高", "提升"];

const METRIC_LEADING: &[&str] = &[
    "力争实现",
    "力争",
    "确保",
    "实现",
    "推动",
    "完成",
    "全年",
    "全市",
    "年内",
    "今年",
    "其中",
    "并",
    "使",
    "保持",
    "争取",
    "努力",
    "进一步",
    "累计",
    "同时",
    "我市",
    "本市",
    "到",
];
const METRIC_TRAILING: &[&str] = &[
    "分别达到",
    "分别不低于",
    "分别",
    "增长",
    "增速",
    "提高",
    "提升到",
    "提升至",
    "提升",
    "达到",
    "达",
    "保持在",
    "保持",
    "控制在",
    "不低于",
    "不少于",
    "超过",
    "突破",
    "为",
    "在",
    "增加",
    "下降",
    "降低",
    "减少",
    "压减",
    "至",
    "到",
    "力争",
    "≤",
    "≥",
    "<",
    ">",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub text: String,
    pub metric: String,
    pub kind: TargetKind,
    pub comparator: Comparator,
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: String,
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '；' | '：' | '！' | '？' | '\n' | ',' | ';'
    )
}

fn strip_all<'a>(mut s: &'a str, prefixes: &[&str], suffixes: &[&str]) -> &'a str {
    loop {
        let before = s.len();
        // A leading year (`2024年`) dates the sentence; it is not the metric.
        if s.len() >= 7
            && s.as_bytes()[..4].iter().all(u8::is_ascii_digit)
            && s[4..].starts_with('年')
        {
            s = &s[7..];
        }
        for p in prefixes {
            s = s.strip_prefix(p).unwrap_or(s);
        }
        for p in suffixes {
            s = s.strip_suffix(p).unwrap_or(s);
        }
        s = s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '、' | '—' | '，'));
        if s.len() == before {
            return s;
        }
    }
}

/// Every target in a paragraph.
pub fn extract(paragraph: &str) -> Vec<Found> {
    let text = clean_markup(paragraph);
    let text = text.as_ref();
    let mut out: Vec<Found> = Vec::new();
    let mut last_metric: Option<(usize, String)> = None;
    for c in NUMBER.captures_iter(text) {
        let m = c.get(0).unwrap();
        let (start, end) = (m.start(), m.end());
        let before_char = text[..start].chars().next_back();
        if before_char.is_some_and(|ch| {
            ch.is_ascii_alphabetic() || ch == '第' || ch == '/' || ch == '.' || ch == '+'
        }) {
            continue;
        }
        let after = &text[end..];
        let unit = &c[4];
        if after.starts_with(['号', '届', '年', '月', '日', '+']) || after.starts_with("奖励")
        {
            continue;
        }
        if unit == "个"
            && [
                "工作日",
                "月",
                "小时",
                "季度",
                "批",
                "轮",
                "方面",
                "工作",
                "镇",
            ]
            .iter()
            .any(|w| after.starts_with(w))
        {
            continue;
        }
        let clause_start = text[..start].rfind(is_clause_break).map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
        let clause_end = end + after.find(is_clause_break).unwrap_or(after.len());
        let clause = &text[clause_start..clause_end];
        if !CUES.iter().any(|cue| clause.contains(cue)) {
            continue;
        }
        let lead_in = &text[clause_start..start];
        // A list item: `80个、70个、60个` shares the clause's subject.
        let segment_start = lead_in.rfind(['、', '和', '及']).map_or(clause_start, |i| {
            clause_start + i + lead_in[i..].chars().next().map_or(1, char::len_utf8)
        });
        let near = &text[segment_start..start];
        let mut metric = strip_all(
            near.strip_suffix('约').unwrap_or(near),
            METRIC_LEADING,
            METRIC_TRAILING,
        )
        .to_string();
        // `新增20家规模工业企业`: the thing counted follows the number.
        let tail_noun = {
            let tail = &after[..after
                .find(|c| is_clause_break(c) || c == '、')
                .unwrap_or(after.len())];
            strip_all(tail, &["以上", "左右", "以内", "以下"], &[]).to_string()
        };
        if metric.chars().count() <= 2 {
            metric = match &last_metric {
                Some((at, m)) if tail_noun.is_empty() && *at == clause_start => m.clone(),
                _ => format!("{metric}{tail_noun}"),
            };
        }
        if metric.is_empty() {
            continue;
        }
        let tail = after.trim_start();
        let value: f64 = c[1].parse().unwrap_or(0.0);
        let value_max: Option<f64> = c.get(3).and_then(|v| v.as_str().parse().ok());
        let comparator = if value_max.is_some() {
            Comparator::Range
        } else if tail.starts_with("左右") || near.ends_with('约') {
            Comparator::About
        } else if ["以内", "以下", "之内"].iter().any(|w| tail.starts_with(w))
            || (AT_MOST_BEFORE.iter().any(|w| near.contains(w))
                && !AT_LEAST_BEFORE.iter().any(|w| near.contains(w)))
        {
            Comparator::AtMost
        } else {
            Comparator::AtLeast
        };
        let unit = match unit {
            "百分点" => "个百分点",
            "微克/立方米" => "μg/m³",
            u => u,
        };
        let decreasing = DECREASE.iter().any(|w| near.contains(w));
        let kind = if decreasing {
            TargetKind::Decrease
        } else if comparator == Comparator::AtMost {
            TargetKind::Ceiling
        } else if unit == "个百分点" {
            TargetKind::PointChange
        } else if matches!(unit, "%" | "‰")
            && GROWTH.iter().any(|w| near.contains(w))
            && !metric.ends_with('率')
            && !metric.contains("占比")
            && !metric.contains("比重")
        {
            TargetKind::Growth
        } else if matches!(unit, "%" | "‰") {
            TargetKind::Share
        } else if COUNT_UNITS.contains(&unit) {
            TargetKind::Count
        } else {
            TargetKind::Level
        };
        let (lo, hi) = match value_max {
            Some(v2) if v2 < value => (v2, Some(value)),
            other => (value, other),
        };
        last_metric = Some((clause_start, metric.clone()));
        out.push(Found {
            text: clause.trim().to_string(),
            metric,
            kind,
            comparator,
            value: lo,
            value_max: hi,
            unit: unit.to_string(),
        });
    }
    pair_respectively(text, &mut out);
    out
}

/// `新签约、新开工、新投产项目分别达到80个、70个、60个`: pairs the listed
/// subjects with the listed values in order.
fn pair_respectively(text: &str, found: &mut [Found]) {
    let mut from = 0;
    while let Some(at) = text[from..].find("分别") {
        let at = from + at;
        from = at + "分别".len();
        let clause_start = text[..at].rfind(is_clause_break).map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
        let subjects: Vec<&str> = text[clause_start..at].split('、').collect();
        if subjects.len() < 2 {
            continue;
        }
        let clause_end = from
            + text[from..]
                .find(['，', '。', '；', '\n'])
                .unwrap_or(text.len() - from);
        let clause = &text[clause_start..clause_end];
        let in_clause: Vec<usize> = found
            .iter()
            .enumerate()
            .filter(|(_, f)| f.text == clause.trim())
            .map(|(i, _)| i)
            .collect();
        if in_clause.len() != subjects.len() {
            continue;
        }
        // The head noun of the last subject (`项目`) belongs to all of them.
        let last = subjects[subjects.len() - 1];
        let head: String = ["项目", "企业", "标准", "人数"]
            .iter()
            .find(|h| last.ends_with(**h))
            .map(|h| h.to_string())
            .unwrap_or_default();
        for (k, &i) in in_clause.iter().enumerate() {
            let s = strip_all(subjects[k], METRIC_LEADING, METRIC_TRAILING);
            found[i].metric = if s.ends_with(&head) {
                s.to_string()
            } else {
                format!("{s}{head}")
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Comparator::*;
    use TargetKind::*;

    fn t(text: &str) -> Vec<(String, TargetKind, Comparator, f64, Option<f64>, String)> {
        extract(text)
            .into_iter()
            .map(|f| (f.metric, f.kind, f.comparator, f.value, f.value_max, f.unit))
            .collect()
    }

    fn row(
        m: &str,
        k: TargetKind,
        c: Comparator,
        v: f64,
        vm: Option<f64>,
        u: &str,
    ) -> (String, TargetKind, Comparator, f64, Option<f64>, String) {
        (m.into(), k, c, v, vm, u.into())
    }

    #[test]
    fn goals_of_the_sample_plan() {
        assert_eq!(
            t("社会消费品零售总额增长8%，投资效益进一步提升，固定资产投资增长10%；常住人口城镇化率力争提高1个百分点以上。"),
            vec![
                row("社会消费品零售总额", Growth, AtLeast, 8.0, None, "%"),
                row("固定资产投资", Growth, AtLeast, 10.0, None, "%"),
                row("常住人口城镇化率", PointChange, AtLeast, 1.0, None, "个百分点"),
            ]
        );
        assert_eq!(
            t("园区规模工业占比达到75%以上、亩均税收增长10%以上。"),
            vec![
                row("园区规模工业占比", Share, AtLeast, 75.0, None, "%"),
                row("亩均税收", Growth, AtLeast, 10.0, None, "%")
            ]
        );
        assert_eq!(
            t("引育创新人才10名左右"),
            vec![row("引育创新人才", Count, About, 10.0, None, "名")]
        );
        assert_eq!(
            t("培育跨境电商企业1~2家"),
            vec![row("培育跨境电商企业", Count, Range, 1.0, Some(2.0), "家")]
        );
        assert_eq!(
            t("外贸进出口总额3亿元以上"),
            vec![row("外贸进出口总额", Level, AtLeast, 3.0, None, "亿元")]
        );
        assert_eq!(
            t("城镇调查失业率控制在5.2%以内"),
            vec![row("城镇调查失业率", Ceiling, AtMost, 5.2, None, "%")]
        );
        assert_eq!(
            t("确保全市PM_{2.5}年均浓度≤31μg/m³。"),
            vec![row("PM2.5年均浓度", Ceiling, AtMost, 31.0, None, "μg/m³")]
        );
        assert_eq!(
            t("城乡低保标准分别不低于740元/月和485元/月"),
            vec![
                row("城乡低保标准", Level, AtLeast, 740.0, None, "元/月"),
                row("城乡低保标准", Level, AtLeast, 485.0, None, "元/月"),
            ]
        );
    }

    #[test]
    fn respectively() {
        let got = t("力争全年新签约、新开工、新投产项目分别达到80个、70个、60个，");
        let metrics: Vec<&str> = got.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(metrics, vec!["新签约项目", "新开工项目", "新投产项目"]);
        assert_eq!(got[1].3, 70.0);
    }

    #[test]
    fn not_targets() {
        for text in [
            "对全市14个镇（街道）进行综合性治理",
            "发布2025年第二批项目",
            "G536蔡屋章至龙塘段",
            "用好240小时过境免签政策",
            "推进1号机组锅炉钢架吊装",
            "分别给予40、30、20及10万元奖励",
        ] {
            assert!(t(text).is_empty(), "{text}: {:?}", t(text));
        }
    }
}
