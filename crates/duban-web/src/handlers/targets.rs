use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::TargetRow;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetQuery {
    plan: Option<i64>,
}

/// `GET …/targets?plan=`
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<TargetQuery>,
) -> Result<Json<Vec<TargetRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.targets(&region.id, q.plan).await?))
}
