//! 节假日: the region's days off. Scheduling moves a due date that falls on
//! one to the next workday, so the list is kept here by the coordination
//! group, once a year when the State Council publishes the calendar.

use super::super::{html, see_other, Chrome, Form, PageError, Viewer};
use super::{guard, refusal, with_status};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use duban_core::dates::Date;
use duban_core::policy::Action;
use duban_store::{Holiday, Region};

#[derive(Template)]
#[template(path = "admin_holidays.html")]
struct HolidaysPage {
    chrome: Chrome,
    region_id: String,
    holidays: Vec<Holiday>,
    day: String,
    name: String,
    notice: String,
    error: String,
}

#[derive(serde::Deserialize, Default)]
pub struct HolidayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    name: String,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    typed: HolidayForm,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let page = HolidaysPage {
        chrome: Chrome::new(state, viewer, region, "节假日"),
        region_id: region.id.clone(),
        holidays: state.store.holidays(&region.id).await?,
        day: typed.day,
        name: typed.name,
        notice,
        error,
    };
    Ok(with_status(html(&page), &page.error))
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /r/{region}/admin/holidays`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let region = guard(&state, &viewer, &region_key, Action::ManageUnits).await?;
    let notice = match q.done.as_deref() {
        Some("added") => "节假日已添加，之后排定的调度周期会避开这一天。",
        Some("removed") => "节假日已删除（已排定的周期不变）。",
        _ => "",
    };
    render(
        &state,
        &viewer,
        &region,
        HolidayForm::default(),
        notice.into(),
        String::new(),
    )
    .await
}

/// `POST /r/{region}/admin/holidays` `day`, `name`
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<HolidayForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUnits).await?;
    let name = f.name.trim().to_string();
    let checked = match Date::parse(f.day.trim()) {
        None => {
            Err("日期应写成 年-月-日（如 2025-10-01）。/ The day must be YYYY-MM-DD.".to_string())
        }
        Some(_) if name.is_empty() || name.chars().count() > 40 => Err(
            "请填写节日名称（不超过 40 个字）。/ Name the holiday (at most 40 characters).".into(),
        ),
        Some(d) => Ok(d),
    };
    let day = match checked {
        Ok(d) => d,
        Err(m) => return render(&state, &viewer, &region, f, String::new(), m).await,
    };
    match state
        .store
        .add_holiday(&region.id, day, &name, &viewer.who.user)
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/r/{}/admin/holidays?done=added",
            region.id
        ))),
        Err(e) => render(&state, &viewer, &region, f, String::new(), refusal(e)?).await,
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /r/{region}/admin/holidays/{day}/remove`
pub async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, day)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUnits).await?;
    let result = match Date::parse(&day) {
        Some(d) => state
            .store
            .remove_holiday(&region.id, d, &viewer.who.user)
            .await
            .map_err(refusal),
        None => Err(Ok(format!("“{day}”不是日期。/ Not a date.")
            .chars()
            .take(80)
            .collect())),
    };
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/r/{}/admin/holidays?done=removed",
            region.id
        ))),
        Err(m) => {
            render(
                &state,
                &viewer,
                &region,
                HolidayForm::default(),
                String::new(),
                m?,
            )
            .await
        }
    }
}
