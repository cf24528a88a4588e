//! Values built once per version of what they depend on, single-flight.
//!
//! Pages (workbench, the desk's evaluation, the dashboard) and the big API
//! reads are built from the ledger and kept while the region's version —
//! read from the database on every request, so correct across processes —
//! stays the same. A plain "look up, else build and put" cache let every
//! request that arrived after a write find the entry stale and build the
//! same value again, all at once: with 50 sessions the workbench served
//! p50 6 ms but p99 821 ms. [`SingleFlight`] lets the first request for a
//! (key, version) build while the others for the same key and version wait
//! for that build and share its value; requests for other keys are not
//! held up. A failed build is not kept: the next request (a waiter, or a
//! later one) tries again, so a passing database error is not served until
//! the next write.
//!
//! A build may wait for a build in another cache (the dashboard's body
//! waits for its data, the data for the evaluations, a region's roll-up
//! for its children's data), never for its own key: the layers only go
//! down, so waiting cannot go round in a circle.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::OnceCell;

/// Entries kept before the map starts again: keys carry client-chosen parts
/// (unit, selection, query), so the key space is open and must be bounded.
const CAP: usize = 2_000;

/// Key → the value for one version, built at most once at a time.
pub struct SingleFlight<V> {
    slots: Mutex<HashMap<String, Slot<V>>>,
    cap: usize,
}

/// One key's newest version and the cell its value is built into. The cell
/// is shared (`Arc`) so that waiters keep it even if the map is cleared or
/// moves on to a newer version while they wait.
struct Slot<V> {
    version: i64,
    cell: Arc<OnceCell<Arc<V>>>,
}

impl<V> Default for SingleFlight<V> {
    fn default() -> Self {
        SingleFlight::with_capacity(CAP)
    }
}

impl<V> SingleFlight<V> {
    /// A cache that starts again after `cap` distinct keys.
    pub fn with_capacity(cap: usize) -> Self {
        SingleFlight {
            slots: Mutex::new(HashMap::new()),
            cap: cap.max(1),
        }
    }

    /// The value of `key` at `version`: the kept one, the one another
    /// request is building now (waited for), or built here by `build`.
    ///
    /// Versions only grow (every audited write adds one), so a request that
    /// read an older version than the one kept arrived late: its value is
    /// built for it alone and not kept, rather than pushing the newer entry
    /// out and making the next request build the newer one again.
    pub async fn get_with<E, F, Fut>(&self, key: &str, version: i64, build: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        match self.cell(key, version) {
            Some(cell) => cell
                .get_or_try_init(|| async { build().await.map(Arc::new) })
                .await
                .cloned(),
            None => build().await.map(Arc::new),
        }
    }

    /// The cell for (key, version), made if the key has none or an older
    /// version; `None` when the key already holds a newer version.
    fn cell(&self, key: &str, version: i64) -> Option<Arc<OnceCell<Arc<V>>>> {
        // The map is consistent after any panic (each change is one call),
        // so a poisoned lock is still usable.
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        match slots.get(key) {
            Some(slot) if slot.version == version => return Some(slot.cell.clone()),
            Some(slot) if slot.version > version => return None,
            Some(_) => {}
            None if slots.len() >= self.cap => slots.clear(),
            None => {}
        }
        let cell = Arc::new(OnceCell::new());
        slots.insert(
            key.to_string(),
            Slot {
                version,
                cell: cell.clone(),
            },
        );
        Some(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use tokio::sync::Semaphore;

    /// What a test observes: how many builds started, and how many callers
    /// have entered `get_with`.
    #[derive(Default)]
    struct Probe {
        builds: AtomicUsize,
        entered: AtomicUsize,
    }

    /// `n` concurrent gets of one key and version whose builds are held at
    /// `gate` until every caller is inside `get_with`. On the test's
    /// single-threaded runtime a spawned task runs from its increment of
    /// `entered` to its first wait without yielding, so once `entered == n`
    /// every caller is either building (held at the gate) or waiting for
    /// the build: no timing is assumed. The `k`-th build (from 1) fails if
    /// `fail_first` and `k == 1`.
    async fn concurrent(
        cache: &Arc<SingleFlight<String>>,
        probe: &Arc<Probe>,
        n: usize,
        version: i64,
        fail_first: bool,
    ) -> Vec<Result<Arc<String>, String>> {
        let gate = Arc::new(Semaphore::new(0));
        let entered_before = probe.entered.load(SeqCst);
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let (cache, probe, gate) = (cache.clone(), probe.clone(), gate.clone());
                tokio::spawn(async move {
                    probe.entered.fetch_add(1, SeqCst);
                    cache
                        .get_with("r|unit", version, || async {
                            let k = probe.builds.fetch_add(1, SeqCst) + 1;
                            let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
                            if fail_first && k == 1 {
                                Err("数据库暂不可用".to_string())
                            } else {
                                Ok(format!("v{version} build {k}"))
                            }
                        })
                        .await
                })
            })
            .collect();
        while probe.entered.load(SeqCst) < entered_before + n {
            tokio::task::yield_now().await;
        }
        gate.add_permits(n);
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    }

    #[tokio::test]
    async fn concurrent_gets_of_one_version_build_once() {
        let cache = Arc::new(SingleFlight::default());
        let probe = Arc::new(Probe::default());
        let got = concurrent(&cache, &probe, 20, 7, false).await;
        assert_eq!(probe.builds.load(SeqCst), 1);
        let first = got[0].clone().expect("built");
        assert_eq!(*first, "v7 build 1");
        for g in &got {
            assert!(Arc::ptr_eq(g.as_ref().expect("built"), &first));
        }
        // Kept: a later get of the same version does not build.
        let again = cache
            .get_with("r|unit", 7, || async { Err::<String, _>("built again") })
            .await
            .expect("kept");
        assert!(Arc::ptr_eq(&again, &first));
        assert_eq!(probe.builds.load(SeqCst), 1);
    }

    #[tokio::test]
    async fn a_new_version_builds_once_more_and_a_late_old_one_does_not_evict_it() {
        let cache = Arc::new(SingleFlight::default());
        let probe = Arc::new(Probe::default());
        concurrent(&cache, &probe, 10, 1, false).await;
        let got = concurrent(&cache, &probe, 10, 2, false).await;
        assert_eq!(probe.builds.load(SeqCst), 2);
        assert!(got
            .iter()
            .all(|g| g.as_deref() == Ok(&"v2 build 2".to_string())));
        // A request that read version 1 before the write gets a version-1
        // value built for it, and version 2 stays kept.
        let late = cache
            .get_with("r|unit", 1, || async {
                Ok::<_, String>("late v1".to_string())
            })
            .await;
        assert_eq!(late.as_deref(), Ok(&"late v1".to_string()));
        let kept = cache
            .get_with("r|unit", 2, || async {
                Err::<String, _>("rebuilt".to_string())
            })
            .await;
        assert_eq!(kept.as_deref(), Ok(&"v2 build 2".to_string()));
    }

    #[tokio::test]
    async fn a_failed_build_is_not_kept_and_a_waiter_builds_again() {
        let cache = Arc::new(SingleFlight::default());
        let probe = Arc::new(Probe::default());
        let got = concurrent(&cache, &probe, 8, 3, true).await;
        // The builder got the error; one waiter built again and the rest
        // share its value.
        assert_eq!(probe.builds.load(SeqCst), 2);
        let failed: Vec<_> = got.iter().filter(|g| g.is_err()).collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].as_deref(), Err(&"数据库暂不可用".to_string()));
        assert!(got
            .iter()
            .filter_map(|g| g.as_ref().ok())
            .all(|v| **v == "v3 build 2"));

        // Sequentially: an error, then the next request retries.
        let cache: SingleFlight<String> = SingleFlight::default();
        let err = cache
            .get_with("k", 1, || async { Err::<String, _>("down") })
            .await;
        assert_eq!(err, Err("down"));
        let ok = cache
            .get_with("k", 1, || async { Ok::<_, &str>("up".to_string()) })
            .await;
        assert_eq!(ok.as_deref(), Ok(&"up".to_string()));
    }

    #[tokio::test]
    async fn keys_are_independent_and_the_map_is_bounded() {
        let cache: SingleFlight<usize> = SingleFlight::with_capacity(3);
        let builds = AtomicUsize::new(0);
        let get = |key: &'static str| {
            let builds = &builds;
            let cache = &cache;
            async move {
                cache
                    .get_with(key, 1, || async {
                        Ok::<_, ()>(builds.fetch_add(1, SeqCst))
                    })
                    .await
            }
        };
        for key in ["a", "b", "c", "a", "b", "c"] {
            get(key).await.expect("built");
        }
        assert_eq!(builds.load(SeqCst), 3);
        // A fourth key starts the map again; the old ones are built anew.
        get("d").await.expect("built");
        get("a").await.expect("built");
        assert_eq!(builds.load(SeqCst), 5);
        assert!(cache.slots.lock().expect("lock").len() <= 3);
    }
}
