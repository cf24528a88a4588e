//! Per-campaign settings (cadence, light thresholds) and holidays.

use super::*;

impl Store {
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
}
