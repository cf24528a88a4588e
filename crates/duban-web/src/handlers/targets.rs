use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::TargetRow;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TargetQuery {
    plan: Option<i64>,
}

/// `GET …/targets?plan=`
#[utoipa::path(
    get,
    operation_id = "targets_list",
    path = "/api/v1/regions/{region}/targets",
    summary = "目标值 / Targets",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), TargetQuery),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<TargetQuery>,
) -> Result<Json<Vec<TargetRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.targets(&region.id, q.plan).await?))
}
