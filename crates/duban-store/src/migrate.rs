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
    "publications",
    "supervision_settings",
    "visits",
    "rectification_items",
    "rectification_units",
    "rectification_events",
    "supervision_files",
    "bulletin_settings",
];

/// On a PostgreSQL with the `citus` extension (issue 12): distributes the
/// ledger by region. Idempotent (nothing happens once every table has its
/// final form), so it runs after every migration run; on plain PostgreSQL it
/// does nothing. Every primary key, unique index and foreign key of a region
/// table already starts with `region_id` (the schema was laid out for this),
/// so none had to change; see docs/scaling.md.
///
/// Citus cannot distribute a table while others hold foreign keys to it in
/// their undistributed form, and making `regions` a reference table first
/// turns every table that references it into a "Citus local" table. So the
/// foreign keys between the ledger's tables are dropped, the tables
/// distributed, and the same keys (read back from the catalogue) added again
/// — all in one transaction, so a failure leaves the schema as it was.
async fn distribute(store: &Store) -> Result<()> {
    let citus: Option<(i64,)> =
        sqlx::query_as("SELECT CAST(1 AS BIGINT) FROM pg_extension WHERE extname = 'citus'")
            .fetch_optional(&store.pool)
            .await?;
    if citus.is_none() {
        return Ok(());
    }
    let mut tx = store.pool.begin().await?;
    // A table's form: `h…` hash-distributed, `nt` reference, `ns` a Citus
    // local table (in `pg_dist_partition` too, but still to be distributed),
    // empty when Citus does not know it.
    let mut todo = false;
    let mut forms = Vec::new();
    for table in REFERENCE_TABLES.iter().chain(REGION_TABLES) {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT CAST(partmethod AS TEXT) || CAST(repmodel AS TEXT) FROM pg_dist_partition WHERE logicalrelid = CAST($1 AS regclass)",
        )
        .bind(table)
        .fetch_optional(&mut *tx)
        .await?;
        let form = row.map(|(k,)| k).unwrap_or_default();
        let want = if REFERENCE_TABLES.contains(table) {
            "nt"
        } else {
            "h"
        };
        todo |= !form.starts_with(want);
        forms.push((*table, form.starts_with(want)));
    }
    if !todo {
        return Ok(());
    }
    let mut foreign_keys = Vec::new();
    for table in REGION_TABLES {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT CAST(conname AS TEXT), pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = CAST($1 AS regclass)",
        )
        .bind(table)
        .fetch_all(&mut *tx)
        .await?;
        for (name, definition) in rows {
            sqlx::query(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                .execute(&mut *tx)
                .await?;
            foreign_keys.push((*table, name, definition));
        }
    }
    for (table, done) in &forms {
        if *done {
            continue;
        }
        let sql = if REFERENCE_TABLES.contains(table) {
            format!("SELECT create_reference_table('{table}')")
        } else if *table == REGION_TABLES[0] {
            format!(
                "SELECT create_distributed_table('{table}', 'region_id', colocate_with => 'none')"
            )
        } else {
            format!(
                "SELECT create_distributed_table('{table}', 'region_id', colocate_with => '{}')",
                REGION_TABLES[0]
            )
        };
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    for (table, name, definition) in foreign_keys {
        sqlx::query(&format!(
            "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
