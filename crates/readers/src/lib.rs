//! Readers turn chat exports into [`Record`]s.
//!
//! Each format is one module implementing [`Format`]: `sniff` says how sure
//! it is that an [`Input`] is its format, `read` streams records into a
//! [`Sink`]. Readers do no I/O besides reading their input and know nothing of
//! storage. A record that cannot be read becomes a [`Skip`] with file, offset
//! and reason; only an input that cannot be read at all is a [`ReadError`].
//!
//! ```no_run
//! use trove_readers::{detect, Input, ReadOptions, VecSink};
//! let input = Input::open("archive.zip".as_ref())?;
//! let format = detect(&input)?;
//! let mut sink = VecSink::default();
//! format.read(&input, &ReadOptions::default(), &mut sink)?;
//! println!("{} records, {} skipped", sink.records.len(), sink.skips.len());
//! # Ok::<(), trove_readers::ReadError>(())
//! ```

mod bounded_lines;
mod detect;
pub mod discord;
pub mod entities;
mod error;
mod input;
mod intern;
pub mod irc;
pub mod jabber;
pub mod json_scan;
mod json_value;
pub mod matrix;
pub mod media;
pub mod messenger;
mod options;
pub mod rocketchat;
pub mod rsmf;
mod shape;
pub mod signal;
pub mod slack;
pub mod telegram;
pub mod template;
pub mod timefmt;
pub mod transcript;
pub mod twitter;
pub mod utf8;
pub mod whatsapp;

pub use detect::{
    Confidence, Detected, SAMPLE_RECORDS, Tally, Trial, UNPROVEN, detect, detect_named,
    detect_proven, formats, sample, unproven_error,
};
pub use error::ReadError;
pub use input::{EntryInfo, Input, InputKind, Limits, Link};
pub use options::{ColumnMap, ReadOptions};

use trove_model::{AccountRef, Record};

/// A record the reader could not read, reported and passed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// The file (or `container!entry`) it sits in.
    pub file: String,
    /// Byte offset of the unreadable part within that file or entry.
    pub offset: u64,
    /// Why it was skipped.
    pub reason: String,
}

/// What a [`Notice`] says was dropped, folded or assumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoticeKind {
    /// An optional field had a shape the reader does not know (`[]` where
    /// an object is usual, a number where text is): the field was dropped,
    /// the record kept.
    FieldDropped,
    /// Lines that are not headers were folded into the message before them
    /// (its multi-line body); `count` says how many.
    LinesFolded,
    /// A record repeating the id of one read earlier in the same read was
    /// collapsed into that first copy.
    SameId,
    /// A record repeating an earlier one of the same file byte for byte was
    /// collapsed into it.
    IdenticalRepeat,
    /// HTML character references in the text (`&#39;`, `&amp;`) were
    /// decoded for search and display; the source keeps them as written.
    EntitiesDecoded,
    /// Events with no conversation or content of their own (typing,
    /// presence, connection notices) were counted, not kept as records.
    EventsNotKept,
    /// Messages whose text holds U+FFFD, the replacement character: bytes
    /// of the source that were not UTF-8 were replaced by it (or the source
    /// held the character itself). Counted per file by ingest.
    ReplacementCharacters,
}

impl NoticeKind {
    /// A stable name, for JSON and counts.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::FieldDropped => "field_dropped",
            NoticeKind::LinesFolded => "lines_folded",
            NoticeKind::SameId => "same_id",
            NoticeKind::IdenticalRepeat => "identical_repeat",
            NoticeKind::EntitiesDecoded => "entities_decoded",
            NoticeKind::EventsNotKept => "events_not_kept",
            NoticeKind::ReplacementCharacters => "replacement_characters",
        }
    }

    /// For a collapsed copy, the duplicate reason the run summary counts it
    /// under; `None` for notices that lose no record.
    pub fn duplicate_reason(self) -> Option<&'static str> {
        match self {
            // The store's word for a key written twice in one run.
            NoticeKind::SameId => Some("same id within this run"),
            NoticeKind::IdenticalRepeat => Some("identical repeat in the same file"),
            NoticeKind::FieldDropped
            | NoticeKind::LinesFolded
            | NoticeKind::EntitiesDecoded
            | NoticeKind::EventsNotKept
            | NoticeKind::ReplacementCharacters => None,
        }
    }
}

/// A record that was kept, but not whole or not as written: a field
/// dropped for its shape, continuation lines folded into it, a copy of it
/// collapsed. Never silent, never a reason to lose the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The file (or `container!entry`) it sits in.
    pub file: String,
    /// Byte offset of the record (or of the first one concerned).
    pub offset: u64,
    /// What happened.
    pub kind: NoticeKind,
    /// How many things it stands for (folded lines; otherwise 1).
    pub count: u64,
    /// The detail, for a person (`rocketchat reactions (expected an object,
    /// found an array)`).
    pub reason: String,
}

/// Why a sink asked the reader to stop (e.g. the user interrupted the run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop(pub String);

/// Where a reader puts what it finds. Push-style, so a reader can stream a
/// huge file without building it in memory.
pub trait Sink {
    /// One record. An `Err` stops the reader, which returns
    /// [`ReadError::Stopped`].
    fn record(&mut self, record: Record) -> Result<(), Stop>;
    /// A record that could not be read.
    fn skip(&mut self, skip: Skip);
    /// Something dropped, folded or assumed in a record that was kept.
    fn notice(&mut self, _notice: Notice) {}
    /// An account whose labels the source states apart from its records
    /// (e.g. the archive owner in Twitter's `account.js`).
    fn account(&mut self, _account: AccountRef) {}
    /// Bytes of input consumed so far in the current entry, for progress.
    fn progress(&mut self, _bytes_read: u64) {}
}

/// A sink that collects everything; for tests and small inputs.
#[derive(Debug, Default)]
pub struct VecSink {
    /// Records in reading order.
    pub records: Vec<Record>,
    /// Skips in reading order.
    pub skips: Vec<Skip>,
    /// Accounts stated apart from records.
    pub accounts: Vec<AccountRef>,
    /// Notices in reading order.
    pub notices: Vec<Notice>,
}

impl Sink for VecSink {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        self.records.push(record);
        Ok(())
    }
    fn skip(&mut self, skip: Skip) {
        self.skips.push(skip);
    }
    fn notice(&mut self, notice: Notice) {
        self.notices.push(notice);
    }
    fn account(&mut self, account: AccountRef) {
        self.accounts.push(account);
    }
}

/// A sink that counts and keeps nothing; for timing a reader alone.
#[derive(Debug, Default)]
pub struct CountingSink {
    /// Records read.
    pub records: u64,
    /// Records skipped.
    pub skips: u64,
    /// The first skip, as `file: reason`.
    pub first_skip: Option<String>,
    /// Notices, summed by their `count`.
    pub notices: u64,
}

impl Sink for CountingSink {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        std::hint::black_box(&record);
        self.records += 1;
        Ok(())
    }
    fn skip(&mut self, skip: Skip) {
        self.skips += 1;
        self.first_skip.get_or_insert_with(|| format!("{}: {}", skip.file, skip.reason));
    }
    fn notice(&mut self, notice: Notice) {
        self.notices += notice.count;
    }
    fn account(&mut self, account: AccountRef) {
        std::hint::black_box(account);
    }
}

/// Tells `sink` that a field of the record at `offset` in `file` was not
/// read (`reason` says which and why); the record itself was kept. Called
/// after the record is handed on: with the report before, the hot path kept
/// the record alive across it and copied it.
#[cold]
pub(crate) fn field_dropped(sink: &mut dyn Sink, file: &str, offset: u64, reason: String) {
    sink.notice(Notice {
        file: file.to_string(),
        offset,
        kind: NoticeKind::FieldDropped,
        count: 1,
        reason,
    });
}

/// What a folder or zip reader makes of one member it could not read: a
/// skip naming the member, so the rest of the input is still read; with
/// `--strict` (or when the sink stopped the read) the error ends the input.
/// A single-file input has no rest to save: its error stands.
pub(crate) fn member_failed(
    input: &Input,
    result: Result<(), ReadError>,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    match result {
        Ok(()) => Ok(()),
        Err(error) if options.strict || *input.kind() == InputKind::File => Err(error),
        Err(error) => {
            sink.skip(error_as_skip(error)?);
            Ok(())
        }
    }
}

/// The skip for a file that could not be read (or not to its end), naming
/// the file and the offset where reading stopped; records it gave before
/// the error stay read, and the reason says so. Only errors about the
/// file's content or I/O become skips: a stopped read or a detection error
/// is given back.
pub fn error_as_skip(error: ReadError) -> Result<Skip, ReadError> {
    let (file, offset, reason) = match error {
        ReadError::Invalid { file, offset, reason } => (file, offset.unwrap_or(0), reason),
        ReadError::Io { file, source } => (file, 0, source.to_string()),
        other => return Err(other),
    };
    let reason = format!("file not read from this offset on: {reason}");
    Ok(Skip { file, offset, reason })
}

/// One export format.
pub trait Format: Sync {
    /// The `--format` name (`twitter`, `csv`, ...).
    fn name(&self) -> &'static str;
    /// The platform stored on records (see `trove_model::platform`).
    fn platform(&self) -> &'static str;
    /// The version of this reader, stored with each source so a case knows
    /// which reader produced its records.
    fn version(&self) -> u32 {
        1
    }
    /// How sure the reader is that `input` is its format, from names and
    /// first bytes only.
    fn sniff(&self, input: &Input) -> Confidence;
    /// Streams every record of `input` into `sink`.
    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError>;
}
