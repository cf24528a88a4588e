//! The units registry (单位库): canonical names, aliases, suggested matches
//! for variants, and merges that re-point every assignment.

use crate::{audit, get_opt_f64, get_opt_str, get_str, new_id, now, Result, Store, StoreError};
use duban_core::names::UnitName;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Transaction};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub unit_id: String,
    pub name: String,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub aliases: Vec<String>,
    /// `new` for a unit an import created and nobody reviewed yet.
    pub review: Option<String>,
    pub suggested: Option<Suggestion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeReport {
    pub from: String,
    pub into: String,
    pub assignments_moved: usize,
    pub members_moved: usize,
    pub list_items_moved: usize,
}

/// How a name from a document was resolved against the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    Matched,
    New,
    Suggested,
}

impl Store {
    pub async fn units(&self, region_id: &str) -> Result<Vec<Unit>> {
        Ok(self.units_cached(region_id).await?.as_ref().clone())
    }

    /// The registry, read once per catalog version: every report save
    /// resolves its unit in it.
    pub(crate) async fn units_cached(&self, region_id: &str) -> Result<std::sync::Arc<Vec<Unit>>> {
        let version = self.catalog_version(region_id).await?;
        self.units_cached_at(region_id, version).await
    }

    /// [`Self::units_cached`] at a catalog version the caller has read.
    pub(crate) async fn units_cached_at(
        &self,
        region_id: &str,
        version: i64,
    ) -> Result<std::sync::Arc<Vec<Unit>>> {
        if let Some(units) = self.units.get(region_id, version) {
            return Ok(units);
        }
        let units = self.read_units(region_id).await?;
        Ok(self.units.put(region_id, version, units))
    }

    async fn read_units(&self, region_id: &str) -> Result<Vec<Unit>> {
        let rows = sqlx::query(
            "SELECT id, name, kind, review, suggested_unit_id, suggested_confidence FROM units \
             WHERE region_id = $1 AND deleted_at IS NULL ORDER BY name",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let aliases = sqlx::query(
            "SELECT alias, unit_id FROM unit_aliases WHERE region_id = $1 ORDER BY alias",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        let names: std::collections::HashMap<String, String> = rows
            .iter()
            .map(|r| (get_str(r, "id"), get_str(r, "name")))
            .collect();
        Ok(rows
            .iter()
            .map(|r| {
                let id = get_str(r, "id");
                let suggested = get_opt_str(r, "suggested_unit_id").and_then(|sid| {
                    Some(Suggestion {
                        name: names.get(&sid)?.clone(),
                        unit_id: sid,
                        confidence: get_opt_f64(r, "suggested_confidence").unwrap_or(0.0),
                    })
                });
                Unit {
                    aliases: aliases
                        .iter()
                        .filter(|a| get_str(a, "unit_id") == id)
                        .map(|a| get_str(a, "alias"))
                        .collect(),
                    name: get_str(r, "name"),
                    kind: get_str(r, "kind"),
                    review: get_opt_str(r, "review"),
                    suggested,
                    id,
                }
            })
            .collect())
    }

    /// A unit by id, name or alias.
    pub async fn unit(&self, region_id: &str, key: &str) -> Result<Unit> {
        self.units_cached(region_id)
            .await?
            .iter()
            .find(|u| u.id == key || u.name == key || u.aliases.iter().any(|a| a == key))
            .cloned()
            .ok_or_else(|| StoreError::NotFound(format!("没有单位“{key}”。/ No unit '{key}'.")))
    }

    /// Adds a unit to the registry (reviewed: created by a person).
    pub async fn create_unit(
        &self,
        region_id: &str,
        name: &UnitName,
        kind: &str,
        actor: &str,
    ) -> Result<Unit> {
        if !["department", "town", "resident", "group"].contains(&kind) {
            return Err(StoreError::Invalid(format!(
                "单位类型“{kind}”无效，可选 department、town、resident、group。/ Invalid unit kind '{kind}'."
            )));
        }
        let mut tx = self.begin().await?;
        if resolve(&mut tx, region_id, name.as_str()).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "单位“{name}”已存在（或是已有单位的别名）。/ Unit '{name}' already exists."
            )));
        }
        let id = insert_unit(&mut tx, region_id, name.as_str(), kind, None, None, actor).await?;
        tx.commit().await?;
        self.unit(region_id, &id).await
    }

    /// Makes `alias` another name of the unit.
    pub async fn add_alias(
        &self,
        region_id: &str,
        unit_key: &str,
        alias: &UnitName,
        actor: &str,
    ) -> Result<Unit> {
        let unit = self.unit(region_id, unit_key).await?;
        let mut tx = self.begin().await?;
        if resolve(&mut tx, region_id, alias.as_str()).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "“{alias}”已是一个单位或别名；要合并两个单位请用 duban units merge。/ '{alias}' already names a unit; use `duban units merge`."
            )));
        }
        sqlx::query("INSERT INTO unit_aliases (region_id, alias, unit_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(region_id)
            .bind(alias.as_str())
            .bind(&unit.id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "unit.alias",
            "unit",
            &unit.id,
            None,
            Some(json!({ "alias": alias })),
        )
        .await?;
        tx.commit().await?;
        self.unit(region_id, &unit.id).await
    }

    /// Makes unit `from` an alias of unit `into`: every assignment, task
    /// force membership and list item of `from` moves to `into`; `from` is
    /// soft-deleted and its name (and aliases) resolve to `into` from now on.
    pub async fn merge_units(
        &self,
        region_id: &str,
        from: &str,
        into: &str,
        actor: &str,
    ) -> Result<MergeReport> {
        let from = self.unit(region_id, from).await?;
        let into = self.unit(region_id, into).await?;
        if from.id == into.id {
            return Err(StoreError::Invalid(format!(
                "“{}”和“{}”是同一个单位。/ Both names are the same unit.",
                from.name, into.name
            )));
        }
        let mut tx = self.begin().await?;
        let at = now();
        let rows = sqlx::query(
            "SELECT task_id, role, inferred, position FROM assignments WHERE region_id = $1 AND unit_id = $2 AND deleted_at IS NULL",
        )
        .bind(region_id)
        .bind(&from.id)
        .fetch_all(&mut *tx)
        .await?;
        for r in &rows {
            let (task_id, role) = (get_str(r, "task_id"), get_str(r, "role"));
            sqlx::query("UPDATE assignments SET deleted_at = $1 WHERE region_id = $2 AND task_id = $3 AND unit_id = $4 AND role = $5")
                .bind(&at)
                .bind(region_id)
                .bind(&task_id)
                .bind(&from.id)
                .bind(&role)
                .execute(&mut *tx)
                .await?;
            upsert_assignment(
                &mut tx,
                region_id,
                &task_id,
                &into.id,
                &role,
                crate::get_i64(r, "inferred") != 0,
                crate::get_i64(r, "position"),
                &at,
            )
            .await?;
            audit(
                &mut tx,
                region_id,
                actor,
                "assignment.repoint",
                "task",
                &task_id,
                Some(json!({ "unit": from.name, "role": role })),
                Some(json!({ "unit": into.name, "role": role })),
            )
            .await?;
        }
        let members = sqlx::query(
            "SELECT task_force_id FROM task_force_members WHERE region_id = $1 AND unit_id = $2",
        )
        .bind(region_id)
        .bind(&from.id)
        .fetch_all(&mut *tx)
        .await?;
        for m in &members {
            let tf = get_str(m, "task_force_id");
            sqlx::query("DELETE FROM task_force_members WHERE region_id = $1 AND task_force_id = $2 AND unit_id = $3")
                .bind(region_id)
                .bind(&tf)
                .bind(&from.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO task_force_members (region_id, task_force_id, unit_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(region_id)
            .bind(&tf)
            .bind(&into.id)
            .execute(&mut *tx)
            .await?;
        }
        let moved_items = sqlx::query("UPDATE list_items SET unit_id = $1, updated_at = $2 WHERE region_id = $3 AND unit_id = $4")
            .bind(&into.id)
            .bind(&at)
            .bind(region_id)
            .bind(&from.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("UPDATE task_forces SET office_unit_id = $1 WHERE region_id = $2 AND office_unit_id = $3")
            .bind(&into.id)
            .bind(region_id)
            .bind(&from.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET unit_id = $1 WHERE region_id = $2 AND unit_id = $3")
            .bind(&into.id)
            .bind(region_id)
            .bind(&from.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE unit_aliases SET unit_id = $1 WHERE region_id = $2 AND unit_id = $3")
            .bind(&into.id)
            .bind(region_id)
            .bind(&from.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE units SET deleted_at = $1, updated_at = $2, merged_into = $3 WHERE region_id = $4 AND id = $5")
            .bind(&at)
            .bind(&at)
            .bind(&into.id)
            .bind(region_id)
            .bind(&from.id)
            .execute(&mut *tx)
            .await?;
        // The unit's row keeps its name (unique index), so the alias row
        // is what resolves the old name from now on.
        sqlx::query("INSERT INTO unit_aliases (region_id, alias, unit_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(region_id)
            .bind(&from.name)
            .bind(&into.id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE units SET review = NULL, suggested_unit_id = NULL, suggested_confidence = NULL WHERE region_id = $1 AND suggested_unit_id = $2")
            .bind(region_id)
            .bind(&from.id)
            .execute(&mut *tx)
            .await?;
        let report = MergeReport {
            from: from.name.clone(),
            into: into.name.clone(),
            assignments_moved: rows.len(),
            members_moved: members.len(),
            list_items_moved: moved_items as usize,
        };
        audit(
            &mut tx,
            region_id,
            actor,
            "unit.merge",
            "unit",
            &from.id,
            Some(serde_json::to_value(&from).unwrap_or_default()),
            Some(serde_json::to_value(&report).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}

/// The id of the unit a name refers to: its canonical name or an alias.
pub(crate) async fn resolve(
    tx: &mut Transaction<'static, Any>,
    region_id: &str,
    name: &str,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT id FROM units WHERE region_id = $1 AND name = $2 AND deleted_at IS NULL",
    )
    .bind(region_id)
    .bind(name)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(r) = row {
        return Ok(Some(get_str(&r, "id")));
    }
    let row = sqlx::query("SELECT unit_id FROM unit_aliases WHERE region_id = $1 AND alias = $2")
        .bind(region_id)
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| get_str(&r, "unit_id")))
}

pub(crate) async fn insert_unit(
    tx: &mut Transaction<'static, Any>,
    region_id: &str,
    name: &str,
    kind: &str,
    review: Option<&str>,
    suggestion: Option<(&str, f64)>,
    actor: &str,
) -> Result<String> {
    let id = new_id();
    let at = now();
    sqlx::query(
        "INSERT INTO units (region_id, id, name, kind, review, suggested_unit_id, suggested_confidence, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(region_id)
    .bind(&id)
    .bind(name)
    .bind(kind)
    .bind(review)
    .bind(suggestion.map(|s| s.0))
    .bind(suggestion.map(|s| s.1))
    .bind(&at)
    .bind(&at)
    .persistent(false)
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        region_id,
        actor,
        "unit.create",
        "unit",
        &id,
        None,
        Some(json!({ "name": name, "kind": kind, "review": review })),
    )
    .await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn upsert_assignment(
    tx: &mut Transaction<'static, Any>,
    region_id: &str,
    task_id: &str,
    unit_id: &str,
    role: &str,
    inferred: bool,
    position: i64,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assignments (region_id, task_id, unit_id, role, inferred, position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (region_id, task_id, unit_id, role) DO UPDATE SET deleted_at = NULL, inferred = excluded.inferred, position = excluded.position",
    )
    .bind(region_id)
    .bind(task_id)
    .bind(unit_id)
    .bind(role)
    .bind(inferred as i64)
    .bind(position)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
