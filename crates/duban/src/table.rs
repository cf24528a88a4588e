//! `--format table`: the ledger (台账) as a person at a terminal reads it.

use duban_plan::{Plan, PlanKind};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const COLUMNS: [(&str, usize); 5] = [
    ("序号", 6),
    ("任务", 30),
    ("牵头单位", 24),
    ("责任单位", 40),
    ("时限", 14),
];

fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width.saturating_sub(1) && UnicodeWidthStr::width(s) > width {
            out.push('…');
            used += 1;
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

fn row(cells: [&str; 5]) -> String {
    let parts: Vec<String> = cells
        .iter()
        .zip(COLUMNS)
        .map(|(c, (_, w))| fit(c, w))
        .collect();
    format!("{}\n", parts.join(" ").trim_end())
}

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    if let Some(title) = &plan.document.title {
        out.push_str(&format!("{title}\n"));
    }
    if let Some(no) = &plan.document.doc_number {
        out.push_str(&format!("{no}\n"));
    }
    for entry in &plan.plans {
        let tasks: Vec<_> = plan.tasks.iter().filter(|t| t.plan == entry.no).collect();
        let label = match entry.kind {
            PlanKind::Overall => "总体方案".to_string(),
            PlanKind::Implementation if entry.no == 0 => "实施方案".to_string(),
            PlanKind::Implementation => format!("附件{}", entry.no),
        };
        out.push_str(&format!(
            "\n【{label}】{}（{} 项任务）\n",
            entry.title,
            tasks.len()
        ));
        if tasks.is_empty() {
            continue;
        }
        out.push_str(&row(COLUMNS.map(|(h, _)| h)));
        for (i, t) in tasks.iter().enumerate() {
            let lead = t.lead_units.join("、") + if t.lead_inferred { "*" } else { "" };
            let deadline = t
                .deadlines
                .iter()
                .map(|d| d.date.clone().unwrap_or_else(|| d.text.clone()))
                .collect::<Vec<_>>()
                .join("、");
            out.push_str(&row([
                &(i + 1).to_string(),
                &t.title,
                &lead,
                &t.co_units.join("、"),
                &deadline,
            ]));
        }
    }
    out.push_str(&format!(
        "\n共 {} 项任务、{} 个目标值、{} 个工作专班、{} 个单位。* 表示未写明牵头、取第一个单位。\n",
        plan.tasks.len(),
        plan.targets.len(),
        plan.task_forces.len(),
        plan.units.len()
    ));
    out
}
