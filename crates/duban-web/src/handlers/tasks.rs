use crate::auth::{guard, Caller};
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use duban_core::policy::Action;
use duban_store::{TaskFilter, TaskRow};

/// `GET …/tasks?plan=&campaign=&unit=&role=&due_from=&due_to=`
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(filter): Query<TaskFilter>,
) -> Result<Json<Vec<TaskRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.tasks(&region.id, &filter).await?))
}

/// `GET …/tasks/{task}`
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, task)): Path<(String, String)>,
) -> Result<Json<TaskRow>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.task(&region.id, &task).await?))
}
