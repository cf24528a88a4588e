//! Group commit of report saves on SQLite (issue 12).
//!
//! At a cycle's deadline most units save within the same hour, each save
//! its own request. SQLite has one writer and a durable commit costs an
//! fsync (a few milliseconds on this class of disk), so one transaction per
//! request caps the ledger at a few hundred saves per second however fast
//! the rest is. Here every checked save is queued to one writer task that
//! takes everything waiting, writes each request inside its own savepoint
//! (a conflicting or failing request is rolled back alone, its neighbours
//! are kept), commits the group once (one fsync), and only then answers each
//! request. A request is therefore acknowledged only after the commit that
//! holds it; a crash before that commit loses the whole group, and none of
//! its requests was acknowledged.
//!
//! PostgreSQL keeps a transaction per request (its own WAL already groups
//! concurrent commits); it shares [`write`], one statement per step.

use super::*;
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

/// One report of a save, checked against the ledger before it is queued.
pub(crate) struct Row {
    pub task_id: String,
    pub unit_id: String,
    pub unit: String,
    pub input: ReportInput,
}

/// One request's saves: written all or none.
pub(crate) struct Job {
    pub region_id: String,
    pub cycle_id: String,
    pub due: Date,
    pub today: Date,
    pub actor: String,
    pub rows: Vec<Row>,
}

type Reply = oneshot::Sender<Result<Vec<Report>>>;

/// Largest group: bounds one transaction's length (and so the wait of the
/// last request in it) when thousands are queued.
const MAX_GROUP: usize = 256;

/// Requests waiting for the writer before senders wait in turn.
const QUEUE: usize = 4096;

/// The queue to the writer task; cheap to clone.
#[derive(Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<(Job, Reply)>,
}

/// Committed groups and the requests they held, for this process (the
/// benchmark prints the mean group size; tests check grouping happens).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub groups: std::sync::atomic::AtomicU64,
    pub requests: std::sync::atomic::AtomicU64,
}

pub(crate) static COUNTERS: Counters = Counters {
    groups: std::sync::atomic::AtomicU64::new(0),
    requests: std::sync::atomic::AtomicU64::new(0),
};

impl Writer {
    /// Starts the writer on the current tokio runtime. It ends when every
    /// sender is gone (the last `Store` clone dropped) or its runtime stops.
    pub(crate) fn spawn(pool: AnyPool) -> Writer {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, rx));
        Writer { queue }
    }

    /// Queues a job and waits for the commit of its group. `Err(job)` when
    /// the writer is gone (its runtime stopped): the caller starts another.
    pub(crate) async fn submit(&self, job: Job) -> std::result::Result<Result<Vec<Report>>, Job> {
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((job, _))) = self.queue.send((job, reply)).await {
            return Err(job);
        }
        Ok(answer.await.unwrap_or_else(|_| {
            Err(group_failed(
                "写入任务中断，本次填报未保存。/ The writer stopped; the report was not saved.",
            ))
        }))
    }
}

async fn run(pool: AnyPool, mut rx: mpsc::Receiver<(Job, Reply)>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
        let batch = std::mem::take(&mut group);
        let jobs: Vec<&Job> = batch.iter().map(|(job, _)| job).collect();
        match commit(&pool, &jobs).await {
            Ok(results) => {
                use std::sync::atomic::Ordering::Relaxed;
                COUNTERS.groups.fetch_add(1, Relaxed);
                COUNTERS.requests.fetch_add(results.len() as u64, Relaxed);
                for ((_, reply), result) in batch.into_iter().zip(results) {
                    // A caller that went away (client disconnected) is not
                    // an error: its save is committed, just not acknowledged.
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                let message = e.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(group_failed(&message)));
                }
            }
        }
    }
}

/// The error every request of a group whose commit failed gets (a
/// `sqlx::Error` cannot be cloned; the message is kept).
fn group_failed(message: &str) -> StoreError {
    StoreError::Db(sqlx::Error::Protocol(message.to_string()))
}

/// Writes a group in one transaction, each job in its own savepoint.
/// `Err` only when the transaction itself failed (nothing committed).
async fn commit(pool: &AnyPool, jobs: &[&Job]) -> Result<Vec<Result<Vec<Report>>>> {
    let mut tx = pool.begin().await?;
    // Take the write lock first (as `Store::begin` does).
    sqlx::query("UPDATE regions SET id = id WHERE 1 = 0")
        .execute(&mut *tx)
        .await?;
    // A cycle closed after a request was checked and before its group: the
    // write lock is held, so this answer is final for the group.
    let mut open: HashMap<(&str, &str), bool> = HashMap::new();
    for job in jobs {
        let key = (job.region_id.as_str(), job.cycle_id.as_str());
        if let std::collections::hash_map::Entry::Vacant(slot) = open.entry(key) {
            let row = sqlx::query("SELECT status FROM cycles WHERE region_id = $1 AND id = $2")
                .bind(key.0)
                .bind(key.1)
                .fetch_optional(&mut *tx)
                .await?;
            slot.insert(row.is_some_and(|r| get_str(&r, "status") == "open"));
        }
    }
    let mut results = Vec::with_capacity(jobs.len());
    let mut written: Vec<&str> = Vec::new();
    for job in jobs {
        if !open
            .get(&(job.region_id.as_str(), job.cycle_id.as_str()))
            .copied()
            .unwrap_or(false)
        {
            results.push(Err(StoreError::Conflict(
                "该调度周期已关闭，填报已锁定。/ The cycle is closed; its reports are locked."
                    .into(),
            )));
            continue;
        }
        sqlx::query("SAVEPOINT report_save")
            .execute(&mut *tx)
            .await?;
        match write(&mut tx, job).await {
            Ok(reports) => {
                sqlx::query("RELEASE SAVEPOINT report_save")
                    .execute(&mut *tx)
                    .await?;
                if !written.contains(&job.region_id.as_str()) {
                    written.push(&job.region_id);
                }
                results.push(Ok(reports));
            }
            Err(e) => {
                sqlx::query("ROLLBACK TO SAVEPOINT report_save")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("RELEASE SAVEPOINT report_save")
                    .execute(&mut *tx)
                    .await?;
                results.push(Err(e));
            }
        }
    }
    // One version bump per region and group: readers only need to see
    // that the ledger changed.
    for region_id in written {
        crate::bump_versions(&mut tx, region_id, false).await?;
    }
    tx.commit().await?;
    Ok(results)
}

/// Writes one request's reports inside the caller's transaction: per
/// report, one statement supersedes the current version and returns it
/// (a stale `version` is a 409, and the caller rolls back), one inserts the
/// new version, one its audit entry (plus one per coordination request).
/// The reports are answered from what was written, without a read-back.
pub(crate) async fn write(tx: &mut Transaction<'static, Any>, job: &Job) -> Result<Vec<Report>> {
    let mut saved = Vec::with_capacity(job.rows.len());
    for row in &job.rows {
        let input = &row.input;
        let at = now();
        let current = sqlx::query(
            "UPDATE reports SET superseded_at = $1 WHERE region_id = $2 AND cycle_id = $3 AND task_id = $4 \
             AND unit_id = $5 AND superseded_at IS NULL RETURNING version",
        )
        .bind(&at)
        .bind(&job.region_id)
        .bind(&job.cycle_id)
        .bind(&row.task_id)
        .bind(&row.unit_id)
        .fetch_optional(&mut **tx)
        .await?;
        let current_version = current.as_ref().map(|r| get_i64(r, "version")).unwrap_or(0);
        if input.version != current_version {
            return Err(StoreError::Conflict(format!(
                "该填报已被他人修改（当前第 {current_version} 版，你基于第 {} 版），请刷新后再改。/ The report changed since you opened it (now version {current_version}); reload and edit again.",
                input.version
            )));
        }
        let id = new_id();
        let late = input.submit && job.today > job.due;
        let version = current_version + 1;
        let state = if input.submit { "submitted" } else { "draft" };
        let attachments = serde_json::Value::Array(input.attachments.clone());
        sqlx::query(
            "INSERT INTO reports (region_id, id, cycle_id, task_id, unit_id, version, state, status, completion, current_value, progress, problems, next_steps, attachments, submitted_at, late, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(&job.region_id)
        .bind(&id)
        .bind(&job.cycle_id)
        .bind(&row.task_id)
        .bind(&row.unit_id)
        .bind(version)
        .bind(state)
        .bind(&input.status)
        .bind(input.completion)
        .bind(input.current_value)
        .bind(&input.progress)
        .bind(&input.problems)
        .bind(&input.next_steps)
        .bind(attachments.to_string())
        .bind(input.submit.then(|| at.clone()))
        .bind(late as i64)
        .bind(&job.actor)
        .bind(&at)
        .persistent(false)
        .execute(&mut **tx)
        .await
        .map_err(|e| match &e {
            // Two first saves of one report racing on PostgreSQL: both saw
            // no current version; the unique (…, version) index lets one in
            // and the other is the same 409 as any stale edit.
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(format!(
                "该填报已被他人修改（你基于第 {current_version} 版），请刷新后再改。/ The report changed since you opened it; reload and edit again."
            )),
            _ => StoreError::Db(e),
        })?;
        for c in &input.coordination {
            sqlx::query(
                "INSERT INTO coordination_requests (region_id, id, report_id, task_id, from_unit_id, addressed_to, text, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)",
            )
            .bind(&job.region_id)
            .bind(new_id())
            .bind(&id)
            .bind(&row.task_id)
            .bind(&row.unit_id)
            .bind(c.to.trim())
            .bind(c.text.trim())
            .bind(&at)
            .execute(&mut **tx)
            .await?;
        }
        crate::audit_entry(
            tx,
            &job.region_id,
            &job.actor,
            if input.submit { "report.submit" } else { "report.draft" },
            "report",
            &id,
            None,
            Some(json!({ "cycle": job.cycle_id, "task": row.task_id, "unit": row.unit, "version": version, "completion": input.completion, "late": late })),
        )
        .await?;
        saved.push(Report {
            id,
            cycle_id: job.cycle_id.clone(),
            task_id: row.task_id.clone(),
            unit_id: row.unit_id.clone(),
            unit: row.unit.clone(),
            version,
            state: state.into(),
            status: input.status.clone(),
            completion: input.completion,
            current_value: input.current_value,
            progress: input.progress.clone(),
            problems: input.problems.clone(),
            next_steps: input.next_steps.clone(),
            attachments,
            submitted_at: input.submit.then(|| at.clone()),
            late,
            review_comment: None,
            author: job.actor.clone(),
            created_at: at,
        });
    }
    Ok(saved)
}
