//! Extraction: walks each plan's heading tree and turns items into tasks,
//! goals into targets, mechanism paragraphs into task forces.

use crate::assign::{self, Assignment};
use crate::model::{Deadline, Target, Task, TaskForce, Warning};
use crate::normalize::clean_markup;
use crate::structure::{self, SectionKind};
use crate::{deadline, table, target, taskforce};

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
    // Leads a heading declares for everything under it (`省编办牵头的工作`).
    let mut declared: Vec<(usize, Vec<String>)> = Vec::new();
    for (k, item) in items.iter().enumerate() {
        if item.is_heading {
            while declared.last().is_some_and(|(l, _)| *l >= item.level) {
                declared.pop();
            }
            if let Some(units) = declared_lead(&item.title) {
                declared.push((item.level, units));
            }
        }
        let heading_lead = declared.last().map(|(_, u)| u.clone());
        if let Some(rows) = &item.table {
            if !table_tasks(no, rows, item.line, &item.path, year, &mut out, warnings) {
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
        let mut found = assign::find_assignments(&item.text);
        if found.is_empty() && item.is_heading && item.section != SectionKind::Goals {
            // `市发改局负责……`: an item that opens with its unit's duty.
            found.extend(assign::duty_sentence(&item.text));
        }
        if let Some(lead) = &heading_lead {
            for a in &mut found {
                // `协同单位：A、B` under `X牵头的工作`: X leads, A and B co-own.
                if a.lead_inferred {
                    let mut cos = std::mem::take(&mut a.leads);
                    cos.append(&mut a.cos);
                    cos.retain(|c| !lead.contains(c));
                    a.leads = lead.clone();
                    a.cos = cos;
                    a.lead_inferred = false;
                }
            }
            // An item with text of its own under such a heading is a task
            // of the declared lead, even without an assignment line.
            let own_text = item.text.trim() != item.title.trim() && !item.text.trim().is_empty();
            if found.is_empty() && own_text && item.is_heading {
                found.push(assign::Assignment {
                    start: 0,
                    end: item.text.len(),
                    leads: lead.clone(),
                    ..Default::default()
                });
            }
        }
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

/// Endings of a heading that names the lead of everything under it.
const DECLARING_ENDINGS: &[&str] = &[
    "牵头负责的工作",
    "牵头的工作",
    "负责的工作",
    "牵头的任务",
    "牵头的事项",
    "牵头工作",
];

/// `省编办牵头的工作` → `["省编办"]`; a leader's heading
/// (`孟学农省长负责的工作`) declares no unit.
fn declared_lead(title: &str) -> Option<Vec<String>> {
    let prefix = DECLARING_ENDINGS
        .iter()
        .find_map(|e| title.trim().strip_suffix(e))?;
    (assign::is_unit_list(prefix)).then(|| assign::unit_names(prefix))
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

/// Reads a task-division table. Returns false if the table is not one.
fn table_tasks(
    no: u32,
    rows: &[Vec<String>],
    line: usize,
    path: &[String],
    year: Option<i32>,
    out: &mut PlanOutput,
    warnings: &mut Vec<Warning>,
) -> bool {
    let Some((layout, from)) = table::find_header(rows) else {
        return false;
    };
    let before = out.tasks.len();
    for row in table::read_rows(&rows[from..], &layout, line, warnings) {
        let seq = out.tasks.len() + 1;
        let id = format!("{no}-{seq}");
        let mut task_path = path.to_vec();
        task_path.extend(row.groups.iter().cloned());
        let title = structure::title_of(&row.task);
        task_path.push(if row.seq.is_empty() {
            title.clone()
        } else {
            format!("{}.{title}", row.seq.trim_end_matches(['.', '、']))
        });
        let full = row.text;
        let mut deadlines_found = deadline::extract(&row.deadline, year, true);
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
            lead_units: row.leads,
            co_units: row.cos,
            lead_inferred: row.lead_inferred,
            deadlines: deadlines_found,
            targets: task_targets,
            line,
        });
    }
    if out.tasks.len() > before && layout.lead.is_empty() && !layout.single.is_empty() {
        warnings.push(Warning {
            line: Some(line),
            message: "表格只有责任单位列，已按惯例取每行第一个单位为牵头单位（lead_inferred），请在导入预览中核对。/ The table has only a responsible-unit column; the first unit of each row was taken as lead.".into(),
        });
    }
    true
}
