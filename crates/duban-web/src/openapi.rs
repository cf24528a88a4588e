//! The OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations through the route table in `lib.rs` (so every route the
//! router answers is documented, and nothing else is).

use crate::auth::{signed_in, Caller};
use crate::ApiError;
use axum::Json;
use serde_json::Value;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa::ToSchema;

/// The document's frame: title, version, the bearer scheme, and the error
/// body every operation refers to.
pub fn base() -> OpenApi {
    let mut schemas = Vec::new();
    <crate::doc::ErrorBody as ToSchema>::schemas(&mut schemas);
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("duban 督办 API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "督办台账 JSON API。错误格式：{\"error\": {\"code\", \"message\"}}；请求体只接受 JSON。\
                     / The supervision ledger's JSON API. Errors are {\"error\": {\"code\", \"message\"}}; bodies are JSON only.",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(
                    "bearer",
                    SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
                )
                .schema("ErrorBody", <crate::doc::ErrorBody as utoipa::PartialSchema>::schema())
                .schemas_from_iter(schemas)
                .build(),
        ))
        .build()
}

/// The document as JSON, built once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(crate::openapi_document()).unwrap_or(Value::Null))
}

#[utoipa::path(
    get,
    operation_id = "openapi",
    path = "/api/v1/openapi.json",
    summary = "本文档 / This document",
    description = "权限 / Access: signed in",
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn handler(caller: Caller) -> Result<Json<Value>, ApiError> {
    signed_in(&caller)?;
    Ok(Json(document().clone()))
}
