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
    ConversationDayOutput, FacetValue, FacetsOutput, Granularity, MonthCount, PeriodCount,
    PersonAccountOutput, PersonOutput, Series, WordCount, filter_value,
};
pub use contract::*;
pub use dates::{format_instant, parse_zone};
pub use error::AppError;
pub use publish::{ExportFormat, ExportOutput, ManifestCheck, PublishOutput, Selection};
pub use redaction::{
    CaseRedactor, CoveredValue, NewRule, PreviewExample, PreviewOutput, RuleHits, RuleOutput,
    detector_names,
};
pub use search::{SearchOptions, SortOrder};
pub use trove_ingest::{parse_id, render_id};

const DATABASE: &str = "case.db";
const INDEX: &str = "index";

/// An open case folder.
pub struct Case {
    dir: PathBuf,
    store: Store,
    index: CaseIndex,
}

/// Which generation a case answered from ([`Case::freshen`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Freshness {
    /// The store's: messages, notes, stats.
    pub generation: u64,
    /// The search index's; lower than `generation` means searches miss
    /// the newest run's messages for now.
    pub searched: u64,
}

impl Case {
    /// Opens an existing case. When its index lags the database (an ingest
    /// was interrupted between the two commits) it is rebuilt first;
    /// `progress` hears about it.
    pub fn open(dir: &Path, progress: &mut dyn Progress) -> Result<Case, AppError> {
        if !dir.join(DATABASE).is_file() {
            return Err(AppError::NotACase(dir.to_path_buf()));
        }
        Case::open_or_create(dir, progress)
    }

    /// Opens a case, creating the folder and an empty case when missing.
    pub fn open_or_create(dir: &Path, progress: &mut dyn Progress) -> Result<Case, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Io(dir.to_path_buf(), e))?;
        let store = Store::open(&dir.join(DATABASE))?;
        let index = CaseIndex::open_or_create(&dir.join(INDEX))?;
        let case = Case { dir: dir.to_path_buf(), store, index };
        case.catch_up_index(progress)?;
        Ok(case)
    }

    /// Loads what another process committed since (an ingest while the
    /// workbench runs) and says which generation each half of the case is
    /// at: the search index trails the store while an ingest is between
    /// its two commits, or after one was killed there (rebuilt on the
    /// next open).
    pub fn freshen(&self) -> Result<Freshness, AppError> {
        let searched = self.index.refresh()?.and_then(|p| p.parse().ok()).unwrap_or(0);
        let generation = self.store.generation()?;
        Ok(Freshness { generation, searched })
    }

    fn catch_up_index(&self, progress: &mut dyn Progress) -> Result<(), AppError> {
        let generation = self.store.generation()?;
        let indexed =
            self.index.committed_payload()?.and_then(|p| p.parse::<u64>().ok()).unwrap_or(0);
        if generation != indexed {
            trove_ingest::reindex(&self.store, &self.index, progress)?;
        }
        Ok(())
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
        let mut message = MessageOutput::from_stored(stored, with_source);
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
