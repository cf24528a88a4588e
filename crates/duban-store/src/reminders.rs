//! Reminders: what is due soon (临近提醒) and overdue (催办) per unit, and
//! the outbox that delivers them. Queuing is idempotent per day; delivery
//! is retried with backoff and every failure stays visible.

use crate::{get_i64, get_opt_str, get_str, new_id, now, Result, Store};
use duban_core::dates::Date;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Days before a due date when the 临近提醒 starts.
pub const DUE_SOON_DAYS: i64 = 2;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    /// `due_soon` (临近提醒) or `overdue` (催办).
    pub kind: String,
    pub unit: String,
    pub cycle_id: String,
    pub plan: i64,
    pub due_on: String,
    /// Titles of the tasks still unreported.
    pub tasks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub unit: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub delivered_at: Option<String>,
    pub last_error: Option<String>,
}

impl Store {
    /// Units with reports still to submit in open cycles: due within
    /// [`DUE_SOON_DAYS`] or already overdue, as of `today`.
    pub async fn reminders(&self, region_id: &str, today: Date) -> Result<Vec<Reminder>> {
        let mut out = Vec::new();
        for cycle in self
            .cycles(region_id, None)
            .await?
            .into_iter()
            .filter(|c| c.status == "open")
        {
            let due = crate::stored_date(&cycle.due_on, "cycles.due_on")?;
            let left = due.days_since(today);
            let kind = if left < 0 {
                "overdue"
            } else if left <= DUE_SOON_DAYS {
                "due_soon"
            } else {
                continue;
            };
            let submitted: HashSet<(String, String)> = self
                .current_reports(region_id, &cycle)
                .await?
                .into_iter()
                .filter(|r| r.state != "draft")
                .map(|r| (r.task_id, r.unit_id))
                .collect();
            let mut by_unit: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for e in self.expected_reports(region_id, &cycle).await? {
                if !submitted.contains(&(e.task_id.clone(), e.unit_id.clone())) {
                    by_unit.entry(e.unit).or_default().push(e.task);
                }
            }
            for (unit, tasks) in by_unit {
                out.push(Reminder {
                    kind: kind.into(),
                    unit,
                    cycle_id: cycle.id.clone(),
                    plan: cycle.plan,
                    due_on: cycle.due_on.clone(),
                    tasks,
                });
            }
        }
        Ok(out)
    }

    /// Queues today's reminders on each channel, once per unit, cycle and
    /// day. Returns how many were new.
    pub async fn queue_reminders(
        &self,
        region_id: &str,
        today: Date,
        channels: &[&str],
    ) -> Result<usize> {
        let mut queued = 0;
        for r in self.reminders(region_id, today).await? {
            let (label, verb) = if r.kind == "overdue" {
                ("催办", "已逾期")
            } else {
                ("临近提醒", "即将到期")
            };
            let subject = format!(
                "【{label}】{}：第{}号攻坚调度{}（截止 {}）",
                r.unit, r.plan, verb, r.due_on
            );
            let body = format!(
                "{subject}\n尚未报送 {} 项：\n- {}",
                r.tasks.len(),
                r.tasks.join("\n- ")
            );
            for channel in channels {
                let n = sqlx::query(
                    "INSERT INTO notifications (region_id, id, dedupe_key, kind, channel, unit, subject, body, attempts, next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10) ON CONFLICT (region_id, dedupe_key) DO NOTHING",
                )
                .bind(region_id)
                .bind(new_id())
                .bind(format!("{}:{}:{}:{}:{}", r.cycle_id, r.unit, r.kind, today, channel))
                .bind(&r.kind)
                .bind(channel)
                .bind(&r.unit)
                .bind(&subject)
                .bind(&body)
                .bind(now())
                .bind(now())
                .execute(&self.pool)
                .await?
                .rows_affected();
                queued += n as usize;
            }
        }
        Ok(queued)
    }

    /// Notifications to try now: undelivered and due for an attempt.
    pub async fn pending_notifications(&self, region_id: &str) -> Result<Vec<Notification>> {
        Ok(self
            .notifications(region_id)
            .await?
            .into_iter()
            .filter(|n| n.delivered_at.is_none() && n.next_attempt_at <= now() && n.attempts < 10)
            .collect())
    }

    pub async fn notifications(&self, region_id: &str) -> Result<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT id, kind, channel, unit, subject, body, attempts, next_attempt_at, delivered_at, last_error FROM notifications WHERE region_id = $1 ORDER BY created_at, id",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Notification {
                id: get_str(r, "id"),
                kind: get_str(r, "kind"),
                channel: get_str(r, "channel"),
                unit: get_str(r, "unit"),
                subject: get_str(r, "subject"),
                body: get_str(r, "body"),
                attempts: get_i64(r, "attempts"),
                next_attempt_at: get_str(r, "next_attempt_at"),
                delivered_at: get_opt_str(r, "delivered_at"),
                last_error: get_opt_str(r, "last_error"),
            })
            .collect())
    }

    /// Records a delivery attempt: delivered, or failed with a retry after
    /// an exponential backoff (1, 2, 4 … minutes, at most a day).
    pub async fn record_delivery(
        &self,
        region_id: &str,
        id: &str,
        attempts: i64,
        error: Option<&str>,
    ) -> Result<()> {
        let at = now();
        match error {
            None => {
                sqlx::query("UPDATE notifications SET delivered_at = $1, attempts = $2, last_error = NULL WHERE region_id = $3 AND id = $4")
                    .bind(&at)
                    .bind(attempts + 1)
                    .bind(region_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
            }
            Some(e) => {
                let minutes = (1i64 << attempts.clamp(0, 10)).min(24 * 60);
                let next = crate::timestamp(
                    time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
                );
                sqlx::query("UPDATE notifications SET attempts = $1, last_error = $2, next_attempt_at = $3 WHERE region_id = $4 AND id = $5")
                    .bind(attempts + 1)
                    .bind(e)
                    .bind(next)
                    .bind(region_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }
}
