//! Sign-in and sign-out. Sign-ins are throttled per account and per client
//! address (HTTP 429 after five failures in fifteen minutes) and every
//! attempt is audited, in `duban_store::sessions`.

use super::{html, Form, PageError, Viewer, SESSION_COOKIE};
use crate::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use duban_store::SignInRefused;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    username: String,
    next: String,
    error: String,
    demo_date: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirects).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn page(state: &AppState, username: &str, next: &str, error: &str) -> LoginPage {
    LoginPage {
        username: username.to_string(),
        next: next.to_string(),
        error: error.to_string(),
        demo_date: state.today.map(|d| d.to_string()),
    }
}

/// `GET /login`
pub async fn form(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    html(&page(&state, "", &safe_next(q.next.as_deref()), ""))
}

#[derive(serde::Deserialize)]
pub struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The client's address as the socket saw it (not `X-Forwarded-For`, which
/// anyone can write), for per-address throttling.
pub struct Peer(Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| *a),
        ))
    }
}

/// Served over https behind a proxy: the cookie gets `Secure`.
fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// `POST /login` `username`, `password`, `next`
pub async fn submit(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    jar: CookieJar,
    Form(c): Form<Credentials>,
) -> Result<Response, PageError> {
    let next = safe_next(Some(&c.next));
    let username: String = c.username.trim().chars().take(64).collect();
    if username.is_empty() || c.password.is_empty() {
        let mut resp = html(&page(
            &state,
            &username,
            &next,
            "请输入用户名和密码。/ Enter your user name and password.",
        ));
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    }
    let client = peer
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let password: String = c.password.chars().take(256).collect();
    match state.store.sign_in(&username, &password, &client).await? {
        Ok((token, _session)) => {
            let cookie = Cookie::build((SESSION_COOKIE, token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(is_https(&headers))
                .build();
            Ok((jar.add(cookie), Redirect::to(&next)).into_response())
        }
        Err(refused) => {
            let (status, message) = match refused {
                SignInRefused::Throttled => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "登录失败次数过多，请 15 分钟后再试，或联系综合协调组。/ Too many failed sign-ins; try again in 15 minutes.",
                ),
                SignInRefused::BadCredentials => (
                    StatusCode::UNAUTHORIZED,
                    "用户名或密码不正确。/ Wrong user name or password.",
                ),
            };
            let mut resp = html(&page(&state, &username, &next, message));
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

/// `POST /logout` (with the form token)
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    Form(f): Form<super::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    state.store.sign_out(&viewer.token, &viewer.who).await?;
    let gone = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    Ok((jar.remove(gone), Redirect::to("/login")).into_response())
}
