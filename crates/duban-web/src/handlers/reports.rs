//! Reports (填报): what a unit owes, saving and submitting, review.

use crate::auth::{guard, Caller};
use crate::extract::{Json as JsonBody, Query};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use duban_core::policy::Action;
use duban_store::{Report, ReportInput, ReportItem};
use serde::Serialize;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    unit: Option<String>,
}

#[derive(Serialize)]
pub struct Due {
    #[serde(flatten)]
    expected: duban_store::Expected,
    report: Option<Report>,
}

/// `GET …/cycles/{cycle}/due?unit=`: what a unit (default: the caller's)
/// must report in this cycle, with what it has reported so far.
pub async fn due(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, cycle)): Path<(String, String)>,
    Query(q): Query<DueQuery>,
) -> Result<Json<Vec<Due>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    // A reporter sees its own unit; others see every unit unless they ask for one.
    let unit = match q
        .unit
        .or_else(|| caller.0.as_ref().and_then(|p| p.unit_id.clone()))
    {
        Some(u) => Some(state.store.unit(&region.id, &u).await?),
        None => None,
    };
    let reports = state.store.current_reports(&region.id, &c).await?;
    let out = state
        .store
        .expected_reports(&region.id, &c)
        .await?
        .into_iter()
        .filter(|e| unit.as_ref().is_none_or(|u| e.unit_id == u.id))
        .map(|e| Due {
            report: reports
                .iter()
                .find(|r| r.task_id == e.task_id && r.unit_id == e.unit_id)
                .cloned(),
            expected: e,
        })
        .collect();
    Ok(Json(out))
}

/// `GET …/cycles/{cycle}/reports`: the current version of every report.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, cycle)): Path<(String, String)>,
) -> Result<Json<Vec<Report>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    Ok(Json(state.store.current_reports(&region.id, &c).await?))
}

/// `GET …/cycles/{cycle}/reports/{task}/{unit}`: every version.
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, cycle, task, unit)): Path<(String, String, String, String)>,
) -> Result<Json<Vec<Report>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    Ok(Json(
        state
            .store
            .report_history(&region.id, &c, &task, &unit)
            .await?,
    ))
}

/// `PUT …/cycles/{cycle}/reports/{task}/{unit}`: save (or submit) a report.
/// 409 when `version` is not the current version.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, cycle, task, unit)): Path<(String, String, String, String)>,
    JsonBody(body): JsonBody<ReportInput>,
) -> Result<Json<Report>, ApiError> {
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let u = state.store.unit(&region.id, &unit).await?;
    guard(
        &state,
        &caller,
        &region_key,
        Action::WriteReport {
            unit_id: u.id.clone(),
            campaign: Some(c.plan as u32),
        },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok(Json(
        state
            .store
            .save_report(
                &region.id,
                &cycle,
                &task,
                &u.id,
                &body,
                actor,
                state.today(),
            )
            .await?,
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    accept: bool,
    #[serde(default)]
    comment: String,
    version: i64,
}

/// `POST …/cycles/{cycle}/reports/{task}/{unit}/review` `{"accept", "comment", "version"}`
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, cycle, task, unit)): Path<(String, String, String, String)>,
    JsonBody(body): JsonBody<Review>,
) -> Result<Json<Report>, ApiError> {
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    guard(
        &state,
        &caller,
        &region_key,
        Action::ReviewReport {
            campaign: Some(c.plan as u32),
        },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok(Json(
        state
            .store
            .review_report(
                &region.id,
                &cycle,
                &task,
                &unit,
                body.accept,
                &body.comment,
                body.version,
                actor,
            )
            .await?,
    ))
}

/// Largest batch of reports accepted in one request.
pub const MAX_BATCH: usize = 500;

/// `POST …/cycles/{cycle}/reports` `[{"task_id", "unit", "report": {…}}]`:
/// several reports in one durable transaction (a unit's whole form).
pub async fn save_batch(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, cycle)): Path<(String, String)>,
    JsonBody(items): JsonBody<Vec<ReportItem>>,
) -> Result<Json<Vec<Report>>, ApiError> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("一次报送 1 到 {MAX_BATCH} 项。/ Send 1 to {MAX_BATCH} reports at a time."),
        ));
    }
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let mut checked = std::collections::HashSet::new();
    for item in &items {
        let u = state.store.unit(&region.id, &item.unit).await?;
        if checked.insert(u.id.clone()) {
            guard(
                &state,
                &caller,
                &region_key,
                Action::WriteReport {
                    unit_id: u.id,
                    campaign: Some(c.plan as u32),
                },
            )
            .await?;
        }
    }
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok(Json(
        state
            .store
            .save_reports(&region.id, &cycle, &items, actor, state.today())
            .await?,
    ))
}

#[derive(Serialize)]
pub struct Consolidated {
    task: duban_store::TaskRow,
    /// The lead unit's report: the task's conclusion this cycle.
    lead: Vec<Report>,
    /// Co-units' reports to the lead.
    co: Vec<Report>,
    /// Units that owe a report and have none yet.
    missing: Vec<String>,
}

/// `GET …/cycles/{cycle}/tasks/{task}`: one task's reports in a cycle, the
/// lead's and the co-units' side by side, for the lead to consolidate.
pub async fn consolidated(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, cycle, task)): Path<(String, String, String)>,
) -> Result<Json<Consolidated>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let t = state.store.task(&region.id, &task).await?;
    let reports: Vec<Report> = state
        .store
        .current_reports(&region.id, &c)
        .await?
        .into_iter()
        .filter(|r| r.task_id == t.id)
        .collect();
    let expected: Vec<duban_store::Expected> = state
        .store
        .expected_reports(&region.id, &c)
        .await?
        .into_iter()
        .filter(|e| e.task_id == t.id)
        .collect();
    let role = |unit_id: &str| {
        expected
            .iter()
            .find(|e| e.unit_id == unit_id)
            .map(|e| e.role.clone())
            .unwrap_or_default()
    };
    let (lead, co): (Vec<Report>, Vec<Report>) = reports
        .into_iter()
        .partition(|r| role(&r.unit_id) == "lead");
    let missing = expected
        .iter()
        .filter(|e| !lead.iter().chain(&co).any(|r| r.unit_id == e.unit_id))
        .map(|e| e.unit.clone())
        .collect();
    Ok(Json(Consolidated {
        task: t,
        lead,
        co,
        missing,
    }))
}
