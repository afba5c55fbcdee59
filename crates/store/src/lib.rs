//! The case database.
//!
//! One SQLite file per case holds the evidence (sources, conversations,
//! accounts, messages and events) and the user's layers over it (names given
//! to accounts). It is the source of truth; the full-text index is derived
//! from it and can be rebuilt.
//!
//! Writes happen in an ingest run ([`Store::begin_run`]): one transaction,
//! so a run killed at any moment leaves the case exactly as it was before
//! the run. Every committed run bumps the case's *generation*, which the
//! index records to notice when it lags behind.

mod annotations;
mod collections;
mod media;
mod people;
mod read;
mod schema;
mod translations;
mod write;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use annotations::{Actor, LogRow, NoteRow, ReviewRow, TagRow, normal_tag};
pub use collections::{CollectionRow, ItemRow, RuleRow};
pub use people::PersonRow;
pub use read::{AccountSummary, ConversationSummary, SourceRow, StoreStats, StoredMessage};
pub use translations::{Candidate, IndexEntry, NewTranslation, TranslationRow};
pub use write::{
    Committed, DUPLICATE_BEFORE_SCOPES, DUPLICATE_IN_CASE, DUPLICATE_IN_RUN, EarlierReading, Extra,
    NewMessage, NewSource, Orphaned, PreparedRun, Replaced, ReplacedSource, RunSummary, RunWriter,
    SourceHolds,
};

/// A database error with what the store was doing.
#[derive(Debug)]
pub struct StoreError {
    /// What the store was doing.
    pub context: String,
    /// What SQLite said.
    pub source: rusqlite::Error,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

pub(crate) trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, rusqlite::Error> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, StoreError> {
        self.map_err(|source| StoreError { context: what(), source })
    }
}

/// The schema version this build writes.
pub fn schema_version() -> u32 {
    schema::MIGRATIONS.len() as u32
}

/// An open case database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The page cache of a connection, in KiB: lookups and incremental
/// ingests into a large case read the key index at random.
const CACHE_KIB: i64 = 128 * 1024;

/// The page cache during a bulk run into an empty case, in KiB. The run
/// only appends (its secondary indexes are built at commit), so a larger
/// cache would only hold written pages until they spill; and it sizes the
/// sort runs of those index builds. Kept small for the 10M-message memory
/// bound.
const BULK_CACHE_KIB: i64 = 32 * 1024;

/// The page cache while a bulk run builds its deferred indexes, in KiB.
/// The cache also bounds each sorted run of `CREATE INDEX`: runs that fit
/// the CPU's caches sort a third faster than one large in-memory sort
/// (measured at 1M messages: 0.6 s against 0.95 s per index).
const INDEX_BUILD_CACHE_KIB: i64 = 4 * 1024;

/// How a case that cannot be written was opened ([`Store::open_unwritable`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOnly {
    /// Bytes of write-ahead log beside the database that could not be read
    /// (the database was opened `immutable`): the newest changes, if any,
    /// are missing from what the case shows.
    pub log_ignored: Option<u64>,
}

/// A `file:` URI for `path` with `query` (`mode=ro`), escaped as SQLite
/// reads URIs: `%`, `?` and `#` would otherwise end or change the path.
fn sqlite_uri(path: &Path, query: &str) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// True when SQLite refused because the case cannot be written (read-only
/// media or permissions), not because it is damaged or missing.
pub fn is_unwritable(error: &StoreError) -> bool {
    matches!(
        error.source.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
            | Some(rusqlite::ErrorCode::PermissionDenied)
    )
}

/// True when SQLite refused a write because the case is open read-only.
pub fn is_write_refused(error: &StoreError) -> bool {
    error.source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
}

/// The write-ahead log: readers (the workbench) never wait for a writer.
/// `synchronous = NORMAL` is durable enough with a WAL.
fn use_wal(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
}

fn set_cache_kib(conn: &Connection, kib: i64) -> Result<(), rusqlite::Error> {
    conn.execute_batch(&format!("PRAGMA cache_size = -{kib}"))
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let display = path.display().to_string();
        let conn = Connection::open(path).context(|| format!("opening {display}"))?;
        use_wal(&conn)
            .and_then(|()| {
                conn.execute_batch(
                    "PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA temp_store = MEMORY;",
                )
            })
            .and_then(|()| set_cache_kib(&conn, CACHE_KIB))
            .context(|| format!("configuring {display}"))?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database for reading only; no migration.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let display = path.display().to_string();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .context(|| format!("opening {display} read-only"))?;
        Ok(Store { conn, path: path.to_path_buf() })
    }

    /// Opens a case that cannot be written (read-only media, no write
    /// permission: how evidence copies are often handed over). Tries a
    /// read-only connection first, which still reads the write-ahead log;
    /// where SQLite cannot keep its shared-memory file beside the database,
    /// opens it `immutable` (no locks, no log: changes after the log's last
    /// checkpoint are then not seen, which [`ReadOnly::log_ignored`] says).
    /// A case of an older schema cannot be upgraded read-only and is
    /// refused, saying so.
    pub fn open_unwritable(path: &Path) -> Result<(Store, ReadOnly), StoreError> {
        let display = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let usable = |conn: Connection| -> Result<Store, rusqlite::Error> {
            conn.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY")?;
            set_cache_kib(&conn, CACHE_KIB)?;
            // The first read is where a WAL case fails without its -shm.
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))?;
            Ok(Store { conn, path: path.to_path_buf() })
        };
        let read_only = Connection::open_with_flags(sqlite_uri(path, "mode=ro"), flags)
            .and_then(usable)
            .map(|store| (store, ReadOnly { log_ignored: None }));
        let (store, read_only) = match read_only {
            Ok(opened) => opened,
            Err(_) => {
                let store = Connection::open_with_flags(sqlite_uri(path, "immutable=1"), flags)
                    .and_then(usable)
                    .context(|| format!("opening {display} read-only"))?;
                let log = path.with_file_name(format!(
                    "{}-wal",
                    path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
                ));
                let log_ignored = std::fs::metadata(&log).ok().map(|m| m.len()).filter(|&n| n > 0);
                (store, ReadOnly { log_ignored })
            }
        };
        let version = store.version()? as usize;
        if version != schema::MIGRATIONS.len() {
            return Err(StoreError {
                context: format!(
                    "{display} is a case of schema {version}, this trove reads schema {}; \
                     upgrading it needs write access (copy the case folder to writable storage \
                     and open the copy)",
                    schema::MIGRATIONS.len()
                ),
                source: rusqlite::Error::InvalidQuery,
            });
        }
        Ok((store, read_only))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of this case.
    pub fn version(&self) -> Result<u32, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .context(|| "reading the schema version".into())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let current = self.version()? as usize;
        if current > schema::MIGRATIONS.len() {
            return Err(StoreError {
                context: format!(
                    "{} was written by a newer trove (schema {current}, this build knows {})",
                    self.path.display(),
                    schema::MIGRATIONS.len()
                ),
                source: rusqlite::Error::InvalidQuery,
            });
        }
        if current == schema::MIGRATIONS.len() {
            return Ok(());
        }
        // A migration that rebuilds a table drops the old one, which other
        // tables' foreign keys point at; SQLite's procedure for that is to
        // switch the checks off (possible only outside a transaction) and
        // check the whole database before switching them back on.
        self.conn
            .execute_batch("PRAGMA foreign_keys = OFF")
            .context(|| "pausing foreign keys for migration".into())?;
        let migrated = self.apply_migrations(current);
        let checked = migrated.and_then(|()| self.foreign_key_problems());
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON")
            .context(|| "restoring foreign keys after migration".into())?;
        match checked? {
            0 => Ok(()),
            problems => Err(StoreError {
                context: format!(
                    "{}: {problems} broken reference(s) after migrating to schema {}",
                    self.path.display(),
                    schema::MIGRATIONS.len()
                ),
                source: rusqlite::Error::InvalidQuery,
            }),
        }
    }

    fn apply_migrations(&mut self, current: usize) -> Result<(), StoreError> {
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(current) {
            let version = index + 1;
            let tx = self.conn.transaction().context(|| format!("migration {version}"))?;
            tx.execute_batch(sql).context(|| format!("applying migration {version}"))?;
            tx.pragma_update(None, "user_version", version as u32)
                .context(|| format!("recording migration {version}"))?;
            tx.commit().context(|| format!("committing migration {version}"))?;
        }
        Ok(())
    }

    fn foreign_key_problems(&self) -> Result<usize, StoreError> {
        let mut check = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .context(|| "checking references after migration".into())?;
        let mut rows = check.query([]).context(|| "checking references after migration".into())?;
        let mut problems = 0;
        while rows.next().context(|| "checking references after migration".into())?.is_some() {
            problems += 1;
        }
        Ok(problems)
    }

    /// SQLite's own check of the database's structure (`PRAGMA
    /// quick_check`): empty when sound, else its first findings.
    pub fn quick_check(&self) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare("PRAGMA quick_check(20)")
            .context(|| "checking the database's structure".into())?;
        let findings = statement
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| "checking the database's structure".into())?;
        Ok(findings.into_iter().filter(|f| f != "ok").collect())
    }

    /// Copies the write-ahead log into the database and empties it
    /// (`wal_checkpoint(TRUNCATE)`): a failed run's log can be as large as
    /// its input. Returns whether the log could be emptied (a reader
    /// elsewhere, the workbench, may hold part of it).
    pub fn checkpoint(&self) -> Result<bool, StoreError> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .context(|| "emptying the write-ahead log into the database".into())?;
        Ok(busy == 0)
    }

    /// True when the case holds no message or event yet (the next run is a
    /// bulk run).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM messages)", [], |r| r.get(0))
            .context(|| "checking whether the case is empty".into())
    }

    /// The number of committed runs that changed the case; the index
    /// records the generation it reflects.
    pub fn generation(&self) -> Result<u64, StoreError> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| r.get(0))
            .optional()
            .context(|| "reading the case generation".into())?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// A meta value (case settings such as the analysis zone).
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .context(|| format!("reading setting {key}"))
    }

    /// Sets a meta value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .context(|| format!("writing setting {key}"))?;
        Ok(())
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// One read transaction for everything until the guard is dropped:
    /// every statement sees the same snapshot (a page never mixes data
    /// from before and after another process's commit), and the shared
    /// lock is taken once rather than per statement. When a transaction
    /// is already open (or cannot begin) the statements run as they would
    /// have without it.
    pub fn read_snapshot(&self) -> ReadSnapshot<'_> {
        let open = self.conn.is_autocommit() && self.conn.execute_batch("BEGIN").is_ok();
        ReadSnapshot { store: self, open }
    }

    /// Stops, from another thread, what this store is running: the
    /// statement fails as interrupted (a write rolls back).
    pub fn interrupter(&self) -> Interrupter {
        Interrupter(self.conn.get_interrupt_handle())
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests;

/// Interrupts a store's running statement from another thread.
pub struct Interrupter(rusqlite::InterruptHandle);

impl Interrupter {
    /// Makes the running statement (if any) fail as interrupted.
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

/// A read transaction held open by [`Store::read_snapshot`]; ended when
/// dropped (a cached aggregate written meanwhile is committed with it).
pub struct ReadSnapshot<'a> {
    store: &'a Store,
    open: bool,
}

impl Drop for ReadSnapshot<'_> {
    fn drop(&mut self) {
        if self.open
            && !self.store.conn.is_autocommit()
            && self.store.conn.execute_batch("COMMIT").is_err()
        {
            let _ = self.store.conn.execute_batch("ROLLBACK");
        }
    }
}
