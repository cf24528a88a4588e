//! Indicators (指标): owners of goal targets and their cycle values.

use crate::auth::{guard, Caller};
use crate::extract::Json as JsonBody;
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::{IndicatorInput, IndicatorReport, TargetRow};
use serde::Serialize;

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    #[schema(schema_with = crate::doc::unit_key)]
    unit: String,
}

/// `PUT …/targets/{target}/owner` `{"unit"}` (admin; the campaign's office).
#[utoipa::path(
    put,
    operation_id = "indicators_set_owner",
    path = "/api/v1/regions/{region}/targets/{target}/owner",
    summary = "指定指标责任单位 / Set a target's owner",
    description = "权限 / Access: admin; office (own campaign)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("target" = String, Path, description = "目标值 id / Target id")),
    request_body(content = Owner, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn set_owner(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, target)): Path<(String, String)>,
    JsonBody(body): JsonBody<Owner>,
) -> Result<Json<TargetRow>, ApiError> {
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let t = state.store.target(&region.id, &target).await?;
    guard(
        &state,
        &caller,
        &region_key,
        Action::ManageCycles {
            campaign: u32::try_from(t.plan).ok(),
        },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok(Json(
        state
            .store
            .set_target_owner(&region.id, &target, &body.unit, actor)
            .await?,
    ))
}

#[derive(Serialize)]
pub struct Owed {
    target: TargetRow,
    report: Option<IndicatorReport>,
}

/// `GET …/cycles/{cycle}/indicators`: indicators owed this cycle, with values.
#[utoipa::path(
    get,
    operation_id = "indicators_list",
    path = "/api/v1/regions/{region}/cycles/{cycle}/indicators",
    summary = "本周期应报指标 / Indicators owed this cycle",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::Query(page): crate::extract::Query<crate::extract::Page>,
    Path((region, cycle)): Path<(String, String)>,
) -> Result<Json<Vec<Owed>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let reports = state
        .store
        .current_indicator_reports(&region.id, &c.id)
        .await?;
    Ok(Json(
        page.apply(
            state
                .store
                .expected_indicators(&region.id, &c)
                .await?
                .into_iter()
                .map(|t| Owed {
                    report: reports.iter().find(|r| r.target_id == t.id).cloned(),
                    target: t,
                })
                .collect(),
        )?,
    ))
}

/// `PUT …/cycles/{cycle}/indicators/{target}` `{"version", "value", "note", "submit"}`.
#[utoipa::path(
    put,
    operation_id = "indicators_save",
    path = "/api/v1/regions/{region}/cycles/{cycle}/indicators/{target}",
    summary = "填报指标值 / Report an indicator value",
    description = "权限 / Access: admin; office (own campaign); reporter (the owner unit)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), ("target" = String, Path, description = "目标值 id / Target id")),
    request_body(content = duban_store::IndicatorInput, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, cycle, target)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<IndicatorInput>,
) -> Result<Json<IndicatorReport>, ApiError> {
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let t = state.store.target(&region.id, &target).await?;
    let owner = t.owner_unit_id.clone().unwrap_or_default();
    guard(
        &state,
        &caller,
        &region_key,
        Action::WriteReport {
            unit_id: owner,
            campaign: Some(c.plan as u32),
        },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok(Json(
        state
            .store
            .save_indicator(&region.id, &cycle, &target, &body, actor, state.today())
            .await?,
    ))
}
