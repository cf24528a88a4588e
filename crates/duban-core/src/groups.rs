//! Group references (`各镇、各街道`, `各有关镇`): which registered units a
//! group stands for. A data table, not an if-chain: extend it when a plan
//! names its groups differently.

/// (group name, which units it covers): by unit kind and name ending.
const GROUPS: &[(&str, &str, &[&str])] = &[
    ("各镇", "town", &["镇"]),
    ("各有关镇", "town", &["镇"]),
    ("各乡镇", "town", &["镇", "乡"]),
    ("各街道", "town", &["街道", "办事处"]),
    ("各镇（街道）", "town", &["镇", "街道", "办事处"]),
    ("各乡镇（街道）", "town", &["镇", "乡", "街道", "办事处"]),
    ("各乡镇人民政府", "town", &["镇", "乡"]),
    ("各镇人民政府", "town", &["镇"]),
    ("各街道办事处", "town", &["街道", "办事处"]),
];

/// Whether the group `group` stands for the unit `name` of kind `kind`.
pub fn covers(group: &str, name: &str, kind: &str) -> bool {
    GROUPS.iter().any(|(g, k, endings)| {
        *g == group && *k == kind && endings.iter().any(|e| name.ends_with(e))
    })
}

/// Whether the registry knows how to expand `group`.
pub fn is_expandable(group: &str) -> bool {
    GROUPS.iter().any(|(g, _, _)| *g == group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage() {
        let cases = [
            ("各镇", "长乐镇", "town", true),
            ("各镇", "归义街道", "town", false),
            ("各街道", "归义街道", "town", true),
            ("各镇（街道）", "归义街道", "town", true),
            ("各镇", "市发改局", "department", false),
            ("各相关单位", "市发改局", "department", false),
        ];
        for (g, n, k, want) in cases {
            assert_eq!(covers(g, n, k), want, "{g} {n}");
        }
        assert!(is_expandable("各镇") && !is_expandable("各相关单位"));
    }
}
