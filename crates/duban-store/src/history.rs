//! A task's light over the closed cycles (for the task page's history).

use crate::{get_i64, get_str, Result, Store};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LightHistory {
    pub cycle_id: String,
    pub seq: i64,
    pub due_on: String,
    /// `green`, `yellow` or `red`, as kept when the cycle closed.
    pub light: String,
    pub reason: String,
}

impl Store {
    /// The lights a task was closed with, cycle by cycle, oldest first.
    pub async fn task_light_history(
        &self,
        region_id: &str,
        task_id: &str,
    ) -> Result<Vec<LightHistory>> {
        let rows = sqlx::query(
            "SELECT l.cycle_id, c.seq, c.due_on, l.light, l.reason FROM task_lights l \
             JOIN cycles c ON c.region_id = l.region_id AND c.id = l.cycle_id \
             WHERE l.region_id = $1 AND l.task_id = $2 ORDER BY c.due_on",
        )
        .bind(region_id)
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| LightHistory {
                cycle_id: get_str(r, "cycle_id"),
                seq: get_i64(r, "seq"),
                due_on: get_str(r, "due_on"),
                light: get_str(r, "light"),
                reason: get_str(r, "reason"),
            })
            .collect())
    }
}
