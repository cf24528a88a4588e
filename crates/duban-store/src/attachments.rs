//! Files attached to a report (佐证材料): photos, scans, Word and Excel
//! files. Kept in the ledger database so a backup holds everything. The
//! type is decided from the file's first bytes, not from what the browser
//! claims, and only office and image formats are accepted.

use crate::{audit, get_i64, get_str, new_id, now, Result, Store, StoreError};
use serde::Serialize;

/// Largest file accepted: 10 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most files on one report.
pub const MAX_ATTACHMENTS_PER_REPORT: i64 = 20;

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: String,
    pub cycle_id: String,
    pub task_id: String,
    pub unit_id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub author: String,
    pub created_at: String,
}

/// Accepted formats: (extensions, magic bytes at the start, MIME type).
const FORMATS: &[(&[&str], &[u8], &str)] = &[
    (&["pdf"], b"%PDF", "application/pdf"),
    (&["png"], b"\x89PNG", "image/png"),
    (&["jpg", "jpeg"], b"\xFF\xD8\xFF", "image/jpeg"),
    (
        &["docx"],
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        &["xlsx"],
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (&["ofd"], b"PK\x03\x04", "application/ofd"),
    (&["doc"], b"\xD0\xCF\x11\xE0", "application/msword"),
    (&["xls"], b"\xD0\xCF\x11\xE0", "application/vnd.ms-excel"),
];

/// The MIME type of an upload, when its extension and first bytes agree on
/// an accepted format.
pub fn sniff(name: &str, data: &[u8]) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    FORMATS
        .iter()
        .find(|(exts, magic, _)| exts.contains(&ext.as_str()) && data.starts_with(magic))
        .map(|(_, _, mime)| *mime)
}

/// The accepted extensions, for messages and the form's `accept`.
pub fn accepted_extensions() -> Vec<&'static str> {
    FORMATS
        .iter()
        .flat_map(|(e, _, _)| e.iter().copied())
        .collect()
}

pub(crate) fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(120)
        .collect();
    cleaned.trim().to_string()
}

fn row_to_attachment(r: &sqlx::any::AnyRow) -> Attachment {
    Attachment {
        id: get_str(r, "id"),
        cycle_id: get_str(r, "cycle_id"),
        task_id: get_str(r, "task_id"),
        unit_id: get_str(r, "unit_id"),
        name: get_str(r, "name"),
        content_type: get_str(r, "content_type"),
        size: get_i64(r, "size"),
        author: get_str(r, "author"),
        created_at: get_str(r, "created_at"),
    }
}

impl Store {
    /// Stores a file on a unit's report of a task in a cycle. The cycle must
    /// be open; the caller has already been authorised to write the report.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_attachment(
        &self,
        region_id: &str,
        cycle_id: &str,
        task_id: &str,
        unit_id: &str,
        name: &str,
        data: &[u8],
        actor: &str,
    ) -> Result<Attachment> {
        let cycle = self.cycle(region_id, cycle_id).await?;
        if cycle.status == "closed" {
            return Err(StoreError::Conflict(
                "本周期已关闭，不能再上传材料。/ The cycle is closed.".into(),
            ));
        }
        let name = clean_name(name);
        if name.is_empty() || data.is_empty() {
            return Err(StoreError::Invalid(
                "请选择要上传的文件。/ Choose a file to upload.".into(),
            ));
        }
        if data.len() > MAX_ATTACHMENT_BYTES {
            return Err(StoreError::Invalid(format!(
                "文件“{name}”超过 10 MB。/ The file is larger than 10 MB."
            )));
        }
        let Some(content_type) = sniff(&name, data) else {
            return Err(StoreError::Invalid(format!(
                "文件“{name}”的类型不被接受，只接受 {}。/ Only these file types are accepted: {}.",
                accepted_extensions().join("、"),
                accepted_extensions().join(", ")
            )));
        };
        let task = self.task(region_id, task_id).await?;
        let count = sqlx::query(
            "SELECT COUNT(*) AS n FROM attachments WHERE region_id = $1 AND cycle_id = $2 AND task_id = $3 AND unit_id = $4",
        )
        .bind(region_id)
        .bind(&cycle.id)
        .bind(&task.id)
        .bind(unit_id)
        .fetch_one(&self.pool)
        .await?;
        if get_i64(&count, "n") >= MAX_ATTACHMENTS_PER_REPORT {
            return Err(StoreError::Invalid(format!(
                "每份填报最多 {MAX_ATTACHMENTS_PER_REPORT} 个附件。/ At most {MAX_ATTACHMENTS_PER_REPORT} files per report."
            )));
        }
        let a = Attachment {
            id: new_id(),
            cycle_id: cycle.id.clone(),
            task_id: task.id.clone(),
            unit_id: unit_id.to_string(),
            name,
            content_type: content_type.to_string(),
            size: data.len() as i64,
            author: actor.to_string(),
            created_at: now(),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO attachments (region_id, id, cycle_id, task_id, unit_id, name, content_type, size, data, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(region_id)
        .bind(&a.id)
        .bind(&a.cycle_id)
        .bind(&a.task_id)
        .bind(&a.unit_id)
        .bind(&a.name)
        .bind(&a.content_type)
        .bind(a.size)
        .bind(data.to_vec())
        .bind(&a.author)
        .bind(&a.created_at)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            region_id,
            actor,
            "attachment.add",
            "attachment",
            &a.id,
            None,
            serde_json::to_value(&a).ok(),
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// The files on one unit's report of a task in a cycle, oldest first.
    pub async fn attachments(
        &self,
        region_id: &str,
        cycle_id: &str,
        task_id: &str,
        unit_id: &str,
    ) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(
            "SELECT id, cycle_id, task_id, unit_id, name, content_type, size, author, created_at FROM attachments \
             WHERE region_id = $1 AND cycle_id = $2 AND task_id = $3 AND unit_id = $4 ORDER BY created_at, id",
        )
        .bind(region_id)
        .bind(cycle_id)
        .bind(task_id)
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(row_to_attachment).collect())
    }

    /// One file with its bytes.
    pub async fn attachment(&self, region_id: &str, id: &str) -> Result<(Attachment, Vec<u8>)> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT id, cycle_id, task_id, unit_id, name, content_type, size, author, created_at, data FROM attachments \
             WHERE region_id = $1 AND id = $2",
        )
        .bind(region_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("没有这个附件。/ No such attachment.".into()))?;
        let data: Vec<u8> = row.try_get("data").map_err(StoreError::Db)?;
        Ok((row_to_attachment(&row), data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_needs_extension_and_magic_to_agree() {
        let table: &[(&str, &[u8], Option<&str>)] = &[
            ("a.pdf", b"%PDF-1.7", Some("application/pdf")),
            ("照片.JPG", b"\xFF\xD8\xFF\xE0", Some("image/jpeg")),
            ("a.pdf", b"<html>", None),
            ("a.exe", b"%PDF", None),
            ("noext", b"%PDF", None),
            (
                "t.xls",
                b"\xD0\xCF\x11\xE0rest",
                Some("application/vnd.ms-excel"),
            ),
            (
                "t.docx",
                b"PK\x03\x04",
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ),
        ];
        for (name, data, want) in table {
            assert_eq!(sniff(name, data), *want, "{name}");
        }
    }

    #[test]
    fn names_lose_paths_and_markup() {
        assert_eq!(clean_name("C:\\Users\\a\\进展<1>.pdf"), "进展1.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
    }
}
