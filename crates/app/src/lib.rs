//! The facade both front ends call.
//!
//! A [`Case`] is a folder holding the case database (`case.db`) and the
//! full-text index (`index/`). Its methods (`ingest`, `search`, `show`,
//! `stats`, `verify`, `people`) return plain data whose JSON form is the
//! command-line contract (see `contract`): the CLI's `--json` and the web
//! server's `.json` pages serialise these same types.

mod annotate;
mod browse;
pub mod contract;
mod dates;
mod error;
mod media;
mod people;
mod publish;
mod redaction;
mod search;
mod show;
mod stats;
mod verify;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use trove_index::CaseIndex;
use trove_ingest::{IngestOptions, Progress};
use trove_store::Store;

pub use annotate::{
    AnnotationsOutput, CollectionOutput, CollectionSummary, ExcerptOutput, LogOutput, NoteOutput,
    REVIEW_STATUSES, TagOutput, note_html, review_status,
};
pub use browse::{
    ActivityOptions, ConversationDayOutput, FacetValue, FacetsOutput, Granularity, MonthCount,
    PeriodCount, PersonAccountOutput, PersonOutput, Series, SeriesBy, WordCount, activity_csv,
    filter_value,
};
pub use contract::*;
pub use dates::{format_instant, parse_zone};
pub use error::AppError;
pub use media::{MediaFile, MediaListing, NO_COPY, NOT_LISTED, parse_sha256};
pub use publish::{ExportFormat, ExportOutput, ManifestCheck, PublishOutput, Selection};
pub use redaction::{
    CaseRedactor, CoveredValue, NewRule, PreviewExample, PreviewOutput, RuleHits, RuleOutput,
    detector_names,
};
pub use search::{SearchOptions, SortOrder};
pub use trove_ingest::{parse_id, render_id};

const DATABASE: &str = "case.db";
const INDEX: &str = "index";

/// `; the disk holding the case has 12 KB free` when the disk holding
/// `dir` is nearly full (tantivy's own message for a full disk names no
/// disk), else nothing.
pub fn disk_nearly_full(dir: &Path) -> String {
    const NEARLY_FULL: u64 = 64 * 1024 * 1024;
    match trove_ingest::space::available(dir) {
        Ok(free) if free < NEARLY_FULL => {
            format!(
                "; the disk holding the case has {} free",
                trove_ingest::space::human_bytes(free)
            )
        }
        _ => String::new(),
    }
}

/// An open case folder.
pub struct Case {
    dir: PathBuf,
    store: Store,
    index: CaseIndex,
    /// Set when the case could not be opened for writing.
    read_only: Option<trove_store::ReadOnly>,
    /// What the user should hear once about the state the case opened in
    /// (read-only, a search index that could not catch up).
    notices: Vec<String>,
}

/// Which generation a case answered from ([`Case::freshen`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Freshness {
    /// The store's: messages, notes, stats.
    pub generation: u64,
    /// The search index's; lower than `generation` means searches miss
    /// the newest run's messages for now.
    pub searched: u64,
    /// The case opened read-only: nothing can be changed.
    pub read_only: bool,
}

impl Case {
    /// Opens an existing case. When its index lags the database (an ingest
    /// was interrupted between the two commits) it is rebuilt first;
    /// `progress` hears about it. A case that cannot be written (read-only
    /// media or permissions) opens read-only: everything reads, nothing
    /// writes, and [`Case::notices`] says so.
    pub fn open(dir: &Path, progress: &mut dyn Progress) -> Result<Case, AppError> {
        if !dir.join(DATABASE).is_file() {
            return Err(AppError::NotACase(dir.to_path_buf()));
        }
        match Store::open(&dir.join(DATABASE)) {
            Ok(store) => Case::with_store(dir, store, Some(progress)),
            // Its own error says more (an older schema that needs writing
            // to upgrade, a database that is not one).
            Err(error) if trove_store::is_unwritable(&error) => Case::open_read_only(dir),
            Err(error) => Err(error.into()),
        }
    }

    /// Opens a case, creating the folder and an empty case when missing.
    pub fn open_or_create(dir: &Path, progress: &mut dyn Progress) -> Result<Case, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Io(dir.to_path_buf(), e))?;
        let store = Store::open(&dir.join(DATABASE)).map_err(|e| {
            if trove_store::is_unwritable(&e) {
                AppError::ReadOnly(format!("opening {} to write", dir.display()))
            } else {
                AppError::Store(e)
            }
        })?;
        Case::with_store(dir, store, Some(progress))
    }

    /// Opens a case as it is, its search index however far behind, for
    /// [`Case::repair`].
    pub fn open_for_repair(dir: &Path) -> Result<Case, AppError> {
        if !dir.join(DATABASE).is_file() {
            return Err(AppError::NotACase(dir.to_path_buf()));
        }
        let store = Store::open(&dir.join(DATABASE)).map_err(|e| {
            if trove_store::is_unwritable(&e) {
                AppError::ReadOnly(format!("opening {} to repair", dir.display()))
            } else {
                AppError::Store(e)
            }
        })?;
        Case::with_store(dir, store, None)
    }

    /// The case over `store`; with `catch_up`, a lagging index is rebuilt.
    fn with_store(
        dir: &Path,
        store: Store,
        catch_up: Option<&mut dyn Progress>,
    ) -> Result<Case, AppError> {
        let index = CaseIndex::open_or_create(&dir.join(INDEX))?;
        let mut case =
            Case { dir: dir.to_path_buf(), store, index, read_only: None, notices: Vec::new() };
        if let Some(progress) = catch_up
            && let Some(lag) = case.catch_up_index(progress)?
        {
            case.notices.push(lag);
        }
        Ok(case)
    }

    /// Brings a case back to a sound state after a failure (a full disk, a
    /// killed run): checks the database, empties its write-ahead log,
    /// deletes index files no commit names and what a killed run left in
    /// the folder, and rebuilds the search index if it trails the case (or
    /// always, with `rebuild`).
    pub fn repair(
        &self,
        rebuild: bool,
        progress: &mut dyn Progress,
    ) -> Result<RepairOutput, AppError> {
        let database_problems = self.store.quick_check()?;
        let log = self.dir.join(format!("{DATABASE}-wal"));
        let log_size = || std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        let log_bytes_before = log_size();
        let log_emptied = self.store.checkpoint()?;
        let log_bytes_after = log_size();
        let mut leftovers = Vec::new();
        let reserve = self.dir.join(trove_ingest::space::RESERVE_FILE);
        if reserve.is_file() {
            std::fs::remove_file(&reserve).map_err(|e| AppError::Io(reserve.clone(), e))?;
            leftovers.push(trove_ingest::space::RESERVE_FILE.to_string());
        }
        let index_files_deleted = self.index.collect_garbage()?;
        let generation = self.store.generation()?;
        let index_generation_before =
            self.index.committed_payload()?.and_then(|p| p.parse::<u64>().ok()).unwrap_or(0);
        let reindexed = if rebuild || index_generation_before != generation {
            let rebuilt = trove_ingest::reindex(&self.store, &self.index, progress);
            Some(rebuilt.map_err(|e| {
                AppError::Index(trove_index::IndexError::internal(format!(
                    "rebuilding the search index: {e}{}",
                    disk_nearly_full(&self.dir)
                )))
            })?)
        } else {
            None
        };
        Ok(RepairOutput {
            database_problems,
            log_bytes_before,
            log_bytes_after,
            log_emptied,
            leftovers,
            index_files_deleted,
            generation,
            index_generation_before,
            reindexed,
        })
    }

    /// Opens a case that cannot be written: the database read-only (or
    /// immutable), the index without its locks.
    fn open_read_only(dir: &Path) -> Result<Case, AppError> {
        let (store, read_only) = Store::open_unwritable(&dir.join(DATABASE))?;
        let index = CaseIndex::open_read_only(&dir.join(INDEX))?;
        let mut notices = vec![
            "this case cannot be written (read-only media or permissions): everything reads; \
             notes, tags, review, names and other changes are unavailable"
                .to_string(),
        ];
        if let Some(bytes) = read_only.log_ignored {
            notices.push(format!(
                "case.db-wal ({bytes} bytes) cannot be read without write access: changes made \
                 after its last checkpoint are not shown; a writable copy of the case folder \
                 shows them"
            ));
        }
        let mut case =
            Case { dir: dir.to_path_buf(), store, index, read_only: Some(read_only), notices };
        if let Some(lag) = case.index_lag()? {
            case.notices.push(format!("{lag}; it cannot be rebuilt in a read-only case"));
        }
        Ok(case)
    }

    /// True when the case opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// What the user should hear once about how the case opened: read
    /// only, or a search index behind the case that could not be rebuilt.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Loads what another process committed since (an ingest while the
    /// workbench runs) and says which generation each half of the case is
    /// at: the search index trails the store while an ingest is between
    /// its two commits, or after one failed there (rebuilt on the next
    /// open, or by `trove repair`).
    pub fn freshen(&self) -> Result<Freshness, AppError> {
        let searched = self.index.refresh()?.and_then(|p| p.parse().ok()).unwrap_or(0);
        let generation = self.store.generation()?;
        Ok(Freshness { generation, searched, read_only: self.is_read_only() })
    }

    /// The case generation the search index's loaded commit reflects (what
    /// searches and facets count from now), without I/O.
    pub fn searched_generation(&self) -> u64 {
        self.index.searched_payload().and_then(|p| p.parse().ok()).unwrap_or(0)
    }

    /// What derived views (facets, person pages) are computed from: the
    /// index generation searches load, and the last change to the names
    /// and persons that label them (the audit trail's newest line).
    pub fn derived_version(&self) -> Result<(u64, i64), AppError> {
        Ok((self.searched_generation(), self.store.last_change()?))
    }

    /// A sentence saying how far the search index trails the store, when
    /// it does.
    fn index_lag(&self) -> Result<Option<String>, AppError> {
        let generation = self.store.generation()?;
        // What searches see, not what is on disk: read without I/O on
        // every search.
        let indexed = self.searched_generation();
        Ok((generation != indexed).then(|| {
            format!(
                "the search index reflects case generation {indexed}, the case is at \
                 {generation}: searches miss the messages of the newest run(s)"
            )
        }))
    }

    /// Rebuilds a lagging index. When that fails (a full disk), the case
    /// still opens on the index it has, and the returned sentence says
    /// what searches miss.
    fn catch_up_index(&self, progress: &mut dyn Progress) -> Result<Option<String>, AppError> {
        let Some(lag) = self.index_lag()? else { return Ok(None) };
        match trove_ingest::reindex(&self.store, &self.index, progress) {
            Ok(_) => Ok(None),
            Err(error) => Ok(Some(format!(
                "{lag}; rebuilding it failed ({error}{}); free some space and run `trove repair`",
                disk_nearly_full(&self.dir)
            ))),
        }
    }

    /// The case folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `--copy-media` keeps attached files, by SHA-256
    /// (`media/ab/abcdef…`).
    pub fn media_dir(&self) -> PathBuf {
        self.dir.join("media")
    }

    /// The case database (for the layers built on it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Reads `paths` into the case, all or nothing.
    pub fn ingest(
        &mut self,
        paths: &[PathBuf],
        options: &IngestOptions,
        progress: &mut dyn Progress,
        interrupted: &AtomicBool,
    ) -> Result<IngestOutput, AppError> {
        let report = trove_ingest::ingest(
            &mut self.store,
            &self.index,
            paths,
            options,
            progress,
            interrupted,
        )?;
        Ok(IngestOutput::from(report))
    }

    /// Rebuilds the index from the database.
    pub fn reindex(&self, progress: &mut dyn Progress) -> Result<u64, AppError> {
        Ok(trove_ingest::reindex(&self.store, &self.index, progress)?)
    }

    /// The analysis time zone (IANA name; `UTC` unless set).
    pub fn zone_name(&self) -> Result<String, AppError> {
        Ok(self.store.meta("zone")?.unwrap_or_else(|| "UTC".to_string()))
    }

    /// Sets the analysis time zone.
    pub fn set_zone(&self, name: &str) -> Result<(), AppError> {
        parse_zone(name).map_err(AppError::Usage)?;
        Ok(self.store.set_meta("zone", name)?)
    }

    /// The output form of a stored message, with its translations.
    pub(crate) fn output(
        &self,
        stored: &trove_store::StoredMessage,
        with_source: bool,
    ) -> Result<MessageOutput, AppError> {
        let translated = self.store.has_translations()?;
        self.output_with(stored, with_source, translated)
    }

    /// The outputs of `stored`, asking once whether the case holds any
    /// translation rather than looking for each message's.
    pub(crate) fn outputs(
        &self,
        stored: &[trove_store::StoredMessage],
        with_source: bool,
    ) -> Result<Vec<MessageOutput>, AppError> {
        let translated = self.store.has_translations()?;
        stored.iter().map(|m| self.output_with(m, with_source, translated)).collect()
    }

    /// [`Case::output`], told whether the case holds translations at all.
    pub(crate) fn output_with(
        &self,
        stored: &trove_store::StoredMessage,
        with_source: bool,
        translated: bool,
    ) -> Result<MessageOutput, AppError> {
        let mut message = MessageOutput::from_stored(stored, with_source);
        if !translated {
            return Ok(message);
        }
        message.translations = self
            .store
            .translations(stored.row)?
            .into_iter()
            .map(|t| TranslationOutput { lang: t.lang, text: t.text, source: t.source_path })
            .collect();
        Ok(message)
    }

    pub(crate) fn index(&self) -> &CaseIndex {
        &self.index
    }
}
