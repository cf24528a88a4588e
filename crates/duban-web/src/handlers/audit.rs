use crate::auth::{guard, Caller};
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use duban_core::policy::Action;
use duban_store::AuditEntry;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    entity_id: Option<String>,
    limit: Option<i64>,
}

/// `GET …/audit?entity_id=&limit=`: newest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(
        state
            .store
            .audit_log(&region.id, q.entity_id.as_deref(), q.limit.unwrap_or(100))
            .await?,
    ))
}
