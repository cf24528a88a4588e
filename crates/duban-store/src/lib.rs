//! duban-store: the ledger (台账) in SQLite or PostgreSQL.
//!
//! One SQL layer for both databases (sqlx's `Any` driver, plain SQL that
//! both accept), in the spirit of miniflux. Every row belongs to a region;
//! nothing is overwritten without an audit entry; deletions are soft.

mod admin;
mod attachments;
mod dispatch;
mod history;
mod import;
mod indicators;
mod lists;
mod migrate;
mod pending_imports;
mod queries;
mod regions;
mod reminders;
mod sessions;
#[cfg(feature = "testing")]
pub mod testing;
mod units;
mod urge;
mod users;

pub use admin::{AuditQuery, Holiday, UserChange};
pub use attachments::{accepted_extensions, sniff, Attachment, MAX_ATTACHMENT_BYTES};
pub use dispatch::{
    CampaignSummary, CoordinationInput, CoordinationRequest, Cycle, Evaluation, Expected,
    RegionSummary, Report, ReportInput, ReportItem, TaskEvaluation,
};
pub use history::LightHistory;
pub use import::{ImportReport, TaskChange};
pub use indicators::{IndicatorInput, IndicatorReport};
pub use lists::{ListItem, NewListItem};
pub use pending_imports::{
    ImportPreview, PendingImport, PreviewChange, RevisionOf, UnitMatch, PENDING_IMPORT_SECS,
};
pub use queries::{AuditEntry, PlanRow, TargetRow, TaskFilter, TaskForceRow, TaskRow, UnitRef};
pub use regions::Region;
pub use reminders::{Notification, Reminder, DUE_SOON_DAYS};
pub use sessions::{
    Session, SignInRefused, MAX_FAILURES, SESSION_ABSOLUTE_SECS, SESSION_IDLE_SECS,
};
pub use units::{MergeReport, Unit};
pub use urge::INBOX;
pub use users::{NewUser, User};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Transaction};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}。/ Database error: {0}.")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Region id → (ledger version, every current task of the region).
type TaskCache = std::collections::HashMap<String, (i64, std::sync::Arc<Vec<TaskRow>>)>;

/// A handle on the ledger database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The region tree, read on every request and changed almost never:
    /// cached, and dropped whenever this process changes a region.
    regions: std::sync::Arc<std::sync::RwLock<Option<Vec<Region>>>>,
    /// Every task of a region with its assignments, by ledger version.
    tasks: std::sync::Arc<std::sync::Mutex<TaskCache>>,
}

/// The default embedded database: `duban.db` in the data directory
/// (`$DUBAN_DATA_DIR`, else `$XDG_DATA_HOME/duban`, else `~/.local/share/duban`).
pub fn default_database_url() -> String {
    let dir = std::env::var_os("DUBAN_DATA_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("XDG_DATA_HOME").map(|d| Path::new(&d).join("duban")))
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local/share/duban")))
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    format!("sqlite://{}", dir.join("duban.db").display())
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its
    /// schema up to date. `sqlite://PATH` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Invalid(format!(
                "不支持的数据库地址“{url}”，请使用 sqlite://文件 或 postgres://…。/ Unsupported database URL; use sqlite://FILE or postgres://…"
            )));
        };
        let url = match backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if let Some(dir) = Path::new(path)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Invalid(format!(
                            "无法创建数据目录 {}（{e}）。/ Cannot create data directory: {e}",
                            dir.display()
                        ))
                    })?;
                }
                format!("sqlite://{path}?mode=rwc")
            }
            Backend::Postgres => url.to_string(),
        };
        // One direct connection first: an unreachable server fails now, with
        // its own error, instead of after the pool's acquire timeout.
        {
            use sqlx::Connection;
            let conn = sqlx::AnyConnection::connect(&url).await?;
            conn.close().await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL for concurrent readers; synchronous=FULL so that an
                        // acknowledged commit survives a crash or power loss.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let store = Store {
            pool,
            backend,
            regions: Default::default(),
            tasks: Default::default(),
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    async fn begin(&self) -> Result<Transaction<'static, Any>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Sqlite {
            // Take the write lock up front: a read that later upgrades to a
            // write can deadlock with another writer in WAL mode.
            sqlx::query("UPDATE regions SET id = id WHERE 1 = 0")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }
}

// A note on `.persistent(false)`: through sqlx's `Any` driver, a statement
// first prepared on PostgreSQL with a NULL in a numeric parameter keeps a
// parameter type that later non-NULL numbers do not match ("incorrect
// binary data format"). Statements that bind optional numbers are therefore
// not cached; the others are.

/// Now, as a UTC timestamp with milliseconds that sorts as text.
pub(crate) fn now() -> String {
    timestamp(time::OffsetDateTime::now_utc())
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, always with three fraction digits: the text
/// order must be the time order (RFC 3339 formatters drop a zero fraction,
/// and `…:01Z` sorts after `…:01.5Z`).
pub(crate) fn timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A new id: UUIDv7, time-ordered, generated here so that both databases
/// and a future distributed one agree without sequences.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Appends an audit entry inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    tx: &mut Transaction<'static, Any>,
    region_id: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (region_id, id, at, actor, action, entity, entity_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(region_id)
    .bind(new_id())
    .bind(now())
    .bind(actor)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO ledger_versions (region_id, version) VALUES ($1, 1) \
         ON CONFLICT (region_id) DO UPDATE SET version = ledger_versions.version + 1",
    )
    .bind(region_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The region's ledger version: it changes with every write.
    pub async fn ledger_version(&self, region_id: &str) -> Result<i64> {
        let row = sqlx::query("SELECT version FROM ledger_versions WHERE region_id = $1")
            .bind(region_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| get_i64(&r, "version")).unwrap_or(0))
    }
}

pub(crate) fn get_str(row: &AnyRow, col: &str) -> String {
    use sqlx::Row;
    row.try_get::<String, _>(col).unwrap_or_default()
}

pub(crate) fn get_opt_str(row: &AnyRow, col: &str) -> Option<String> {
    use sqlx::Row;
    row.try_get::<Option<String>, _>(col).ok().flatten()
}

pub(crate) fn get_i64(row: &AnyRow, col: &str) -> i64 {
    use sqlx::Row;
    row.try_get::<i64, _>(col).unwrap_or_default()
}

pub(crate) fn get_opt_f64(row: &AnyRow, col: &str) -> Option<f64> {
    use sqlx::Row;
    row.try_get::<Option<f64>, _>(col).ok().flatten()
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_sort_as_text() {
        let t = time::OffsetDateTime::from_unix_timestamp(1_764_000_001).unwrap();
        let later = t + time::Duration::milliseconds(500);
        let (a, b) = (super::timestamp(t), super::timestamp(later));
        assert_eq!(a, "2025-11-24T16:00:01.000Z");
        assert!(a < b, "{a} !< {b}");
    }
}
