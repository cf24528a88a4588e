//! 调度周期: a campaign's cycles (scheduled, open, closed); schedule the
//! year by cadence, open an extra 临时调度, close a cycle; the campaign's
//! cadence and light thresholds.

use super::{html, Chrome, Form, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::cycles::Cadence;
use duban_core::dates::Date;
use duban_core::evaluation::Thresholds;
use duban_core::policy::{authorize, Action};
use duban_store::{Cycle, PlanRow, StoreError};

#[derive(Template)]
#[template(path = "cycles.html")]
struct CyclesPage {
    chrome: Chrome,
    region_id: String,
    plans: Vec<PlanRow>,
    plan: i64,
    cycles: Vec<Cycle>,
    can_manage: bool,
    cadence: &'static str,
    cadences: &'static [(&'static str, &'static str)],
    thresholds: Thresholds,
    today: String,
    year_end: String,
    notice: String,
    error: String,
}

const CADENCES: &[(&str, &str)] = &[
    ("weekly", "每周"),
    ("biweekly", "每两周"),
    ("monthly", "每月"),
    ("quarterly", "每季度"),
];

#[derive(serde::Deserialize, Default)]
pub struct CyclesQuery {
    plan: Option<i64>,
    done: Option<String>,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    plan: Option<i64>,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let region = guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    let (plans, plan) = super::campaign_choice(state, viewer, &region.id, plan).await?;
    // A region without plans (a town under a county, say) shows an empty list.
    let (cadence, thresholds) = if plans.iter().any(|p| p.no == plan) {
        state.store.plan_settings(&region.id, plan).await?
    } else {
        (Cadence::Biweekly, Thresholds::default())
    };
    let today = state.today();
    let (y, _, _) = today.ymd();
    let page = CyclesPage {
        chrome: Chrome::new(state, viewer, &region, "调度周期"),
        region_id: region.id.clone(),
        plans,
        plan,
        cycles: state.store.cycles(&region.id, Some(plan)).await?,
        can_manage: authorize(
            Some(&viewer.who),
            true,
            &Action::ManageCycles {
                campaign: u32::try_from(plan).ok(),
            },
        )
        .is_ok(),
        cadence: cadence.as_str(),
        cadences: CADENCES,
        thresholds,
        today: today.to_string(),
        year_end: format!("{y}-12-31"),
        notice,
        error,
    };
    let mut resp = html(&page);
    if !page.error.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// `GET /r/{region}/cycles?plan=`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region): Path<String>,
    Query(q): Query<CyclesQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("scheduled") => "已按频次排定调度周期。",
        Some("opened") => "已开启临时调度。",
        Some("closed") => "周期已关闭，填报已锁定，灯色已保存。",
        Some("settings") => "调度频次和亮灯阈值已保存。",
        _ => "",
    };
    render(
        &state,
        &viewer,
        &region,
        q.plan,
        notice.into(),
        String::new(),
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct RangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

fn date(s: &str, what: &str) -> Result<Date, String> {
    Date::parse(s)
        .ok_or_else(|| format!("{what}应是日期（年-月-日）。/ {what}: a date, YYYY-MM-DD."))
}

/// Checks the form token and that the viewer manages this campaign.
async fn manage(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    csrf: &str,
    plan: &str,
) -> Result<(duban_store::Region, i64), PageError> {
    viewer.check_csrf(csrf)?;
    let plan: i64 = plan.trim().parse().map_err(|_| {
        PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "请选择攻坚。/ Choose a campaign.",
        )
    })?;
    let region = guard_for(
        state,
        Some(&viewer.who),
        region_key,
        Action::ManageCycles {
            campaign: u32::try_from(plan).ok(),
        },
    )
    .await?;
    Ok((region, plan))
}

/// Turns a store refusal into the page with the message; other errors propagate.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    region_id: &str,
    plan: i64,
    e: StoreError,
) -> Result<Response, PageError> {
    match e {
        StoreError::Invalid(m) | StoreError::Conflict(m) | StoreError::NotFound(m) => {
            render(state, viewer, region_id, Some(plan), String::new(), m).await
        }
        other => Err(other.into()),
    }
}

/// `POST /r/{region}/cycles/schedule` `plan`, `from`, `to`
pub async fn schedule(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<RangeForm>,
) -> Result<Response, PageError> {
    let (region, plan) = manage(&state, &viewer, &region_key, &f.csrf, &f.plan).await?;
    let (from, to) = match (date(&f.from, "开始日期"), date(&f.to, "结束日期")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(m), _) | (_, Err(m)) => {
            return render(&state, &viewer, &region.id, Some(plan), String::new(), m).await
        }
    };
    match state
        .store
        .schedule_cycles(&region.id, plan, from, to, &viewer.who.user)
        .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/r/{}/cycles?plan={plan}&done=scheduled",
            region.id
        ))),
        Err(e) => refused(&state, &viewer, &region.id, plan, e).await,
    }
}

/// `POST /r/{region}/cycles/open` `plan`, `from`, `to`: an extra 临时调度.
pub async fn open(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<RangeForm>,
) -> Result<Response, PageError> {
    let (region, plan) = manage(&state, &viewer, &region_key, &f.csrf, &f.plan).await?;
    let (from, to) = match (date(&f.from, "开始日期"), date(&f.to, "截止日期")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(m), _) | (_, Err(m)) => {
            return render(&state, &viewer, &region.id, Some(plan), String::new(), m).await
        }
    };
    match state
        .store
        .open_cycle(&region.id, plan, from, to, "extra", &viewer.who.user)
        .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/r/{}/cycles?plan={plan}&done=opened",
            region.id
        ))),
        Err(e) => refused(&state, &viewer, &region.id, plan, e).await,
    }
}

/// `POST /r/{region}/cycles/{cycle}/close`
pub async fn close(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle)): Path<(String, String)>,
    Form(f): Form<super::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let (region, c) = super::cycle_guard(&state, &viewer, &region_key, &cycle, |campaign| {
        Action::ManageCycles { campaign }
    })
    .await?;
    match state
        .store
        .close_cycle(&region.id, &c.id, state.today(), &viewer.who.user)
        .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/r/{}/cycles?plan={}&done=closed",
            region.id, c.plan
        ))),
        Err(e) => refused(&state, &viewer, &region.id, c.plan, e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    red_gap: String,
    #[serde(default)]
    due_soon_days: String,
    #[serde(default)]
    due_soon_min_completion: String,
}

/// `POST /r/{region}/plans/{plan}/settings`
pub async fn settings(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, plan)): Path<(String, String)>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, PageError> {
    let (region, plan) = manage(&state, &viewer, &region_key, &f.csrf, &plan).await?;
    let (_, mut th) = state.store.plan_settings(&region.id, plan).await?;
    let parsed = (|| -> Result<Cadence, String> {
        let cadence = Cadence::parse(&f.cadence).ok_or("请选择调度频次。/ Choose a cadence.")?;
        th.red_gap = f
            .red_gap
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| (0.0..=100.0).contains(v))
            .ok_or("红灯差距应是 0 到 100 之间的数。/ The red gap must be 0–100.")?;
        th.due_soon_days = f
            .due_soon_days
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|v| (0..=365).contains(v))
            .ok_or("临近天数应是 0 到 365 之间的整数。/ Days must be 0–365.")?;
        th.due_soon_min_completion = f
            .due_soon_min_completion
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| (0.0..=100.0).contains(v))
            .ok_or("完成比例应是 0 到 100 之间的数。/ Completion must be 0–100.")?;
        Ok(cadence)
    })();
    let cadence = match parsed {
        Ok(c) => c,
        Err(m) => return render(&state, &viewer, &region.id, Some(plan), String::new(), m).await,
    };
    match state
        .store
        .set_plan_settings(&region.id, plan, cadence, th, &viewer.who.user)
        .await
    {
        Ok(()) => Ok(super::see_other(&format!(
            "/r/{}/cycles?plan={plan}&done=settings",
            region.id
        ))),
        Err(e) => refused(&state, &viewer, &region.id, plan, e).await,
    }
}
