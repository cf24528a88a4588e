//! The coordination group's (综合协调组) pages: plan import with a preview,
//! the units registry, users and their API tokens, holidays, the audit log.
//!
//! Admin only. Every handler, GET included, goes through
//! [`crate::auth::guard_for`] with the action the JSON API or the CLI would
//! need (`ImportPlan`, `ManageUnits`, `ManageUsers`), so an office or a
//! reporter gets 403 on each of these pages, not a page without buttons.

mod audit;
mod holidays;
mod import;
mod units;
mod users;

use super::{PageAccess, PageError, Spec};
use crate::auth::guard_for;
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use duban_core::policy::Action;
use duban_store::{Region, StoreError};

/// The admin page routes (all [`PageAccess::Admin`]), for the one page
/// route table in `pages/mod.rs`.
pub(super) fn specs() -> Vec<Spec> {
    let a = "/r/{region}/admin";
    let s = |method, path: String, handler| Spec {
        method,
        path,
        access: PageAccess::Admin,
        handler,
    };
    let upload = DefaultBodyLimit::max(duban_plan::MAX_INPUT_BYTES + 64 * 1024);
    vec![
        s("get", format!("{a}/import"), get(import::page)),
        s(
            "post",
            format!("{a}/import"),
            post(import::upload).layer(upload),
        ),
        s("get", format!("{a}/import/{{id}}"), get(import::preview)),
        // A big plan's correction form has two fields per task.
        s(
            "post",
            format!("{a}/import/{{id}}/confirm"),
            post(import::confirm).layer(DefaultBodyLimit::max(4 * 1024 * 1024)),
        ),
        s(
            "post",
            format!("{a}/import/{{id}}/cancel"),
            post(import::cancel),
        ),
        s("get", format!("{a}/units"), get(units::page)),
        s("post", format!("{a}/units/merge"), post(units::merge)),
        s("post", format!("{a}/units/alias"), post(units::alias)),
        s("post", format!("{a}/units/review"), post(units::review)),
        s("get", format!("{a}/users"), get(users::list)),
        s("post", format!("{a}/users"), post(users::create)),
        s("get", format!("{a}/users/{{name}}"), get(users::detail)),
        s("post", format!("{a}/users/{{name}}"), post(users::update)),
        s(
            "post",
            format!("{a}/users/{{name}}/password"),
            post(users::reset_password),
        ),
        s(
            "post",
            format!("{a}/users/{{name}}/disable"),
            post(users::set_disabled),
        ),
        s(
            "post",
            format!("{a}/users/{{name}}/tokens"),
            post(users::create_token),
        ),
        s(
            "post",
            format!("{a}/users/{{name}}/tokens/{{id}}/revoke"),
            post(users::revoke_token),
        ),
        s("get", format!("{a}/holidays"), get(holidays::page)),
        s("post", format!("{a}/holidays"), post(holidays::add)),
        s(
            "post",
            format!("{a}/holidays/{{day}}/remove"),
            post(holidays::remove),
        ),
        s("get", format!("{a}/audit"), get(audit::page)),
    ]
}

/// The region, when the viewer may do `action` there.
async fn guard(
    state: &AppState,
    viewer: &super::Viewer,
    region_key: &str,
    action: Action,
) -> Result<Region, PageError> {
    Ok(guard_for(state, Some(&viewer.who), region_key, action).await?)
}

/// A store refusal a person can act on becomes the message shown on the
/// page; anything else (a database failure) propagates as an error page.
fn refusal(e: StoreError) -> Result<String, PageError> {
    match e {
        StoreError::Invalid(m) | StoreError::Conflict(m) | StoreError::NotFound(m) => Ok(m),
        other => Err(other.into()),
    }
}

/// A page re-rendered with a refusal answers 422, so scripts and tests
/// can tell it from a success.
fn with_status(mut resp: Response, error: &str) -> Response {
    if !error.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// Splits a list of unit names as plans write them (、 or ，; also ASCII
/// commas and semicolons typed on a plain keyboard).
fn split_units(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', '；', ';'])
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unit_lists_split_on_every_separator_people_type() {
        assert_eq!(
            super::split_units(" 市发改局、市财政局，市人社局,  ;市商务局 "),
            ["市发改局", "市财政局", "市人社局", "市商务局"]
        );
        assert!(super::split_units(" 、 ").is_empty());
    }
}
