use crate::auth::{guard, Caller};
use crate::extract::Json as JsonBody;
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use duban_core::names::UnitName;
use duban_core::policy::Action;
use duban_store::Unit;

/// `GET …/units`: the registry, with aliases and suggested matches.
#[utoipa::path(
    get,
    operation_id = "units_list",
    path = "/api/v1/regions/{region}/units",
    summary = "单位库 / Units registry",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    headers: axum::http::HeaderMap,
    crate::extract::Query(page): crate::extract::Query<crate::extract::Page>,
) -> Result<axum::response::Response, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let version = state.store.catalog_version(&region.id).await?;
    let key = format!("{}\0units\0{:?}\0{:?}", region.id, page.limit, page.offset);
    state
        .reads
        .json(&headers, key, version, || async {
            page.apply(state.store.units(&region.id).await?)
        })
        .await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    #[schema(schema_with = crate::doc::unit_key)]
    name: UnitName,
    #[schema(pattern = "^(department|town|resident|group)$")]
    kind: String,
}

/// `POST …/units` `{"name", "kind"}`
#[utoipa::path(
    post,
    operation_id = "units_create",
    path = "/api/v1/regions/{region}/units",
    summary = "新增单位 / Add a unit",
    description = "权限 / Access: admin",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id")),
    request_body(content = NewUnit, content_type = "application/json"),
    responses((status = 201, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    JsonBody(body): JsonBody<NewUnit>,
) -> Result<(StatusCode, Json<Unit>), ApiError> {
    let region = guard(&state, &caller, &region, Action::ManageUnits).await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    let unit = state
        .store
        .create_unit(&region.id, &body.name, &body.kind, actor)
        .await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAlias {
    #[schema(schema_with = crate::doc::unit_key)]
    alias: UnitName,
}

/// `POST …/units/{unit}/aliases` `{"alias"}`
#[utoipa::path(
    post,
    operation_id = "units_add_alias",
    path = "/api/v1/regions/{region}/units/{unit}/aliases",
    summary = "新增单位别名 / Add a unit alias",
    description = "权限 / Access: admin",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ("unit" = String, Path, description = "单位 id、名称或别名 / Unit id, name or alias")),
    request_body(content = NewAlias, content_type = "application/json"),
    responses((status = 201, description = "OK", body = serde_json::Value), crate::doc::WriteErrors),
    security(("bearer" = [])),
)]
pub async fn add_alias(
    State(state): State<AppState>,
    caller: Caller,
    Path((region, unit)): Path<(String, String)>,
    JsonBody(body): JsonBody<NewAlias>,
) -> Result<(StatusCode, Json<Unit>), ApiError> {
    let region = guard(&state, &caller, &region, Action::ManageUnits).await?;
    let actor = &caller.0.as_ref().expect("guarded").user;
    let unit = state
        .store
        .add_alias(&region.id, &unit, &body.alias, actor)
        .await?;
    Ok((StatusCode::CREATED, Json(unit)))
}
