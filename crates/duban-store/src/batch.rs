//! Rows written together: multi-row `INSERT … VALUES (…), (…)` statements
//! (issue 12). The import wrote the sample plan in about 2,000 statements,
//! one round trip each: 387 ms on a local PostgreSQL, where the round trip
//! and not the work is the cost. Rows pushed here are sent in one statement
//! per table (chunked under both databases' limits on bound parameters),
//! with plain binds, so the same SQL runs on SQLite and PostgreSQL through
//! sqlx's `Any` driver (which has no array binds for `UNNEST`). SQLite,
//! which has no round trips, keeps one cached statement per row.

use crate::Result;
use sqlx::{Any, Transaction};

/// A bound value.
pub(crate) enum Value {
    Text(Option<String>),
    Int(i64),
    Real(Option<f64>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(Some(s.to_string()))
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(Some(s))
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::Text(Some(s.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Value {
        Value::Text(s)
    }
}
impl From<Option<&str>> for Value {
    fn from(s: Option<&str>) -> Value {
        Value::Text(s.map(str::to_string))
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Value {
        Value::Real(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(Some(v))
    }
}

/// Parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 30_000;

/// The rows of one `INSERT` statement.
pub(crate) struct Rows {
    /// `INSERT INTO t (a, b, c)`
    head: &'static str,
    /// `ON CONFLICT …`, or empty.
    tail: &'static str,
    columns: usize,
    values: Vec<Value>,
    /// A key per row when later rows replace earlier ones of the same key
    /// (an upsert may not touch a row twice in one statement).
    keys: Option<std::collections::HashMap<String, usize>>,
}

impl Rows {
    pub(crate) fn new(head: &'static str, columns: usize, tail: &'static str) -> Rows {
        Rows {
            head,
            tail,
            columns,
            values: Vec::new(),
            keys: None,
        }
    }

    /// Rows whose `key` repeats keep only their last version, as one
    /// upsert after another would.
    pub(crate) fn keyed(mut self) -> Rows {
        self.keys = Some(Default::default());
        self
    }

    pub(crate) fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns);
        self.values.extend(row);
    }

    pub(crate) fn push_keyed(&mut self, key: String, row: Vec<Value>) {
        let row_index = self.len();
        if let Some(keys) = &mut self.keys {
            if let Some(&i) = keys.get(&key) {
                let start = i * self.columns;
                for (slot, v) in self.values[start..start + self.columns].iter_mut().zip(row) {
                    *slot = v;
                }
                return;
            }
            keys.insert(key, row_index);
        }
        self.push(row);
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len() / self.columns
    }

    /// Writes the rows: on PostgreSQL in as few statements as the parameter
    /// limit allows (a round trip each); on SQLite one cached single-row
    /// statement run once per row, because SQLite runs in the process (no
    /// round trips to save) and preparing a large statement used once cost
    /// more than it saved: the sample's import took 144 ms in multi-row
    /// statements against 91 ms row by row (measured side by side,
    /// BENCHMARKS.md).
    pub(crate) async fn flush(&mut self, tx: &mut Transaction<'static, Any>) -> Result<()> {
        let sqlite = tx.backend_name() == "SQLite";
        let per_statement = if sqlite {
            1
        } else {
            (MAX_PARAMS / self.columns).max(1)
        };
        let values = std::mem::take(&mut self.values);
        let mut values = values.into_iter().peekable();
        while values.peek().is_some() {
            let chunk: Vec<Value> = values.by_ref().take(per_statement * self.columns).collect();
            let rows = chunk.len() / self.columns;
            let mut sql = String::with_capacity(self.head.len() + rows * self.columns * 6);
            sql.push_str(self.head);
            sql.push_str(" VALUES ");
            for r in 0..rows {
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for c in 0..self.columns {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    sql.push('$');
                    sql.push_str(&(r * self.columns + c + 1).to_string());
                }
                sql.push(')');
            }
            if !self.tail.is_empty() {
                sql.push(' ');
                sql.push_str(self.tail);
            }
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = match v {
                    Value::Text(t) => q.bind(t),
                    Value::Int(i) => q.bind(i),
                    Value::Real(f) => q.bind(f),
                };
            }
            // Not cached on PostgreSQL: the text differs with the row count,
            // and a NULL number must not fix a parameter's type (see
            // lib.rs). SQLite's single-row text is the same for every row and
            // its types are the values'.
            q.persistent(sqlite).execute(&mut **tx).await?;
        }
        if let Some(keys) = &mut self.keys {
            keys.clear();
        }
        Ok(())
    }
}

/// Audit entries written together, with one version bump at the end.
pub(crate) struct Audit {
    rows: Rows,
    catalog: bool,
}

impl Audit {
    pub(crate) fn new() -> Audit {
        Audit {
            rows: Rows::new(
                "INSERT INTO audit_log (region_id, id, at, actor, action, entity, entity_id, before, after)",
                9,
                "",
            ),
            catalog: false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        region_id: &str,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) {
        self.catalog |= !crate::REPORT_ENTITIES.contains(&entity);
        self.rows.push(vec![
            region_id.into(),
            crate::new_id().into(),
            crate::now().into(),
            actor.into(),
            action.into(),
            entity.into(),
            entity_id.into(),
            before.map(|v| v.to_string()).into(),
            after.map(|v| v.to_string()).into(),
        ]);
    }

    /// Writes the entries and bumps the region's versions once.
    pub(crate) async fn flush(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        region_id: &str,
    ) -> Result<()> {
        if self.rows.len() == 0 {
            return Ok(());
        }
        self.rows.flush(tx).await?;
        crate::bump_versions(tx, region_id, self.catalog).await
    }
}
