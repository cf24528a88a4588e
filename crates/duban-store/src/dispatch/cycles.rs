//! Cycles: scheduled by cadence or opened as extras, closed with their lights stored.

use super::*;

impl Store {
    pub async fn cycles(&self, region_id: &str, plan_no: Option<i64>) -> Result<Vec<Cycle>> {
        Ok(self
            .all_cycles(region_id)
            .await?
            .iter()
            .filter(|c| plan_no.is_none_or(|p| p == c.plan))
            .cloned()
            .collect())
    }

    /// Every cycle of the region, read once per catalog version (opening
    /// and closing a cycle bump it; report saves do not).
    async fn all_cycles(&self, region_id: &str) -> Result<std::sync::Arc<Vec<Cycle>>> {
        let version = self.catalog_version(region_id).await?;
        self.all_cycles_at(region_id, version).await
    }

    /// [`Self::all_cycles`] at a catalog version the caller has read.
    async fn all_cycles_at(
        &self,
        region_id: &str,
        version: i64,
    ) -> Result<std::sync::Arc<Vec<Cycle>>> {
        if let Some(cycles) = self.cycles.get(region_id, version) {
            return Ok(cycles);
        }
        let plans = self.plan_numbers(region_id).await?;
        let rows = sqlx::query("SELECT id, plan_id, seq, kind, opens_on, due_on, status FROM cycles WHERE region_id = $1 ORDER BY opens_on, seq")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?;
        let cycles = rows
            .iter()
            .map(|r| cycle_from(r, &plans))
            .collect::<Result<Vec<Cycle>>>()?;
        Ok(self.cycles.put(region_id, version, cycles))
    }

    pub async fn cycle(&self, region_id: &str, id: &str) -> Result<Cycle> {
        let version = self.catalog_version(region_id).await?;
        self.cycle_at(region_id, id, version).await
    }

    /// [`Self::cycle`] at a catalog version the caller has read.
    pub(crate) async fn cycle_at(&self, region_id: &str, id: &str, version: i64) -> Result<Cycle> {
        self.all_cycles_at(region_id, version)
            .await?
            .iter()
            .find(|c| c.id == id)
            .cloned()
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
}
