//! 信息公开: which closed cycles of which campaigns are on the public page.
//!
//! Only a closed cycle can be published: closing locks its reports and
//! keeps its lights, so the public sees reviewed, frozen figures, never a
//! cycle still being filled in. Publishing takes a snapshot of the public
//! view (`duban_core::public::public_view`) into the row, so what the
//! public reads is exactly what the office approved, even if the ledger is
//! corrected later (then the office withdraws and publishes again). Every
//! publish and withdraw is audited.

use crate::{audit, get_i64, get_opt_str, get_str, new_id, now, Result, Store, StoreError};
use duban_core::dates::Date;
use duban_core::public::{public_view, CampaignFacts, IndicatorFact, PublicCampaign, TaskFact};
use serde::Serialize;
use serde_json::json;

/// One publishing of a cycle: who published it and when, and whether it
/// was withdrawn since.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Publication {
    pub id: String,
    pub cycle_id: String,
    pub plan: i64,
    pub published_at: String,
    pub published_by: String,
    pub withdrawn_at: Option<String>,
    pub withdrawn_by: Option<String>,
}

/// What the public page of a region shows, with the version of the
/// published set (it changes with every publish and withdraw) and the
/// time of the last such change, for `ETag` and `Last-Modified`.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub version: i64,
    pub last_modified: Option<String>,
    /// The newest published cycle of each campaign, by campaign number.
    pub campaigns: Vec<PublicCampaign>,
}

const COLUMNS: &str =
    "id, cycle_id, plan_no, published_at, published_by, withdrawn_at, withdrawn_by";

fn publication_from(r: &sqlx::any::AnyRow) -> Publication {
    Publication {
        id: get_str(r, "id"),
        cycle_id: get_str(r, "cycle_id"),
        plan: get_i64(r, "plan_no"),
        published_at: get_str(r, "published_at"),
        published_by: get_str(r, "published_by"),
        withdrawn_at: get_opt_str(r, "withdrawn_at"),
        withdrawn_by: get_opt_str(r, "withdrawn_by"),
    }
}

impl Store {
    /// Every publishing in the region, newest first (withdrawn ones too).
    pub async fn publications(&self, region_id: &str) -> Result<Vec<Publication>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM publications WHERE region_id = $1 ORDER BY published_at DESC, id DESC"
        ))
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(publication_from).collect())
    }

    /// The version of the region's published set and the time it last
    /// changed. Each publish adds a row and each withdraw stamps one once,
    /// so rows plus withdrawals only ever grow: a cheap, monotonic version.
    pub async fn publication_version(&self, region_id: &str) -> Result<(i64, Option<String>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) + COUNT(withdrawn_at) AS version, MAX(published_at) AS published, MAX(withdrawn_at) AS withdrawn \
             FROM publications WHERE region_id = $1",
        )
        .bind(region_id)
        .fetch_one(&self.pool)
        .await?;
        let last = [
            get_opt_str(&row, "published"),
            get_opt_str(&row, "withdrawn"),
        ]
        .into_iter()
        .flatten()
        .max();
        Ok((get_i64(&row, "version"), last))
    }

    /// What the public page shows: for each campaign, the snapshot of its
    /// newest published (not withdrawn) cycle.
    pub async fn published(&self, region_id: &str) -> Result<Published> {
        let (version, last_modified) = self.publication_version(region_id).await?;
        let rows = sqlx::query(
            "SELECT p.plan_no, p.view, c.seq FROM publications p \
             JOIN cycles c ON c.region_id = p.region_id AND c.id = p.cycle_id \
             WHERE p.region_id = $1 AND p.withdrawn_at IS NULL ORDER BY p.plan_no, c.seq DESC",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let mut campaigns: Vec<PublicCampaign> = Vec::new();
        for r in &rows {
            let plan = get_i64(r, "plan_no");
            if campaigns
                .last()
                .is_some_and(|c| i64::from(c.campaign) == plan)
            {
                continue;
            }
            let view: PublicCampaign = serde_json::from_str(&get_str(r, "view"))
                .map_err(|e| StoreError::Corrupt(format!("publications.view: {e}")))?;
            campaigns.push(view);
        }
        Ok(Published {
            version,
            last_modified,
            campaigns,
        })
    }

    /// The public view of a closed cycle, computed from its evaluation as
    /// of the cycle's due date (the date the data stands at).
    pub async fn public_view(&self, region_id: &str, cycle_id: &str) -> Result<PublicCampaign> {
        let cycle = self.cycle(region_id, cycle_id).await?;
        let data_date = Date::parse(&cycle.due_on)
            .ok_or_else(|| StoreError::Corrupt(format!("cycles.due_on = “{}”", cycle.due_on)))?;
        let eval = self.evaluate(region_id, &cycle, data_date).await?;
        let name = self
            .plans(region_id)
            .await?
            .into_iter()
            .find(|p| p.no == cycle.plan)
            .map(|p| p.title)
            .unwrap_or_default();
        let tasks: Vec<TaskFact> = eval
            .tasks
            .iter()
            .map(|t| TaskFact {
                title: &t.title,
                lead: &t.lead,
                light: t.light,
                done: t.done,
            })
            .collect();
        let indicators: Vec<IndicatorFact> = eval
            .indicators
            .iter()
            .map(|i| IndicatorFact {
                metric: &i.metric,
                comparator: &i.comparator,
                value: i.value,
                unit: &i.unit,
                current: i.current,
                on_track: i.attainment.as_ref().map(|a| a.on_track),
            })
            .collect();
        Ok(public_view(&CampaignFacts {
            campaign: u32::try_from(cycle.plan).unwrap_or_default(),
            name: &name,
            data_date,
            tasks: &tasks,
            indicators: &indicators,
        }))
    }

    /// Publishes a closed cycle (its campaign's figures) on the public page.
    pub async fn publish(
        &self,
        region_id: &str,
        cycle_id: &str,
        actor: &str,
    ) -> Result<Publication> {
        let cycle = self.cycle(region_id, cycle_id).await?;
        if cycle.status != "closed" {
            return Err(StoreError::Conflict(
                "只能发布已关闭的调度周期：关闭后填报锁定、灯色固定，公开的才是审核过的数据。/ Only a closed cycle can be published (its reports are locked and its lights final).".into(),
            ));
        }
        if self
            .active_publication(region_id, cycle_id)
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict(
                "该调度周期已经发布。/ This cycle is already published.".into(),
            ));
        }
        let view = self.public_view(region_id, cycle_id).await?;
        let snapshot = serde_json::to_string(&view)
            .map_err(|e| StoreError::Corrupt(format!("public view: {e}")))?;
        let id = new_id();
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO publications (region_id, id, cycle_id, plan_no, view, published_at, published_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(region_id)
        .bind(&id)
        .bind(cycle_id)
        .bind(cycle.plan)
        .bind(&snapshot)
        .bind(now())
        .bind(actor)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            // Two offices pressing 发布 at once: the partial unique index
            // lets one through.
            return Err(match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(
                    "该调度周期已经发布。/ This cycle is already published.".into(),
                ),
                _ => e.into(),
            });
        }
        audit(
            &mut tx,
            region_id,
            actor,
            "publication.publish",
            "cycle",
            cycle_id,
            None,
            Some(json!({ "publication": id, "plan": cycle.plan, "green": view.green, "yellow": view.yellow, "red": view.red, "completed": view.completed.len() })),
        )
        .await?;
        tx.commit().await?;
        self.active_publication(region_id, cycle_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("publication vanished".into()))
    }

    /// Withdraws a published cycle from the public page.
    pub async fn withdraw(
        &self,
        region_id: &str,
        cycle_id: &str,
        actor: &str,
    ) -> Result<Publication> {
        let cycle = self.cycle(region_id, cycle_id).await?;
        let Some(p) = self.active_publication(region_id, cycle_id).await? else {
            return Err(StoreError::Conflict(
                "该调度周期没有发布，无需撤回。/ This cycle is not published.".into(),
            ));
        };
        let mut tx = self.begin().await?;
        let at = now();
        sqlx::query(
            "UPDATE publications SET withdrawn_at = $1, withdrawn_by = $2 \
             WHERE region_id = $3 AND id = $4 AND withdrawn_at IS NULL",
        )
        .bind(&at)
        .bind(actor)
        .bind(region_id)
        .bind(&p.id)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "publication.withdraw",
            "cycle",
            cycle_id,
            Some(json!({ "publication": p.id, "plan": cycle.plan })),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(Publication {
            withdrawn_at: Some(at),
            withdrawn_by: Some(actor.to_string()),
            ..p
        })
    }

    async fn active_publication(
        &self,
        region_id: &str,
        cycle_id: &str,
    ) -> Result<Option<Publication>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM publications WHERE region_id = $1 AND cycle_id = $2 AND withdrawn_at IS NULL"
        ))
        .bind(region_id)
        .bind(cycle_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(publication_from))
    }
}
