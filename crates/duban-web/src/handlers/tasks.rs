use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::{TaskFilter, TaskRow};

/// `GET …/tasks?plan=&campaign=&unit=&role=&due_from=&due_to=`
#[utoipa::path(
    get,
    operation_id = "tasks_list",
    path = "/api/v1/regions/{region}/tasks",
    summary = "任务，可按方案、攻坚、单位（含单位组）、角色、时限筛选 / Tasks with filters",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), duban_store::TaskFilter),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    headers: axum::http::HeaderMap,
    Query(filter): Query<TaskFilter>,
) -> Result<axum::response::Response, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    // Dates are checked here, so `?due_from=2025-02-30` is a 400 and not
    // an empty (or silently unfiltered) answer.
    for (name, value) in [("due_from", &filter.due_from), ("due_to", &filter.due_to)] {
        if let Some(v) = value {
            if duban_core::dates::Date::parse_strict(v).is_none() {
                return Err(ApiError::bad_request(format!(
                    "{name} 应为有效日期 YYYY-MM-DD：“{v}”。/ {name} must be a valid date YYYY-MM-DD: '{v}'."
                )));
            }
        }
    }
    if filter
        .role
        .as_deref()
        .is_some_and(|r| r != "lead" && r != "co")
    {
        return Err(ApiError::bad_request(
            "role 应为 lead 或 co。/ role must be lead or co.",
        ));
    }
    // Tasks change only with the catalog (imports, units, assignments),
    // never with report saves: the body is kept per catalog version.
    let version = state.store.catalog_version(&region.id).await?;
    let key = format!("{}\0tasks\0{filter:?}", region.id);
    state
        .reads
        .json(&headers, key, version, || async {
            let store_filter = TaskFilter {
                limit: None,
                offset: None,
                ..filter.clone()
            };
            crate::extract::page(
                state.store.tasks(&region.id, &store_filter).await?,
                filter.limit,
                filter.offset,
            )
        })
        .await
}

/// `GET …/tasks/{task}`
#[utoipa::path(
    get,
    operation_id = "tasks_one",
    path = "/api/v1/regions/{region}/tasks/{task}",
    summary = "一项任务 / One task",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("task" = String, Path, description = "任务 id / Task id")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, task)): Path<(String, String)>,
) -> Result<Json<TaskRow>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.task(&region.id, &task).await?))
}
