//! `/`: an anonymous visitor goes to the sign-in page, a signed-in person
//! to the home page of their role.

use super::{PageError, Viewer};
use axum::response::{IntoResponse, Redirect, Response};
use duban_core::names::Role;

/// The home page of each role, under `/r/{region}/`.
pub fn home_path(role: Role) -> &'static str {
    match role {
        Role::Reporter => "workbench",
        Role::Office | Role::Admin => "desk",
        // Leaders read; the dashboard is the state of every campaign at a glance.
        Role::Leader => "dashboard",
    }
}

/// `GET /`
pub async fn home(viewer: Result<Viewer, PageError>) -> Response {
    match viewer {
        Ok(v) => Redirect::to(&format!("/r/{}/{}", v.who.region_id, home_path(v.who.role)))
            .into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}
