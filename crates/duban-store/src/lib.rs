//! duban-store: the ledger (台账) in SQLite or PostgreSQL.
//!
//! One SQL layer for both databases (sqlx's `Any` driver, plain SQL that
//! both accept), in the spirit of miniflux. Every row belongs to a region;
//! nothing is overwritten without an audit entry; deletions are soft.

mod admin;
mod attachments;
mod backup;
mod batch;
mod bulletin_settings;
mod dispatch;
mod history;
mod import;
mod indicators;
mod lists;
mod migrate;
mod pending_imports;
mod publications;
mod queries;
mod regions;
mod reminders;
mod sessions;
mod supervision;
#[cfg(feature = "testing")]
pub mod testing;
mod units;
mod urge;
mod users;

pub use admin::{AuditQuery, Holiday, UserChange};
pub use attachments::{accepted_extensions, sniff, Attachment, MAX_ATTACHMENT_BYTES};
pub use bulletin_settings::BulletinSettings;
pub use dispatch::{
    default_as_of, CampaignSummary, CoordinationInput, CoordinationRequest, Cycle, Evaluation,
    Expected, IndicatorEvaluation, RegionSummary, Report, ReportInput, ReportItem,
    TargetEvaluation, TaskEvaluation,
};
pub use history::LightHistory;
pub use import::{ImportReport, TaskChange};
pub use indicators::{IndicatorInput, IndicatorReport};
pub use lists::{ListItem, NewListItem};
pub use pending_imports::{
    ImportPreview, PendingImport, PreviewChange, RevisionOf, UnitMatch, PENDING_IMPORT_SECS,
};
pub use publications::{Publication, Published};
pub use queries::{AuditEntry, PlanRow, TargetRow, TaskFilter, TaskForceRow, TaskRow, UnitRef};
pub use regions::Region;
pub use reminders::{Notification, Reminder, DUE_SOON_DAYS};
pub use sessions::{
    Session, SignInRefused, MAX_FAILURES, SESSION_ABSOLUTE_SECS, SESSION_IDLE_SECS,
};
pub use supervision::{
    ItemFilter, Listing, NewFinding, NewVisit, ProgressInput, RectificationEvent,
    RectificationItem, Ref, ReviewInput, SupervisionFile, SupervisionMonth, Visit, VisitRecord,
    MAX_SUPERVISION_FILES,
};
pub use units::{MergeReport, Unit};
pub use urge::INBOX;
pub use users::{NewUser, TokenInfo, User, MAX_TOKEN_DAYS};

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
    /// A stored value that does not decode (a date that is not a date, an
    /// unknown status): the ledger was changed outside duban. Answered as
    /// an error for the one request that met it, never a panic that takes
    /// the region or the server down.
    #[error("数据库中的数据有误：{0}。/ Stored data is invalid: {0}.")]
    Corrupt(String),
    /// The database cannot be opened: missing, not a database, corrupted,
    /// read-only, locked or unreachable. The message says which.
    #[error("{0}")]
    Open(String),
}

/// A date read from the database: an error naming the column when it is
/// not a valid date (issue 7, item 4: a stored year that overflowed made
/// every reminder list of its region panic).
pub(crate) fn stored_date(value: &str, what: &str) -> Result<duban_core::dates::Date> {
    duban_core::dates::Date::parse(value)
        .ok_or_else(|| StoreError::Corrupt(format!("{what} = “{value}”")))
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// WAL for concurrent readers; synchronous=FULL so that an acknowledged
/// commit survives a crash of the process (and, where the disk honours
/// flushes, a power loss).
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
];

/// A handle on the ledger database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The region tree, read on every request and changed almost never:
    /// cached, and dropped whenever this process changes a region.
    regions: std::sync::Arc<std::sync::RwLock<Option<Vec<Region>>>>,
    /// Every task of a region with its assignments, by catalog version.
    tasks: std::sync::Arc<VersionCache<Vec<TaskRow>>>,
    /// The unit registry of a region, by catalog version.
    units: std::sync::Arc<VersionCache<Vec<Unit>>>,
    /// Every cycle of a region, by catalog version.
    cycles: std::sync::Arc<VersionCache<Vec<Cycle>>>,
    /// The group-commit writer for report saves (SQLite only), started on
    /// the first save so that it runs on the runtime that saves.
    writer: std::sync::Arc<std::sync::Mutex<Option<dispatch::group::Writer>>>,
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

/// `url` with any password replaced by `***`, for messages: a PostgreSQL
/// URL's password must never reach a terminal or a log (issue 7, item 8).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // The authority ends at the first '/', '?' or '#'; credentials end at
    // its last '@'.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks a SQLite file before any pool is built, so that each way it can
/// be wrong is answered at once with its own message (issue 7, item 9):
/// before, a file that was not a database, a truncated or a read-only one
/// waited for the pool's 30 s timeout and then said "pool timed out".
fn check_sqlite_file(path: &Path, create: bool) -> Result<()> {
    let open_err = |m: String| StoreError::Open(m);
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !create {
                return Err(open_err(format!(
                    "数据库文件 {} 不存在；新台账请先用 duban import 建立，或检查 --db。/ The database file does not exist; create a ledger with `duban import` first, or check --db.",
                    path.display()
                )));
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    open_err(format!(
                        "无法创建数据目录 {}（{e}）。/ Cannot create data directory: {e}",
                        dir.display()
                    ))
                })?;
            }
            // Created readable by its owner only: the ledger holds password
            // hashes and tokens (issue 7, item 8). SQLite gives its -wal and
            // -shm files the same permissions.
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            options.open(path).map_err(|e| {
                open_err(format!(
                    "无法创建数据库文件 {}（{e}）。/ Cannot create the database file: {e}",
                    path.display()
                ))
            })?;
            Ok(())
        }
        Err(e) => Err(open_err(format!(
            "无法读取数据库文件 {}（{e}）。/ Cannot read the database file: {e}",
            path.display()
        ))),
        Ok(m) if m.is_dir() => Err(open_err(format!(
            "{} 是目录，不是数据库文件。/ This is a directory, not a database file.",
            path.display()
        ))),
        Ok(m) if m.len() == 0 => Ok(()),
        Ok(_) => {
            use std::io::Read;
            let mut head = [0u8; 16];
            let read = std::fs::File::open(path)
                .and_then(|mut f| f.read_exact(&mut head))
                .is_ok();
            if !read || &head != SQLITE_MAGIC {
                return Err(open_err(format!(
                    "{} 不是 SQLite 数据库文件。/ This file is not a SQLite database.",
                    path.display()
                )));
            }
            Ok(())
        }
    }
}

/// A precise message for what SQLite said while the file was checked.
fn explain_sqlite_error(path: &str, e: &sqlx::Error) -> StoreError {
    let text = e.to_string();
    let m = if text.contains("malformed") || text.contains("corrupt") {
        format!("数据库文件 {path} 已损坏（{text}），请从备份恢复（duban restore）。/ The database file is corrupted; restore it from a backup.")
    } else if text.contains("readonly") || text.contains("read-only") {
        format!("数据库文件 {path} 或其所在目录只读，无法写入（{text}）。/ The database file or its directory is read-only.")
    } else if text.contains("not a database") {
        format!("{path} 不是 SQLite 数据库文件（{text}）。/ This file is not a SQLite database.")
    } else if text.contains("locked") || text.contains("busy") {
        format!("数据库文件 {path} 被其他程序锁定（{text}）。/ The database file is locked by another program.")
    } else {
        format!("无法打开数据库文件 {path}（{text}）。/ Cannot open the database file.")
    };
    StoreError::Open(m)
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its
    /// schema up to date. `sqlite://PATH` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with(url, true).await
    }

    /// Opens an existing database: a missing SQLite file is an error, not a
    /// new empty ledger (`serve` against a mistyped path used to serve an
    /// empty ledger silently).
    pub async fn open_existing(url: &str) -> Result<Store> {
        Store::open_with(url, false).await
    }

    async fn open_with(url: &str, create: bool) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Invalid(format!(
                "不支持的数据库地址“{}”，请使用 sqlite://文件 或 postgres://…。/ Unsupported database URL; use sqlite://FILE or postgres://…",
                redact_url(url)
            )));
        };
        let (url, path) = match backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path).to_string();
                if path.is_empty() || path == ":memory:" {
                    return Err(StoreError::Invalid(
                        "请给出数据库文件路径。/ Give a database file path.".into(),
                    ));
                }
                check_sqlite_file(Path::new(&path), create)?;
                (format!("sqlite://{path}?mode=rw"), Some(path))
            }
            Backend::Postgres => (url.to_string(), None),
        };
        // One direct connection first: an unreachable server, a corrupted,
        // read-only or locked file fails now, with its own error, instead
        // of after the pool's acquire timeout.
        {
            use sqlx::Connection;
            let mut conn = sqlx::AnyConnection::connect(&url)
                .await
                .map_err(|e| match &path {
                    Some(p) => explain_sqlite_error(p, &e),
                    None => StoreError::Open(format!(
                        "无法连接数据库 {}（{}）。/ Cannot connect to the database.",
                        redact_url(&url),
                        redact_url(&e.to_string())
                    )),
                })?;
            if let Some(p) = &path {
                // The same settings every pooled connection gets, then a
                // quick integrity check (it reads every page: a truncated
                // or damaged file is refused before it is served).
                for pragma in SQLITE_PRAGMAS {
                    sqlx::query(pragma)
                        .execute(&mut conn)
                        .await
                        .map_err(|e| explain_sqlite_error(p, &e))?;
                }
                let row = sqlx::query("PRAGMA quick_check")
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| explain_sqlite_error(p, &e))?;
                let verdict = get_str(&row, "quick_check");
                if verdict != "ok" {
                    let first: String = verdict.lines().take(3).collect::<Vec<_>>().join("; ");
                    return Err(StoreError::Open(format!("数据库文件 {p} 已损坏，未通过完整性检查（{first}），请从备份恢复（duban restore）。/ The database file is corrupted (integrity check failed); restore it from a backup.")));
                }
                // A write, to find a read-only file now (as root, file
                // permissions do not stop SQLite; a read-only mount does).
                sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
                    .execute(&mut conn)
                    .await
                    .map_err(|e| explain_sqlite_error(p, &e))?;
            }
            conn.close().await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(std::time::Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in SQLITE_PRAGMAS {
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
            units: Default::default(),
            cycles: Default::default(),
            writer: Default::default(),
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

/// Appends an audit entry inside the caller's transaction and bumps the
/// region's versions.
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
    audit_entry(
        tx, region_id, actor, action, entity, entity_id, before, after,
    )
    .await?;
    bump_versions(tx, region_id, !REPORT_ENTITIES.contains(&entity)).await
}

/// Appends an audit entry only: for writers that bump the versions once
/// for many entries (the group commit of report saves).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit_entry(
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
    Ok(())
}

/// Audit entities whose writes change only reports: they bump the ledger
/// version but not the catalog version, so the cached tasks, units and
/// cycles that every save is checked against survive a deadline rush.
pub(crate) const REPORT_ENTITIES: &[&str] = &["report"];

/// Bumps the region's ledger version and, for writes that can change its
/// tasks, units or cycles, its catalog version (one statement each).
pub(crate) async fn bump_versions(
    tx: &mut Transaction<'static, Any>,
    region_id: &str,
    catalog: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ledger_versions (region_id, version) VALUES ($1, 1) \
         ON CONFLICT (region_id) DO UPDATE SET version = ledger_versions.version + 1",
    )
    .bind(region_id)
    .execute(&mut **tx)
    .await?;
    if catalog {
        sqlx::query(
            "INSERT INTO catalog_versions (region_id, version) VALUES ($1, 1) \
             ON CONFLICT (region_id) DO UPDATE SET version = catalog_versions.version + 1",
        )
        .bind(region_id)
        .execute(&mut **tx)
        .await?;
    }
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

    /// The region's catalog version: it changes with every write except
    /// report saves and reviews (see [`REPORT_ENTITIES`]).
    pub async fn catalog_version(&self, region_id: &str) -> Result<i64> {
        let row = sqlx::query("SELECT version FROM catalog_versions WHERE region_id = $1")
            .bind(region_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| get_i64(&r, "version")).unwrap_or(0))
    }
}

/// Region id → (version, value): a read model of a region kept while its
/// version (read from the database, so correct across processes) is the
/// same.
pub(crate) struct VersionCache<T>(
    std::sync::Mutex<std::collections::HashMap<String, (i64, std::sync::Arc<T>)>>,
);

impl<T> Default for VersionCache<T> {
    fn default() -> Self {
        VersionCache(Default::default())
    }
}

impl<T> VersionCache<T> {
    pub(crate) fn get(&self, region_id: &str, version: i64) -> Option<std::sync::Arc<T>> {
        let cache = self.0.lock().ok()?;
        let (v, value) = cache.get(region_id)?;
        (*v == version).then(|| value.clone())
    }

    pub(crate) fn put(&self, region_id: &str, version: i64, value: T) -> std::sync::Arc<T> {
        let value = std::sync::Arc::new(value);
        if let Ok(mut cache) = self.0.lock() {
            cache.insert(region_id.to_string(), (version, value.clone()));
        }
        value
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
