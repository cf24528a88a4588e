//! Coordination requests (需协调事项), tracked until answered.

use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::{page, Json as JsonBody, Query};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::CoordinationRequest;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    status: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

/// `GET …/coordination-requests?status=open|resolved`: with who owes the answer.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Result<Json<Vec<CoordinationRequest>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let all = state
        .store
        .coordination_requests(&region.id, q.status.as_deref())
        .await?;
    Ok(Json(page(all, q.limit, q.offset)?))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    answer: String,
}

/// `POST …/coordination-requests/{id}/resolve` `{"answer"}` (admin; offices).
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Answer>,
) -> Result<Json<CoordinationRequest>, ApiError> {
    // The rule needs the campaign of the request's task, never the caller's
    // own: an office may answer only what was asked in its campaign.
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let request = state
        .store
        .coordination_requests(&region.id, None)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| {
            ApiError::from(duban_store::StoreError::NotFound(
                "没有这个协调事项。/ No such coordination request.".into(),
            ))
        })?;
    let campaign = state
        .store
        .task_campaign(&region.id, &request.task_id)
        .await?;
    let region = guard(
        &state,
        &caller,
        &region_key,
        Action::ReviewReport { campaign },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok(Json(
        state
            .store
            .resolve_request(&region.id, &id, &body.answer, actor)
            .await?,
    ))
}
