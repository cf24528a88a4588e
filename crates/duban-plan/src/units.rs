//! Unit names: what counts as a unit, its kind, and which names in one
//! document are probably the same unit written two ways.

use crate::model::{AliasSuggestion, UnitKind};
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

/// Endings of organisation names. A data table rather than rules: extend it
/// when a document from a new place names its units differently.
const UNIT_SUFFIXES: &[&str] = &[
    "局",
    "办",
    "委",
    "会",
    "部",
    "室",
    "院",
    "中心",
    "公司",
    "集团",
    "队",
    "站",
    "所",
    "行",
    "社",
    "团",
    "馆",
    "园",
    "区",
    "处",
    "组",
    "专班",
    "政府",
    "街道",
    "镇街",
    "镇",
    "乡",
    "村",
    "联",
    "协",
    "厅",
    "署",
    "校",
    "台",
    "单位",
    "部门",
    "企业",
    "国企",
    "机构",
    "办事处",
    "分局",
    "支局",
    "管理部",
    "科",
    "军分区",
    "武装部",
    "人武部",
    "海关",
    "法院",
    "检察院",
    "银行",
    "医院",
    "学院",
    "学校",
];

/// Words that never occur in a unit name.
const NEVER_IN_NAMES: &[&str] = &[
    "按职",
    "按项目",
    "负责",
    "牵头",
    "。",
    "；",
    "：",
    "，",
    "为准",
    "下达",
    "包括",
    "要",
    "的",
];

/// Words of prose that occur in group references (`各项目建设单位`) but
/// not in the name of one unit.
const PROSE_WORDS: &[&str] = &[
    "完成", "推进", "加强", "开展", "实施", "确保", "力争", "积极", "任务", "建设", "工作",
];

/// Prose words that are also part of unit names (`住房城乡建设厅`,
/// `工作专班`): they rule a name out only at its start, where a verb
/// phrase would begin.
const START_ONLY: &[&str] = &["建设", "工作"];

/// Prefixes of group references (各镇、各街道 / 各有关单位 / 相关部门).
const GROUP_PREFIXES: &[&str] = &["各", "相关", "有关", "其他", "全市", "全县", "全区"];

/// One automaton for both word lists: this check runs for every piece of
/// every assignment, so it is on the hot path.
static FORBIDDEN: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new(NEVER_IN_NAMES.iter().chain(PROSE_WORDS)).expect("static patterns")
});

pub fn is_unit_like(name: &str) -> bool {
    let n = name.chars().count();
    if !(2..=30).contains(&n) || !name.chars().next().is_some_and(|c| c.is_alphanumeric()) {
        return false;
    }
    let group = GROUP_PREFIXES.iter().any(|p| name.starts_with(p));
    let forbidden = FORBIDDEN.find_overlapping_iter(name).any(|m| {
        let id = m.pattern().as_usize();
        let start_only = id >= NEVER_IN_NAMES.len() + PROSE_WORDS.len() - START_ONLY.len();
        (!group || id < NEVER_IN_NAMES.len()) && (!start_only || m.start() == 0)
    });
    if forbidden {
        return false;
    }
    let core = name.trim_end_matches(['）', ')']);
    let core = match core.rfind('（') {
        Some(open) if name.ends_with('）') => &core[..open],
        _ => core,
    };
    UNIT_SUFFIXES.iter().any(|s| core.ends_with(s)) || (group && (n >= 3 || name.starts_with('各')))
}

/// Classifies a unit name. `region` is the issuing region (`汨罗市`), used
/// to tell a resident unit of a higher level (`岳阳市生态环境局汨罗分局`)
/// from a department of our own.
pub fn unit_kind(name: &str, region: Option<&str>) -> UnitKind {
    if GROUP_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return UnitKind::Group;
    }
    let core = name.split('（').next().unwrap_or(name);
    if ["镇", "乡", "街道", "办事处", "街道办"]
        .iter()
        .any(|s| core.ends_with(s))
        && !core.contains("政府办")
    {
        return UnitKind::Town;
    }
    if let Some(region) = region {
        let short = region.trim_end_matches(['市', '县', '区']);
        // Named after another place, but stationed here: 岳阳市…汨罗分局.
        let foreign_prefix = name
            .find(['省', '市', '县'])
            .map(|i| &name[..i])
            .is_some_and(|p| !p.is_empty() && p.chars().count() <= 4 && !region.starts_with(p));
        if foreign_prefix && (name.contains(short) || name.starts_with('省') || name.contains("驻"))
        {
            return UnitKind::Resident;
        }
        if name.starts_with("国网") || name.contains("供电公司") {
            return UnitKind::Resident;
        }
    }
    if name.contains("驻") || name.ends_with("支局") || name.ends_with("分局") {
        return UnitKind::Resident;
    }
    UnitKind::Department
}

/// Suffixes that name the same kind of body, so `X管理中心` and `X管理办公室`
/// are probably one unit.
const EQUIVALENT_SUFFIXES: &[&str] = &["办公室", "中心", "管委会", "办", "局"];

/// Whether `variant` looks like another way of writing `canonical`, with a
/// confidence. Never decides alone: aliases are suggested for review.
pub fn alias_confidence(variant: &str, canonical: &str) -> Option<f64> {
    let v: Vec<char> = variant.chars().collect();
    let c: Vec<char> = canonical.chars().collect();
    alias_confidence_chars(variant, &v, canonical, &c)
}

fn alias_confidence_chars(variant: &str, v: &[char], canonical: &str, c: &[char]) -> Option<f64> {
    if variant == canonical {
        return None;
    }
    // 市场监管局 vs 市市场监管局: the region prefix left off.
    if c.len() == v.len() + 1 && canonical.ends_with(variant) && matches!(c[0], '市' | '县' | '区')
    {
        return Some(0.9);
    }
    // 市文旅广局 vs 市文旅广电局: one or two characters dropped in the middle.
    if v.len() + 2 >= c.len()
        && v.len() < c.len()
        && v.len() >= 4
        && v.first() == c.first()
        && v.last() == c.last()
        && is_subsequence(v, c)
    {
        return Some(if c.len() - v.len() == 1 { 0.8 } else { 0.6 });
    }
    // 飞地园管理中心 vs 飞地园管理办公室: same stem, an equivalent ending.
    for a in EQUIVALENT_SUFFIXES {
        for b in EQUIVALENT_SUFFIXES {
            if a == b {
                continue;
            }
            if let (Some(sv), Some(sc)) = (variant.strip_suffix(a), canonical.strip_suffix(b)) {
                if sv == sc && sv.chars().count() >= 3 {
                    return Some(0.6);
                }
            }
        }
    }
    None
}

fn is_subsequence(short: &[char], long: &[char]) -> bool {
    let mut it = long.iter();
    short.iter().all(|c| it.any(|x| x == c))
}

/// For each name, the most likely other name it is a variant of. The more
/// often used spelling is taken as canonical.
pub fn suggest_aliases(names: &[(String, usize)]) -> Vec<Option<AliasSuggestion>> {
    let chars: Vec<Vec<char>> = names.iter().map(|(n, _)| n.chars().collect()).collect();
    let suggest = |i: usize| {
        let (name, uses) = &names[i];
        (0..names.len())
            .filter(|&j| {
                let (other, other_uses) = &names[j];
                j != i
                    && chars[j].len().abs_diff(chars[i].len()) <= 2
                    && (other_uses > uses || (other_uses == uses && other.len() > name.len()))
            })
            .filter_map(|j| {
                let other = &names[j].0;
                alias_confidence_chars(name, &chars[i], other, &chars[j])
                    .or_else(|| alias_confidence_chars(other, &chars[j], name, &chars[i]))
                    .map(|confidence| AliasSuggestion {
                        name: other.clone(),
                        confidence,
                    })
            })
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
    };
    (0..names.len()).map(suggest).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_shapes() {
        for yes in [
            "市发改局",
            "高新区管委会",
            "各镇",
            "各街道",
            "岳阳市生态环境局汨罗分局",
            "市委国安办",
            "邮政公司",
            "各镇（街道）",
            "两办督查室",
            "市妇联",
            "市科协",
        ] {
            assert!(is_unit_like(yes), "{yes}");
        }
        for no in [
            "按职能分工负责",
            "以岳阳市专班下达任务为准",
            "含两个省重点项目",
            "个体工商户",
            "2025年",
            "等",
        ] {
            assert!(!is_unit_like(no), "{no}");
        }
    }

    #[test]
    fn kinds() {
        let r = Some("汨罗市");
        assert_eq!(unit_kind("各镇", r), UnitKind::Group);
        assert_eq!(unit_kind("归义街道", r), UnitKind::Town);
        assert_eq!(unit_kind("岳阳市生态环境局汨罗分局", r), UnitKind::Resident);
        assert_eq!(
            unit_kind("岳阳市住房公积金管理中心汨罗管理部", r),
            UnitKind::Resident
        );
        assert_eq!(unit_kind("国网汨罗供电公司", r), UnitKind::Resident);
        assert_eq!(unit_kind("市发改局", r), UnitKind::Department);
        assert_eq!(unit_kind("市政府办", r), UnitKind::Department);
    }

    #[test]
    fn aliases() {
        assert_eq!(alias_confidence("市场监管局", "市市场监管局"), Some(0.9));
        assert_eq!(alias_confidence("市文旅广局", "市文旅广电局"), Some(0.8));
        assert_eq!(
            alias_confidence("飞地园管理中心", "飞地园管理办公室"),
            Some(0.6)
        );
        assert_eq!(alias_confidence("市发改局", "市财政局"), None);
        assert_eq!(alias_confidence("市委组织部", "市委编办"), None);
        assert_eq!(alias_confidence("文旅集团", "市文旅集团"), Some(0.9));
    }
}
