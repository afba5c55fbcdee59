//! `trove ingest --dry-run`: what each reader makes of each input, with
//! nothing written anywhere.
//!
//! Inputs are planned exactly as a real run plans them (same detection, same
//! folder walk, same skips), then read into a sink that only counts and keeps
//! the first few records and skips, so what it shows is what an ingest would
//! store.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use trove_model::{Record, RecordKind};
use trove_readers::{Notice, ReadError, Sink, Skip, Stop, Tally};

use crate::{IngestError, IngestOptions, plan};

/// How many records of each input are shown.
const FIRST_RECORDS: usize = 3;
/// How many skips of each input are shown (all are counted).
const FIRST_SKIPS: usize = 5;

/// What an ingest of the same paths would read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DryRun {
    /// Each planned input (a file group: a file, a folder or zip one reader
    /// reads whole).
    pub inputs: Vec<DryRunInput>,
    /// Files the folder walk found that no reader recognises or can read.
    pub skipped: Vec<Skip>,
    /// `Some(n)`: each input was read up to its first `n` records
    /// (`--sample N`); `None`: every input was read whole.
    pub sample: Option<u64>,
}

/// One planned input and what its reader made of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DryRunInput {
    /// The input's path.
    pub path: PathBuf,
    /// The reader.
    pub format: String,
    /// Detected rather than named with `--format`.
    pub detected: bool,
    /// Counts by attribution (exact when `complete`).
    pub tally: Tally,
    /// Whether the reader reached the end of the input (`false`: stopped
    /// at the sample size).
    pub complete: bool,
    /// The first skips, in reading order.
    pub first_skips: Vec<Skip>,
    /// The first records, in reading order.
    pub first_records: Vec<FirstRecord>,
    /// Records kept with something dropped, folded or decoded, counted by
    /// kind (`field_dropped`, `lines_folded`, …; folded lines by line).
    pub notice_counts: std::collections::BTreeMap<String, u64>,
    /// The first notices, in reading order.
    pub first_notices: Vec<Notice>,
}

impl DryRunInput {
    /// Whether a real run would refuse this input without `--accept-skips`.
    pub fn mostly_unattributed(&self) -> bool {
        self.tally.mostly_unattributed()
    }
}

/// A record as the source wrote it, unshortened (the printer shortens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstRecord {
    /// `message`, or the event kind.
    pub kind: String,
    /// The time exactly as the source wrote it.
    pub time: String,
    /// The sender's name, handle or id; `None` when the record has none.
    pub sender: Option<String>,
    /// The text.
    pub text: String,
}

impl FirstRecord {
    fn of(record: &Record) -> FirstRecord {
        FirstRecord {
            kind: match &record.kind {
                RecordKind::Message => "message".to_string(),
                RecordKind::Event(kind) => kind.as_str().to_string(),
            },
            time: record.sent_at.original.clone(),
            sender: record.sender.as_ref().map(|s| {
                s.display_name
                    .as_deref()
                    .or(s.handle.as_deref())
                    .unwrap_or(&s.native_id)
                    .to_string()
            }),
            text: record.text.clone(),
        }
    }
}

struct DrySink<'a> {
    tally: Tally,
    first_skips: Vec<Skip>,
    notice_counts: std::collections::BTreeMap<String, u64>,
    first_notices: Vec<Notice>,
    first_records: Vec<FirstRecord>,
    limit: Option<u64>,
    stopped: bool,
    interrupted: &'a AtomicBool,
}

impl Sink for DrySink<'_> {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        if self.interrupted.load(Ordering::Relaxed) {
            return Err(Stop("interrupted".into()));
        }
        self.tally.record(&record);
        if self.first_records.len() < FIRST_RECORDS {
            self.first_records.push(FirstRecord::of(&record));
        }
        if self.limit.is_some_and(|n| self.tally.read() >= n) {
            self.stopped = true;
            return Err(Stop("sample taken".into()));
        }
        Ok(())
    }

    fn skip(&mut self, skip: Skip) {
        self.tally.skips += 1;
        if self.first_skips.len() < FIRST_SKIPS {
            self.first_skips.push(skip);
        }
    }

    fn notice(&mut self, notice: Notice) {
        *self.notice_counts.entry(notice.kind.as_str().to_string()).or_insert(0) += notice.count;
        if self.first_notices.len() < FIRST_SKIPS {
            self.first_notices.push(notice);
        }
    }
}

/// Plans and reads `paths` as [`crate::ingest`] would, storing nothing:
/// every input whole, or up to its first `sample` records.
pub fn dry_run(
    paths: &[PathBuf],
    options: &IngestOptions,
    sample: Option<u64>,
    interrupted: &AtomicBool,
) -> Result<DryRun, IngestError> {
    let mut planned = Vec::new();
    let mut skipped = Vec::new();
    plan::plan_all(paths, options, &mut planned, &mut skipped)?;
    let mut inputs = Vec::with_capacity(planned.len());
    for plan::Planned { input, format, detected, walked, .. } in &planned {
        let mut sink = DrySink {
            tally: Tally::default(),
            first_skips: Vec::new(),
            notice_counts: std::collections::BTreeMap::new(),
            first_notices: Vec::new(),
            first_records: Vec::new(),
            limit: sample.filter(|&n| n > 0),
            stopped: false,
            interrupted,
        };
        match format.read(input, &options.read, &mut sink) {
            Ok(()) => {}
            Err(ReadError::Stopped(_)) if sink.stopped => {}
            Err(ReadError::Stopped(_)) => return Err(IngestError::Interrupted),
            Err(error) if *walked && !options.read.strict => {
                let skip = trove_readers::error_as_skip(error)?;
                sink.skip(skip);
            }
            Err(error) => return Err(error.into()),
        }
        inputs.push(DryRunInput {
            path: input.path().to_path_buf(),
            format: format.name().to_string(),
            detected: *detected,
            tally: sink.tally,
            complete: !sink.stopped,
            first_skips: sink.first_skips,
            first_records: sink.first_records,
            notice_counts: sink.notice_counts,
            first_notices: sink.first_notices,
        });
    }
    Ok(DryRun { inputs, skipped, sample: sample.filter(|&n| n > 0) })
}
