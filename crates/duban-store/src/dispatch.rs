//! Dispatch (调度): cycles, the reports units owe in them, review, closing
//! and evaluation. Reports are versioned: every save is a new row, nothing
//! is overwritten, and a save against a stale version is refused.

use crate::{
    audit, get_i64, get_opt_f64, get_opt_str, get_str, new_id, now, Result, Store, StoreError,
};
use duban_core::cycles::{schedule, Cadence};
use duban_core::dates::Date;
use duban_core::evaluation::{self, Light, LightInput, Status, Thresholds};
use duban_core::groups;
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskEvaluation {
    pub task_id: String,
    pub title: String,
    pub lead: String,
    pub light: Light,
    pub reason: String,
    pub completion: f64,
    pub time_progress: f64,
    pub reported: bool,
    /// The task's first quantified target, judged on the reported
    /// year-to-date value (when the lead reported one).
    pub target: Option<TargetEvaluation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetEvaluation {
    pub metric: String,
    pub comparator: String,
    pub value: f64,
    pub unit: String,
    pub current: f64,
    #[serde(flatten)]
    pub attainment: evaluation::Attainment,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub cycle: Cycle,
    pub as_of: String,
    pub thresholds: Thresholds,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub metrics: evaluation::ReportingMetrics,
    pub tasks: Vec<TaskEvaluation>,
    pub ranking: Vec<evaluation::Ranked>,
    pub four_rates: evaluation::FourRates,
    /// The four rates of each unit with project lists in the campaign.
    pub four_rates_by_unit: Vec<(String, evaluation::FourRates)>,
    /// Goal indicators with an owner: the reported value against the target.
    pub indicators: Vec<IndicatorEvaluation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorEvaluation {
    pub target_id: String,
    pub metric: String,
    pub owner: String,
    pub comparator: String,
    pub value: f64,
    pub unit: String,
    pub current: Option<f64>,
    pub attainment: Option<evaluation::Attainment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoordinationRequest {
    pub id: String,
    pub task_id: String,
    pub from_unit: String,
    pub addressed_to: String,
    pub text: String,
    pub status: String,
    pub answer: Option<String>,
    pub created_at: String,
}

fn cycle_from(r: &sqlx::any::AnyRow, plans: &HashMap<String, i64>) -> Cycle {
    let plan_id = get_str(r, "plan_id");
    Cycle {
        id: get_str(r, "id"),
        plan: plans.get(&plan_id).copied().unwrap_or(-1),
        plan_id,
        seq: get_i64(r, "seq"),
        kind: get_str(r, "kind"),
        opens_on: get_str(r, "opens_on"),
        due_on: get_str(r, "due_on"),
        status: get_str(r, "status"),
    }
}

fn report_from(r: &sqlx::any::AnyRow, cycle_closed: bool) -> Report {
    let state = get_str(r, "state");
    Report {
        id: get_str(r, "id"),
        cycle_id: get_str(r, "cycle_id"),
        task_id: get_str(r, "task_id"),
        unit_id: get_str(r, "unit_id"),
        unit: get_str(r, "unit"),
        version: get_i64(r, "version"),
        state: if cycle_closed && state != "draft" {
            "locked".into()
        } else {
            state
        },
        status: get_str(r, "status"),
        completion: get_opt_f64(r, "completion").unwrap_or(0.0),
        current_value: get_opt_f64(r, "current_value"),
        progress: get_str(r, "progress"),
        problems: get_str(r, "problems"),
        next_steps: get_str(r, "next_steps"),
        attachments: serde_json::from_str(&get_str(r, "attachments")).unwrap_or(json!([])),
        submitted_at: get_opt_str(r, "submitted_at"),
        late: get_i64(r, "late") != 0,
        review_comment: get_opt_str(r, "review_comment"),
        author: get_str(r, "author"),
        created_at: get_str(r, "created_at"),
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

    /// Cadence and light thresholds of a plan (biweekly and the defaults
    /// until set).
    pub async fn plan_settings(
        &self,
        region_id: &str,
        plan_no: i64,
    ) -> Result<(Cadence, Thresholds)> {
        let plan_id = self.plan_id(region_id, plan_no).await?;
        let row = sqlx::query(
            "SELECT cadence, thresholds FROM plan_settings WHERE region_id = $1 AND plan_id = $2",
        )
        .bind(region_id)
        .bind(&plan_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => (
                Cadence::parse(&get_str(&r, "cadence")).unwrap_or(Cadence::Biweekly),
                serde_json::from_str(&get_str(&r, "thresholds")).unwrap_or_default(),
            ),
            None => (Cadence::Biweekly, Thresholds::default()),
        })
    }

    pub async fn set_plan_settings(
        &self,
        region_id: &str,
        plan_no: i64,
        cadence: Cadence,
        thresholds: Thresholds,
        actor: &str,
    ) -> Result<()> {
        let plan_id = self.plan_id(region_id, plan_no).await?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO plan_settings (region_id, plan_id, cadence, thresholds) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (region_id, plan_id) DO UPDATE SET cadence = excluded.cadence, thresholds = excluded.thresholds",
        )
        .bind(region_id)
        .bind(&plan_id)
        .bind(cadence.as_str())
        .bind(serde_json::to_string(&thresholds).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "plan.settings",
            "plan",
            &plan_id,
            None,
            Some(json!({ "cadence": cadence, "thresholds": thresholds })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_holiday(
        &self,
        region_id: &str,
        day: Date,
        name: &str,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO holidays (region_id, day, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(region_id)
            .bind(day.to_string())
            .bind(name)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "holiday.add",
            "region",
            region_id,
            None,
            Some(json!({ "day": day, "name": name })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn cycles(&self, region_id: &str, plan_no: Option<i64>) -> Result<Vec<Cycle>> {
        let plans = self.plan_numbers(region_id).await?;
        let rows = sqlx::query("SELECT id, plan_id, seq, kind, opens_on, due_on, status FROM cycles WHERE region_id = $1 ORDER BY opens_on, seq")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| cycle_from(r, &plans))
            .filter(|c| plan_no.is_none_or(|p| p == c.plan))
            .collect())
    }

    pub async fn cycle(&self, region_id: &str, id: &str) -> Result<Cycle> {
        self.cycles(region_id, None)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("没有调度周期“{id}”。/ No cycle '{id}'.")))
    }

    /// Opens one cycle (a regular one, or an extra 临时调度).
    pub async fn open_cycle(
        &self,
        region_id: &str,
        plan_no: i64,
        opens_on: Date,
        due_on: Date,
        kind: &str,
        actor: &str,
    ) -> Result<Cycle> {
        if due_on < opens_on {
            return Err(invalid(
                "截止日期不能早于开始日期。/ due_on is before opens_on.",
            ));
        }
        if kind != "regular" && kind != "extra" {
            return Err(invalid(
                "周期类型只能是 regular 或 extra。/ kind is regular or extra.",
            ));
        }
        let plan_id = self.plan_id(region_id, plan_no).await?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS n FROM cycles WHERE region_id = $1 AND plan_id = $2",
        )
        .bind(region_id)
        .bind(&plan_id)
        .fetch_one(&mut *tx)
        .await?;
        let seq = get_i64(&row, "n") + 1;
        let id = new_id();
        sqlx::query(
            "INSERT INTO cycles (region_id, id, plan_id, seq, kind, opens_on, due_on, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)",
        )
        .bind(region_id)
        .bind(&id)
        .bind(&plan_id)
        .bind(seq)
        .bind(kind)
        .bind(opens_on.to_string())
        .bind(due_on.to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, region_id, actor, "cycle.open", "cycle", &id, None, Some(json!({ "plan": plan_no, "seq": seq, "kind": kind, "opens_on": opens_on, "due_on": due_on }))).await?;
        tx.commit().await?;
        self.cycle(region_id, &id).await
    }

    /// Opens the plan's regular cycles from `from` to `to` by its cadence,
    /// skipping holidays for due dates; existing cycles are kept.
    pub async fn schedule_cycles(
        &self,
        region_id: &str,
        plan_no: i64,
        from: Date,
        to: Date,
        actor: &str,
    ) -> Result<Vec<Cycle>> {
        let (cadence, _) = self.plan_settings(region_id, plan_no).await?;
        let holidays: Vec<Date> = sqlx::query("SELECT day FROM holidays WHERE region_id = $1")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .filter_map(|r| Date::parse(&get_str(r, "day")))
            .collect();
        let existing: HashSet<String> = self
            .cycles(region_id, Some(plan_no))
            .await?
            .into_iter()
            .map(|c| c.opens_on)
            .collect();
        let mut out = Vec::new();
        for (opens, due) in schedule(cadence, from, to, &holidays) {
            if !existing.contains(&opens.to_string()) {
                out.push(
                    self.open_cycle(region_id, plan_no, opens, due, "regular", actor)
                        .await?,
                );
            }
        }
        Ok(out)
    }

    /// The reports a cycle expects: one per task of its plan per
    /// responsible unit (lead and co); a group stands for the registered
    /// units it covers.
    pub async fn expected_reports(&self, region_id: &str, cycle: &Cycle) -> Result<Vec<Expected>> {
        let units = self.units(region_id).await?;
        let tasks = self
            .tasks(
                region_id,
                &crate::TaskFilter {
                    plan: Some(cycle.plan),
                    ..Default::default()
                },
            )
            .await?;
        let mut out = Vec::new();
        for t in &tasks {
            let mut seen = HashSet::new();
            for (role, refs) in [("lead", &t.lead_units), ("co", &t.co_units)] {
                for r in refs {
                    let members: Vec<(&str, &str)> = if r.kind == "group" {
                        units
                            .iter()
                            .filter(|u| {
                                u.kind != "group" && groups::covers(&r.name, &u.name, &u.kind)
                            })
                            .map(|u| (u.id.as_str(), u.name.as_str()))
                            .collect()
                    } else {
                        vec![(r.id.as_str(), r.name.as_str())]
                    };
                    for (id, name) in members {
                        if seen.insert(id.to_string()) {
                            out.push(Expected {
                                task_id: t.id.clone(),
                                task: t.title.clone(),
                                unit_id: id.into(),
                                unit: name.into(),
                                role: role.into(),
                            });
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// The current (latest) version of every report in a cycle.
    pub async fn current_reports(&self, region_id: &str, cycle: &Cycle) -> Result<Vec<Report>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM reports r JOIN units u ON u.region_id = r.region_id AND u.id = r.unit_id \
             WHERE r.region_id = $1 AND r.cycle_id = $2 AND r.superseded_at IS NULL ORDER BY r.created_at"
        );
        let rows = sqlx::query(&sql)
            .bind(region_id)
            .bind(&cycle.id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| report_from(r, cycle.status == "closed"))
            .collect())
    }

    /// Every version of one unit's report on one task in one cycle, oldest first.
    pub async fn report_history(
        &self,
        region_id: &str,
        cycle: &Cycle,
        task_id: &str,
        unit_key: &str,
    ) -> Result<Vec<Report>> {
        let unit = self.unit(region_id, unit_key).await?;
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM reports r JOIN units u ON u.region_id = r.region_id AND u.id = r.unit_id \
             WHERE r.region_id = $1 AND r.cycle_id = $2 AND r.task_id = $3 AND r.unit_id = $4 ORDER BY r.version"
        );
        let rows = sqlx::query(&sql)
            .bind(region_id)
            .bind(&cycle.id)
            .bind(task_id)
            .bind(&unit.id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| report_from(r, cycle.status == "closed"))
            .collect())
    }

    /// Saves a report: a draft, or submitted for review (marked late after
    /// the due date). Refused when the cycle is closed, when the unit owes
    /// no report on the task, or when `input.version` is not the current one.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_report(
        &self,
        region_id: &str,
        cycle_id: &str,
        task_id: &str,
        unit_key: &str,
        input: &ReportInput,
        actor: &str,
        today: Date,
    ) -> Result<Report> {
        let item = ReportItem {
            task_id: task_id.to_string(),
            unit: unit_key.to_string(),
            report: input.clone(),
        };
        self.save_reports(
            region_id,
            cycle_id,
            std::slice::from_ref(&item),
            actor,
            today,
        )
        .await?
        .pop()
        .ok_or_else(|| invalid("report vanished"))
    }

    /// Saves several reports of one cycle in one transaction: all or none.
    /// A unit filling in all its tasks at once is one durable commit.
    pub async fn save_reports(
        &self,
        region_id: &str,
        cycle_id: &str,
        items: &[ReportItem],
        actor: &str,
        today: Date,
    ) -> Result<Vec<Report>> {
        for item in items {
            validate(&item.report)?;
        }
        let cycle = self.cycle(region_id, cycle_id).await?;
        ensure_open(&cycle)?;
        ensure_started(&cycle, today)?;
        // Who owes what: the tasks of the cycle's plan and their units
        // (a group owes through the registered units it covers).
        let all = self.all_tasks(region_id).await?;
        let tasks: HashMap<&str, &crate::TaskRow> = all
            .iter()
            .filter(|t| t.plan == cycle.plan)
            .map(|t| (t.id.as_str(), t))
            .collect();
        let registry = self.units(region_id).await?;
        let mut units = Vec::with_capacity(items.len());
        for item in items {
            let unit = registry
                .iter()
                .find(|u| {
                    u.id == item.unit || u.name == item.unit || u.aliases.contains(&item.unit)
                })
                .cloned()
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "没有单位“{}”。/ No unit '{}'.",
                        item.unit, item.unit
                    ))
                })?;
            let owes = tasks.get(item.task_id.as_str()).is_some_and(|t| {
                t.lead_units.iter().chain(&t.co_units).any(|r| {
                    r.id == unit.id
                        || (r.kind == "group"
                            && unit.kind != "group"
                            && groups::covers(&r.name, &unit.name, &unit.kind))
                })
            });
            if !owes {
                return Err(StoreError::NotFound(format!("“{}”在本周期不需要填报该任务。/ This unit owes no report on this task in this cycle.", unit.name)));
            }
            units.push(unit);
        }
        let due = crate::stored_date(&cycle.due_on, "cycles.due_on")?;
        let at = now();
        let mut tx = self.begin().await?;
        let mut saved = Vec::new();
        for (item, unit) in items.iter().zip(&units) {
            let input = &item.report;
            let current = sqlx::query("SELECT id, version FROM reports WHERE region_id = $1 AND cycle_id = $2 AND task_id = $3 AND unit_id = $4 AND superseded_at IS NULL")
                .bind(region_id)
                .bind(cycle_id)
                .bind(&item.task_id)
                .bind(&unit.id)
                .fetch_optional(&mut *tx)
                .await?;
            let current_version = current.as_ref().map(|r| get_i64(r, "version")).unwrap_or(0);
            if input.version != current_version {
                return Err(StoreError::Conflict(format!(
                    "该填报已被他人修改（当前第 {current_version} 版，你基于第 {} 版），请刷新后再改。/ The report changed since you opened it (now version {current_version}); reload and edit again.",
                    input.version
                )));
            }
            if let Some(c) = &current {
                sqlx::query(
                    "UPDATE reports SET superseded_at = $1 WHERE region_id = $2 AND id = $3",
                )
                .bind(&at)
                .bind(region_id)
                .bind(get_str(c, "id"))
                .execute(&mut *tx)
                .await?;
            }
            let id = new_id();
            let late = input.submit && today > due;
            sqlx::query(
                "INSERT INTO reports (region_id, id, cycle_id, task_id, unit_id, version, state, status, completion, current_value, progress, problems, next_steps, attachments, submitted_at, late, author, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            )
            .bind(region_id)
            .bind(&id)
            .bind(cycle_id)
            .bind(&item.task_id)
            .bind(&unit.id)
            .bind(current_version + 1)
            .bind(if input.submit { "submitted" } else { "draft" })
            .bind(&input.status)
            .bind(input.completion)
            .bind(input.current_value)
            .bind(&input.progress)
            .bind(&input.problems)
            .bind(&input.next_steps)
            .bind(serde_json::to_string(&input.attachments).unwrap_or_else(|_| "[]".into()))
            .bind(input.submit.then(|| at.clone()))
            .bind(late as i64)
            .bind(actor)
            .bind(&at)
            .persistent(false)
            .execute(&mut *tx)
            .await?;
            for c in &input.coordination {
                sqlx::query(
                    "INSERT INTO coordination_requests (region_id, id, report_id, task_id, from_unit_id, addressed_to, text, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)",
                )
                .bind(region_id)
                .bind(new_id())
                .bind(&id)
                .bind(&item.task_id)
                .bind(&unit.id)
                .bind(c.to.trim())
                .bind(c.text.trim())
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            }
            audit(
                &mut tx,
                region_id,
                actor,
                if input.submit { "report.submit" } else { "report.draft" },
                "report",
                &id,
                None,
                Some(json!({ "cycle": cycle_id, "task": item.task_id, "unit": unit.name, "version": current_version + 1, "completion": input.completion, "late": late })),
            )
            .await?;
            saved.push(id);
        }
        tx.commit().await?;
        // Read back only this batch (same author and commit time), not the
        // whole cycle: a single save must not cost a read of every report.
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM reports r JOIN units u ON u.region_id = r.region_id AND u.id = r.unit_id \
             WHERE r.region_id = $1 AND r.cycle_id = $2 AND r.author = $3 AND r.created_at = $4"
        );
        let rows = sqlx::query(&sql)
            .bind(region_id)
            .bind(cycle_id)
            .bind(actor)
            .bind(&at)
            .fetch_all(&self.pool)
            .await?;
        let batch: Vec<Report> = rows.iter().map(|r| report_from(r, false)).collect();
        Ok(saved
            .iter()
            .filter_map(|id| batch.iter().find(|r| &r.id == id).cloned())
            .collect())
    }

    /// Accepts or returns a submitted report (审核 / 退回), as a new version.
    #[allow(clippy::too_many_arguments)]
    pub async fn review_report(
        &self,
        region_id: &str,
        cycle_id: &str,
        task_id: &str,
        unit_key: &str,
        accept: bool,
        comment: &str,
        version: i64,
        actor: &str,
    ) -> Result<Report> {
        let cycle = self.cycle(region_id, cycle_id).await?;
        ensure_open(&cycle)?;
        if !accept && comment.trim().is_empty() {
            return Err(invalid(
                "退回时必须写明原因。/ Returning a report needs a comment.",
            ));
        }
        let unit = self.unit(region_id, unit_key).await?;
        let mut tx = self.begin().await?;
        let current = sqlx::query("SELECT * FROM reports WHERE region_id = $1 AND cycle_id = $2 AND task_id = $3 AND unit_id = $4 AND superseded_at IS NULL")
            .bind(region_id)
            .bind(cycle_id)
            .bind(task_id)
            .bind(&unit.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound("还没有填报。/ Nothing reported yet.".into()))?;
        let current_version = get_i64(&current, "version");
        if version != current_version {
            return Err(StoreError::Conflict(format!("该填报已更新为第 {current_version} 版，请刷新后再审核。/ The report changed (now version {current_version}); reload.")));
        }
        if get_str(&current, "state") != "submitted" {
            return Err(StoreError::Conflict(
                "只能审核已报送的填报。/ Only submitted reports can be reviewed.".into(),
            ));
        }
        let at = now();
        sqlx::query("UPDATE reports SET superseded_at = $1 WHERE region_id = $2 AND id = $3")
            .bind(&at)
            .bind(region_id)
            .bind(get_str(&current, "id"))
            .execute(&mut *tx)
            .await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO reports (region_id, id, cycle_id, task_id, unit_id, version, state, status, completion, current_value, progress, problems, next_steps, attachments, submitted_at, late, review_comment, author, created_at) \
             SELECT region_id, $1, cycle_id, task_id, unit_id, version + 1, $2, status, completion, current_value, progress, problems, next_steps, attachments, submitted_at, late, $3, $4, $5 \
             FROM reports WHERE region_id = $6 AND id = $7",
        )
        .bind(&id)
        .bind(if accept { "accepted" } else { "returned" })
        .bind(comment.trim())
        .bind(actor)
        .bind(&at)
        .bind(region_id)
        .bind(get_str(&current, "id"))
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            if accept {
                "report.accept"
            } else {
                "report.return"
            },
            "report",
            &id,
            None,
            Some(json!({ "comment": comment, "version": current_version + 1 })),
        )
        .await?;
        tx.commit().await?;
        self.report_history(region_id, &cycle, task_id, &unit.id)
            .await?
            .pop()
            .ok_or_else(|| invalid("report vanished"))
    }

    /// Closes a cycle: its reports lock, and its lights are kept so that the
    /// next cycle can tell a recovery (red → yellow) from a steady state.
    pub async fn close_cycle(
        &self,
        region_id: &str,
        cycle_id: &str,
        today: Date,
        actor: &str,
    ) -> Result<Evaluation> {
        let cycle = self.cycle(region_id, cycle_id).await?;
        if cycle.status == "closed" {
            return Err(StoreError::Conflict(
                "该调度周期已关闭。/ The cycle is already closed.".into(),
            ));
        }
        let eval = self.evaluate(region_id, &cycle, today).await?;
        let mut tx = self.begin().await?;
        for t in &eval.tasks {
            sqlx::query("INSERT INTO task_lights (region_id, cycle_id, task_id, light, reason) VALUES ($1, $2, $3, $4, $5)")
                .bind(region_id)
                .bind(cycle_id)
                .bind(&t.task_id)
                .bind(serde_json::to_value(t.light).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
                .bind(&t.reason)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE cycles SET status = 'closed', closed_at = $1 WHERE region_id = $2 AND id = $3",
        )
        .bind(now())
        .bind(region_id)
        .bind(cycle_id)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, region_id, actor, "cycle.close", "cycle", cycle_id, None, Some(json!({ "green": eval.green, "yellow": eval.yellow, "red": eval.red, "reporting_rate": eval.metrics.reporting_rate }))).await?;
        tx.commit().await?;
        Ok(Evaluation {
            cycle: self.cycle(region_id, cycle_id).await?,
            ..eval
        })
    }

    /// Lights, reporting metrics, ranking and four rates of a cycle as of `today`.
    pub async fn evaluate(
        &self,
        region_id: &str,
        cycle: &Cycle,
        today: Date,
    ) -> Result<Evaluation> {
        let (_, thresholds) = self.plan_settings(region_id, cycle.plan).await?;
        let tasks = self
            .tasks(
                region_id,
                &crate::TaskFilter {
                    plan: Some(cycle.plan),
                    ..Default::default()
                },
            )
            .await?;
        let expected = self.expected_reports(region_id, cycle).await?;
        let reports = self.current_reports(region_id, cycle).await?;
        // Every submitted version counts for the reporting metrics, so a
        // report that was returned still was reported (and on time or not).
        let submitted = sqlx::query("SELECT task_id, unit_id, MIN(late) AS late FROM reports WHERE region_id = $1 AND cycle_id = $2 AND submitted_at IS NOT NULL GROUP BY task_id, unit_id")
            .bind(region_id)
            .bind(&cycle.id)
            .fetch_all(&self.pool)
            .await?;
        let submitted: HashMap<(String, String), bool> = submitted
            .iter()
            .map(|r| {
                (
                    (get_str(r, "task_id"), get_str(r, "unit_id")),
                    get_i64(r, "late") == 0,
                )
            })
            .collect();
        let previous: HashMap<String, Light> = match self
            .cycles(region_id, Some(cycle.plan))
            .await?
            .into_iter()
            .filter(|c| c.seq < cycle.seq)
            .max_by_key(|c| c.seq)
        {
            Some(prev) => sqlx::query(
                "SELECT task_id, light FROM task_lights WHERE region_id = $1 AND cycle_id = $2",
            )
            .bind(region_id)
            .bind(&prev.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .filter_map(|r| {
                Some((
                    get_str(r, "task_id"),
                    serde_json::from_value(json!(get_str(r, "light"))).ok()?,
                ))
            })
            .collect(),
            None => HashMap::new(),
        };
        let document = sqlx::query("SELECT d.doc_date, d.plan_year FROM plans p JOIN documents d ON d.region_id = p.region_id AND d.id = p.document_id WHERE p.region_id = $1 AND p.id = $2")
            .bind(region_id)
            .bind(&cycle.plan_id)
            .fetch_optional(&self.pool)
            .await?;
        let doc_date = document
            .as_ref()
            .and_then(|r| get_opt_str(r, "doc_date"))
            .and_then(|d| Date::parse(&d));
        // The plan's year: as read from the plan, else the year it was
        // issued, else the year of the cycle (a cycle belongs to its plan's year).
        let plan_year = document
            .as_ref()
            .and_then(|r| {
                use sqlx::Row;
                r.try_get::<Option<i64>, _>("plan_year").ok().flatten()
            })
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| Date::new(*y, 1, 1).is_some())
            .or_else(|| doc_date.map(Date::year))
            .or_else(|| Date::parse(&cycle.due_on).map(Date::year))
            .unwrap_or_else(|| today.year());
        let doc_date = doc_date.unwrap_or_else(|| Date::first_of_year(plan_year));
        // A closed cycle answers with the lights it was closed with.
        let closed_lights: HashMap<String, (Light, String)> = if cycle.status == "closed" {
            sqlx::query(
                "SELECT task_id, light, reason FROM task_lights WHERE region_id = $1 AND cycle_id = $2",
            )
            .bind(region_id)
            .bind(&cycle.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .filter_map(|r| {
                Some((
                    get_str(r, "task_id"),
                    (
                        serde_json::from_value(json!(get_str(r, "light"))).ok()?,
                        get_str(r, "reason"),
                    ),
                ))
            })
            .collect()
        } else {
            HashMap::new()
        };
        let targets = self.targets(region_id, Some(cycle.plan)).await?;
        let mut task_evals = Vec::new();
        let mut lights_by_lead: HashMap<String, (usize, usize, usize)> = HashMap::new();
        for t in &tasks {
            let Some(lead) = t.lead_units.first() else {
                continue;
            };
            let report = reports
                .iter()
                .find(|r| r.task_id == t.id && r.unit_id == lead.id && r.state != "draft");
            let deadline = t.due_date.as_deref().and_then(Date::parse);
            let tp = evaluation::time_progress(doc_date, deadline, plan_year, today);
            let (status, completion) = match report {
                Some(r) => (
                    Status::parse(&r.status).unwrap_or(Status::InProgress),
                    r.completion,
                ),
                None => (Status::NotStarted, 0.0),
            };
            let verdict = evaluation::light(
                &LightInput {
                    status,
                    completion,
                    time_progress: tp,
                    days_left: deadline.map(|d| d.days_since(today)),
                    previous: previous.get(&t.id).copied(),
                },
                &thresholds,
            );
            let (light, reason) = match closed_lights.get(&t.id) {
                Some((light, reason)) => (*light, reason.clone()),
                None if report.is_none() => (verdict.light, format!("未报送。{}", verdict.reason)),
                None => (verdict.light, verdict.reason),
            };
            let entry = lights_by_lead.entry(lead.name.clone()).or_default();
            match light {
                Light::Green => entry.0 += 1,
                Light::Yellow => entry.1 += 1,
                Light::Red => entry.2 += 1,
            }
            task_evals.push(TaskEvaluation {
                task_id: t.id.clone(),
                title: t.title.clone(),
                lead: lead.name.clone(),
                light,
                reason,
                completion,
                time_progress: (tp * 10.0).round() / 10.0,
                reported: report.is_some(),
                target: match (
                    report.and_then(|r| r.current_value),
                    targets
                        .iter()
                        .find(|x| x.task_id.as_deref() == Some(t.id.as_str())),
                ) {
                    (Some(current), Some(x)) => {
                        evaluation::Comparator::parse(&x.comparator).map(|c| TargetEvaluation {
                            metric: x.metric.clone(),
                            comparator: x.comparator.clone(),
                            value: x.value,
                            unit: x.unit.clone(),
                            current,
                            attainment: evaluation::attainment(
                                &x.kind,
                                c,
                                x.value,
                                x.value_max,
                                current,
                                evaluation::year_share(plan_year, today),
                                &thresholds,
                            ),
                        })
                    }
                    _ => None,
                },
            });
        }
        let requests = self.coordination_requests(region_id, None).await?;
        let mut per_unit: HashMap<String, (usize, usize, usize)> = HashMap::new();
        for e in &expected {
            let entry = per_unit.entry(e.unit.clone()).or_default();
            entry.0 += 1;
            if let Some(on_time) = submitted.get(&(e.task_id.clone(), e.unit_id.clone())) {
                entry.1 += 1;
                if *on_time {
                    entry.2 += 1;
                }
            }
        }
        let indicators = self.expected_indicators(region_id, cycle).await?;
        let indicator_reports = self.current_indicator_reports(region_id, &cycle.id).await?;
        let mut indicator_evals = Vec::new();
        let (mut ind_actual, mut ind_on_time) = (0, 0);
        for t in &indicators {
            let owner = t.owner.clone().unwrap_or_default();
            let entry = per_unit.entry(owner.clone()).or_default();
            entry.0 += 1;
            let report = indicator_reports
                .iter()
                .find(|r| r.target_id == t.id && r.submitted);
            if let Some(r) = report {
                entry.1 += 1;
                ind_actual += 1;
                if !r.late {
                    entry.2 += 1;
                    ind_on_time += 1;
                }
            }
            indicator_evals.push(IndicatorEvaluation {
                target_id: t.id.clone(),
                metric: t.metric.clone(),
                owner,
                comparator: t.comparator.clone(),
                value: t.value,
                unit: t.unit.clone(),
                current: report.map(|r| r.value),
                attainment: report.and_then(|r| {
                    evaluation::Comparator::parse(&t.comparator).map(|c| {
                        evaluation::attainment(
                            &t.kind,
                            c,
                            t.value,
                            t.value_max,
                            r.value,
                            evaluation::year_share(plan_year, today),
                            &thresholds,
                        )
                    })
                }),
            });
        }
        let records = per_unit
            .into_iter()
            .map(|(unit, (exp, actual, on_time))| {
                let (green, yellow, red) = lights_by_lead.get(&unit).copied().unwrap_or_default();
                let owed: Vec<_> = requests.iter().filter(|r| r.addressed_to == unit).collect();
                evaluation::UnitRecord {
                    metrics: evaluation::reporting_metrics(exp, actual, on_time),
                    green,
                    yellow,
                    red,
                    requests_owed: owed.len(),
                    requests_resolved: owed.iter().filter(|r| r.status == "resolved").count(),
                    unit,
                }
            })
            .collect();
        let (exp, actual, on_time) = (
            expected.len() + indicators.len(),
            expected
                .iter()
                .filter(|e| submitted.contains_key(&(e.task_id.clone(), e.unit_id.clone())))
                .count()
                + ind_actual,
            expected
                .iter()
                .filter(|e| submitted.get(&(e.task_id.clone(), e.unit_id.clone())) == Some(&true))
                .count()
                + ind_on_time,
        );
        let projects = self.project_figures(region_id, cycle.plan).await?;
        Ok(Evaluation {
            as_of: today.to_string(),
            thresholds,
            green: task_evals
                .iter()
                .filter(|t| t.light == Light::Green)
                .count(),
            yellow: task_evals
                .iter()
                .filter(|t| t.light == Light::Yellow)
                .count(),
            red: task_evals.iter().filter(|t| t.light == Light::Red).count(),
            metrics: evaluation::reporting_metrics(exp, actual, on_time),
            tasks: task_evals,
            ranking: evaluation::rank(records),
            four_rates: evaluation::four_rates(
                &projects.iter().map(|(_, f)| *f).collect::<Vec<_>>(),
            ),
            four_rates_by_unit: {
                let mut by_unit: std::collections::BTreeMap<&str, Vec<evaluation::ProjectFigures>> =
                    std::collections::BTreeMap::new();
                for (unit, f) in &projects {
                    by_unit.entry(unit.as_str()).or_default().push(*f);
                }
                by_unit
                    .into_iter()
                    .map(|(u, f)| (u.to_string(), evaluation::four_rates(&f)))
                    .collect()
            },
            indicators: indicator_evals,
            cycle: cycle.clone(),
        })
    }

    async fn project_figures(
        &self,
        region_id: &str,
        plan_no: i64,
    ) -> Result<Vec<(String, evaluation::ProjectFigures)>> {
        let plan_id = self.plan_id(region_id, plan_no).await?;
        let rows = sqlx::query(
            "SELECT u.name AS unit, l.planned_investment, l.funds_secured, l.started, l.funds_paid, l.physical_progress FROM list_items l \
             JOIN tasks t ON t.region_id = l.region_id AND t.id = l.task_id \
             JOIN units u ON u.region_id = l.region_id AND u.id = l.unit_id \
             WHERE l.region_id = $1 AND t.plan_id = $2 AND l.kind = 'project' AND l.deleted_at IS NULL",
        )
        .bind(region_id)
        .bind(&plan_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                (
                    get_str(r, "unit"),
                    evaluation::ProjectFigures {
                        planned_investment: get_opt_f64(r, "planned_investment").unwrap_or(0.0),
                        funds_secured: get_opt_f64(r, "funds_secured").unwrap_or(0.0),
                        started: r
                            .try_get::<Option<i64>, _>("started")
                            .ok()
                            .flatten()
                            .unwrap_or(0)
                            != 0,
                        funds_paid: get_opt_f64(r, "funds_paid").unwrap_or(0.0),
                        physical_progress: get_opt_f64(r, "physical_progress").unwrap_or(0.0),
                    },
                )
            })
            .collect())
    }

    /// Coordination requests, optionally only `open` or `resolved` ones.
    pub async fn coordination_requests(
        &self,
        region_id: &str,
        status: Option<&str>,
    ) -> Result<Vec<CoordinationRequest>> {
        let rows = sqlx::query(
            "SELECT c.id, c.task_id, u.name AS from_unit, c.addressed_to, c.text, c.status, c.answer, c.created_at FROM coordination_requests c \
             JOIN units u ON u.region_id = c.region_id AND u.id = c.from_unit_id WHERE c.region_id = $1 ORDER BY c.created_at",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| CoordinationRequest {
                id: get_str(r, "id"),
                task_id: get_str(r, "task_id"),
                from_unit: get_str(r, "from_unit"),
                addressed_to: get_str(r, "addressed_to"),
                text: get_str(r, "text"),
                status: get_str(r, "status"),
                answer: get_opt_str(r, "answer"),
                created_at: get_str(r, "created_at"),
            })
            .filter(|c| status.is_none_or(|s| s == c.status))
            .collect())
    }

    pub async fn resolve_request(
        &self,
        region_id: &str,
        id: &str,
        answer: &str,
        actor: &str,
    ) -> Result<CoordinationRequest> {
        if answer.trim().is_empty() {
            return Err(invalid("请填写答复。/ An answer is required."));
        }
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE coordination_requests SET status = 'resolved', answer = $1, resolved_at = $2 WHERE region_id = $3 AND id = $4 AND status = 'open'")
            .bind(answer.trim())
            .bind(now())
            .bind(region_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(
                "没有这个待办的协调事项。/ No such open coordination request.".into(),
            ));
        }
        audit(
            &mut tx,
            region_id,
            actor,
            "coordination.resolve",
            "coordination_request",
            id,
            None,
            Some(json!({ "answer": answer })),
        )
        .await?;
        tx.commit().await?;
        self.coordination_requests(region_id, None)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| invalid("request vanished"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignSummary {
    pub plan: i64,
    pub title: String,
    pub cycle_id: String,
    pub due_on: String,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub metrics: evaluation::ReportingMetrics,
    pub best: Option<String>,
    pub worst: Option<String>,
}

/// A region at a glance (for leaders' dashboards): each campaign's latest
/// cycle that has opened, and the region's reporting metrics over them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionSummary {
    pub as_of: String,
    pub campaigns: Vec<CampaignSummary>,
    pub metrics: evaluation::ReportingMetrics,
}

impl Store {
    pub async fn region_summary(&self, region_id: &str, as_of: Date) -> Result<RegionSummary> {
        let titles: HashMap<i64, String> = self
            .plans(region_id)
            .await?
            .into_iter()
            .map(|p| (p.no, p.title))
            .collect();
        let cycles = self.cycles(region_id, None).await?;
        let mut latest: HashMap<i64, Cycle> = HashMap::new();
        for c in cycles
            .into_iter()
            .filter(|c| Date::parse(&c.opens_on).is_some_and(|d| d <= as_of))
        {
            if latest
                .get(&c.plan)
                .is_none_or(|l| (l.opens_on.as_str(), l.seq) < (c.opens_on.as_str(), c.seq))
            {
                latest.insert(c.plan, c);
            }
        }
        let mut plans: Vec<i64> = latest.keys().copied().collect();
        plans.sort();
        let (mut expected, mut actual, mut on_time) = (0, 0, 0);
        let mut campaigns = Vec::new();
        for plan in plans {
            let cycle = &latest[&plan];
            let e = self
                .evaluate(region_id, cycle, default_as_of(cycle, as_of))
                .await?;
            expected += e.metrics.expected;
            actual += e.metrics.actual;
            on_time += e.metrics.on_time;
            campaigns.push(CampaignSummary {
                plan,
                title: titles.get(&plan).cloned().unwrap_or_default(),
                cycle_id: cycle.id.clone(),
                due_on: cycle.due_on.clone(),
                green: e.green,
                yellow: e.yellow,
                red: e.red,
                metrics: e.metrics,
                best: e.ranking.first().map(|r| r.unit.clone()),
                worst: e.ranking.last().map(|r| r.unit.clone()),
            });
        }
        Ok(RegionSummary {
            as_of: as_of.to_string(),
            campaigns,
            metrics: evaluation::reporting_metrics(expected, actual, on_time),
        })
    }
}
