//! 清单: a campaign's project, task and policy lists under its tasks, with
//! the four rates (四比四提高) computed from them; units and offices add
//! items under the tasks they may write.

use super::{html, Chrome, Form, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::evaluation::{four_rates, ProjectFigures};
use duban_core::names::ListKind;
use duban_core::policy::Action;
use duban_store::{NewListItem, PlanRow, StoreError, TaskFilter};

pub struct Row {
    pub task: String,
    pub kind: &'static str,
    pub title: String,
    pub unit: String,
    pub lead_person: String,
    pub planned: String,
    pub secured: String,
    pub started: &'static str,
    pub paid: String,
    pub progress: String,
}

pub struct TaskChoice {
    pub id: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    chrome: Chrome,
    region_id: String,
    plans: Vec<PlanRow>,
    plan: i64,
    rows: Vec<Row>,
    projects: usize,
    rates: [(&'static str, String); 4],
    tasks: Vec<TaskChoice>,
    own_unit: String,
    notice: String,
    error: String,
}

#[derive(serde::Deserialize, Default)]
pub struct ListsQuery {
    plan: Option<i64>,
    added: Option<u8>,
}

fn money(v: Option<f64>) -> String {
    v.map(|v| format!("{v}")).unwrap_or_else(|| "—".into())
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "project" => "项目清单",
        "task" => "任务清单",
        "policy" => "政策清单",
        _ => "—",
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    plan: Option<i64>,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let region = guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    let (plans, plan) = super::campaign_choice(state, viewer, &region.id, plan).await?;
    let tasks = state
        .store
        .tasks(
            &region.id,
            &TaskFilter {
                plan: Some(plan),
                ..Default::default()
            },
        )
        .await?;
    let mut rows = Vec::new();
    let mut figures = Vec::new();
    for t in &tasks {
        for item in state.store.list_items(&region.id, &t.id).await? {
            if item.kind == "project" {
                figures.push(ProjectFigures {
                    planned_investment: item.planned_investment.unwrap_or(0.0),
                    funds_secured: item.funds_secured.unwrap_or(0.0),
                    started: item.started.unwrap_or(false),
                    funds_paid: item.funds_paid.unwrap_or(0.0),
                    physical_progress: item.physical_progress.unwrap_or(0.0),
                });
            }
            rows.push(Row {
                task: t.title.clone(),
                kind: kind_label(&item.kind),
                title: item.title,
                unit: item.unit,
                lead_person: item.lead_person,
                planned: money(item.planned_investment),
                secured: money(item.funds_secured),
                started: match item.started {
                    Some(true) => "是",
                    Some(false) => "否",
                    None => "—",
                },
                paid: money(item.funds_paid),
                progress: item
                    .physical_progress
                    .map(|p| format!("{p:.0}%"))
                    .unwrap_or_else(|| "—".into()),
            });
        }
    }
    let r = four_rates(&figures);
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    let own_unit = match &viewer.who.unit_id {
        Some(u) => state.store.unit(&region.id, u).await?.name,
        None => String::new(),
    };
    let mut resp = html(&ListsPage {
        chrome: Chrome::new(state, viewer, &region, "清单"),
        region_id: region.id.clone(),
        plans,
        plan,
        rows,
        projects: r.projects,
        rates: [
            ("争资项目占比", pct(r.funding_secured_share)),
            ("项目开工率", pct(r.start_rate)),
            ("资金支付率", pct(r.disbursement_rate)),
            ("实物完成率", pct(r.physical_completion_rate)),
        ],
        tasks: tasks
            .iter()
            .map(|t| TaskChoice {
                id: t.id.clone(),
                title: t.title.clone(),
            })
            .collect(),
        own_unit,
        notice,
        error: error.clone(),
    });
    if !error.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// `GET /r/{region}/lists?plan=`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region): Path<String>,
    Query(q): Query<ListsQuery>,
) -> Result<Response, PageError> {
    let notice = if q.added.is_some() {
        "清单事项已添加。"
    } else {
        ""
    };
    render(
        &state,
        &viewer,
        &region,
        q.plan,
        notice.into(),
        String::new(),
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    task: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    lead_person: String,
    #[serde(default)]
    planned_investment: String,
    #[serde(default)]
    funds_secured: String,
    #[serde(default)]
    started: String,
    #[serde(default)]
    funds_paid: String,
    #[serde(default)]
    physical_progress: String,
}

fn number(s: &str, what: &str) -> Result<Option<f64>, String> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(Some)
            .ok_or_else(|| format!("{what}应是不小于 0 的数字。/ {what}: a number ≥ 0.")),
    }
}

/// `POST /r/{region}/list-items` (`task`, `unit`, …): add an item under a task.
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<ItemForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard_for(&state, Some(&viewer.who), &region_key, Action::Read).await?;
    let t = state.store.task(&region.id, f.task.trim()).await?;
    let unit_key = match (&viewer.who.unit_id, f.unit.trim()) {
        (Some(own), "") => own.clone(),
        (_, u) => u.to_string(),
    };
    let unit = state.store.unit(&region.id, &unit_key).await?;
    guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::WriteListItem {
            unit_id: unit.id.clone(),
            campaign: u32::try_from(t.plan).ok(),
        },
    )
    .await?;
    let parsed = (|| -> Result<NewListItem, String> {
        Ok(NewListItem {
            unit: unit.id.clone(),
            kind: ListKind::parse(&f.kind).ok_or("请选择清单类型。/ Choose a list kind.")?,
            title: f.title.trim().to_string(),
            lead_person: f.lead_person.trim().to_string(),
            planned_investment: number(&f.planned_investment, "计划投资")?,
            funds_secured: number(&f.funds_secured, "争取资金")?,
            started: match f.started.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            funds_paid: number(&f.funds_paid, "已支付资金")?,
            physical_progress: number(&f.physical_progress, "实物进度")?,
        })
    })();
    let item = match parsed {
        Ok(i) => i,
        Err(m) => return render(&state, &viewer, &region.id, Some(t.plan), String::new(), m).await,
    };
    match state
        .store
        .add_list_item(&region.id, &t.id, &item, &viewer.who.user)
        .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/r/{}/lists?plan={}&added=1",
            region.id, t.plan
        ))),
        Err(StoreError::Invalid(m)) | Err(StoreError::NotFound(m)) => {
            render(&state, &viewer, &region.id, Some(t.plan), String::new(), m).await
        }
        Err(e) => Err(e.into()),
    }
}
