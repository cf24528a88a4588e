//! 信息公开: publish a closed cycle on the public page (`/public/{region}`),
//! withdraw it, list what was published.

use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::Publication;

/// `GET …/publications`: every publishing, newest first. Who published
/// what is part of the audit trail, so admin and offices only.
#[utoipa::path(
    get,
    operation_id = "publications_list",
    path = "/api/v1/regions/{region}/publications",
    summary = "信息公开发布记录 / What is published",
    description = "权限 / Access: admin; office",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
) -> Result<Json<Vec<Publication>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::ReadAudit).await?;
    Ok(Json(state.store.publications(&region.id).await?))
}

/// The region and the cycle, when the caller may publish the cycle's campaign.
async fn publish_guard(
    state: &AppState,
    caller: &Caller,
    region_key: &str,
    cycle: &str,
) -> Result<(duban_store::Region, String), ApiError> {
    let region = guard(state, caller, region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, cycle).await?;
    guard(
        state,
        caller,
        region_key,
        Action::Publish {
            campaign: u32::try_from(c.plan).ok(),
        },
    )
    .await?;
    let actor = crate::auth::signed_in(caller)?.user.clone();
    Ok((region, actor))
}

/// `POST …/cycles/{cycle}/publish`: only a closed cycle (409 otherwise).
#[utoipa::path(
    post,
    operation_id = "publications_publish",
    path = "/api/v1/regions/{region}/cycles/{cycle}/publish",
    summary = "发布到信息公开页 / Publish a closed cycle",
    description = "权限 / Access: admin; office (own campaign). 只能发布已关闭的周期 / Only a closed cycle can be published.",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, cycle)): Path<(String, String)>,
) -> Result<Json<Publication>, ApiError> {
    let (region, actor) = publish_guard(&state, &caller, &region_key, &cycle).await?;
    let p = state.store.publish(&region.id, &cycle, &actor).await?;
    state.public.forget(&region.id);
    Ok(Json(p))
}

/// `POST …/cycles/{cycle}/withdraw`
#[utoipa::path(
    post,
    operation_id = "publications_withdraw",
    path = "/api/v1/regions/{region}/cycles/{cycle}/withdraw",
    summary = "从信息公开页撤回 / Withdraw a published cycle",
    description = "权限 / Access: admin; office (own campaign)",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("cycle" = String, Path, description = "周期 id / Cycle id")),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path((region_key, cycle)): Path<(String, String)>,
) -> Result<Json<Publication>, ApiError> {
    let (region, actor) = publish_guard(&state, &caller, &region_key, &cycle).await?;
    let p = state.store.withdraw(&region.id, &cycle, &actor).await?;
    state.public.forget(&region.id);
    Ok(Json(p))
}
