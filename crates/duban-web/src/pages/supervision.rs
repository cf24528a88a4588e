//! 督导整改 pages: the office plans and records a campaign's visits, turns
//! findings into rectification items, verifies them (销号 or 退回) and
//! lists the worst (挂牌督办); a unit reports progress and evidence on its
//! own items (a section of its workbench links here); an admin closes
//! listed items. Every form is authorised like the API, through
//! `duban_core::policy` against the object's own campaign and units.

use super::{html, Chrome, Form, PageError, Viewer};
use crate::auth::guard_for;
use crate::handlers::supervision::{guarded, manage_campaign};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::dates::Date;
use duban_core::evaluation::Light;
use duban_core::names::Role;
use duban_core::policy::{authorize, Action, Principal};
use duban_core::supervision::{Cadence, ItemState, Month, VisitState};
use duban_store::{
    ItemFilter, NewFinding, NewVisit, ProgressInput, RectificationItem, Region, ReviewInput,
    StoreError, SupervisionFile, Visit, VisitRecord,
};

/// One rectification item as a table row or a card.
pub struct ItemRow {
    pub id: String,
    pub href: String,
    pub plan: u32,
    pub problem: String,
    pub units: String,
    pub deadline: String,
    pub state: String,
    pub state_label: String,
    /// `red`, `yellow`, `green`, or `closed`.
    pub light_class: &'static str,
    pub light_label: &'static str,
    pub overdue: bool,
    /// The listing leader's name, or empty.
    pub listed: String,
    /// For a closed item: 按期销号 / 逾期销号.
    pub closed_note: &'static str,
}

/// The row of an item; `region_id` for its link.
pub fn item_row(region_id: &str, i: &RectificationItem) -> ItemRow {
    let (light_class, light_label) = match i.light {
        Some(Light::Red) => ("red", "红"),
        Some(Light::Yellow) => ("yellow", "黄"),
        Some(Light::Green) => ("green", "绿"),
        None => ("closed", "销号"),
    };
    let units = i
        .lead_units
        .iter()
        .map(|u| format!("{}（牵头）", u.name))
        .chain(i.co_units.iter().map(|u| u.name.clone()))
        .collect::<Vec<_>>()
        .join("、");
    ItemRow {
        id: i.id.clone(),
        href: format!("/r/{region_id}/rectifications/{}", i.id),
        plan: i.plan,
        problem: i.problem.clone(),
        units,
        deadline: i.deadline.clone(),
        state: i.state.clone(),
        state_label: i.state_label.clone(),
        light_class,
        light_label,
        overdue: i.overdue,
        listed: i
            .listed
            .as_ref()
            .map(|l| l.leader.clone())
            .unwrap_or_default(),
        closed_note: match i.closed_late {
            Some(true) => "逾期销号",
            Some(false) => "按期销号",
            None => "",
        },
    }
}

/// Listed items not yet closed (挂牌督办), overdue first, as rows for the
/// `supervision_listed.html` partial: the dashboard includes it with a
/// `listed: Vec<ItemRow>` field filled by this function.
pub async fn listed_rows(
    state: &AppState,
    region_id: &str,
    today: Date,
) -> Result<Vec<ItemRow>, PageError> {
    Ok(state
        .store
        .listed_items(region_id, today)
        .await?
        .iter()
        .map(|i| item_row(region_id, i))
        .collect())
}

/// A unit's items not yet closed, the most pressing first: its
/// workbench is a to-do list, so closed items leave it (their pages stay
/// reachable from the office's pages and the API). For the workbench's
/// 整改事项 section (`WorkbenchData::rectifications`, cached with the
/// rest of the workbench per ledger version), shown by the
/// `supervision_unit.html` partial.
pub async fn unit_rows(
    state: &AppState,
    region_id: &str,
    unit_id: &str,
    today: Date,
) -> Result<Vec<ItemRow>, PageError> {
    let filter = ItemFilter {
        unit: Some(unit_id.to_string()),
        open: true,
        ..Default::default()
    };
    let mut items = state
        .store
        .rectification_items(region_id, &filter, today)
        .await?;
    // Listed and red first, then by deadline.
    items.sort_by_key(|i| {
        (
            i.listed.is_none(),
            std::cmp::Reverse(i.light),
            i.deadline.clone(),
        )
    });
    Ok(items.iter().map(|i| item_row(region_id, i)).collect())
}

fn staff_only(viewer: &Viewer) -> Result<(), PageError> {
    if viewer.who.role == Role::Reporter {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "督导页面供专班办公室、综合协调组和领导使用；填报单位请在工作台处理本单位的整改事项。/ Supervision pages are for offices, the coordination group and leaders.",
        ));
    }
    Ok(())
}

fn allowed(who: &Principal, action: &Action) -> bool {
    authorize(Some(who), true, action).is_ok()
}

/// Splits a list typed into one field: 、，,；; and new lines.
fn split_list(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', '；', ';', '\n'])
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn with_status(mut resp: Response, error: &str) -> Response {
    if !error.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// A store refusal the person can fix, shown on the page; anything else
/// is an error page.
fn refusal(e: StoreError) -> Result<String, PageError> {
    match e {
        StoreError::Invalid(m) | StoreError::Conflict(m) | StoreError::NotFound(m) => Ok(m),
        e => Err(e.into()),
    }
}

pub struct VisitRow {
    pub id: String,
    pub month: String,
    pub title: String,
    pub state: String,
    pub state_label: &'static str,
    pub visited_on: String,
    pub team: String,
    pub findings: usize,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    chrome: Chrome,
    region_id: String,
    plans: Vec<duban_store::PlanRow>,
    plan: i64,
    cadence: &'static str,
    cadence_label: &'static str,
    cadences: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    month: String,
    listed: Vec<ItemRow>,
    visits: Vec<VisitRow>,
    items: Vec<ItemRow>,
    due_note: String,
    notice: String,
    error: String,
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    plan: Option<i64>,
    saved: Option<u8>,
}

async fn render_page(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    asked: Option<i64>,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let region = guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    staff_only(viewer)?;
    let (plans, plan) = super::campaign_choice(state, viewer, &region.id, asked).await?;
    let today = state.today();
    let campaign = u32::try_from(plan).unwrap_or(0);
    let cadence = state
        .store
        .supervision_cadence(&region.id, campaign)
        .await?;
    let items = state
        .store
        .rectification_items(
            &region.id,
            &ItemFilter {
                plan: Some(campaign),
                ..Default::default()
            },
            today,
        )
        .await?;
    let visits = state.store.visits(&region.id, Some(campaign), None).await?;
    let month = Month::of(today);
    let has_this_month = visits
        .iter()
        .any(|v| v.month == month.to_string() && v.state != VisitState::Cancelled.as_str());
    let due_note = if cadence.due_in(month.month) && !has_this_month {
        format!(
            "按“{}”的频次，{month} 应安排一次督导，目前尚未计划。",
            cadence.zh()
        )
    } else {
        String::new()
    };
    let visit_rows = visits
        .iter()
        .map(|v| VisitRow {
            id: v.id.clone(),
            month: v.month.clone(),
            title: v.title.clone(),
            state: v.state.clone(),
            state_label: VisitState::parse(&v.state).map(|s| s.zh()).unwrap_or("—"),
            visited_on: v
                .visited_on
                .clone()
                .or_else(|| v.planned_on.clone().map(|d| format!("计划 {d}")))
                .unwrap_or_default(),
            team: team(v),
            findings: items.iter().filter(|i| i.visit_id == v.id).count(),
        })
        .collect();
    let resp = html(&SupervisionPage {
        chrome: Chrome::new(state, viewer, &region, "督导整改"),
        region_id: region.id.clone(),
        plans,
        plan,
        cadence: cadence.as_str(),
        cadence_label: cadence.zh(),
        cadences: Cadence::all().map(|c| (c.as_str(), c.zh())).collect(),
        can_manage: allowed(
            &viewer.who,
            &Action::ManageSupervision {
                campaign: Some(campaign),
            },
        ),
        month: month.to_string(),
        listed: listed_rows(state, &region.id, today).await?,
        visits: visit_rows,
        items: items.iter().map(|i| item_row(&region.id, i)).collect(),
        due_note,
        notice,
        error: error.clone(),
    });
    Ok(with_status(resp, &error))
}

fn team(v: &Visit) -> String {
    v.team_users
        .iter()
        .chain(&v.team_names)
        .cloned()
        .collect::<Vec<_>>()
        .join("、")
}

/// `GET /r/{region}/supervision[?plan=]`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let notice = if q.saved.is_some() {
        "已保存。"
    } else {
        ""
    };
    render_page(
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
pub struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    team_names: String,
    #[serde(default)]
    units: String,
}

/// `POST /r/{region}/visits`: plan a visit of the form's campaign.
pub async fn plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<PlanForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let plan: u32 =
        f.plan.trim().parse().map_err(|_| {
            PageError::new(StatusCode::BAD_REQUEST, "请选择攻坚。/ Choose a campaign.")
        })?;
    let region = guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::ManageSupervision {
            campaign: Some(plan),
        },
    )
    .await?;
    let v = NewVisit {
        plan,
        month: f.month.trim().to_string(),
        title: f.title,
        planned_on: Some(f.planned_on),
        team_users: vec![],
        team_names: split_list(&f.team_names),
        tasks: vec![],
        list_items: vec![],
        units: split_list(&f.units),
    };
    match state
        .store
        .plan_visit(&region.id, &v, &viewer.who.user)
        .await
    {
        Ok(v) => Ok(super::see_other(&format!(
            "/r/{}/visits/{}?saved=1",
            region.id, v.id
        ))),
        Err(e) => {
            let m = refusal(e)?;
            render_page(
                &state,
                &viewer,
                &region.id,
                Some(i64::from(plan)),
                String::new(),
                m,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "visit.html")]
struct VisitPage {
    chrome: Chrome,
    region_id: String,
    v: Visit,
    state_label: &'static str,
    team: String,
    units: String,
    items: Vec<ItemRow>,
    files: Vec<SupervisionFile>,
    can_manage: bool,
    may_record: bool,
    may_cancel: bool,
    done: bool,
    unit_options: Vec<String>,
    task_options: Vec<(String, String)>,
    today: String,
    accept: String,
    notice: String,
    error: String,
}

async fn render_visit(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    visit: &str,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let region = guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    staff_only(viewer)?;
    let v = state.store.visit(&region.id, visit).await?;
    let today = state.today();
    let items = state
        .store
        .rectification_items(
            &region.id,
            &ItemFilter {
                visit: Some(v.id.clone()),
                ..Default::default()
            },
            today,
        )
        .await?;
    let vs = VisitState::parse(&v.state).unwrap_or(VisitState::Cancelled);
    let units = state
        .store
        .units(&region.id)
        .await?
        .into_iter()
        .filter(|u| u.kind != "group")
        .map(|u| u.name)
        .collect();
    let tasks = state
        .store
        .tasks(
            &region.id,
            &duban_store::TaskFilter {
                plan: Some(i64::from(v.plan)),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .map(|t| (t.id, t.title))
        .collect();
    let resp = html(&VisitPage {
        chrome: Chrome::new(state, viewer, &region, format!("督导：{}", v.title)),
        region_id: region.id.clone(),
        state_label: vs.zh(),
        team: team(&v),
        units: v
            .units
            .iter()
            .map(|u| u.name.clone())
            .collect::<Vec<_>>()
            .join("、"),
        items: items.iter().map(|i| item_row(&region.id, i)).collect(),
        files: state
            .store
            .supervision_files(&region.id, "visit", &v.id)
            .await?,
        can_manage: allowed(
            &viewer.who,
            &Action::ManageSupervision {
                campaign: Some(v.plan),
            },
        ),
        may_record: vs.may_record(),
        may_cancel: vs.may_cancel(),
        done: vs == VisitState::Done,
        unit_options: units,
        task_options: tasks,
        today: today.to_string(),
        accept: duban_store::accepted_extensions()
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(","),
        v,
        notice,
        error: error.clone(),
    });
    Ok(with_status(resp, &error))
}

#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<u8>,
}

/// `GET /r/{region}/visits/{visit}`
pub async fn visit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region, visit)): Path<(String, String)>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let notice = if q.saved.is_some() {
        "已保存。"
    } else {
        ""
    };
    render_visit(
        &state,
        &viewer,
        &region,
        &visit,
        notice.into(),
        String::new(),
    )
    .await
}

/// The region and a visit, when the viewer may manage its campaign.
async fn managed_visit(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    visit: &str,
) -> Result<(Region, Visit), PageError> {
    Ok(
        guarded(state, Some(&viewer.who), region_key, visit, |v: &Visit| {
            manage_campaign(v.plan)
        })
        .await?,
    )
}

/// After a visit form: back to the visit, or the visit with the refusal.
async fn after_visit(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    visit: &str,
    result: Result<(), StoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(super::see_other(&format!(
            "/r/{}/visits/{visit}?saved=1",
            region.id
        ))),
        Err(e) => {
            let m = refusal(e)?;
            render_visit(state, viewer, &region.id, visit, String::new(), m).await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    narrative: String,
    #[serde(default)]
    team_names: String,
    #[serde(default)]
    units: String,
}

/// `POST /r/{region}/visits/{visit}/record`
pub async fn record(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, visit)): Path<(String, String)>,
    Form(f): Form<RecordForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let (region, v) = managed_visit(&state, &viewer, &region_key, &visit).await?;
    let r = VisitRecord {
        visited_on: f.visited_on,
        narrative: f.narrative,
        team_users: None,
        team_names: Some(split_list(&f.team_names)),
        tasks: None,
        list_items: None,
        units: Some(split_list(&f.units)),
    };
    let result = state
        .store
        .record_visit(&region.id, &v.id, &r, &viewer.who.user)
        .await
        .map(|_| ());
    after_visit(&state, &viewer, &region, &v.id, result).await
}

#[derive(serde::Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /r/{region}/visits/{visit}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, visit)): Path<(String, String)>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let (region, v) = managed_visit(&state, &viewer, &region_key, &visit).await?;
    let result = state
        .store
        .cancel_visit(&region.id, &v.id, &f.reason, &viewer.who.user)
        .await
        .map(|_| ());
    after_visit(&state, &viewer, &region, &v.id, result).await
}

#[derive(serde::Deserialize)]
pub struct FindingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    problem: String,
    #[serde(default)]
    requirement: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    lead_unit: String,
    #[serde(default)]
    co_units: String,
    #[serde(default)]
    task: String,
}

/// `POST /r/{region}/visits/{visit}/findings`
pub async fn finding(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, visit)): Path<(String, String)>,
    Form(f): Form<FindingForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let (region, v) = managed_visit(&state, &viewer, &region_key, &visit).await?;
    let finding = NewFinding {
        problem: f.problem,
        requirement: f.requirement,
        deadline: f.deadline,
        lead_units: split_list(&f.lead_unit),
        co_units: split_list(&f.co_units),
        task: Some(f.task).filter(|t| !t.trim().is_empty()),
        list_item: None,
    };
    let result = state
        .store
        .add_finding(&region.id, &v.id, &finding, state.today(), &viewer.who.user)
        .await
        .map(|_| ());
    after_visit(&state, &viewer, &region, &v.id, result).await
}

/// A multipart upload's form token and file.
async fn read_upload(mut multipart: Multipart) -> Result<(String, String, Vec<u8>), PageError> {
    let mut csrf = String::new();
    let mut file = (String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!("上传内容无法读取：{e}。/ The upload could not be read."),
        )
    })? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let data = field.bytes().await.map_err(|_| {
                    PageError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "文件超过 10 MB，未上传。/ The file is larger than 10 MB.",
                    )
                })?;
                file = (name, data.to_vec());
            }
            _ => {}
        }
    }
    Ok((csrf, file.0, file.1))
}

/// `POST /r/{region}/visits/{visit}/attachments` (multipart: `csrf`, `file`)
pub async fn visit_upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, visit)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (csrf, name, data) = read_upload(multipart).await?;
    viewer.check_csrf(&csrf)?;
    let (region, v) = managed_visit(&state, &viewer, &region_key, &visit).await?;
    let result = state
        .store
        .add_supervision_file(&region.id, "visit", &v.id, &name, &data, &viewer.who.user)
        .await
        .map(|_| ());
    after_visit(&state, &viewer, &region, &v.id, result).await
}

pub struct EventRow {
    pub version: i64,
    pub label: &'static str,
    pub state_label: &'static str,
    pub text: String,
    pub who: String,
    pub day: String,
}

/// What each event reads as in the history.
const EVENT_LABELS: &[(&str, &str)] = &[
    ("create", "督导发现问题"),
    ("progress", "报送整改进展"),
    ("submit", "申请销号"),
    ("return", "退回"),
    ("close", "核验销号"),
    ("list", "挂牌督办"),
];

#[derive(Template)]
#[template(path = "rectification.html")]
struct ItemPage {
    chrome: Chrome,
    region_id: String,
    item: RectificationItem,
    row: ItemRow,
    visit_title: String,
    visit_href: String,
    events: Vec<EventRow>,
    files: Vec<SupervisionFile>,
    can_report: bool,
    can_review: bool,
    can_close: bool,
    can_list: bool,
    accept: String,
    notice: String,
    error: String,
}

/// The region and an item the viewer may read (a reporter: its unit's).
async fn readable_item(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    item: &str,
) -> Result<(Region, RectificationItem), PageError> {
    Ok(guarded(
        state,
        Some(&viewer.who),
        region_key,
        item,
        |i: &RectificationItem| Action::ReadRectification {
            unit_ids: i.unit_ids().into_iter().map(String::from).collect(),
        },
    )
    .await?)
}

fn report_action(item: &RectificationItem) -> Action {
    Action::ReportRectification {
        unit_ids: item.unit_ids().into_iter().map(String::from).collect(),
        campaign: Some(item.plan),
    }
}

async fn render_item(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    id: &str,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let (region, item) = readable_item(state, viewer, region_key, id).await?;
    let visit = state.store.visit(&region.id, &item.visit_id).await?;
    let st = ItemState::parse(&item.state).unwrap_or(ItemState::Closed);
    let workable = matches!(
        st,
        ItemState::Open | ItemState::InProgress | ItemState::Returned
    );
    let awaiting = st == ItemState::AwaitingVerification;
    let review = |close| Action::ReviewRectification {
        campaign: Some(item.plan),
        listed: item.listed.is_some(),
        close,
    };
    let events = state
        .store
        .rectification_events(&region.id, &item.id)
        .await?
        .into_iter()
        .map(|e| EventRow {
            version: e.version,
            label: EVENT_LABELS
                .iter()
                .find(|(k, _)| *k == e.event)
                .map(|(_, l)| *l)
                .unwrap_or("—"),
            state_label: ItemState::parse(&e.state).map(|s| s.zh()).unwrap_or("—"),
            text: e.text,
            who: match e.unit {
                Some(u) => format!("{u}（{}）", e.author),
                None => e.author,
            },
            day: e.day,
        })
        .collect();
    let resp = html(&ItemPage {
        chrome: Chrome::new(state, viewer, &region, "整改事项"),
        region_id: region.id.clone(),
        row: item_row(&region.id, &item),
        visit_title: format!("{}（{}）", visit.title, visit.month),
        visit_href: if viewer.who.role == Role::Reporter {
            String::new()
        } else {
            format!("/r/{}/visits/{}", region.id, visit.id)
        },
        events,
        files: state
            .store
            .supervision_files(&region.id, "item", &item.id)
            .await?,
        can_report: workable && allowed(&viewer.who, &report_action(&item)),
        can_review: awaiting && allowed(&viewer.who, &review(false)),
        can_close: awaiting && allowed(&viewer.who, &review(true)),
        can_list: st != ItemState::Closed
            && item.listed.is_none()
            && allowed(
                &viewer.who,
                &Action::ManageSupervision {
                    campaign: Some(item.plan),
                },
            ),
        accept: duban_store::accepted_extensions()
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(","),
        item,
        notice,
        error: error.clone(),
    });
    Ok(with_status(resp, &error))
}

/// `GET /r/{region}/rectifications/{item}`
pub async fn item_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region, item)): Path<(String, String)>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let notice = if q.saved.is_some() {
        "已保存。"
    } else {
        ""
    };
    render_item(
        &state,
        &viewer,
        &region,
        &item,
        notice.into(),
        String::new(),
    )
    .await
}

async fn after_item(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    item: &str,
    result: Result<(), StoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(super::see_other(&format!(
            "/r/{}/rectifications/{item}?saved=1",
            region.id
        ))),
        Err(e) => {
            let m = refusal(e)?;
            render_item(state, viewer, &region.id, item, String::new(), m).await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct ProgressForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    text: String,
    /// `progress` or `submit`.
    #[serde(default)]
    action: String,
}

/// `POST /r/{region}/rectifications/{item}/progress`
pub async fn progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
    Form(f): Form<ProgressForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let (region, item) =
        guarded(&state, Some(&viewer.who), &region_key, &id, report_action).await?;
    let input = ProgressInput {
        version: f.version.trim().parse().unwrap_or(-1),
        text: f.text,
        submit: f.action == "submit",
    };
    let unit = (viewer.who.role == Role::Reporter)
        .then(|| viewer.who.unit_id.clone())
        .flatten();
    let result = state
        .store
        .report_rectification(
            &region.id,
            &item.id,
            &input,
            unit.as_deref(),
            state.today(),
            &viewer.who.user,
        )
        .await
        .map(|_| ());
    after_item(&state, &viewer, &region, &item.id, result).await
}

/// `POST /r/{region}/rectifications/{item}/attachments` (multipart)
pub async fn item_upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (csrf, name, data) = read_upload(multipart).await?;
    viewer.check_csrf(&csrf)?;
    let (region, item) =
        guarded(&state, Some(&viewer.who), &region_key, &id, report_action).await?;
    let result = state
        .store
        .add_supervision_file(&region.id, "item", &item.id, &name, &data, &viewer.who.user)
        .await
        .map(|_| ());
    after_item(&state, &viewer, &region, &item.id, result).await
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    /// `close` or `return`.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /r/{region}/rectifications/{item}/review`
pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let close = f.decision == "close";
    let (region, item) = guarded(
        &state,
        Some(&viewer.who),
        &region_key,
        &id,
        |i: &RectificationItem| Action::ReviewRectification {
            campaign: Some(i.plan),
            listed: i.listed.is_some(),
            close,
        },
    )
    .await?;
    let input = ReviewInput {
        version: f.version.trim().parse().unwrap_or(-1),
        close,
        reason: f.reason,
    };
    let result = state
        .store
        .review_rectification(
            &region.id,
            &item.id,
            &input,
            state.today(),
            &viewer.who.user,
        )
        .await
        .map(|_| ());
    after_item(&state, &viewer, &region, &item.id, result).await
}

#[derive(serde::Deserialize)]
pub struct ListForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    leader: String,
}

/// `POST /r/{region}/rectifications/{item}/list`: 挂牌督办.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
    Form(f): Form<ListForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let (region, item) = guarded(
        &state,
        Some(&viewer.who),
        &region_key,
        &id,
        |i: &RectificationItem| manage_campaign(i.plan),
    )
    .await?;
    let result = state
        .store
        .list_rectification(
            &region.id,
            &item.id,
            &f.leader,
            state.today(),
            &viewer.who.user,
        )
        .await
        .map(|_| ());
    after_item(&state, &viewer, &region, &item.id, result).await
}

#[derive(serde::Deserialize)]
pub struct CadenceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cadence: String,
}

/// `POST /r/{region}/plans/{plan}/supervision`: the campaign's cadence.
pub async fn cadence(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, plan)): Path<(String, u32)>,
    Form(f): Form<CadenceForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::ManageSupervision {
            campaign: Some(plan),
        },
    )
    .await?;
    let Some(c) = Cadence::parse(&f.cadence) else {
        return render_page(
            &state,
            &viewer,
            &region.id,
            Some(i64::from(plan)),
            String::new(),
            "请选择督导频次。/ Choose a cadence.".into(),
        )
        .await;
    };
    match state
        .store
        .set_supervision_cadence(&region.id, plan, c, &viewer.who.user)
        .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/r/{}/supervision?plan={plan}&saved=1",
            region.id
        ))),
        Err(e) => {
            let m = refusal(e)?;
            render_page(
                &state,
                &viewer,
                &region.id,
                Some(i64::from(plan)),
                String::new(),
                m,
            )
            .await
        }
    }
}

/// `GET /r/{region}/supervision-files/{file}`: a visit's files for staff,
/// an item's evidence for whoever may read the item.
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let region = guard_for(&state, Some(&viewer.who), &region_key, Action::Read).await?;
    let (meta, data) = state.store.supervision_file(&region.id, &id).await?;
    if meta.owner_kind == "item" {
        readable_item(&state, &viewer, &region.id, &meta.owner_id).await?;
    } else {
        staff_only(&viewer)?;
    }
    Ok(super::file_response(&meta.content_type, &meta.name, data))
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_split_on_chinese_and_latin_separators() {
        assert_eq!(
            super::split_list("市人社局、市财政局，市发改局; \n 市教育局,"),
            ["市人社局", "市财政局", "市发改局", "市教育局"]
        );
        assert!(super::split_list(" 、 ").is_empty());
    }
}
