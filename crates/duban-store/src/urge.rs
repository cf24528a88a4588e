//! 催办 from the office's desk: a reminder for every unit that still owes
//! reports in a cycle, queued now (not only in the due-soon window), once
//! per unit, cycle, day and channel. The `inbox` channel is always used: it
//! shows on the unit's workbench, so a reminder reaches the unit even where
//! no webhook or mail relay is configured.

use crate::{audit, new_id, now, Cycle, Result, Store};
use duban_core::dates::Date;
use std::collections::{BTreeMap, HashSet};

/// The in-app channel, read by the workbench.
pub const INBOX: &str = "inbox";

impl Store {
    /// Queues a 催办 to every unit with unsubmitted reports in `cycle`.
    /// Returns the units urged.
    pub async fn urge_missing(
        &self,
        region_id: &str,
        cycle: &Cycle,
        today: Date,
        channels: &[&str],
        actor: &str,
    ) -> Result<Vec<String>> {
        let submitted: HashSet<(String, String)> = self
            .current_reports(region_id, cycle)
            .await?
            .into_iter()
            .filter(|r| r.state != "draft")
            .map(|r| (r.task_id, r.unit_id))
            .collect();
        let mut by_unit: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in self.expected_reports(region_id, cycle).await? {
            if !submitted.contains(&(e.task_id.clone(), e.unit_id.clone())) {
                by_unit.entry(e.unit).or_default().push(e.task);
            }
        }
        let mut all_channels = vec![INBOX];
        all_channels.extend(channels.iter().copied().filter(|c| *c != INBOX));
        let mut tx = self.begin().await?;
        for (unit, tasks) in &by_unit {
            let subject = format!(
                "【催办】{unit}：第{}号攻坚本期调度（截止 {}）尚有 {} 项未报送",
                cycle.plan,
                cycle.due_on,
                tasks.len()
            );
            let body = format!("{subject}：\n- {}", tasks.join("\n- "));
            for channel in &all_channels {
                sqlx::query(
                    "INSERT INTO notifications (region_id, id, dedupe_key, kind, channel, unit, subject, body, attempts, next_attempt_at, created_at, delivered_at) \
                     VALUES ($1, $2, $3, 'urge', $4, $5, $6, $7, 0, $8, $9, $10) ON CONFLICT (region_id, dedupe_key) DO NOTHING",
                )
                .bind(region_id)
                .bind(new_id())
                .bind(format!("urge:{}:{unit}:{today}:{channel}", cycle.id))
                .bind(*channel)
                .bind(unit)
                .bind(&subject)
                .bind(&body)
                .bind(now())
                .bind(now())
                // The inbox is "delivered" the moment it is written.
                .bind(if *channel == INBOX { Some(now()) } else { None })
                .execute(&mut *tx)
                .await?;
            }
        }
        audit(
            &mut tx,
            region_id,
            actor,
            "cycle.urge",
            "cycle",
            &cycle.id,
            None,
            Some(serde_json::json!({ "units": by_unit.keys().collect::<Vec<_>>() })),
        )
        .await?;
        tx.commit().await?;
        Ok(by_unit.into_keys().collect())
    }

    /// The unit's in-app reminders (催办) of the last `days` days, newest first.
    pub async fn inbox(
        &self,
        region_id: &str,
        unit: &str,
        since: &str,
    ) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT subject, created_at FROM notifications WHERE region_id = $1 AND channel = $2 AND unit = $3 AND created_at >= $4 \
             ORDER BY created_at DESC LIMIT 20",
        )
        .bind(region_id)
        .bind(INBOX)
        .bind(unit)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    crate::get_str(r, "subject"),
                    crate::get_str(r, "created_at"),
                )
            })
            .collect())
    }
}
