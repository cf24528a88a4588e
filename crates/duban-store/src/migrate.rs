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
    (13, include_str!("../migrations/0013_publications.sql")),
    (14, include_str!("../migrations/0014_supervision.sql")),
    (15, include_str!("../migrations/0015_catalog_versions.sql")),
    (16, include_str!("../migrations/0016_bulletin_settings.sql")),
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
    if store.backend == crate::Backend::Postgres {
        distribute(store).await?;
    }
    Ok(())
}

/// Rows shared by every region (sign-in, the region tree): Citus reference
/// tables, a copy on every node, so that a region's shard can join them
/// locally. `schema_migrations` stays a local table of the coordinator.
const REFERENCE_TABLES: &[&str] = &["regions", "users", "tokens", "sessions", "login_failures"];

/// Every table keyed by `region_id`, distributed by it and co-located with
/// `units` (all of one region's rows on one shard group, so every request,
/// which names its region, runs on one node). In foreign-key order: a table
/// is distributed after the tables it references.
const REGION_TABLES: &[&str] = &[
    "units",
    "unit_aliases",
    "documents",
    "plans",
    "tasks",
    "assignments",
    "targets",
    "task_forces",
    "task_force_members",
    "list_items",
    "audit_log",
    "ledger_versions",
    "catalog_versions",
    "plan_settings",
    "holidays",
    "cycles",
    "reports",
    "coordination_requests",
    "task_lights",
    "notifications",
    "indicator_reports",
    "attachments",
    "pending_imports",
];

/// On a PostgreSQL with the `citus` extension (issue 12): distributes the
/// ledger by region. Idempotent (a table already distributed is skipped),
/// so it runs after every migration run; on plain PostgreSQL it does
/// nothing. Every primary key and unique index of a region table already
/// starts with `region_id` (the schema was laid out for this), so none had
/// to change; see docs/scaling.md.
async fn distribute(store: &Store) -> Result<()> {
    let citus: Option<(i64,)> =
        sqlx::query_as("SELECT CAST(1 AS BIGINT) FROM pg_extension WHERE extname = 'citus'")
            .fetch_optional(&store.pool)
            .await?;
    if citus.is_none() {
        return Ok(());
    }
    let done = |table: &'static str| async move {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT CAST(1 AS BIGINT) FROM pg_dist_partition WHERE logicalrelid = CAST($1 AS regclass)",
        )
        .bind(table)
        .fetch_optional(&store.pool)
        .await?;
        Ok::<bool, crate::StoreError>(row.is_some())
    };
    for table in REFERENCE_TABLES {
        if !done(table).await? {
            sqlx::query(&format!("SELECT create_reference_table('{table}')"))
                .execute(&store.pool)
                .await?;
        }
    }
    for (i, table) in REGION_TABLES.iter().enumerate() {
        if !done(table).await? {
            let colocate = if i == 0 { "none" } else { REGION_TABLES[0] };
            sqlx::query(&format!(
                "SELECT create_distributed_table('{table}', 'region_id', colocate_with => '{colocate}')"
            ))
            .execute(&store.pool)
            .await?;
        }
    }
    Ok(())
}
