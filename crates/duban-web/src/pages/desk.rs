//! 调度台 (office, admin, leader): one campaign's cycle at a glance — who
//! has and has not reported (with 催办), the review queue (accept, or
//! return with a reason), lights by count with every red and yellow task
//! and its reason, and the unit ranking.

use super::{html, status_label, Chrome, Form, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::dates::Date;
use duban_core::names::Role;
use duban_core::policy::{authorize, Action};
use duban_store::{Cycle, PlanRow, StoreError};

pub struct Pending {
    pub task_id: String,
    pub task: String,
    pub unit: String,
    pub version: i64,
    pub status: &'static str,
    pub completion: String,
    pub progress: String,
    pub problems: String,
    pub submitted_at: String,
    pub late: bool,
    pub review_href: String,
    pub form_href: String,
}

pub struct LightRow {
    pub task_id: String,
    pub title: String,
    pub lead: String,
    pub light: &'static str,
    pub class: &'static str,
    pub reason: String,
    pub completion: String,
    pub time_progress: String,
}

pub struct RankRow {
    pub rank: usize,
    pub unit: String,
    pub score: String,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    chrome: Chrome,
    region_id: String,
    plans: Vec<PlanRow>,
    plan: i64,
    plan_title: String,
    cycles: Vec<Cycle>,
    cycle: Option<Cycle>,
    can_manage: bool,
    can_review: bool,
    expected: usize,
    reported: usize,
    on_time: usize,
    reporting_rate: String,
    on_time_rate: String,
    missing: Vec<(String, usize)>,
    pending: Vec<Pending>,
    green: usize,
    yellow: usize,
    red: usize,
    alerts: Vec<LightRow>,
    ranking: Vec<RankRow>,
    notice: String,
    error: String,
    /// YYYY-MM of the region's bulletin linked to: the chosen cycle's
    /// month, else the latest month that is over (offices issue the 通报
    /// for the previous month, not the one in progress).
    month: String,
}

#[derive(serde::Deserialize, Default)]
pub struct DeskQuery {
    plan: Option<i64>,
    cycle: Option<String>,
    urged: Option<usize>,
    reviewed: Option<String>,
}

/// The cycle to show: the one asked for; else the open cycle whose window
/// contains today; else the last that has begun.
pub fn current_cycle(cycles: &[Cycle], today: Date, asked: Option<&str>) -> Option<Cycle> {
    if let Some(id) = asked {
        return cycles.iter().find(|c| c.id == id).cloned();
    }
    let today = today.to_string();
    cycles
        .iter()
        .filter(|c| c.opens_on <= today)
        .find(|c| c.status == "open" && c.due_on >= today)
        .or_else(|| {
            cycles
                .iter()
                .filter(|c| c.opens_on <= today)
                .max_by(|a, b| a.due_on.cmp(&b.due_on))
        })
        .cloned()
}

/// `GET /r/{region}/desk?plan=&cycle=`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region): Path<String>,
    Query(q): Query<DeskQuery>,
) -> Result<Response, PageError> {
    render(&state, &viewer, &region, q, String::new()).await
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    q: DeskQuery,
    error: String,
) -> Result<Response, PageError> {
    let region = guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    if viewer.who.role == Role::Reporter {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "调度台供专班办公室、综合协调组和领导使用；填报单位请使用工作台。/ The desk is for offices, the coordination group and leaders.",
        ));
    }
    let (plans, plan) = super::campaign_choice(state, viewer, &region.id, q.plan).await?;
    let plan_title = plans
        .iter()
        .find(|p| p.no == plan)
        .map(|p| p.title.clone())
        .unwrap_or_default();
    let today = state.today();
    let cycles = state.store.cycles(&region.id, Some(plan)).await?;
    let cycle = current_cycle(&cycles, today, q.cycle.as_deref());
    let campaign = u32::try_from(plan).ok();
    let can_manage = authorize(Some(&viewer.who), true, &Action::ManageCycles { campaign }).is_ok();
    let can_review = authorize(Some(&viewer.who), true, &Action::ReviewReport { campaign }).is_ok();
    let mut page = DeskPage {
        chrome: Chrome::new(state, viewer, &region, "调度台"),
        region_id: region.id.clone(),
        plans,
        plan,
        plan_title,
        cycles: cycles.clone(),
        cycle: cycle.clone(),
        can_manage,
        can_review,
        expected: 0,
        reported: 0,
        on_time: 0,
        reporting_rate: "—".into(),
        on_time_rate: "—".into(),
        missing: vec![],
        pending: vec![],
        green: 0,
        yellow: 0,
        red: 0,
        alerts: vec![],
        ranking: vec![],
        notice: match (q.urged, q.reviewed.as_deref()) {
            (Some(n), _) => format!(
                "已向 {n} 个单位发出催办（单位工作台可见；配置了群机器人或邮件时同时发送）。"
            ),
            (_, Some("accepted")) => "已审核通过。".into(),
            (_, Some(_)) => "已退回，填报单位会在工作台最上方看到退回理由。".into(),
            _ => String::new(),
        },
        error,
        month: match (&q.cycle, &cycle) {
            (Some(_), Some(c)) => c.due_on.get(..7).map(str::to_string),
            _ => super::dashboard::bulletin_month(
                &state.store.cycles(&region.id, None).await?,
                today,
            ),
        }
        .or_else(|| {
            cycle
                .as_ref()
                .and_then(|c| c.due_on.get(..7))
                .map(str::to_string)
        })
        .unwrap_or_default(),
    };
    if let Some(c) = &cycle {
        let as_of = duban_store::default_as_of(c, today);
        let eval = super::evaluation(state, &region.id, c, as_of).await?;
        let reports = state.store.current_reports(&region.id, c).await?;
        let expected = state.store.expected_reports(&region.id, c).await?;
        let mut missing: std::collections::BTreeMap<String, usize> = Default::default();
        for e in &expected {
            let done = reports
                .iter()
                .any(|r| r.task_id == e.task_id && r.unit_id == e.unit_id && r.state != "draft");
            if !done {
                *missing.entry(e.unit.clone()).or_default() += 1;
            }
        }
        let titles: std::collections::HashMap<&str, &str> = expected
            .iter()
            .map(|e| (e.task_id.as_str(), e.task.as_str()))
            .collect();
        let mut pending: Vec<Pending> = reports
            .iter()
            .filter(|r| r.state == "submitted")
            .map(|r| {
                let base = format!(
                    "/r/{}/cycles/{}/reports/{}/{}",
                    region.id, c.id, r.task_id, r.unit_id
                );
                Pending {
                    task_id: r.task_id.clone(),
                    task: titles
                        .get(r.task_id.as_str())
                        .copied()
                        .unwrap_or("")
                        .to_string(),
                    unit: r.unit.clone(),
                    version: r.version,
                    status: status_label(&r.status),
                    completion: format!("{:.0}%", r.completion),
                    progress: r.progress.clone(),
                    problems: r.problems.clone(),
                    submitted_at: r
                        .submitted_at
                        .clone()
                        .unwrap_or_default()
                        .replace('T', " ")
                        .chars()
                        .take(16)
                        .collect(),
                    late: r.late,
                    review_href: format!("{base}/review"),
                    form_href: base,
                }
            })
            .collect();
        pending.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at));
        let mut missing: Vec<(String, usize)> = missing.into_iter().collect();
        missing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut alerts: Vec<LightRow> = eval
            .tasks
            .iter()
            .filter(|t| t.light != duban_core::evaluation::Light::Green)
            .map(|t| LightRow {
                task_id: t.task_id.clone(),
                title: t.title.clone(),
                lead: t.lead.clone(),
                light: t.light.zh(),
                class: light_class(t.light),
                reason: t.reason.clone(),
                completion: format!("{:.0}%", t.completion),
                time_progress: format!("{:.0}%", t.time_progress),
            })
            .collect();
        alerts.sort_by_key(|a| if a.class == "red" { 0 } else { 1 });
        page.expected = eval.metrics.expected;
        page.reported = eval.metrics.actual;
        page.on_time = eval.metrics.on_time;
        page.reporting_rate = format!("{:.0}%", eval.metrics.reporting_rate * 100.0);
        page.on_time_rate = format!("{:.0}%", eval.metrics.on_time_rate * 100.0);
        page.missing = missing;
        page.pending = pending;
        page.green = eval.green;
        page.yellow = eval.yellow;
        page.red = eval.red;
        page.alerts = alerts;
        page.ranking = eval
            .ranking
            .iter()
            .map(|r| RankRow {
                rank: r.rank,
                unit: r.unit.clone(),
                score: format!("{:.0}", r.score),
            })
            .collect();
    }
    Ok(html(&page))
}

pub fn light_class(l: duban_core::evaluation::Light) -> &'static str {
    match l {
        duban_core::evaluation::Light::Red => "red",
        duban_core::evaluation::Light::Yellow => "yellow",
        duban_core::evaluation::Light::Green => "green",
    }
}

/// `POST /r/{region}/cycles/{cycle}/remind`: 催办 every unit still missing.
pub async fn remind(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle)): Path<(String, String)>,
    Form(f): Form<super::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let (region, c) = super::cycle_guard(&state, &viewer, &region_key, &cycle, |campaign| {
        Action::ManageCycles { campaign }
    })
    .await?;
    let channels = crate::notify::Channels::from_env();
    let urged = state
        .store
        .urge_missing(
            &region.id,
            &c,
            state.today(),
            &channels.names(),
            &viewer.who.user,
        )
        .await?;
    Ok(super::see_other(&format!(
        "/r/{}/desk?plan={}&cycle={}&urged={}",
        region.id,
        c.plan,
        c.id,
        urged.len()
    )))
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    /// `accept` or `return`.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

/// `POST …/reports/{task}/{unit}/review`: accept, or return with a reason.
pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle, task, unit)): Path<(String, String, String, String)>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let (region, c) = super::cycle_guard(&state, &viewer, &region_key, &cycle, |campaign| {
        Action::ReviewReport { campaign }
    })
    .await?;
    let accept = match f.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => {
            return Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "请选择“通过”或“退回”。/ Choose accept or return.",
            ))
        }
    };
    let q = DeskQuery {
        plan: Some(c.plan),
        cycle: Some(c.id.clone()),
        ..Default::default()
    };
    if !accept && f.comment.trim().is_empty() {
        let mut resp = render(
            &state,
            &viewer,
            &region.id,
            q,
            "退回时必须写明理由，填报单位会看到它。/ A return needs a reason.".into(),
        )
        .await?;
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    }
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    match state
        .store
        .review_report(
            &region.id,
            &c.id,
            &task,
            &unit,
            accept,
            f.comment.trim(),
            version,
            &viewer.who.user,
        )
        .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/r/{}/desk?plan={}&cycle={}&reviewed={}",
            region.id,
            c.plan,
            c.id,
            if accept { "accepted" } else { "returned" }
        ))),
        Err(StoreError::Conflict(m)) | Err(StoreError::Invalid(m)) => {
            let mut resp = render(&state, &viewer, &region.id, q, m).await?;
            *resp.status_mut() = StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}
