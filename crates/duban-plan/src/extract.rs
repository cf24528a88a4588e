//! Extraction: walks each plan's heading tree and turns items into tasks,
//! goals into targets, mechanism paragraphs into task forces.

use crate::assign::{self, Assignment};
use crate::model::{Deadline, Target, Task, TaskForce, Warning};
use crate::normalize::clean_markup;
use crate::structure::{self, SectionKind};
use crate::{deadline, target, taskforce};

/// A normalised block: a paragraph or a table.
#[derive(Debug, Clone)]
pub enum Node {
    Para { text: String, line: usize },
    Table { rows: Vec<Vec<String>>, line: usize },
}

/// One heading (or the preamble) and the paragraphs under it, before any
/// of its sub-headings; or a table, kept in its place in the document.
struct Item {
    table: Option<Vec<Vec<String>>>,
    level: usize,
    path: Vec<String>,
    title: String,
    text: String,
    line: usize,
    section: SectionKind,
    is_heading: bool,
}

pub struct PlanOutput {
    pub tasks: Vec<Task>,
    pub targets: Vec<Target>,
    pub task_forces: Vec<TaskForce>,
}

/// Extracts one plan from its nodes (the nodes after its title line).
pub fn plan(no: u32, nodes: &[Node], year: Option<i32>, warnings: &mut Vec<Warning>) -> PlanOutput {
    let mut out = PlanOutput {
        tasks: Vec::new(),
        targets: Vec::new(),
        task_forces: Vec::new(),
    };
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut section = SectionKind::Other;
    let mut items: Vec<Item> = Vec::new();
    for node in nodes {
        match node {
            Node::Para { text, line } => {
                let clean = clean_markup(text);
                let bare = clean.trim_start_matches(['*', '#', ' ']);
                if let Some((level, marker, rest)) = structure::split_marker(bare) {
                    while stack.last().is_some_and(|(l, _)| *l >= level) {
                        stack.pop();
                    }
                    let title = structure::title_of(rest);
                    if level == 0 {
                        section = structure::section_kind(&title);
                    }
                    let label = format!("{marker}{title}");
                    let mut path: Vec<String> = stack.iter().map(|(_, l)| l.clone()).collect();
                    path.push(label.clone());
                    items.push(Item {
                        table: None,
                        level,
                        path,
                        title,
                        text: rest.to_string(),
                        line: *line,
                        section,
                        is_heading: true,
                    });
                    stack.push((level, label));
                } else {
                    match items.last_mut() {
                        Some(item) => {
                            item.text.push('\n');
                            item.text.push_str(text);
                        }
                        None => items.push(Item {
                            table: None,
                            level: usize::MAX,
                            path: Vec::new(),
                            title: structure::title_of(text),
                            text: text.clone(),
                            line: *line,
                            section,
                            is_heading: false,
                        }),
                    }
                }
            }
            Node::Table { rows, line } => {
                let path: Vec<String> = stack.iter().map(|(_, l)| l.clone()).collect();
                items.push(Item {
                    table: Some(rows.clone()),
                    level: usize::MAX,
                    path,
                    title: String::new(),
                    text: String::new(),
                    line: *line,
                    section,
                    is_heading: false,
                });
            }
        }
    }

    // Items without an assignment of their own belong to the nearest
    // ancestor that has one: their text is part of that task.
    let mut open: Vec<(usize, usize)> = Vec::new();
    for (k, item) in items.iter().enumerate() {
        if let Some(rows) = &item.table {
            if !table_tasks(no, rows, item.line, &item.path, year, &mut out) {
                // Not a task table: its text belongs to the item it sits in.
                let flat: Vec<String> = rows.iter().map(|r| r.join(" ")).collect();
                if let Some(&(_, t)) = open.last() {
                    out.tasks[t].text.push('\n');
                    out.tasks[t].text.push_str(&flat.join("\n"));
                }
            }
            continue;
        }
        while open.last().is_some_and(|(l, _)| *l >= item.level) {
            open.pop();
        }
        if item.section == SectionKind::Mechanism {
            for para in item.text.split('\n') {
                if let Some(tf) = taskforce::extract(&clean_markup(para), no) {
                    out.task_forces.push(tf);
                }
            }
        }
        let found = assign::find_assignments(&item.text);
        if found.is_empty() {
            if let Some(&(_, t)) = open.last() {
                let task = &mut out.tasks[t];
                task.text.push('\n');
                task.text.push_str(&item_full_text(item));
                continue;
            }
            if item.section == SectionKind::Goals {
                for para in item.text.split('\n') {
                    out.targets.extend(targets(no, None, para));
                }
            }
            let has_children = items
                .get(k + 1)
                .is_some_and(|next| next.level > item.level && next.level != usize::MAX);
            if item.section == SectionKind::Tasks
                && item.is_heading
                && !has_children
                && item.text.chars().count() > 30
            {
                warnings.push(Warning {
                    line: Some(item.line),
                    message: format!(
                        "条目“{}”没有找到责任单位。/ No unit assignment found for this item.",
                        item.title
                    ),
                });
            }
            continue;
        }
        let first_task = out.tasks.len();
        for (seg, a) in segments(&item.text, &found) {
            let seq = out.tasks.len() + 1;
            let id = format!("{no}-{seq}");
            let title = if out.tasks.len() == first_task && item.is_heading {
                item.title.clone()
            } else {
                structure::title_of(&seg)
            };
            let task_targets = targets(no, Some(&id), &seg);
            out.targets.extend(task_targets.iter().cloned());
            out.tasks.push(Task {
                id,
                plan: no,
                path: item.path.clone(),
                title,
                text: seg.clone(),
                lead_units: a.leads.clone(),
                co_units: a.cos.clone(),
                lead_inferred: a.lead_inferred,
                deadlines: deadlines(&seg, a.deadline_text.as_deref(), year),
                targets: task_targets,
                line: item.line,
            });
        }
        open.push((item.level, out.tasks.len() - 1));
    }
    out
}

fn item_full_text(item: &Item) -> String {
    match item.path.last() {
        Some(label) if item.is_heading => {
            let marker_len = label.len() - item.title.len();
            format!("{}{}", &label[..marker_len], item.text)
        }
        _ => item.text.clone(),
    }
}

/// Splits an item's text at its assignments: each assignment closes the
/// text since the previous one. Text after the last assignment (a layout
/// that puts the assignment on the heading line) stays with the last task.
fn segments(text: &str, found: &[Assignment]) -> Vec<(String, Assignment)> {
    let mut out: Vec<(String, Assignment)> = Vec::new();
    let mut from = 0;
    for a in found {
        let before = text[from..a.start].trim();
        let seg = text[from..a.end].trim().to_string();
        from = a.end;
        // An assignment with no text of its own completes the previous one.
        if before.is_empty() {
            if let Some((last_text, last)) = out.last_mut() {
                last_text.push_str(&seg);
                last.cos.extend(
                    a.leads
                        .iter()
                        .chain(&a.cos)
                        .filter(|u| !last.leads.contains(u))
                        .cloned(),
                );
                continue;
            }
        }
        out.push((seg, a.clone()));
    }
    let rest = text[from..].trim();
    if !rest.is_empty() {
        if let Some(last) = out.last_mut() {
            last.0.push('\n');
            last.0.push_str(rest);
        }
    }
    out
}

fn targets(no: u32, task: Option<&str>, text: &str) -> Vec<Target> {
    target::extract(text)
        .into_iter()
        .map(|f| Target {
            plan: no,
            task: task.map(str::to_string),
            text: f.text,
            metric: f.metric,
            kind: f.kind,
            comparator: f.comparator,
            value: f.value,
            value_max: f.value_max,
            unit: f.unit,
        })
        .collect()
}

fn deadlines(text: &str, in_assignment: Option<&str>, year: Option<i32>) -> Vec<Deadline> {
    let clean = clean_markup(text);
    let mut out = deadline::extract(&clean, year, false);
    if let Some(d) = in_assignment {
        for extra in deadline::extract(d, year, true) {
            if !out.iter().any(|x| x.text == extra.text) {
                out.push(extra);
            }
        }
    }
    out
}

/// Column roles of a task-division table (任务分工表).
#[derive(Default)]
struct Columns {
    seq: Option<usize>,
    task: Option<usize>,
    lead: Option<usize>,
    co: Option<usize>,
    deadline: Option<usize>,
    /// Further text columns (具体措施, 工作目标 ...), appended to the task text.
    extra: Vec<usize>,
}

const TASK_HEADERS: &[&str] = &[
    "任务",
    "工作内容",
    "具体内容",
    "工作措施",
    "主要内容",
    "事项",
    "举措",
];
const LEAD_HEADERS: &[&str] = &["牵头单位", "牵头部门", "主责单位", "牵头"];
const PERSON_HEADERS: &[&str] = &["领导", "负责人", "联系人", "责任人"];
const CO_HEADERS: &[&str] = &[
    "责任单位",
    "责任部门",
    "配合单位",
    "配合部门",
    "协办单位",
    "参与单位",
    "协同单位",
];
const DEADLINE_HEADERS: &[&str] = &["时限", "完成时间", "时间节点", "进度安排", "时间安排"];
const EXTRA_HEADERS: &[&str] = &[
    "目标", "成效", "指标", "措施", "内容", "举措", "要求", "标准",
];

fn columns(header: &[String]) -> Option<Columns> {
    // Keys in priority order: `牵头单位` wins over a bare `牵头`; columns
    // naming people (牵头领导, 责任人) are never unit columns.
    let find = |keys: &[&str], exclude: &[Option<usize>]| {
        keys.iter().find_map(|k| {
            header.iter().enumerate().position(|(i, h)| {
                let h: String = h.chars().filter(|c| !c.is_whitespace()).collect();
                !exclude.contains(&Some(i))
                    && h.contains(k)
                    && !PERSON_HEADERS.iter().any(|p| h.contains(p))
            })
        })
    };
    let mut c = Columns {
        lead: find(LEAD_HEADERS, &[]),
        ..Default::default()
    };
    c.co = find(CO_HEADERS, &[c.lead]);
    c.deadline = find(DEADLINE_HEADERS, &[c.lead, c.co]);
    c.task = find(TASK_HEADERS, &[c.lead, c.co, c.deadline]);
    let used = [c.lead, c.co, c.deadline, c.task];
    c.extra = (0..header.len())
        .filter(|i| {
            !used.contains(&Some(*i)) && EXTRA_HEADERS.iter().any(|k| header[*i].contains(k))
        })
        .collect();
    c.seq = header
        .iter()
        .position(|h| h.contains("序号") || h.trim() == "编号");
    (c.task.is_some() && (c.lead.is_some() || c.co.is_some())).then_some(c)
}

/// Reads a task-division table. Returns false if the table is not one.
fn table_tasks(
    no: u32,
    rows: &[Vec<String>],
    line: usize,
    path: &[String],
    year: Option<i32>,
    out: &mut PlanOutput,
) -> bool {
    let Some(header_at) = rows.iter().take(3).position(|r| columns(r).is_some()) else {
        return false;
    };
    let cols = columns(&rows[header_at]).expect("checked above");
    let cell = |row: &Vec<String>, i: Option<usize>| {
        i.and_then(|i| row.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut group: Option<String> = None;
    for row in &rows[header_at + 1..] {
        let distinct: std::collections::HashSet<&String> =
            row.iter().filter(|c| !c.is_empty()).collect();
        if distinct.len() == 1 && row.len() > 1 {
            // A row spanning the table is a group heading (一、…).
            group = distinct.into_iter().next().cloned();
            continue;
        }
        let task_text = cell(row, cols.task);
        if task_text.is_empty() {
            continue;
        }
        let lead_cell = cell(row, cols.lead);
        let co_cell = cell(row, cols.co);
        let mut leads = assign::unit_names(&lead_cell);
        let mut cos = assign::unit_names(&co_cell);
        let mut inferred = false;
        if leads.is_empty() {
            // Only a 责任单位 column: 牵头 marks or the first unit lead.
            if let Some(a) = assign::parse_content(&format!("责任单位：{co_cell}")) {
                leads = a.leads;
                cos = a.cos;
                inferred = a.lead_inferred;
            }
        }
        cos.retain(|c| !leads.contains(c));
        if leads.is_empty() {
            continue;
        }
        let seq = out.tasks.len() + 1;
        let id = format!("{no}-{seq}");
        let mut task_path = path.to_vec();
        if let Some(g) = &group {
            task_path.push(g.clone());
        }
        let seq_cell = cell(row, cols.seq);
        let title = structure::title_of(&task_text);
        task_path.push(if seq_cell.is_empty() {
            title.clone()
        } else {
            format!("{seq_cell}.{title}")
        });
        let mut full = task_text.clone();
        for &i in &cols.extra {
            let extra = cell(row, Some(i));
            if !extra.is_empty() {
                full.push('\n');
                full.push_str(&extra);
            }
        }
        let mut deadlines_found = deadline::extract(&cell(row, cols.deadline), year, true);
        if deadlines_found.is_empty() {
            deadlines_found = deadlines(&full, None, year);
        }
        let task_targets = targets(no, Some(&id), &full);
        out.targets.extend(task_targets.iter().cloned());
        out.tasks.push(Task {
            id,
            plan: no,
            path: task_path,
            title,
            text: full,
            lead_units: leads,
            co_units: cos,
            lead_inferred: inferred,
            deadlines: deadlines_found,
            targets: task_targets,
            line,
        });
    }
    true
}
