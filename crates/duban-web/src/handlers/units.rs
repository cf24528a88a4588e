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
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
) -> Result<Json<Vec<Unit>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.units(&region.id).await?))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    name: UnitName,
    kind: String,
}

/// `POST …/units` `{"name", "kind"}`
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

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAlias {
    alias: UnitName,
}

/// `POST …/units/{unit}/aliases` `{"alias"}`
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
