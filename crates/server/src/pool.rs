//! Requests run side by side: the workbench keeps a few handles on the case
//! (each its own SQLite connection and index reader; SQLite lets many read
//! at once and serialises writers itself) and lends one to each request.
//! A request that finds every handle busy for [`WAIT`] gets a 503 with
//! `Retry-After` instead of a stall behind a slow neighbour, and one that
//! runs past its budget ([`BUDGET`]) is stopped (its database statement
//! interrupted) and answered the same way.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use trove_app::Case;

/// Handles on the case: two cores serve four requests well (a search
/// spends part of its time waiting on the other core's search threads).
pub(crate) const HANDLES: usize = 4;

/// How long a request waits for a free handle before it is told to retry.
pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// The case's handles.
pub(crate) struct CasePool {
    slots: Vec<Mutex<Case>>,
    free: Arc<Semaphore>,
}

/// How long one request may run. A search, a page or an export of a
/// bounded request takes well under a second on a million messages; a
/// request past this is stopped rather than left holding a handle.
pub(crate) const BUDGET: Duration = Duration::from_secs(20);

/// Why a request was not served.
pub(crate) enum Unserved {
    /// Every handle stayed busy for [`WAIT`].
    Busy,
    /// It ran past its budget and was stopped.
    Overtime(Duration),
}

impl CasePool {
    /// `first` and up to `HANDLES - 1` more handles on the same folder
    /// (fewer if they cannot be opened: the workbench still serves).
    pub(crate) fn new(first: Case) -> CasePool {
        let dir = first.dir().to_path_buf();
        let mut slots = vec![Mutex::new(first)];
        for _ in 1..HANDLES {
            match Case::open(&dir, &mut ()) {
                Ok(case) => slots.push(Mutex::new(case)),
                Err(_) => break,
            }
        }
        let free = Arc::new(Semaphore::new(slots.len()));
        CasePool { slots, free }
    }

    /// Runs `f` with a free handle on a blocking thread (SQLite and tantivy
    /// calls block), within `budget`. `Ok(None)` when the request's thread
    /// failed (`f` panicked).
    pub(crate) async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Case) -> T + Send + 'static,
    ) -> Result<Option<T>, Unserved> {
        self.run_within(BUDGET, f).await
    }

    /// [`CasePool::run`] with another budget.
    pub(crate) async fn run_within<T: Send + 'static>(
        self: &Arc<Self>,
        budget: Duration,
        f: impl FnOnce(&mut Case) -> T + Send + 'static,
    ) -> Result<Option<T>, Unserved> {
        let permit = tokio::time::timeout(WAIT, Arc::clone(&self.free).acquire_owned())
            .await
            .map_err(|_| Unserved::Busy)?
            .map_err(|_| Unserved::Busy)?;
        let pool = Arc::clone(self);
        let (interrupter_tx, interrupter_rx) = std::sync::mpsc::sync_channel(1);
        let work = tokio::task::spawn_blocking(move || {
            // A permit means a handle is free; the first unlocked one is it.
            // A handle whose request panicked is lent again: its connection
            // and reader hold no half-done state (a write is a transaction).
            let found = pool.slots.iter().find_map(|slot| match slot.try_lock() {
                Ok(guard) => Some(guard),
                Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            });
            let result = found.map(|mut case| {
                let _ = interrupter_tx.send(case.store().interrupter());
                f(&mut case)
            });
            drop(permit);
            result
        });
        match tokio::time::timeout(budget, work).await {
            Ok(outcome) => Ok(outcome.ok().flatten()),
            Err(_) => {
                // The statement running stops with an error, which frees
                // the handle; index work in flight finishes on its own
                // (queries are bounded, see `bounds`).
                if let Ok(interrupter) = interrupter_rx.try_recv() {
                    interrupter.interrupt();
                }
                Err(Unserved::Overtime(budget))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_past_its_budget_is_stopped_and_holds_nobody_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = Case::open_or_create(dir.path(), &mut ()).expect("case");
        let pool = Arc::new(CasePool::new(case));
        let slow = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run_within(Duration::from_millis(200), |_| {
                    std::thread::sleep(Duration::from_secs(2))
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Another request meanwhile: served at once by another handle.
        let started = Instant::now();
        let quick = pool.run(|case| case.stats().map(|s| s.messages)).await;
        assert!(matches!(quick, Ok(Some(Ok(0)))));
        assert!(started.elapsed() < Duration::from_millis(50), "{:?}", started.elapsed());
        let outcome = slow.await.expect("joined");
        assert!(matches!(outcome, Err(Unserved::Overtime(budget)) if budget.as_millis() == 200));
    }
}
