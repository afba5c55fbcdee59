//! Requests run side by side: the workbench keeps a few handles on the case
//! (each its own SQLite connection and index reader; SQLite lets many read
//! at once and serialises writers itself) and lends one to each request.
//! A request that finds every handle busy for [`WAIT`] gets a 503 with
//! `Retry-After` instead of a stall behind a slow neighbour.

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

/// Every handle stayed busy for [`WAIT`].
pub(crate) struct Busy;

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
    /// calls block). `Err(Busy)` when none came free in time; `Ok(None)`
    /// when the request's thread failed (`f` panicked).
    pub(crate) async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Case) -> T + Send + 'static,
    ) -> Result<Option<T>, Busy> {
        let permit = tokio::time::timeout(WAIT, Arc::clone(&self.free).acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let pool = Arc::clone(self);
        let outcome = tokio::task::spawn_blocking(move || {
            // A permit means a handle is free; the first unlocked one is it.
            // A handle whose request panicked is lent again: its connection
            // and reader hold no half-done state (a write is a transaction).
            let found = pool.slots.iter().find_map(|slot| match slot.try_lock() {
                Ok(guard) => Some(guard),
                Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            });
            let result = found.map(|mut case| f(&mut case));
            drop(permit);
            result
        })
        .await;
        Ok(outcome.ok().flatten())
    }
}
