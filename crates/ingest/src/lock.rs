//! One ingest at a time per case, and the next one told who it waits for.
//!
//! SQLite already lets one run write at a time, but the second run learns
//! it only after its five-second busy timeout, as a bare "database is
//! locked", with its inputs half read. A lock file beside the database,
//! held (`flock` on Unix) for the whole run (released by the kernel when the
//! process ends, however it ends), names the process holding it, so the
//! next run waits with a message and starts as soon as it is free.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The lock file's name in the case folder.
pub const LOCK_FILE: &str = "ingest.lock";

/// How often a waiting run looks again (and checks for Ctrl+C).
const POLL: Duration = Duration::from_millis(200);

/// Held for the length of a run; released when dropped.
#[derive(Debug)]
pub struct RunLock {
    // Kept open: closing the file releases the lock.
    _file: File,
}

/// Takes the case's run lock in `dir`. When another process holds it,
/// `waiting` hears who (their process id and command line) once, and the
/// run waits until the lock is free, or `interrupted` is set (then
/// `Ok(None)`).
pub fn acquire(
    dir: &Path,
    command: &str,
    interrupted: &AtomicBool,
    waiting: &mut dyn FnMut(&str),
) -> std::io::Result<Option<RunLock>> {
    let path = dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| with_path(&path, e))?;
    let mut told = false;
    while !try_lock(&file).map_err(|e| with_path(&path, e))? {
        if !told {
            let mut holder = String::new();
            // What the holder wrote; a torn read only makes the message vaguer.
            let _ = file.read_to_string(&mut holder);
            let _ = file.rewind();
            let holder = holder.trim();
            waiting(if holder.is_empty() { "another trove process" } else { holder });
            told = true;
        }
        if interrupted.load(Ordering::SeqCst) {
            return Ok(None);
        }
        std::thread::sleep(POLL);
    }
    let holder = format!(
        "process {} (`{}`, since {})",
        std::process::id(),
        command.trim(),
        jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M:%S UTC")
    );
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(holder.as_bytes()))
        .map_err(|e| with_path(&path, e))?;
    Ok(Some(RunLock { _file: file }))
}

fn with_path(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Takes the lock if it is free.
fn try_lock(file: &File) -> std::io::Result<bool> {
    fs4::fs_std::FileExt::try_lock_exclusive(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_hears_who_holds_the_case_and_can_give_up() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let never = AtomicBool::new(false);
        let first = acquire(dir.path(), "trove ingest a.json", &never, &mut |_| {})?;
        assert!(first.is_some());
        let given_up = AtomicBool::new(true);
        let mut heard = Vec::new();
        let second = acquire(dir.path(), "trove ingest b.json", &given_up, &mut |holder| {
            heard.push(holder.to_string())
        })?;
        assert!(second.is_none());
        assert_eq!(heard.len(), 1);
        assert!(
            heard[0].starts_with(&format!("process {} (`trove ingest a.json`", std::process::id()))
        );
        drop(first);
        let third = acquire(dir.path(), "trove ingest c.json", &never, &mut |_| {
            panic!("the lock was free")
        })?;
        assert!(third.is_some());
        Ok(())
    }
}
