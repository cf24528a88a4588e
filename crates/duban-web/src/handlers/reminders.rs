//! Reminders: due soon (临近提醒) and overdue (催办) per unit; the outbox.

use crate::auth::{guard, Caller};
use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use duban_core::dates::Date;
use duban_core::policy::Action;
use duban_store::{Notification, Reminder};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderQuery {
    as_of: Option<Date>,
    unit: Option<String>,
    /// A campaign: the office's view of who owes what.
    plan: Option<i64>,
}

/// `GET …/reminders?as_of=&unit=&plan=`: who still owes what, due soon or overdue.
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
    Ok(Json(
        all.into_iter()
            .filter(|r| {
                unit.as_ref().is_none_or(|u| &r.unit == u) && q.plan.is_none_or(|p| p == r.plan)
            })
            .collect(),
    ))
}

/// `GET …/notifications`: the outbox, with attempts and the last error.
pub async fn outbox(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
) -> Result<Json<Vec<Notification>>, ApiError> {
    let region = guard(&state, &caller, &region, Action::Read).await?;
    Ok(Json(state.store.notifications(&region.id).await?))
}
