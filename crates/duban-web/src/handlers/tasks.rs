use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::State;
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
    // Dates are checked here, so `?due_from=2025-02-30` is a 400 and not
    // an empty (or silently unfiltered) answer.
    for (name, value) in [("due_from", &filter.due_from), ("due_to", &filter.due_to)] {
        if let Some(v) = value {
            if duban_core::dates::Date::parse(v).is_none() {
                return Err(ApiError::bad_request(format!(
                    "{name} 应为有效日期 YYYY-MM-DD：“{v}”。/ {name} must be a valid date YYYY-MM-DD: '{v}'."
                )));
            }
        }
    }
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
