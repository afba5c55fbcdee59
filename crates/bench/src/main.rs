//! `trove-bench`: ingest and search figures for trove against a SQLite FTS5
//! baseline, checked against the performance targets.
//!
//! # Method
//!
//! 1. **Generate** a synthetic archive of N messages (`--format jsonl`, the
//!    default, streamed line by line to `DIR/archive.jsonl`; or a Twitter
//!    zip built in memory by `trove_testkit`). Text comes from
//!    `trove_testkit::TextGen`: five languages, Zipf vocabularies, realistic
//!    lengths, some links, emoji and HTML-special characters. JSONL rows
//!    also get a sender (Zipf over 200), a conversation (Zipf over 50) and
//!    strictly increasing timestamps over three years. While generating, the
//!    bench counts vocabulary words and samples adjacent word pairs so the
//!    query mix can be drawn from what the archive really holds. Generation
//!    is timed separately and is not part of the ingest.
//! 2. **Ingest** the archive into a fresh case through the facade,
//!    `trove_app::Case::ingest`, with the format named. The wall time runs
//!    from the call to its return, which includes the store commit, the
//!    index commit (with tantivy's merges) and the reader reload: the case
//!    is searchable at the end, which the bench checks by counting all
//!    messages with the empty query. A [`trove_ingest::Progress`] hook splits
//!    the time into streaming (read, store, feed the index) and committing.
//!    Peak RSS is `VmHWM` from `/proc/self/status`, reset via
//!    `/proc/self/clear_refs` just before the ingest so it covers the ingest
//!    alone. `--breakdown` adds two separate passes, the reader alone and the
//!    reader feeding a bare index, to tell which part dominates.
//! 3. **Search**: the case is reopened and a fixed mix of queries, K per
//!    kind (`--queries-per-kind`), runs through `Case::search` with
//!    `limit = 20`, relevance order, snippets included: what a results page
//!    costs. Kinds: a rare word, one of the five most frequent English
//!    words, a two-word phrase seen in a generated message, a three-letter
//!    prefix of a frequent word, and `from:SENDER after:DATE word`. The first
//!    query of each kind runs once untimed (both engines), then every query
//!    is timed one after another on one thread. Reported per kind: p50, p99
//!    (nearest rank), max, and the mean exact total.
//! 4. **Baseline**: the same messages go into an FTS5 table (`unicode61
//!    remove_diacritics 2`, sender and time `UNINDEXED`) in one transaction;
//!    the load time includes re-reading the archive. The same mix runs as
//!    FTS5 queries: exact `count(*)` plus the top 20 by `rank` with
//!    `snippet()`, timed together since trove returns both.
//! 5. **Report**: a side-by-side table, a PASS/FAIL line per target (with a
//!    note when measured at another scale than the target's), and the same
//!    figures as JSON in `DIR/bench.json`.
//!
//! Everything is deterministic (fixed seeds); timings are not, so compare
//! runs made on the same, otherwise idle, machine.

mod corpus;
mod fts5;
mod mem;
mod mix;
mod readers;
mod report;
mod trove_side;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;

use corpus::{ArchiveFormat, Corpus};

/// The allocator the `trove` binary uses, so the figures are its figures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use report::{Results, kind_stats};

/// Marks a folder as made by trove-bench, so a rerun may clear what it made.
const MARKER: &str = ".trove-bench";
/// What the bench writes into its folder.
const OUTPUTS: &[&str] = &[
    "archive.jsonl",
    "archive-twitter.zip",
    "telegram-export",
    "case",
    "fts5.db",
    "fts5.db-wal",
    "fts5.db-shm",
    "index-only",
    "bench.json",
    "readers.json",
    "samples-twitter.zip",
];

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "trove-bench", about = "Ingest and search benchmark: trove against SQLite FTS5")]
struct Args {
    /// Messages to generate.
    #[arg(long, default_value_t = 1_000_000)]
    messages: u64,
    /// Archive format to generate and ingest.
    #[arg(long, value_enum, default_value_t = ArchiveFormat::Jsonl)]
    format: ArchiveFormat,
    /// Working folder (kept afterwards); a temporary folder when omitted.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Timed queries of each kind.
    #[arg(long, default_value_t = 200)]
    queries_per_kind: usize,
    /// Ingest the archive this many times, each into a fresh case, and
    /// judge the ingest target on the median run: a shared virtual machine
    /// varies by a quarter from one run to the next.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    ingest_runs: u32,
    /// Skip the SQLite FTS5 baseline.
    #[arg(long)]
    skip_fts5: bool,
    /// Also time the reader alone and the reader feeding a bare index, in
    /// separate passes, to show which part of the ingest dominates.
    #[arg(long)]
    breakdown: bool,
    /// Instead of the ingest and search benchmark, time each reader alone
    /// over an input of its format grown to about --reader-mb MB.
    #[arg(long)]
    readers: bool,
    /// Input size per reader for --readers, in MB.
    #[arg(long, default_value_t = 64)]
    reader_mb: u64,
    /// Make the case a mixed one: first ingest one sample of every
    /// reader's format (and a small generated Twitter archive), then the
    /// generated archive; afterwards ingest everything again and report
    /// what the second run added (nothing, if de-duplication holds).
    #[arg(long)]
    with_samples: bool,
    /// With --readers: time only this reader.
    #[arg(long, value_name = "FORMAT")]
    only: Option<String>,
    /// With --readers: keep the grown inputs in --dir (for profiling a
    /// reader alone with `cargo run -p trove-readers --example read_speed`).
    #[arg(long)]
    keep_inputs: bool,
}

/// Prepares `dir`: creates it, or clears the outputs of an earlier run in
/// a folder this tool made; refuses a foreign folder holding such names.
fn prepare(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let ours = dir.join(MARKER).exists();
    for name in OUTPUTS {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        if !ours {
            bail!(
                "{} already exists and {} was not made by trove-bench; choose an empty --dir",
                path.display(),
                dir.display()
            );
        }
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.with_context(|| format!("removing {} from an earlier run", path.display()))?;
    }
    std::fs::write(dir.join(MARKER), "made by trove-bench; its outputs are replaced on rerun\n")
        .with_context(|| format!("writing to {}", dir.display()))?;
    Ok(())
}

fn phase(name: &str) {
    eprintln!("[trove-bench] {name}");
}

/// `--readers`: one line per reader, and `DIR/readers.json`.
fn reader_throughput(args: &Args, dir: &Path, load_at_start: Option<String>) -> Result<()> {
    let twitter_messages = usize::try_from(args.reader_mb * 1_000_000 / 600).unwrap_or(100_000);
    let figures = readers::run(
        dir,
        args.reader_mb,
        twitter_messages,
        args.only.as_deref(),
        args.keep_inputs,
    )?;
    println!(
        "READERS (one core each; load average {} at start, {} at end)",
        load_at_start.as_deref().unwrap_or("?"),
        mem::load_average().as_deref().unwrap_or("?")
    );
    println!(
        "  {:<11} {:>10} {:>10} {:>8} {:>8} {:>10}",
        "reader", "MB", "records", "skips", "s", "MB/s"
    );
    let mut json = Vec::new();
    for f in &figures {
        println!(
            "  {:<11} {:>10.1} {:>10} {:>8} {:>8.2} {:>10.1}  {}",
            f.format,
            f.bytes as f64 / 1e6,
            f.records,
            f.skips,
            f.seconds,
            f.mb_per_second(),
            if f.mb_per_second() >= 100.0 { "PASS" } else { "FAIL (target 100 MB/s)" }
        );
        json.push(serde_json::json!({
            "reader": f.format, "bytes": f.bytes, "records": f.records, "skips": f.skips,
            "seconds": f.seconds, "mb_per_second": f.mb_per_second(),
        }));
    }
    let path = dir.join("readers.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    println!("figures written to {}", path.display());
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.ingest_runs > 1 && args.with_samples {
        bail!(
            "--ingest-runs times ingests into a fresh case; it cannot be combined with --with-samples"
        );
    }
    let temporary = match &args.dir {
        Some(_) => None,
        None => Some(tempfile::Builder::new().prefix("trove-bench-").tempdir()?),
    };
    let dir = match (&args.dir, &temporary) {
        (Some(dir), _) => dir.clone(),
        (None, Some(t)) => t.path().to_path_buf(),
        (None, None) => bail!("no working folder"),
    };
    prepare(&dir)?;
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let load_at_start = mem::load_average();
    if args.readers {
        return reader_throughput(&args, &dir, load_at_start);
    }

    phase(&format!(
        "generating {} {} messages in {}",
        args.messages,
        args.format.name(),
        dir.display()
    ));
    let started = Instant::now();
    let corpus = Corpus::generate(args.format, args.messages, &dir, args.queries_per_kind)?;
    let generate_seconds = started.elapsed().as_secs_f64();
    let queries = mix::build(&corpus, args.queries_per_kind);

    let mut samples = Vec::new();
    if args.with_samples {
        let twitter = dir.join("samples-twitter.zip");
        trove_testkit::twitter::Builder::new(corpus::SEED ^ 7)
            .group_messages(1_500)
            .groups(2)
            .direct_messages(500)
            .one_to_one(5)
            .build()
            .write_zip(&twitter)
            .with_context(|| format!("writing {}", twitter.display()))?;
        samples = readers::sample_paths();
        samples.push(twitter);
        phase(&format!("ingesting {} samples of every format into trove", samples.len()));
        let first = trove_side::ingest_paths(&dir.join("case"), &samples)?;
        println!(
            "MIXED CASE samples: {} messages, {} events from {} inputs ({}) in {:.2} s; {} skipped",
            first.messages_added,
            first.events_added,
            first.formats.len(),
            {
                let mut formats = first.formats.clone();
                formats.sort();
                formats.dedup();
                formats.join(", ")
            },
            first.seconds,
            first.skipped
        );
    }

    let mut runs = Vec::new();
    for run in 1..=args.ingest_runs {
        let case = dir.join("case");
        if run > 1 {
            std::fs::remove_dir_all(&case)
                .with_context(|| format!("removing {} before run {run}", case.display()))?;
        }
        phase(&format!("ingesting into trove (run {run} of {})", args.ingest_runs));
        runs.push(trove_side::ingest(&corpus, &case)?);
    }
    let (ingest, ingest_rates) = report::median_run(runs).context("no ingest run")?;
    if ingest.searchable != corpus.messages {
        eprintln!(
            "[trove-bench] warning: {} messages generated, {} searchable after the ingest",
            corpus.messages, ingest.searchable
        );
    }
    let breakdown = if args.breakdown {
        phase("breakdown: reader alone, then reader + bare index");
        let scratch = dir.join("index-only");
        let b = trove_side::breakdown(&corpus, &scratch)?;
        std::fs::remove_dir_all(&scratch).ok();
        Some(b)
    } else {
        None
    };

    if args.with_samples {
        phase("ingesting the samples and the archive again");
        let mut everything = samples.clone();
        everything.push(corpus.path.clone());
        let again = trove_side::ingest_paths(&dir.join("case"), &everything)?;
        println!(
            "MIXED CASE re-ingest of everything: {} messages and {} events added, {} duplicates, in {:.2} s",
            again.messages_added, again.events_added, again.duplicates, again.seconds
        );
    }

    phase(&format!("searching trove ({} queries)", queries.len()));
    let search = trove_side::search(&dir.join("case"), &queries)?;
    let trove = kind_stats(&search.samples);

    let (fts_load, fts) = if args.skip_fts5 {
        (None, None)
    } else {
        phase("loading SQLite FTS5");
        let db = dir.join("fts5.db");
        let load = fts5::load(&corpus, &db)?;
        phase(&format!("searching SQLite FTS5 ({} queries)", queries.len()));
        let samples = fts5::search(&db, &queries)?;
        (Some(load), Some(kind_stats(&samples)))
    };

    let examples = mix::Kind::ALL
        .iter()
        .filter_map(|&kind| queries.iter().find(|q| q.kind == kind))
        .map(|q| (q.kind, q.trove.clone(), q.fts_match.clone()))
        .collect();
    let results = Results {
        messages: corpus.messages,
        format: corpus.format.name(),
        archive: corpus.path.display().to_string(),
        archive_bytes: corpus.bytes,
        corpus_in_memory: corpus.held_in_memory(),
        generate_seconds,
        queries_per_kind: args.queries_per_kind,
        cpus,
        load: (load_at_start, mem::load_average()),
        ingest,
        ingest_rates,
        breakdown,
        search,
        trove,
        fts_load,
        fts,
        examples,
    };
    print!("{}", results.table());
    let json_path = dir.join("bench.json");
    let text = serde_json::to_string_pretty(&results.json())?;
    std::fs::write(&json_path, text + "\n")
        .with_context(|| format!("writing {}", json_path.display()))?;
    if temporary.is_some() {
        println!(
            "figures written to {} (a temporary folder, removed on exit; pass --dir to keep it)",
            json_path.display()
        );
    } else {
        println!("figures written to {}", json_path.display());
    }
    Ok(())
}
