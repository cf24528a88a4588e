//! Dispatch (调度): cycles, the reports units owe in them, review, closing
//! and evaluation. Reports are versioned: every save is a new row, nothing
//! is overwritten, and a save against a stale version is refused.

use crate::{
    audit, get_i64, get_opt_f64, get_opt_str, get_str, new_id, now, Result, Store, StoreError,
};
use duban_core::cycles::{schedule, Cadence};
use duban_core::dates::Date;
use duban_core::evaluation::{self, Light, Status, Thresholds};
use duban_core::groups;
use duban_core::vocab::{CycleKind, CycleStatus, ReportState, ReportStatus, Vocabulary};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cycle {
    pub id: String,
    pub plan: i64,
    pub plan_id: String,
    pub seq: i64,
    /// `regular`, or `extra` for a 临时调度.
    pub kind: String,
    pub opens_on: String,
    pub due_on: String,
    /// `open` or `closed` (reports locked).
    pub status: String,
}

/// A coordination request (需协调事项) raised in a report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoordinationInput {
    /// A unit name, or a leader (e.g. 分管副市长).
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S", max_length = 200))]
    pub to: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S", max_length = 5000))]
    pub text: String,
}

/// What a unit fills in (填报).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The version this edit starts from: 0 for a first report. A stale
    /// version is refused (409), so two people never overwrite each other.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    #[serde(deserialize_with = "duban_core::wire::integer")]
    pub version: i64,
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(not_started|in_progress|done|behind|blocked)$")
    )]
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub completion: f64,
    /// For quantified targets: the cumulative year-to-date value.
    pub current_value: Option<f64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub progress: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub problems: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub next_steps: String,
    #[serde(default)]
    pub coordination: Vec<CoordinationInput>,
    /// Attachment metadata (name, size, …); files live elsewhere.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub attachments: Vec<serde_json::Value>,
    /// Submit for review (otherwise a draft).
    #[serde(default)]
    pub submit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub id: String,
    pub cycle_id: String,
    pub task_id: String,
    pub unit_id: String,
    pub unit: String,
    pub version: i64,
    /// draft / submitted / accepted / returned; `locked` once the cycle closed.
    pub state: String,
    pub status: String,
    pub completion: f64,
    pub current_value: Option<f64>,
    pub progress: String,
    pub problems: String,
    pub next_steps: String,
    pub attachments: serde_json::Value,
    pub submitted_at: Option<String>,
    pub late: bool,
    pub review_comment: Option<String>,
    pub author: String,
    pub created_at: String,
}

/// One report of a batch (`save_reports`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportItem {
    pub task_id: String,
    /// Unit id, name or alias.
    pub unit: String,
    pub report: ReportInput,
}

fn validate(input: &ReportInput) -> Result<()> {
    Status::parse(&input.status)
        .ok_or_else(|| invalid("状态应为 not_started、in_progress、done、behind、blocked 之一。/ status must be not_started, in_progress, done, behind or blocked."))?;
    if !(0.0..=100.0).contains(&input.completion) || !input.completion.is_finite() {
        return Err(invalid(
            "完成比例应在 0 到 100 之间。/ completion must be within 0..100.",
        ));
    }
    if input.current_value.is_some_and(|v| !v.is_finite()) {
        return Err(invalid(
            "current_value 必须是数值。/ current_value must be a number.",
        ));
    }
    let texts = [&input.progress, &input.problems, &input.next_steps];
    if texts.iter().any(|t| t.chars().count() > 5000)
        || input
            .coordination
            .iter()
            .any(|c| c.text.trim().is_empty() || c.to.trim().is_empty())
    {
        return Err(invalid("文字过长（每项不超过 5000 字），或协调事项缺少对象/内容。/ Text too long, or a coordination request lacks its addressee or text."));
    }
    Ok(())
}

/// One report a unit owes in a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expected {
    pub task_id: String,
    pub task: String,
    pub unit_id: String,
    pub unit: String,
    /// `lead` or `co`: co-units report to the lead unit.
    pub role: String,
}

/// A word read from the database that must belong to vocabulary `V`:
/// kept as the same string on the row, but a word outside the vocabulary
/// is an error, never passed on (issue 7, item 11).
fn word<V: Vocabulary>(r: &sqlx::any::AnyRow, column: &str, what: &str) -> Result<String> {
    use sqlx::Row;
    let w: String = r
        .try_get(column)
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?;
    match V::parse(&w) {
        Some(v) => Ok(v.as_str().to_string()),
        None => Err(StoreError::Corrupt(format!("{what} = “{w}”"))),
    }
}

/// A required text or number column: a NULL or a wrong type is an error.
fn text(r: &sqlx::any::AnyRow, column: &str, what: &str) -> Result<String> {
    use sqlx::Row;
    r.try_get(column)
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn integer(r: &sqlx::any::AnyRow, column: &str, what: &str) -> Result<i64> {
    use sqlx::Row;
    r.try_get(column)
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn cycle_from(r: &sqlx::any::AnyRow, plans: &HashMap<String, i64>) -> Result<Cycle> {
    let plan_id = text(r, "plan_id", "cycles.plan_id")?;
    let opens_on = text(r, "opens_on", "cycles.opens_on")?;
    let due_on = text(r, "due_on", "cycles.due_on")?;
    crate::stored_date(&opens_on, "cycles.opens_on")?;
    crate::stored_date(&due_on, "cycles.due_on")?;
    Ok(Cycle {
        id: text(r, "id", "cycles.id")?,
        plan: *plans
            .get(&plan_id)
            .ok_or_else(|| StoreError::Corrupt(format!("cycles.plan_id = “{plan_id}”")))?,
        plan_id,
        seq: integer(r, "seq", "cycles.seq")?,
        kind: word::<CycleKind>(r, "kind", "cycles.kind")?,
        opens_on,
        due_on,
        status: word::<CycleStatus>(r, "status", "cycles.status")?,
    })
}

fn report_from(r: &sqlx::any::AnyRow, cycle_closed: bool) -> Result<Report> {
    let state = word::<ReportState>(r, "state", "reports.state")?;
    let completion = get_opt_f64(r, "completion")
        .filter(|c| c.is_finite())
        .ok_or_else(|| StoreError::Corrupt("reports.completion".into()))?;
    let attachments = serde_json::from_str(&text(r, "attachments", "reports.attachments")?)
        .map_err(|e| StoreError::Corrupt(format!("reports.attachments: {e}")))?;
    Ok(Report {
        id: text(r, "id", "reports.id")?,
        cycle_id: text(r, "cycle_id", "reports.cycle_id")?,
        task_id: text(r, "task_id", "reports.task_id")?,
        unit_id: text(r, "unit_id", "reports.unit_id")?,
        unit: text(r, "unit", "units.name")?,
        version: integer(r, "version", "reports.version")?,
        state: if cycle_closed && state != "draft" {
            "locked".into()
        } else {
            state
        },
        status: word::<ReportStatus>(r, "status", "reports.status")?,
        completion,
        current_value: get_opt_f64(r, "current_value"),
        progress: get_str(r, "progress"),
        problems: get_str(r, "problems"),
        next_steps: get_str(r, "next_steps"),
        attachments,
        submitted_at: get_opt_str(r, "submitted_at"),
        late: integer(r, "late", "reports.late")? != 0,
        review_comment: get_opt_str(r, "review_comment"),
        author: text(r, "author", "reports.author")?,
        created_at: text(r, "created_at", "reports.created_at")?,
    })
}

impl Cycle {
    /// The cycle as `duban_core::cycles::default_cycle` sees it. A date
    /// that does not parse reads as the far future: such a cycle never
    /// opens and is never past due, so it is never chosen by default.
    pub fn state(&self) -> duban_core::cycles::CycleState {
        let day = |s: &str| Date::parse(s).unwrap_or(Date::MAX);
        duban_core::cycles::CycleState {
            seq: self.seq,
            opens_on: day(&self.opens_on),
            due_on: day(&self.due_on),
            closed: self.status == CycleStatus::Closed.as_str(),
        }
    }
}

/// The day a cycle is judged on when the caller names none: today, but
/// never after the cycle's due date, so a finished cycle is not judged
/// against a later calendar (issue 7, item 12). Closed cycles answer with
/// the lights they were closed with whatever the day.
pub fn default_as_of(cycle: &Cycle, today: Date) -> Date {
    match Date::parse(&cycle.due_on) {
        Some(due) => today.min(due),
        None => today,
    }
}

/// A cycle's reporting window opens on `opens_on`; reports before it are
/// refused (cycles are scheduled ahead for the whole year).
pub(crate) fn ensure_started(cycle: &Cycle, today: Date) -> Result<()> {
    if Date::parse(&cycle.opens_on).is_some_and(|o| today < o) {
        return Err(StoreError::Conflict(format!(
            "本期调度 {} 才开始填报。/ This cycle opens for reports on {}.",
            cycle.opens_on, cycle.opens_on
        )));
    }
    Ok(())
}

/// Reports of a closed cycle are locked.
pub(crate) fn ensure_open(cycle: &Cycle) -> Result<()> {
    if cycle.status == "closed" {
        return Err(StoreError::Conflict(
            "该调度周期已关闭，填报已锁定。/ The cycle is closed; its reports are locked.".into(),
        ));
    }
    Ok(())
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

const REPORT_COLUMNS: &str = "r.id, r.cycle_id, r.task_id, r.unit_id, u.name AS unit, r.version, r.state, r.status, r.completion, \
    r.current_value, r.progress, r.problems, r.next_steps, r.attachments, r.submitted_at, r.late, r.review_comment, r.author, r.created_at";

mod coordination;
mod cycles;
mod evaluate;
pub(crate) mod group;
mod reports;
mod settings;

pub use coordination::CoordinationRequest;
pub use evaluate::{
    CampaignSummary, Evaluation, IndicatorEvaluation, RegionSummary, TargetEvaluation,
    TaskEvaluation,
};

impl Store {
    async fn plan_numbers(&self, region_id: &str) -> Result<HashMap<String, i64>> {
        Ok(self
            .plans(region_id)
            .await?
            .into_iter()
            .map(|p| (p.id, p.no))
            .collect())
    }

    async fn plan_id(&self, region_id: &str, plan_no: i64) -> Result<String> {
        self.plans(region_id)
            .await?
            .into_iter()
            .find(|p| p.no == plan_no)
            .map(|p| p.id)
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "本区域没有编号为 {plan_no} 的方案。/ No plan number {plan_no}."
                ))
            })
    }
}
