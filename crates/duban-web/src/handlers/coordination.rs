//! Coordination requests (需协调事项), tracked until answered.

use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::{page, Json as JsonBody, Query};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::CoordinationRequest;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    #[param(pattern = "^(open|resolved)$")]
    status: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(minimum = 0, maximum = 1000000)]
    offset: Option<u32>,
}

/// `GET …/coordination-requests?status=open|resolved`: with who owes the answer.
#[utoipa::path(
    get,
    operation_id = "coordination_list",
    path = "/api/v1/regions/{region}/coordination-requests",
    summary = "需协调事项 / Coordination requests",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), StatusQuery),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Result<Json<Vec<CoordinationRequest>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    if q.status
        .as_deref()
        .is_some_and(|s| s != "open" && s != "resolved")
    {
        return Err(ApiError::bad_request(
            "status 应为 open 或 resolved。/ status must be open or resolved.",
        ));
    }
    let all = state
        .store
        .coordination_requests(&region.id, q.status.as_deref())
        .await?;
    Ok(Json(page(all, q.limit, q.offset)?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    #[schema(pattern = r"\S", max_length = 5000)]
    answer: String,
}

/// `POST …/coordination-requests/{id}/resolve` `{"answer"}` (admin; offices).
#[utoipa::path(
    post,
    operation_id = "coordination_resolve",
    path = "/api/v1/regions/{region}/coordination-requests/{id}/resolve",
    summary = "答复协调事项 / Answer a coordination request",
    description = "权限 / Access: admin; office (the request's campaign)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("id" = String, Path, description = "协调事项 id / Request id")),
    request_body(content = Answer, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
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
