//! Test support: a fresh, empty database on every backend.
//!
//! The storage suite runs every test against SQLite and PostgreSQL. The
//! PostgreSQL server comes from `DUBAN_TEST_POSTGRES_URL` (an admin URL;
//! `./scripts/test` starts a private server and sets it). Without it the
//! tests fail with an explanation: they never skip silently.

use crate::Store;

pub const POSTGRES_ENV: &str = "DUBAN_TEST_POSTGRES_URL";

/// A fresh SQLite database file in a new temporary directory.
pub fn fresh_sqlite_url() -> String {
    let dir = std::env::temp_dir().join(format!("duban-test-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    format!("sqlite://{}", dir.join("duban.db").display())
}

/// A fresh database on the test PostgreSQL server.
pub async fn fresh_postgres_url() -> String {
    let admin = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
        panic!(
            "PostgreSQL 测试需要 {POSTGRES_ENV}：请运行 ./scripts/test（会自动启动数据库），或 eval \"$(scripts/postgres)\"。\
             / The PostgreSQL half of the storage suite needs {POSTGRES_ENV}; run ./scripts/test, which starts a server."
        )
    });
    // `DUBAN_TEST_RUN` ([a-z0-9]+) groups one run's databases, so that
    // `scripts/test` drops exactly its own when it ends.
    let run: String = std::env::var("DUBAN_TEST_RUN")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .take(16)
        .collect();
    let name = if run.is_empty() {
        format!("duban_t_{}", uuid::Uuid::now_v7().simple())
    } else {
        format!("duban_t_{run}_{}", uuid::Uuid::now_v7().simple())
    };
    sqlx::any::install_default_drivers();
    let mut admin_conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin_conn)
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    let url = format!("{base}/{name}");
    // On a Citus cluster (`scripts/citus start` sets the workers): the
    // database is made on every worker too, with the extension in each, and
    // the new database knows its coordinator and workers, so that the
    // migrations distribute the ledger over them.
    if let Ok(workers) = std::env::var("DUBAN_CITUS_WORKERS") {
        // One setup at a time across the test processes: concurrent
        // `citus_add_node` calls fail on the workers with "tuple concurrently
        // updated" (they touch the same shared catalogue rows).
        sqlx::query("SELECT pg_advisory_lock(4212)")
            .execute(&mut admin_conn)
            .await
            .expect("citus setup lock");
        let workers: Vec<(String, u16)> = workers
            .split(',')
            .filter(|w| !w.is_empty())
            .map(|w| {
                let (host, port) = w
                    .rsplit_once(':')
                    .expect("DUBAN_CITUS_WORKERS is host:port,…");
                (host.to_string(), port.parse().expect("worker port"))
            })
            .collect();
        let user = admin
            .split("://")
            .nth(1)
            .and_then(|r| r.split_once('@'))
            .map(|(u, _)| u.to_string())
            .unwrap_or_else(|| "postgres".into());
        for (host, port) in &workers {
            let worker_admin = format!("postgres://{user}@{host}:{port}/postgres");
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&worker_admin)
                .await
                .expect("connect to a citus worker");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create the database on a citus worker");
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!(
                "postgres://{user}@{host}:{port}/{name}"
            ))
            .await
            .expect("connect to the new database on a worker");
            sqlx::query("CREATE EXTENSION citus")
                .execute(&mut conn)
                .await
                .expect("citus on a worker");
        }
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .expect("connect to the new database");
        sqlx::query("CREATE EXTENSION citus")
            .execute(&mut conn)
            .await
            .expect("citus on the coordinator");
        let (host, port) = coordinator(&admin);
        sqlx::query(&format!(
            "SELECT citus_set_coordinator_host('{host}', {port})"
        ))
        .execute(&mut conn)
        .await
        .expect("citus coordinator");
        for (host, port) in &workers {
            sqlx::query(&format!("SELECT citus_add_node('{host}', {port})"))
                .execute(&mut conn)
                .await
                .expect("citus worker");
        }
        sqlx::query("SELECT pg_advisory_unlock(4212)")
            .execute(&mut admin_conn)
            .await
            .expect("citus setup unlock");
    }
    url
}

/// Host and port of a `postgres://user@host:port/db` URL.
fn coordinator(url: &str) -> (String, u16) {
    let authority = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or("");
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().unwrap_or(5432)),
        None => (hostport.to_string(), 5432),
    }
}

/// `(backend name, database URL)` of a fresh database on each backend.
pub async fn fresh_urls() -> Vec<(&'static str, String)> {
    vec![
        ("sqlite", fresh_sqlite_url()),
        ("postgres", fresh_postgres_url().await),
    ]
}

/// A fresh store on each backend.
pub async fn fresh_stores() -> Vec<(&'static str, Store)> {
    let mut out = Vec::new();
    for (name, url) in fresh_urls().await {
        out.push((
            name,
            Store::open(&url)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}")),
        ));
    }
    out
}

/// Runs raw SQL on the store's database: for building large benchmark
/// datasets quickly, never for application code.
pub async fn execute_raw(store: &Store, sql: &str) -> u64 {
    sqlx::query(sql)
        .execute(&store.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows_affected()
}

/// The first column of the first row of a raw query, as an integer.
pub async fn query_i64(store: &Store, sql: &str) -> i64 {
    let row = sqlx::query(sql)
        .fetch_one(&store.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    crate::get_i64(&row, "n")
}

/// Every row's column `n`, for a benchmark's report (e.g. the Citus nodes).
pub async fn query_i64s(store: &Store, sql: &str) -> Vec<i64> {
    sqlx::query(sql)
        .fetch_all(&store.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| crate::get_i64(row, "n"))
        .collect()
}

/// A plan text with `n` tasks (a multiple of 10) over 20 units, in the
/// Miluo layout, for benchmarks at scale.
pub fn synthetic_plan(n: usize) -> String {
    let mut s = String::from(
        "某市2025年重点工作实施方案\n\n一、工作目标\n\n全年完成各项任务。\n\n二、重点任务\n\n",
    );
    for section in 0..(n / 10) {
        s.push_str(&format!(
            "（{}）第{}组任务\n\n",
            ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][section % 10],
            section + 1
        ));
        for k in 0..10 {
            let lead = (section * 10 + k) % 20;
            s.push_str(&format!(
                "{}.推进第{}项工作。加快推进相关建设，确保年底前完成。（市测试{lead}局牵头，市测试{}局、市测试{}局按职能分工负责）\n\n",
                k + 1,
                section * 10 + k + 1,
                (lead + 1) % 20,
                (lead + 2) % 20
            ));
        }
    }
    s
}

/// A plain report: in progress at `completion` %.
pub fn report_input(
    version: i64,
    status: &str,
    completion: f64,
    submit: bool,
) -> crate::ReportInput {
    crate::ReportInput {
        version,
        status: status.into(),
        completion,
        current_value: None,
        progress: "按计划推进".into(),
        problems: String::new(),
        next_steps: String::new(),
        coordination: vec![],
        attachments: vec![],
        submit,
    }
}
