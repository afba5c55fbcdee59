//! The baseline: the same messages in a SQLite FTS5 table, and the same
//! query mix as FTS5 queries.
//!
//! The table is `fts5(text, sender UNINDEXED, ts UNINDEXED,
//! tokenize='unicode61 remove_diacritics 2')`, loaded in one transaction
//! with the pragmas the trove store uses (WAL, `synchronous = NORMAL`,
//! 128 MiB page cache). Each query is what a search page needs from it: the
//! exact total (`SELECT count(*) ... MATCH`) plus the top 20 by `rank`
//! (BM25) with text, sender, time and `snippet()`; both are timed together,
//! as trove's `search` returns both.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use rusqlite::{Connection, params};

use crate::corpus::Corpus;
use crate::mix::{BenchQuery, Kind};
use crate::trove_side::Sample;

const PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = NORMAL;
     PRAGMA cache_size = -131072;
     PRAGMA temp_store = MEMORY;";

/// What the load measured.
#[derive(Clone, Debug, Default)]
pub struct LoadFigures {
    /// Wall time: reading the archive again (JSONL parse, or the in-memory
    /// Twitter messages), inserting, committing.
    pub seconds: f64,
    /// Rows inserted.
    pub messages: u64,
    /// Size of the database afterwards (with its WAL).
    pub disk_bytes: u64,
    /// CPU time of the process during the load.
    pub cpu_seconds: Option<f64>,
}

fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    conn.execute_batch(PRAGMAS).context("configuring the FTS5 database")?;
    Ok(conn)
}

/// Creates the FTS5 table at `path` and loads every message of `corpus`.
pub fn load(corpus: &Corpus, path: &Path) -> Result<LoadFigures> {
    let cpu_before = crate::mem::cpu_seconds();
    let started = Instant::now();
    let mut conn = open(path)?;
    conn.execute_batch(
        "CREATE VIRTUAL TABLE fts USING fts5(text, sender UNINDEXED, ts UNINDEXED,
             tokenize='unicode61 remove_diacritics 2');",
    )
    .context("creating the FTS5 table (is FTS5 compiled in?)")?;
    let tx = conn.transaction()?;
    let mut messages = 0u64;
    {
        let mut insert = tx.prepare("INSERT INTO fts(text, sender, ts) VALUES (?1, ?2, ?3)")?;
        corpus.for_each_message(|m| {
            insert.execute(params![m.text, m.sender, m.ts])?;
            messages += 1;
            Ok(())
        })?;
    }
    tx.commit().context("committing the FTS5 load")?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds =
        crate::mem::cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    drop(conn);
    let wal = path.with_extension("db-wal");
    let disk_bytes = crate::mem::disk_usage(path) + crate::mem::disk_usage(&wal);
    Ok(LoadFigures { seconds, messages, disk_bytes, cpu_seconds })
}

/// Runs `queries` against the table at `path`. The first query of each
/// kind runs once, untimed, before the timed runs.
pub fn search(path: &Path, queries: &[BenchQuery]) -> Result<Vec<Sample>> {
    let conn = open(path)?;
    for kind in Kind::ALL {
        if let Some(q) = queries.iter().find(|q| q.kind == kind) {
            black_box(run(&conn, q)?);
        }
    }
    let mut samples = Vec::with_capacity(queries.len());
    for q in queries {
        let t = Instant::now();
        let total = run(&conn, q)?;
        samples.push(Sample { kind: q.kind, ms: t.elapsed().as_secs_f64() * 1000.0, total });
    }
    Ok(samples)
}

type Row = (i64, String, String, String, String);

fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

/// Count plus top 20 with snippets; returns the count.
fn run(conn: &Connection, q: &BenchQuery) -> Result<u64> {
    let context = || format!("FTS5 query {} ({})", q.fts_match, q.kind.name());
    let (total, rows): (i64, Vec<Row>) = match (&q.sender, &q.since) {
        (Some(sender), Some(since)) => {
            let total = conn
                .prepare_cached(
                    "SELECT count(*) FROM fts WHERE fts MATCH ?1 AND sender = ?2 AND ts >= ?3",
                )?
                .query_row(params![q.fts_match, sender, since], |r| r.get(0))
                .with_context(context)?;
            let rows = conn
                .prepare_cached(
                    "SELECT rowid, text, sender, ts,
                            snippet(fts, 0, '<mark>', '</mark>', '…', 16)
                     FROM fts WHERE fts MATCH ?1 AND sender = ?2 AND ts >= ?3
                     ORDER BY rank LIMIT 20",
                )?
                .query_map(params![q.fts_match, sender, since], map_row)?
                .collect::<rusqlite::Result<Vec<Row>>>()
                .with_context(context)?;
            (total, rows)
        }
        _ => {
            let total = conn
                .prepare_cached("SELECT count(*) FROM fts WHERE fts MATCH ?1")?
                .query_row(params![q.fts_match], |r| r.get(0))
                .with_context(context)?;
            let rows = conn
                .prepare_cached(
                    "SELECT rowid, text, sender, ts,
                            snippet(fts, 0, '<mark>', '</mark>', '…', 16)
                     FROM fts WHERE fts MATCH ?1
                     ORDER BY rank LIMIT 20",
                )?
                .query_map(params![q.fts_match], map_row)?
                .collect::<rusqlite::Result<Vec<Row>>>()
                .with_context(context)?;
            (total, rows)
        }
    };
    black_box(rows);
    Ok(total.max(0) as u64)
}
