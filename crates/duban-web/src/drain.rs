//! Reads an API request's whole body before the request is routed.
//!
//! Why: a handler may refuse a request before reading its body (an unknown
//! region in the path, a body over [`crate::MAX_BODY_BYTES`]). hyper then
//! closes the connection with the unread body still in the socket, the
//! kernel answers with a reset, and the client often loses the response —
//! it sees "connection reset" instead of our documented JSON error. Bodies
//! up to [`DRAIN_LIMIT`] are therefore read in full first (the header and
//! body timeouts of `hygiene` still bound the time this takes); the API's
//! own limit is enforced after, with the documented `too_large` error.
//! Only a client sending more than `DRAIN_LIMIT` to the API is answered
//! before its body is read. Pages are left alone: their uploads are
//! streamed by the multipart extractor under their own limits.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The most an API request body is read before answering (1 MiB).
pub const DRAIN_LIMIT: usize = 1024 * 1024;

fn too_large() -> Response {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "请求体超过 {} 字节。/ The body is larger than {} bytes.",
            crate::MAX_BODY_BYTES,
            crate::MAX_BODY_BYTES
        ),
    )
    .into_response()
}

pub async fn read_api_body(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/")
        || matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
    {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, DRAIN_LIMIT).await {
        Ok(bytes) if bytes.len() > crate::MAX_BODY_BYTES => too_large(),
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}
