use axum::Json;
use serde_json::{json, Value};

/// `GET /healthz`: the one endpoint open to anonymous callers.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
