//! Ingest runs.
//!
//! [`ingest`] opens each input, picks its reader, streams the records into
//! the store and the index, and commits both, or neither. A run is one store
//! transaction: killed at any moment, the case holds nothing of the run; the
//! index commit that follows records the store generation it reflects, and a
//! case whose index lags is re-indexed from the store on open ([`reindex`]).
//!
//! Memory stays bounded: readers stream, records go straight to SQLite and
//! to tantivy's bounded indexing buffer, and de-duplication relies on the
//! store's unique key rather than an in-memory set.

mod dry_run;
mod key;
pub mod lock;
mod media;
pub mod pairing;
mod plan;
pub mod reading;
mod sink;
pub mod skips;
pub mod space;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use trove_index::{CaseIndex, IndexError};
use trove_readers::{Notice, ReadError, ReadOptions, Tally};
use trove_store::{
    Committed, EarlierReading, Orphaned, Replaced, RunSummary, SourceHolds, Store, StoreError,
};

pub use dry_run::{DryRun, DryRunInput, FirstRecord, dry_run};
pub use key::{parse_id, record_key, render_id};
pub use media::stored_path;
pub use reading::Reingest;
pub use sink::sha256_file;

/// What went wrong in a run. Nothing of the run was kept.
#[derive(Debug)]
pub enum IngestError {
    /// An input could not be read.
    Read(ReadError),
    /// The case database failed.
    Store(StoreError),
    /// The index failed.
    Index(IndexError),
    /// The user interrupted the run.
    Interrupted,
    /// Every record of the run was skipped: nothing was read. The skips
    /// say why (the first ones in full, all counted by kind of reason).
    NothingRead(skips::Skips),
    /// The case's folder has less free space than the run is estimated to
    /// need (`--no-space-check` skips the estimate).
    NoSpace {
        /// The case folder.
        folder: PathBuf,
        /// The estimate and the free space.
        check: space::SpaceCheck,
    },
    /// The case folder could not be used (its lock file, its free space).
    Io(PathBuf, std::io::Error),
    /// The store committed the run (generation `generation`), but the
    /// index could not: searches miss the run until the index is rebuilt
    /// from the store (on the next open, or by `trove repair`).
    IndexLags {
        /// The store's generation, with the run.
        generation: u64,
        /// Why the index failed.
        error: IndexError,
    },
    /// Some inputs were read mostly as skips or records without a sender
    /// (a reader misreading its input looks like this), and the user did
    /// not pass `--accept-skips`. Nothing of the run was kept.
    MostlyUnattributed(Vec<InputReport>),
    /// A file the case holds from an earlier run, read then with other
    /// options: read again, its records would be stored a second time
    /// under new keys. Neither `--again` nor `--replace` was given.
    /// Nothing of the run was kept.
    ReadBefore(Box<ReadBefore>),
}

/// A file already in the case under other reading options
/// ([`IngestError::ReadBefore`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadBefore {
    /// The file as this run names it.
    pub file: String,
    /// This run's reading options (see [`reading`]).
    pub options: String,
    /// The earlier readings of the same bytes, with what each holds.
    pub earlier: Vec<(EarlierReading, SourceHolds)>,
}

impl std::fmt::Display for ReadBefore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is already in the case, read with other options: ", self.file)?;
        for (i, (earlier, holds)) in self.earlier.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            let (then, now) = reading::differences(&earlier.options, &self.options);
            write!(f, "ingested {}", earlier.ingested_at)?;
            if earlier.path != self.file {
                write!(f, " from {}", earlier.path)?;
            }
            write!(f, " with {then} ({} messages, {} events", holds.messages, holds.events)?;
            if holds.translations > 0 {
                write!(f, ", {} translations", holds.translations)?;
            }
            write!(f, "), now with {now}")?;
        }
        write!(
            f,
            "; read again, its records may be stored a second time under new ids; nothing of \
             this run was kept"
        )
    }
}

impl std::fmt::Display for IngestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IngestError::Read(e) => write!(f, "{e}"),
            IngestError::Store(e) => write!(f, "{e}"),
            IngestError::Index(e) => write!(f, "{e}"),
            IngestError::Interrupted => write!(f, "interrupted: nothing of this run was kept"),
            IngestError::NoSpace { folder, check } => write!(
                f,
                "not enough free space in {} for this run: about {} needed ({} of messages{}), \
                 {} free, short by {}; nothing was written",
                folder.display(),
                space::human_bytes(check.needed),
                space::human_bytes(check.input_bytes),
                if check.media_bytes > 0 {
                    format!(" and {} of attachments", space::human_bytes(check.media_bytes))
                } else {
                    String::new()
                },
                space::human_bytes(check.available),
                space::human_bytes(check.needed - check.available.min(check.needed)),
            ),
            IngestError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            IngestError::NothingRead(skips) => {
                write!(f, "nothing could be read: {} record(s) skipped", skips.total)?;
                let mut kinds: Vec<(&String, &u64)> = skips.by_reason.iter().collect();
                kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                for (n, (kind, count)) in kinds.iter().take(3).enumerate() {
                    write!(f, "{} {count} × {kind}", if n == 0 { ":" } else { ";" })?;
                }
                if kinds.len() > 3 {
                    write!(f, "; {} other kind(s) of reason", kinds.len() - 3)?;
                }
                if let Some(first) = skips.kept.first() {
                    write!(f, " (first: {} at byte {})", first.file, first.offset)?;
                }
                write!(f, "; nothing of this run was kept")
            }
            IngestError::IndexLags { generation, error } => write!(
                f,
                "the run was stored (case generation {generation}) but the search index could \
                 not be updated ({error}); searches miss its messages until `trove repair` \
                 rebuilds the index"
            ),
            IngestError::MostlyUnattributed(inputs) => write!(
                f,
                "{} input(s) read mostly as skips or records without a sender ({}): nothing of \
                 this run was kept",
                inputs.len(),
                inputs
                    .iter()
                    .map(|i| format!("{} as {}: {}", i.path.display(), i.format, i.tally))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            IngestError::ReadBefore(read) => write!(f, "{read}"),
        }
    }
}

impl std::error::Error for IngestError {}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        IngestError::Store(e)
    }
}

impl From<IndexError> for IngestError {
    fn from(e: IndexError) -> Self {
        IngestError::Index(e)
    }
}

impl From<ReadError> for IngestError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Stopped(_) => IngestError::Interrupted,
            other => IngestError::Read(other),
        }
    }
}

/// Where a run reports what it is doing. Every method has a do-nothing
/// default, so a quiet run passes `&mut ()`.
pub trait Progress {
    /// Starting on `path`, read as `format`; `bytes` is its total size.
    fn input(&mut self, _path: &Path, _format: &str, _bytes: u64) {}
    /// Bytes of the current entry read so far.
    fn bytes(&mut self, _read: u64) {}
    /// Records stored so far in the run.
    fn records(&mut self, _stored: u64) {}
    /// Committing.
    fn committing(&mut self) {}
    /// Another process is ingesting into the case (`holder` names it); the
    /// run waits for it.
    fn waiting(&mut self, _holder: &str) {}
}

impl Progress for () {}

/// What the run is told by the user.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// Reader name, or `None` for detection.
    pub format: Option<String>,
    /// Options for the readers.
    pub read: ReadOptions,
    /// The command line, recorded with the run.
    pub command: String,
    /// Read the inputs as a translated copy of an ingested source
    /// (`--translation-of SOURCE --lang CODE`).
    pub translation: Option<TranslationOf>,
    /// Copy the attached files found in the inputs into this folder, by
    /// content (`--copy-media`); `None` records their hashes only.
    pub media_dir: Option<PathBuf>,
    /// Commit inputs read mostly as skips or records without a sender
    /// (`--accept-skips`); without it such a run keeps nothing.
    pub accept_skips: bool,
    /// The label of every input of the run (`--label`), for the `source:`
    /// filter and facet; `None` labels each input by its file or folder
    /// name.
    pub label: Option<String>,
    /// How many skips the report keeps in full (`--keep-skips`; `None`:
    /// [`skips::SKIPS_KEPT`]). All are counted, by kind of reason.
    pub skips_kept: Option<usize>,
    /// Start even when the case folder's free space looks too small for
    /// the run (`--no-space-check`).
    pub skip_space_check: bool,
    /// What to do with a file the case holds from an earlier run, read then
    /// with other options (`--again`, `--replace`; refused by default).
    pub reingest: Reingest,
}

/// A translated copy: which source it translates, into which language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslationOf {
    /// The original source: its path as ingested, or its SHA-256 (a prefix
    /// of at least 8 characters will do).
    pub source: String,
    /// Language code of the translation (`en`).
    pub lang: String,
}

/// One input and the reader chosen for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputReport {
    /// The path as given.
    pub path: PathBuf,
    /// The reader used.
    pub format: String,
    /// Whether it was detected (rather than named with `--format`).
    pub detected: bool,
    /// What the reader gave, by attribution; skips of files a folder walk
    /// found unreadable or unrecognised are in the run's skips, not here.
    pub tally: Tally,
}

impl InputReport {
    /// More than half of what was read is skips or records without a
    /// sender ([`Tally::mostly_unattributed`]).
    pub fn mostly_unattributed(&self) -> bool {
        self.tally.mostly_unattributed()
    }
}

/// The result of a committed run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Source files recorded (new or already known).
    pub sources: u64,
    /// Counts.
    pub summary: RunSummary,
    /// Records the readers could not read: the first ones in full, all of
    /// them counted by kind of reason.
    pub skipped: skips::Skips,
    /// Records kept with something dropped, folded or assumed (the first
    /// 1000; `summary.notices` counts them all). Collapsed copies are
    /// counted as duplicates instead.
    pub notices: Vec<Notice>,
    /// Inputs and their readers.
    pub inputs: Vec<InputReport>,
    /// Case generation after the run.
    pub generation: u64,
    /// Translations attached to original messages.
    pub translations_added: u64,
    /// How the translated records paired, in translation mode.
    pub pairing: Option<pairing::PairingReport>,
    /// Distinct attached files found in the inputs and hashed.
    pub media_files: u64,
    /// Files copied into the case's media folder.
    pub media_copied: u64,
    /// Earlier readings removed by `--replace` (also in `summary`).
    pub replaced: Replaced,
    /// Annotations `--replace` left pointing at no message (also in
    /// `summary`).
    pub orphaned: Orphaned,
}

/// Memory for tantivy's indexing buffer during a run.
const INDEX_HEAP_BYTES: usize = 256 * 1024 * 1024;

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// Reads `paths` into the case. Either everything is committed (store and
/// index), or, on any error or interruption, nothing.
pub fn ingest(
    store: &mut Store,
    index: &CaseIndex,
    paths: &[PathBuf],
    options: &IngestOptions,
    progress: &mut dyn Progress,
    interrupted: &AtomicBool,
) -> Result<IngestReport, IngestError> {
    let folder = store.path().parent().map(Path::to_path_buf).unwrap_or_default();
    let Some(_lock) = lock::acquire(&folder, &options.command, interrupted, &mut |holder| {
        progress.waiting(holder)
    })
    .map_err(|e| IngestError::Io(folder.join(lock::LOCK_FILE), e))?
    else {
        return Err(IngestError::Interrupted);
    };
    // Open and detect everything first: a bad input fails before any work.
    let mut inputs = Vec::with_capacity(paths.len());
    let mut unrecognised = Vec::new();
    plan::plan_all(paths, options, &mut inputs, &mut unrecognised)?;
    if !options.skip_space_check {
        check_space(store, &folder, &inputs, options)?;
    }
    let reserve = space::Reserve::take(&folder)
        .map_err(|e| IngestError::Io(folder.join(space::RESERVE_FILE), e))?;

    let started = now();
    let mut run = store.begin_run(&options.command, &started)?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
    let mut writer = index.writer(threads, INDEX_HEAP_BYTES)?;
    let mut report = IngestReport::default();
    let translation = match &options.translation {
        Some(of) => Some(sink::Translating {
            originals: resolve_originals(&run, &of.source)?,
            lang: of.lang.clone(),
            reference: of.source.clone(),
            aligners: pairing::Aligners::default(),
            report: pairing::PairingReport::default(),
        }),
        None => None,
    };
    // Files nobody recognised come first, as they were found first.
    let mut skipped = skips::SkipLog::new(options.skips_kept.unwrap_or(skips::SKIPS_KEPT));
    for skip in unrecognised {
        skipped.push(skip);
    }
    let mut sink = sink::IngestSink::new(
        &mut run,
        &mut writer,
        progress,
        interrupted,
        translation,
        skipped,
        options.reingest,
    );
    sink.media = media::MediaFiles::new(options.media_dir.clone());
    // Every input that is one file (or one zip) is hashed and checked
    // against earlier readings before anything is read: a file read before
    // with other options stops the run here, and `--replace` removes the
    // earlier reading. A folder's files are checked as each is first met.
    for plan::Planned { input, format, label, .. } in &inputs {
        sink.begin_input(input, *format, label, options.reading_options(format.name()));
        sink.claim_input()?;
    }
    for plan::Planned { input, format, detected, walked, label } in &inputs {
        let total: u64 = input.entries().iter().map(|e| e.size).sum();
        sink.progress.input(input.path(), format.name(), total);
        sink.begin_input(input, *format, label, options.reading_options(format.name()));
        let result = format.read(input, &options.read, &mut sink);
        if let Some(error) = sink.take_error() {
            return Err(error);
        }
        match result {
            // One file of a walked folder: the rest of the folder goes on.
            Err(error) if *walked && !options.read.strict => {
                let skip = trove_readers::error_as_skip(error)?;
                trove_readers::Sink::skip(&mut sink, skip);
            }
            other => other?,
        }
        report.inputs.push(InputReport {
            path: input.path().to_path_buf(),
            format: format.name().to_string(),
            detected: *detected,
            tally: std::mem::take(&mut sink.tally),
        });
    }
    let misread: Vec<InputReport> =
        report.inputs.iter().filter(|i| i.mostly_unattributed()).cloned().collect();
    if !misread.is_empty() && !options.accept_skips {
        // Dropping the run rolls the store back; the index writer is never
        // committed.
        return Err(IngestError::MostlyUnattributed(misread));
    }
    sink.progress.committing();
    report.translations_added = sink.reindex_translated()?;
    report.pairing = sink.pairing();
    report.media_files = sink.media.hashed();
    report.media_copied = sink.media.copied;
    let sink::Finished { mut summary, skipped, notices, sources } = sink.finish();
    report.skipped = skipped.finish();
    report.notices = notices;
    report.sources = sources;
    report.replaced = summary.replaced;
    if summary.messages_added + summary.events_added + summary.duplicates == 0
        && report.translations_added == 0
        && report.skipped.total > 0
    {
        // Even with --accept-skips: there is nothing to keep, and an exit
        // status of 0 would tell a script that the input was read.
        return Err(IngestError::NothingRead(report.skipped));
    }
    // The index finishes and flushes its segments while the store prepares
    // its commit (building its secondary indexes): the two slowest steps of
    // a large run, on different cores. Only when both are ready does the
    // store commit, so that a full disk or an I/O error in either leaves
    // the case as it was; the index becomes visible after the store,
    // stamped with the store's new generation.
    let (prepared_run, prepared_index) = std::thread::scope(|scope| {
        let preparing = scope.spawn(move || writer.prepare());
        let prepared_run = run.prepare(&mut summary, &now());
        (prepared_run, preparing.join())
    });
    let prepared_index = prepared_index
        .map_err(|_| {
            IndexError::internal("preparing the index commit: an indexing thread panicked")
        })
        .and_then(|prepared| prepared);
    // Dropping either half rolls both back: the store's transaction ends
    // without a commit, and the index's prepared segments are never named
    // in a commit (tantivy removes them at the next writer).
    let (prepared_run, Committed { generation, dropped }) = prepared_run?;
    let mut prepared_index = prepared_index?;
    // Records the store found repeated at commit were indexed as they came.
    let dropped: Vec<u64> = dropped.iter().map(|&row| row as u64).collect();
    prepared_index.delete_rows(&dropped)?;
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(IngestError::Interrupted);
    }
    prepared_run.commit()?;
    drop(reserve);
    report.orphaned = summary.orphaned;
    report.summary = summary;
    // The store has committed: from here on the run is in the case. An
    // index that fails now only lags, which the next open (or `trove
    // repair`) rebuilds from the store, and searches say so until then.
    if let Err(error) = prepared_index.commit(&generation.to_string()).and_then(|()| index.reload())
    {
        return Err(IngestError::IndexLags { generation, error });
    }
    report.generation = generation;
    Ok(report)
}

/// Refuses a run the case folder's free space is estimated not to hold.
fn check_space(
    store: &Store,
    folder: &Path,
    inputs: &[plan::Planned],
    options: &IngestOptions,
) -> Result<(), IngestError> {
    let available =
        space::available(folder).map_err(|e| IngestError::Io(folder.to_path_buf(), e))?;
    let entries = inputs.iter().flat_map(|planned| planned.input.entries());
    let check = space::estimate(entries, store.is_empty()?, options.media_dir.is_some(), available);
    if check.short() {
        return Err(IngestError::NoSpace { folder: folder.to_path_buf(), check });
    }
    Ok(())
}

/// The originals `--translation-of REFERENCE` names: one source (its path
/// as ingested, or its SHA-256), or a folder whose files were ingested.
fn resolve_originals(
    run: &trove_store::RunWriter<'_>,
    reference: &str,
) -> Result<sink::Originals, IngestError> {
    let found = run.find_source(reference)?;
    match found.as_slice() {
        [(row, _)] => Ok(sink::Originals::Source(*row)),
        [] => {
            let under = run.sources_under(reference)?;
            if under.is_empty() {
                return Err(IngestError::Read(ReadError::invalid(
                    reference,
                    None,
                    "--translation-of names no ingested source or folder of sources (use a path \
                     as `trove stats` shows it, or a sha256)",
                )));
            }
            Ok(sink::Originals::Folder(under.into_iter().map(|(row, rel)| (rel, row)).collect()))
        }
        many => Err(IngestError::Read(ReadError::invalid(
            reference,
            None,
            format!(
                "--translation-of matches {} sources: {}",
                many.len(),
                many.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ))),
    }
}

/// Rebuilds the index from the store (after an interrupted run, or on
/// request). Returns the number of messages indexed.
pub fn reindex(
    store: &Store,
    index: &CaseIndex,
    progress: &mut dyn Progress,
) -> Result<u64, IngestError> {
    let generation = store.generation()?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
    let mut writer = index.writer(threads, INDEX_HEAP_BYTES)?;
    writer.delete_all()?;
    let translated = store.translated_texts()?;
    let mut count = 0u64;
    let mut failure: Option<IndexError> = None;
    let outcome = store.for_each_message(|m| {
        if m.kind != "message" {
            return Ok(());
        }
        let with_translations;
        let text = match translated.get(&m.row) {
            Some(extra) => {
                with_translations = format!("{}\n{extra}", m.text);
                &with_translations
            }
            None => &m.text,
        };
        let text = sink::searchable_text(text, &m.extra.attachments);
        let doc = sink::index_doc(
            m.row,
            &text,
            &m.text,
            m.sent_at_ms,
            m.sender_row,
            m.conversation_row,
            m.source_row,
            &m.platform,
            &m.extra,
        );
        if let Err(e) = writer.add(&doc) {
            failure = Some(e);
            return Err("index failed".into());
        }
        count += 1;
        if count.is_multiple_of(10_000) {
            progress.records(count);
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    if let Err(message) = outcome {
        return Err(IngestError::Read(ReadError::invalid("case", None, message)));
    }
    progress.committing();
    writer.commit(&generation.to_string())?;
    index.reload()?;
    Ok(count)
}
