//! The table model: a task-division table (任务分工表) as rows of cells with
//! a role per column. Every reader feeds it — docx and html tables,
//! markdown and pipe tables, xlsx/xls sheets, and tables rebuilt from
//! flattened text — so the rules for "who leads" live in one place.
//!
//! Column roles come from [`HEADER_VOCABULARY`], a data table: a document
//! from a new place that names its columns differently needs a row there,
//! not a new branch in the code.

use crate::assign;
use crate::model::Warning;

/// What a column of a task table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    /// Row number (序号).
    Seq,
    /// A grouping column (类别, 领域), often a merged cell over its rows.
    Group,
    /// The task text.
    Task,
    /// Lead units, marked as such (牵头单位, 牵头责任单位, 牵头协调部门).
    Lead,
    /// Main responsible units (主要责任单位): leads when another unit
    /// column exists, else a single responsible column.
    Main,
    /// Responsible units (责任单位): co-units next to a lead column, else
    /// the only unit column, whose first unit leads.
    Responsible,
    /// Co-units (配合单位, 协同单位, 参与单位).
    Co,
    /// Deadline (完成时限).
    Deadline,
    /// Further text of the task (工作目标, 具体措施 after the task column).
    Extra,
    /// Not a unit and not task text: people, places, owners, scorers,
    /// money, remarks.
    Ignore,
}

use ColumnRole::*;

/// Header keywords and the role they give, checked in order: the first
/// keyword found in a header cell decides. People and other non-units come
/// first so that `牵头领导` or `分管县领导` is never read as a unit column;
/// strong task words come before `目标` so that `任务及目标` is the task.
pub const HEADER_VOCABULARY: &[(&str, ColumnRole)] = &[
    ("领导", Ignore),
    ("负责人", Ignore),
    ("责任人", Ignore),
    ("联系人", Ignore),
    ("联系方式", Ignore),
    ("电话", Ignore),
    ("评分", Ignore),
    ("打分", Ignore),
    ("考核单位", Ignore),
    ("考核部门", Ignore),
    ("督办单位", Ignore),
    ("地点", Ignore),
    ("地址", Ignore),
    ("业主", Ignore),
    ("建设单位", Ignore),
    ("投资", Ignore),
    ("金额", Ignore),
    ("资金", Ignore),
    ("万元", Ignore),
    ("亿元", Ignore),
    ("分值", Ignore),
    ("权重", Ignore),
    ("备注", Ignore),
    ("进展", Ignore),
    ("完成情况", Ignore),
    ("序号", Seq),
    ("编号", Seq),
    ("牵头", Lead),
    ("主责", Main),
    ("主要责任", Main),
    ("主办", Main),
    ("配合", Co),
    ("协同", Co),
    ("协办", Co),
    ("参与", Co),
    ("协助", Co),
    ("协作", Co),
    ("责任单位", Responsible),
    ("责任部门", Responsible),
    ("责任主体", Responsible),
    ("责任处室", Responsible),
    ("实施单位", Responsible),
    ("承办", Responsible),
    ("落实单位", Responsible),
    ("责任", Responsible),
    ("时限", Deadline),
    ("完成时间", Deadline),
    ("时间节点", Deadline),
    ("进度安排", Deadline),
    ("时间安排", Deadline),
    ("期限", Deadline),
    ("截止", Deadline),
    ("时间", Deadline),
    ("类别", Group),
    ("分类", Group),
    ("领域", Group),
    ("板块", Group),
    ("方面", Group),
    ("类型", Group),
    ("任务", Task),
    ("工作内容", Task),
    ("具体内容", Task),
    ("主要内容", Task),
    ("事项", Task),
    ("实事", Task),
    ("举措", Task),
    ("措施", Task),
    ("要点", Task),
    ("重点工作", Task),
    ("目标", Extra),
    ("成效", Extra),
    ("指标", Extra),
    ("要求", Extra),
    ("标准", Extra),
    ("成果", Extra),
    ("内容", Task),
    ("项目", Task),
    ("名称", Task),
    ("工作", Task),
    ("单位", Responsible),
    ("部门", Responsible),
];

/// The role a header cell gives its column, if it is a header word at all.
/// Long cells are data, not headers.
pub fn header_role(cell: &str) -> Option<ColumnRole> {
    if cell.len() > 60 {
        return None; // far more than 14 characters: data, not a header
    }
    // A remark in brackets (`重点工作任务（杭州市2项配合工作）`) is not
    // part of the column's name.
    let cell = match cell.find(['（', '(']) {
        Some(open) if open > 0 && cell.trim_end().ends_with(['）', ')']) => &cell[..open],
        _ => cell,
    };
    let h: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '：' | ':'))
        .collect();
    if h.is_empty() || h.chars().count() > 14 {
        return None;
    }
    // The first vocabulary entry found anywhere in the cell, in one pass.
    HEADER_FINDER
        .find_overlapping_iter(&h)
        .map(|m| m.pattern().as_usize())
        .min()
        .map(|i| HEADER_VOCABULARY[i].1)
}

static HEADER_FINDER: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(HEADER_VOCABULARY.iter().map(|(k, _)| k))
            .expect("static patterns")
    });

/// The resolved layout of a table: which columns lead, which co-own.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The header cells the layout was read from.
    pub header: Vec<String>,
    pub roles: Vec<Option<ColumnRole>>,
    pub seq: Option<usize>,
    pub task: usize,
    pub groups: Vec<usize>,
    pub extra: Vec<usize>,
    pub lead: Vec<usize>,
    pub co: Vec<usize>,
    /// Unit columns without a lead column beside them: the first unit
    /// listed leads (marked `lead_inferred`).
    pub single: Vec<usize>,
    pub deadline: Option<usize>,
}

impl Layout {
    /// Resolves header roles into a layout; None when the header does not
    /// describe a task table (no task column or no unit column).
    pub fn from_roles(roles: Vec<Option<ColumnRole>>) -> Option<Layout> {
        let cols = |r: ColumnRole| -> Vec<usize> {
            roles
                .iter()
                .enumerate()
                .filter(|(_, x)| **x == Some(r))
                .map(|(i, _)| i)
                .collect()
        };
        let (lead_cols, main, resp, co_cols) =
            (cols(Lead), cols(Main), cols(Responsible), cols(Co));
        let mut lead = lead_cols.clone();
        let mut co = co_cols;
        let mut single = Vec::new();
        if lead.is_empty() && !main.is_empty() && (!resp.is_empty() || !co.is_empty()) {
            lead = main.clone();
        } else if !lead.is_empty() {
            co.extend(&main);
        } else {
            single.extend(&main);
        }
        if lead.is_empty() && single.is_empty() {
            single = resp;
        } else {
            co.extend(resp);
        }
        co.sort_unstable();
        if lead.is_empty() && single.is_empty() && co.is_empty() {
            return None;
        }
        let tasks = cols(Task);
        let mut extra = cols(Extra);
        let task = match tasks.first() {
            Some(&t) => {
                extra.extend(&tasks[1..]);
                t
            }
            // A table of 工作目标 + units is still a task table; failing
            // that, the first column the vocabulary does not know.
            None => match extra.first() {
                Some(&e) => e,
                None => roles.iter().position(Option::is_none)?,
            },
        };
        extra.retain(|&e| e != task);
        extra.sort_unstable();
        Some(Layout {
            header: Vec::new(),
            seq: cols(Seq).first().copied(),
            groups: cols(Group),
            deadline: cols(Deadline).first().copied(),
            roles,
            task,
            extra,
            lead,
            co,
            single,
        })
    }

    pub fn is_unit_column(&self, i: usize) -> bool {
        self.lead.contains(&i) || self.co.contains(&i) || self.single.contains(&i)
    }
}

/// Finds the header among the first rows: the row (or two rows, for a
/// header whose `责任单位` cell spans `牵头单位 | 配合单位`) whose cells
/// name a task column and a unit column. Returns the layout and the index
/// of the first data row.
pub fn find_header(rows: &[Vec<String>]) -> Option<(Layout, usize)> {
    for (at, row) in rows.iter().enumerate().take(6) {
        let roles: Vec<Option<ColumnRole>> = row.iter().map(|c| header_role(c)).collect();
        let Some(layout) = Layout::from_roles(roles.clone()) else {
            continue;
        };
        // A second header row refines the first column by column.
        if let Some(next) = rows.get(at + 1) {
            let sub: Vec<Option<ColumnRole>> = next.iter().map(|c| header_role(c)).collect();
            let recognised = next
                .iter()
                .zip(&sub)
                .filter(|(c, r)| !c.trim().is_empty() && r.is_some())
                .count();
            let filled = next.iter().filter(|c| !c.trim().is_empty()).count();
            let differs = next.iter().zip(row).any(|(a, b)| a != b);
            if filled > 0 && recognised == filled && differs {
                let merged: Vec<Option<ColumnRole>> = (0..roles.len().max(sub.len()))
                    .map(|i| {
                        sub.get(i)
                            .copied()
                            .flatten()
                            .or(roles.get(i).copied().flatten())
                    })
                    .collect();
                if let Some(mut l) = Layout::from_roles(merged) {
                    l.header = next.clone();
                    return Some((l, at + 2));
                }
            }
        }
        let mut layout = layout;
        layout.header = row.clone();
        return Some((layout, at + 1));
    }
    None
}

/// One task read from a table row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowTask {
    pub seq: String,
    /// Group headings above the row (spanning rows, group columns).
    pub groups: Vec<String>,
    pub task: String,
    /// Task text followed by the extra text columns.
    pub text: String,
    pub leads: Vec<String>,
    pub cos: Vec<String>,
    pub lead_inferred: bool,
    pub deadline: String,
}

/// Cells that say "no unit": `/`, `—`, `无`.
pub fn is_none_cell(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty()
        || t.chars()
            .all(|c| matches!(c, '/' | '／' | '-' | '—' | '－' | '–' | '\\' | ' ' | '无'))
}

/// Reads the data rows of a task table. `warnings` gets one entry per row
/// whose lead had to be guessed from a co-unit column.
pub fn read_rows(
    rows: &[Vec<String>],
    layout: &Layout,
    line: usize,
    warnings: &mut Vec<Warning>,
) -> Vec<RowTask> {
    let mut out = Vec::new();
    let mut heading: Option<String> = None;
    let mut last_groups: Vec<String> = vec![String::new(); layout.groups.len()];
    for row in rows {
        let filled: Vec<&str> = row
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if filled.is_empty() {
            continue;
        }
        let distinct: std::collections::HashSet<&str> = filled.iter().copied().collect();
        if distinct.len() == 1 && row.len() > 1 {
            // A row spanning the table is a group heading (一、…).
            heading = filled.first().map(|s| s.to_string());
            continue;
        }
        // A repeated header row (a table over several pages).
        if row
            .iter()
            .zip(&layout.header)
            .filter(|(c, h)| c.trim() == h.trim())
            .count()
            * 2
            > filled.len()
        {
            continue;
        }
        for (k, &g) in layout.groups.iter().enumerate() {
            let v = cell(row, g);
            if !v.is_empty() {
                last_groups[k] = v.to_string();
            }
        }
        // A task column left empty (its text written in the next text
        // column, or a merged cell shown once): the first text column
        // that has something stands in.
        let task = std::iter::once(layout.task)
            .chain(layout.extra.iter().copied())
            .map(|i| cell(row, i))
            .find(|c| !c.is_empty() && !is_none_cell(c))
            .unwrap_or("")
            .to_string();
        let has_units = layout
            .lead
            .iter()
            .chain(&layout.co)
            .chain(&layout.single)
            .any(|&i| !is_none_cell(cell(row, i)));
        if task.is_empty() || !has_units {
            // A row with text but no units under a heading-like first cell
            // (`一、产业发展`) is a section heading.
            if !has_units
                && filled.len() <= 2
                && crate::structure::heading_level(filled[0]).is_some()
            {
                heading = Some(filled.join(" "));
            }
            continue;
        }
        let mut leads = Vec::new();
        let mut cos = Vec::new();
        let mut inferred = false;
        for &i in &layout.lead {
            leads.extend(assign::cell_units(cell(row, i)).into_iter().map(|(u, _)| u));
        }
        for &i in &layout.co {
            for (u, marked) in assign::cell_units(cell(row, i)) {
                if marked {
                    leads.push(u);
                } else {
                    cos.push(u);
                }
            }
        }
        let mut single: Vec<(String, bool)> = Vec::new();
        for &i in &layout.single {
            single.extend(assign::cell_units(cell(row, i)));
        }
        if !single.is_empty() {
            let marked: Vec<String> = single
                .iter()
                .filter(|(_, m)| *m)
                .map(|(u, _)| u.clone())
                .collect();
            if marked.is_empty() && leads.is_empty() {
                leads.push(single.remove(0).0);
                inferred = true;
            } else {
                leads.extend(marked);
            }
            cos.extend(single.into_iter().filter(|(_, m)| !m).map(|(u, _)| u));
        }
        if leads.is_empty() && !cos.is_empty() {
            leads.push(cos.remove(0));
            inferred = true;
            warnings.push(Warning {
                line: Some(line),
                message: format!(
                    "表格第{}行牵头单位为空，已取第一个责任单位为牵头单位，请核对。/ Empty lead cell; the first listed unit was taken as lead.",
                    out.len() + 1
                ),
            });
        }
        dedupe(&mut leads);
        dedupe(&mut cos);
        cos.retain(|c| !leads.contains(c));
        if leads.is_empty() {
            continue;
        }
        let mut text = task.clone();
        for &i in &layout.extra {
            let e = cell(row, i);
            if !e.is_empty() && !is_none_cell(e) && e != task {
                text.push('\n');
                text.push_str(e);
            }
        }
        let mut groups: Vec<String> = heading.iter().cloned().collect();
        groups.extend(last_groups.iter().filter(|g| !g.is_empty()).cloned());
        out.push(RowTask {
            seq: layout
                .seq
                .map(|i| cell(row, i).to_string())
                .unwrap_or_default(),
            groups,
            task,
            text,
            leads,
            cos,
            lead_inferred: inferred,
            deadline: layout
                .deadline
                .map(|i| cell(row, i).to_string())
                .unwrap_or_default(),
        });
    }
    out
}

fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map(|s| s.trim()).unwrap_or("")
}

fn dedupe(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &[&[&str]]) -> Vec<Vec<String>> {
        t.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    fn read(t: &[&[&str]]) -> Vec<RowTask> {
        let r = rows(t);
        let (layout, from) = find_header(&r).expect("a task table");
        read_rows(&r[from..], &layout, 1, &mut Vec::new())
    }

    #[test]
    fn header_vocabulary() {
        let cases = [
            ("牵头单位", Some(Lead)),
            ("牵头责任单位", Some(Lead)),
            ("牵头协调部门", Some(Lead)),
            ("主要责任单位", Some(Main)),
            ("协同配合单位", Some(Co)),
            ("参与单位", Some(Co)),
            ("责任单位", Some(Responsible)),
            ("分管县领导", Some(Ignore)),
            ("牵头区领导", Some(Ignore)),
            ("评分部门", Some(Ignore)),
            ("建设地点", Some(Ignore)),
            ("项目业主", Some(Ignore)),
            ("总投资（万元）", Some(Ignore)),
            ("重点任务", Some(Task)),
            ("完成时限", Some(Deadline)),
            ("市发展改革委牵头负责推进全市重点项目建设工作", None),
        ];
        for (h, r) in cases {
            assert_eq!(header_role(h), r, "{h}");
        }
    }

    #[test]
    fn single_responsible_column_first_leads() {
        let t = read(&[
            &["序号", "重点任务", "责任单位", "完成时限"],
            &[
                "1",
                "推进数字政府建设",
                "市数据局、市发改委\n市财政局",
                "2025年底",
            ],
        ]);
        assert_eq!(t[0].leads, vec!["市数据局"]);
        assert_eq!(t[0].cos, vec!["市发改委", "市财政局"]);
        assert!(t[0].lead_inferred);
    }

    #[test]
    fn main_and_cooperating_columns() {
        let t = read(&[
            &["序号", "工作任务", "主要责任单位", "协同配合单位"],
            &["1", "建设项目", "省发展改革委、省工信厅", "省财政厅"],
        ]);
        assert_eq!(t[0].leads, vec!["省发展改革委", "省工信厅"]);
        assert_eq!(t[0].cos, vec!["省财政厅"]);
        assert!(!t[0].lead_inferred);
    }

    #[test]
    fn lead_participating_responsible_and_non_unit_columns() {
        let t = read(&[
            &[
                "序号",
                "任务",
                "牵头单位",
                "参与单位",
                "责任单位",
                "分管县领导",
                "建设地点",
                "评分部门",
            ],
            &[
                "1",
                "修路",
                "县交通局",
                "县财政局",
                "各乡镇",
                "张三",
                "城关镇",
                "县督查室",
            ],
            &["2", "建桥", "县住建局", "/", "", "李四", "某村", "县督查室"],
        ]);
        assert_eq!(t[0].leads, vec!["县交通局"]);
        assert_eq!(t[0].cos, vec!["县财政局", "各乡镇"]);
        assert_eq!(t[1].leads, vec!["县住建局"]);
        assert!(t[1].cos.is_empty());
    }

    #[test]
    fn two_row_header_and_group_rows() {
        let t = read(&[
            &["序号", "任务", "责任单位", "责任单位"],
            &["序号", "任务", "牵头单位", "配合单位"],
            &[
                "一、产业发展",
                "一、产业发展",
                "一、产业发展",
                "一、产业发展",
            ],
            &["1", "培育企业", "市工信局", "市科技局"],
        ]);
        assert_eq!(t[0].leads, vec!["市工信局"]);
        assert_eq!(t[0].cos, vec!["市科技局"]);
        assert_eq!(t[0].groups, vec!["一、产业发展"]);
    }
}
