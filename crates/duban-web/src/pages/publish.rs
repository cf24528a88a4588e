//! 发布: what the public page (信息公开, `/public/{region}`) shows, per
//! cycle and campaign, with publish and withdraw buttons.
//!
//! The coordination group sees every campaign; an office sees and
//! publishes its own campaign only (it answers for its figures). Only a
//! closed cycle can be published: its reports are locked and its lights
//! final, so the public never sees data still being filled in or reviewed.

use super::{html, see_other, Chrome, CsrfOnly, Form, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::names::Role;
use duban_core::policy::Action;
use duban_store::{Region, StoreError};

/// One cycle of a campaign, and whether (and by whom) it is published.
struct Row {
    cycle_id: String,
    plan: i64,
    plan_title: String,
    seq: i64,
    period: String,
    closed: bool,
    /// 已关闭 / 进行中 / 未开始.
    status: &'static str,
    /// `已发布` with who and when, `已撤回 …`, or `未发布`.
    state: String,
    live: bool,
}

#[derive(Template)]
#[template(path = "publish.html")]
struct PublishPage {
    chrome: Chrome,
    region_id: String,
    rows: Vec<Row>,
    notice: String,
    error: String,
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    notice: &str,
    error: String,
) -> Result<Response, PageError> {
    // An office sees its own campaign; the coordination group all of them.
    let only = match viewer.who.role {
        Role::Office => viewer.who.campaign.map(i64::from),
        _ => None,
    };
    let titles: std::collections::HashMap<i64, String> = state
        .store
        .plans(&region.id)
        .await?
        .into_iter()
        .map(|p| (p.no, p.title))
        .collect();
    let publications = state.store.publications(&region.id).await?;
    let mut cycles = state.store.cycles(&region.id, None).await?;
    cycles.retain(|c| c.plan > 0 && only.is_none_or(|p| p == c.plan));
    // Newest cycles first within each campaign: the one to publish is on top.
    cycles.sort_by(|a, b| a.plan.cmp(&b.plan).then(b.seq.cmp(&a.seq)));
    let today = state.today().to_string();
    let rows = cycles
        .into_iter()
        .map(|c| {
            // `publications` is newest first: the first row is the current state.
            let last = publications.iter().find(|p| p.cycle_id == c.id);
            let day = |t: &str| t.get(..10).unwrap_or(t).to_string();
            let (state, live) = match last {
                Some(p) => match (&p.withdrawn_at, &p.withdrawn_by) {
                    (Some(at), by) => (
                        format!("已撤回（{} {}）", by.as_deref().unwrap_or(""), day(at)),
                        false,
                    ),
                    (None, _) => (
                        format!("已发布（{} {}）", p.published_by, day(&p.published_at)),
                        true,
                    ),
                },
                None => ("未发布".to_string(), false),
            };
            Row {
                plan_title: titles.get(&c.plan).cloned().unwrap_or_default(),
                period: format!("{} 至 {}", c.opens_on, c.due_on),
                closed: c.status == "closed",
                status: if c.status == "closed" {
                    "已关闭"
                } else if c.opens_on > today {
                    "未开始"
                } else {
                    "进行中"
                },
                cycle_id: c.id,
                plan: c.plan,
                seq: c.seq,
                state,
                live,
            }
        })
        .collect();
    let page = PublishPage {
        chrome: Chrome::new(state, viewer, region, "信息公开发布"),
        region_id: region.id.clone(),
        rows,
        notice: notice.to_string(),
        error,
    };
    let failed = !page.error.is_empty();
    let mut resp = html(&page);
    if failed {
        *resp.status_mut() = StatusCode::CONFLICT;
    }
    Ok(resp)
}

/// `GET /r/{region}/publish`: admin and offices.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let region = guard_for(&state, Some(&viewer.who), &region_key, Action::ReadAudit).await?;
    let notice = match q.done.as_deref() {
        Some("published") => "已发布：信息公开页已更新。",
        Some("withdrawn") => "已撤回：信息公开页不再显示该周期。",
        _ => "",
    };
    render(&state, &viewer, &region, notice, String::new()).await
}

/// Publish (`publish = true`) or withdraw a cycle.
async fn act(
    state: AppState,
    viewer: Viewer,
    region_key: String,
    cycle: String,
    csrf: String,
    publish: bool,
) -> Result<Response, PageError> {
    viewer.check_csrf(&csrf)?;
    let (region, c) = super::cycle_guard(&state, &viewer, &region_key, &cycle, |campaign| {
        Action::Publish { campaign }
    })
    .await?;
    let result = if publish {
        state
            .store
            .publish(&region.id, &c.id, &viewer.who.user)
            .await
    } else {
        state
            .store
            .withdraw(&region.id, &c.id, &viewer.who.user)
            .await
    };
    match result {
        Ok(_) => {
            state.public.forget(&region.id);
            let done = if publish { "published" } else { "withdrawn" };
            Ok(see_other(&format!("/r/{}/publish?done={done}", region.id)))
        }
        Err(StoreError::Conflict(m) | StoreError::Invalid(m)) => {
            render(&state, &viewer, &region, "", m).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /r/{region}/cycles/{cycle}/publish`
pub async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    act(state, viewer, region_key, cycle, f.csrf, true).await
}

/// `POST /r/{region}/cycles/{cycle}/withdraw`
pub async fn withdraw(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    act(state, viewer, region_key, cycle, f.csrf, false).await
}
