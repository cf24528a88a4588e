//! The OpenAPI description of the API, built from one route table that the
//! tests also walk (every route exists, every write is role-checked).

use crate::auth::{signed_in, Caller};
use crate::ApiError;
use axum::Json;
use serde_json::{json, Value};

pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Who may call it (beyond reading, which every signed-in role may).
    pub who: &'static str,
    pub body: Option<Value>,
    pub query: &'static [&'static str],
}

pub fn routes() -> Vec<RouteDoc> {
    let r = |method, path, summary, who, query| RouteDoc {
        method,
        path,
        summary,
        who,
        body: None,
        query,
    };
    vec![
        r("get", "/healthz", "健康检查 / Health check", "anyone", &[]),
        r(
            "get",
            "/api/v1/openapi.json",
            "本文档 / This document",
            "signed in",
            &[],
        ),
        r(
            "get",
            "/api/v1/regions",
            "可见的区域 / Regions visible to the caller",
            "signed in",
            &[],
        ),
        r(
            "get",
            "/api/v1/regions/{region}/plans",
            "方案 / Plans",
            "signed in",
            &[],
        ),
        r(
            "get",
            "/api/v1/regions/{region}/campaigns",
            "攻坚（实施方案）/ Campaigns",
            "signed in",
            &[],
        ),
        r(
            "get",
            "/api/v1/regions/{region}/tasks",
            "任务，可按方案、攻坚、单位（含单位组）、角色、时限筛选 / Tasks with filters",
            "signed in",
            &["plan", "campaign", "unit", "role", "due_from", "due_to"],
        ),
        r(
            "get",
            "/api/v1/regions/{region}/tasks/{task}",
            "一项任务 / One task",
            "signed in",
            &[],
        ),
        RouteDoc {
            method: "put",
            path: "/api/v1/regions/{region}/tasks/{task}/assignments",
            summary: "更正责任分工 / Correct a task's assignment",
            who: "admin; office (own campaign)",
            body: Some(
                json!({ "type": "object", "required": ["lead_units"], "additionalProperties": false,
                "properties": { "lead_units": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                                "co_units": { "type": "array", "items": { "type": "string" } } } }),
            ),
            query: &[],
        },
        r(
            "get",
            "/api/v1/regions/{region}/tasks/{task}/list-items",
            "任务下的清单 / Lists under a task",
            "signed in",
            &[],
        ),
        RouteDoc {
            method: "post",
            path: "/api/v1/regions/{region}/tasks/{task}/list-items",
            summary: "新增清单事项（项目/任务/政策清单）/ Add a list item",
            who: "admin; office (own campaign); reporter (own unit)",
            body: Some(
                json!({ "type": "object", "required": ["unit", "kind", "title", "lead_person"], "additionalProperties": false,
                "properties": { "unit": { "type": "string" }, "kind": { "enum": ["project", "task", "policy"] },
                    "title": { "type": "string", "minLength": 1, "maxLength": 200 }, "lead_person": { "type": "string", "minLength": 1, "maxLength": 40 },
                    "planned_investment": { "type": "number", "minimum": 0 }, "funds_secured": { "type": "number", "minimum": 0 },
                    "started": { "type": "boolean" }, "funds_paid": { "type": "number", "minimum": 0 },
                    "physical_progress": { "type": "number", "minimum": 0, "maximum": 100 } } }),
            ),
            query: &[],
        },
        r(
            "get",
            "/api/v1/regions/{region}/targets",
            "目标值 / Targets",
            "signed in",
            &["plan"],
        ),
        r(
            "get",
            "/api/v1/regions/{region}/units",
            "单位库 / Units registry",
            "signed in",
            &[],
        ),
        RouteDoc {
            method: "post",
            path: "/api/v1/regions/{region}/units",
            summary: "新增单位 / Add a unit",
            who: "admin",
            body: Some(
                json!({ "type": "object", "required": ["name", "kind"], "additionalProperties": false,
                "properties": { "name": { "type": "string", "minLength": 1, "maxLength": 60 }, "kind": { "enum": ["department", "town", "resident", "group"] } } }),
            ),
            query: &[],
        },
        RouteDoc {
            method: "post",
            path: "/api/v1/regions/{region}/units/{unit}/aliases",
            summary: "新增单位别名 / Add a unit alias",
            who: "admin",
            body: Some(
                json!({ "type": "object", "required": ["alias"], "additionalProperties": false,
                "properties": { "alias": { "type": "string", "minLength": 1, "maxLength": 60 } } }),
            ),
            query: &[],
        },
        r(
            "get",
            "/api/v1/regions/{region}/task-forces",
            "工作专班 / Task forces",
            "signed in",
            &[],
        ),
        r(
            "get",
            "/api/v1/regions/{region}/audit",
            "修改记录 / Audit log",
            "signed in",
            &["entity_id", "limit"],
        ),
    ]
}

pub fn document() -> Value {
    let error = json!({ "description": "错误 / Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let mut paths = serde_json::Map::new();
    for route in routes() {
        let mut params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        params.extend(route.query.iter().map(|q| json!({ "name": q, "in": "query", "required": false, "schema": { "type": "string" } })));
        let mut op = json!({
            "summary": route.summary,
            "description": format!("权限 / Access: {}", route.who),
            "parameters": params,
            "responses": {
                "200": { "description": "OK", "content": { "application/json": { "schema": {} } } },
                "400": error, "401": error, "403": error, "404": error, "413": error, "422": error
            }
        });
        if route.path != "/healthz" {
            op["security"] = json!([{ "bearer": [] }]);
        }
        if let Some(body) = &route.body {
            op["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": body } } });
            op["responses"]["201"] = json!({ "description": "Created" });
            op["responses"]["409"] = error.clone();
        }
        let entry = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        entry[route.method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "duban 督办 API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "督办台账 JSON API。错误格式：{\"error\": {\"code\", \"message\"}}。/ The supervision ledger's JSON API." },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": { "Error": { "type": "object", "properties": { "error": { "type": "object",
                "properties": { "code": { "type": "string" }, "message": { "type": "string" } } } } } }
        }
    })
}

pub async fn handler(caller: Caller) -> Result<Json<Value>, ApiError> {
    signed_in(&caller)?;
    Ok(Json(document()))
}
