//! Plan files uploaded on the admin's import page and waiting for their
//! preview to be confirmed (导入预览), and the dry run that shows what
//! importing a plan would change without writing anything.
//!
//! The upload is kept in the database rather than in a temporary file so
//! that the confirmation imports exactly the bytes that were previewed,
//! whichever server process answers, and a backup never holds a dangling
//! path. Uploads expire after [`PENDING_IMPORT_SECS`].

use crate::import::{old_tasks, snapshots};
use crate::units::resolve;
use crate::{audit, get_i64, get_str, new_id, now, timestamp, Region, Result, Store, StoreError};
use duban_core::diff::{diff, ChangeKind};
use duban_plan::Plan;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// An upload waits a day for its preview to be confirmed or cancelled.
pub const PENDING_IMPORT_SECS: i64 = 24 * 3600;

/// An uploaded plan file waiting for confirmation.
#[derive(Debug, Clone)]
pub struct PendingImport {
    pub id: String,
    pub user: String,
    pub file_name: String,
    pub created_at: String,
    pub data: Vec<u8>,
}

/// One task the import would change, with unit names before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewChange {
    pub kind: ChangeKind,
    pub title: String,
    /// The ledger's title, when it differs (reworded or removed tasks).
    pub old_title: Option<String>,
    pub leads_before: Vec<String>,
    pub cos_before: Vec<String>,
    pub leads_after: Vec<String>,
    pub cos_after: Vec<String>,
}

/// How a unit name of the document meets the units registry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitMatch {
    pub name: String,
    /// `matched` (already in the registry), `new`, or `suggested` (new, and
    /// probably another way of writing a unit already known).
    pub status: &'static str,
    /// The registry's canonical name when the document used an alias.
    pub registered_as: Option<String>,
    /// The unit it probably is, with the confidence (0..1).
    pub suggestion: Option<(String, f64)>,
}

/// The document this upload would revise (same title or document number).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevisionOf {
    pub version: i64,
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub imported_at: String,
}

/// What importing a plan would do, computed without writing.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ImportPreview {
    /// These exact bytes were imported before: importing changes nothing.
    pub already_imported: bool,
    pub revises: Option<RevisionOf>,
    /// Every task that would not stay as it is (only for a revision).
    pub changes: Vec<PreviewChange>,
    pub unchanged: usize,
    pub units: Vec<UnitMatch>,
}

fn ago(secs: i64) -> String {
    timestamp(time::OffsetDateTime::now_utc() - time::Duration::seconds(secs))
}

impl Store {
    /// Keeps an uploaded plan file until it is confirmed or cancelled; sweeps
    /// the uploads that expired. Returns the new upload's id.
    pub async fn save_pending_import(
        &self,
        region_id: &str,
        user: &str,
        file_name: &str,
        data: &[u8],
    ) -> Result<String> {
        if data.is_empty() {
            return Err(StoreError::Invalid("文件为空。/ The file is empty.".into()));
        }
        let id = new_id();
        let file_name: String = file_name.chars().take(200).collect();
        let mut tx = self.begin().await?;
        // The region's own expired uploads only: a sweep of every region
        // would run on every shard of a Citus cluster at each upload.
        sqlx::query("DELETE FROM pending_imports WHERE region_id = $1 AND created_at < $2")
            .bind(region_id)
            .bind(ago(PENDING_IMPORT_SECS))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO pending_imports (region_id, id, user_name, file_name, size, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(region_id)
        .bind(&id)
        .bind(user)
        .bind(&file_name)
        .bind(data.len() as i64)
        .bind(data.to_vec())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            user,
            "import.upload",
            "pending_import",
            &id,
            None,
            Some(json!({ "file": file_name, "size": data.len() })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An upload that has not expired.
    pub async fn pending_import(&self, region_id: &str, id: &str) -> Result<PendingImport> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT id, user_name, file_name, created_at, data FROM pending_imports \
             WHERE region_id = $1 AND id = $2 AND created_at >= $3",
        )
        .bind(region_id)
        .bind(id)
        .bind(ago(PENDING_IMPORT_SECS))
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(
                "没有这份待导入的文件（可能已导入、已取消或超过一天已过期），请重新上传。/ No such pending upload (imported, cancelled or expired); upload the file again.".into(),
            )
        })?;
        Ok(PendingImport {
            id: get_str(&row, "id"),
            user: get_str(&row, "user_name"),
            file_name: get_str(&row, "file_name"),
            created_at: get_str(&row, "created_at"),
            data: row.try_get("data").map_err(StoreError::Db)?,
        })
    }

    /// Drops an upload the admin cancelled (audited as `import.cancel`).
    pub async fn cancel_pending_import(
        &self,
        region_id: &str,
        id: &str,
        actor: &str,
    ) -> Result<()> {
        self.drop_pending_import(region_id, id, "import.cancel", None, actor)
            .await
    }

    /// Drops an upload once its import is done, recording what the admin
    /// confirmed (the corrections made on the preview) as `import.confirm`.
    pub async fn confirm_pending_import(
        &self,
        region_id: &str,
        id: &str,
        confirmed: serde_json::Value,
        actor: &str,
    ) -> Result<()> {
        self.drop_pending_import(region_id, id, "import.confirm", Some(confirmed), actor)
            .await
    }

    async fn drop_pending_import(
        &self,
        region_id: &str,
        id: &str,
        action: &str,
        after: Option<serde_json::Value>,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let gone = sqlx::query("DELETE FROM pending_imports WHERE region_id = $1 AND id = $2")
            .bind(region_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound(
                "没有这份待导入的文件（可能已导入或已取消）。/ No such pending upload.".into(),
            ));
        }
        audit(
            &mut tx,
            region_id,
            actor,
            action,
            "pending_import",
            id,
            None,
            after,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What [`Store::import`] would do with this plan, without writing: the
    /// document it would revise, every task it would add, remove, reword or
    /// reassign (the same diff as the import), and how its unit names meet
    /// the registry.
    pub async fn import_preview(&self, region: &Region, plan: &Plan) -> Result<ImportPreview> {
        let r = region.id.as_str();
        // A plain read transaction (never committed): one consistent view.
        let mut tx = self.pool.begin().await?;
        let mut preview = ImportPreview::default();
        let seen = sqlx::query("SELECT id FROM documents WHERE region_id = $1 AND sha256 = $2")
            .bind(r)
            .bind(&plan.source.sha256)
            .fetch_optional(&mut *tx)
            .await?;
        preview.already_imported = seen.is_some();

        let all_units = sqlx::query("SELECT id, name, deleted_at FROM units WHERE region_id = $1")
            .bind(r)
            .fetch_all(&mut *tx)
            .await?;
        let unit_names: HashMap<String, String> = all_units
            .iter()
            .map(|u| (get_str(u, "id"), get_str(u, "name")))
            .collect();
        let live: Vec<(String, String)> = all_units
            .iter()
            .filter(|u| crate::get_opt_str(u, "deleted_at").is_none())
            .map(|u| (get_str(u, "id"), get_str(u, "name")))
            .collect();
        // Names the registry does not know get a placeholder id: no task of
        // the ledger can point at it, exactly as with the id the import
        // would create.
        let mut unit_ids = HashMap::new();
        for u in &plan.units {
            let resolved = resolve(&mut tx, r, &u.name).await?;
            let suggestion = match &resolved {
                Some(_) => None,
                None => live
                    .iter()
                    .filter(|(_, other)| *other != u.name)
                    .filter_map(|(_, other)| {
                        duban_plan::units::alias_confidence(&u.name, other)
                            .or_else(|| duban_plan::units::alias_confidence(other, &u.name))
                            .map(|c| (other.clone(), c))
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .or_else(|| {
                        u.suspected_alias_of
                            .as_ref()
                            .map(|s| (s.name.clone(), s.confidence))
                    }),
            };
            preview.units.push(UnitMatch {
                name: u.name.clone(),
                status: match (&resolved, &suggestion) {
                    (Some(_), _) => "matched",
                    (None, Some(_)) => "suggested",
                    (None, None) => "new",
                },
                registered_as: resolved
                    .as_ref()
                    .and_then(|id| unit_names.get(id))
                    .filter(|n| **n != u.name)
                    .cloned(),
                suggestion,
            });
            unit_ids.insert(
                u.name.clone(),
                resolved.unwrap_or_else(|| format!("new:{}", u.name)),
            );
        }

        let previous = sqlx::query(
            "SELECT lineage_id, version, title, doc_number, imported_at FROM documents WHERE region_id = $1 \
             AND superseded_at IS NULL AND (title = $2 OR doc_number = $3) ORDER BY version DESC",
        )
        .bind(r)
        .bind(&plan.document.title)
        .bind(&plan.document.doc_number)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(previous) = previous else {
            return Ok(preview);
        };
        preview.revises = Some(RevisionOf {
            version: get_i64(&previous, "version"),
            title: crate::get_opt_str(&previous, "title"),
            doc_number: crate::get_opt_str(&previous, "doc_number"),
            imported_at: get_str(&previous, "imported_at"),
        });
        // The plans the import would reuse: same lineage, same number.
        let rows = sqlx::query("SELECT id, no FROM plans WHERE region_id = $1 AND lineage_id = $2")
            .bind(r)
            .bind(get_str(&previous, "lineage_id"))
            .fetch_all(&mut *tx)
            .await?;
        let plan_ids: HashMap<u32, String> = rows
            .iter()
            .filter_map(|row| {
                let no = u32::try_from(get_i64(row, "no")).ok()?;
                plan.plans
                    .iter()
                    .any(|p| p.no == no)
                    .then(|| (no, get_str(row, "id")))
            })
            .collect();
        let old = old_tasks(&mut tx, r, &plan_ids).await?;
        let new = snapshots(plan, &unit_ids);
        let old_snaps: Vec<_> = old.iter().map(|o| o.snapshot.clone()).collect();
        let names = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .map(|id| unit_names.get(id).cloned().unwrap_or_else(|| id.clone()))
                .collect()
        };
        for change in diff(&old_snaps, &new) {
            if change.kind == ChangeKind::Unchanged {
                preview.unchanged += 1;
                continue;
            }
            let before = change.old.map(|i| &old[i]);
            let after = change.new.map(|j| &plan.tasks[j]);
            let title = after
                .map(|t| t.title.clone())
                .or_else(|| before.map(|o| o.title.clone()))
                .unwrap_or_default();
            preview.changes.push(PreviewChange {
                kind: change.kind,
                old_title: before.map(|o| o.title.clone()).filter(|t| *t != title),
                title,
                leads_before: before.map(|o| names(&o.snapshot.leads)).unwrap_or_default(),
                cos_before: before.map(|o| names(&o.snapshot.cos)).unwrap_or_default(),
                leads_after: after.map(|t| t.lead_units.clone()).unwrap_or_default(),
                cos_after: after.map(|t| t.co_units.clone()).unwrap_or_default(),
            });
        }
        Ok(preview)
    }
}
