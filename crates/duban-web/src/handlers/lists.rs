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
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, task)): Path<(String, String)>,
) -> Result<Json<Vec<ListItem>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    state.store.task(&region.id, &task).await?;
    Ok(Json(state.store.list_items(&region.id, &task).await?))
}

/// `POST …/tasks/{task}/list-items`: a reporter for its own unit, an office
/// in its campaign, or an admin.
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
