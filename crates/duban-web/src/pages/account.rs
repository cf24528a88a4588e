//! `/account`: who I am, and changing my own password.

use super::{html, Chrome, Form, PageError, Viewer};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    unit: Option<String>,
    campaign: Option<u32>,
    notice: String,
    error: String,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    notice: &str,
    error: &str,
) -> Result<AccountPage, PageError> {
    let region = state.store.region(&viewer.who.region_id).await?;
    let unit = match &viewer.who.unit_id {
        Some(u) => Some(state.store.unit(&region.id, u).await?.name),
        None => None,
    };
    Ok(AccountPage {
        chrome: Chrome::new(state, viewer, &region, "账户"),
        unit,
        campaign: viewer.who.campaign,
        notice: notice.into(),
        error: error.into(),
    })
}

#[derive(serde::Deserialize)]
pub struct Notice {
    changed: Option<u8>,
}

/// `GET /account`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = if q.changed.is_some() {
        "密码已修改；其他设备上的登录已退出。"
    } else {
        ""
    };
    Ok(html(&render(&state, &viewer, notice, "").await?))
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /account/password`
pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let outcome = if f.new != f.confirm {
        Err("两次输入的新密码不一致。/ The new passwords differ.".to_string())
    } else {
        match state
            .store
            .change_own_password(&viewer.who, &f.current, &f.new, &viewer.token)
            .await
        {
            Ok(()) => Ok(()),
            Err(duban_store::StoreError::Invalid(m)) => Err(m),
            Err(e) => return Err(e.into()),
        }
    };
    match outcome {
        Ok(()) => Ok(super::see_other("/account?changed=1")),
        Err(msg) => {
            let mut resp = html(&render(&state, &viewer, "", &msg).await?);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}
