//! Reports: what each unit owes in a cycle, versioned saves (409 on a
//! stale version), batches in one transaction, and review.

use super::*;

impl Store {
    /// The reports a cycle expects: one per task of its plan per
    /// responsible unit (lead and co); a group stands for the registered
    /// units it covers.
    pub async fn expected_reports(&self, region_id: &str, cycle: &Cycle) -> Result<Vec<Expected>> {
        let units = self.units(region_id).await?;
        let tasks = self
            .tasks(
                region_id,
                &crate::TaskFilter {
                    plan: Some(cycle.plan),
                    ..Default::default()
                },
            )
            .await?;
        let mut out = Vec::new();
        for t in &tasks {
            let mut seen = HashSet::new();
            for (role, refs) in [("lead", &t.lead_units), ("co", &t.co_units)] {
                for r in refs {
                    let members: Vec<(&str, &str)> = if r.kind == "group" {
                        units
                            .iter()
                            .filter(|u| {
                                u.kind != "group" && groups::covers(&r.name, &u.name, &u.kind)
                            })
                            .map(|u| (u.id.as_str(), u.name.as_str()))
                            .collect()
                    } else {
                        vec![(r.id.as_str(), r.name.as_str())]
                    };
                    for (id, name) in members {
                        if seen.insert(id.to_string()) {
                            out.push(Expected {
                                task_id: t.id.clone(),
                                task: t.title.clone(),
                                unit_id: id.into(),
                                unit: name.into(),
                                role: role.into(),
                            });
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// The current (latest) version of every report in a cycle.
    pub async fn current_reports(&self, region_id: &str, cycle: &Cycle) -> Result<Vec<Report>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM reports r JOIN units u ON u.region_id = r.region_id AND u.id = r.unit_id \
             WHERE r.region_id = $1 AND r.cycle_id = $2 AND r.superseded_at IS NULL ORDER BY r.created_at"
        );
        let rows = sqlx::query(&sql)
            .bind(region_id)
            .bind(&cycle.id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| report_from(r, cycle.status == "closed"))
            .collect()
    }

    /// Every version of one unit's report on one task in one cycle, oldest first.
    pub async fn report_history(
        &self,
        region_id: &str,
        cycle: &Cycle,
        task_id: &str,
        unit_key: &str,
    ) -> Result<Vec<Report>> {
        let unit = self.unit(region_id, unit_key).await?;
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM reports r JOIN units u ON u.region_id = r.region_id AND u.id = r.unit_id \
             WHERE r.region_id = $1 AND r.cycle_id = $2 AND r.task_id = $3 AND r.unit_id = $4 ORDER BY r.version"
        );
        let rows = sqlx::query(&sql)
            .bind(region_id)
            .bind(&cycle.id)
            .bind(task_id)
            .bind(&unit.id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| report_from(r, cycle.status == "closed"))
            .collect()
    }

    /// Saves a report: a draft, or submitted for review (marked late after
    /// the due date). Refused when the cycle is closed, when the unit owes
    /// no report on the task, or when `input.version` is not the current one.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_report(
        &self,
        region_id: &str,
        cycle_id: &str,
        task_id: &str,
        unit_key: &str,
        input: &ReportInput,
        actor: &str,
        today: Date,
    ) -> Result<Report> {
        let item = ReportItem {
            task_id: task_id.to_string(),
            unit: unit_key.to_string(),
            report: input.clone(),
        };
        self.save_reports(
            region_id,
            cycle_id,
            std::slice::from_ref(&item),
            actor,
            today,
        )
        .await?
        .pop()
        .ok_or_else(|| invalid("report vanished"))
    }

    /// Saves several reports of one cycle in one transaction: all or none.
    /// A unit filling in all its tasks at once is one durable commit.
    ///
    /// Checked here against the cached ledger (cycle, tasks, units), then
    /// written: on SQLite by the group-commit writer ([`super::group`]),
    /// which commits concurrent saves together and answers this request
    /// after the commit that holds it; on PostgreSQL in a transaction of
    /// its own, one statement per step.
    pub async fn save_reports(
        &self,
        region_id: &str,
        cycle_id: &str,
        items: &[ReportItem],
        actor: &str,
        today: Date,
    ) -> Result<Vec<Report>> {
        for item in items {
            validate(&item.report)?;
        }
        // One catalog-version read for the cycle, the tasks and the units
        // (three round trips before; on Citus each crosses the coordinator).
        let version = self.catalog_version(region_id).await?;
        let cycle = self.cycle_at(region_id, cycle_id, version).await?;
        ensure_open(&cycle)?;
        ensure_started(&cycle, today)?;
        // Who owes what: the tasks of the cycle's plan and their units
        // (a group owes through the registered units it covers).
        let all = self.all_tasks_at(region_id, version).await?;
        let tasks: HashMap<&str, &crate::TaskRow> = all
            .iter()
            .filter(|t| t.plan == cycle.plan)
            .map(|t| (t.id.as_str(), t))
            .collect();
        let registry = self.units_cached_at(region_id, version).await?;
        let mut rows = Vec::with_capacity(items.len());
        for item in items {
            let unit = registry
                .iter()
                .find(|u| {
                    u.id == item.unit || u.name == item.unit || u.aliases.contains(&item.unit)
                })
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "没有单位“{}”。/ No unit '{}'.",
                        item.unit, item.unit
                    ))
                })?;
            let owes = tasks.get(item.task_id.as_str()).is_some_and(|t| {
                t.lead_units.iter().chain(&t.co_units).any(|r| {
                    r.id == unit.id
                        || (r.kind == "group"
                            && unit.kind != "group"
                            && groups::covers(&r.name, &unit.name, &unit.kind))
                })
            });
            if !owes {
                return Err(StoreError::NotFound(format!("“{}”在本周期不需要填报该任务。/ This unit owes no report on this task in this cycle.", unit.name)));
            }
            rows.push(group::Row {
                task_id: item.task_id.clone(),
                unit_id: unit.id.clone(),
                unit: unit.name.clone(),
                input: item.report.clone(),
            });
        }
        let job = group::Job {
            region_id: region_id.to_string(),
            cycle_id: cycle_id.to_string(),
            due: crate::stored_date(&cycle.due_on, "cycles.due_on")?,
            today,
            actor: actor.to_string(),
            rows,
        };
        match self.backend {
            crate::Backend::Sqlite => self.save_grouped(job).await,
            crate::Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                let saved = group::write(&mut tx, &job).await?;
                crate::bump_versions(&mut tx, region_id, false).await?;
                tx.commit().await?;
                Ok(saved)
            }
        }
    }

    /// Report-save groups committed by this process's SQLite writers, and
    /// the requests they held: `(groups, requests)`.
    pub fn group_commit_counts() -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            group::COUNTERS.groups.load(Relaxed),
            group::COUNTERS.requests.load(Relaxed),
        )
    }

    /// Hands a job to this store's group-commit writer, starting one when
    /// there is none yet or the last one's runtime has stopped.
    async fn save_grouped(&self, mut job: group::Job) -> Result<Vec<Report>> {
        for _ in 0..2 {
            let writer = {
                let mut slot = self
                    .writer
                    .lock()
                    .map_err(|_| invalid("写入队列不可用。/ The write queue is unavailable."))?;
                slot.get_or_insert_with(|| group::Writer::spawn(self.pool.clone()))
                    .clone()
            };
            match writer.submit(job).await {
                Ok(result) => return result,
                Err(returned) => {
                    job = returned;
                    if let Ok(mut slot) = self.writer.lock() {
                        *slot = None;
                    }
                }
            }
        }
        Err(invalid("写入队列不可用。/ The write queue is unavailable."))
    }

    /// Accepts or returns a submitted report (审核 / 退回), as a new version.
    #[allow(clippy::too_many_arguments)]
    pub async fn review_report(
        &self,
        region_id: &str,
        cycle_id: &str,
        task_id: &str,
        unit_key: &str,
        accept: bool,
        comment: &str,
        version: i64,
        actor: &str,
    ) -> Result<Report> {
        let cycle = self.cycle(region_id, cycle_id).await?;
        ensure_open(&cycle)?;
        if !accept && comment.trim().is_empty() {
            return Err(invalid(
                "退回时必须写明原因。/ Returning a report needs a comment.",
            ));
        }
        let unit = self.unit(region_id, unit_key).await?;
        let mut tx = self.begin().await?;
        let current = sqlx::query("SELECT * FROM reports WHERE region_id = $1 AND cycle_id = $2 AND task_id = $3 AND unit_id = $4 AND superseded_at IS NULL")
            .bind(region_id)
            .bind(cycle_id)
            .bind(task_id)
            .bind(&unit.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound("还没有填报。/ Nothing reported yet.".into()))?;
        let current_version = get_i64(&current, "version");
        if version != current_version {
            return Err(StoreError::Conflict(format!("该填报已更新为第 {current_version} 版，请刷新后再审核。/ The report changed (now version {current_version}); reload.")));
        }
        if get_str(&current, "state") != "submitted" {
            return Err(StoreError::Conflict(
                "只能审核已报送的填报。/ Only submitted reports can be reviewed.".into(),
            ));
        }
        let at = now();
        sqlx::query("UPDATE reports SET superseded_at = $1 WHERE region_id = $2 AND id = $3")
            .bind(&at)
            .bind(region_id)
            .bind(get_str(&current, "id"))
            .execute(&mut *tx)
            .await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO reports (region_id, id, cycle_id, task_id, unit_id, version, state, status, completion, current_value, progress, problems, next_steps, attachments, submitted_at, late, review_comment, author, created_at) \
             SELECT region_id, $1, cycle_id, task_id, unit_id, version + 1, $2, status, completion, current_value, progress, problems, next_steps, attachments, submitted_at, late, $3, $4, $5 \
             FROM reports WHERE region_id = $6 AND id = $7",
        )
        .bind(&id)
        .bind(if accept { "accepted" } else { "returned" })
        .bind(comment.trim())
        .bind(actor)
        .bind(&at)
        .bind(region_id)
        .bind(get_str(&current, "id"))
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            if accept {
                "report.accept"
            } else {
                "report.return"
            },
            "report",
            &id,
            None,
            Some(json!({ "comment": comment, "version": current_version + 1 })),
        )
        .await?;
        tx.commit().await?;
        self.report_history(region_id, &cycle, task_id, &unit.id)
            .await?
            .pop()
            .ok_or_else(|| invalid("report vanished"))
    }
}
