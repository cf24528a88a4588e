//! The stylesheet and script, embedded in the binary: the server runs on an
//! isolated network, so nothing is fetched from anywhere else.

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;

const STYLE: &str = include_str!("../../assets/style.css");
const SCRIPT: &str = include_str!("../../assets/app.js");

fn asset(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
}

pub async fn style() -> impl IntoResponse {
    asset(STYLE, "text/css; charset=utf-8")
}

pub async fn script() -> impl IntoResponse {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}
