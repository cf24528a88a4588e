//! Reminders: due soon (临近提醒) and overdue (催办) per unit; the outbox.

use crate::auth::{guard, Caller};
use crate::extract::Path;
use crate::extract::{page, Page, Query};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use duban_core::dates::Date;
use duban_core::policy::Action;
use duban_store::{Notification, Reminder};

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReminderQuery {
    #[param(value_type = Option<String>, pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$")]
    as_of: Option<Date>,
    unit: Option<String>,
    /// A campaign: the office's view of who owes what.
    plan: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(minimum = 0, maximum = 1000000)]
    offset: Option<u32>,
}

/// `GET …/reminders?as_of=&unit=&plan=`: who still owes what, due soon or overdue.
#[utoipa::path(
    get,
    operation_id = "reminders_list",
    path = "/api/v1/regions/{region}/reminders",
    summary = "临近提醒与催办 / Due soon and overdue",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), ReminderQuery),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(q): Query<ReminderQuery>,
) -> Result<Json<Vec<Reminder>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    let unit = match &q.unit {
        Some(u) => Some(state.store.unit(&region.id, u).await?.name),
        None => None,
    };
    let all = state
        .store
        .reminders(&region.id, q.as_of.unwrap_or_else(|| state.today()))
        .await?;
    let matching = all
        .into_iter()
        .filter(|r| {
            unit.as_ref().is_none_or(|u| &r.unit == u) && q.plan.is_none_or(|p| p == r.plan)
        })
        .collect();
    Ok(Json(page(matching, q.limit, q.offset)?))
}

/// `GET …/notifications`: the outbox, with attempts and the last error.
#[utoipa::path(
    get,
    operation_id = "reminders_outbox",
    path = "/api/v1/regions/{region}/notifications",
    summary = "消息发送记录 / The notification outbox",
    description = "权限 / Access: signed in",
    params(("region" = String, Path, description = "区域名称或 id / Region name or id"), crate::extract::Page),
    responses((status = 200, description = "OK", body = serde_json::Value), crate::doc::ReadErrors),
    security(("bearer" = [])),
)]
pub async fn outbox(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(p): Query<Page>,
) -> Result<Json<Vec<Notification>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(p.apply(state.store.notifications(&region.id).await?)?))
}
