use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
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

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// weekly / biweekly / monthly / quarterly.
    cadence: String,
    thresholds: duban_core::evaluation::Thresholds,
}

/// `GET …/plans/{plan}/settings`: the campaign's cadence and light thresholds.
pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, plan)): Path<(String, i64)>,
) -> Result<Json<Settings>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let (cadence, thresholds) = state.store.plan_settings(&region.id, plan).await?;
    Ok(Json(Settings {
        cadence: cadence.as_str().into(),
        thresholds,
    }))
}

/// `PUT …/plans/{plan}/settings` `{"cadence", "thresholds": {…}}` (admin; the campaign's office).
pub async fn set_settings(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, plan)): Path<(String, i64)>,
    crate::extract::Json(body): crate::extract::Json<Settings>,
) -> Result<Json<Settings>, ApiError> {
    let region = guard(
        &state,
        &caller,
        &region_key,
        Action::ManageCycles {
            campaign: u32::try_from(plan).ok(),
        },
    )
    .await?;
    let cadence = duban_core::cycles::Cadence::parse(&body.cadence).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "cadence 应为 weekly、biweekly、monthly、quarterly。/ Unknown cadence.",
        )
    })?;
    let t = &body.thresholds;
    if !(t.red_gap > 0.0
        && t.red_gap <= 100.0
        && t.due_soon_days >= 0
        && (0.0..=100.0).contains(&t.due_soon_min_completion)
        && (0.0..1.0).contains(&t.about_tolerance))
    {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "阈值超出范围。/ Threshold out of range.",
        ));
    }
    let actor = &caller.0.as_ref().expect("guarded").user;
    state
        .store
        .set_plan_settings(&region.id, plan, cadence, body.thresholds, actor)
        .await?;
    Ok(Json(body))
}
