//! Reports (填报): what a unit owes, saving and submitting, review.

use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::{Json as JsonBody, Page, Query};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::{may_read_report, Action, ReportSeen};
use duban_store::{Report, ReportInput, ReportItem, TaskFilter};
use serde::Serialize;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    unit: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(minimum = 0, maximum = 1000000)]
    offset: Option<u32>,
}

#[derive(Serialize)]
pub struct Due {
    #[serde(flatten)]
    expected: duban_store::Expected,
    report: Option<Report>,
}

/// Keeps the reports the caller may read ([`may_read_report`]): least
/// privilege, so a reporter never sees other units' work it does not
/// consolidate, and nobody sees another unit's drafts.
async fn readable(
    state: &AppState,
    region_id: &str,
    caller: &Caller,
    reports: Vec<Report>,
) -> Result<Vec<Report>, ApiError> {
    let Some(who) = caller.0.as_ref() else {
        return Ok(Vec::new());
    };
    // Only a reporter's view depends on who leads the task.
    let tasks = if who.role == duban_core::names::Role::Reporter {
        state.store.tasks(region_id, &TaskFilter::default()).await?
    } else {
        Vec::new()
    };
    Ok(reports
        .into_iter()
        .filter(|r| {
            let leads: Vec<&str> = tasks
                .iter()
                .find(|t| t.id == r.task_id)
                .map(|t| t.lead_units.iter().map(|u| u.id.as_str()).collect())
                .unwrap_or_default();
            may_read_report(
                who,
                ReportSeen {
                    unit_id: &r.unit_id,
                    draft: r.state == "draft",
                    task_leads: &leads,
                },
            )
        })
        .collect())
}

/// `GET …/cycles/{cycle}/due?unit=`: what a unit (default: the caller's)
/// must report in this cycle, with what it has reported so far.
#[utoipa::path(
    get,
    operation_id = "reports_due",
    path = "/api/v1/regions/{region}/cycles/{cycle}/due",
    summary = "应报事项 / What a unit owes this cycle",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), DueQuery),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
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
    let reports = readable(&state, &region.id, &caller, reports).await?;
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
    Ok(Json(crate::extract::page(out, q.limit, q.offset)?))
}

/// `GET …/cycles/{cycle}/reports`: the current version of every report.
#[utoipa::path(
    get,
    operation_id = "reports_list",
    path = "/api/v1/regions/{region}/cycles/{cycle}/reports",
    summary = "本周期填报（按权限）/ Reports of a cycle the caller may read",
    description = "权限 / Access: signed in; reporters see their unit and co-units of tasks they lead; drafts only their unit",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, cycle)): Path<(String, String)>,
    Query(p): Query<Page>,
) -> Result<Json<Vec<Report>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let reports = state.store.current_reports(&region.id, &c).await?;
    Ok(Json(p.apply(
        readable(&state, &region.id, &caller, reports).await?,
    )?))
}

/// `GET …/cycles/{cycle}/reports/{task}/{unit}`: every version.
#[utoipa::path(
    get,
    operation_id = "reports_history",
    path = "/api/v1/regions/{region}/cycles/{cycle}/reports/{task}/{unit}",
    summary = "一份填报的各个版本 / Every version of a report",
    description = "权限 / Access: signed in; as for reports",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), ("task" = String, Path, description = "任务 id / Task id"), ("unit" = String, Path, description = "单位 id、名称或别名 / Unit id, name or alias"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::Query(page): crate::extract::Query<crate::extract::Page>,
    Path((region, cycle, task, unit)): Path<(String, String, String, String)>,
) -> Result<Json<Vec<Report>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let history = state
        .store
        .report_history(&region.id, &c, &task, &unit)
        .await?;
    Ok(Json(page.apply(
        readable(&state, &region.id, &caller, history).await?,
    )?))
}

/// `PUT …/cycles/{cycle}/reports/{task}/{unit}`: save (or submit) a report.
/// 409 when `version` is not the current version.
#[utoipa::path(
    put,
    operation_id = "reports_save",
    path = "/api/v1/regions/{region}/cycles/{cycle}/reports/{task}/{unit}",
    summary = "保存或提交填报 / Save or submit a report",
    description = "权限 / Access: admin; office (own campaign); reporter (own unit)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), ("task" = String, Path, description = "任务 id / Task id"), ("unit" = String, Path, description = "单位 id、名称或别名 / Unit id, name or alias")),
    request_body(content = duban_store::ReportInput, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
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

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    accept: bool,
    #[serde(default)]
    #[schema(max_length = 2000)]
    comment: String,
    #[schema(minimum = 1)]
    #[serde(deserialize_with = "duban_core::wire::integer")]
    version: i64,
}

/// `POST …/cycles/{cycle}/reports/{task}/{unit}/review` `{"accept", "comment", "version"}`
#[utoipa::path(
    post,
    operation_id = "reports_review",
    path = "/api/v1/regions/{region}/cycles/{cycle}/reports/{task}/{unit}/review",
    summary = "审核或退回 / Accept or return a report",
    description = "权限 / Access: admin; office (own campaign)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), ("task" = String, Path, description = "任务 id / Task id"), ("unit" = String, Path, description = "单位 id、名称或别名 / Unit id, name or alias")),
    request_body(content = Review, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
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
#[utoipa::path(
    post,
    operation_id = "reports_save_batch",
    path = "/api/v1/regions/{region}/cycles/{cycle}/reports",
    summary = "批量填报（全部成功或全部失败）/ Save several reports at once",
    description = "权限 / Access: admin; office (own campaign); reporter (own unit)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id")),
    request_body(content = crate::doc::ReportBatch, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
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
#[utoipa::path(
    get,
    operation_id = "reports_consolidated",
    path = "/api/v1/regions/{region}/cycles/{cycle}/tasks/{task}",
    summary = "一项任务本周期的牵头与配合填报 / A task's reports side by side",
    description = "权限 / Access: signed in; as for reports",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), ("task" = String, Path, description = "任务 id / Task id")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
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
    let reports = readable(&state, &region.id, &caller, reports).await?;
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
