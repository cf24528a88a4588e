//! Request extractors whose rejections are API errors (JSON, 4xx), never
//! axum's plain-text defaults.

use crate::error::ApiError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let detail = r.body_text();
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求体必须是 JSON（Content-Type: application/json）。/ The body must be JSON (Content-Type: application/json).",
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request(format!("JSON 格式错误：{detail}。/ Malformed JSON: {detail}")),
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("字段错误：{detail}。/ Invalid or unknown field: {detail}"),
        ),
        JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("请求体超过 {} 字节。/ The body is larger than {} bytes.", crate::MAX_BODY_BYTES, crate::MAX_BODY_BYTES),
        ),
        other => ApiError::new(other.status(), "bad_request", format!("无法读取请求体。/ Cannot read the body: {detail}")),
    }
}

pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> ApiError {
    let detail = r.body_text();
    ApiError::bad_request(format!(
        "查询参数错误：{detail}。/ Invalid query parameter: {detail}"
    ))
}
