use crate::auth::{guard, Caller};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use duban_core::policy::Action;
use duban_store::PlanRow;

/// `GET …/plans`: the overall plan and the implementation plans.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
) -> Result<Json<Vec<PlanRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.plans(&region.id).await?))
}

/// `GET …/campaigns`: the implementation plans (攻坚), one per campaign.
pub async fn campaigns(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
) -> Result<Json<Vec<PlanRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let plans = state.store.plans(&region.id).await?;
    Ok(Json(
        plans
            .into_iter()
            .filter(|p| p.kind == "implementation")
            .collect(),
    ))
}
