//! Percentiles, the side-by-side table, the verdicts against the targets,
//! and the same figures as JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::fts5::LoadFigures;
use crate::mix::Kind;
use crate::trove_side::{Breakdown, IngestFigures, Sample, SearchFigures};

/// Ingest target: messages per second at 1M messages.
pub const INGEST_RATE_TARGET: f64 = 150_000.0;
/// Search target: p50 in ms at 1M messages, every kind.
pub const P50_TARGET_MS: f64 = 5.0;
/// Search target: p99 in ms at 1M messages, every kind.
pub const P99_TARGET_MS: f64 = 50.0;
/// Search target: FTS5 p50 over trove p50 on the frequent term.
pub const FTS5_RATIO_TARGET: f64 = 10.0;
/// Memory target: peak RSS while ingesting 10M messages (10^9 bytes).
pub const PEAK_RSS_TARGET: u64 = 1_000_000_000;
/// The archive size the ingest and search targets are stated at.
pub const SEARCH_SCALE: u64 = 1_000_000;
/// The archive size the memory target is stated at.
pub const MEMORY_SCALE: u64 = 10_000_000;

/// Latency figures of one kind of query.
#[derive(Clone, Copy, Debug)]
pub struct KindStats {
    /// The kind.
    pub kind: Kind,
    /// Timed runs.
    pub runs: usize,
    /// Median, ms.
    pub p50: f64,
    /// 99th percentile (nearest rank), ms.
    pub p99: f64,
    /// Slowest run, ms.
    pub max: f64,
    /// Mean of the exact totals reported.
    pub mean_total: f64,
}

/// The nearest-rank percentile `p` (0-100) of sorted `values`.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Per-kind figures of `samples`, in [`Kind::ALL`] order (kinds without
/// samples left out).
pub fn kind_stats(samples: &[Sample]) -> Vec<KindStats> {
    Kind::ALL
        .iter()
        .filter_map(|&kind| {
            let mine: Vec<&Sample> = samples.iter().filter(|s| s.kind == kind).collect();
            if mine.is_empty() {
                return None;
            }
            let mut ms: Vec<f64> = mine.iter().map(|s| s.ms).collect();
            ms.sort_by(f64::total_cmp);
            Some(KindStats {
                kind,
                runs: ms.len(),
                p50: percentile(&ms, 50.0),
                p99: percentile(&ms, 99.0),
                max: ms.last().copied().unwrap_or(f64::NAN),
                mean_total: mine.iter().map(|s| s.total as f64).sum::<f64>() / mine.len() as f64,
            })
        })
        .collect()
}

/// Everything one run measured.
#[derive(Clone, Debug, Default)]
pub struct Results {
    /// Messages generated.
    pub messages: u64,
    /// Archive format name.
    pub format: &'static str,
    /// Archive path.
    pub archive: String,
    /// Archive size.
    pub archive_bytes: u64,
    /// Whether the generated messages stay in the process's memory during
    /// the ingest (Twitter), so that the peak is not the ingest's alone.
    pub corpus_in_memory: bool,
    /// Generation time (not part of the ingest).
    pub generate_seconds: f64,
    /// Queries per kind asked for.
    pub queries_per_kind: usize,
    /// CPUs available.
    pub cpus: usize,
    /// Load averages (1, 5, 15 min) when the bench started and ended: other
    /// work on the machine slows every figure down.
    pub load: (Option<String>, Option<String>),
    /// trove's ingest: the median run when there were several.
    pub ingest: IngestFigures,
    /// The rate of every ingest run, in the order they ran.
    pub ingest_rates: Vec<f64>,
    /// The optional ingest breakdown.
    pub breakdown: Option<Breakdown>,
    /// trove's search phase.
    pub search: SearchFigures,
    /// trove's per-kind latency.
    pub trove: Vec<KindStats>,
    /// The FTS5 load, unless skipped.
    pub fts_load: Option<LoadFigures>,
    /// FTS5 per-kind latency, unless skipped.
    pub fts: Option<Vec<KindStats>>,
    /// The first query of each kind: kind, trove query, FTS5 `MATCH`.
    pub examples: Vec<(Kind, String, String)>,
}

/// A verdict against one target.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The target as stated.
    pub target: String,
    /// Pass or fail; `None` when not measured.
    pub pass: Option<bool>,
    /// The measured figure and its conditions.
    pub detail: String,
}

fn thousands(n: f64) -> String {
    if !n.is_finite() {
        return "-".to_string();
    }
    let digits = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn ms(v: f64) -> String {
    if !v.is_finite() {
        "-".to_string()
    } else if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn rate(figures: &IngestFigures) -> f64 {
    figures.messages_added as f64 / figures.seconds.max(1e-9)
}

/// The run of median rate (the slower middle one of an even count, so two
/// runs are judged by the worse) and every run's rate in order; `None`
/// without runs.
pub fn median_run(runs: Vec<IngestFigures>) -> Option<(IngestFigures, Vec<f64>)> {
    let rates: Vec<f64> = runs.iter().map(rate).collect();
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| rates[a].total_cmp(&rates[b]));
    let median = *order.get((order.len().saturating_sub(1)) / 2)?;
    let figures = runs.into_iter().nth(median)?;
    Some((figures, rates))
}

impl Results {
    /// trove's ingest rate, messages per second.
    pub fn ingest_rate(&self) -> f64 {
        rate(&self.ingest)
    }

    /// " (median of N runs: min … max)" when the ingest ran more than once.
    fn runs_note(&self) -> String {
        if self.ingest_rates.len() < 2 {
            return String::new();
        }
        let min = self.ingest_rates.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.ingest_rates.iter().copied().fold(0.0, f64::max);
        format!(
            " (median of {} runs; min {}, max {})",
            self.ingest_rates.len(),
            thousands(min),
            thousands(max)
        )
    }

    fn fts_kind(&self, kind: Kind) -> Option<&KindStats> {
        self.fts.as_ref()?.iter().find(|s| s.kind == kind)
    }

    fn scale_note(&self, scale: u64) -> String {
        if self.messages == scale {
            String::new()
        } else {
            format!(
                " [measured at {} messages; target stated at {}]",
                thousands(self.messages as f64),
                thousands(scale as f64)
            )
        }
    }

    /// A verdict only at the scale its target is stated at: a rate or a
    /// peak measured at another size says nothing about that one.
    fn judged(&self, scale: u64, pass: bool) -> Option<bool> {
        (self.messages == scale).then_some(pass)
    }

    /// The verdicts, one per target.
    pub fn verdicts(&self) -> Vec<Verdict> {
        let mut out = Vec::new();
        let rate = self.ingest_rate();
        out.push(Verdict {
            target: format!("ingest >= {} msg/s at 1M", thousands(INGEST_RATE_TARGET)),
            pass: self.judged(SEARCH_SCALE, rate >= INGEST_RATE_TARGET),
            detail: format!(
                "{} msg/s{}{}",
                thousands(rate),
                self.runs_note(),
                self.scale_note(SEARCH_SCALE)
            ),
        });
        let worst = |f: fn(&KindStats) -> f64| {
            self.trove.iter().map(|s| (f(s), s.kind)).max_by(|a, b| a.0.total_cmp(&b.0))
        };
        for (name, limit, pick) in [
            ("p50", P50_TARGET_MS, (|s: &KindStats| s.p50) as fn(&KindStats) -> f64),
            ("p99", P99_TARGET_MS, |s: &KindStats| s.p99),
        ] {
            let target = format!("search {name} <= {limit} ms at 1M (every kind)");
            match worst(pick) {
                Some((value, kind)) => out.push(Verdict {
                    target,
                    pass: self.judged(SEARCH_SCALE, value <= limit),
                    detail: format!(
                        "worst {} ms ({}){}",
                        ms(value),
                        kind.name(),
                        self.scale_note(SEARCH_SCALE)
                    ),
                }),
                None => out.push(Verdict { target, pass: None, detail: "no queries".into() }),
            }
        }
        let target = format!("frequent term >= {FTS5_RATIO_TARGET}x faster than FTS5 (p50)");
        let trove = self.trove.iter().find(|s| s.kind == Kind::Frequent);
        match (trove, self.fts_kind(Kind::Frequent)) {
            (Some(t), Some(f)) => {
                let ratio = f.p50 / t.p50.max(1e-9);
                out.push(Verdict {
                    target,
                    pass: self.judged(SEARCH_SCALE, ratio >= FTS5_RATIO_TARGET),
                    detail: format!(
                        "{ratio:.1}x (FTS5 {} ms / trove {} ms){}",
                        ms(f.p50),
                        ms(t.p50),
                        self.scale_note(SEARCH_SCALE)
                    ),
                })
            }
            _ => out.push(Verdict { target, pass: None, detail: "FTS5 skipped".into() }),
        }
        let target = "peak memory <= 1 GB ingesting 10M".to_string();
        match self.ingest.peak_rss {
            Some(_) if self.corpus_in_memory => out.push(Verdict {
                target,
                pass: None,
                detail: "the generated messages are held in memory during the ingest; \
                         measure `trove ingest` alone (e.g. /usr/bin/time -v)"
                    .into(),
            }),
            Some(peak) => out.push(Verdict {
                target,
                pass: self.judged(MEMORY_SCALE, peak <= PEAK_RSS_TARGET),
                detail: format!(
                    "VmHWM {}{}{}",
                    mb(peak),
                    if self.ingest.peak_reset {
                        ""
                    } else {
                        " (peak not reset: includes generation)"
                    },
                    self.scale_note(MEMORY_SCALE)
                ),
            }),
            None => out.push(Verdict { target, pass: None, detail: "VmHWM unavailable".into() }),
        }
        out
    }

    /// The report as printed.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "trove-bench: {} messages, {} archive {} ({}), generated in {:.1} s (not part of ingest); {} queries per kind; {} CPUs, load average {} at start, {} at end",
            thousands(self.messages as f64),
            self.format,
            mb(self.archive_bytes),
            self.archive,
            self.generate_seconds,
            self.queries_per_kind,
            self.cpus,
            self.load.0.as_deref().unwrap_or("?"),
            self.load.1.as_deref().unwrap_or("?")
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<28}{:>9}{:>9}{:>12}{:>12}{:>12}",
            "INGEST", "wall s", "CPU s", "msg/s", "on disk", "peak RSS"
        );
        let cpu = |c: Option<f64>| c.map(|c| format!("{c:.2}")).unwrap_or_else(|| "-".into());
        let peak = self.ingest.peak_rss.map(mb).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "{:<28}{:>9.2}{:>9}{:>12}{:>12}{:>12}",
            "  trove (Case::ingest)",
            self.ingest.seconds,
            cpu(self.ingest.cpu_seconds),
            thousands(self.ingest_rate()),
            mb(self.ingest.disk_bytes),
            peak
        );
        let _ = writeln!(
            s,
            "    streaming (read+store+index) {:.2} s, commit (store+index, merges) {:.2} s; peak RSS before commit {}",
            self.ingest.streaming_seconds,
            self.ingest.commit_seconds,
            self.ingest.peak_rss_streaming.map(mb).unwrap_or_else(|| "-".into())
        );
        if self.corpus_in_memory {
            let _ = writeln!(
                s,
                "    peak RSS includes the generated messages, held in memory for the FTS5 load; `trove ingest` alone needs less"
            );
        }
        if self.ingest_rates.len() > 1 {
            let rates: Vec<String> = self.ingest_rates.iter().map(|&r| thousands(r)).collect();
            let _ = writeln!(
                s,
                "    {} runs, each into a fresh case, msg/s: {}; the figures shown are the median run's",
                rates.len(),
                rates.join(", ")
            );
        }
        if let Some(c) = self.ingest.cpu_seconds.filter(|&c| c > 0.0) {
            let per_cpu = self.ingest.messages_added as f64 / c;
            let _ = writeln!(
                s,
                "    {} msg per CPU-second (all threads); {:.2} cores busy on average; at most ~{} msg/s on {} idle cores",
                thousands(per_cpu),
                c / self.ingest.seconds.max(1e-9),
                thousands(per_cpu * self.cpus as f64),
                self.cpus
            );
        }
        let _ = writeln!(
            s,
            "    {} messages added, {} skipped, {} searchable right after; case reopened in {:.3} s",
            thousands(self.ingest.messages_added as f64),
            self.ingest.skipped,
            thousands(self.ingest.searchable as f64),
            self.search.open_seconds
        );
        if let Some(b) = &self.breakdown {
            let store = self.ingest.seconds - b.read_index_seconds;
            let _ = writeln!(
                s,
                "    breakdown (separate passes): reader alone {:.2} s; reader + bare index {:.2} s (commit {:.2} s); remainder ~store {:.2} s",
                b.read_seconds, b.read_index_seconds, b.index_commit_seconds, store
            );
        }
        match &self.fts_load {
            Some(f) => {
                let _ = writeln!(
                    s,
                    "{:<28}{:>9.2}{:>9}{:>12}{:>12}{:>12}",
                    "  SQLite FTS5 load",
                    f.seconds,
                    cpu(f.cpu_seconds),
                    thousands(f.messages as f64 / f.seconds.max(1e-9)),
                    mb(f.disk_bytes),
                    "-"
                );
            }
            None => {
                let _ = writeln!(s, "  SQLite FTS5 load            skipped");
            }
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<10}| {:>22} {:>11} | {:>22} {:>11} | {:>7}",
            "SEARCH",
            "trove p50/p99/max ms",
            "avg hits",
            "FTS5 p50/p99/max ms",
            "avg hits",
            "ratio"
        );
        for t in &self.trove {
            let trove = format!("{} / {} / {}", ms(t.p50), ms(t.p99), ms(t.max));
            let (fts, fts_hits, ratio) = match self.fts_kind(t.kind) {
                Some(f) => (
                    format!("{} / {} / {}", ms(f.p50), ms(f.p99), ms(f.max)),
                    thousands(f.mean_total),
                    format!("{:.1}x", f.p50 / t.p50.max(1e-9)),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            let _ = writeln!(
                s,
                "{:<10}| {:>22} {:>11} | {:>22} {:>11} | {:>7}",
                t.kind.name(),
                trove,
                thousands(t.mean_total),
                fts,
                fts_hits,
                ratio
            );
        }
        let _ = writeln!(
            s,
            "(ratio = FTS5 p50 / trove p50; trove stems words, FTS5 does not, so single-word hit counts differ)"
        );
        let examples: Vec<String> = self
            .examples
            .iter()
            .map(|(kind, trove, fts)| format!("{} `{trove}` | `{fts}`", kind.name()))
            .collect();
        let _ =
            writeln!(s, "first query of each kind (trove | FTS5 MATCH): {}", examples.join("; "));
        if self.search.warned > 0 {
            let _ = writeln!(
                s,
                "note: {} trove queries returned warnings, e.g. {}",
                self.search.warned,
                self.search.first_warning.as_deref().unwrap_or("")
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "TARGETS");
        for v in self.verdicts() {
            let mark = match v.pass {
                Some(true) => "PASS",
                Some(false) => "FAIL",
                None => "n/a ",
            };
            let _ = writeln!(s, "  {mark}  {}: {}", v.target, v.detail);
        }
        s
    }

    /// The figures as JSON.
    pub fn json(&self) -> Value {
        let kinds = |stats: &[KindStats]| -> Value {
            Value::Object(
                stats
                    .iter()
                    .map(|k| {
                        (
                            k.kind.name().to_string(),
                            json!({
                                "runs": k.runs,
                                "p50_ms": k.p50,
                                "p99_ms": k.p99,
                                "max_ms": k.max,
                                "mean_total_hits": k.mean_total,
                            }),
                        )
                    })
                    .collect(),
            )
        };
        json!({
            "messages": self.messages,
            "format": self.format,
            "archive": self.archive,
            "archive_bytes": self.archive_bytes,
            "generate_seconds": self.generate_seconds,
            "queries_per_kind": self.queries_per_kind,
            "cpus": self.cpus,
            "load_average_start": self.load.0,
            "load_average_end": self.load.1,
            "ingest": {
                "trove": {
                    "seconds": self.ingest.seconds,
                    "messages_per_second": self.ingest_rate(),
                    "messages_per_second_each_run": self.ingest_rates,
                    "streaming_seconds": self.ingest.streaming_seconds,
                    "commit_seconds": self.ingest.commit_seconds,
                    "messages_added": self.ingest.messages_added,
                    "skipped": self.ingest.skipped,
                    "searchable": self.ingest.searchable,
                    "peak_rss_bytes": self.ingest.peak_rss,
                    "peak_rss_before_commit_bytes": self.ingest.peak_rss_streaming,
                    "peak_reset": self.ingest.peak_reset,
                    "disk_bytes": self.ingest.disk_bytes,
                    "cpu_seconds": self.ingest.cpu_seconds,
                    "reopen_seconds": self.search.open_seconds,
                },
                "breakdown": self.breakdown.as_ref().map(|b| json!({
                    "reader_seconds": b.read_seconds,
                    "reader_and_index_seconds": b.read_index_seconds,
                    "index_commit_seconds": b.index_commit_seconds,
                })),
                "fts5": self.fts_load.as_ref().map(|f| json!({
                    "seconds": f.seconds,
                    "messages": f.messages,
                    "messages_per_second": f.messages as f64 / f.seconds.max(1e-9),
                    "disk_bytes": f.disk_bytes,
                    "cpu_seconds": f.cpu_seconds,
                })),
            },
            "search": {
                "trove": kinds(&self.trove),
                "fts5": self.fts.as_deref().map(kinds),
                "trove_warnings": self.search.warned,
                "examples": self.examples.iter().map(|(kind, trove, fts)| json!({
                    "kind": kind.name(),
                    "trove": trove,
                    "fts5_match": fts,
                })).collect::<Vec<_>>(),
            },
            "targets": self.verdicts().iter().map(|v| json!({
                "target": v.target,
                "pass": v.pass,
                "detail": v.detail,
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seconds: f64) -> IngestFigures {
        IngestFigures { seconds, messages_added: 1_000, ..IngestFigures::default() }
    }

    #[test]
    fn the_median_run_is_chosen_by_rate_and_rates_keep_their_order() {
        let (median, rates) = median_run(vec![run(1.0), run(4.0), run(2.0)]).unwrap();
        assert_eq!(median.seconds, 2.0);
        assert_eq!(rates, vec![1_000.0, 250.0, 500.0]);
    }

    #[test]
    fn a_target_is_judged_only_at_the_scale_it_is_stated_at() {
        let at = |messages: u64| Results {
            messages,
            ingest: IngestFigures { peak_rss: Some(300_000_000), ..run(0.001) },
            ..Results::default()
        };
        let verdicts = at(SEARCH_SCALE).verdicts();
        assert_eq!(verdicts[0].pass, Some(true), "{:?}", verdicts[0]);
        assert_eq!(verdicts.last().map(|v| v.pass), Some(None));
        let verdicts = at(MEMORY_SCALE).verdicts();
        assert_eq!(verdicts[0].pass, None, "{:?}", verdicts[0]);
        assert!(verdicts[0].detail.contains("target stated at 1,000,000"), "{:?}", verdicts[0]);
        assert_eq!(verdicts.last().map(|v| v.pass), Some(Some(true)));
    }

    #[test]
    fn of_two_runs_the_slower_is_the_median() {
        let (median, _) = median_run(vec![run(1.0), run(2.0)]).unwrap();
        assert_eq!(median.seconds, 2.0);
        assert!(median_run(Vec::new()).is_none());
    }
}
