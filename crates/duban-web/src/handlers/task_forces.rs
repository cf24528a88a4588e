use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::TaskForceRow;

/// `GET …/task-forces`
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
) -> Result<Json<Vec<TaskForceRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.task_forces(&region.id).await?))
}
