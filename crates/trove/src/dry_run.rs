//! `trove ingest --dry-run`: printing what each reader makes of each input.

use serde::Serialize;
use trove_ingest::{DryRun, DryRunInput, FirstRecord};
use trove_readers::Skip;

use crate::terminal::{Style, sanitize};

/// How much of a record's text is shown.
const TEXT_CHARS: usize = 80;

/// `trove ingest --dry-run --json`.
#[derive(Debug, Serialize)]
pub struct DryRunOutput {
    /// `whole input` or `first N records`: what the counts cover.
    pub counts_from: String,
    /// Each planned input.
    pub inputs: Vec<DryRunInputOutput>,
    /// Files a folder walk found that no reader recognises or can read.
    pub skipped: Vec<SkipOutput>,
}

/// One planned input.
#[derive(Debug, Serialize)]
pub struct DryRunInputOutput {
    /// Path as given or found.
    pub path: String,
    /// Reader.
    pub format: String,
    /// Detected rather than named.
    pub detected: bool,
    /// Messages with a sender.
    pub messages: u64,
    /// Messages without a sender.
    pub messages_without_sender: u64,
    /// Events with an initiator.
    pub events: u64,
    /// Events without an initiator.
    pub events_without_sender: u64,
    /// Records that could not be read (all of them counted).
    pub skips: u64,
    /// The reader reached the end of the input.
    pub complete: bool,
    /// More than half skips or sender-less: an ingest refuses it without `--accept-skips`.
    pub mostly_unattributed: bool,
    /// The first skips.
    pub first_skips: Vec<SkipOutput>,
    /// The first records, text unshortened.
    pub first_records: Vec<RecordOutput>,
    /// Records kept with something dropped, folded or decoded, by kind.
    pub notice_counts: std::collections::BTreeMap<String, u64>,
    /// The first notices (`reason` says what; `offset` is the record's).
    pub first_notices: Vec<SkipOutput>,
}

/// A skip.
#[derive(Debug, Serialize)]
pub struct SkipOutput {
    /// File (or `zip!entry`).
    pub file: String,
    /// Byte offset.
    pub offset: u64,
    /// Why.
    pub reason: String,
}

/// A record as the source wrote it.
#[derive(Debug, Serialize)]
pub struct RecordOutput {
    /// `message` or the event kind.
    pub kind: String,
    /// Time exactly as written in the source.
    pub time: String,
    /// Sender, when there is one.
    pub sender: Option<String>,
    /// Text.
    pub text: String,
}

fn skip_output(skip: &Skip) -> SkipOutput {
    SkipOutput { file: skip.file.clone(), offset: skip.offset, reason: skip.reason.clone() }
}

fn counts_from(run: &DryRun) -> String {
    match run.sample {
        Some(n) => format!("first {n} records of each input"),
        None => "whole input".to_string(),
    }
}

impl From<&DryRun> for DryRunOutput {
    fn from(run: &DryRun) -> Self {
        DryRunOutput {
            counts_from: counts_from(run),
            inputs: run.inputs.iter().map(input_output).collect(),
            skipped: run.skipped.iter().map(skip_output).collect(),
        }
    }
}

fn input_output(input: &DryRunInput) -> DryRunInputOutput {
    let t = input.tally;
    DryRunInputOutput {
        path: input.path.display().to_string(),
        format: input.format.clone(),
        detected: input.detected,
        messages: t.messages,
        messages_without_sender: t.messages_without_sender,
        events: t.events,
        events_without_sender: t.events_without_sender,
        skips: t.skips,
        complete: input.complete,
        mostly_unattributed: input.mostly_unattributed(),
        first_skips: input.first_skips.iter().map(skip_output).collect(),
        notice_counts: input.notice_counts.clone(),
        first_notices: input
            .first_notices
            .iter()
            .map(|n| SkipOutput {
                file: n.file.clone(),
                offset: n.offset,
                reason: n.reason.clone(),
            })
            .collect(),
        first_records: input
            .first_records
            .iter()
            .map(|r: &FirstRecord| RecordOutput {
                kind: r.kind.clone(),
                time: r.time.clone(),
                sender: r.sender.clone(),
                text: r.text.clone(),
            })
            .collect(),
    }
}

/// `text` on one line, at most `max` characters, escaped for a terminal.
fn shorten(text: &str, max: usize) -> String {
    let one_line: String =
        text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
    let mut shown: String = one_line.chars().take(max).collect();
    if one_line.chars().nth(max).is_some() {
        shown.push('…');
    }
    sanitize(&shown, false)
}

/// Prints the human form on stdout; warnings for inputs an ingest would
/// refuse go to stderr.
pub fn print(run: &DryRun) {
    let style = Style::for_stdout();
    let warn = Style::for_stderr();
    println!("dry run: nothing written; counts from the {}", counts_from(run));
    for input in &run.inputs {
        let how = if input.detected { "detected" } else { "as requested" };
        let scope = if input.complete { "" } else { " (stopped at the sample size)" };
        println!(
            "\n{} read as {} ({how})",
            sanitize(&input.path.display().to_string(), false),
            style.bold(&input.format)
        );
        println!("  {}{scope}", input.tally);
        for record in &input.first_records {
            let sender = record
                .sender
                .as_deref()
                .map_or_else(|| style.dim("(no sender)"), |s| style.bold(&shorten(s, 40)));
            let kind = if record.kind == "message" {
                String::new()
            } else {
                format!("[{}] ", shorten(&record.kind, 20))
            };
            println!(
                "  {}  {sender}: {kind}{}",
                shorten(&record.time, 40),
                shorten(&record.text, TEXT_CHARS)
            );
        }
        for skip in &input.first_skips {
            println!(
                "  skipped {} at byte {}: {}",
                sanitize(&skip.file, false),
                skip.offset,
                shorten(&skip.reason, 200)
            );
        }
        if input.tally.skips > input.first_skips.len() as u64 {
            println!("  … and {} more skips", input.tally.skips - input.first_skips.len() as u64);
        }
        for notice in &input.first_notices {
            // Counted events were never records; every other notice is on
            // a record that was kept.
            let what = if notice.kind == trove_readers::NoticeKind::EventsNotKept {
                "counted, not kept"
            } else {
                "kept with a notice"
            };
            println!(
                "  {what} {} at byte {}: {}",
                sanitize(&notice.file, false),
                notice.offset,
                shorten(&notice.reason, 200)
            );
        }
        let noticed: u64 = input.notice_counts.values().sum();
        let listed = input.first_notices.len() as u64;
        if noticed > listed && input.first_notices.iter().all(|n| n.count == 1) {
            println!("  … and {} more notices", noticed - listed);
        }
        if input.mostly_unattributed() {
            eprintln!(
                "{}: {} read as {}: {}: mostly skips or records without a sender; an ingest \
                 refuses it without --accept-skips",
                warn.warn("warning"),
                sanitize(&input.path.display().to_string(), false),
                input.format,
                input.tally
            );
        }
    }
    if !run.skipped.is_empty() {
        println!("\n{} file(s) not read:", run.skipped.len());
        for skip in &run.skipped {
            println!("  {}: {}", sanitize(&skip.file, false), shorten(&skip.reason, 200));
        }
    }
}
