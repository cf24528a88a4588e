//! What the coordination group's (综合协调组) pages need beyond the CLI:
//! the holiday list, an audit search with filters and pages, the last
//! sign-in of each user, and changing a user's role, unit or campaign.

use crate::{audit, get_str, AuditEntry, Result, Store, StoreError, User};
use duban_core::dates::Date;
use duban_core::names::Role;
use serde_json::json;
use std::collections::HashMap;

/// A day off (节假日): due dates that fall on it move to the next workday.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Holiday {
    pub day: String,
    pub name: String,
}

/// Filters of the audit page; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Exactly this user (the actor).
    pub actor: String,
    /// An action prefix (`user.`, `task.reassign`) or an entity (`unit`).
    pub action: String,
    /// First and last day, inclusive (UTC dates, as the log is kept).
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// A user's new role, unit and campaign (the same rules as creating one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserChange {
    pub role: Role,
    /// Unit id, name or alias: required for a reporter.
    pub unit: Option<String>,
    /// Plan number: required for an office.
    pub campaign: Option<u32>,
}

impl Store {
    /// The region's holidays, by date.
    pub async fn holidays(&self, region_id: &str) -> Result<Vec<Holiday>> {
        let rows = sqlx::query("SELECT day, name FROM holidays WHERE region_id = $1 ORDER BY day")
            .bind(region_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Holiday {
                day: get_str(r, "day"),
                name: get_str(r, "name"),
            })
            .collect())
    }

    /// Removes a holiday. Cycles already scheduled keep their dates; only
    /// the next scheduling sees the change.
    pub async fn remove_holiday(&self, region_id: &str, day: Date, actor: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT name FROM holidays WHERE region_id = $1 AND day = $2")
            .bind(region_id)
            .bind(day.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "{day} 不是已登记的节假日。/ {day} is not a holiday."
                ))
            })?;
        sqlx::query("DELETE FROM holidays WHERE region_id = $1 AND day = $2")
            .bind(region_id)
            .bind(day.to_string())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "holiday.remove",
            "region",
            region_id,
            Some(json!({ "day": day, "name": get_str(&row, "name") })),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit log of a region, newest first, filtered; `limit` entries
    /// from `offset`. The flag says whether more entries follow.
    pub async fn audit_search(
        &self,
        region_id: &str,
        q: &AuditQuery,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AuditEntry>, bool)> {
        let limit = limit.clamp(1, 500);
        let from = q.from.map(|d| d.to_string()).unwrap_or_default();
        // `at` is a full timestamp: the last day ends before the next one.
        let to = q.to.map(|d| d.add_days(1).to_string()).unwrap_or_default();
        let action = q.action.trim();
        // Only the filters in use go into the statement (fixed fragments,
        // values bound): `$n = '' OR …` would keep the planner off the
        // indexes by time and by actor.
        let mut sql = String::from(
            "SELECT at, actor, action, entity, entity_id, before, after FROM audit_log WHERE region_id = $1",
        );
        let mut values: Vec<String> = vec![region_id.to_string()];
        let mut filter = |fragment: &str, bound: Vec<String>| {
            let mut f = fragment.to_string();
            for (i, v) in bound.into_iter().enumerate() {
                values.push(v);
                f = f.replace(&format!("{{{i}}}"), &format!("${}", values.len()));
            }
            sql.push_str(&f);
        };
        if !q.actor.trim().is_empty() {
            filter(" AND actor = {0}", vec![q.actor.trim().to_string()]);
        }
        if !action.is_empty() {
            filter(
                " AND (action LIKE {0} OR entity = {1})",
                vec![format!("{action}%"), action.to_string()],
            );
        }
        if !from.is_empty() {
            filter(" AND at >= {0}", vec![from]);
        }
        if !to.is_empty() {
            filter(" AND at < {0}", vec![to]);
        }
        let n = values.len();
        sql.push_str(&format!(
            " ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ));
        let mut query = sqlx::query(&sql);
        for v in &values {
            query = query.bind(v);
        }
        let rows = query
            .bind(limit + 1)
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        let mut entries: Vec<AuditEntry> = rows
            .iter()
            .map(|r| AuditEntry {
                at: get_str(r, "at"),
                actor: get_str(r, "actor"),
                action: get_str(r, "action"),
                entity: get_str(r, "entity"),
                entity_id: get_str(r, "entity_id"),
                before: json(crate::get_opt_str(r, "before")),
                after: json(crate::get_opt_str(r, "after")),
            })
            .collect();
        let more = entries.len() as i64 > limit;
        entries.truncate(limit as usize);
        Ok((entries, more))
    }

    /// When each user of the region last signed in (user name → timestamp),
    /// read from the audit log, which keeps every sign-in.
    pub async fn last_sign_ins(&self, region_id: &str) -> Result<HashMap<String, String>> {
        let rows = sqlx::query(
            "SELECT actor, MAX(at) AS at FROM audit_log WHERE region_id = $1 AND action = 'login.success' GROUP BY actor",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (get_str(r, "actor"), get_str(r, "at")))
            .collect())
    }

    /// Changes a user's role, unit and campaign. The user must belong to
    /// `region_id` (an admin manages the accounts of the region it is on).
    /// The change applies to the user's open sessions and tokens at once:
    /// both read the user row on every request.
    pub async fn update_user(
        &self,
        region_id: &str,
        name: &str,
        change: UserChange,
        actor: &str,
    ) -> Result<User> {
        let before = self.user(name).await?;
        if before.region_id != region_id {
            return Err(StoreError::NotFound(format!(
                "本区域没有用户“{name}”。/ No user '{name}' in this region."
            )));
        }
        let unit = change
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let unit_id = match (change.role, unit) {
            (Role::Reporter, None) => {
                return Err(StoreError::Invalid(
                    "填报账号必须指定所属单位。/ A reporter needs a unit.".into(),
                ))
            }
            (_, Some(u)) => Some(self.unit(region_id, u).await?.id),
            (_, None) => None,
        };
        if change.role == Role::Office && change.campaign.is_none() {
            return Err(StoreError::Invalid(
                "专班办公室账号必须指定攻坚（方案编号）。/ An office needs a campaign.".into(),
            ));
        }
        if let Some(c) = change.campaign {
            if !self
                .plans(region_id)
                .await?
                .iter()
                .any(|p| p.no == i64::from(c))
            {
                return Err(StoreError::NotFound(format!(
                    "本区域没有编号为 {c} 的方案。/ No plan number {c} in this region."
                )));
            }
        }
        let after = User {
            role: change.role,
            unit_id,
            campaign: change.campaign,
            ..before.clone()
        };
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET role = $1, unit_id = $2, campaign = $3 WHERE id = $4")
            .bind(after.role.as_str())
            .bind(&after.unit_id)
            .bind(after.campaign.map(i64::from))
            .bind(&after.id)
            .persistent(false)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "user.update",
            "user",
            &after.id,
            Some(serde_json::to_value(&before).unwrap_or_default()),
            Some(serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Ends every browser session of a user (after an administrator reset
    /// the password): whoever knew the old password is signed out.
    pub async fn end_sessions(&self, name: &str, actor: &str) -> Result<u64> {
        let user = self.user(name).await?;
        let mut tx = self.begin().await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&user.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        audit(
            &mut tx,
            &user.region_id,
            actor,
            "user.sessions_end",
            "user",
            &user.id,
            None,
            Some(json!({ "sessions": ended })),
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Marks a unit an import created as reviewed: it is a unit of its own,
    /// not a variant of the suggested one.
    pub async fn mark_unit_reviewed(&self, region_id: &str, key: &str, actor: &str) -> Result<()> {
        let unit = self.unit(region_id, key).await?;
        if unit.review.is_none() {
            return Err(StoreError::Conflict(format!(
                "单位“{}”已复核过。/ Unit '{}' is already reviewed.",
                unit.name, unit.name
            )));
        }
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE units SET review = NULL, suggested_unit_id = NULL, suggested_confidence = NULL, updated_at = $1 \
             WHERE region_id = $2 AND id = $3",
        )
        .bind(crate::now())
        .bind(region_id)
        .bind(&unit.id)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "unit.review",
            "unit",
            &unit.id,
            Some(json!({ "review": unit.review, "suggested": unit.suggested.map(|s| s.name) })),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
