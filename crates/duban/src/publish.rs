//! `duban publish`: 信息公开 from the command line — publish a closed
//! cycle on the public page, withdraw it, or list what was published.
//!
//! Thin on purpose: the rules (only a closed cycle, once at a time, every
//! publish and withdraw audited) live in `duban_store::Store::publish` and
//! `withdraw`, the same calls the page and the API make, so the command
//! cannot drift from them. A running server notices within a second (its
//! public page re-reads the published set's version), so no restart.

use crate::ledger::{actor, open, store_failure};
use crate::{Failure, EXIT_REFUSED};
use duban_store::{Cycle, Publication, Store, StoreError};

/// What `duban publish` was asked to do.
pub enum Act<'a> {
    Publish(&'a str),
    Withdraw(&'a str),
    List,
}

/// A refusal by the publishing rules (the API's 409 `conflict`) gets its
/// own exit code, so that a script can tell "not allowed now" (a cycle
/// still open, already published, not published) from a typo (exit 2: no
/// such region or cycle, the API's 404 `not_found`).
fn failure(e: StoreError) -> Failure {
    match e {
        StoreError::Conflict(m) => (EXIT_REFUSED, format!("错误 / error: {m}")),
        other => store_failure(other),
    }
}

pub async fn run(db: &str, region: &str, what: Act<'_>) -> Result<(), Failure> {
    let store = open(db).await?;
    let region = store.region(region).await.map_err(store_failure)?;
    match what {
        Act::Publish(cycle) => {
            let c = store.cycle(&region.id, cycle).await.map_err(failure)?;
            store
                .publish(&region.id, cycle, &actor())
                .await
                .map_err(failure)?;
            say!(
                "已发布：攻坚 {} 第 {} 期（{}）已在信息公开页 /public/{} 公开。/ Published: campaign {} cycle {} is on the public page.",
                c.plan, c.seq, c.id, region.name, c.plan, c.seq
            );
        }
        Act::Withdraw(cycle) => {
            let c = store.cycle(&region.id, cycle).await.map_err(failure)?;
            store
                .withdraw(&region.id, cycle, &actor())
                .await
                .map_err(failure)?;
            say!(
                "已撤回：攻坚 {} 第 {} 期（{}）不再在信息公开页显示。/ Withdrawn: campaign {} cycle {} is off the public page.",
                c.plan, c.seq, c.id, c.plan, c.seq
            );
        }
        Act::List => list(&store, &region.id).await?,
    }
    Ok(())
}

/// The publications, newest first, then the closed cycles that could be
/// published, newest first (the ids a clerk needs for `--cycle`: the CLI has no other
/// way to see them).
async fn list(store: &Store, region_id: &str) -> Result<(), Failure> {
    let publications = store.publications(region_id).await.map_err(failure)?;
    let cycles = store.cycles(region_id, None).await.map_err(failure)?;
    let seq = |id: &str| {
        cycles
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| "?".to_string(), |c| c.seq.to_string())
    };
    say!("发布记录 / publications:");
    if publications.is_empty() {
        say!("  （无 / none）");
    }
    for p in &publications {
        say!("  {}", publication_line(p, &seq(&p.cycle_id)));
    }
    let mut publishable: Vec<&Cycle> = cycles
        .iter()
        .filter(|c| c.status == "closed")
        .filter(|c| {
            !publications
                .iter()
                .any(|p| p.cycle_id == c.id && p.withdrawn_at.is_none())
        })
        .collect();
    // Newest first: after a year there are a hundred closed cycles, and the
    // one a clerk publishes is almost always the one that just closed.
    publishable.sort_by(|a, b| b.due_on.cmp(&a.due_on).then(a.plan.cmp(&b.plan)));
    say!("可发布的已关闭周期 / closed cycles not published:");
    if publishable.is_empty() {
        say!("  （无 / none）");
    }
    for c in publishable {
        say!(
            "  攻坚 {} 第 {} 期  {}  截止 / due {}",
            c.plan,
            c.seq,
            c.id,
            c.due_on
        );
    }
    Ok(())
}

fn publication_line(p: &Publication, seq: &str) -> String {
    let state = match (&p.withdrawn_at, &p.withdrawn_by) {
        (Some(at), by) => format!("已撤回 / withdrawn {at}（{}）", by.as_deref().unwrap_or("")),
        (None, _) => "公开中 / public".to_string(),
    };
    format!(
        "攻坚 {} 第 {seq} 期  {}  发布 / published {}（{}）  {state}",
        p.plan, p.cycle_id, p.published_at, p.published_by
    )
}
