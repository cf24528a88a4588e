//! 需协调事项: open requests by age with the unit or leader they are
//! addressed to; the office of the request's campaign answers them.

use super::{html, Chrome, Form, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::dates::Date;
use duban_core::policy::{authorize, Action};
use duban_store::StoreError;

pub struct Row {
    pub id: String,
    pub task: String,
    pub plan: String,
    pub from_unit: String,
    pub to: String,
    pub text: String,
    pub age_days: i64,
    pub answer: String,
    pub can_answer: bool,
}

#[derive(Template)]
#[template(path = "coordination.html")]
struct CoordinationPage {
    chrome: Chrome,
    region_id: String,
    open: Vec<Row>,
    resolved: Vec<Row>,
    notice: String,
    error: String,
}

#[derive(serde::Deserialize, Default)]
pub struct CoordQuery {
    done: Option<u8>,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let region = guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    let tasks = state
        .store
        .tasks(&region.id, &duban_store::TaskFilter::default())
        .await?;
    let today = state.today();
    let mut open = Vec::new();
    let mut resolved = Vec::new();
    for r in state.store.coordination_requests(&region.id, None).await? {
        let task = tasks.iter().find(|t| t.id == r.task_id);
        let campaign = task.and_then(|t| u32::try_from(t.plan).ok());
        let created = Date::parse(&r.created_at.chars().take(10).collect::<String>());
        let row = Row {
            task: task.map(|t| t.title.clone()).unwrap_or_default(),
            plan: task.map(|t| t.plan.to_string()).unwrap_or_default(),
            from_unit: r.from_unit,
            to: r.addressed_to,
            text: r.text,
            age_days: created.map(|c| today.days_since(c)).unwrap_or(0).max(0),
            answer: r.answer.unwrap_or_default(),
            can_answer: authorize(Some(&viewer.who), true, &Action::ReviewReport { campaign })
                .is_ok(),
            id: r.id,
        };
        if r.status == "open" {
            open.push(row);
        } else {
            resolved.push(row);
        }
    }
    open.sort_by_key(|r| std::cmp::Reverse(r.age_days));
    resolved.reverse();
    resolved.truncate(50);
    let mut resp = html(&CoordinationPage {
        chrome: Chrome::new(state, viewer, &region, "需协调事项"),
        region_id: region.id.clone(),
        open,
        resolved,
        notice,
        error: error.clone(),
    });
    if !error.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// `GET /r/{region}/coordination`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region): Path<String>,
    Query(q): Query<CoordQuery>,
) -> Result<Response, PageError> {
    let notice = if q.done.is_some() {
        "已答复并办结。"
    } else {
        ""
    };
    render(&state, &viewer, &region, notice.into(), String::new()).await
}

#[derive(serde::Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

/// `POST /r/{region}/coordination/{id}/resolve`: answered by the office of
/// the request's own campaign (not the caller's), or an admin.
pub async fn resolve(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
    Form(f): Form<ResolveForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard_for(&state, Some(&viewer.who), &region_key, Action::Read).await?;
    let request = state
        .store
        .coordination_requests(&region.id, None)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| {
            PageError::new(
                StatusCode::NOT_FOUND,
                "没有这个协调事项。/ No such request.",
            )
        })?;
    let campaign = state
        .store
        .task_campaign(&region.id, &request.task_id)
        .await?;
    guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::ReviewReport { campaign },
    )
    .await?;
    match state
        .store
        .resolve_request(&region.id, &id, f.answer.trim(), &viewer.who.user)
        .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/r/{}/coordination?done=1",
            region.id
        ))),
        Err(StoreError::Invalid(m)) | Err(StoreError::NotFound(m)) => {
            render(&state, &viewer, &region.id, String::new(), m).await
        }
        Err(e) => Err(e.into()),
    }
}
