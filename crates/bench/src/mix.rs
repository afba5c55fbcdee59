//! The query mix: five kinds, each drawn deterministically from what the
//! generated archive holds, in trove's query language and as the matching
//! FTS5 query.

use trove_testkit::Rng;
use trove_testkit::text::vocabulary;
use trove_testkit::twitter::iso_ms;

use crate::corpus::{Corpus, SEED, cumulative, draw};

/// A kind of query in the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One word from the rarest tenth of the vocabulary that occurs.
    Rare,
    /// One of the five most frequent English words.
    Frequent,
    /// Two words that stand next to each other in a generated message.
    Phrase,
    /// The first three letters of a frequent word, with `*`.
    Prefix,
    /// `from:SENDER after:DATE` and a mid-frequency word (rank 50-149).
    Filter,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 5] =
        [Kind::Rare, Kind::Frequent, Kind::Phrase, Kind::Prefix, Kind::Filter];

    /// The name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Rare => "rare",
            Kind::Frequent => "frequent",
            Kind::Phrase => "phrase",
            Kind::Prefix => "prefix",
            Kind::Filter => "filter",
        }
    }
}

/// One query, for both engines.
#[derive(Clone, Debug)]
pub struct BenchQuery {
    /// Its kind.
    pub kind: Kind,
    /// In trove's query language.
    pub trove: String,
    /// The FTS5 `MATCH` expression.
    pub fts_match: String,
    /// FTS5: `sender = ?` (filter queries).
    pub sender: Option<String>,
    /// FTS5: `ts >= ?`, a `YYYY-MM-DD` date (filter queries).
    pub since: Option<String>,
}

impl BenchQuery {
    fn text(kind: Kind, trove: String, fts_match: String) -> BenchQuery {
        BenchQuery { kind, trove, fts_match, sender: None, since: None }
    }
}

/// `word` as an FTS5 string (one token, so a one-word phrase).
fn fts_string(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// `per_kind` queries of each kind, grouped by kind in [`Kind::ALL`]
/// order. Kinds the corpus cannot supply (e.g. no phrases in a tiny
/// archive) are left out.
pub fn build(corpus: &Corpus, per_kind: usize) -> Vec<BenchQuery> {
    let mut out = Vec::with_capacity(per_kind * Kind::ALL.len());
    let words = &corpus.words;

    // Rare: the rarest tenth (at least 20 words) of the vocabulary that
    // occurs at all.
    let rare_count = (words.len() / 10).max(20).min(words.len());
    let rare: Vec<&str> = words.iter().rev().take(rare_count).map(|w| w.word.as_str()).collect();
    let mut rng = Rng::new(SEED ^ 1);
    if !rare.is_empty() {
        for _ in 0..per_kind {
            let word = *rng.pick(&rare);
            out.push(BenchQuery::text(Kind::Rare, word.to_string(), fts_string(word)));
        }
    }

    // Frequent: the top five of the English vocabulary (Zipf ranks 0-4).
    let frequent: Vec<String> = vocabulary(trove_testkit::Lang::English)
        .words()
        .iter()
        .take(5)
        .map(|w| w.to_lowercase())
        .collect();
    let mut rng = Rng::new(SEED ^ 2);
    if !words.is_empty() {
        for _ in 0..per_kind {
            let word = rng.pick(&frequent);
            out.push(BenchQuery::text(Kind::Frequent, word.clone(), fts_string(word)));
        }
    }

    // Phrase: pairs seen adjacent in generated messages.
    let mut rng = Rng::new(SEED ^ 3);
    if !corpus.phrases.is_empty() {
        for _ in 0..per_kind {
            let (a, b) = rng.pick(&corpus.phrases);
            out.push(BenchQuery::text(
                Kind::Phrase,
                format!("\"{a} {b}\""),
                format!("\"{a} {b}\""),
            ));
        }
    }

    // Prefix: three letters of the 20 most frequent words of four letters
    // or more (distinct prefixes).
    let mut prefixes: Vec<String> = Vec::new();
    for w in words.iter().filter(|w| w.word.chars().count() >= 4) {
        let prefix: String = w.word.chars().take(3).collect();
        if !prefixes.contains(&prefix) {
            prefixes.push(prefix);
        }
        if prefixes.len() == 20 {
            break;
        }
    }
    let mut rng = Rng::new(SEED ^ 4);
    if !prefixes.is_empty() {
        for _ in 0..per_kind {
            let prefix = rng.pick(&prefixes);
            out.push(BenchQuery::text(Kind::Prefix, format!("{prefix}*"), format!("{prefix}*")));
        }
    }

    // Filter: a sender drawn by activity, a date in the first 80% of the
    // span, and a word of frequency rank 50-149 (a topic word, not "the").
    let topical: Vec<&str> = words
        .iter()
        .skip(50)
        .take(100)
        .filter(|w| w.word.chars().count() >= 3)
        .map(|w| w.word.as_str())
        .collect();
    let sender_table = cumulative(corpus.senders.iter().map(|(_, n)| *n));
    let span = (corpus.last_ms - corpus.first_ms).max(1) as u64;
    let mut rng = Rng::new(SEED ^ 5);
    if !topical.is_empty() && !corpus.senders.is_empty() {
        for _ in 0..per_kind {
            let sender = &corpus.senders[draw(&sender_table, &mut rng)].0;
            let ms = corpus.first_ms + rng.below(span * 4 / 5) as i64;
            let date: String = iso_ms(ms).chars().take(10).collect();
            let word = *rng.pick(&topical);
            out.push(BenchQuery {
                kind: Kind::Filter,
                trove: format!("from:{sender} after:{date} {word}"),
                fts_match: fts_string(word),
                sender: Some(sender.clone()),
                since: Some(date),
            });
        }
    }
    out
}
