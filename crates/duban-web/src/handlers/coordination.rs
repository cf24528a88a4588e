//! Coordination requests (需协调事项), tracked until answered.

use crate::auth::{guard, Caller};
use crate::extract::{Json as JsonBody, Query};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use duban_core::policy::Action;
use duban_store::CoordinationRequest;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    status: Option<String>,
}

/// `GET …/coordination-requests?status=open|resolved`: with who owes the answer.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Result<Json<Vec<CoordinationRequest>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(
        state
            .store
            .coordination_requests(&region.id, q.status.as_deref())
            .await?,
    ))
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
    let campaign = caller.0.as_ref().and_then(|p| p.campaign);
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
