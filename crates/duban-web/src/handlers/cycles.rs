//! Dispatch cycles: list, open (regular or 临时调度), schedule by cadence, close.

use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::{Json as JsonBody, Query};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use duban_core::dates::Date;
use duban_core::policy::Action;
use duban_store::{Cycle, Evaluation};

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CycleQuery {
    plan: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(minimum = 0, maximum = 1000000)]
    offset: Option<u32>,
}

/// `GET …/cycles?plan=`
#[utoipa::path(
    get,
    operation_id = "cycles_list",
    path = "/api/v1/regions/{region}/cycles",
    summary = "调度周期 / Dispatch cycles",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), CycleQuery),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<CycleQuery>,
) -> Result<Json<Vec<Cycle>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(crate::extract::page(
        state.store.cycles(&region.id, q.plan).await?,
        q.limit,
        q.offset,
    )?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCycle {
    #[schema(minimum = 1, maximum = 99)]
    #[serde(deserialize_with = "duban_core::wire::integer")]
    plan: u32,
    #[schema(value_type = String, pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$")]
    opens_on: Date,
    #[schema(value_type = String, pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$")]
    due_on: Date,
    /// `regular` (default) or `extra` (临时调度).
    #[serde(default = "regular")]
    #[schema(pattern = "^(regular|extra)$")]
    kind: String,
}

/// Cycles belong to a campaign (an implementation plan, 1 and up); the
/// overall plan (0) is not dispatched.
fn campaign_only(plan: u32) -> Result<(), ApiError> {
    if plan == 0 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "调度周期属于某个攻坚（方案序号 1 起）。/ Cycles belong to a campaign (plan 1 and up).",
        ));
    }
    Ok(())
}

fn regular() -> String {
    "regular".into()
}

/// `POST …/cycles` `{"plan", "opens_on", "due_on", "kind"}`
#[utoipa::path(
    post,
    operation_id = "cycles_open",
    path = "/api/v1/regions/{region}/cycles",
    summary = "开启调度周期（常规或临时调度）/ Open a cycle",
    description = "权限 / Access: admin; office (own campaign)。规则 / Rules: due_on 不早于 opens_on / due_on is not before opens_on (422).",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id")),
    request_body(content = NewCycle, content_type = "application/json"),
    responses((status = 201, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn open(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    JsonBody(body): JsonBody<NewCycle>,
) -> Result<(StatusCode, Json<Cycle>), ApiError> {
    campaign_only(body.plan)?;
    let region = guard(
        &state,
        &caller,
        &region,
        Action::ManageCycles {
            campaign: Some(body.plan),
        },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    let cycle = state
        .store
        .open_cycle(
            &region.id,
            body.plan as i64,
            body.opens_on,
            body.due_on,
            &body.kind,
            actor,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(cycle)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    #[schema(minimum = 1, maximum = 99)]
    #[serde(deserialize_with = "duban_core::wire::integer")]
    plan: u32,
    #[schema(value_type = String, pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$")]
    from: Date,
    #[schema(value_type = String, pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$")]
    to: Date,
}

/// `POST …/cycles/schedule` `{"plan", "from", "to"}`: opens the plan's
/// cycles by its cadence (biweekly unless set), skipping holidays.
#[utoipa::path(
    post,
    operation_id = "cycles_schedule",
    path = "/api/v1/regions/{region}/cycles/schedule",
    summary = "按频次排定周期 / Schedule cycles by cadence",
    description = "权限 / Access: admin; office (own campaign)。规则 / Rules: to 不早于 from，且相距不超过 800 天 / to is not before from and at most 800 days after it (422).",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id")),
    request_body(content = Schedule, content_type = "application/json"),
    responses((status = 201, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    JsonBody(body): JsonBody<Schedule>,
) -> Result<(StatusCode, Json<Vec<Cycle>>), ApiError> {
    campaign_only(body.plan)?;
    let region = guard(
        &state,
        &caller,
        &region,
        Action::ManageCycles {
            campaign: Some(body.plan),
        },
    )
    .await?;
    if body.to.days_since(body.from) > 800 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "一次最多排两年的周期。/ At most two years at a time.",
        ));
    }
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .store
                .schedule_cycles(&region.id, body.plan as i64, body.from, body.to, actor)
                .await?,
        ),
    ))
}

/// `POST …/cycles/{cycle}/close`: locks the reports and keeps the lights.
#[utoipa::path(
    post,
    operation_id = "cycles_close",
    path = "/api/v1/regions/{region}/cycles/{cycle}/close",
    summary = "关闭周期并锁定填报 / Close a cycle",
    description = "权限 / Access: admin; office (own campaign)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, cycle)): Path<(String, String)>,
) -> Result<Json<Evaluation>, ApiError> {
    let region = guard(&state, &caller, &region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    guard(
        &state,
        &caller,
        &region_key,
        Action::ManageCycles {
            campaign: Some(c.plan as u32),
        },
    )
    .await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    Ok(Json(
        state
            .store
            .close_cycle(&region.id, &cycle, state.today(), actor)
            .await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AsOf {
    #[param(value_type = Option<String>, pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$")]
    as_of: Option<Date>,
}

/// `GET …/cycles/{cycle}/evaluation?as_of=`: lights, metrics, ranking, four rates.
#[utoipa::path(
    get,
    operation_id = "cycles_evaluation",
    path = "/api/v1/regions/{region}/cycles/{cycle}/evaluation",
    summary = "亮灯、报送率、排名、四比四提高 / Lights, metrics, ranking, four rates",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id"), AsOf),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn evaluation(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, cycle)): Path<(String, String)>,
    Query(q): Query<AsOf>,
) -> Result<Json<Evaluation>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    Ok(Json(
        state
            .store
            .evaluate(
                &region.id,
                &c,
                q.as_of
                    .unwrap_or_else(|| duban_store::default_as_of(&c, state.today())),
            )
            .await?,
    ))
}

/// `GET …/summary?as_of=`: every campaign's latest cycle that is over (the
/// dashboard's default, `duban_core::cycles::default_cycle`) at a glance,
/// and the region's reporting metrics (for leaders' dashboards).
#[utoipa::path(
    get,
    operation_id = "cycles_summary",
    path = "/api/v1/regions/{region}/summary",
    summary = "各攻坚概况 / Every campaign at a glance",
    description = "权限 / Access: signed in\n\n每个攻坚取最近截止的一期（已关闭或已过截止日），还没有截止的一期时取正在填报的一期；`seq` 为期数，`stage` 为 closed / past_due / open。/ Each campaign's latest cycle that is over (closed or past its due date), else the one under way; `seq` is its number, `stage` closed, past_due or open.",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), AsOf),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    headers: axum::http::HeaderMap,
    Query(q): Query<AsOf>,
) -> Result<axum::response::Response, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    // Reports move the summary: kept per ledger version and day.
    let version = state.store.ledger_version(&region.id).await?;
    let key = format!("{}\0summary\0{as_of}", region.id);
    state
        .reads
        .json(&headers, key, version, || async {
            Ok(state.store.region_summary(&region.id, as_of).await?)
        })
        .await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    #[schema(value_type = String, pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$")]
    day: Date,
    #[schema(pattern = r"\S", max_length = 40)]
    name: String,
}

/// `POST …/holidays` `{"day", "name"}` (admin): due dates that fall on it
/// move to the working day before, for cycles scheduled afterwards.
#[utoipa::path(
    post,
    operation_id = "cycles_add_holiday",
    path = "/api/v1/regions/{region}/holidays",
    summary = "新增节假日 / Add a holiday",
    description = "权限 / Access: admin",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id")),
    request_body(content = Holiday, content_type = "application/json"),
    responses((status = 201, description = "已添加（无响应体）/ Added (no body)"), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn add_holiday(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    JsonBody(body): JsonBody<Holiday>,
) -> Result<StatusCode, ApiError> {
    let region = guard(&state, &caller, &region, Action::ManageUnits).await?;
    if body.name.trim().is_empty() || body.name.chars().count() > 40 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "节假日名称 1 到 40 字。/ name is 1..40 characters.",
        ));
    }
    let actor = &caller.0.as_ref().expect("guarded").user;
    state
        .store
        .add_holiday(&region.id, body.day, body.name.trim(), actor)
        .await?;
    Ok(StatusCode::CREATED)
}
