//! Backup and restore of an embedded (SQLite) ledger.
//!
//! A backup is `VACUUM INTO`: SQLite copies the database as one read
//! transaction sees it, so the copy is consistent while the server keeps
//! serving and writing (WAL readers do not block writers). The copy is
//! written to a private temporary file next to the destination, flushed,
//! and renamed into place, so a crash never leaves half a backup under the
//! backup's name. PostgreSQL ledgers are backed up with `pg_dump` (see
//! `docs/schema.md`); `scripts/test` checks that path.

use crate::{check_sqlite_file, explain_sqlite_error, get_str, Backend, Result, Store, StoreError};
use std::path::{Path, PathBuf};

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates an empty file readable by its owner only.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Invalid(format!("{what} {}：{e}。/ {what}: {e}", path.display()))
}

/// Flushes a file's directory entry (the rename) to disk.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

impl Store {
    /// Writes a consistent copy of the ledger to `dest` (which must not
    /// exist), while the ledger stays in use.
    pub async fn backup(&self, dest: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "PostgreSQL 台账请用 pg_dump 备份（见 docs/schema.md）。/ Back up a PostgreSQL ledger with pg_dump (see docs/schema.md).".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Invalid(format!(
                "备份文件 {} 已存在，不会覆盖。/ The backup file exists; it is never overwritten.",
                dest.display()
            )));
        }
        let tmp = sibling(
            dest,
            &format!(".{}.duban-tmp", uuid::Uuid::now_v7().simple()),
        );
        create_private(&tmp).map_err(|e| io("无法创建备份文件", &tmp, e))?;
        let result = async {
            sqlx::query("VACUUM INTO $1")
                .bind(tmp.to_string_lossy().to_string())
                .execute(&self.pool)
                .await?;
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|e| io("无法写入备份文件", &tmp, e))?;
            if dest.exists() {
                return Err(StoreError::Invalid(format!(
                    "备份文件 {} 已存在，不会覆盖。/ The backup file exists; it is never overwritten.",
                    dest.display()
                )));
            }
            std::fs::rename(&tmp, dest).map_err(|e| io("无法写入备份文件", dest, e))?;
            sync_dir(dest);
            Ok(())
        }
        .await;
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Replaces the SQLite ledger at `db_url` with the backup `from`, after
    /// checking that `from` is an intact duban ledger. Refuses to replace
    /// an existing ledger unless `replace`. The server must be stopped:
    /// a running server keeps the old file open.
    pub async fn restore(from: &Path, db_url: &str, replace: bool) -> Result<()> {
        let Some(dest) = db_url
            .strip_prefix("sqlite://")
            .or_else(|| db_url.strip_prefix("sqlite:"))
            .map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)))
        else {
            return Err(StoreError::Invalid(
                "只能恢复到 SQLite 台账；PostgreSQL 请用 pg_restore（见 docs/schema.md）。/ Restore targets a SQLite ledger; use pg_restore for PostgreSQL.".into(),
            ));
        };
        // The backup must be a SQLite file that passes the integrity check
        // and carries duban's schema.
        check_sqlite_file(from, false)?;
        let from_s = from.to_string_lossy().to_string();
        {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{from_s}?mode=ro"))
                .await
                .map_err(|e| explain_sqlite_error(&from_s, &e))?;
            let row = sqlx::query("PRAGMA quick_check")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| explain_sqlite_error(&from_s, &e))?;
            if get_str(&row, "quick_check") != "ok" {
                return Err(StoreError::Open(format!(
                    "备份文件 {from_s} 未通过完整性检查。/ The backup failed its integrity check."
                )));
            }
            let schema = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations")
                .fetch_one(&mut conn)
                .await;
            if schema.is_err() {
                return Err(StoreError::Open(format!(
                    "{from_s} 不是 duban 台账的备份。/ This is not a duban ledger backup."
                )));
            }
            conn.close().await?;
        }
        if dest.exists() && !replace {
            return Err(StoreError::Invalid(format!(
                "台账 {} 已存在；确认要用备份替换它时加 --replace（先停止服务）。/ The ledger exists; add --replace to overwrite it (stop the server first).",
                dest.display()
            )));
        }
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io("无法创建数据目录", dir, e))?;
        }
        let tmp = sibling(
            &dest,
            &format!(".{}.duban-tmp", uuid::Uuid::now_v7().simple()),
        );
        let copy = (|| {
            let mut out = create_private(&tmp)?;
            let mut input = std::fs::File::open(from)?;
            std::io::copy(&mut input, &mut out)?;
            out.sync_all()
        })();
        if let Err(e) = copy {
            let _ = std::fs::remove_file(&tmp);
            return Err(io("无法写入台账", &tmp, e));
        }
        // The old ledger's WAL belongs to the old file: it must not be
        // replayed into the restored one.
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(sibling(&dest, suffix));
        }
        std::fs::rename(&tmp, &dest).map_err(|e| io("无法写入台账", &dest, e))?;
        sync_dir(&dest);
        Ok(())
    }
}
