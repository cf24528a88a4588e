//! 一月一督导: supervision visits, the rectification items their findings
//! become, and the loop that closes them (闭环整改). The rules (states,
//! lights, overdue) are `duban_core::supervision`'s; this file stores and
//! audits. Authorisation is the caller's (`duban_core::policy`), made
//! against the campaign and units this file reports for each object.

use crate::{audit, get_i64, get_opt_str, get_str, new_id, now, Result, Store, StoreError};
use duban_core::dates::Date;
use duban_core::evaluation::Light;
use duban_core::supervision::{
    self as rules, Cadence, Event, ItemFacts, ItemState, Month, VisitState,
};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Most files on one visit or one item.
pub const MAX_SUPERVISION_FILES: i64 = 20;
/// Longest free text (problem, requirement, narrative, progress).
const MAX_TEXT: usize = 4000;

/// A visit to plan (督导计划).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// The campaign (plan number).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 999))]
    pub plan: u32,
    /// `YYYY-MM`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")
    )]
    pub month: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S", max_length = 200))]
    pub title: String,
    /// `YYYY-MM-DD`, inside the month.
    #[serde(default)]
    pub planned_on: Option<String>,
    /// The team: user names of duban accounts, and names of people without one.
    #[serde(default)]
    pub team_users: Vec<String>,
    #[serde(default)]
    pub team_names: Vec<String>,
    /// Task ids, list item ids and units (id, name or alias) to visit.
    #[serde(default)]
    pub tasks: Vec<String>,
    #[serde(default)]
    pub list_items: Vec<String>,
    #[serde(default)]
    pub units: Vec<String>,
}

/// What a visit found, written when it is done (督导情况).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitRecord {
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub visited_on: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S", max_length = 4000))]
    pub narrative: String,
    /// When given, these replace the planned team and objects.
    #[serde(default)]
    pub team_users: Option<Vec<String>>,
    #[serde(default)]
    pub team_names: Option<Vec<String>>,
    #[serde(default)]
    pub tasks: Option<Vec<String>>,
    #[serde(default)]
    pub list_items: Option<Vec<String>>,
    #[serde(default)]
    pub units: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ref {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    pub id: String,
    pub plan: u32,
    pub month: String,
    pub title: String,
    pub planned_on: Option<String>,
    pub visited_on: Option<String>,
    pub team_users: Vec<String>,
    pub team_names: Vec<String>,
    pub tasks: Vec<Ref>,
    pub list_items: Vec<Ref>,
    pub units: Vec<Ref>,
    pub narrative: String,
    /// `planned`, `done` or `cancelled`.
    pub state: String,
    pub cancel_reason: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

/// A finding to turn into a rectification item (督导发现的问题).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S", max_length = 4000))]
    pub problem: String,
    /// 整改要求.
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S", max_length = 4000))]
    pub requirement: String,
    /// 整改时限, `YYYY-MM-DD`.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub deadline: String,
    /// Units (id, name or alias): at least one lead.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub lead_units: Vec<String>,
    #[serde(default)]
    pub co_units: Vec<String>,
    #[serde(default)]
    pub task: Option<String>,
    #[serde(default)]
    pub list_item: Option<String>,
}

/// Who listed an item (挂牌督办) and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    /// The leader in whose name it is listed.
    pub leader: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RectificationItem {
    pub id: String,
    pub visit_id: String,
    pub plan: u32,
    pub problem: String,
    pub requirement: String,
    pub deadline: String,
    pub task: Option<Ref>,
    pub list_item: Option<Ref>,
    pub lead_units: Vec<Ref>,
    pub co_units: Vec<Ref>,
    /// `open`, `in_progress`, `awaiting_verification`, `returned`, `closed`.
    pub state: String,
    pub state_label: String,
    pub version: i64,
    /// Derived as of the day asked for, never stored.
    pub overdue: bool,
    /// `red`, `yellow`, `green`; none once closed.
    pub light: Option<Light>,
    pub submitted_on: Option<String>,
    pub return_reason: Option<String>,
    pub listed: Option<Listing>,
    pub closed_on: Option<String>,
    pub closed_by: Option<String>,
    /// For a closed item: whether it was handed in after its deadline.
    pub closed_late: Option<bool>,
    pub created_by: String,
    pub created_at: String,
}

impl RectificationItem {
    /// Every unit on the item, lead first: the units it is answerable to.
    pub fn unit_ids(&self) -> Vec<&str> {
        self.lead_units
            .iter()
            .chain(&self.co_units)
            .map(|u| u.id.as_str())
            .collect()
    }
}

/// One event in an item's history: each is a version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RectificationEvent {
    pub version: i64,
    /// `create`, `progress`, `submit`, `return`, `close`, `list`.
    pub event: String,
    /// The state after the event.
    pub state: String,
    pub text: String,
    pub unit: Option<String>,
    pub day: String,
    pub author: String,
    pub created_at: String,
}

/// A unit's progress report on an item (整改进展与佐证).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// The item version the report was written against.
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S", max_length = 4000))]
    pub text: String,
    /// Ask for verification (申请销号) rather than only report progress.
    #[serde(default)]
    pub submit: bool,
}

/// The office's decision on an item awaiting verification.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub version: i64,
    /// `true`: verified and closed (销号); `false`: returned.
    pub close: bool,
    /// Required when returning.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupervisionFile {
    pub id: String,
    /// `visit` or `item`.
    pub owner_kind: String,
    pub owner_id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub author: String,
    pub created_at: String,
}

/// Which items to list; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFilter {
    pub plan: Option<u32>,
    /// Unit id, name or alias: items it leads or co-operates on.
    pub unit: Option<String>,
    pub visit: Option<String>,
    /// Only items not closed.
    #[serde(default)]
    pub open: bool,
    /// Only listed items (挂牌督办).
    #[serde(default)]
    pub listed: bool,
}

/// A month of supervision, for the bulletin's section and the dashboard:
/// the month's visits, the items found in it, the items closed in it, what
/// is still open, and the listed items until they close.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupervisionMonth {
    pub month: String,
    pub visits: Vec<Visit>,
    /// Items recorded from the month's visits.
    pub found: Vec<RectificationItem>,
    /// Items closed during the month (whenever found).
    pub closed: Vec<RectificationItem>,
    /// Every item not closed, as of the day asked for.
    pub open: Vec<RectificationItem>,
    /// Listed items not closed (挂牌督办), overdue first.
    pub listed: Vec<RectificationItem>,
    pub overdue: usize,
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

fn check_text(value: &str, what_zh: &str, what: &str, required: bool) -> Result<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(invalid(format!("请填写{what_zh}。/ {what} is required.")));
    }
    if v.chars().count() > MAX_TEXT {
        return Err(invalid(format!(
            "{what_zh}不能超过 {MAX_TEXT} 字。/ {what} is at most {MAX_TEXT} characters."
        )));
    }
    Ok(v.to_string())
}

fn check_date(value: &str, what_zh: &str, what: &str) -> Result<Date> {
    Date::parse_strict(value.trim()).ok_or_else(|| {
        invalid(format!(
            "{what_zh}“{value}”不是有效日期（YYYY-MM-DD）。/ {what} is not a valid date (YYYY-MM-DD)."
        ))
    })
}

fn json_list(row: &AnyRow, col: &str) -> Vec<String> {
    serde_json::from_str(&get_str(row, col)).unwrap_or_default()
}

fn names(values: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if v.chars().count() > 40 {
            return Err(invalid(
                "督导组成员姓名不超过 40 字。/ A team member's name is at most 40 characters.",
            ));
        }
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    if out.len() > 30 {
        return Err(invalid(
            "督导组最多 30 人。/ A team has at most 30 members.",
        ));
    }
    Ok(out)
}

/// Resolved objects of a visit: (team users, team names, task ids, list item ids, unit ids).
type VisitObjects = (
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
);

impl Store {
    /// A campaign's supervision cadence (monthly unless set).
    pub async fn supervision_cadence(&self, region_id: &str, plan: u32) -> Result<Cadence> {
        let row = sqlx::query(
            "SELECT cadence FROM supervision_settings WHERE region_id = $1 AND plan_no = $2",
        )
        .bind(region_id)
        .bind(i64::from(plan))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(Cadence::Monthly),
            Some(r) => {
                let v = get_str(&r, "cadence");
                Cadence::parse(&v).ok_or_else(|| {
                    StoreError::Corrupt(format!("supervision_settings.cadence = “{v}”"))
                })
            }
        }
    }

    pub async fn set_supervision_cadence(
        &self,
        region_id: &str,
        plan: u32,
        cadence: Cadence,
        actor: &str,
    ) -> Result<Cadence> {
        self.campaign_exists(region_id, plan).await?;
        let before = self.supervision_cadence(region_id, plan).await?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO supervision_settings (region_id, plan_no, cadence, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (region_id, plan_no) DO UPDATE SET cadence = $3, updated_at = $4",
        )
        .bind(region_id)
        .bind(i64::from(plan))
        .bind(cadence.as_str())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "supervision.cadence",
            "plan",
            &plan.to_string(),
            Some(serde_json::json!({ "cadence": before.as_str() })),
            Some(serde_json::json!({ "cadence": cadence.as_str() })),
        )
        .await?;
        tx.commit().await?;
        Ok(cadence)
    }

    async fn campaign_exists(&self, region_id: &str, plan: u32) -> Result<()> {
        if self
            .plans(region_id)
            .await?
            .iter()
            .any(|p| p.no == i64::from(plan) && p.no > 0)
        {
            Ok(())
        } else {
            Err(StoreError::NotFound(format!(
                "没有第{plan}号攻坚。/ No campaign {plan}."
            )))
        }
    }

    /// Checks and resolves what a visit names: users must be accounts of
    /// the region, tasks and list items must belong to the campaign.
    #[allow(clippy::too_many_arguments)]
    async fn visit_objects(
        &self,
        region_id: &str,
        plan: u32,
        team_users: &[String],
        team_names: &[String],
        tasks: &[String],
        list_items: &[String],
        units: &[String],
    ) -> Result<VisitObjects> {
        let users = names(team_users)?;
        if !users.is_empty() {
            // Any account: a team may include people from the region above.
            let known = self.users(None).await?;
            for u in &users {
                if !known.iter().any(|(k, _)| &k.name == u) {
                    return Err(StoreError::NotFound(format!(
                        "没有用户“{u}”。/ No user '{u}'."
                    )));
                }
            }
        }
        let mut task_ids = Vec::new();
        for t in tasks.iter().filter(|t| !t.trim().is_empty()) {
            let task = self.task(region_id, t.trim()).await?;
            if task.plan != i64::from(plan) {
                return Err(invalid(format!(
                    "任务“{}”不属于第{plan}号攻坚。/ The task is not in campaign {plan}.",
                    task.title
                )));
            }
            if !task_ids.contains(&task.id) {
                task_ids.push(task.id);
            }
        }
        let mut item_ids = Vec::new();
        for l in list_items.iter().filter(|l| !l.trim().is_empty()) {
            let item = self.list_item(region_id, l.trim()).await?;
            if self.task_campaign(region_id, &item.task_id).await? != Some(plan) {
                return Err(invalid(format!(
                    "清单事项“{}”不属于第{plan}号攻坚。/ The list item is not in campaign {plan}.",
                    item.title
                )));
            }
            if !item_ids.contains(&item.id) {
                item_ids.push(item.id);
            }
        }
        let mut unit_ids = Vec::new();
        for u in units.iter().filter(|u| !u.trim().is_empty()) {
            let unit = self.unit(region_id, u.trim()).await?;
            if !unit_ids.contains(&unit.id) {
                unit_ids.push(unit.id);
            }
        }
        Ok((users, names(team_names)?, task_ids, item_ids, unit_ids))
    }

    /// Plans a visit (state `planned`).
    pub async fn plan_visit(&self, region_id: &str, v: &NewVisit, actor: &str) -> Result<Visit> {
        self.campaign_exists(region_id, v.plan).await?;
        let month = Month::parse(&v.month).ok_or_else(|| {
            invalid(format!(
                "督导月份“{}”无效，应为 YYYY-MM。/ The month must be YYYY-MM.",
                v.month
            ))
        })?;
        let title = check_text(&v.title, "督导名称", "title", true)?;
        if title.chars().count() > 200 {
            return Err(invalid(
                "督导名称不超过 200 字。/ The title is at most 200 characters.",
            ));
        }
        let planned_on = match v
            .planned_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => {
                let d = check_date(s, "计划日期", "planned_on")?;
                if !month.contains(d) {
                    return Err(invalid(format!(
                        "计划日期 {d} 不在 {month} 月内。/ planned_on is outside the month."
                    )));
                }
                Some(d.to_string())
            }
        };
        let (users, team, tasks, items, units) = self
            .visit_objects(
                region_id,
                v.plan,
                &v.team_users,
                &v.team_names,
                &v.tasks,
                &v.list_items,
                &v.units,
            )
            .await?;
        let id = new_id();
        let at = now();
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO visits (region_id, id, plan_no, month, title, planned_on, visited_on, team_users, team_names, task_ids, list_item_ids, unit_ids, narrative, state, cancel_reason, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11, '', 'planned', NULL, $12, $13, $14)",
        )
        .bind(region_id)
        .bind(&id)
        .bind(i64::from(v.plan))
        .bind(month.to_string())
        .bind(&title)
        .bind(&planned_on)
        .bind(json(&users))
        .bind(json(&team))
        .bind(json(&tasks))
        .bind(json(&items))
        .bind(json(&units))
        .bind(actor)
        .bind(&at)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "visit.plan",
            "visit",
            &id,
            None,
            Some(serde_json::json!({ "plan": v.plan, "month": month.to_string(), "title": title, "planned_on": planned_on, "team_users": users, "team_names": team, "tasks": tasks, "list_items": items, "units": units })),
        )
        .await?;
        tx.commit().await?;
        self.visit(region_id, &id).await
    }

    /// Records a visit as done: its date and what was found.
    pub async fn record_visit(
        &self,
        region_id: &str,
        id: &str,
        r: &VisitRecord,
        actor: &str,
    ) -> Result<Visit> {
        let before = self.visit(region_id, id).await?;
        let state = VisitState::parse(&before.state)
            .ok_or_else(|| StoreError::Corrupt(format!("visits.state = “{}”", before.state)))?;
        if !state.may_record() {
            return Err(StoreError::Conflict(format!(
                "督导已取消，不能再记录。/ The visit was cancelled ({}).",
                state.zh()
            )));
        }
        let day = check_date(&r.visited_on, "督导日期", "visited_on")?;
        let narrative = check_text(&r.narrative, "督导情况", "narrative", true)?;
        let ids = |v: &[Ref]| v.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
        let (users, team, tasks, items, units) = self
            .visit_objects(
                region_id,
                before.plan,
                r.team_users.as_deref().unwrap_or(&before.team_users),
                r.team_names.as_deref().unwrap_or(&before.team_names),
                r.tasks.as_deref().unwrap_or(&ids(&before.tasks)),
                r.list_items.as_deref().unwrap_or(&ids(&before.list_items)),
                r.units.as_deref().unwrap_or(&ids(&before.units)),
            )
            .await?;
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE visits SET visited_on = $1, narrative = $2, team_users = $3, team_names = $4, task_ids = $5, list_item_ids = $6, unit_ids = $7, state = 'done', updated_at = $8 \
             WHERE region_id = $9 AND id = $10",
        )
        .bind(day.to_string())
        .bind(&narrative)
        .bind(json(&users))
        .bind(json(&team))
        .bind(json(&tasks))
        .bind(json(&items))
        .bind(json(&units))
        .bind(now())
        .bind(region_id)
        .bind(&before.id)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "visit.record",
            "visit",
            &before.id,
            serde_json::to_value(&before).ok(),
            Some(serde_json::json!({ "visited_on": day.to_string(), "narrative": narrative, "team_users": users, "team_names": team, "tasks": tasks, "list_items": items, "units": units })),
        )
        .await?;
        tx.commit().await?;
        self.visit(region_id, id).await
    }

    /// Cancels a planned visit, with the reason.
    pub async fn cancel_visit(
        &self,
        region_id: &str,
        id: &str,
        reason: &str,
        actor: &str,
    ) -> Result<Visit> {
        let before = self.visit(region_id, id).await?;
        let state = VisitState::parse(&before.state)
            .ok_or_else(|| StoreError::Corrupt(format!("visits.state = “{}”", before.state)))?;
        if !state.may_cancel() {
            return Err(StoreError::Conflict(format!(
                "只有计划中的督导可以取消（当前：{}）。/ Only a planned visit can be cancelled.",
                state.zh()
            )));
        }
        let reason = check_text(reason, "取消原因", "reason", true)?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE visits SET state = 'cancelled', cancel_reason = $1, updated_at = $2 WHERE region_id = $3 AND id = $4")
            .bind(&reason)
            .bind(now())
            .bind(region_id)
            .bind(&before.id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "visit.cancel",
            "visit",
            &before.id,
            Some(serde_json::json!({ "state": before.state })),
            Some(serde_json::json!({ "state": "cancelled", "reason": reason })),
        )
        .await?;
        tx.commit().await?;
        self.visit(region_id, id).await
    }

    /// The region's visits, newest month first; by campaign and month.
    pub async fn visits(
        &self,
        region_id: &str,
        plan: Option<u32>,
        month: Option<Month>,
    ) -> Result<Vec<Visit>> {
        let rows = sqlx::query(
            "SELECT * FROM visits WHERE region_id = $1 ORDER BY month DESC, plan_no, created_at, id",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let month = month.map(|m| m.to_string());
        let units = self.unit_names(region_id).await?;
        let mut out = Vec::new();
        for r in rows.iter().filter(|r| {
            plan.is_none_or(|p| get_i64(r, "plan_no") == i64::from(p))
                && month.as_ref().is_none_or(|m| &get_str(r, "month") == m)
        }) {
            out.push(self.row_to_visit(region_id, r, &units).await?);
        }
        Ok(out)
    }

    pub async fn visit(&self, region_id: &str, id: &str) -> Result<Visit> {
        let row = sqlx::query("SELECT * FROM visits WHERE region_id = $1 AND id = $2")
            .bind(region_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound("没有这次督导。/ No such visit.".into()))?;
        let units = self.unit_names(region_id).await?;
        self.row_to_visit(region_id, &row, &units).await
    }

    async fn row_to_visit(
        &self,
        region_id: &str,
        r: &AnyRow,
        units: &HashMap<String, String>,
    ) -> Result<Visit> {
        let tasks = self.all_tasks(region_id).await?;
        let task_refs = json_list(r, "task_ids")
            .into_iter()
            .map(|id| Ref {
                name: tasks
                    .iter()
                    .find(|t| t.id == id)
                    .map(|t| t.title.clone())
                    .unwrap_or_else(|| "（已删除的任务）".into()),
                id,
            })
            .collect();
        let mut item_refs = Vec::new();
        for id in json_list(r, "list_item_ids") {
            let name = match self.list_item(region_id, &id).await {
                Ok(i) => i.title,
                Err(StoreError::NotFound(_)) => "（已删除的清单事项）".into(),
                Err(e) => return Err(e),
            };
            item_refs.push(Ref { id, name });
        }
        let unit_refs = json_list(r, "unit_ids")
            .into_iter()
            .map(|id| Ref {
                name: units.get(&id).cloned().unwrap_or_else(|| id.clone()),
                id,
            })
            .collect();
        let plan = get_i64(r, "plan_no");
        Ok(Visit {
            id: get_str(r, "id"),
            plan: u32::try_from(plan)
                .map_err(|_| StoreError::Corrupt(format!("visits.plan_no = {plan}")))?,
            month: get_str(r, "month"),
            title: get_str(r, "title"),
            planned_on: get_opt_str(r, "planned_on"),
            visited_on: get_opt_str(r, "visited_on"),
            team_users: json_list(r, "team_users"),
            team_names: json_list(r, "team_names"),
            tasks: task_refs,
            list_items: item_refs,
            units: unit_refs,
            narrative: get_str(r, "narrative"),
            state: get_str(r, "state"),
            cancel_reason: get_opt_str(r, "cancel_reason"),
            created_by: get_str(r, "created_by"),
            created_at: get_str(r, "created_at"),
        })
    }

    /// Unit id → name, merged and deleted units included (old items keep
    /// their names).
    async fn unit_names(&self, region_id: &str) -> Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT id, name FROM units WHERE region_id = $1")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| (get_str(r, "id"), get_str(r, "name")))
            .collect())
    }

    /// Turns a finding of a done visit into a rectification item.
    pub async fn add_finding(
        &self,
        region_id: &str,
        visit_id: &str,
        f: &NewFinding,
        today: Date,
        actor: &str,
    ) -> Result<RectificationItem> {
        let visit = self.visit(region_id, visit_id).await?;
        if visit.state != VisitState::Done.as_str() {
            return Err(StoreError::Conflict(
                "请先记录督导情况（已督导），再登记发现的问题。/ Record the visit as done before adding findings.".into(),
            ));
        }
        let problem = check_text(&f.problem, "发现的问题", "problem", true)?;
        let requirement = check_text(&f.requirement, "整改要求", "requirement", true)?;
        let deadline = check_date(&f.deadline, "整改时限", "deadline")?;
        if let Some(v) = visit.visited_on.as_deref().and_then(Date::parse) {
            if deadline < v {
                return Err(invalid(format!(
                    "整改时限 {deadline} 早于督导日期 {v}。/ The deadline is before the visit."
                )));
            }
        }
        if f.lead_units.iter().all(|u| u.trim().is_empty()) {
            return Err(invalid(
                "至少需要一个牵头单位。/ At least one lead unit is required.",
            ));
        }
        let mut units: Vec<(String, &str)> = Vec::new();
        for (key, role) in f
            .lead_units
            .iter()
            .map(|u| (u, "lead"))
            .chain(f.co_units.iter().map(|u| (u, "co")))
            .filter(|(u, _)| !u.trim().is_empty())
        {
            let unit = self.unit(region_id, key.trim()).await?;
            if !units.iter().any(|(id, _)| *id == unit.id) {
                units.push((unit.id, role));
            }
        }
        let task_id = match f.task.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => {
                let task = self.task(region_id, t).await?;
                if task.plan != i64::from(visit.plan) {
                    return Err(invalid(format!(
                        "任务“{}”不属于第{}号攻坚。/ The task is not in this campaign.",
                        task.title, visit.plan
                    )));
                }
                Some(task.id)
            }
        };
        let list_item_id = match f
            .list_item
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => None,
            Some(l) => {
                let item = self.list_item(region_id, l).await?;
                if self.task_campaign(region_id, &item.task_id).await? != Some(visit.plan) {
                    return Err(invalid(format!(
                        "清单事项“{}”不属于第{}号攻坚。/ The list item is not in this campaign.",
                        item.title, visit.plan
                    )));
                }
                Some(item.id)
            }
        };
        let id = new_id();
        let at = now();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO rectification_items (region_id, id, visit_id, plan_no, problem, requirement, deadline, task_id, list_item_id, state, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', 1, $10, $11, $12)",
        )
        .bind(region_id)
        .bind(&id)
        .bind(&visit.id)
        .bind(i64::from(visit.plan))
        .bind(&problem)
        .bind(&requirement)
        .bind(deadline.to_string())
        .bind(&task_id)
        .bind(&list_item_id)
        .bind(actor)
        .bind(&at)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        for (position, (unit_id, role)) in units.iter().enumerate() {
            sqlx::query(
                "INSERT INTO rectification_units (region_id, item_id, unit_id, role, position) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(region_id)
            .bind(&id)
            .bind(unit_id)
            .bind(*role)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(
            &mut tx,
            region_id,
            &id,
            1,
            "create",
            ItemState::Open,
            &problem,
            None,
            today,
            actor,
        )
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "rectification.create",
            "rectification_item",
            &id,
            None,
            Some(serde_json::json!({ "visit_id": visit.id, "problem": problem, "requirement": requirement, "deadline": deadline.to_string(), "units": units.iter().map(|(u, r)| serde_json::json!({ "unit_id": u, "role": r })).collect::<Vec<_>>(), "task_id": task_id, "list_item_id": list_item_id })),
        )
        .await?;
        tx.commit().await?;
        self.rectification_item(region_id, &id, today).await
    }

    /// Rectification items, oldest first, with their light as of `today`.
    pub async fn rectification_items(
        &self,
        region_id: &str,
        filter: &ItemFilter,
        today: Date,
    ) -> Result<Vec<RectificationItem>> {
        let unit_id = match filter
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            None => None,
            Some(u) => Some(self.unit(region_id, u).await?.id),
        };
        let rows = sqlx::query(
            "SELECT * FROM rectification_items WHERE region_id = $1 ORDER BY created_at, id",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let unit_rows = sqlx::query(
            "SELECT item_id, unit_id, role FROM rectification_units WHERE region_id = $1 ORDER BY item_id, position",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let names = self.unit_names(region_id).await?;
        let mut by_item: HashMap<String, (Vec<Ref>, Vec<Ref>)> = HashMap::new();
        for r in &unit_rows {
            let id = get_str(r, "unit_id");
            let entry = by_item.entry(get_str(r, "item_id")).or_default();
            let unit = Ref {
                name: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
                id,
            };
            if get_str(r, "role") == "lead" {
                entry.0.push(unit);
            } else {
                entry.1.push(unit);
            }
        }
        let tasks = self.all_tasks(region_id).await?;
        let mut out = Vec::new();
        for r in &rows {
            let id = get_str(r, "id");
            let (leads, cos) = by_item.remove(&id).unwrap_or_default();
            let item = self
                .row_to_item(region_id, r, leads, cos, &tasks, today)
                .await?;
            let keep = filter.plan.is_none_or(|p| item.plan == p)
                && unit_id
                    .as_deref()
                    .is_none_or(|u| item.unit_ids().contains(&u))
                && filter.visit.as_deref().is_none_or(|v| item.visit_id == v)
                && (!filter.open || item.state != ItemState::Closed.as_str())
                && (!filter.listed || item.listed.is_some());
            if keep {
                out.push(item);
            }
        }
        Ok(out)
    }

    pub async fn rectification_item(
        &self,
        region_id: &str,
        id: &str,
        today: Date,
    ) -> Result<RectificationItem> {
        let row = sqlx::query("SELECT * FROM rectification_items WHERE region_id = $1 AND id = $2")
            .bind(region_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound("没有这个整改事项。/ No such rectification item.".into())
            })?;
        let unit_rows = sqlx::query(
            "SELECT unit_id, role FROM rectification_units WHERE region_id = $1 AND item_id = $2 ORDER BY position",
        )
        .bind(region_id)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let names = self.unit_names(region_id).await?;
        let (mut leads, mut cos) = (Vec::new(), Vec::new());
        for r in &unit_rows {
            let uid = get_str(r, "unit_id");
            let unit = Ref {
                name: names.get(&uid).cloned().unwrap_or_else(|| uid.clone()),
                id: uid,
            };
            if get_str(r, "role") == "lead" {
                leads.push(unit);
            } else {
                cos.push(unit);
            }
        }
        let tasks = self.all_tasks(region_id).await?;
        self.row_to_item(region_id, &row, leads, cos, &tasks, today)
            .await
    }

    async fn row_to_item(
        &self,
        region_id: &str,
        r: &AnyRow,
        lead_units: Vec<Ref>,
        co_units: Vec<Ref>,
        tasks: &[crate::TaskRow],
        today: Date,
    ) -> Result<RectificationItem> {
        let state_s = get_str(r, "state");
        let state = ItemState::parse(&state_s).ok_or_else(|| {
            StoreError::Corrupt(format!("rectification_items.state = “{state_s}”"))
        })?;
        let deadline_s = get_str(r, "deadline");
        let deadline = crate::stored_date(&deadline_s, "rectification_items.deadline")?;
        let submitted_on = get_opt_str(r, "submitted_on");
        let submitted = match &submitted_on {
            Some(s) => Some(crate::stored_date(s, "rectification_items.submitted_on")?),
            None => None,
        };
        let facts = ItemFacts {
            state,
            deadline,
            submitted_on: submitted,
        };
        let task = get_opt_str(r, "task_id").map(|id| Ref {
            name: tasks
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.title.clone())
                .unwrap_or_else(|| "（已删除的任务）".into()),
            id,
        });
        let list_item = match get_opt_str(r, "list_item_id") {
            None => None,
            Some(id) => Some(Ref {
                name: match self.list_item(region_id, &id).await {
                    Ok(i) => i.title,
                    Err(StoreError::NotFound(_)) => "（已删除的清单事项）".into(),
                    Err(e) => return Err(e),
                },
                id,
            }),
        };
        let listed = get_opt_str(r, "listed_leader").map(|leader| Listing {
            leader,
            by: get_str(r, "listed_by"),
            at: get_str(r, "listed_at"),
        });
        let plan = get_i64(r, "plan_no");
        Ok(RectificationItem {
            id: get_str(r, "id"),
            visit_id: get_str(r, "visit_id"),
            plan: u32::try_from(plan).map_err(|_| {
                StoreError::Corrupt(format!("rectification_items.plan_no = {plan}"))
            })?,
            problem: get_str(r, "problem"),
            requirement: get_str(r, "requirement"),
            deadline: deadline.to_string(),
            task,
            list_item,
            lead_units,
            co_units,
            state: state.as_str().into(),
            state_label: state.zh().into(),
            version: get_i64(r, "version"),
            overdue: rules::overdue(&facts, today),
            light: rules::light(&facts, today),
            closed_late: (state == ItemState::Closed)
                .then(|| submitted.map(|s| rules::closed_late(deadline, s)))
                .flatten(),
            submitted_on,
            return_reason: get_opt_str(r, "return_reason"),
            listed,
            closed_on: get_opt_str(r, "closed_on"),
            closed_by: get_opt_str(r, "closed_by"),
            created_by: get_str(r, "created_by"),
            created_at: get_str(r, "created_at"),
        })
    }

    /// The item's history, oldest first: every version.
    pub async fn rectification_events(
        &self,
        region_id: &str,
        item_id: &str,
    ) -> Result<Vec<RectificationEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM rectification_events WHERE region_id = $1 AND item_id = $2 ORDER BY version",
        )
        .bind(region_id)
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        let names = self.unit_names(region_id).await?;
        Ok(rows
            .iter()
            .map(|r| RectificationEvent {
                version: get_i64(r, "version"),
                event: get_str(r, "event"),
                state: get_str(r, "state"),
                text: get_str(r, "text"),
                unit: get_opt_str(r, "unit_id").map(|u| names.get(&u).cloned().unwrap_or(u)),
                day: get_str(r, "day"),
                author: get_str(r, "author"),
                created_at: get_str(r, "created_at"),
            })
            .collect())
    }

    /// Applies `event` to an item at `version`: the state machine decides
    /// whether it may happen; the row changes only if nobody changed it
    /// since the caller read it (409 otherwise).
    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &self,
        region_id: &str,
        item: &RectificationItem,
        version: i64,
        event: Event,
        text: &str,
        unit_id: Option<&str>,
        today: Date,
        actor: &str,
    ) -> Result<()> {
        if version != item.version {
            return Err(StoreError::Conflict(format!(
                "整改事项已被他人更新（当前第 {} 版），请刷新后重试。/ The item changed (now version {}); reload and retry.",
                item.version, item.version
            )));
        }
        let from = ItemState::parse(&item.state).ok_or_else(|| {
            StoreError::Corrupt(format!("rectification_items.state = “{}”", item.state))
        })?;
        let to = rules::next(from, event).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let event_name = match event {
            Event::Progress => "progress",
            Event::Submit => "submit",
            Event::Return => "return",
            Event::Close => "close",
        };
        // The row's new dates and reasons, decided here so that one
        // statement with every parameter used serves every event.
        let mut submitted_on = item.submitted_on.clone();
        let mut return_reason = item.return_reason.clone();
        let (mut closed_on, mut closed_by) = (item.closed_on.clone(), item.closed_by.clone());
        match event {
            Event::Progress => {}
            Event::Submit => submitted_on = Some(today.to_string()),
            Event::Return => return_reason = Some(text.to_string()),
            Event::Close => {
                closed_on = Some(today.to_string());
                closed_by = Some(actor.to_string());
            }
        }
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE rectification_items SET state = $1, version = $2, updated_at = $3, submitted_on = $4, return_reason = $5, closed_on = $6, closed_by = $7 \
             WHERE region_id = $8 AND id = $9 AND version = $10",
        )
        .bind(to.as_str())
        .bind(version + 1)
        .bind(now())
        .bind(&submitted_on)
        .bind(&return_reason)
        .bind(&closed_on)
        .bind(&closed_by)
        .bind(region_id)
        .bind(&item.id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Conflict(
                "整改事项已被他人更新，请刷新后重试。/ The item changed; reload and retry.".into(),
            ));
        }
        insert_event(
            &mut tx,
            region_id,
            &item.id,
            version + 1,
            event_name,
            to,
            text,
            unit_id,
            today,
            actor,
        )
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            &format!("rectification.{event_name}"),
            "rectification_item",
            &item.id,
            Some(serde_json::json!({ "state": item.state, "version": version })),
            Some(serde_json::json!({ "state": to.as_str(), "version": version + 1, "text": text, "unit_id": unit_id, "day": today.to_string() })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A unit's progress and evidence report (or the office's on its
    /// behalf, `unit_id` None); `submit` asks for verification.
    pub async fn report_rectification(
        &self,
        region_id: &str,
        id: &str,
        input: &ProgressInput,
        unit_id: Option<&str>,
        today: Date,
        actor: &str,
    ) -> Result<RectificationItem> {
        let item = self.rectification_item(region_id, id, today).await?;
        if let Some(u) = unit_id {
            if !item.unit_ids().contains(&u) {
                return Err(invalid(
                    "该单位不承担这个整改事项。/ The unit is not answerable for this item.",
                ));
            }
        }
        let text = check_text(&input.text, "整改进展", "text", true)?;
        let event = if input.submit {
            Event::Submit
        } else {
            Event::Progress
        };
        self.apply(
            region_id,
            &item,
            input.version,
            event,
            &text,
            unit_id,
            today,
            actor,
        )
        .await?;
        self.rectification_item(region_id, id, today).await
    }

    /// The office's verification: close (销号) or return with a reason.
    /// Whether the caller may close a listed item is the policy's
    /// (`Action::ReviewRectification`), decided before this is called.
    pub async fn review_rectification(
        &self,
        region_id: &str,
        id: &str,
        input: &ReviewInput,
        today: Date,
        actor: &str,
    ) -> Result<RectificationItem> {
        let item = self.rectification_item(region_id, id, today).await?;
        let reason = check_text(&input.reason, "退回原因", "reason", !input.close)?;
        let event = if input.close {
            Event::Close
        } else {
            Event::Return
        };
        let text = if input.close && reason.is_empty() {
            "核验通过，予以销号".to_string()
        } else {
            reason
        };
        self.apply(
            region_id,
            &item,
            input.version,
            event,
            &text,
            None,
            today,
            actor,
        )
        .await?;
        self.rectification_item(region_id, id, today).await
    }

    /// Puts an item under listed supervision (挂牌督办) in a leader's name.
    pub async fn list_rectification(
        &self,
        region_id: &str,
        id: &str,
        leader: &str,
        today: Date,
        actor: &str,
    ) -> Result<RectificationItem> {
        let item = self.rectification_item(region_id, id, today).await?;
        let leader = leader.trim();
        if leader.is_empty() || leader.chars().count() > 40 {
            return Err(invalid(
                "请填写挂牌领导的姓名（不超过 40 字）。/ Give the listing leader's name (at most 40 characters).",
            ));
        }
        if item.state == ItemState::Closed.as_str() {
            return Err(StoreError::Conflict(
                "已销号的事项不能挂牌。/ A closed item cannot be listed.".into(),
            ));
        }
        if item.listed.is_some() {
            return Err(StoreError::Conflict(
                "该事项已挂牌督办。/ The item is already listed.".into(),
            ));
        }
        let at = now();
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE rectification_items SET listed_leader = $1, listed_by = $2, listed_at = $3, version = $4, updated_at = $3 \
             WHERE region_id = $5 AND id = $6 AND version = $7",
        )
        .bind(leader)
        .bind(actor)
        .bind(&at)
        .bind(item.version + 1)
        .bind(region_id)
        .bind(&item.id)
        .bind(item.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Conflict(
                "整改事项已被他人更新，请刷新后重试。/ The item changed; reload and retry.".into(),
            ));
        }
        let state = ItemState::parse(&item.state).unwrap_or(ItemState::Open);
        insert_event(
            &mut tx,
            region_id,
            &item.id,
            item.version + 1,
            "list",
            state,
            &format!("挂牌督办（{leader}）"),
            None,
            today,
            actor,
        )
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "rectification.list",
            "rectification_item",
            &item.id,
            None,
            Some(serde_json::json!({ "leader": leader })),
        )
        .await?;
        tx.commit().await?;
        self.rectification_item(region_id, id, today).await
    }

    /// Stores a photo or document on a visit (`visit`) or on an item's
    /// evidence (`item`), checked as report attachments are.
    pub async fn add_supervision_file(
        &self,
        region_id: &str,
        owner_kind: &str,
        owner_id: &str,
        name: &str,
        data: &[u8],
        actor: &str,
    ) -> Result<SupervisionFile> {
        match owner_kind {
            "visit" => {
                let v = self.visit(region_id, owner_id).await?;
                if v.state == VisitState::Cancelled.as_str() {
                    return Err(StoreError::Conflict(
                        "督导已取消。/ The visit was cancelled.".into(),
                    ));
                }
            }
            "item" => {
                let i = self
                    .rectification_item(region_id, owner_id, Date::MIN)
                    .await?;
                if i.state == ItemState::Closed.as_str() {
                    return Err(StoreError::Conflict(
                        "整改事项已销号，不能再上传佐证。/ The item is closed.".into(),
                    ));
                }
            }
            _ => return Err(invalid("owner_kind is visit or item")),
        }
        let name = crate::attachments::clean_name(name);
        if name.is_empty() || data.is_empty() {
            return Err(invalid("请选择要上传的文件。/ Choose a file to upload."));
        }
        if data.len() > crate::MAX_ATTACHMENT_BYTES {
            return Err(invalid(format!(
                "文件“{name}”超过 10 MB。/ The file is larger than 10 MB."
            )));
        }
        let Some(content_type) = crate::sniff(&name, data) else {
            return Err(invalid(format!(
                "文件“{name}”的类型不被接受，只接受 {}。/ Only these file types are accepted: {}.",
                crate::accepted_extensions().join("、"),
                crate::accepted_extensions().join(", ")
            )));
        };
        let count = sqlx::query(
            "SELECT COUNT(*) AS n FROM supervision_files WHERE region_id = $1 AND owner_kind = $2 AND owner_id = $3",
        )
        .bind(region_id)
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_one(&self.pool)
        .await?;
        if get_i64(&count, "n") >= MAX_SUPERVISION_FILES {
            return Err(invalid(format!(
                "最多 {MAX_SUPERVISION_FILES} 个附件。/ At most {MAX_SUPERVISION_FILES} files."
            )));
        }
        let f = SupervisionFile {
            id: new_id(),
            owner_kind: owner_kind.into(),
            owner_id: owner_id.into(),
            name,
            content_type: content_type.into(),
            size: data.len() as i64,
            author: actor.into(),
            created_at: now(),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO supervision_files (region_id, id, owner_kind, owner_id, name, content_type, size, data, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(region_id)
        .bind(&f.id)
        .bind(&f.owner_kind)
        .bind(&f.owner_id)
        .bind(&f.name)
        .bind(&f.content_type)
        .bind(f.size)
        .bind(data.to_vec())
        .bind(&f.author)
        .bind(&f.created_at)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "supervision_file.add",
            "supervision_file",
            &f.id,
            None,
            serde_json::to_value(&f).ok(),
        )
        .await?;
        tx.commit().await?;
        Ok(f)
    }

    pub async fn supervision_files(
        &self,
        region_id: &str,
        owner_kind: &str,
        owner_id: &str,
    ) -> Result<Vec<SupervisionFile>> {
        let rows = sqlx::query(
            "SELECT id, owner_kind, owner_id, name, content_type, size, author, created_at FROM supervision_files \
             WHERE region_id = $1 AND owner_kind = $2 AND owner_id = $3 ORDER BY created_at, id",
        )
        .bind(region_id)
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(row_to_file).collect())
    }

    /// One file with its bytes.
    pub async fn supervision_file(
        &self,
        region_id: &str,
        id: &str,
    ) -> Result<(SupervisionFile, Vec<u8>)> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT id, owner_kind, owner_id, name, content_type, size, author, created_at, data FROM supervision_files \
             WHERE region_id = $1 AND id = $2",
        )
        .bind(region_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("没有这个附件。/ No such attachment.".into()))?;
        let data: Vec<u8> = row.try_get("data").map_err(StoreError::Db)?;
        Ok((row_to_file(&row), data))
    }

    /// The month's supervision for the bulletin (一月一通报) and the
    /// dashboard: visits of the month, items found and closed in it, what
    /// is still open and listed as of `today`.
    pub async fn supervision_month(
        &self,
        region_id: &str,
        month: Month,
        today: Date,
    ) -> Result<SupervisionMonth> {
        let visits = self.visits(region_id, None, Some(month)).await?;
        let all = self
            .rectification_items(region_id, &ItemFilter::default(), today)
            .await?;
        let ids: Vec<&str> = visits.iter().map(|v| v.id.as_str()).collect();
        let found = all
            .iter()
            .filter(|i| ids.contains(&i.visit_id.as_str()))
            .cloned()
            .collect();
        let closed = all
            .iter()
            .filter(|i| {
                i.closed_on
                    .as_deref()
                    .and_then(Date::parse)
                    .is_some_and(|d| month.contains(d))
            })
            .cloned()
            .collect();
        let open: Vec<RectificationItem> = all
            .iter()
            .filter(|i| i.state != ItemState::Closed.as_str())
            .cloned()
            .collect();
        let overdue = open.iter().filter(|i| i.overdue).count();
        Ok(SupervisionMonth {
            month: month.to_string(),
            visits,
            found,
            closed,
            listed: listed_first(
                open.iter()
                    .filter(|i| i.listed.is_some())
                    .cloned()
                    .collect(),
            ),
            open,
            overdue,
        })
    }

    /// Listed items not yet closed (挂牌督办), overdue first: what the
    /// leaders' dashboard keeps at its top.
    pub async fn listed_items(
        &self,
        region_id: &str,
        today: Date,
    ) -> Result<Vec<RectificationItem>> {
        let items = self
            .rectification_items(
                region_id,
                &ItemFilter {
                    open: true,
                    listed: true,
                    ..Default::default()
                },
                today,
            )
            .await?;
        Ok(listed_first(items))
    }

    /// Queues a reminder (督办提醒) to every unit of every overdue item, on
    /// the in-app inbox and each of `channels`, once per item, unit, day
    /// and channel. Returns how many were new.
    pub async fn queue_rectification_reminders(
        &self,
        region_id: &str,
        today: Date,
        channels: &[&str],
    ) -> Result<usize> {
        let overdue: Vec<RectificationItem> = self
            .rectification_items(
                region_id,
                &ItemFilter {
                    open: true,
                    ..Default::default()
                },
                today,
            )
            .await?
            .into_iter()
            .filter(|i| i.overdue)
            .collect();
        if overdue.is_empty() {
            return Ok(0);
        }
        let mut all_channels = vec![crate::INBOX];
        all_channels.extend(channels.iter().copied().filter(|c| *c != crate::INBOX));
        let mut queued = 0;
        for item in &overdue {
            let listed = item
                .listed
                .as_ref()
                .map(|l| format!("（{}挂牌督办）", l.leader))
                .unwrap_or_default();
            for unit in item.lead_units.iter().chain(&item.co_units) {
                let subject = format!(
                    "【整改逾期】{}：第{}号攻坚督导整改事项已超过时限（{}）{listed}",
                    unit.name, item.plan, item.deadline
                );
                let body = format!(
                    "{subject}\n问题：{}\n整改要求：{}\n当前状态：{}",
                    item.problem, item.requirement, item.state_label
                );
                for channel in &all_channels {
                    let n = sqlx::query(
                        "INSERT INTO notifications (region_id, id, dedupe_key, kind, channel, unit, subject, body, attempts, next_attempt_at, created_at, delivered_at) \
                         VALUES ($1, $2, $3, 'rectification_overdue', $4, $5, $6, $7, 0, $8, $9, $10) ON CONFLICT (region_id, dedupe_key) DO NOTHING",
                    )
                    .bind(region_id)
                    .bind(new_id())
                    .bind(format!("rect:{}:{}:{today}:{channel}", item.id, unit.id))
                    .bind(*channel)
                    .bind(&unit.name)
                    .bind(&subject)
                    .bind(&body)
                    .bind(now())
                    .bind(now())
                    // The inbox is "delivered" the moment it is written.
                    .bind(if *channel == crate::INBOX { Some(now()) } else { None })
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    queued += n as usize;
                }
            }
        }
        Ok(queued)
    }
}

/// Overdue first, then by deadline.
fn listed_first(mut items: Vec<RectificationItem>) -> Vec<RectificationItem> {
    items.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| a.deadline.cmp(&b.deadline))
    });
    items
}

fn row_to_file(r: &AnyRow) -> SupervisionFile {
    SupervisionFile {
        id: get_str(r, "id"),
        owner_kind: get_str(r, "owner_kind"),
        owner_id: get_str(r, "owner_id"),
        name: get_str(r, "name"),
        content_type: get_str(r, "content_type"),
        size: get_i64(r, "size"),
        author: get_str(r, "author"),
        created_at: get_str(r, "created_at"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    region_id: &str,
    item_id: &str,
    version: i64,
    event: &str,
    state: ItemState,
    text: &str,
    unit_id: Option<&str>,
    day: Date,
    author: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rectification_events (region_id, item_id, version, event, state, text, unit_id, day, author, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(region_id)
    .bind(item_id)
    .bind(version)
    .bind(event)
    .bind(state.as_str())
    .bind(text)
    .bind(unit_id)
    .bind(day.to_string())
    .bind(author)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
