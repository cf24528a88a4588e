//! Pieces every operation of the OpenAPI document shares: the error body
//! and the error statuses a route can answer. Listing them once keeps each
//! handler's `#[utoipa::path]` to what is particular to it.

use serde::Serialize;
use serde_json::{json, Value};
use utoipa::openapi::schema::{Array, ArrayBuilder, Object, ObjectBuilder, Type};
use utoipa::{IntoResponses, ToSchema};

/// `{"error": {"code", "message"}}`: every error, Chinese first then English.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `unauthenticated`, `forbidden`, `not_found`,
    /// `method_not_allowed`, `conflict`, `too_large`,
    /// `unsupported_media_type`, `invalid`, `database`.
    pub code: String,
    pub message: String,
}

/// Errors of a read: bad query (400), no token (401), outside the caller's
/// rights (403), no such object (404), database unavailable (503).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ReadErrors {
    #[response(status = 400, description = "参数错误 / Bad parameter")]
    BadRequest(#[to_schema] ErrorBody),
    #[response(status = 401, description = "未登录 / Not signed in")]
    Unauthenticated(ErrorBody),
    #[response(status = 403, description = "无权 / Forbidden")]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "不存在 / Not found")]
    NotFound(ErrorBody),
    #[response(status = 503, description = "数据库不可用 / Database unavailable")]
    Unavailable(ErrorBody),
}

/// Errors of a write: those of a read, and a stale version or duplicate
/// (409), a body over 64 KiB (413), a body that is not JSON (415), and a
/// well-formed body the ledger's rules refuse (422).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum WriteErrors {
    #[response(status = 400, description = "请求错误 / Bad request")]
    BadRequest(#[to_schema] ErrorBody),
    #[response(status = 401, description = "未登录 / Not signed in")]
    Unauthenticated(ErrorBody),
    #[response(status = 403, description = "无权 / Forbidden")]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "不存在 / Not found")]
    NotFound(ErrorBody),
    #[response(
        status = 409,
        description = "版本冲突或重复 / Stale version or duplicate"
    )]
    Conflict(ErrorBody),
    #[response(status = 413, description = "请求体过大 / Body too large")]
    TooLarge(ErrorBody),
    #[response(
        status = 415,
        description = "请求体必须是 JSON / The body must be JSON"
    )]
    NotJson(ErrorBody),
    #[response(
        status = 422,
        description = "不符合台账规则 / Refused by the ledger's rules"
    )]
    Invalid(ErrorBody),
    #[response(status = 503, description = "数据库不可用 / Database unavailable")]
    Unavailable(ErrorBody),
}

/// One name (a unit, an alias, a unit key): the rules of
/// `duban_core::names`, which trim white space (Rust's `White_Space`,
/// spelt out here because regex `\s` differs) and then want something
/// left, no control characters, no separators
/// (、，,；;/\\), at most 60 characters.
pub const NAME_PATTERN: &str = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f、，,；;/\\\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f、，,；;/\\]*[^\x00-\x1f\x7f-\x9f、，,；;/\\\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";

/// A unit by id, name or alias (or a new unit name).
pub fn unit_key() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(60))
        .pattern(Some(NAME_PATTERN))
        .build()
}

fn unit_keys(min: usize, max: usize) -> Array {
    ArrayBuilder::new()
        .items(unit_key())
        .min_items(Some(min))
        .max_items(Some(max))
        .build()
}

/// Lead units of a correction: one or more.
pub fn lead_units() -> Array {
    unit_keys(1, 50)
}

/// Co-units of a correction.
pub fn co_units() -> Array {
    unit_keys(0, 200)
}

/// `duban_store::NewListItem`, written out because its rule is conditional:
/// investment and progress figures belong to project items only, which a
/// derived schema cannot say. Checked against `NewListItem::validate` by
/// the schemathesis run (no schema-valid body may be refused).
pub struct NewListItemSchema;

impl utoipa::PartialSchema for NewListItemSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let text = |max: usize| json!({ "type": "string", "maxLength": max, "pattern": "\\S" });
        let amount = json!({ "type": "number", "minimum": 0 });
        let common = |kinds: Value| {
            json!({
                "unit": { "type": "string", "minLength": 1, "maxLength": 60, "pattern": NAME_PATTERN },
                "kind": { "type": "string", "enum": kinds },
                "title": text(200),
                "lead_person": text(40),
            })
        };
        let mut project = common(json!(["project"]));
        for (name, schema) in [
            ("planned_investment", amount.clone()),
            ("funds_secured", amount.clone()),
            ("funds_paid", amount),
            ("started", json!({ "type": "boolean" })),
            (
                "physical_progress",
                json!({ "type": "number", "minimum": 0, "maximum": 100 }),
            ),
        ] {
            project[name] = schema;
        }
        let other = common(json!(["task", "policy"]));
        let variant = |properties: Value| {
            json!({ "type": "object", "additionalProperties": false,
                    "required": ["unit", "kind", "title", "lead_person"], "properties": properties })
        };
        let schema = json!({ "oneOf": [variant(project), variant(other)] });
        serde_json::from_value(schema).unwrap_or_else(|_| {
            utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(Object::new()))
        })
    }
}

impl ToSchema for NewListItemSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "NewListItem".into()
    }
}

/// The body of a batch save: 1 to [`crate::handlers::reports::MAX_BATCH`]
/// reports (a derived `Vec` schema would not state the bounds).
pub struct ReportBatch;

impl utoipa::PartialSchema for ReportBatch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("ReportItem"))
            .min_items(Some(1))
            .max_items(Some(crate::handlers::reports::MAX_BATCH))
            .build()
            .into()
    }
}

impl ToSchema for ReportBatch {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            "ReportItem".into(),
            <duban_store::ReportItem as utoipa::PartialSchema>::schema(),
        ));
        <duban_store::ReportItem as ToSchema>::schemas(schemas);
    }
}
