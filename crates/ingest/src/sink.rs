//! The sink that turns reader output into store rows and index documents.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use trove_index::{IndexDoc, Writer};
use trove_model::{AccountRef, Attachment, Record, RecordKind};
use trove_readers::{Format, Input, Notice, Sink, Skip, Stop};
use trove_store::{Extra, NewMessage, NewSource, RunSummary, RunWriter};

use crate::media::MediaFiles;
use crate::pairing::{Aligners, Paired, PairingReport};
use crate::reading::Reingest;
use crate::skips::SkipLog;
use crate::{IngestError, Progress, ReadBefore, key};

/// Translation mode: records pair with original messages.
pub(crate) struct Translating {
    pub originals: Originals,
    pub lang: String,
    /// The originals as the user named them, for reasons.
    pub reference: String,
    pub aligners: Aligners,
    pub report: PairingReport,
}

/// Where a translated record's originals are.
pub(crate) enum Originals {
    /// One source (a file or a zip) holds them all.
    Source(i64),
    /// A folder: each translated file pairs with the source of the same
    /// path relative to it.
    Folder(HashMap<String, i64>),
}

pub(crate) struct IngestSink<'r, 's> {
    translating: Option<Translating>,
    /// Rows that gained a translation in this run (re-indexed at the end).
    translated: Vec<i64>,
    /// Rows that lost a translation to `--replace` (re-indexed at the end).
    untranslated: Vec<i64>,
    /// What to do with a file read before with other options.
    reingest: Reingest,
    /// Files hashed and checked against earlier readings, with their
    /// SHA-256 and size.
    claimed: HashMap<PathBuf, (String, u64)>,
    run: &'r mut RunWriter<'s>,
    writer: &'r mut trove_index::Writer,
    pub progress: &'r mut dyn Progress,
    interrupted: &'r AtomicBool,
    current: Option<CurrentInput>,
    /// Source rows by file on disk.
    sources: HashMap<PathBuf, i64>,
    /// The entry (within the current input) and source row last looked up.
    last_source: Option<(Option<String>, i64)>,
    summary: RunSummary,
    skipped: SkipLog,
    /// What the readers gave for the current input, by attribution.
    pub tally: trove_readers::Tally,
    /// The first notices of the run (all are counted in `summary`).
    notices: Vec<Notice>,
    error: Option<IngestError>,
    /// Content keys seen at the current timestamp, to number identical
    /// records within a source (see `key::record_key`).
    occurrences: HashMap<i64, u32>,
    occurrence_ms: i64,
    stored: u64,
    /// The input being read, where attached files are hashed from.
    input: Option<&'r Input>,
    pub media: MediaFiles,
    /// Messages of the current file whose text holds U+FFFD, not yet
    /// reported (see [`IngestSink::note_replacement`]).
    replacements: Option<Replacements>,
}

/// Messages of one file whose text holds the replacement character.
struct Replacements {
    file: String,
    /// The first such record's offset.
    offset: u64,
    count: u64,
}

/// What a run's sink gathered.
pub(crate) struct Finished {
    pub summary: RunSummary,
    pub skipped: SkipLog,
    pub notices: Vec<Notice>,
    pub sources: u64,
}

/// How many notices a run keeps to show; the rest are counted only.
const NOTICES_KEPT: usize = 1000;

struct CurrentInput {
    input_path: PathBuf,
    kind: trove_readers::InputKind,
    format: &'static str,
    platform: &'static str,
    reader_version: u32,
    label: String,
    /// The run's reading options for this input (see `reading`).
    reading: String,
}

/// A path's bytes when it is not UTF-8 (kept so that `verify` opens the
/// very file), else `None`.
fn exact_bytes(path: &std::path::Path) -> Option<Vec<u8>> {
    if path.to_str().is_some() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(path.as_os_str().as_bytes().to_vec())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

pub(crate) fn has_link(text: &str) -> bool {
    text.contains("http://") || text.contains("https://") || text.contains("www.")
}

/// What the index reads of a message: its text (with any translations)
/// followed by the names of its attached files, one per line, so that a
/// file name finds the message.
pub(crate) fn searchable_text<'a>(text: &'a str, attachments: &[Attachment]) -> Cow<'a, str> {
    let names = attachments.iter().map(|a| a.name.as_str()).filter(|n| !n.is_empty());
    if names.clone().next().is_none() {
        return Cow::Borrowed(text);
    }
    let mut joined = text.to_string();
    for name in names {
        joined.push('\n');
        joined.push_str(name);
    }
    Cow::Owned(joined)
}

/// The index document of a stored message. `text` is what
/// [`searchable_text`] made of it; `own_text` the message's own text.
#[allow(clippy::too_many_arguments)]
pub(crate) fn index_doc<'a>(
    row: i64,
    text: &'a str,
    own_text: &str,
    sent_at_ms: i64,
    sender: Option<i64>,
    conversation: i64,
    source: i64,
    platform: &'a str,
    extra: &Extra,
) -> IndexDoc<'a> {
    IndexDoc {
        row: row as u64,
        text,
        sent_at_ms,
        sender: sender.map(|s| s as u64),
        conversation: conversation as u64,
        source: source as u64,
        platform,
        has_link: !extra.urls.is_empty() || has_link(own_text),
        has_attachment: !extra.attachments.is_empty(),
        lang: None,
    }
}

/// SHA-256 (hex) and size of a file, streamed.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    trove_readers::media::sha256_hex(&mut file)
}

impl<'r, 's> IngestSink<'r, 's> {
    pub fn new(
        run: &'r mut RunWriter<'s>,
        writer: &'r mut Writer,
        progress: &'r mut dyn Progress,
        interrupted: &'r AtomicBool,
        translating: Option<Translating>,
        skipped: SkipLog,
        reingest: Reingest,
    ) -> Self {
        IngestSink {
            translating,
            translated: Vec::new(),
            untranslated: Vec::new(),
            reingest,
            claimed: HashMap::new(),
            run,
            writer,
            progress,
            interrupted,
            current: None,
            sources: HashMap::new(),
            last_source: None,
            summary: RunSummary::default(),
            skipped,
            tally: trove_readers::Tally::default(),
            notices: Vec::new(),
            error: None,
            occurrences: HashMap::new(),
            occurrence_ms: i64::MIN,
            stored: 0,
            input: None,
            replacements: None,
            media: MediaFiles::new(None),
        }
    }

    pub fn begin_input(
        &mut self,
        input: &'r Input,
        format: &'static dyn Format,
        label: &str,
        reading: String,
    ) {
        self.report_replacements();
        self.input = Some(input);
        self.current = Some(CurrentInput {
            input_path: input.path().to_path_buf(),
            kind: input.kind().clone(),
            format: format.name(),
            platform: format.platform(),
            reader_version: format.version(),
            label: label.to_string(),
            reading,
        });
        self.occurrences.clear();
        self.last_source = None;
    }

    pub fn take_error(&mut self) -> Option<IngestError> {
        self.error.take()
    }

    /// What pairing came to, in translation mode.
    pub fn pairing(&mut self) -> Option<PairingReport> {
        let translating = self.translating.as_mut()?;
        let mut report = std::mem::take(&mut translating.report);
        report.originals_untranslated = translating.aligners.untranslated();
        Some(report)
    }

    pub fn finish(mut self) -> Finished {
        self.report_replacements();
        Finished {
            summary: self.summary,
            skipped: self.skipped,
            notices: self.notices,
            sources: self.sources.len() as u64,
        }
    }

    /// Counts a message whose text holds U+FFFD. Text readers decode bytes
    /// that are not UTF-8 as that character, so the user hears how many
    /// messages of which file hold it rather than meeting `�` in a quote;
    /// one notice per file.
    fn note_replacement(&mut self, record: &Record) {
        let Some(input) = self.input else { return };
        let name = record.locator.entry.as_deref().unwrap_or_default();
        let file = input.display_entry(name);
        match &mut self.replacements {
            Some(open) if open.file == file => open.count += 1,
            _ => {
                self.report_replacements();
                self.replacements =
                    Some(Replacements { file, offset: record.locator.offset, count: 1 });
            }
        }
    }

    /// Passes the current file's count of U+FFFD messages on as a notice.
    fn report_replacements(&mut self) {
        let Some(Replacements { file, offset, count }) = self.replacements.take() else { return };
        let notice = Notice {
            file,
            offset,
            kind: trove_readers::NoticeKind::ReplacementCharacters,
            count,
            reason: format!(
                "{count} message(s) hold U+FFFD (�), the replacement character: bytes that were \
                 not UTF-8 in the source were replaced by it, or the source held it; the source's \
                 bytes are unchanged"
            ),
        };
        trove_readers::Sink::notice(self, notice);
    }

    /// The source row for the file holding `entry`, hashing it on first sight.
    fn source_row(&mut self, entry: Option<&str>) -> Result<i64, IngestError> {
        // Records come file by file: the last answer is almost always the
        // one wanted, without building and hashing the file's path.
        if let Some((last_entry, row)) = &self.last_source
            && last_entry.as_deref() == entry
        {
            return Ok(*row);
        }
        let row = self.find_source_row(entry)?;
        self.last_source = Some((entry.map(String::from), row));
        Ok(row)
    }

    fn find_source_row(&mut self, entry: Option<&str>) -> Result<i64, IngestError> {
        let Some(current) = &self.current else {
            return Err(IngestError::Read(trove_readers::ReadError::invalid("", None, "no input")));
        };
        // For folders the reader records no entry: the record's file is
        // the source, named by the locator's json path or the single file.
        let file = match (&current.kind, entry, self.input) {
            // The member's exact path: its entry name shows odd bytes as \xNN.
            (trove_readers::InputKind::Dir, Some(entry), Some(input)) => input.source_of(entry).0,
            (trove_readers::InputKind::Dir, Some(entry), None) => current.input_path.join(entry),
            _ => current.input_path.clone(),
        };
        if let Some(&row) = self.sources.get(&file) {
            return Ok(row);
        }
        let (sha256, size) = self.claim(&file)?;
        let Some(current) = &self.current else {
            return Err(IngestError::Read(trove_readers::ReadError::invalid("", None, "no input")));
        };
        let shown = trove_readers::utf8::path_text(&file);
        let exact = exact_bytes(&file);
        let row = self.run.source(
            &NewSource {
                path: &shown,
                path_bytes: exact.as_deref(),
                sha256: &sha256,
                size,
                format: current.format,
                reader_version: current.reader_version,
                label: &current.label,
                options: &current.reading,
            },
            &crate::now(),
        )?;
        self.sources.insert(file, row);
        Ok(row)
    }

    /// Checks the current input against earlier readings before it is
    /// read, when it is one file or one zip (a folder's files are checked
    /// as each is first met, by [`Self::claim`]).
    pub fn claim_input(&mut self) -> Result<(), IngestError> {
        let Some(current) = &self.current else { return Ok(()) };
        if matches!(current.kind, trove_readers::InputKind::Dir) {
            return Ok(());
        }
        let file = current.input_path.clone();
        self.claim(&file).map(|_| ())
    }

    /// Hashes `file` once per run and settles its earlier readings (the
    /// same bytes recorded by earlier runs, wherever they lay): with other
    /// options and neither `--again` nor `--replace`, the run stops; with
    /// `--replace` they are removed, with their records, now. Returns the
    /// file's SHA-256 and size.
    fn claim(&mut self, file: &std::path::Path) -> Result<(String, u64), IngestError> {
        if let Some(claimed) = self.claimed.get(file) {
            return Ok(claimed.clone());
        }
        let display = file.display().to_string();
        let (sha256, size) = sha256_file(file)
            .map_err(|e| IngestError::Read(trove_readers::ReadError::io(&display, e)))?;
        let earlier = self.run.earlier_readings(&sha256)?;
        let reading = self.current.as_ref().map(|c| c.reading.as_str()).unwrap_or("");
        match self.reingest {
            Reingest::Refuse => {
                let conflicting = crate::reading::conflicting(&earlier, reading);
                if !conflicting.is_empty() {
                    let mut read = ReadBefore {
                        file: display,
                        options: reading.to_string(),
                        earlier: Vec::with_capacity(conflicting.len()),
                    };
                    for earlier in conflicting {
                        let holds = self.run.source_holds(earlier.row)?;
                        read.earlier.push((earlier.clone(), holds));
                    }
                    return Err(IngestError::ReadBefore(Box::new(read)));
                }
            }
            Reingest::Again => {}
            Reingest::Replace => {
                for earlier in &earlier {
                    let replaced = self.run.replace_source(earlier.row)?;
                    let gone: u64 = replaced.rows.len() as u64;
                    let rows: Vec<u64> = replaced.rows.iter().map(|&row| row as u64).collect();
                    self.writer.delete_rows(&rows)?;
                    if gone > 0 {
                        let removed = |row: &i64| replaced.rows.binary_search(row).is_ok();
                        self.translated.retain(|row| !removed(row));
                        self.untranslated.retain(|row| !removed(row));
                    }
                    self.untranslated.extend_from_slice(&replaced.untranslated);
                    self.summary.replaced.add(&replaced.counts);
                }
            }
        }
        self.claimed.insert(file.to_path_buf(), (sha256.clone(), size));
        Ok((sha256, size))
    }

    /// Re-indexes the messages that gained translations, and those that
    /// lost one to `--replace`; returns how many gained one.
    pub fn reindex_translated(&mut self) -> Result<u64, IngestError> {
        self.translated.sort_unstable();
        self.translated.dedup();
        let gained = self.translated.len() as u64;
        let mut changed = self.translated.clone();
        changed.extend_from_slice(&self.untranslated);
        changed.sort_unstable();
        changed.dedup();
        let rows: Vec<u64> = changed.iter().map(|&row| row as u64).collect();
        self.writer.delete_rows(&rows)?;
        for &row in &changed {
            let entry = self.run.index_entry(row)?;
            let text = searchable_text(&entry.text, &entry.extra.attachments);
            self.writer.add(&index_doc(
                row,
                &text,
                &entry.text,
                entry.sent_at_ms,
                entry.sender,
                entry.conversation,
                entry.source,
                &entry.platform,
                &entry.extra,
            ))?;
        }
        Ok(gained)
    }

    fn translate(&mut self, mut record: Record) -> Result<(), IngestError> {
        if !record.is_message() {
            return Ok(());
        }
        // As in `store`: a folder member is its own source, so the locator
        // needs no entry.
        let folder_entry = match self.current.as_ref().map(|c| &c.kind) {
            Some(trove_readers::InputKind::Dir) => record.locator.entry.take(),
            _ => None,
        };
        let source = self.source_row(folder_entry.as_deref())?;
        let file = self.current.as_ref().map(|c| c.input_path.clone()).unwrap_or_default();
        // The translated file's path relative to its input: the folder
        // member's entry, else the file's own name.
        let relative: String = match &folder_entry {
            Some(entry) => entry.to_string(),
            None => file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        };
        let sender = match &record.sender {
            Some(account) => Some(self.run.account(record.platform, account)?),
            None => None,
        };
        let Some(translating) = self.translating.as_mut() else { return Ok(()) };
        translating.report.records += 1;
        let original_source = match &translating.originals {
            Originals::Source(row) => Some(*row),
            Originals::Folder(by_path) => by_path.get(&relative).copied(),
        };
        let display = match &folder_entry {
            Some(entry) => file.join(&**entry).display().to_string(),
            None => file.display().to_string(),
        };
        let Some(original_source) = original_source else {
            translating.report.unpaired += 1;
            let reason = format!(
                "translation: no original file `{relative}` under {}",
                translating.reference
            );
            if !translating.report.files_without_original.contains(&relative) {
                translating.report.files_without_original.push(relative);
            }
            self.skipped.push(Skip { file: display, offset: record.locator.offset, reason });
            return Ok(());
        };
        let (lang, run) = (translating.lang.as_str(), &mut *self.run);
        let aligner = translating.aligners.get_or_load(original_source, || {
            run.translation_candidates(original_source, lang, source)
        })?;
        let paired = aligner.pair(sender, record.sent_at.utc_ms, &record.sent_at.original);
        let Some((row, how)) = paired else {
            translating.report.unpaired += 1;
            let reason = format!(
                "translation: no original message from {} near {:?} in {}",
                record.sender.as_ref().map(|s| &*s.native_id).unwrap_or("(nobody)"),
                record.sent_at.original,
                translating.reference
            );
            self.skipped.push(Skip { file: display, offset: record.locator.offset, reason });
            return Ok(());
        };
        match how {
            Paired::ByTime => translating.report.paired_by_time += 1,
            Paired::ByOrder => translating.report.paired_by_order += 1,
        }
        let inserted = self.run.attach_translation(
            row,
            &trove_store::NewTranslation {
                lang: &translating.lang,
                text: &record.text,
                source,
                locator: &record.locator,
            },
        )?;
        if inserted {
            self.translated.push(row);
        } else {
            self.summary.add_duplicates(trove_store::DUPLICATE_IN_CASE, 1);
        }
        Ok(())
    }

    fn store(&mut self, mut record: Record) -> Result<(), IngestError> {
        if self.translating.is_some() {
            if record.platform.is_empty() {
                record.platform = self.current.as_ref().map(|c| c.platform).unwrap_or("unknown");
            }
            return self.translate(record);
        }
        let platform = self.current.as_ref().map(|c| c.platform).unwrap_or("unknown");
        if record.platform.is_empty() {
            record.platform = platform;
        }
        // For folder inputs the entry is the file inside the folder; it
        // names the source, and the locator then needs no entry.
        let folder_entry = match self.current.as_ref().map(|c| &c.kind) {
            Some(trove_readers::InputKind::Dir) => record.locator.entry.take(),
            _ => None,
        };
        let source = self.source_row(folder_entry.as_deref())?;
        let (key, occurrence) = if record.native_id.is_some() {
            (key::record_key(&record, 0), 0)
        } else {
            if record.sent_at.utc_ms != self.occurrence_ms {
                self.occurrences.clear();
                self.occurrence_ms = record.sent_at.utc_ms;
            }
            let base = key::record_key(&record, 0);
            let seen = self.occurrences.entry(base).or_insert(0);
            let occurrence = *seen;
            *seen += 1;
            (if occurrence == 0 { base } else { key::record_key(&record, occurrence) }, occurrence)
        };
        // A case made before source scopes holds this export's records
        // under their unscoped keys, in a conversation with the empty scope:
        // found there, the record is not stored a second time.
        if self.run.has_pre_scope_twin(record.platform, &record.conversation)?
            && self.run.key_stored(key::pre_scope_key(&record, occurrence))?
        {
            self.summary.add_duplicates(trove_store::DUPLICATE_BEFORE_SCOPES, 1);
            return Ok(());
        }
        let renamed_at = matches!(record.kind, RecordKind::Event(trove_model::EventKind::Rename))
            .then_some(record.sent_at.utc_ms);
        let conversation =
            self.run.conversation(record.platform, &record.conversation, renamed_at)?;
        let sender = match &record.sender {
            Some(account) => Some(self.run.account(record.platform, account)?),
            None => None,
        };
        for target in &record.targets {
            self.run.account(record.platform, target)?;
        }
        let kind = match &record.kind {
            RecordKind::Message => "message",
            RecordKind::Event(kind) => kind.as_str(),
        };
        let mut extra = Extra {
            targets: std::mem::take(&mut record.targets),
            reactions: std::mem::take(&mut record.reactions),
            urls: std::mem::take(&mut record.urls),
            attachments: std::mem::take(&mut record.attachments),
            raw: record.raw.take(),
            edited_at: record.edited_at.take(),
            edits: std::mem::take(&mut record.edits),
            thread: record.thread.take(),
            forwarded_from: record.forwarded_from.take(),
            deleted: record.deleted,
        };
        if let Some(input) = self.input {
            for problem in self.media.fingerprint(input, &mut extra.attachments) {
                self.skipped.push(Skip {
                    file: input.display_entry(record.locator.entry.as_deref().unwrap_or("")),
                    offset: record.locator.offset,
                    reason: problem,
                });
            }
        }
        let inserted = self.run.message(&NewMessage {
            key,
            kind,
            conversation,
            native_id: record.native_id.as_deref(),
            sender,
            sent_at_ms: record.sent_at.utc_ms,
            ts_original: &record.sent_at.original,
            ts_basis: record.sent_at.basis.as_str(),
            ts_zone: record.sent_at.zone.as_deref(),
            text: &record.text,
            reply_to: record.reply_to.as_deref(),
            extra: &extra,
            source,
            locator: &record.locator,
        })?;
        let Some(row) = inserted else {
            let reason = self.run.duplicate_reason(key)?;
            self.summary.add_duplicates(reason, 1);
            return Ok(());
        };
        if record.is_message() {
            self.summary.messages_added += 1;
            let text = searchable_text(&record.text, &extra.attachments);
            self.writer.add(&index_doc(
                row,
                &text,
                &record.text,
                record.sent_at.utc_ms,
                sender,
                conversation,
                source,
                record.platform,
                &extra,
            ))?;
        } else {
            self.summary.events_added += 1;
        }
        self.stored += 1;
        if self.stored.is_multiple_of(4096) {
            self.progress.records(self.stored);
        }
        Ok(())
    }
}

impl Sink for IngestSink<'_, '_> {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        if self.interrupted.load(Ordering::Relaxed) {
            self.error = Some(IngestError::Interrupted);
            return Err(Stop("interrupted".into()));
        }
        self.tally.record(&record);
        if record.text.contains('\u{FFFD}') {
            self.note_replacement(&record);
        }
        match self.store(record) {
            Ok(()) => Ok(()),
            Err(e) => {
                let why = e.to_string();
                self.error = Some(e);
                Err(Stop(why))
            }
        }
    }

    fn skip(&mut self, skip: Skip) {
        self.tally.skips += 1;
        self.skipped.push(skip);
    }

    fn notice(&mut self, notice: Notice) {
        if let Some(reason) = notice.kind.duplicate_reason() {
            // A copy the reader collapsed never reaches the store: it is
            // counted here, with the duplicates the store refuses.
            self.summary.add_duplicates(reason, notice.count);
            return;
        }
        *self.summary.notices.entry(notice.kind.as_str().to_string()).or_insert(0) += notice.count;
        if self.notices.len() < NOTICES_KEPT {
            self.notices.push(notice);
        }
    }

    fn account(&mut self, account: AccountRef) {
        let platform = self.current.as_ref().map(|c| c.platform).unwrap_or("unknown");
        if let Err(e) = self.run.account(platform, &account) {
            self.error.get_or_insert(e.into());
        }
    }

    fn progress(&mut self, bytes_read: u64) {
        self.progress.bytes(bytes_read);
    }
}
