use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::TaskForceRow;

/// `GET …/task-forces`
#[utoipa::path(
    get,
    operation_id = "task_forces_list",
    path = "/api/v1/regions/{region}/task-forces",
    summary = "工作专班 / Task forces",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::Query(page): crate::extract::Query<crate::extract::Page>,
    Path(region): Path<String>,
) -> Result<Json<Vec<TaskForceRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(
        page.apply(state.store.task_forces(&region.id).await?)?,
    ))
}
