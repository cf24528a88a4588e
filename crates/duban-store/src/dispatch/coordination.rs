//! Coordination requests (需协调事项) raised in reports, and their resolution.

use super::*;

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

impl Store {
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
