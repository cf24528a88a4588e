use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::PlanRow;

/// `GET …/plans`: the overall plan and the implementation plans.
#[utoipa::path(
    get,
    operation_id = "plans_list",
    path = "/api/v1/regions/{region}/plans",
    summary = "方案 / Plans",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::Query(page): crate::extract::Query<crate::extract::Page>,
    Path(region): Path<String>,
) -> Result<Json<Vec<PlanRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(page.apply(state.store.plans(&region.id).await?)?))
}

/// `GET …/campaigns`: the implementation plans (攻坚), one per campaign.
#[utoipa::path(
    get,
    operation_id = "plans_campaigns",
    path = "/api/v1/regions/{region}/campaigns",
    summary = "攻坚（实施方案）/ Campaigns",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn campaigns(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::Query(page): crate::extract::Query<crate::extract::Page>,
    Path(region): Path<String>,
) -> Result<Json<Vec<PlanRow>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let plans = state.store.plans(&region.id).await?;
    Ok(Json(
        page.apply(
            plans
                .into_iter()
                .filter(|p| p.kind == "implementation")
                .collect(),
        )?,
    ))
}

#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// weekly / biweekly / monthly / quarterly.
    #[schema(pattern = "^(weekly|biweekly|monthly|quarterly)$")]
    cadence: String,
    thresholds: duban_core::evaluation::Thresholds,
}

/// `GET …/plans/{plan}/settings`: the campaign's cadence and light thresholds.
#[utoipa::path(
    get,
    operation_id = "plans_settings",
    path = "/api/v1/regions/{region}/plans/{plan}/settings",
    summary = "攻坚的调度频次和亮灯阈值 / Cadence and light thresholds",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("plan" = i64, Path, description = "方案序号 / Plan number")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
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
#[utoipa::path(
    put,
    operation_id = "plans_set_settings",
    path = "/api/v1/regions/{region}/plans/{plan}/settings",
    summary = "设置调度频次和亮灯阈值 / Set cadence and thresholds",
    description = "权限 / Access: admin; office (own campaign)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("plan" = i64, Path, description = "方案序号 / Plan number")),
    request_body(content = Settings, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
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
        && (0..=366).contains(&t.due_soon_days)
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
