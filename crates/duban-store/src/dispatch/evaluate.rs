//! Evaluation: the store reads the facts of a cycle and hands them to
//! `duban_core::evaluation::evaluate_cycle`; the region summary for leaders.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskEvaluation {
    pub task_id: String,
    pub title: String,
    pub lead: String,
    pub light: Light,
    pub reason: String,
    pub completion: f64,
    pub time_progress: f64,
    pub reported: bool,
    /// The lead unit reported the task done (status 已完成, or 100%): what
    /// the public page lists as a completed task.
    pub done: bool,
    /// The task's first quantified target, judged on the reported
    /// year-to-date value (when the lead reported one).
    pub target: Option<TargetEvaluation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetEvaluation {
    pub metric: String,
    pub comparator: String,
    pub value: f64,
    pub unit: String,
    pub current: f64,
    #[serde(flatten)]
    pub attainment: evaluation::Attainment,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub cycle: Cycle,
    pub as_of: String,
    pub thresholds: Thresholds,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub metrics: evaluation::ReportingMetrics,
    pub tasks: Vec<TaskEvaluation>,
    pub ranking: Vec<evaluation::Ranked>,
    pub four_rates: evaluation::FourRates,
    /// The four rates of each unit with project lists in the campaign.
    pub four_rates_by_unit: Vec<(String, evaluation::FourRates)>,
    /// Goal indicators with an owner: the reported value against the target.
    pub indicators: Vec<IndicatorEvaluation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorEvaluation {
    pub target_id: String,
    pub metric: String,
    pub owner: String,
    pub comparator: String,
    pub value: f64,
    pub unit: String,
    pub current: Option<f64>,
    pub attainment: Option<evaluation::Attainment>,
}

impl Store {
    /// Lights, reporting metrics, ranking and four rates of a cycle as of `today`.
    pub async fn evaluate(
        &self,
        region_id: &str,
        cycle: &Cycle,
        today: Date,
    ) -> Result<Evaluation> {
        // The reads are independent: they run at once, each on its own
        // connection, so an evaluation waits for the slowest read rather
        // than for the sum of about ten round trips (on Citus each goes
        // through the coordinator to the region's worker).
        let tasks = async {
            self.tasks(
                region_id,
                &crate::TaskFilter {
                    plan: Some(cycle.plan),
                    ..Default::default()
                },
            )
            .await
        };
        // Every submitted version counts for the reporting metrics, so a
        // report that was returned still was reported (and on time or not).
        let submitted = async {
            let rows = sqlx::query("SELECT task_id, unit_id, MIN(late) AS late FROM reports WHERE region_id = $1 AND cycle_id = $2 AND submitted_at IS NOT NULL GROUP BY task_id, unit_id")
                .bind(region_id)
                .bind(&cycle.id)
                .fetch_all(&self.pool)
                .await?;
            Ok::<_, StoreError>(
                rows.iter()
                    .map(|r| {
                        (
                            (get_str(r, "task_id"), get_str(r, "unit_id")),
                            get_i64(r, "late") == 0,
                        )
                    })
                    .collect::<HashMap<(String, String), bool>>(),
            )
        };
        let previous = async {
            let previous = self
                .cycles(region_id, Some(cycle.plan))
                .await?
                .into_iter()
                .filter(|c| c.seq < cycle.seq)
                .max_by_key(|c| c.seq);
            let Some(prev) = previous else {
                return Ok(HashMap::new());
            };
            let rows = sqlx::query(
                "SELECT task_id, light FROM task_lights WHERE region_id = $1 AND cycle_id = $2",
            )
            .bind(region_id)
            .bind(&prev.id)
            .fetch_all(&self.pool)
            .await?;
            Ok::<_, StoreError>(
                rows.iter()
                    .filter_map(|r| {
                        Some((
                            get_str(r, "task_id"),
                            serde_json::from_value(json!(get_str(r, "light"))).ok()?,
                        ))
                    })
                    .collect::<HashMap<String, Light>>(),
            )
        };
        let document = async {
            Ok::<_, StoreError>(sqlx::query("SELECT d.doc_date, d.plan_year FROM plans p JOIN documents d ON d.region_id = p.region_id AND d.id = p.document_id WHERE p.region_id = $1 AND p.id = $2")
                .bind(region_id)
                .bind(&cycle.plan_id)
                .fetch_optional(&self.pool)
                .await?)
        };
        // A closed cycle answers with the lights it was closed with.
        let closed_lights = async {
            if cycle.status != "closed" {
                return Ok(HashMap::new());
            }
            let rows = sqlx::query(
                "SELECT task_id, light, reason FROM task_lights WHERE region_id = $1 AND cycle_id = $2",
            )
            .bind(region_id)
            .bind(&cycle.id)
            .fetch_all(&self.pool)
            .await?;
            Ok::<_, StoreError>(
                rows.iter()
                    .filter_map(|r| {
                        Some((
                            get_str(r, "task_id"),
                            (
                                serde_json::from_value(json!(get_str(r, "light"))).ok()?,
                                get_str(r, "reason"),
                            ),
                        ))
                    })
                    .collect::<HashMap<String, (Light, String)>>(),
            )
        };
        let (
            (_, thresholds),
            tasks,
            expected,
            reports,
            submitted,
            previous,
            document,
            closed_lights,
            targets,
        ) = tokio::try_join!(
            self.plan_settings(region_id, cycle.plan),
            tasks,
            self.expected_reports(region_id, cycle),
            self.current_reports(region_id, cycle),
            submitted,
            previous,
            document,
            closed_lights,
            self.targets(region_id, Some(cycle.plan)),
        )?;
        let doc_date = document
            .as_ref()
            .and_then(|r| get_opt_str(r, "doc_date"))
            .and_then(|d| Date::parse(&d));
        // The plan's year: as read from the plan, else the year it was
        // issued, else the year of the cycle (a cycle belongs to its plan's year).
        let plan_year = document
            .as_ref()
            .and_then(|r| {
                use sqlx::Row;
                r.try_get::<Option<i64>, _>("plan_year").ok().flatten()
            })
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| Date::new(*y, 1, 1).is_some())
            .or_else(|| doc_date.map(Date::year))
            .or_else(|| Date::parse(&cycle.due_on).map(Date::year))
            .unwrap_or_else(|| today.year());
        let doc_date = doc_date.unwrap_or_else(|| Date::first_of_year(plan_year));
        // The facts: each task with a lead, its lead's report, the previous
        // and (closed cycles) the stored light.
        let led: Vec<(&crate::TaskRow, &crate::UnitRef)> = tasks
            .iter()
            .filter_map(|t| t.lead_units.first().map(|lead| (t, lead)))
            .collect();
        let lead_reports: Vec<Option<&Report>> = led
            .iter()
            .map(|(t, lead)| {
                reports
                    .iter()
                    .find(|r| r.task_id == t.id && r.unit_id == lead.id && r.state != "draft")
            })
            .collect();
        let mut task_facts = Vec::with_capacity(led.len());
        for ((t, lead), report) in led.iter().zip(&lead_reports) {
            task_facts.push(evaluation::TaskFacts {
                lead: lead.name.clone(),
                deadline: t.due_date.as_deref().and_then(Date::parse),
                report: match report {
                    Some(r) => Some((
                        Status::parse(&r.status).ok_or_else(|| {
                            StoreError::Corrupt(format!("reports.status = “{}”", r.status))
                        })?,
                        r.completion,
                    )),
                    None => None,
                },
                previous: previous.get(&t.id).copied(),
                closed: closed_lights.get(&t.id).cloned(),
            });
        }
        let mut owed: Vec<evaluation::Owed> = expected
            .iter()
            .map(|e| evaluation::Owed {
                unit: e.unit.clone(),
                submitted: submitted
                    .get(&(e.task_id.clone(), e.unit_id.clone()))
                    .copied(),
            })
            .collect();
        let indicators = self.expected_indicators(region_id, cycle).await?;
        let indicator_reports = self.current_indicator_reports(region_id, &cycle.id).await?;
        let mut indicator_evals = Vec::new();
        for t in &indicators {
            let owner = t.owner.clone().unwrap_or_default();
            let report = indicator_reports
                .iter()
                .find(|r| r.target_id == t.id && r.submitted);
            owed.push(evaluation::Owed {
                unit: owner.clone(),
                submitted: report.map(|r| !r.late),
            });
            indicator_evals.push(IndicatorEvaluation {
                target_id: t.id.clone(),
                metric: t.metric.clone(),
                owner,
                comparator: t.comparator.clone(),
                value: t.value,
                unit: t.unit.clone(),
                current: report.map(|r| r.value),
                attainment: report.and_then(|r| {
                    evaluation::Comparator::parse(&t.comparator)
                        .zip(evaluation::TargetKind::parse(&t.kind))
                        .map(|(c, kind)| {
                            evaluation::attainment(
                                kind,
                                c,
                                t.value,
                                t.value_max,
                                r.value,
                                evaluation::year_share(plan_year, today),
                                &thresholds,
                            )
                        })
                }),
            });
        }
        // Requests addressed to units in this campaign's tasks.
        let campaign_tasks: HashSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        let requests = self
            .coordination_requests(region_id, None)
            .await?
            .into_iter()
            .filter(|r| campaign_tasks.contains(r.task_id.as_str()))
            .map(|r| evaluation::RequestFacts {
                resolved: r.status == "resolved",
                addressed_to: r.addressed_to,
            })
            .collect();
        let projects = self.project_figures(region_id, cycle.plan).await?;
        let outcome = evaluation::evaluate_cycle(&evaluation::CycleFacts {
            start: doc_date,
            plan_year,
            today,
            thresholds,
            tasks: task_facts,
            owed,
            requests,
            projects,
        });
        // The store only dresses the outcome with titles and targets.
        let task_evals = led
            .iter()
            .zip(&lead_reports)
            .zip(&outcome.tasks)
            .map(|(((t, lead), report), o)| TaskEvaluation {
                task_id: t.id.clone(),
                title: t.title.clone(),
                lead: lead.name.clone(),
                light: o.light,
                reason: o.reason.clone(),
                completion: report.map(|r| r.completion).unwrap_or(0.0),
                time_progress: o.time_progress,
                reported: report.is_some(),
                done: report.is_some_and(|r| r.status == "done" || r.completion >= 100.0),
                target: match (
                    report.and_then(|r| r.current_value),
                    targets
                        .iter()
                        .find(|x| x.task_id.as_deref() == Some(t.id.as_str())),
                ) {
                    (Some(current), Some(x)) => evaluation::Comparator::parse(&x.comparator)
                        .zip(evaluation::TargetKind::parse(&x.kind))
                        .map(|(c, kind)| TargetEvaluation {
                            metric: x.metric.clone(),
                            comparator: x.comparator.clone(),
                            value: x.value,
                            unit: x.unit.clone(),
                            current,
                            attainment: evaluation::attainment(
                                kind,
                                c,
                                x.value,
                                x.value_max,
                                current,
                                evaluation::year_share(plan_year, today),
                                &thresholds,
                            ),
                        }),
                    _ => None,
                },
            })
            .collect();
        Ok(Evaluation {
            as_of: today.to_string(),
            thresholds,
            green: outcome.green,
            yellow: outcome.yellow,
            red: outcome.red,
            metrics: outcome.metrics,
            tasks: task_evals,
            ranking: outcome.ranking,
            four_rates: outcome.four_rates,
            four_rates_by_unit: outcome.four_rates_by_unit,
            indicators: indicator_evals,
            cycle: cycle.clone(),
        })
    }

    async fn project_figures(
        &self,
        region_id: &str,
        plan_no: i64,
    ) -> Result<Vec<(String, evaluation::ProjectFigures)>> {
        let plan_id = self.plan_id(region_id, plan_no).await?;
        let rows = sqlx::query(
            "SELECT u.name AS unit, l.planned_investment, l.funds_secured, l.started, l.funds_paid, l.physical_progress FROM list_items l \
             JOIN tasks t ON t.region_id = l.region_id AND t.id = l.task_id \
             JOIN units u ON u.region_id = l.region_id AND u.id = l.unit_id \
             WHERE l.region_id = $1 AND t.plan_id = $2 AND l.kind = 'project' AND l.deleted_at IS NULL",
        )
        .bind(region_id)
        .bind(&plan_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                (
                    get_str(r, "unit"),
                    evaluation::ProjectFigures {
                        planned_investment: get_opt_f64(r, "planned_investment").unwrap_or(0.0),
                        funds_secured: get_opt_f64(r, "funds_secured").unwrap_or(0.0),
                        started: r
                            .try_get::<Option<i64>, _>("started")
                            .ok()
                            .flatten()
                            .unwrap_or(0)
                            != 0,
                        funds_paid: get_opt_f64(r, "funds_paid").unwrap_or(0.0),
                        physical_progress: get_opt_f64(r, "physical_progress").unwrap_or(0.0),
                    },
                )
            })
            .collect())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignSummary {
    pub plan: i64,
    pub title: String,
    pub cycle_id: String,
    /// The cycle's number (第 N 期).
    pub seq: i64,
    pub due_on: String,
    /// `closed` or `past_due` (已截止), or `open` while no cycle of the
    /// campaign is over yet.
    pub stage: duban_core::cycles::Stage,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub metrics: evaluation::ReportingMetrics,
    pub best: Option<String>,
    pub worst: Option<String>,
}

/// A region at a glance (for leaders' dashboards): each campaign's latest
/// cycle that is over (closed or past due; else the one under way, see
/// `duban_core::cycles::default_cycle`), and the region's reporting
/// metrics over them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionSummary {
    pub as_of: String,
    pub campaigns: Vec<CampaignSummary>,
    pub metrics: evaluation::ReportingMetrics,
}

impl Store {
    pub async fn region_summary(&self, region_id: &str, as_of: Date) -> Result<RegionSummary> {
        let titles: HashMap<i64, String> = self
            .plans(region_id)
            .await?
            .into_iter()
            .map(|p| (p.no, p.title))
            .collect();
        let mut by_plan: HashMap<i64, Vec<Cycle>> = HashMap::new();
        for c in self.cycles(region_id, None).await? {
            by_plan.entry(c.plan).or_default().push(c);
        }
        // Each campaign's default cycle: the latest that is over, else
        // the one under way (the dashboard's rule, one pure function).
        let latest: HashMap<i64, Cycle> = by_plan
            .into_iter()
            .filter_map(|(plan, mut cycles)| {
                let states: Vec<_> = cycles.iter().map(Cycle::state).collect();
                let i = duban_core::cycles::default_cycle(&states, as_of)?;
                Some((plan, cycles.swap_remove(i)))
            })
            .collect();
        let mut plans: Vec<i64> = latest.keys().copied().collect();
        plans.sort();
        let (mut expected, mut actual, mut on_time) = (0, 0, 0);
        let mut campaigns = Vec::new();
        for plan in plans {
            let cycle = &latest[&plan];
            let e = self
                .evaluate(region_id, cycle, default_as_of(cycle, as_of))
                .await?;
            expected += e.metrics.expected;
            actual += e.metrics.actual;
            on_time += e.metrics.on_time;
            campaigns.push(CampaignSummary {
                plan,
                title: titles.get(&plan).cloned().unwrap_or_default(),
                cycle_id: cycle.id.clone(),
                seq: cycle.seq,
                due_on: cycle.due_on.clone(),
                stage: cycle.state().stage(as_of),
                green: e.green,
                yellow: e.yellow,
                red: e.red,
                metrics: e.metrics,
                best: e.ranking.first().map(|r| r.unit.clone()),
                worst: e.ranking.last().map(|r| r.unit.clone()),
            });
        }
        Ok(RegionSummary {
            as_of: as_of.to_string(),
            campaigns,
            metrics: evaluation::reporting_metrics(expected, actual, on_time),
        })
    }
}
