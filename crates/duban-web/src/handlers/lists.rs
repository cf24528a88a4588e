use crate::auth::{guard, Caller};
use crate::extract::Json as JsonBody;
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use duban_core::policy::Action;
use duban_store::{ListItem, NewListItem};

/// `GET …/tasks/{task}/list-items`
#[utoipa::path(
    get,
    operation_id = "lists_list",
    path = "/api/v1/regions/{region}/tasks/{task}/list-items",
    summary = "任务下的清单 / Lists under a task",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("task" = String, Path, description = "任务 id / Task id"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::Query(page): crate::extract::Query<crate::extract::Page>,
    Path((region, task)): Path<(String, String)>,
) -> Result<Json<Vec<ListItem>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    state.store.task(&region.id, &task).await?;
    Ok(Json(
        page.apply(state.store.list_items(&region.id, &task).await?)?,
    ))
}

/// `POST …/tasks/{task}/list-items`: a reporter for its own unit, an office
/// in its campaign, or an admin.
#[utoipa::path(
    post,
    operation_id = "lists_create",
    path = "/api/v1/regions/{region}/tasks/{task}/list-items",
    summary = "新增清单事项（项目/任务/政策清单）/ Add a list item",
    description = "权限 / Access: admin; office (own campaign); reporter (own unit); the unit must be assigned to the task",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("task" = String, Path, description = "任务 id / Task id")),
    request_body(content = crate::doc::NewListItemSchema, content_type = "application/json"),
    responses((status = 201, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, task)): Path<(String, String)>,
    JsonBody(item): JsonBody<NewListItem>,
) -> Result<(StatusCode, Json<ListItem>), ApiError> {
    // The facts the rule needs: whose unit, which campaign.
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let unit = state.store.unit(&region.id, &item.unit).await?;
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
        Action::WriteListItem {
            unit_id: unit.id,
            campaign: Some(campaign),
        },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    let saved = state
        .store
        .add_list_item(&region.id, &task, &item, actor)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}
