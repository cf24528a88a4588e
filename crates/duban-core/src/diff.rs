//! What changed between two versions of a plan document's tasks.
//!
//! Tasks are matched in three passes: identical text in the same plan (a
//! task that only moved or was renumbered), then the same place in the
//! heading tree, then similar text. What is left was added or removed.
//! Matching keeps a task's identity, so what is attached to it (lists,
//! reports) survives a revision.

use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub struct TaskSnapshot {
    pub plan: u32,
    /// Position in the heading tree, e.g. `1|二、攻坚任务|（一）…|1.推动…|0`.
    pub key: String,
    pub title: String,
    pub text: String,
    pub leads: Vec<String>,
    pub cos: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Unchanged,
    Reworded,
    Reassigned,
    RewordedAndReassigned,
    Added,
    Removed,
}

/// One entry of the diff: indices into the old and new task lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub old: Option<usize>,
    pub new: Option<usize>,
}

fn bigrams(s: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Jaccard similarity of character bigrams, 0..1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    x.intersection(&y).count() as f64 / x.union(&y).count() as f64
}

/// Reworded tasks below this similarity are treated as removed + added.
pub const SIMILAR_ENOUGH: f64 = 0.5;

fn kind(old: &TaskSnapshot, new: &TaskSnapshot) -> ChangeKind {
    let same_text = old.text == new.text;
    let same_units = old.leads == new.leads && old.cos == new.cos;
    match (same_text, same_units) {
        (true, true) => ChangeKind::Unchanged,
        (false, true) => ChangeKind::Reworded,
        (true, false) => ChangeKind::Reassigned,
        (false, false) => ChangeKind::RewordedAndReassigned,
    }
}

pub fn diff(old: &[TaskSnapshot], new: &[TaskSnapshot]) -> Vec<Change> {
    let mut old_taken = vec![false; old.len()];
    let mut new_match: Vec<Option<usize>> = vec![None; new.len()];
    type Same = dyn Fn(&TaskSnapshot, &TaskSnapshot) -> bool;
    let passes: [&Same; 2] = [&|o, n| o.plan == n.plan && o.text == n.text, &|o, n| {
        o.plan == n.plan && o.key == n.key
    }];
    for pass in passes {
        for (j, n) in new.iter().enumerate() {
            if new_match[j].is_some() {
                continue;
            }
            if let Some(i) = (0..old.len()).find(|&i| !old_taken[i] && pass(&old[i], n)) {
                old_taken[i] = true;
                new_match[j] = Some(i);
            }
        }
    }
    // Similar text, best pairs first.
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (j, n) in new
        .iter()
        .enumerate()
        .filter(|(j, _)| new_match[*j].is_none())
    {
        for (i, o) in old.iter().enumerate().filter(|(i, _)| !old_taken[*i]) {
            if o.plan == n.plan {
                let s = similarity(&o.text, &n.text);
                if s >= SIMILAR_ENOUGH {
                    candidates.push((s, i, j));
                }
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, i, j) in candidates {
        if !old_taken[i] && new_match[j].is_none() {
            old_taken[i] = true;
            new_match[j] = Some(i);
        }
    }
    let mut out: Vec<Change> = new_match
        .iter()
        .enumerate()
        .map(|(j, m)| match m {
            Some(i) => Change {
                kind: kind(&old[*i], &new[j]),
                old: Some(*i),
                new: Some(j),
            },
            None => Change {
                kind: ChangeKind::Added,
                old: None,
                new: Some(j),
            },
        })
        .collect();
    out.extend((0..old.len()).filter(|i| !old_taken[*i]).map(|i| Change {
        kind: ChangeKind::Removed,
        old: Some(i),
        new: None,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(key: &str, text: &str, lead: &str) -> TaskSnapshot {
        TaskSnapshot {
            plan: 1,
            key: key.into(),
            title: text.chars().take(4).collect(),
            text: text.into(),
            leads: vec![lead.into()],
            cos: vec![],
        }
    }

    #[test]
    fn classifies_each_kind_of_change() {
        let old = vec![
            t("a", "推进项目建设，确保按期开工。", "市发改局"),
            t("b", "完善消费政策，开展以旧换新活动。", "市商务局"),
            t("c", "优化营商环境，开展专项行动。", "市数据局"),
            t("d", "加强安全生产监管，消除隐患。", "市应急局"),
        ];
        // b removed; c renumbered to b and reassigned; a reworded; d kept
        // under a new key; e added.
        let new = vec![
            t("a", "推进项目建设，确保全部按期开工。", "市发改局"),
            t("b", "优化营商环境，开展专项行动。", "市司法局"),
            t("c", "加强安全生产监管，消除隐患。", "市应急局"),
            t("d", "新增任务：建设数字政府平台。", "市数据局"),
        ];
        let mut got: Vec<(ChangeKind, Option<usize>, Option<usize>)> = diff(&old, &new)
            .into_iter()
            .map(|c| (c.kind, c.old, c.new))
            .collect();
        got.sort_by_key(|c| (c.2, c.1));
        use ChangeKind::*;
        assert_eq!(
            got,
            vec![
                (Removed, Some(1), None),
                (Reworded, Some(0), Some(0)),
                (Reassigned, Some(2), Some(1)),
                (Unchanged, Some(3), Some(2)),
                (Added, None, Some(3)),
            ]
        );
    }

    #[test]
    fn identical_lists_are_unchanged() {
        let old = vec![t("a", "甲任务内容", "A"), t("b", "乙任务内容", "B")];
        assert!(diff(&old, &old)
            .iter()
            .all(|c| c.kind == ChangeKind::Unchanged));
        assert!((similarity("推进项目建设", "推进项目建设") - 1.0).abs() < 1e-9);
        assert!(similarity("推进项目建设", "优化营商环境") < 0.1);
    }
}
