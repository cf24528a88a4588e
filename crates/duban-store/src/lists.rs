//! 清单管理: items a unit keeps under a task — projects, tasks, policies —
//! each with a named lead person. Project items carry what the four rates
//! (四比四提高) are computed from later.

use crate::{audit, get_opt_f64, get_str, new_id, now, Result, Store, StoreError};
use duban_core::names::ListKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewListItem {
    /// Unit id, name or alias.
    pub unit: String,
    pub kind: ListKind,
    pub title: String,
    /// 牵头负责人.
    pub lead_person: String,
    /// Project lists: 计划投资 (万元).
    pub planned_investment: Option<f64>,
    /// 争取资金 (万元).
    pub funds_secured: Option<f64>,
    /// 是否开工.
    pub started: Option<bool>,
    /// 已支付资金 (万元).
    pub funds_paid: Option<f64>,
    /// 实物工作量完成比例, 0..100.
    pub physical_progress: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListItem {
    pub id: String,
    pub task_id: String,
    pub unit_id: String,
    pub unit: String,
    pub kind: String,
    pub title: String,
    pub lead_person: String,
    pub planned_investment: Option<f64>,
    pub funds_secured: Option<f64>,
    pub started: Option<bool>,
    pub funds_paid: Option<f64>,
    pub physical_progress: Option<f64>,
    pub created_by: String,
    pub created_at: String,
}

impl NewListItem {
    /// Checks values a form or an API client may get wrong.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.title.trim().is_empty() || self.title.chars().count() > 200 {
            return Err(
                "清单事项名称不能为空且不超过 200 字。/ title must be 1..200 characters.".into(),
            );
        }
        if self.lead_person.trim().is_empty() || self.lead_person.chars().count() > 40 {
            return Err("必须填写牵头负责人（不超过 40 字）。/ lead_person is required (max 40 characters).".into());
        }
        for (name, v) in [
            ("planned_investment", self.planned_investment),
            ("funds_secured", self.funds_secured),
            ("funds_paid", self.funds_paid),
        ] {
            if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
                return Err(format!(
                    "{name} 必须是非负数。/ {name} must be a non-negative number."
                ));
            }
        }
        if self
            .physical_progress
            .is_some_and(|p| !(0.0..=100.0).contains(&p))
        {
            return Err("physical_progress 必须在 0 到 100 之间。/ physical_progress must be within 0..100.".into());
        }
        if self.kind != ListKind::Project
            && [
                self.planned_investment,
                self.funds_secured,
                self.funds_paid,
                self.physical_progress,
            ]
            .iter()
            .any(Option::is_some)
        {
            return Err("投资和进度字段只用于项目清单。/ Investment and progress fields are for project lists only.".into());
        }
        Ok(())
    }
}

impl Store {
    pub async fn add_list_item(
        &self,
        region_id: &str,
        task_id: &str,
        item: &NewListItem,
        actor: &str,
    ) -> Result<ListItem> {
        item.validate().map_err(StoreError::Invalid)?;
        let task = self.task(region_id, task_id).await?;
        let unit = self.unit(region_id, &item.unit).await?;
        // A list breaks down a unit's share of a task: a unit the task does
        // not name (directly or through a group such as 各镇、各街道) has
        // no share to break down, whoever asks.
        let assigned = task.lead_units.iter().chain(&task.co_units).any(|r| {
            r.id == unit.id
                || (r.kind == "group"
                    && unit.kind != "group"
                    && duban_core::groups::covers(&r.name, &unit.name, &unit.kind))
        });
        if !assigned {
            return Err(StoreError::Invalid(format!(
                "“{}”不承担该任务，不能在其下建立清单。/ '{}' is not assigned to this task, so it keeps no list under it.",
                unit.name, unit.name
            )));
        }
        let id = new_id();
        let at = now();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO list_items (region_id, id, task_id, unit_id, kind, title, lead_person, planned_investment, funds_secured, started, funds_paid, physical_progress, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(region_id)
        .bind(&id)
        .bind(&task.id)
        .bind(&unit.id)
        .bind(item.kind.as_str())
        .bind(item.title.trim())
        .bind(item.lead_person.trim())
        .bind(item.planned_investment)
        .bind(item.funds_secured)
        .bind(item.started.map(|b| b as i64))
        .bind(item.funds_paid)
        .bind(item.physical_progress)
        .bind(actor)
        .bind(&at)
        .bind(&at)
        .persistent(false)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, region_id, actor, "list_item.create", "list_item", &id, None, Some(serde_json::json!({ "task_id": task.id, "unit": unit.name, "kind": item.kind, "title": item.title }))).await?;
        tx.commit().await?;
        self.list_item(region_id, &id).await
    }

    pub async fn list_items(&self, region_id: &str, task_id: &str) -> Result<Vec<ListItem>> {
        self.query_list_items(region_id, "task_id", task_id).await
    }

    pub async fn list_item(&self, region_id: &str, id: &str) -> Result<ListItem> {
        self.query_list_items(region_id, "id", id)
            .await?
            .pop()
            .ok_or_else(|| {
                StoreError::NotFound(format!("没有清单事项“{id}”。/ No list item '{id}'."))
            })
    }

    async fn query_list_items(
        &self,
        region_id: &str,
        column: &str,
        value: &str,
    ) -> Result<Vec<ListItem>> {
        let column = if column == "id" { "l.id" } else { "l.task_id" };
        let sql = format!(
            "SELECT l.id, l.task_id, l.unit_id, u.name AS unit, l.kind, l.title, l.lead_person, l.planned_investment, l.funds_secured, \
             l.started, l.funds_paid, l.physical_progress, l.created_by, l.created_at FROM list_items l \
             JOIN units u ON u.region_id = l.region_id AND u.id = l.unit_id \
             WHERE l.region_id = $1 AND {column} = $2 AND l.deleted_at IS NULL ORDER BY l.created_at, l.id"
        );
        let rows = sqlx::query(&sql)
            .bind(region_id)
            .bind(value)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                ListItem {
                    id: get_str(r, "id"),
                    task_id: get_str(r, "task_id"),
                    unit_id: get_str(r, "unit_id"),
                    unit: get_str(r, "unit"),
                    kind: get_str(r, "kind"),
                    title: get_str(r, "title"),
                    lead_person: get_str(r, "lead_person"),
                    planned_investment: get_opt_f64(r, "planned_investment"),
                    funds_secured: get_opt_f64(r, "funds_secured"),
                    started: r
                        .try_get::<Option<i64>, _>("started")
                        .ok()
                        .flatten()
                        .map(|v| v != 0),
                    funds_paid: get_opt_f64(r, "funds_paid"),
                    physical_progress: get_opt_f64(r, "physical_progress"),
                    created_by: get_str(r, "created_by"),
                    created_at: get_str(r, "created_at"),
                }
            })
            .collect())
    }

    /// The plan number (campaign) a task belongs to.
    pub async fn task_campaign(&self, region_id: &str, task_id: &str) -> Result<Option<u32>> {
        Ok(self
            .all_tasks(region_id)
            .await?
            .iter()
            .find(|t| t.id == task_id)
            .map(|t| t.plan as u32))
    }

    /// Corrects a task's assignment by hand (a parse error, a reorganised
    /// department). Audited with before and after.
    pub async fn set_assignments(
        &self,
        region_id: &str,
        task_id: &str,
        leads: &[String],
        cos: &[String],
        actor: &str,
    ) -> Result<crate::TaskRow> {
        if leads.is_empty() {
            return Err(StoreError::Invalid(
                "至少需要一个牵头单位。/ At least one lead unit is required.".into(),
            ));
        }
        let before = self.task(region_id, task_id).await?;
        let mut ids = Vec::new();
        for (name, role) in leads
            .iter()
            .map(|n| (n, "lead"))
            .chain(cos.iter().map(|n| (n, "co")))
        {
            ids.push((self.unit(region_id, name).await?, role));
        }
        let at = now();
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE assignments SET deleted_at = $1 WHERE region_id = $2 AND task_id = $3 AND deleted_at IS NULL")
            .bind(&at)
            .bind(region_id)
            .bind(task_id)
            .execute(&mut *tx)
            .await?;
        for (position, (unit, role)) in ids.iter().enumerate() {
            crate::units::upsert_assignment(
                &mut tx,
                region_id,
                task_id,
                &unit.id,
                role,
                false,
                position as i64,
                &at,
            )
            .await?;
        }
        sqlx::query(
            "UPDATE tasks SET lead_inferred = 0, updated_at = $1 WHERE region_id = $2 AND id = $3",
        )
        .bind(&at)
        .bind(region_id)
        .bind(task_id)
        .execute(&mut *tx)
        .await?;
        let names =
            |v: &[crate::queries::UnitRef]| v.iter().map(|u| u.name.clone()).collect::<Vec<_>>();
        audit(
            &mut tx,
            region_id,
            actor,
            "task.correct_assignment",
            "task",
            task_id,
            Some(serde_json::json!({ "leads": names(&before.lead_units), "cos": names(&before.co_units) })),
            Some(serde_json::json!({ "leads": ids.iter().filter(|(_, r)| *r == "lead").map(|(u, _)| &u.name).collect::<Vec<_>>(), "cos": ids.iter().filter(|(_, r)| *r == "co").map(|(u, _)| &u.name).collect::<Vec<_>>() })),
        )
        .await?;
        tx.commit().await?;
        self.task(region_id, task_id).await
    }
}
