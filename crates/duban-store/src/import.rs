//! `duban import`: a parsed plan into the ledger. Importing the same bytes
//! again changes nothing; importing a revised version applies the diff and
//! keeps every task's identity (and what hangs off it) where it can.

use crate::batch::{Audit, Rows};
use crate::units::Resolution;
use crate::{get_i64, get_opt_str, get_str, new_id, now, Region, Result, Store};
use duban_core::diff::{diff, ChangeKind, TaskSnapshot};
use duban_plan::{Plan, PlanKind, Task};
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskChange {
    pub kind: ChangeKind,
    pub task_id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ImportReport {
    pub region: String,
    pub document_id: String,
    pub version: i64,
    /// True when these exact bytes were imported before: nothing was written.
    pub already_imported: bool,
    pub plans: usize,
    pub tasks: usize,
    pub targets: usize,
    pub task_forces: usize,
    pub units_new: usize,
    pub units_matched: usize,
    pub units_suggested: usize,
    pub added: usize,
    pub removed: usize,
    pub reworded: usize,
    pub reassigned: usize,
    /// Every task that is not unchanged, for the person who reviews the import.
    pub changes: Vec<TaskChange>,
}

fn task_key(t: &Task, occurrence: usize) -> String {
    format!("{}|{}|{}", t.plan, t.path.join("|"), occurrence)
}

fn due(t: &Task) -> (Option<String>, bool) {
    let date = t.deadlines.iter().filter_map(|d| d.date.clone()).min();
    (date, t.deadlines.iter().any(|d| d.ongoing))
}

impl Store {
    pub async fn import(&self, region: &Region, plan: &Plan, actor: &str) -> Result<ImportReport> {
        let r = region.id.as_str();
        let mut tx = self.begin().await?;
        let mut report = ImportReport {
            region: region.name.clone(),
            ..Default::default()
        };

        if let Some(row) =
            sqlx::query("SELECT id, version FROM documents WHERE region_id = $1 AND sha256 = $2")
                .bind(r)
                .bind(&plan.source.sha256)
                .fetch_optional(&mut *tx)
                .await?
        {
            report.already_imported = true;
            report.document_id = get_str(&row, "id");
            report.version = get_i64(&row, "version");
            report.plans = plan.plans.len();
            report.tasks = plan.tasks.len();
            report.targets = plan.targets.len();
            report.task_forces = plan.task_forces.len();
            report.units_matched = plan.units.len();
            return Ok(report);
        }

        // A revision is a document of the same title or number.
        let previous = sqlx::query(
            "SELECT id, lineage_id, version FROM documents WHERE region_id = $1 AND superseded_at IS NULL \
             AND (title = $2 OR doc_number = $3) ORDER BY version DESC",
        )
        .bind(r)
        .bind(&plan.document.title)
        .bind(&plan.document.doc_number)
        .fetch_optional(&mut *tx)
        .await?;
        let at = now();
        let document_id = new_id();
        let (lineage_id, version) = match &previous {
            Some(p) => (get_str(p, "lineage_id"), get_i64(p, "version") + 1),
            None => (document_id.clone(), 1),
        };
        if let Some(p) = &previous {
            sqlx::query("UPDATE documents SET superseded_at = $1 WHERE region_id = $2 AND id = $3")
                .bind(&at)
                .bind(r)
                .bind(get_str(p, "id"))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO documents (region_id, id, lineage_id, version, sha256, file, title, doc_number, issuer, doc_date, imported_at, plan_year) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(r)
        .bind(&document_id)
        .bind(&lineage_id)
        .bind(version)
        .bind(&plan.source.sha256)
        .bind(&plan.source.file)
        .bind(&plan.document.title)
        .bind(&plan.document.doc_number)
        .bind(&plan.document.issuer)
        .bind(&plan.document.date)
        .bind(&at)
        .bind(plan.document.year.map(i64::from))
        .execute(&mut *tx)
        .await?;
        // New rows and audit entries are collected and written together
        // at the end (a statement per table); reads come first, updates of
        // existing rows (revisions only) go out as they are met.
        let mut w = Writes::new();
        w.audit.push(r, actor, "document.import", "document", &document_id, None, Some(json!({ "file": plan.source.file, "sha256": plan.source.sha256, "version": version })));
        report.document_id = document_id.clone();
        report.version = version;

        let unit_ids = self
            .import_units(&mut tx, &mut w, r, plan, actor, &mut report)
            .await?;
        let plan_ids = import_plans(
            &mut tx,
            &mut w,
            r,
            plan,
            &lineage_id,
            &document_id,
            actor,
            &at,
        )
        .await?;
        report.plans = plan_ids.len();
        let task_ids = import_tasks(
            &mut tx,
            &mut w,
            r,
            plan,
            &plan_ids,
            &unit_ids,
            actor,
            &at,
            &mut report,
        )
        .await?;
        report.tasks = task_ids.len();
        report.targets =
            import_targets(&mut tx, &mut w, r, plan, &plan_ids, &task_ids, actor, &at).await?;
        report.task_forces =
            import_task_forces(&mut tx, &mut w, r, plan, &plan_ids, &unit_ids, actor, &at).await?;
        w.flush(&mut tx, r).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn import_units(
        &self,
        tx: &mut Transaction<'static, Any>,
        w: &mut Writes,
        r: &str,
        plan: &Plan,
        actor: &str,
        report: &mut ImportReport,
    ) -> Result<HashMap<String, String>> {
        let rows =
            sqlx::query("SELECT id, name FROM units WHERE region_id = $1 AND deleted_at IS NULL")
                .bind(r)
                .fetch_all(&mut **tx)
                .await?;
        let mut known: Vec<(String, String)> = rows
            .iter()
            .map(|row| (get_str(row, "id"), get_str(row, "name")))
            .collect();
        // A name resolves to the unit of that name, else to the unit it is
        // an alias of (as `units::resolve`), read once instead of per name.
        let mut by_name: HashMap<String, String> = known
            .iter()
            .map(|(id, name)| (name.clone(), id.clone()))
            .collect();
        let aliases = sqlx::query("SELECT alias, unit_id FROM unit_aliases WHERE region_id = $1")
            .bind(r)
            .fetch_all(&mut **tx)
            .await?;
        let by_alias: HashMap<String, String> = aliases
            .iter()
            .map(|row| (get_str(row, "alias"), get_str(row, "unit_id")))
            .collect();
        // Canonical spellings first, so that variants are suggested onto them.
        let mut names: Vec<(&str, &str)> = plan
            .units
            .iter()
            .map(|u| (u.name.as_str(), kind_name(u.kind)))
            .collect();
        names.sort_by_key(|(n, _)| {
            plan.units
                .iter()
                .any(|u| u.name == *n && u.suspected_alias_of.is_some())
        });
        let mut ids = HashMap::new();
        for (name, kind) in names {
            let found = by_name.get(name).or_else(|| by_alias.get(name)).cloned();
            let (id, how) = match found {
                Some(id) => (id, Resolution::Matched),
                None => {
                    let (id, how) = w.new_unit(r, name, kind, &known, actor);
                    by_name.insert(name.to_string(), id.clone());
                    (id, how)
                }
            };
            match how {
                Resolution::Matched => report.units_matched += 1,
                Resolution::New => report.units_new += 1,
                Resolution::Suggested => report.units_suggested += 1,
            }
            if how != Resolution::Matched {
                known.push((id.clone(), name.to_string()));
            }
            ids.insert(name.to_string(), id);
        }
        Ok(ids)
    }
}

fn kind_name(kind: duban_plan::UnitKind) -> &'static str {
    kind.as_str()
}

#[allow(clippy::too_many_arguments)]
async fn import_plans(
    tx: &mut Transaction<'static, Any>,
    w: &mut Writes,
    r: &str,
    plan: &Plan,
    lineage_id: &str,
    document_id: &str,
    actor: &str,
    at: &str,
) -> Result<HashMap<u32, String>> {
    let mut ids = HashMap::new();
    let rows =
        sqlx::query("SELECT id, title, no FROM plans WHERE region_id = $1 AND lineage_id = $2")
            .bind(r)
            .bind(lineage_id)
            .fetch_all(&mut **tx)
            .await?;
    for entry in &plan.plans {
        let kind = if entry.kind == PlanKind::Overall {
            "overall"
        } else {
            "implementation"
        };
        let existing = rows
            .iter()
            .find(|row| get_i64(row, "no") == entry.no as i64);
        let id = match existing {
            Some(row) => {
                let id = get_str(row, "id");
                let old_title = get_str(row, "title");
                sqlx::query("UPDATE plans SET document_id = $1, title = $2, kind = $3, updated_at = $4, deleted_at = NULL WHERE region_id = $5 AND id = $6")
                    .bind(document_id)
                    .bind(&entry.title)
                    .bind(kind)
                    .bind(at)
                    .bind(r)
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
                if old_title != entry.title {
                    w.audit.push(
                        r,
                        actor,
                        "plan.retitle",
                        "plan",
                        &id,
                        Some(json!({ "title": old_title })),
                        Some(json!({ "title": entry.title })),
                    );
                }
                id
            }
            None => {
                let id = new_id();
                w.plans.push(vec![
                    r.into(),
                    (&id).into(),
                    lineage_id.into(),
                    document_id.into(),
                    (entry.no as i64).into(),
                    (&entry.title).into(),
                    kind.into(),
                    at.into(),
                    at.into(),
                ]);
                w.audit.push(
                    r,
                    actor,
                    "plan.create",
                    "plan",
                    &id,
                    None,
                    Some(json!({ "no": entry.no, "title": entry.title, "kind": kind })),
                );
                id
            }
        };
        ids.insert(entry.no, id);
    }
    Ok(ids)
}

pub(crate) struct OldTask {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) snapshot: TaskSnapshot,
}

/// The current tasks of the given plans, as the diff sees them (unit ids).
pub(crate) async fn old_tasks(
    tx: &mut Transaction<'static, Any>,
    r: &str,
    plan_ids: &HashMap<u32, String>,
) -> Result<Vec<OldTask>> {
    // Two reads for the whole region (not one per plan and one per task),
    // kept to the given plans here.
    let no_of: HashMap<&str, u32> = plan_ids.iter().map(|(no, id)| (id.as_str(), *no)).collect();
    let rows = sqlx::query("SELECT id, plan_id, task_key, title, body FROM tasks WHERE region_id = $1 AND deleted_at IS NULL ORDER BY seq")
        .bind(r)
        .fetch_all(&mut **tx)
        .await?;
    let mut assigned: HashMap<String, Vec<(String, String)>> = HashMap::new();
    if !rows.is_empty() {
        let all = sqlx::query(
            "SELECT task_id, unit_id, role FROM assignments WHERE region_id = $1 AND deleted_at IS NULL ORDER BY position",
        )
        .bind(r)
        .fetch_all(&mut **tx)
        .await?;
        for a in &all {
            assigned
                .entry(get_str(a, "task_id"))
                .or_default()
                .push((get_str(a, "role"), get_str(a, "unit_id")));
        }
    }
    // In the order of `plan_ids`' plans as before: by plan, then by seq.
    let mut out = Vec::new();
    let mut plans: Vec<(&u32, &String)> = plan_ids.iter().collect();
    plans.sort();
    for (no, plan_id) in plans {
        for row in rows
            .iter()
            .filter(|row| get_str(row, "plan_id") == *plan_id)
        {
            debug_assert_eq!(no_of.get(plan_id.as_str()), Some(no));
            let id = get_str(row, "id");
            let none = Vec::new();
            let mine = assigned.get(&id).unwrap_or(&none);
            let units = |role: &str| {
                mine.iter()
                    .filter(|(r, _)| r == role)
                    .map(|(_, u)| u.clone())
                    .collect()
            };
            out.push(OldTask {
                title: get_str(row, "title"),
                snapshot: TaskSnapshot {
                    plan: *no,
                    key: get_str(row, "task_key"),
                    title: get_str(row, "title"),
                    text: duban_plan::assign::strip_assignments(&get_str(row, "body")),
                    leads: units("lead"),
                    cos: units("co"),
                },
                id,
            });
        }
    }
    Ok(out)
}

/// A task's assignments: the old ones (of an existing task) are retired
/// now, the new ones queued as upserts (a retired one comes back).
#[allow(clippy::too_many_arguments)]
async fn write_assignments(
    tx: &mut Transaction<'static, Any>,
    w: &mut Writes,
    r: &str,
    task_id: &str,
    existing: bool,
    t: &Task,
    unit_ids: &HashMap<String, String>,
    at: &str,
) -> Result<()> {
    if existing {
        sqlx::query("UPDATE assignments SET deleted_at = $1 WHERE region_id = $2 AND task_id = $3 AND deleted_at IS NULL")
            .bind(at)
            .bind(r)
            .bind(task_id)
            .execute(&mut **tx)
            .await?;
    }
    let roles = t
        .lead_units
        .iter()
        .map(|u| (u, "lead", t.lead_inferred))
        .chain(t.co_units.iter().map(|u| (u, "co", false)));
    for (position, (name, role, inferred)) in roles.enumerate() {
        if let Some(unit_id) = unit_ids.get(name) {
            w.assignments.push_keyed(
                format!("{task_id}|{unit_id}|{role}"),
                vec![
                    r.into(),
                    task_id.into(),
                    unit_id.into(),
                    role.into(),
                    (inferred as i64).into(),
                    (position as i64).into(),
                    at.into(),
                ],
            );
        }
    }
    Ok(())
}

/// The plan's tasks as the diff sees them, with units as ids (names the
/// map lacks are left out, as the import leaves them unassigned).
pub(crate) fn snapshots(plan: &Plan, unit_ids: &HashMap<String, String>) -> Vec<TaskSnapshot> {
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    plan.tasks
        .iter()
        .map(|t| {
            let base = format!("{}|{}", t.plan, t.path.join("|"));
            let n = occurrences.entry(base).or_insert(0);
            *n += 1;
            let ids = |names: &[String]| {
                names
                    .iter()
                    .filter_map(|n| unit_ids.get(n).cloned())
                    .collect()
            };
            TaskSnapshot {
                plan: t.plan,
                key: task_key(t, *n - 1),
                title: t.title.clone(),
                text: duban_plan::assign::strip_assignments(&t.text),
                leads: ids(&t.lead_units),
                cos: ids(&t.co_units),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn import_tasks(
    tx: &mut Transaction<'static, Any>,
    w: &mut Writes,
    r: &str,
    plan: &Plan,
    plan_ids: &HashMap<u32, String>,
    unit_ids: &HashMap<String, String>,
    actor: &str,
    at: &str,
    report: &mut ImportReport,
) -> Result<Vec<String>> {
    let old = old_tasks(tx, r, plan_ids).await?;
    let new = snapshots(plan, unit_ids);
    let old_snaps: Vec<TaskSnapshot> = old.iter().map(|o| o.snapshot.clone()).collect();
    let mut task_ids = vec![String::new(); plan.tasks.len()];
    for change in diff(&old_snaps, &new) {
        match (change.old, change.new) {
            (None, Some(j)) => {
                let t = &plan.tasks[j];
                let id = new_id();
                let (due_date, ongoing) = due(t);
                w.tasks.push(vec![
                    r.into(),
                    (&id).into(),
                    (&plan_ids[&t.plan]).into(),
                    (&new[j].key).into(),
                    (j as i64).into(),
                    serde_json::to_string(&t.path).unwrap_or_default().into(),
                    (&t.title).into(),
                    (&t.text).into(),
                    (t.lead_inferred as i64).into(),
                    serde_json::to_string(&t.deadlines)
                        .unwrap_or_default()
                        .into(),
                    due_date.into(),
                    (ongoing as i64).into(),
                    (t.line as i64).into(),
                    at.into(),
                    at.into(),
                ]);
                write_assignments(tx, w, r, &id, false, t, unit_ids, at).await?;
                w.audit.push(
                    r,
                    actor,
                    "task.create",
                    "task",
                    &id,
                    None,
                    Some(json!({ "title": t.title, "leads": t.lead_units, "cos": t.co_units })),
                );
                if !old.is_empty() {
                    report.added += 1;
                    report.changes.push(TaskChange {
                        kind: ChangeKind::Added,
                        task_id: id.clone(),
                        title: t.title.clone(),
                    });
                }
                task_ids[j] = id;
            }
            (Some(i), Some(j)) => {
                let (t, o) = (&plan.tasks[j], &old[i]);
                let (due_date, ongoing) = due(t);
                sqlx::query(
                    "UPDATE tasks SET plan_id = $1, task_key = $2, seq = $3, path = $4, title = $5, body = $6, lead_inferred = $7, \
                     deadlines = $8, due_date = $9, ongoing = $10, line = $11, updated_at = $12 WHERE region_id = $13 AND id = $14",
                )
                .bind(&plan_ids[&t.plan])
                .bind(&new[j].key)
                .bind(j as i64)
                .bind(serde_json::to_string(&t.path).unwrap_or_default())
                .bind(&t.title)
                .bind(&t.text)
                .bind(t.lead_inferred as i64)
                .bind(serde_json::to_string(&t.deadlines).unwrap_or_default())
                .bind(due_date)
                .bind(ongoing as i64)
                .bind(t.line as i64)
                .bind(at)
                .bind(r)
                .bind(&o.id)
                .execute(&mut **tx)
                .await?;
                let reworded = matches!(
                    change.kind,
                    ChangeKind::Reworded | ChangeKind::RewordedAndReassigned
                );
                let reassigned = matches!(
                    change.kind,
                    ChangeKind::Reassigned | ChangeKind::RewordedAndReassigned
                );
                if reworded {
                    report.reworded += 1;
                    w.audit.push(
                        r,
                        actor,
                        "task.reword",
                        "task",
                        &o.id,
                        Some(json!({ "title": o.title, "text": o.snapshot.text })),
                        Some(json!({ "title": t.title, "text": t.text })),
                    );
                }
                if reassigned {
                    report.reassigned += 1;
                    write_assignments(tx, w, r, &o.id, true, t, unit_ids, at).await?;
                    w.audit.push(
                        r,
                        actor,
                        "task.reassign",
                        "task",
                        &o.id,
                        Some(json!({ "leads": o.snapshot.leads, "cos": o.snapshot.cos })),
                        Some(json!({ "leads": t.lead_units, "cos": t.co_units })),
                    );
                }
                if change.kind != ChangeKind::Unchanged {
                    report.changes.push(TaskChange {
                        kind: change.kind,
                        task_id: o.id.clone(),
                        title: t.title.clone(),
                    });
                }
                task_ids[j] = o.id.clone();
            }
            (Some(i), None) => {
                let o = &old[i];
                sqlx::query("UPDATE tasks SET deleted_at = $1, updated_at = $2 WHERE region_id = $3 AND id = $4")
                    .bind(at)
                    .bind(at)
                    .bind(r)
                    .bind(&o.id)
                    .execute(&mut **tx)
                    .await?;
                w.audit.push(
                    r,
                    actor,
                    "task.remove",
                    "task",
                    &o.id,
                    Some(json!({ "title": o.title, "text": o.snapshot.text })),
                    None,
                );
                report.removed += 1;
                report.changes.push(TaskChange {
                    kind: ChangeKind::Removed,
                    task_id: o.id.clone(),
                    title: o.title.clone(),
                });
            }
            (None, None) => {}
        }
    }
    Ok(task_ids)
}

#[allow(clippy::too_many_arguments)]
async fn import_targets(
    tx: &mut Transaction<'static, Any>,
    w: &mut Writes,
    r: &str,
    plan: &Plan,
    plan_ids: &HashMap<u32, String>,
    task_ids: &[String],
    actor: &str,
    at: &str,
) -> Result<usize> {
    // Targets of the same plan, task, metric and unit keep their id.
    let task_index: HashMap<&str, usize> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let rows = sqlx::query("SELECT id, plan_id, task_id, metric, unit, comparator, value, value_max, text FROM targets WHERE region_id = $1 AND deleted_at IS NULL ORDER BY created_at, id")
        .bind(r)
        .fetch_all(&mut **tx)
        .await?;
    let mut old = Vec::new();
    for plan_id in plan_ids.values() {
        old.extend(
            rows.iter()
                .filter(|row| get_str(row, "plan_id") == *plan_id)
                .cloned(),
        );
    }
    let mut taken = vec![false; old.len()];
    for t in &plan.targets {
        let plan_id = &plan_ids[&t.plan];
        let task_id = t
            .task
            .as_deref()
            .and_then(|k| task_index.get(k))
            .map(|&i| task_ids[i].clone());
        let same = (0..old.len()).find(|&i| {
            !taken[i]
                && get_str(&old[i], "plan_id") == *plan_id
                && get_opt_str(&old[i], "task_id") == task_id
                && get_str(&old[i], "metric") == t.metric
                && get_str(&old[i], "unit") == t.unit
        });
        let comparator = serde_json::to_value(t.comparator)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let kind = serde_json::to_value(t.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        match same {
            Some(i) => {
                taken[i] = true;
                let old_value = crate::get_opt_f64(&old[i], "value");
                if old_value != Some(t.value)
                    || get_str(&old[i], "comparator") != comparator
                    || crate::get_opt_f64(&old[i], "value_max") != t.value_max
                {
                    let id = get_str(&old[i], "id");
                    sqlx::query("UPDATE targets SET text = $1, kind = $2, comparator = $3, value = $4, value_max = $5 WHERE region_id = $6 AND id = $7")
                        .bind(&t.text)
                        .bind(&kind)
                        .bind(&comparator)
                        .bind(t.value)
                        .bind(t.value_max)
                        .bind(r)
                        .bind(&id)
                        .persistent(false)
                        .execute(&mut **tx)
                        .await?;
                    w.audit.push(r, actor, "target.update", "target", &id, Some(json!({ "value": old_value, "comparator": get_str(&old[i], "comparator") })), Some(json!({ "value": t.value, "comparator": comparator })));
                }
            }
            None => {
                w.targets.push(vec![
                    r.into(),
                    new_id().into(),
                    plan_id.into(),
                    task_id.into(),
                    (&t.text).into(),
                    (&t.metric).into(),
                    kind.into(),
                    comparator.into(),
                    t.value.into(),
                    t.value_max.into(),
                    (&t.unit).into(),
                    at.into(),
                ]);
            }
        }
    }
    for (_, row) in old.iter().enumerate().filter(|(i, _)| !taken[*i]) {
        let id = get_str(row, "id");
        sqlx::query("UPDATE targets SET deleted_at = $1 WHERE region_id = $2 AND id = $3")
            .bind(at)
            .bind(r)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
        w.audit.push(
            r,
            actor,
            "target.remove",
            "target",
            &id,
            Some(json!({ "metric": get_str(row, "metric"), "text": get_str(row, "text") })),
            None,
        );
    }
    Ok(plan.targets.len())
}

#[allow(clippy::too_many_arguments)]
async fn import_task_forces(
    tx: &mut Transaction<'static, Any>,
    w: &mut Writes,
    r: &str,
    plan: &Plan,
    plan_ids: &HashMap<u32, String>,
    unit_ids: &HashMap<String, String>,
    actor: &str,
    at: &str,
) -> Result<usize> {
    let rows = sqlx::query(
        "SELECT id, plan_id, name FROM task_forces WHERE region_id = $1 AND deleted_at IS NULL",
    )
    .bind(r)
    .fetch_all(&mut **tx)
    .await?;
    // (plan, name) → id, with the ones this import creates.
    let mut known: HashMap<(String, String), String> = rows
        .iter()
        .map(|row| {
            (
                (get_str(row, "plan_id"), get_str(row, "name")),
                get_str(row, "id"),
            )
        })
        .collect();
    let mut created: std::collections::HashSet<String> = Default::default();
    for tf in &plan.task_forces {
        let plan_id = &plan_ids[&tf.plan];
        let office = tf.office.as_ref().and_then(|o| unit_ids.get(o)).cloned();
        let existing = known.get(&(plan_id.clone(), tf.name.clone())).cloned();
        let deputies = serde_json::to_string(&tf.deputy_conveners).unwrap_or_default();
        let id = match existing {
            // Named twice in this plan: the first one stands.
            Some(id) if created.contains(&id) => id,
            Some(id) => {
                sqlx::query("UPDATE task_forces SET convener = $1, deputies = $2, office_unit_id = $3 WHERE region_id = $4 AND id = $5")
                    .bind(&tf.convener)
                    .bind(&deputies)
                    .bind(&office)
                    .bind(r)
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
                id
            }
            None => {
                let id = new_id();
                w.task_forces.push(vec![
                    r.into(),
                    (&id).into(),
                    plan_id.into(),
                    (&tf.name).into(),
                    tf.convener.clone().into(),
                    (&deputies).into(),
                    office.clone().into(),
                    at.into(),
                ]);
                w.audit.push(
                    r,
                    actor,
                    "task_force.create",
                    "task_force",
                    &id,
                    None,
                    Some(json!({ "name": tf.name, "office": tf.office })),
                );
                known.insert((plan_id.clone(), tf.name.clone()), id.clone());
                created.insert(id.clone());
                id
            }
        };
        for member in &tf.members {
            if let Some(unit_id) = unit_ids.get(member) {
                w.members.push_keyed(
                    format!("{id}|{unit_id}"),
                    vec![r.into(), (&id).into(), unit_id.into()],
                );
            }
        }
    }
    Ok(plan.task_forces.len())
}

/// What an import writes at its end: new rows per table, in the order
/// their foreign keys need, and the audit entries.
struct Writes {
    units: Rows,
    plans: Rows,
    tasks: Rows,
    assignments: Rows,
    targets: Rows,
    task_forces: Rows,
    members: Rows,
    audit: Audit,
}

impl Writes {
    fn new() -> Writes {
        Writes {
            units: Rows::new("INSERT INTO units (region_id, id, name, kind, review, suggested_unit_id, suggested_confidence, created_at, updated_at)", 9, ""),
            plans: Rows::new("INSERT INTO plans (region_id, id, lineage_id, document_id, no, title, kind, created_at, updated_at)", 9, ""),
            tasks: Rows::new("INSERT INTO tasks (region_id, id, plan_id, task_key, seq, path, title, body, lead_inferred, deadlines, due_date, ongoing, line, created_at, updated_at)", 15, ""),
            assignments: Rows::new(
                "INSERT INTO assignments (region_id, task_id, unit_id, role, inferred, position, created_at)",
                7,
                "ON CONFLICT (region_id, task_id, unit_id, role) DO UPDATE SET deleted_at = NULL, inferred = excluded.inferred, position = excluded.position",
            )
            .keyed(),
            targets: Rows::new("INSERT INTO targets (region_id, id, plan_id, task_id, text, metric, kind, comparator, value, value_max, unit, created_at)", 12, ""),
            task_forces: Rows::new("INSERT INTO task_forces (region_id, id, plan_id, name, convener, deputies, office_unit_id, created_at)", 8, ""),
            members: Rows::new("INSERT INTO task_force_members (region_id, task_force_id, unit_id)", 3, "ON CONFLICT DO NOTHING").keyed(),
            audit: Audit::new(),
        }
    }

    /// A new unit (as `units::resolve_or_create` makes one when nothing
    /// matches): reviewed as new, or with the closest known name suggested.
    fn new_unit(
        &mut self,
        r: &str,
        name: &str,
        kind: &str,
        known: &[(String, String)],
        actor: &str,
    ) -> (String, Resolution) {
        let suggestion = known
            .iter()
            .filter(|(_, other)| other != name)
            .filter_map(|(id, other)| {
                duban_plan::units::alias_confidence(name, other)
                    .or_else(|| duban_plan::units::alias_confidence(other, name))
                    .map(|c| (id.as_str(), c))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let review = if suggestion.is_some() {
            "suggested"
        } else {
            "new"
        };
        let id = new_id();
        let at = now();
        self.units.push(vec![
            r.into(),
            (&id).into(),
            name.into(),
            kind.into(),
            review.into(),
            suggestion.map(|s| s.0).into(),
            suggestion.map(|s| s.1).into(),
            (&at).into(),
            at.into(),
        ]);
        self.audit.push(
            r,
            actor,
            "unit.create",
            "unit",
            &id,
            None,
            Some(json!({ "name": name, "kind": kind, "review": review })),
        );
        let how = if suggestion.is_some() {
            Resolution::Suggested
        } else {
            Resolution::New
        };
        (id, how)
    }

    async fn flush(&mut self, tx: &mut Transaction<'static, Any>, r: &str) -> Result<()> {
        for rows in [
            &mut self.units,
            &mut self.plans,
            &mut self.tasks,
            &mut self.assignments,
            &mut self.targets,
            &mut self.task_forces,
            &mut self.members,
        ] {
            rows.flush(tx).await?;
        }
        self.audit.flush(tx, r).await
    }
}
