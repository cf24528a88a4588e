//! Indicators (指标): a goal's target is owned by a unit, which reports its
//! year-to-date value every cycle; the value is judged against the target.
//! Versioned like task reports (409 on a stale version, late marked).

use crate::dispatch::Cycle;
use crate::{audit, get_i64, get_opt_f64, get_str, new_id, now, Result, Store, StoreError};
use duban_core::dates::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    #[serde(deserialize_with = "duban_core::wire::integer")]
    pub version: i64,
    /// Year-to-date value, in the target's unit.
    pub value: f64,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub note: String,
    #[serde(default)]
    pub submit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReport {
    pub id: String,
    pub target_id: String,
    pub unit_id: String,
    pub version: i64,
    pub value: f64,
    pub note: String,
    pub submitted: bool,
    pub late: bool,
    pub author: String,
    pub created_at: String,
}

fn from_row(r: &sqlx::any::AnyRow) -> IndicatorReport {
    IndicatorReport {
        id: get_str(r, "id"),
        target_id: get_str(r, "target_id"),
        unit_id: get_str(r, "unit_id"),
        version: get_i64(r, "version"),
        value: get_opt_f64(r, "value").unwrap_or(0.0),
        note: get_str(r, "note"),
        submitted: get_i64(r, "submitted") != 0,
        late: get_i64(r, "late") != 0,
        author: get_str(r, "author"),
        created_at: get_str(r, "created_at"),
    }
}

impl Store {
    /// Makes `unit` the owner of an indicator (a target of the goals).
    pub async fn set_target_owner(
        &self,
        region_id: &str,
        target_id: &str,
        unit_key: &str,
        actor: &str,
    ) -> Result<crate::TargetRow> {
        let target = self.target(region_id, target_id).await?;
        if target.task_id.is_some() {
            return Err(StoreError::Invalid("任务里的目标由任务牵头单位填报，不单独指定责任单位。/ A task's targets are reported by its lead unit.".into()));
        }
        let unit = self.unit(region_id, unit_key).await?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE targets SET owner_unit_id = $1 WHERE region_id = $2 AND id = $3")
            .bind(&unit.id)
            .bind(region_id)
            .bind(target_id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "target.owner",
            "target",
            target_id,
            Some(json!({ "owner": target.owner })),
            Some(json!({ "owner": unit.name })),
        )
        .await?;
        tx.commit().await?;
        self.target(region_id, target_id).await
    }

    pub async fn target(&self, region_id: &str, target_id: &str) -> Result<crate::TargetRow> {
        self.targets(region_id, None)
            .await?
            .into_iter()
            .find(|t| t.id == target_id)
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "没有目标值“{target_id}”。/ No target '{target_id}'."
                ))
            })
    }

    /// The indicators a cycle expects a value for: owned goal targets of its plan.
    pub async fn expected_indicators(
        &self,
        region_id: &str,
        cycle: &Cycle,
    ) -> Result<Vec<crate::TargetRow>> {
        Ok(self
            .targets(region_id, Some(cycle.plan))
            .await?
            .into_iter()
            .filter(|t| t.task_id.is_none() && t.owner_unit_id.is_some())
            .collect())
    }

    pub async fn current_indicator_reports(
        &self,
        region_id: &str,
        cycle_id: &str,
    ) -> Result<Vec<IndicatorReport>> {
        let rows = sqlx::query("SELECT * FROM indicator_reports WHERE region_id = $1 AND cycle_id = $2 AND superseded_at IS NULL ORDER BY created_at")
            .bind(region_id)
            .bind(cycle_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Saves the owner's value for an indicator in a cycle.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_indicator(
        &self,
        region_id: &str,
        cycle_id: &str,
        target_id: &str,
        input: &IndicatorInput,
        actor: &str,
        today: Date,
    ) -> Result<IndicatorReport> {
        if !input.value.is_finite() || input.note.chars().count() > 2000 {
            return Err(StoreError::Invalid(
                "数值无效或说明过长。/ Invalid value or note too long.".into(),
            ));
        }
        let cycle = self.cycle(region_id, cycle_id).await?;
        crate::dispatch::ensure_open(&cycle)?;
        crate::dispatch::ensure_started(&cycle, today)?;
        let target = self
            .expected_indicators(region_id, &cycle)
            .await?
            .into_iter()
            .find(|t| t.id == target_id)
            .ok_or_else(|| StoreError::NotFound("本周期不需要填报这个指标（没有责任单位，或不属于本攻坚）。/ This indicator is not expected in this cycle.".into()))?;
        let owner = target.owner_unit_id.clone().ok_or_else(|| {
            StoreError::NotFound("这个指标没有责任单位。/ This indicator has no owner unit.".into())
        })?;
        let mut tx = self.begin().await?;
        let current = sqlx::query("SELECT id, version FROM indicator_reports WHERE region_id = $1 AND cycle_id = $2 AND target_id = $3 AND superseded_at IS NULL")
            .bind(region_id)
            .bind(cycle_id)
            .bind(target_id)
            .fetch_optional(&mut *tx)
            .await?;
        let version = current.as_ref().map(|r| get_i64(r, "version")).unwrap_or(0);
        if input.version != version {
            return Err(StoreError::Conflict(format!("该填报已被他人修改（当前第 {version} 版），请刷新后再改。/ The report changed (now version {version}); reload.")));
        }
        let at = now();
        if let Some(c) = &current {
            sqlx::query(
                "UPDATE indicator_reports SET superseded_at = $1 WHERE region_id = $2 AND id = $3",
            )
            .bind(&at)
            .bind(region_id)
            .bind(get_str(c, "id"))
            .execute(&mut *tx)
            .await?;
        }
        let id = new_id();
        let late = input.submit && today > crate::stored_date(&cycle.due_on, "cycles.due_on")?;
        sqlx::query(
            "INSERT INTO indicator_reports (region_id, id, cycle_id, target_id, unit_id, version, value, note, submitted, late, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(region_id)
        .bind(&id)
        .bind(cycle_id)
        .bind(target_id)
        .bind(&owner)
        .bind(version + 1)
        .bind(input.value)
        .bind(&input.note)
        .bind(input.submit as i64)
        .bind(late as i64)
        .bind(actor)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, region_id, actor, "indicator.report", "target", target_id, None, Some(json!({ "cycle": cycle_id, "value": input.value, "version": version + 1, "late": late }))).await?;
        tx.commit().await?;
        self.current_indicator_reports(region_id, cycle_id)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| StoreError::Invalid("report vanished".into()))
    }
}
