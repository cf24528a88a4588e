use crate::auth::{signed_in, Caller};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_store::Region;

/// `GET /api/v1/regions`: the regions the caller can see.
#[utoipa::path(
    get,
    operation_id = "regions_list",
    path = "/api/v1/regions",
    summary = "可见的区域 / Regions visible to the caller",
    description = "权限 / Access: signed in",
    params(crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::Query(page): crate::extract::Query<crate::extract::Page>,
) -> Result<Json<Vec<Region>>, ApiError> {
    let who = signed_in(&caller)?;
    let mut out = Vec::new();
    for r in state.store.regions().await? {
        if state.store.region_in_scope(&who.region_id, &r.id).await? {
            out.push(r);
        }
    }
    Ok(Json(page.apply(out)?))
}
