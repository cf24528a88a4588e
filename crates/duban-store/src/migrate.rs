//! Schema migrations: plain SQL files, embedded, applied in order, each in
//! one transaction, recorded in `schema_migrations`.

use crate::{now, Result, Store};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_ledger.sql")),
    (2, include_str!("../migrations/0002_ledger_versions.sql")),
    (3, include_str!("../migrations/0003_dispatch.sql")),
    (4, include_str!("../migrations/0004_notifications.sql")),
    (5, include_str!("../migrations/0005_indicators.sql")),
    (6, include_str!("../migrations/0006_web.sql")),
    (8, include_str!("../migrations/0008_pending_imports.sql")),
    (10, include_str!("../migrations/0010_plan_year.sql")),
    (11, include_str!("../migrations/0011_accounts.sql")),
    (15, include_str!("../migrations/0015_catalog_versions.sql")),
];

/// Statements of a migration file: `--` comments dropped, split on `;`.
fn statements(sql: &str) -> impl Iterator<Item = String> + '_ {
    let without_comments: String = sql
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

pub async fn run(store: &Store) -> Result<()> {
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
        .execute(&store.pool)
        .await?;
    for (version, sql) in MIGRATIONS {
        let mut tx = store.pool.begin().await?;
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            continue;
        }
        for statement in statements(sql) {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
