//! 任务: one task in a cycle — the lead's and co-units' reports side by
//! side, who is missing, its light with the reason and thresholds, and the
//! history of its light over closed cycles.

use super::desk::light_class;
use super::{html, role_in_task, state_label, status_label, Chrome, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::evaluation::reason_zh;
use duban_core::names::Role;
use duban_core::policy::Action;
use duban_store::{Cycle, TaskRow};

pub struct Side {
    pub unit: String,
    pub role: &'static str,
    pub state: &'static str,
    pub status: &'static str,
    pub completion: String,
    pub progress: String,
    pub problems: String,
    pub next_steps: String,
    pub late: bool,
    pub href: String,
}

pub struct HistoryRow {
    pub seq: i64,
    pub due_on: String,
    pub light: &'static str,
    pub class: &'static str,
    /// The Chinese half of the stored reason (`reason_zh`): pages are in
    /// Simplified Chinese, while the JSON API keeps the bilingual text.
    pub reason: String,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    chrome: Chrome,
    region_id: String,
    cycle: Cycle,
    task: TaskRow,
    lead: String,
    co: String,
    light: &'static str,
    light_class: &'static str,
    /// The Chinese half of the stored reason (`reason_zh`): pages are in
    /// Simplified Chinese, while the JSON API keeps the bilingual text.
    reason: String,
    completion: String,
    time_progress: String,
    thresholds: String,
    sides: Vec<Side>,
    missing: Vec<String>,
    history: Vec<HistoryRow>,
}

fn light_of(s: &str) -> (&'static str, &'static str) {
    match s {
        "red" => ("红", "red"),
        "yellow" => ("黄", "yellow"),
        _ => ("绿", "green"),
    }
}

/// `GET /r/{region}/cycles/{cycle}/tasks/{task}`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region, cycle, task)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let region = guard_for(&state, Some(&viewer.who), &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let t = state.store.task(&region.id, &task).await?;
    let expected: Vec<duban_store::Expected> = state
        .store
        .expected_reports(&region.id, &c)
        .await?
        .into_iter()
        .filter(|e| e.task_id == t.id)
        .collect();
    if viewer.who.role == Role::Reporter
        && !expected
            .iter()
            .any(|e| viewer.who.unit_id.as_deref() == Some(e.unit_id.as_str()))
    {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "填报单位只能查看本单位承担的任务。/ A reporter sees only tasks its unit is assigned.",
        ));
    }
    let today = state.today();
    let as_of = duban_store::default_as_of(&c, today);
    let eval = super::evaluation(&state, &region.id, &c, as_of).await?;
    let te = eval.tasks.iter().find(|x| x.task_id == t.id);
    let reports = state.store.current_reports(&region.id, &c).await?;
    let viewer_unit = viewer.who.unit_id.as_deref();
    let mut sides: Vec<Side> = Vec::new();
    let mut missing = Vec::new();
    for e in &expected {
        match reports
            .iter()
            .find(|r| r.task_id == t.id && r.unit_id == e.unit_id)
        {
            Some(r) => {
                let hidden = r.state == "draft" && viewer_unit != Some(r.unit_id.as_str());
                sides.push(Side {
                    unit: r.unit.clone(),
                    role: role_in_task(&e.role),
                    state: state_label(&r.state),
                    status: if hidden {
                        "—"
                    } else {
                        status_label(&r.status)
                    },
                    completion: if hidden {
                        "—".into()
                    } else {
                        format!("{:.0}%", r.completion)
                    },
                    progress: if hidden {
                        "（草稿，尚未报送）".into()
                    } else {
                        r.progress.clone()
                    },
                    problems: if hidden {
                        String::new()
                    } else {
                        r.problems.clone()
                    },
                    next_steps: if hidden {
                        String::new()
                    } else {
                        r.next_steps.clone()
                    },
                    late: r.late,
                    href: format!(
                        "/r/{}/cycles/{}/reports/{}/{}",
                        region.id, c.id, t.id, r.unit_id
                    ),
                })
            }
            None => missing.push(format!("{}（{}）", e.unit, role_in_task(&e.role))),
        }
    }
    sides.sort_by_key(|s| if s.role == "牵头" { 0 } else { 1 });
    let history = state
        .store
        .task_light_history(&region.id, &t.id)
        .await?
        .into_iter()
        .map(|h| {
            let (light, class) = light_of(&h.light);
            HistoryRow {
                seq: h.seq,
                due_on: h.due_on,
                light,
                class,
                reason: reason_zh(&h.reason).to_string(),
            }
        })
        .collect();
    let names = |v: &[duban_store::UnitRef]| {
        v.iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let th = eval.thresholds;
    Ok(html(&TaskPage {
        chrome: Chrome::new(&state, &viewer, &region, t.title.clone()),
        region_id: region.id.clone(),
        lead: names(&t.lead_units),
        co: names(&t.co_units),
        light: te.map(|x| x.light.zh()).unwrap_or("—"),
        light_class: te.map(|x| light_class(x.light)).unwrap_or(""),
        reason: te.map(|x| reason_zh(&x.reason).to_string()).unwrap_or_default(),
        completion: te
            .map(|x| format!("{:.0}%", x.completion))
            .unwrap_or_else(|| "—".into()),
        time_progress: te
            .map(|x| format!("{:.0}%", x.time_progress))
            .unwrap_or_else(|| "—".into()),
        thresholds: format!(
            "落后序时进度超过 {} 个百分点为红灯，落后但不超过为黄灯；距完成时限 {} 天内且完成不足 {}% 为黄灯。",
            th.red_gap, th.due_soon_days, th.due_soon_min_completion
        ),
        sides,
        missing,
        history,
        cycle: c,
        task: t,
    }))
}
