use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::State;
use duban_core::policy::Action;
use duban_store::TargetRow;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TargetQuery {
    plan: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(minimum = 0, maximum = 1000000)]
    offset: Option<u32>,
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
    headers: axum::http::HeaderMap,
    Query(q): Query<TargetQuery>,
) -> Result<axum::response::Response, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    // Targets carry reported values: kept per ledger version.
    let version = state.store.ledger_version(&region.id).await?;
    let key = format!(
        "{}\0targets\0{:?}\0{:?}\0{:?}",
        region.id, q.plan, q.limit, q.offset
    );
    state
        .reads
        .json(&headers, key, version, || async {
            let rows: Vec<TargetRow> = state.store.targets(&region.id, q.plan).await?;
            crate::extract::page(rows, q.limit, q.offset)
        })
        .await
}
