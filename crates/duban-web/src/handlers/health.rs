use axum::Json;
use serde_json::{json, Value};

/// `GET /healthz`: the one endpoint open to anonymous callers.
#[utoipa::path(
    get,
    operation_id = "health_healthz",
    path = "/healthz",
    summary = "健康检查 / Health check",
    description = "权限 / Access: anyone",
    responses((status = 200, description = "OK", body = serde_json::Value)),
)]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
