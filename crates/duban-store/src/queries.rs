//! Reading the ledger: plans, tasks (with filters), targets, task forces
//! and the audit log. Every query is scoped to one region.

use crate::{get_i64, get_opt_f64, get_opt_str, get_str, Result, Store};
use duban_core::groups;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    pub id: String,
    pub no: i64,
    pub title: String,
    pub kind: String,
    pub tasks: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRef {
    pub id: String,
    pub name: String,
    /// department / town / resident / group.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRow {
    pub id: String,
    pub plan: i64,
    pub plan_title: String,
    pub path: Vec<String>,
    pub title: String,
    pub text: String,
    pub lead_units: Vec<UnitRef>,
    pub co_units: Vec<UnitRef>,
    pub lead_inferred: bool,
    pub deadlines: serde_json::Value,
    pub due_date: Option<String>,
    pub ongoing: bool,
}

/// Filters of `GET …/tasks`; all optional, combined with AND.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskFilter {
    /// Plan number (0 = overall plan); `campaign` is the same for attachments.
    pub plan: Option<i64>,
    pub campaign: Option<i64>,
    /// Unit id, name or alias. Tasks assigned to a group that covers the
    /// unit (各镇 for a town) are included.
    pub unit: Option<String>,
    /// `lead` or `co`, with `unit`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(lead|co)$"))]
    pub role: Option<String>,
    /// Tasks due on or after / on or before (YYYY-MM-DD).
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$"
        )
    )]
    pub due_from: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = r"^(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$"
        )
    )]
    pub due_to: Option<String>,
    /// Page size of the API answer (1–500, default 500); the store ignores it.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub limit: Option<u32>,
    /// Page start of the API answer; the store ignores it.
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 1000000))]
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRow {
    pub id: String,
    pub plan: i64,
    pub task_id: Option<String>,
    pub text: String,
    pub metric: String,
    pub kind: String,
    pub comparator: String,
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: String,
    /// The unit that reports the indicator (goal targets; task targets are
    /// reported by the task's lead).
    pub owner_unit_id: Option<String>,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskForceRow {
    pub id: String,
    pub plan: i64,
    pub name: String,
    pub convener: Option<String>,
    pub deputy_conveners: Vec<String>,
    pub office: Option<String>,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Store {
    pub async fn plans(&self, region_id: &str) -> Result<Vec<PlanRow>> {
        // The subquery names the region itself (`$1`, not `p.region_id`):
        // only then does Citus route the whole query to one shard group.
        let rows = sqlx::query(
            "SELECT p.id, p.no, p.title, p.kind, (SELECT COUNT(*) FROM tasks t WHERE t.region_id = $1 AND t.plan_id = p.id AND t.deleted_at IS NULL) AS tasks \
             FROM plans p WHERE p.region_id = $1 AND p.deleted_at IS NULL ORDER BY p.no",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| PlanRow {
                id: get_str(r, "id"),
                no: get_i64(r, "no"),
                title: get_str(r, "title"),
                kind: get_str(r, "kind"),
                tasks: get_i64(r, "tasks") as usize,
            })
            .collect())
    }

    pub async fn tasks(&self, region_id: &str, filter: &TaskFilter) -> Result<Vec<TaskRow>> {
        if let Some(role) = &filter.role {
            if role != "lead" && role != "co" {
                return Err(crate::StoreError::Invalid(format!(
                    "role 只能是 lead 或 co，而不是“{role}”。/ role must be lead or co."
                )));
            }
        }
        for d in [&filter.due_from, &filter.due_to].into_iter().flatten() {
            if !is_date(d) {
                return Err(crate::StoreError::Invalid(format!(
                    "日期“{d}”格式应为 YYYY-MM-DD。/ Dates are YYYY-MM-DD."
                )));
            }
        }
        let unit = match &filter.unit {
            Some(key) => Some(self.unit(region_id, key).await?),
            None => None,
        };
        let wanted_plan = filter.plan.or(filter.campaign);
        let all = self.all_tasks(region_id).await?;
        Ok(all
            .iter()
            .filter(|t| wanted_plan.is_none_or(|p| p == t.plan))
            .filter(|t| {
                filter
                    .due_from
                    .as_ref()
                    .is_none_or(|from| t.due_date.as_ref().is_some_and(|d| d >= from))
            })
            .filter(|t| {
                filter
                    .due_to
                    .as_ref()
                    .is_none_or(|to| t.due_date.as_ref().is_some_and(|d| d <= to))
            })
            .filter(|t| {
                let Some(u) = &unit else { return true };
                let covers = |r: &UnitRef| {
                    r.id == u.id || (r.kind == "group" && groups::covers(&r.name, &u.name, &u.kind))
                };
                let lead = filter.role.as_deref() != Some("co") && t.lead_units.iter().any(covers);
                let co = filter.role.as_deref() != Some("lead") && t.co_units.iter().any(covers);
                lead || co
            })
            .cloned()
            .collect())
    }

    /// Every current task of the region, read once per catalog version: the
    /// ledger is read far more often than it changes, and report saves
    /// (most writes) do not change it.
    pub(crate) async fn all_tasks(&self, region_id: &str) -> Result<std::sync::Arc<Vec<TaskRow>>> {
        let version = self.catalog_version(region_id).await?;
        self.all_tasks_at(region_id, version).await
    }

    /// [`Self::all_tasks`] at a catalog version the caller has read (a save
    /// reads it once for its cycle, tasks and units).
    pub(crate) async fn all_tasks_at(
        &self,
        region_id: &str,
        version: i64,
    ) -> Result<std::sync::Arc<Vec<TaskRow>>> {
        if let Some(tasks) = self.tasks.get(region_id, version) {
            return Ok(tasks);
        }
        let plans: HashMap<String, (i64, String)> = self
            .plans(region_id)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.no, p.title)))
            .collect();
        let rows = sqlx::query(
            "SELECT id, plan_id, path, title, body, lead_inferred, deadlines, due_date, ongoing FROM tasks \
             WHERE region_id = $1 AND deleted_at IS NULL ORDER BY seq",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let assigned = sqlx::query(
            "SELECT a.task_id, a.unit_id, a.role, u.name, u.kind FROM assignments a \
             JOIN units u ON u.region_id = a.region_id AND u.id = a.unit_id \
             WHERE a.region_id = $1 AND a.deleted_at IS NULL ORDER BY a.position",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let mut by_task: HashMap<String, Vec<(String, UnitRef)>> = HashMap::new();
        for a in &assigned {
            by_task.entry(get_str(a, "task_id")).or_default().push((
                get_str(a, "role"),
                UnitRef {
                    id: get_str(a, "unit_id"),
                    name: get_str(a, "name"),
                    kind: get_str(a, "kind"),
                },
            ));
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = get_str(r, "id");
            let Some((no, plan_title)) = plans.get(&get_str(r, "plan_id")).cloned() else {
                continue;
            };
            let units = by_task.remove(&id).unwrap_or_default();
            let refs = |role: &str| {
                units
                    .iter()
                    .filter(|(r, _)| r == role)
                    .map(|(_, u)| u.clone())
                    .collect()
            };
            out.push(TaskRow {
                plan: no,
                plan_title,
                path: serde_json::from_str(&get_str(r, "path")).unwrap_or_default(),
                title: get_str(r, "title"),
                text: get_str(r, "body"),
                lead_units: refs("lead"),
                co_units: refs("co"),
                lead_inferred: get_i64(r, "lead_inferred") != 0,
                deadlines: serde_json::from_str(&get_str(r, "deadlines"))
                    .unwrap_or(serde_json::Value::Null),
                due_date: get_opt_str(r, "due_date"),
                ongoing: get_i64(r, "ongoing") != 0,
                id,
            });
        }
        out.sort_by_key(|t| t.plan);
        Ok(self.tasks.put(region_id, version, out))
    }

    pub async fn task(&self, region_id: &str, task_id: &str) -> Result<TaskRow> {
        self.all_tasks(region_id)
            .await?
            .iter()
            .find(|t| t.id == task_id)
            .cloned()
            .ok_or_else(|| {
                crate::StoreError::NotFound(format!("没有任务“{task_id}”。/ No task '{task_id}'."))
            })
    }

    pub async fn targets(&self, region_id: &str, plan: Option<i64>) -> Result<Vec<TargetRow>> {
        let plans: HashMap<String, i64> = self
            .plans(region_id)
            .await?
            .into_iter()
            .map(|p| (p.id, p.no))
            .collect();
        let rows = sqlx::query(
            "SELECT t.id, t.plan_id, t.task_id, t.text, t.metric, t.kind, t.comparator, t.value, t.value_max, t.unit, t.owner_unit_id, u.name AS owner \
             FROM targets t LEFT JOIN units u ON u.region_id = t.region_id AND u.id = t.owner_unit_id \
             WHERE t.region_id = $1 AND t.deleted_at IS NULL ORDER BY t.created_at, t.id",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let no = *plans.get(&get_str(r, "plan_id"))?;
                if plan.is_some_and(|p| p != no) {
                    return None;
                }
                Some(TargetRow {
                    id: get_str(r, "id"),
                    plan: no,
                    task_id: get_opt_str(r, "task_id"),
                    text: get_str(r, "text"),
                    metric: get_str(r, "metric"),
                    kind: get_str(r, "kind"),
                    comparator: get_str(r, "comparator"),
                    value: get_opt_f64(r, "value").unwrap_or_default(),
                    value_max: get_opt_f64(r, "value_max"),
                    unit: get_str(r, "unit"),
                    owner_unit_id: get_opt_str(r, "owner_unit_id"),
                    owner: get_opt_str(r, "owner"),
                })
            })
            .collect())
    }

    pub async fn task_forces(&self, region_id: &str) -> Result<Vec<TaskForceRow>> {
        let plans: HashMap<String, i64> = self
            .plans(region_id)
            .await?
            .into_iter()
            .map(|p| (p.id, p.no))
            .collect();
        let names: HashMap<String, String> = self
            .units(region_id)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let rows = sqlx::query("SELECT id, plan_id, name, convener, deputies, office_unit_id FROM task_forces WHERE region_id = $1 AND deleted_at IS NULL")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?;
        let members = sqlx::query(
            "SELECT task_force_id, unit_id FROM task_force_members WHERE region_id = $1",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<TaskForceRow> = rows
            .iter()
            .filter_map(|r| {
                let id = get_str(r, "id");
                Some(TaskForceRow {
                    plan: *plans.get(&get_str(r, "plan_id"))?,
                    name: get_str(r, "name"),
                    convener: get_opt_str(r, "convener"),
                    deputy_conveners: serde_json::from_str(&get_str(r, "deputies"))
                        .unwrap_or_default(),
                    office: get_opt_str(r, "office_unit_id").and_then(|u| names.get(&u).cloned()),
                    members: members
                        .iter()
                        .filter(|m| get_str(m, "task_force_id") == id)
                        .filter_map(|m| names.get(&get_str(m, "unit_id")).cloned())
                        .collect(),
                    id,
                })
            })
            .collect();
        out.sort_by_key(|t| t.plan);
        Ok(out)
    }

    /// The audit log, newest first; `entity_id` narrows it to one row.
    pub async fn audit_log(
        &self,
        region_id: &str,
        entity_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, entity, entity_id, before, after FROM audit_log WHERE region_id = $1 \
             AND ($2 = '' OR entity_id = $3) ORDER BY at DESC, id DESC LIMIT $4",
        )
        .bind(region_id)
        .bind(entity_id.unwrap_or(""))
        .bind(entity_id.unwrap_or(""))
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                at: get_str(r, "at"),
                actor: get_str(r, "actor"),
                action: get_str(r, "action"),
                entity: get_str(r, "entity"),
                entity_id: get_str(r, "entity_id"),
                before: json(get_opt_str(r, "before")),
                after: json(get_opt_str(r, "after")),
            })
            .collect())
    }

    /// Row counts of the main tables in a region, for reports and tests.
    pub async fn counts(
        &self,
        region_id: &str,
    ) -> Result<std::collections::BTreeMap<&'static str, i64>> {
        let mut out = std::collections::BTreeMap::new();
        for (name, sql) in [
            (
                "plans",
                "SELECT COUNT(*) AS n FROM plans WHERE region_id = $1 AND deleted_at IS NULL",
            ),
            (
                "tasks",
                "SELECT COUNT(*) AS n FROM tasks WHERE region_id = $1 AND deleted_at IS NULL",
            ),
            (
                "assignments",
                "SELECT COUNT(*) AS n FROM assignments WHERE region_id = $1 AND deleted_at IS NULL",
            ),
            (
                "targets",
                "SELECT COUNT(*) AS n FROM targets WHERE region_id = $1 AND deleted_at IS NULL",
            ),
            (
                "task_forces",
                "SELECT COUNT(*) AS n FROM task_forces WHERE region_id = $1 AND deleted_at IS NULL",
            ),
            (
                "units",
                "SELECT COUNT(*) AS n FROM units WHERE region_id = $1 AND deleted_at IS NULL",
            ),
            (
                "audit_log",
                "SELECT COUNT(*) AS n FROM audit_log WHERE region_id = $1",
            ),
        ] {
            let row = sqlx::query(sql)
                .bind(region_id)
                .fetch_one(&self.pool)
                .await?;
            out.insert(name, get_i64(&row, "n"));
        }
        Ok(out)
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
