//! API errors: `{"error": {"code", "message"}}` with the right status.
//! Messages are Chinese first, then English.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use duban_core::policy::Denied;
use duban_store::StoreError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": { "code": self.code, "message": self.message } })),
        )
            .into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
            StoreError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::Corrupt(m) => {
                eprintln!("corrupt data: {m}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "corrupt_data",
                    format!("数据库中的数据有误，请联系管理员：{m}。/ Stored data is invalid; tell the administrator."),
                )
            }
            StoreError::Open(m) => {
                eprintln!("database: {m}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database",
                    "数据库暂时不可用，请稍后重试。/ The database is unavailable; retry later.",
                )
            }
            StoreError::Db(e) => {
                eprintln!("database error: {e}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database",
                    "数据库暂时不可用，请稍后重试。/ The database is unavailable; retry later.",
                )
            }
        }
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::Unauthenticated => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", d.to_string())
            }
            Denied::OtherRegion | Denied::Forbidden(_) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", d.to_string())
            }
        }
    }
}

pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "没有这个地址。/ No such endpoint.",
    )
}

/// 405 in the documented JSON shape (axum still adds the `Allow` header).
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "该地址不支持这个请求方法。/ This endpoint does not support that method.",
    )
}
