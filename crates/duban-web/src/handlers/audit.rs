use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::policy::Action;
use duban_store::AuditEntry;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    entity_id: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// Largest page of the audit log: a page, never a dump of the whole log.
pub const MAX_AUDIT_PAGE: i64 = 500;

/// `GET …/audit?entity_id=&limit=`: newest first; admin and offices only;
/// `limit` 1..=500 (default 100).
#[utoipa::path(
    get,
    operation_id = "audit_list",
    path = "/api/v1/regions/{region}/audit",
    summary = "修改记录 / Audit log",
    description = "权限 / Access: admin; office",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), AuditQuery),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::ReadAudit).await?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit 应在 1 到 {MAX_AUDIT_PAGE} 之间。/ limit must be within 1..={MAX_AUDIT_PAGE}."
        )));
    }
    Ok(Json(
        state
            .store
            .audit_log(&region.id, q.entity_id.as_deref(), limit)
            .await?,
    ))
}
