//! 用户 and 令牌: the region's accounts (role, unit, campaign, last sign-in,
//! disabled), creating one, changing its role/unit/campaign, resetting its
//! password, disabling and enabling it; and each account's API tokens
//! (created, expiry, revoked), a new one shown once, revoking one.

use super::super::{
    encode_component, html, role_label, see_other, Chrome, Form, PageError, Viewer,
};
use super::{guard, refusal, with_status};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::names::{Role, UserName};
use duban_core::policy::Action;
use duban_store::{NewUser, Region, User, UserChange};
use std::collections::HashMap;

pub struct UserLine {
    name: String,
    href: String,
    role: &'static str,
    unit: String,
    campaign: String,
    last_sign_in: String,
    disabled: bool,
}

/// The account fields of the create and edit forms, as typed.
#[derive(serde::Deserialize, Default, Clone)]
pub struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    campaign: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    region_id: String,
    users: Vec<UserLine>,
    roles: Vec<(&'static str, &'static str)>,
    plans: Vec<i64>,
    unit_names: Vec<String>,
    typed: AccountForm,
    notice: String,
    error: String,
}

fn roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), role_label(*r)))
        .collect()
}

/// Unit id → name, for the tables.
async fn unit_names(
    state: &AppState,
    region: &Region,
) -> Result<HashMap<String, String>, PageError> {
    Ok(state
        .store
        .units(&region.id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

async fn plan_numbers(state: &AppState, region: &Region) -> Result<Vec<i64>, PageError> {
    Ok(state
        .store
        .plans(&region.id)
        .await?
        .into_iter()
        .map(|p| p.no)
        .filter(|n| *n > 0)
        .collect())
}

fn user_href(region: &Region, name: &str) -> String {
    format!("/r/{}/admin/users/{}", region.id, encode_component(name))
}

async fn render_list(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    typed: AccountForm,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let units = unit_names(state, region).await?;
    let seen = state.store.last_sign_ins(&region.id).await?;
    let users = state
        .store
        .users(Some(&region.id))
        .await?
        .into_iter()
        .map(|(u, disabled)| UserLine {
            href: user_href(region, &u.name),
            role: role_label(u.role),
            unit: u
                .unit_id
                .as_ref()
                .and_then(|id| units.get(id))
                .cloned()
                .unwrap_or_default(),
            campaign: u.campaign.map(|c| c.to_string()).unwrap_or_default(),
            last_sign_in: seen.get(&u.name).cloned().unwrap_or_default(),
            disabled,
            name: u.name,
        })
        .collect();
    let mut unit_names: Vec<String> = units.into_values().collect();
    unit_names.sort();
    let page = UsersPage {
        chrome: Chrome::new(state, viewer, region, "用户"),
        region_id: region.id.clone(),
        users,
        roles: roles(),
        plans: plan_numbers(state, region).await?,
        unit_names,
        typed: AccountForm {
            csrf: String::new(),
            password: String::new(),
            ..typed
        },
        notice,
        error,
    };
    Ok(with_status(html(&page), &page.error))
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /r/{region}/admin/users`
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    let notice = match q.done.as_deref() {
        Some("created") => "账号已创建。请把用户名和初始密码告知本人，并提醒登录后修改密码。",
        _ => "",
    };
    render_list(
        &state,
        &viewer,
        &region,
        AccountForm::default(),
        notice.into(),
        String::new(),
    )
    .await
}

/// The role, unit and campaign of a form, checked.
fn change_of(f: &AccountForm) -> Result<UserChange, String> {
    let role = Role::parse(&f.role).map_err(|e| e.to_string())?;
    let campaign = match f.campaign.trim() {
        "" => None,
        c => Some(c.parse::<u32>().map_err(|_| {
            format!("攻坚应是方案编号（如 1）。/ The campaign is a plan number, got '{c}'.")
        })?),
    };
    let unit = Some(f.unit.trim().to_string()).filter(|u| !u.is_empty());
    // Checked here too (the store checks again) so the page can say it in
    // the form's words rather than the CLI's flags.
    if role == Role::Reporter && unit.is_none() {
        return Err("填报账号必须指定所属单位。/ A reporter needs a unit.".into());
    }
    if role == Role::Office && campaign.is_none() {
        return Err("专班办公室账号必须选择攻坚。/ An office needs a campaign.".into());
    }
    Ok(UserChange {
        role,
        unit,
        campaign,
    })
}

/// `POST /r/{region}/admin/users` `name`, `role`, `unit`, `campaign`, `password`
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<AccountForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    let checked = (|| -> Result<NewUser, String> {
        let name = UserName::parse(&f.name).map_err(|e| e.to_string())?;
        let change = change_of(&f)?;
        if f.password.is_empty() {
            return Err("请设置初始密码（至少 8 位）。/ Set an initial password.".into());
        }
        Ok(NewUser {
            name,
            role: change.role,
            unit: change.unit,
            campaign: change.campaign,
            password: Some(f.password.clone()),
        })
    })();
    let new = match checked {
        Ok(n) => n,
        Err(m) => return render_list(&state, &viewer, &region, f, String::new(), m).await,
    };
    match state
        .store
        .add_user(&region.id, new, &viewer.who.user)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/r/{}/admin/users?done=created",
            region.id
        ))),
        Err(e) => render_list(&state, &viewer, &region, f, String::new(), refusal(e)?).await,
    }
}

pub struct TokenLine {
    id: String,
    created_at: String,
    expires_at: String,
    revoked_at: String,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    chrome: Chrome,
    region_id: String,
    href: String,
    name: String,
    role: &'static str,
    unit: String,
    campaign: String,
    disabled: bool,
    is_self: bool,
    last_sign_in: String,
    tokens: Vec<TokenLine>,
    roles: Vec<(&'static str, &'static str)>,
    plans: Vec<i64>,
    unit_names: Vec<String>,
    typed: AccountForm,
    new_token: String,
    notice: String,
    error: String,
}

/// A user of this region (an admin manages its own region's accounts).
async fn member(state: &AppState, region: &Region, name: &str) -> Result<(User, bool), PageError> {
    state
        .store
        .users(Some(&region.id))
        .await?
        .into_iter()
        .find(|(u, _)| u.name == name)
        .ok_or_else(|| {
            PageError::new(
                StatusCode::NOT_FOUND,
                format!("本区域没有用户“{name}”。/ No user '{name}' in this region."),
            )
        })
}

/// The account page. `typed` is the edit form as typed (when refused);
/// `new_token` the token just created, shown this once.
#[allow(clippy::too_many_arguments)]
async fn render_user(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    name: &str,
    typed: Option<AccountForm>,
    new_token: String,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let (user, disabled) = member(state, region, name).await?;
    let units = unit_names(state, region).await?;
    let unit = user
        .unit_id
        .as_ref()
        .and_then(|id| units.get(id))
        .cloned()
        .unwrap_or_default();
    let campaign = user.campaign.map(|c| c.to_string()).unwrap_or_default();
    let typed = typed.unwrap_or_else(|| AccountForm {
        role: user.role.as_str().to_string(),
        unit: unit.clone(),
        campaign: campaign.clone(),
        ..AccountForm::default()
    });
    let tokens = state
        .store
        .tokens(Some(&user.name))
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            created_at: t.created_at,
            expires_at: t.expires_at.unwrap_or_default(),
            revoked_at: t.revoked_at.unwrap_or_default(),
        })
        .collect();
    let mut unit_names: Vec<String> = units.into_values().collect();
    unit_names.sort();
    let page = UserPage {
        chrome: Chrome::new(state, viewer, region, format!("用户 {}", user.name)),
        region_id: region.id.clone(),
        href: user_href(region, &user.name),
        role: role_label(user.role),
        unit,
        campaign,
        disabled,
        is_self: user.id == viewer.who.user_id,
        last_sign_in: state
            .store
            .last_sign_ins(&region.id)
            .await?
            .remove(&user.name)
            .unwrap_or_default(),
        tokens,
        roles: roles(),
        plans: plan_numbers(state, region).await?,
        unit_names,
        typed: AccountForm {
            csrf: String::new(),
            password: String::new(),
            ..typed
        },
        new_token,
        notice,
        error,
        name: user.name,
    };
    Ok(with_status(html(&page), &page.error))
}

/// `GET /r/{region}/admin/users/{name}`
pub async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, name)): Path<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    let notice = match q.done.as_deref() {
        Some("updated") => "角色、单位和攻坚已保存，立即生效。",
        Some("password") => "密码已重置，该用户已登录的会话全部退出。",
        Some("disabled") => "账号已停用：不能再登录，令牌也不再有效。",
        Some("enabled") => "账号已恢复启用。",
        Some("revoked") => "令牌已吊销，立即失效。",
        _ => "",
    };
    render_user(
        &state,
        &viewer,
        &region,
        &name,
        None,
        String::new(),
        notice.into(),
        String::new(),
    )
    .await
}

/// `POST /r/{region}/admin/users/{name}` `role`, `unit`, `campaign`
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, name)): Path<(String, String)>,
    Form(f): Form<AccountForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    member(&state, &region, &name).await?;
    let refused = |m: String, f: AccountForm| {
        let (state, viewer, region, name) = (&state, &viewer, &region, &name);
        async move {
            render_user(
                state,
                viewer,
                region,
                name,
                Some(f),
                String::new(),
                String::new(),
                m,
            )
            .await
        }
    };
    let change = match change_of(&f) {
        Ok(c) => c,
        Err(m) => return refused(m, f).await,
    };
    match state
        .store
        .update_user(&region.id, &name, change, &viewer.who.user)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "{}?done=updated",
            user_href(&region, &name)
        ))),
        Err(e) => refused(refusal(e)?, f).await,
    }
}

/// `POST /r/{region}/admin/users/{name}/password` `password`: every
/// session of the user ends.
pub async fn reset_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, name)): Path<(String, String)>,
    Form(f): Form<AccountForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    member(&state, &region, &name).await?;
    match state
        .store
        .set_password(&name, &f.password, &viewer.who.user)
        .await
    {
        Ok(_) => {
            state.store.end_sessions(&name, &viewer.who.user).await?;
            Ok(see_other(&format!(
                "{}?done=password",
                user_href(&region, &name)
            )))
        }
        Err(e) => {
            render_user(
                &state,
                &viewer,
                &region,
                &name,
                None,
                String::new(),
                String::new(),
                refusal(e)?,
            )
            .await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    csrf: String,
    /// `1` to disable, `0` to enable again.
    #[serde(default)]
    disabled: String,
}

/// `POST /r/{region}/admin/users/{name}/disable` `disabled` = 1 | 0
pub async fn set_disabled(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, name)): Path<(String, String)>,
    Form(f): Form<DisableForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    let (user, _) = member(&state, &region, &name).await?;
    let disable = f.disabled.trim() != "0";
    if disable && user.id == viewer.who.user_id {
        // Locking oneself out leaves the region without its administrator.
        let m = "不能停用自己正在使用的账号。/ You cannot disable your own account.";
        return render_user(
            &state,
            &viewer,
            &region,
            &name,
            None,
            String::new(),
            String::new(),
            m.into(),
        )
        .await;
    }
    state
        .store
        .set_user_disabled(&name, disable, &viewer.who.user)
        .await?;
    let done = if disable { "disabled" } else { "enabled" };
    Ok(see_other(&format!(
        "{}?done={done}",
        user_href(&region, &name)
    )))
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    /// Days the token lives; empty: until revoked.
    #[serde(default)]
    days: String,
}

/// `POST /r/{region}/admin/users/{name}/tokens` `days`: answers with the
/// page itself (not a redirect), the only time the token is ever shown.
pub async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, name)): Path<(String, String)>,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    member(&state, &region, &name).await?;
    let days = match f.days.trim() {
        "" => Ok(None),
        d => d.parse::<u32>().map(Some).map_err(|_| {
            format!(
                "有效天数应是整数（1 到 {} 天）。/ Days: a whole number.",
                duban_store::MAX_TOKEN_DAYS
            )
        }),
    };
    let created = match days {
        Ok(days) => state
            .store
            .create_token_expiring(&name, days, &viewer.who.user)
            .await
            .map_err(refusal),
        Err(m) => Err(Ok(m)),
    };
    let (token, error) = match created {
        Ok((_, token)) => (token, String::new()),
        Err(m) => (String::new(), m?),
    };
    let mut resp = render_user(
        &state,
        &viewer,
        &region,
        &name,
        None,
        token,
        String::new(),
        error,
    )
    .await?;
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /r/{region}/admin/users/{name}/tokens/{id}/revoke`
pub async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, name, id)): Path<(String, String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    member(&state, &region, &name).await?;
    // Only a token of this user: the id in the URL cannot reach another's.
    if !state
        .store
        .tokens(Some(&name))
        .await?
        .iter()
        .any(|t| t.id == id)
    {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            "该用户没有这个令牌。/ No such token for this user.",
        ));
    }
    match state.store.revoke_token(&id, &viewer.who.user).await {
        Ok(_) => Ok(see_other(&format!(
            "{}?done=revoked",
            user_href(&region, &name)
        ))),
        Err(e) => {
            let m = refusal(e)?;
            render_user(
                &state,
                &viewer,
                &region,
                &name,
                None,
                String::new(),
                String::new(),
                m,
            )
            .await
        }
    }
}
