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

/// Largest page any list answers: lists that grow with use (the outbox,
/// coordination requests, a cycle's reports, reminders) are read a page at
/// a time, so no request can ask the server to serialise everything.
pub const MAX_PAGE: u32 = 500;

/// Largest `offset`: far beyond any real list, small enough for every
/// client's integers.
pub const MAX_OFFSET: u32 = 1_000_000;

/// `?limit=&offset=` on a list: `limit` 1..=[`MAX_PAGE`] (default
/// [`MAX_PAGE`]), `offset` from 0. A page shorter than `limit` is the last.
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<u32>,
}

impl Page {
    pub fn apply<T>(&self, items: Vec<T>) -> Result<Vec<T>, ApiError> {
        page(items, self.limit, self.offset)
    }
}

/// One page of `items`; 400 when `limit` is out of range.
pub fn page<T>(items: Vec<T>, limit: Option<u32>, offset: Option<u32>) -> Result<Vec<T>, ApiError> {
    let limit = limit.unwrap_or(MAX_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit 应在 1 到 {MAX_PAGE} 之间。/ limit must be within 1..={MAX_PAGE}."
        )));
    }
    let offset = offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::bad_request(format!(
            "offset 应在 0 到 {MAX_OFFSET} 之间。/ offset must be within 0..={MAX_OFFSET}."
        )));
    }
    Ok(items
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect())
}

/// Path parameters whose rejection (bad percent-encoding, a segment that is
/// not valid UTF-8) is the documented JSON 400, not axum's plain text.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(r) => {
                let detail = r.body_text();
                Err(ApiError::bad_request(format!(
                    "路径参数错误：{detail}。/ Invalid path parameter: {detail}"
                )))
            }
        }
    }
}
