//! 工作台: what a unit owes in every open cycle, returned items first with
//! the office's reason; owned indicators; coordination requests addressed
//! to the unit; one button to submit every draft at once.

use super::{html, role_in_task, state_label, status_label, Chrome, Form, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::dates::Date;
use duban_core::names::Role;
use duban_core::policy::Action;
use duban_store::{Cycle, Report, ReportInput, ReportItem, Unit};

pub struct Item {
    pub task: String,
    pub role: &'static str,
    /// `returned`, `missing`, `draft`, `submitted`, `accepted`, `locked`.
    pub state: String,
    pub state_label: &'static str,
    pub status: &'static str,
    pub completion: String,
    pub reason: Option<String>,
    pub href: String,
}

pub struct Indicator {
    pub target_id: String,
    pub metric: String,
    pub goal: String,
    pub value: String,
    pub note: String,
    pub version: i64,
    pub submitted: bool,
}

pub struct CycleBlock {
    pub id: String,
    pub plan: i64,
    pub plan_title: String,
    pub kind: &'static str,
    pub due_on: String,
    pub days_left: i64,
    pub items: Vec<Item>,
    pub drafts: usize,
    pub missing: usize,
    pub returned: usize,
    pub indicators: Vec<Indicator>,
}

pub struct Request {
    pub from_unit: String,
    pub text: String,
    pub created_at: String,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage {
    chrome: Chrome,
    region_id: String,
    unit: String,
    unit_id: String,
    today: String,
    data: std::sync::Arc<WorkbenchData>,
    notice: String,
}

/// What the workbench shows of a unit on a day: built from the ledger once
/// per ledger version (every write bumps it) and shared by every request
/// until the next write.
pub struct WorkbenchData {
    pub cycles: Vec<CycleBlock>,
    pub requests: Vec<Request>,
    /// 催办 from the offices in the last two weeks: (text, when).
    pub urged: Vec<(String, String)>,
    /// The unit's open supervision rectification items (督导整改).
    pub rectifications: Vec<super::supervision::ItemRow>,
}

#[derive(serde::Deserialize)]
pub struct WorkbenchQuery {
    unit: Option<String>,
    submitted: Option<usize>,
    saved: Option<u8>,
}

/// Sort order of the list: what needs the unit's action first.
fn urgency(state: &str) -> u8 {
    match state {
        "returned" => 0,
        "missing" => 1,
        "draft" => 2,
        "submitted" => 3,
        _ => 4,
    }
}

/// The unit whose workbench this is: a reporter's own; others choose one.
async fn unit_of(
    state: &AppState,
    viewer: &Viewer,
    region_id: &str,
    asked: Option<&str>,
) -> Result<Unit, PageError> {
    let key = match (viewer.who.role, asked, &viewer.who.unit_id) {
        (Role::Reporter, Some(other), Some(own)) if !other.is_empty() && other != own => {
            let asked = state.store.unit(region_id, other).await?;
            if &asked.id != own {
                return Err(PageError::new(
                    StatusCode::FORBIDDEN,
                    "填报单位只能查看和报送本单位的事项。/ A reporter works only for its own unit.",
                ));
            }
            own.clone()
        }
        (Role::Reporter, _, Some(own)) => own.clone(),
        (_, Some(u), _) if !u.is_empty() => u.to_string(),
        _ => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "请在地址中用 ?unit= 指定单位。/ Choose a unit with ?unit=.",
            ))
        }
    };
    Ok(state.store.unit(region_id, &key).await?)
}

/// Open cycles whose reporting window has begun.
pub async fn open_cycles(
    state: &AppState,
    region_id: &str,
    today: Date,
) -> Result<Vec<Cycle>, PageError> {
    let today = today.to_string();
    let mut cycles: Vec<Cycle> = state
        .store
        .cycles(region_id, None)
        .await?
        .into_iter()
        .filter(|c| c.status == "open" && c.opens_on <= today)
        .collect();
    cycles.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.plan.cmp(&b.plan)));
    Ok(cycles)
}

/// `GET /r/{region}/workbench[?unit=]`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region): Path<String>,
    Query(q): Query<WorkbenchQuery>,
) -> Result<Response, PageError> {
    let region = guard_for(&state, Some(&viewer.who), &region, Action::Read).await?;
    let unit = unit_of(&state, &viewer, &region.id, q.unit.as_deref()).await?;
    let today = state.today();
    let version = state.store.ledger_version(&region.id).await?;
    let key = format!("{}|{}|{today}", region.id, unit.id);
    let data = state
        .pages
        .workbench
        .get_with(&key, version, || build(&state, &region, &unit, today))
        .await?;
    let notice = match (q.submitted, q.saved) {
        (Some(n), _) => format!("已报送 {n} 项。"),
        (_, Some(_)) => "已保存。".to_string(),
        _ => String::new(),
    };
    Ok(html(&WorkbenchPage {
        chrome: Chrome::new(&state, &viewer, &region, format!("{}工作台", unit.name)),
        region_id: region.id.clone(),
        unit: unit.name.clone(),
        unit_id: unit.id.clone(),
        today: today.to_string(),
        data,
        notice,
    }))
}

/// Reads what the unit owes in every open cycle, its indicators, the
/// requests addressed to it and the offices' 催办.
async fn build(
    state: &AppState,
    region: &duban_store::Region,
    unit: &Unit,
    today: Date,
) -> Result<WorkbenchData, PageError> {
    let titles: std::collections::HashMap<i64, String> = state
        .store
        .plans(&region.id)
        .await?
        .into_iter()
        .map(|p| (p.no, p.title))
        .collect();
    let mut blocks = Vec::new();
    for c in open_cycles(state, &region.id, today).await? {
        let reports = state.store.current_reports(&region.id, &c).await?;
        let mut items: Vec<Item> = state
            .store
            .expected_reports(&region.id, &c)
            .await?
            .into_iter()
            .filter(|e| e.unit_id == unit.id)
            .map(|e| {
                let r: Option<&Report> = reports
                    .iter()
                    .find(|r| r.task_id == e.task_id && r.unit_id == e.unit_id);
                let st = r
                    .map(|r| r.state.clone())
                    .unwrap_or_else(|| "missing".into());
                Item {
                    href: format!(
                        "/r/{}/cycles/{}/reports/{}/{}",
                        region.id, c.id, e.task_id, e.unit_id
                    ),
                    task: e.task.clone(),
                    role: role_in_task(&e.role),
                    state_label: if st == "missing" {
                        "未填"
                    } else {
                        state_label(&st)
                    },
                    status: r.map(|r| status_label(&r.status)).unwrap_or("—"),
                    completion: r
                        .map(|r| format!("{:.0}%", r.completion))
                        .unwrap_or_else(|| "—".into()),
                    reason: r
                        .filter(|r| r.state == "returned")
                        .and_then(|r| r.review_comment.clone()),
                    state: st,
                }
            })
            .collect();
        let owned: Vec<duban_store::TargetRow> = state
            .store
            .expected_indicators(&region.id, &c)
            .await?
            .into_iter()
            .filter(|t| t.owner_unit_id.as_deref() == Some(unit.id.as_str()))
            .collect();
        if items.is_empty() && owned.is_empty() {
            continue;
        }
        let values = if owned.is_empty() {
            Vec::new()
        } else {
            state
                .store
                .current_indicator_reports(&region.id, &c.id)
                .await?
        };
        let indicators = owned
            .into_iter()
            .map(|t| {
                let v = values.iter().find(|v| v.target_id == t.id);
                Indicator {
                    goal: format!(
                        "{}{}{}",
                        super::comparator_label(&t.comparator),
                        t.value,
                        t.unit
                    ),
                    target_id: t.id,
                    metric: t.metric,
                    value: v.map(|v| v.value.to_string()).unwrap_or_default(),
                    note: v.map(|v| v.note.clone()).unwrap_or_default(),
                    version: v.map(|v| v.version).unwrap_or(0),
                    submitted: v.is_some_and(|v| v.submitted),
                }
            })
            .collect();
        items.sort_by_key(|i| urgency(&i.state));
        let due = Date::parse(&c.due_on).unwrap_or(today);
        blocks.push(CycleBlock {
            drafts: items.iter().filter(|i| i.state == "draft").count(),
            missing: items.iter().filter(|i| i.state == "missing").count(),
            returned: items.iter().filter(|i| i.state == "returned").count(),
            id: c.id.clone(),
            plan: c.plan,
            plan_title: titles.get(&c.plan).cloned().unwrap_or_default(),
            kind: if c.kind == "extra" {
                "临时调度"
            } else {
                "例行调度"
            },
            due_on: c.due_on.clone(),
            days_left: due.days_since(today),
            items,
            indicators,
        });
    }
    let requests = state
        .store
        .coordination_requests(&region.id, Some("open"))
        .await?
        .into_iter()
        .filter(|r| r.addressed_to == unit.name)
        .map(|r| Request {
            from_unit: r.from_unit,
            text: r.text,
            created_at: r.created_at.chars().take(10).collect(),
        })
        .collect();
    let since = today.add_days(-14).to_string();
    let urged = state
        .store
        .inbox(&region.id, &unit.name, &since)
        .await?
        .into_iter()
        .map(|(text, at)| (text, at.replace('T', " ").chars().take(16).collect()))
        .collect();
    Ok(WorkbenchData {
        cycles: blocks,
        requests,
        urged,
        rectifications: super::supervision::unit_rows(state, &region.id, &unit.id, today).await?,
    })
}

#[derive(serde::Deserialize)]
pub struct SubmitAll {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit: String,
}

/// `POST /r/{region}/cycles/{cycle}/submit-all`: every draft of the unit in
/// the cycle submitted in one transaction (all or nothing).
pub async fn submit_all(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle)): Path<(String, String)>,
    Form(f): Form<SubmitAll>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard_for(&state, Some(&viewer.who), &region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let unit = unit_of(&state, &viewer, &region.id, Some(&f.unit)).await?;
    guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::WriteReport {
            unit_id: unit.id.clone(),
            campaign: u32::try_from(c.plan).ok(),
        },
    )
    .await?;
    let items: Vec<ReportItem> = state
        .store
        .current_reports(&region.id, &c)
        .await?
        .into_iter()
        .filter(|r| r.unit_id == unit.id && r.state == "draft")
        .map(|r| ReportItem {
            task_id: r.task_id.clone(),
            unit: r.unit_id.clone(),
            report: ReportInput {
                version: r.version,
                status: r.status,
                completion: r.completion,
                current_value: r.current_value,
                progress: r.progress,
                problems: r.problems,
                next_steps: r.next_steps,
                coordination: vec![],
                attachments: match r.attachments {
                    serde_json::Value::Array(a) => a,
                    _ => vec![],
                },
                submit: true,
            },
        })
        .collect();
    let n = items.len();
    if n > 0 {
        state
            .store
            .save_reports(&region.id, &c.id, &items, &viewer.who.user, state.today())
            .await?;
    }
    let unit_q = if viewer.who.role == Role::Reporter {
        String::new()
    } else {
        format!("&unit={}", super::encode_component(&unit.id))
    };
    Ok(super::see_other(&format!(
        "/r/{}/workbench?submitted={n}{unit_q}",
        region.id
    )))
}

#[derive(serde::Deserialize)]
pub struct IndicatorForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    note: String,
}

/// `POST /r/{region}/cycles/{cycle}/indicators/{target}`: the owner's
/// year-to-date value of an indicator.
pub async fn save_indicator(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle, target)): Path<(String, String, String)>,
    Form(f): Form<IndicatorForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard_for(&state, Some(&viewer.who), &region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, &cycle).await?;
    let t = state.store.target(&region.id, &target).await?;
    let owner = t.owner_unit_id.clone().ok_or_else(|| {
        PageError::new(
            StatusCode::NOT_FOUND,
            "该指标还没有责任单位。/ This indicator has no owner.",
        )
    })?;
    guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::WriteReport {
            unit_id: owner.clone(),
            campaign: u32::try_from(c.plan).ok(),
        },
    )
    .await?;
    let value = f
        .value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "“{}”不是数字，请填写本年累计值。/ The value must be a number.",
                    f.value
                ),
            )
        })?;
    let input = duban_store::IndicatorInput {
        version: f.version.trim().parse().unwrap_or(0),
        value,
        note: f.note.chars().take(500).collect(),
        submit: true,
    };
    state
        .store
        .save_indicator(
            &region.id,
            &c.id,
            &t.id,
            &input,
            &viewer.who.user,
            state.today(),
        )
        .await?;
    let unit_q = if viewer.who.role == Role::Reporter {
        String::new()
    } else {
        format!("&unit={}", super::encode_component(&f.unit))
    };
    Ok(super::see_other(&format!(
        "/r/{}/workbench?saved=1{unit_q}",
        region.id
    )))
}
