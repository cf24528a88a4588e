//! 一月一督导 over the API: visits, findings → rectification items, the
//! units' progress and evidence, the office's verification (销号 or 退回),
//! listed supervision (挂牌督办), the campaign's cadence, and the month's
//! summary for the bulletin. Every write is authorised against the
//! object's own campaign and units (`duban_core::policy`).

use crate::auth::{guard, guard_read, Caller};
use crate::extract::{Json as JsonBody, Path, Query};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use duban_core::names::Role;
use duban_core::policy::{may_read_rectification, Action, Principal};
use duban_core::supervision::{Cadence, Month};
use duban_store::{
    ItemFilter, NewFinding, NewVisit, ProgressInput, RectificationEvent, RectificationItem, Region,
    ReviewInput, StoreError, SupervisionFile, SupervisionMonth, Visit, VisitRecord,
};
use serde::{Deserialize, Serialize};
use std::future::Future;

const REGION: &str = "区域名称或 id / Region name or id";

fn who(caller: &Caller) -> Result<&Principal, ApiError> {
    crate::auth::signed_in(caller)
}

/// Only the items `who` may read: a reporter's unit's own.
pub fn visible(who: &Principal, items: Vec<RectificationItem>) -> Vec<RectificationItem> {
    items
        .into_iter()
        .filter(|i| may_read_rectification(who, &i.unit_ids()))
        .collect()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VisitQuery {
    /// 攻坚编号 / Campaign (plan number).
    #[param(minimum = 1, maximum = 999)]
    plan: Option<u32>,
    /// `YYYY-MM`.
    #[param(pattern = r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")]
    month: Option<String>,
}

/// A campaign number from a query: 1..=999, as documented.
fn campaign(plan: Option<u32>) -> Result<Option<u32>, ApiError> {
    match plan {
        Some(p) if !(1..=999).contains(&p) => Err(ApiError::bad_request(format!(
            "攻坚编号 {p} 无效，应为 1 到 999。/ plan must be 1..=999."
        ))),
        p => Ok(p),
    }
}

fn month(s: &str) -> Result<Month, ApiError> {
    Month::parse(s).ok_or_else(|| {
        ApiError::bad_request(format!(
            "月份“{s}”无效，应为 YYYY-MM。/ The month must be YYYY-MM."
        ))
    })
}

/// `GET …/visits`
#[utoipa::path(
    get,
    operation_id = "visits_list",
    path = "/api/v1/regions/{region}/visits",
    summary = "督导（按攻坚、月份）/ Supervision visits",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = REGION), VisitQuery),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<VisitQuery>,
) -> Result<Json<Vec<Visit>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let m = q.month.as_deref().map(month).transpose()?;
    let plan = campaign(q.plan)?;
    Ok(Json(state.store.visits(&region.id, plan, m).await?))
}

async fn manage(
    state: &AppState,
    caller: &Caller,
    region_key: &str,
    plan: u32,
) -> Result<Region, ApiError> {
    guard(state, caller, region_key, manage_campaign(plan)).await
}

/// A supervision object addressed by id within a region: a visit or a
/// rectification item.
pub(crate) trait Object: Sized {
    fn load(
        state: &AppState,
        region_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Self, StoreError>> + Send;
}

impl Object for Visit {
    async fn load(state: &AppState, region_id: &str, id: &str) -> Result<Self, StoreError> {
        state.store.visit(region_id, id).await
    }
}

impl Object for RectificationItem {
    async fn load(state: &AppState, region_id: &str, id: &str) -> Result<Self, StoreError> {
        state
            .store
            .rectification_item(region_id, id, state.today())
            .await
    }
}

/// The region and object `id` in it, when the caller may do what `action`
/// makes of the object: the region is resolved and its reading authorised
/// once, the object is loaded only then (so nothing about it leaks outside
/// the caller's scope), and the action is authorised against the object's
/// own campaign and units as loaded — never against what the request says.
/// Every handler and page acting on one visit or item goes through here.
pub(crate) async fn guarded<T: Object>(
    state: &AppState,
    who: Option<&Principal>,
    region_key: &str,
    id: &str,
    action: impl FnOnce(&T) -> Action,
) -> Result<(Region, T), ApiError> {
    let g = guard_read(state, who, region_key).await?;
    let object = T::load(state, &g.region.id, id).await?;
    g.allow(&action(&object))?;
    Ok((g.region, object))
}

/// Managing a visit's or an item's campaign.
pub(crate) fn manage_campaign(plan: u32) -> Action {
    Action::ManageSupervision {
        campaign: Some(plan),
    }
}

/// `POST …/visits`
#[utoipa::path(
    post,
    operation_id = "visits_plan",
    path = "/api/v1/regions/{region}/visits",
    summary = "计划督导 / Plan a visit",
    description = "权限 / Access: admin; office (own campaign). The campaign must exist; tasks and list items must belong to it; team users must be accounts; planned_on inside the month.",
    params(("region" = String, Path, description = REGION)),
    request_body(content = NewVisit, content_type = "application/json"),
    responses((status = 201, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(region_key): Path<String>,
    JsonBody(v): JsonBody<NewVisit>,
) -> Result<(StatusCode, Json<Visit>), ApiError> {
    let region = manage(&state, &caller, &region_key, v.plan).await?;
    let actor = &who(&caller)?.user;
    let saved = state.store.plan_visit(&region.id, &v, actor).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

#[derive(Serialize)]
pub struct VisitDetail {
    visit: Visit,
    items: Vec<RectificationItem>,
    files: Vec<SupervisionFile>,
}

/// `GET …/visits/{visit}`
#[utoipa::path(
    get,
    operation_id = "visits_one",
    path = "/api/v1/regions/{region}/visits/{visit}",
    summary = "一次督导及其整改事项 / A visit with its items",
    description = "权限 / Access: signed in; reporters see only their unit's items",
    params(("region" = String, Path, description = REGION), ("visit" = String, Path, description = "督导 id / Visit id")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, visit)): Path<(String, String)>,
) -> Result<Json<VisitDetail>, ApiError> {
    let (region, visit) = guarded(&state, caller.0.as_ref(), &region, &visit, |_: &Visit| {
        Action::Read
    })
    .await?;
    let filter = ItemFilter {
        visit: Some(visit.id.clone()),
        ..Default::default()
    };
    let items = state
        .store
        .rectification_items(&region.id, &filter, state.today())
        .await?;
    let files = state
        .store
        .supervision_files(&region.id, "visit", &visit.id)
        .await?;
    Ok(Json(VisitDetail {
        items: visible(who(&caller)?, items),
        visit,
        files,
    }))
}

/// `POST …/visits/{visit}/record`
#[utoipa::path(
    post,
    operation_id = "visits_record",
    path = "/api/v1/regions/{region}/visits/{visit}/record",
    summary = "记录督导情况（已督导）/ Record a visit as done",
    description = "权限 / Access: admin; office (the visit's campaign). A cancelled visit cannot be recorded (409).",
    params(("region" = String, Path, description = REGION), ("visit" = String, Path, description = "督导 id / Visit id")),
    request_body(content = VisitRecord, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, visit)): Path<(String, String)>,
    JsonBody(r): JsonBody<VisitRecord>,
) -> Result<Json<Visit>, ApiError> {
    let (region, v) = guarded(
        &state,
        caller.0.as_ref(),
        &region_key,
        &visit,
        |v: &Visit| manage_campaign(v.plan),
    )
    .await?;
    let actor = &who(&caller)?.user;
    Ok(Json(
        state
            .store
            .record_visit(&region.id, &v.id, &r, actor)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// 取消原因.
    #[schema(pattern = r"\S", max_length = 4000)]
    reason: String,
}

/// `POST …/visits/{visit}/cancel`
#[utoipa::path(
    post,
    operation_id = "visits_cancel",
    path = "/api/v1/regions/{region}/visits/{visit}/cancel",
    summary = "取消督导（须说明原因）/ Cancel a planned visit",
    description = "权限 / Access: admin; office (the visit's campaign). Only a planned visit can be cancelled (409).",
    params(("region" = String, Path, description = REGION), ("visit" = String, Path, description = "督导 id / Visit id")),
    request_body(content = CancelBody, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, visit)): Path<(String, String)>,
    JsonBody(b): JsonBody<CancelBody>,
) -> Result<Json<Visit>, ApiError> {
    let (region, v) = guarded(
        &state,
        caller.0.as_ref(),
        &region_key,
        &visit,
        |v: &Visit| manage_campaign(v.plan),
    )
    .await?;
    let actor = &who(&caller)?.user;
    Ok(Json(
        state
            .store
            .cancel_visit(&region.id, &v.id, &b.reason, actor)
            .await?,
    ))
}

/// `POST …/visits/{visit}/findings`
#[utoipa::path(
    post,
    operation_id = "visits_finding",
    path = "/api/v1/regions/{region}/visits/{visit}/findings",
    summary = "登记发现的问题，形成整改事项 / Record a finding as a rectification item",
    description = "权限 / Access: admin; office (the visit's campaign). The visit must be done (409); units must exist; the deadline not before the visit; a linked task or list item must be in the campaign.",
    params(("region" = String, Path, description = REGION), ("visit" = String, Path, description = "督导 id / Visit id")),
    request_body(content = NewFinding, content_type = "application/json"),
    responses((status = 201, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn finding(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, visit)): Path<(String, String)>,
    JsonBody(f): JsonBody<NewFinding>,
) -> Result<(StatusCode, Json<RectificationItem>), ApiError> {
    let (region, v) = guarded(
        &state,
        caller.0.as_ref(),
        &region_key,
        &visit,
        |v: &Visit| manage_campaign(v.plan),
    )
    .await?;
    let actor = &who(&caller)?.user;
    let item = state
        .store
        .add_finding(&region.id, &v.id, &f, state.today(), actor)
        .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ItemQuery {
    #[param(minimum = 1, maximum = 999)]
    plan: Option<u32>,
    /// 单位 id、名称或别名 / Unit id, name or alias.
    #[param(min_length = 1, max_length = 60, pattern = r"\S")]
    unit: Option<String>,
    visit: Option<String>,
    /// 只看未销号 / Only items not closed.
    open: Option<bool>,
    /// 只看挂牌督办 / Only listed items.
    listed: Option<bool>,
}

/// `GET …/rectifications`
#[utoipa::path(
    get,
    operation_id = "rectifications_list",
    path = "/api/v1/regions/{region}/rectifications",
    summary = "整改事项（含灯色、是否逾期）/ Rectification items with light and overdue flag",
    description = "权限 / Access: signed in; reporters see only their unit's items",
    params(("region" = String, Path, description = REGION), ItemQuery),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn items(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<ItemQuery>,
) -> Result<Json<Vec<RectificationItem>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    if q.unit
        .as_deref()
        .is_some_and(|u| u.trim().is_empty() || u.chars().count() > 60)
    {
        return Err(ApiError::bad_request(
            "unit 应为单位 id、名称或别名（1 到 60 字）。/ unit is a unit id, name or alias (1..60 characters).",
        ));
    }
    let filter = ItemFilter {
        plan: campaign(q.plan)?,
        unit: q.unit,
        visit: q.visit,
        open: q.open.unwrap_or(false),
        listed: q.listed.unwrap_or(false),
    };
    let items = state
        .store
        .rectification_items(&region.id, &filter, state.today())
        .await?;
    Ok(Json(visible(who(&caller)?, items)))
}

#[derive(Serialize)]
pub struct ItemDetail {
    item: RectificationItem,
    events: Vec<RectificationEvent>,
    files: Vec<SupervisionFile>,
}

/// `GET …/rectifications/{item}`
#[utoipa::path(
    get,
    operation_id = "rectifications_one",
    path = "/api/v1/regions/{region}/rectifications/{item}",
    summary = "整改事项及全部版本 / An item with its history",
    description = "权限 / Access: signed in; a reporter only for its unit's items (403 otherwise)",
    params(("region" = String, Path, description = REGION), ("item" = String, Path, description = "整改事项 id / Item id")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn item(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, item)): Path<(String, String)>,
) -> Result<Json<ItemDetail>, ApiError> {
    let (region, item) = guarded(
        &state,
        caller.0.as_ref(),
        &region_key,
        &item,
        |i: &RectificationItem| Action::ReadRectification {
            unit_ids: i.unit_ids().into_iter().map(String::from).collect(),
        },
    )
    .await?;
    let events = state
        .store
        .rectification_events(&region.id, &item.id)
        .await?;
    let files = state
        .store
        .supervision_files(&region.id, "item", &item.id)
        .await?;
    Ok(Json(ItemDetail {
        item,
        events,
        files,
    }))
}

/// `POST …/rectifications/{item}/progress`
#[utoipa::path(
    post,
    operation_id = "rectifications_progress",
    path = "/api/v1/regions/{region}/rectifications/{item}/progress",
    summary = "报送整改进展，或申请销号 / Report progress, or ask for verification",
    description = "权限 / Access: admin; office (the item's campaign); reporter (a unit of the item). `version` must be the item's current version (409); the state must allow it (409).",
    params(("region" = String, Path, description = REGION), ("item" = String, Path, description = "整改事项 id / Item id")),
    request_body(content = ProgressInput, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn progress(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, item)): Path<(String, String)>,
    JsonBody(input): JsonBody<ProgressInput>,
) -> Result<Json<RectificationItem>, ApiError> {
    let (region, item) = guarded(
        &state,
        caller.0.as_ref(),
        &region_key,
        &item,
        |i: &RectificationItem| Action::ReportRectification {
            unit_ids: i.unit_ids().into_iter().map(String::from).collect(),
            campaign: Some(i.plan),
        },
    )
    .await?;
    let p = who(&caller)?;
    let unit = (p.role == Role::Reporter)
        .then(|| p.unit_id.clone())
        .flatten();
    Ok(Json(
        state
            .store
            .report_rectification(
                &region.id,
                &item.id,
                &input,
                unit.as_deref(),
                state.today(),
                &p.user,
            )
            .await?,
    ))
}

/// `POST …/rectifications/{item}/review`
#[utoipa::path(
    post,
    operation_id = "rectifications_review",
    path = "/api/v1/regions/{region}/rectifications/{item}/review",
    summary = "核验：销号或退回 / Verify: close or return",
    description = "权限 / Access: admin; office (the item's campaign); closing a listed item (挂牌督办) only admin. Only an item awaiting verification (409); a return needs a reason (422); `version` current (409).",
    params(("region" = String, Path, description = REGION), ("item" = String, Path, description = "整改事项 id / Item id")),
    request_body(content = ReviewInput, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, item)): Path<(String, String)>,
    JsonBody(input): JsonBody<ReviewInput>,
) -> Result<Json<RectificationItem>, ApiError> {
    let (region, item) = guarded(
        &state,
        caller.0.as_ref(),
        &region_key,
        &item,
        |i: &RectificationItem| Action::ReviewRectification {
            campaign: Some(i.plan),
            listed: i.listed.is_some(),
            close: input.close,
        },
    )
    .await?;
    let actor = &who(&caller)?.user;
    Ok(Json(
        state
            .store
            .review_rectification(&region.id, &item.id, &input, state.today(), actor)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListBody {
    /// 挂牌领导 / The leader in whose name the item is listed.
    #[schema(pattern = r"\S", max_length = 40)]
    leader: String,
}

/// `POST …/rectifications/{item}/list`
#[utoipa::path(
    post,
    operation_id = "rectifications_list_item",
    path = "/api/v1/regions/{region}/rectifications/{item}/list",
    summary = "挂牌督办 / Put an item under listed supervision",
    description = "权限 / Access: admin; office (the item's campaign). Not a closed or already listed item (409).",
    params(("region" = String, Path, description = REGION), ("item" = String, Path, description = "整改事项 id / Item id")),
    request_body(content = ListBody, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn list_item(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, item)): Path<(String, String)>,
    JsonBody(b): JsonBody<ListBody>,
) -> Result<Json<RectificationItem>, ApiError> {
    let (region, item) = guarded(
        &state,
        caller.0.as_ref(),
        &region_key,
        &item,
        |i: &RectificationItem| manage_campaign(i.plan),
    )
    .await?;
    let actor = &who(&caller)?.user;
    Ok(Json(
        state
            .store
            .list_rectification(&region.id, &item.id, &b.leader, state.today(), actor)
            .await?,
    ))
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadenceBody {
    /// `monthly`（默认）, `bimonthly`, `quarterly`.
    #[schema(pattern = "^(monthly|bimonthly|quarterly)$")]
    cadence: String,
}

/// `GET …/plans/{plan}/supervision`
#[utoipa::path(
    get,
    operation_id = "supervision_cadence",
    path = "/api/v1/regions/{region}/plans/{plan}/supervision",
    summary = "攻坚的督导频次 / A campaign's supervision cadence",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = REGION), ("plan" = u32, Path, description = "攻坚编号 / Campaign")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn cadence(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, plan)): Path<(String, u32)>,
) -> Result<Json<CadenceBody>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let c = state.store.supervision_cadence(&region.id, plan).await?;
    Ok(Json(CadenceBody {
        cadence: c.as_str().into(),
    }))
}

/// `PUT …/plans/{plan}/supervision`
#[utoipa::path(
    put,
    operation_id = "supervision_set_cadence",
    path = "/api/v1/regions/{region}/plans/{plan}/supervision",
    summary = "设置督导频次 / Set a campaign's supervision cadence",
    description = "权限 / Access: admin; office (own campaign). The campaign must exist (404).",
    params(("region" = String, Path, description = REGION), ("plan" = u32, Path, description = "攻坚编号 / Campaign")),
    request_body(content = CadenceBody, content_type = "application/json"),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn set_cadence(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, plan)): Path<(String, u32)>,
    JsonBody(b): JsonBody<CadenceBody>,
) -> Result<Json<CadenceBody>, ApiError> {
    let region = manage(&state, &caller, &region_key, plan).await?;
    let c = Cadence::parse(&b.cadence).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "督导频次只能是 monthly、bimonthly 或 quarterly。/ cadence is monthly, bimonthly or quarterly.",
        )
    })?;
    let actor = &who(&caller)?.user;
    let c = state
        .store
        .set_supervision_cadence(&region.id, plan, c, actor)
        .await?;
    Ok(Json(CadenceBody {
        cadence: c.as_str().into(),
    }))
}

/// `GET …/supervision/months/{month}`
#[utoipa::path(
    get,
    operation_id = "supervision_month",
    path = "/api/v1/regions/{region}/supervision/months/{month}",
    summary = "本月督导与整改（通报用）/ The month's visits and items, for the bulletin",
    description = "权限 / Access: signed in; reporters see only their unit's items",
    params(("region" = String, Path, description = REGION), ("month" = String, Path, description = "YYYY-MM", pattern = r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn month_summary(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, m)): Path<(String, String)>,
) -> Result<Json<SupervisionMonth>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let m = month(&m)?;
    let mut s = state
        .store
        .supervision_month(&region.id, m, state.today())
        .await?;
    let p = who(&caller)?;
    s.found = visible(p, s.found);
    s.closed = visible(p, s.closed);
    s.open = visible(p, s.open);
    s.listed = visible(p, s.listed);
    s.overdue = s.open.iter().filter(|i| i.overdue).count();
    Ok(Json(s))
}
