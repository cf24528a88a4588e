use crate::auth::{guard, Caller};
use crate::extract::Json as JsonBody;
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::TaskRow;

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    #[schema(schema_with = crate::doc::lead_units)]
    lead_units: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = crate::doc::co_units)]
    co_units: Vec<String>,
}

/// `PUT …/tasks/{task}/assignments` `{"lead_units": [..], "co_units": [..]}`:
/// corrects who leads and co-owns a task (admin, or the campaign's office).
#[utoipa::path(
    put,
    operation_id = "assignments_correct",
    path = "/api/v1/regions/{region}/tasks/{task}/assignments",
    summary = "更正责任分工 / Correct a task's assignment",
    description = "权限 / Access: admin; office (own campaign)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("task" = String, Path, description = "任务 id / Task id")),
    request_body(content = Correction, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, task)): Path<(String, String)>,
    JsonBody(body): JsonBody<Correction>,
) -> Result<Json<TaskRow>, ApiError> {
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let campaign = state
        .store
        .task_campaign(&region.id, &task)
        .await?
        .ok_or_else(|| {
            ApiError::from(duban_store::StoreError::NotFound(format!(
                "没有任务“{task}”。/ No task '{task}'."
            )))
        })?;
    guard(
        &state,
        &caller,
        &region_key,
        Action::CorrectAssignment {
            campaign: Some(campaign),
        },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok(Json(
        state
            .store
            .set_assignments(&region.id, &task, &body.lead_units, &body.co_units, actor)
            .await?,
    ))
}
