//! trove's side: ingest through the facade (`trove_app::Case::ingest`),
//! then the query mix through `Case::search`, and optionally a breakdown of
//! the ingest into its reader and index parts.

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use trove_app::{Case, SearchOptions};
use trove_index::{CaseIndex, IndexDoc, IndexError};
use trove_ingest::{IngestOptions, Progress};
use trove_model::Record;
use trove_readers::{Input, ReadOptions, Sink, Skip, Stop};

use crate::corpus::Corpus;
use crate::mem;
use crate::mix::{BenchQuery, Kind};

/// The indexing memory `trove_ingest` gives tantivy (kept in step with its
/// `INDEX_HEAP_BYTES`, for the breakdown's index-only pass).
const INDEX_HEAP_BYTES: usize = 256 * 1024 * 1024;

/// What the ingest measured.
#[derive(Clone, Debug, Default)]
pub struct IngestFigures {
    /// Wall time of `Case::ingest`, from opening the input to the index
    /// reload after both commits.
    pub seconds: f64,
    /// Part of `seconds` spent reading, storing and feeding the index, up to
    /// the moment the run starts committing.
    pub streaming_seconds: f64,
    /// Part of `seconds` spent committing the store and the index (tantivy
    /// flushes its last segments and waits for merges here).
    pub commit_seconds: f64,
    /// Messages the run reports added.
    pub messages_added: u64,
    /// Records the reader skipped.
    pub skipped: usize,
    /// Messages the empty query finds right after the ingest (proves the
    /// case is searchable).
    pub searchable: u64,
    /// Peak resident memory of the process during the ingest (`VmHWM`).
    pub peak_rss: Option<u64>,
    /// Peak resident memory up to the start of the commit.
    pub peak_rss_streaming: Option<u64>,
    /// Whether the peak could be reset before the ingest (otherwise the peak
    /// also covers generation).
    pub peak_reset: bool,
    /// Size of the case folder afterwards.
    pub disk_bytes: u64,
    /// CPU time of the process (all threads) during the ingest.
    pub cpu_seconds: Option<f64>,
}

/// Times the phases of a run through [`Progress`].
#[derive(Default)]
struct Clock {
    committing: Option<Instant>,
    peak_at_commit: Option<u64>,
}

impl Progress for Clock {
    fn committing(&mut self) {
        self.committing = Some(Instant::now());
        self.peak_at_commit = mem::peak_rss();
    }
}

/// Ingests the corpus into a fresh case at `case_dir`.
pub fn ingest(corpus: &Corpus, case_dir: &Path) -> Result<IngestFigures> {
    let mut case = Case::open_or_create(case_dir, &mut ())
        .with_context(|| format!("creating the case at {}", case_dir.display()))?;
    let options = IngestOptions {
        format: Some(corpus.format.name().to_string()),
        command: "trove-bench".to_string(),
        // Default reader options: the JSONL keys are found by name.
        ..IngestOptions::default()
    };
    let interrupted = AtomicBool::new(false);
    let peak_reset = mem::reset_peak();
    let mut clock = Clock::default();
    let cpu_before = mem::cpu_seconds();
    let started = Instant::now();
    let output = case
        .ingest(std::slice::from_ref(&corpus.path), &options, &mut clock, &interrupted)
        .context("ingesting")?;
    let finished = Instant::now();
    let cpu_seconds = mem::cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    let peak_rss = mem::peak_rss();
    let committing = clock.committing.unwrap_or(finished);
    let all = case
        .search("", &SearchOptions { limit: 1, ..SearchOptions::default() })
        .context("searching right after the ingest")?;
    drop(case);
    Ok(IngestFigures {
        seconds: (finished - started).as_secs_f64(),
        streaming_seconds: (committing - started).as_secs_f64(),
        commit_seconds: (finished - committing).as_secs_f64(),
        messages_added: output.messages_added,
        skipped: output.skipped.len(),
        searchable: all.total,
        peak_rss,
        peak_rss_streaming: clock.peak_at_commit,
        peak_reset,
        disk_bytes: mem::disk_usage(case_dir),
        cpu_seconds,
    })
}

/// What a plain ingest of some paths reported.
#[derive(Clone, Debug, Default)]
pub struct PlainIngest {
    /// Wall time.
    pub seconds: f64,
    /// Messages added.
    pub messages_added: u64,
    /// Events added.
    pub events_added: u64,
    /// Records already in the case.
    pub duplicates: u64,
    /// Records the readers skipped.
    pub skipped: usize,
    /// Readers chosen, one per input.
    pub formats: Vec<String>,
}

/// Ingests `paths` with detection, as `trove ingest` does.
pub fn ingest_paths(case_dir: &Path, paths: &[std::path::PathBuf]) -> Result<PlainIngest> {
    let mut case = Case::open_or_create(case_dir, &mut ())
        .with_context(|| format!("opening the case at {}", case_dir.display()))?;
    // A benchmark times reading whatever it is given: an input read mostly
    // as skips is reported in its counts, not refused.
    let options = IngestOptions {
        command: "trove-bench --with-samples".into(),
        accept_skips: true,
        ..IngestOptions::default()
    };
    let interrupted = AtomicBool::new(false);
    let started = Instant::now();
    let output = case.ingest(paths, &options, &mut (), &interrupted).context("ingesting")?;
    Ok(PlainIngest {
        seconds: started.elapsed().as_secs_f64(),
        messages_added: output.messages_added,
        events_added: output.events_added,
        duplicates: output.duplicates,
        skipped: output.skipped.len(),
        formats: output.inputs.iter().map(|i| i.format.clone()).collect(),
    })
}

/// One timed query.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Its kind.
    pub kind: Kind,
    /// Wall time in milliseconds.
    pub ms: f64,
    /// Exact number of matches reported.
    pub total: u64,
}

/// What the search phase measured.
#[derive(Clone, Debug, Default)]
pub struct SearchFigures {
    /// Time to reopen the case.
    pub open_seconds: f64,
    /// One sample per query, in query order.
    pub samples: Vec<Sample>,
    /// Queries that came back with a warning, and the first warning.
    pub warned: usize,
    /// The first warning, with its query.
    pub first_warning: Option<String>,
}

/// Reopens the case and runs `queries` through `Case::search` (top 20 by
/// relevance, with snippets). The first query of each kind runs once,
/// untimed, before the timed runs.
pub fn search(case_dir: &Path, queries: &[BenchQuery]) -> Result<SearchFigures> {
    let started = Instant::now();
    let case = Case::open(case_dir, &mut ())
        .with_context(|| format!("reopening the case at {}", case_dir.display()))?;
    let open_seconds = started.elapsed().as_secs_f64();
    let options = SearchOptions { limit: 20, ..SearchOptions::default() };
    for kind in Kind::ALL {
        if let Some(q) = queries.iter().find(|q| q.kind == kind) {
            black_box(case.search(&q.trove, &options).with_context(|| q.trove.clone())?);
        }
    }
    let mut figures = SearchFigures { open_seconds, ..SearchFigures::default() };
    for q in queries {
        let t = Instant::now();
        let out = case.search(&q.trove, &options).with_context(|| q.trove.clone())?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if let Some(w) = out.warnings.first() {
            figures.warned += 1;
            figures.first_warning.get_or_insert_with(|| format!("{}: {w}", q.trove));
        }
        figures.samples.push(Sample { kind: q.kind, ms, total: out.total });
        black_box(out);
    }
    Ok(figures)
}

/// The ingest split into parts, measured by separate passes.
#[derive(Clone, Debug, Default)]
pub struct Breakdown {
    /// The reader alone (records parsed and dropped).
    pub read_seconds: f64,
    /// The reader feeding a bare index (no store), including the commit.
    pub read_index_seconds: f64,
    /// Of `read_index_seconds`, the index commit.
    pub index_commit_seconds: f64,
}

struct CountSink {
    records: u64,
}

impl Sink for CountSink {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        self.records += u64::from(record.is_message());
        black_box(record);
        Ok(())
    }
    fn skip(&mut self, _skip: Skip) {}
}

struct IndexSink<'w> {
    writer: &'w mut trove_index::Writer,
    row: u64,
    error: Option<IndexError>,
}

impl Sink for IndexSink<'_> {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        if !record.is_message() {
            return Ok(());
        }
        self.row += 1;
        let doc = IndexDoc {
            row: self.row,
            text: &record.text,
            sent_at_ms: record.sent_at.utc_ms,
            sender: Some(1),
            conversation: 1,
            source: 1,
            platform: record.platform,
            has_link: false,
            has_attachment: false,
            lang: None,
        };
        self.writer.add(&doc).map_err(|e| {
            let why = e.to_string();
            self.error = Some(e);
            Stop(why)
        })
    }
    fn skip(&mut self, _skip: Skip) {}
}

/// Times the reader alone, then the reader feeding a bare tantivy index in
/// `scratch` (same analyzer, threads and memory as the ingest). The rest of
/// the ingest time is the store (SQLite) and the bookkeeping around it.
pub fn breakdown(corpus: &Corpus, scratch: &Path) -> Result<Breakdown> {
    let format = trove_readers::detect_named(corpus.format.name())
        .ok_or_else(|| anyhow!("no reader called {}", corpus.format.name()))?;
    let read_options = ReadOptions::default();

    let started = Instant::now();
    let input = Input::open(&corpus.path)?;
    let mut sink = CountSink { records: 0 };
    format.read(&input, &read_options, &mut sink)?;
    let read_seconds = started.elapsed().as_secs_f64();
    black_box(sink.records);

    let index = CaseIndex::open_or_create(scratch)?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
    let started = Instant::now();
    let mut writer = index.writer(threads, INDEX_HEAP_BYTES)?;
    let input = Input::open(&corpus.path)?;
    let mut sink = IndexSink { writer: &mut writer, row: 0, error: None };
    let result = format.read(&input, &read_options, &mut sink);
    if let Some(e) = sink.error.take() {
        return Err(e.into());
    }
    result?;
    let committing = Instant::now();
    writer.commit("0")?;
    let finished = Instant::now();
    Ok(Breakdown {
        read_seconds,
        read_index_seconds: (finished - started).as_secs_f64(),
        index_commit_seconds: (finished - committing).as_secs_f64(),
    })
}
