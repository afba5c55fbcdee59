//! Recall on generated chat text: every message holding a word, in any of
//! the forms real text writes it in (possessives with each apostrophe,
//! French elisions, capitals, quotes, punctuation), is found, and nothing
//! else is, counted against a reference computed by a plain rule that
//! shares no code with the analyzer.

use trove_index::{Annotated, CaseIndex, IndexDoc, Resolve, Sort};
use trove_query::Field;

/// Filters are not what this test is about.
struct NoNames;

impl Resolve for NoNames {
    fn senders(&self, _: &str) -> Vec<u64> {
        Vec::new()
    }
    fn conversations(&self, _: &str) -> Vec<u64> {
        Vec::new()
    }
    fn sources(&self, _: &str) -> Vec<u64> {
        Vec::new()
    }
    fn date_span(&self, value: &str) -> Result<(i64, i64), String> {
        Err(format!("no dates here: {value}"))
    }
    fn annotated(&self, _: Field, _: &str) -> Result<Annotated, String> {
        Ok(Annotated::Rows(Vec::new()))
    }
}

/// xorshift64*: deterministic, and enough for picking words.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const APOSTROPHES: [char; 5] = ['\u{2019}', '\'', '\u{2BC}', '\u{FF07}', '\u{2018}'];

/// The searched words, as they are cased in prose.
const WORDS: [&str; 4] = ["Clinton", "Trump", "homme", "accord"];

/// Words that contain a searched word without being it, and do not share
/// its stem.
const DISTRACTORS: [&str; 9] = [
    "clintonite",
    "McClinton",
    "Clintonesque",
    "trumpet",
    "Trumpian",
    "hommage",
    "accordion",
    "d’accordéon",
    "discord",
];

const FILLER: [&str; 24] = [
    "the",
    "campaign",
    "said",
    "emails",
    "is",
    "it's",
    "don't",
    "we",
    "the",
    "leak",
    "c’est",
    "qu’on",
    "aujourd’hui",
    "vote",
    "2016",
    "v3.14",
    "example.org",
    "пароль",
    "сказал",
    "ёлка",
    "Ça",
    "va",
    "😀",
    "—",
];

/// One written form of `word`, with its surroundings.
fn form(rng: &mut Rng, word: &str) -> String {
    let apostrophe = APOSTROPHES[rng.below(APOSTROPHES.len())];
    let upper = word.to_uppercase();
    let lower = word.to_lowercase();
    match rng.below(14) {
        0 => word.to_string(),
        1 => lower,
        2 => upper,
        3 => format!("{word}{apostrophe}s"),
        4 => format!("{upper}{apostrophe}S"),
        5 => format!("l{apostrophe}{lower}"),
        6 => format!("D{apostrophe}{upper}"),
        7 => format!("qu{apostrophe}{word}"),
        8 => format!("\"{word}\""),
        9 => format!("«{word}»"),
        10 => format!("‘{word}’"),
        11 => format!("({word}),"),
        12 => format!("{word}-{}", rng.pick(&WORDS)),
        _ => format!("{word}{}", rng.pick(&[".", "!?", "…", ";", ":"])),
    }
}

fn message(rng: &mut Rng) -> String {
    let mut parts: Vec<String> = Vec::new();
    for _ in 0..3 + rng.below(12) {
        parts.push(match rng.below(10) {
            0 | 1 => {
                let word = rng.pick(&WORDS);
                form(rng, word)
            }
            2 => {
                let distractor = rng.pick(&DISTRACTORS);
                form(rng, distractor)
            }
            _ => rng.pick(&FILLER).to_string(),
        });
    }
    // Han text sends a message to the general segmenter rather than the
    // fast one; both must find the same words.
    if rng.below(8) == 0 {
        parts.push("密码".to_string());
    }
    parts.join(" ")
}

/// The reference: the text's words are its runs of letters and digits,
/// apostrophes of every form ending a word; compared case-insensitively.
fn reference_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() || APOSTROPHES.contains(&c))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn reference_count(texts: &[String], matches: impl Fn(&[String]) -> bool) -> u64 {
    texts.iter().filter(|t| matches(&reference_words(t))).count() as u64
}

fn has(words: &[String], word: &str) -> bool {
    words.iter().any(|w| w == word)
}

fn has_run(words: &[String], run: &[&str]) -> bool {
    words.windows(run.len()).any(|w| w.iter().zip(run).all(|(a, b)| a == b))
}

fn build(texts: &[String]) -> (tempfile::TempDir, CaseIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = CaseIndex::open_or_create(dir.path()).expect("index");
    let mut writer = index.writer(1, 50_000_000).expect("writer");
    for (row, text) in texts.iter().enumerate() {
        let doc = IndexDoc {
            row: row as u64,
            text,
            sent_at_ms: row as i64,
            sender: None,
            conversation: 1,
            source: 1,
            platform: "test",
            has_link: false,
            has_attachment: false,
            lang: None,
        };
        writer.add(&doc).expect("add");
    }
    writer.commit("1").expect("commit");
    index.reload().expect("reload");
    (dir, index)
}

fn count(index: &CaseIndex, query: &str) -> u64 {
    let (parsed, problems) = trove_query::parse(query);
    assert!(problems.is_empty(), "{query}: {problems:?}");
    let (hits, warnings) =
        index.search_query(&parsed, &NoNames, Sort::Relevance, 0, 1).expect("search");
    assert!(warnings.is_empty(), "{query}: {warnings:?}");
    hits.total
}

#[test]
fn every_form_of_a_word_is_found_exactly() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let texts: Vec<String> = (0..4000).map(|_| message(&mut rng)).collect();
    let (_dir, index) = build(&texts);

    let mut checked = Vec::new();
    for word in WORDS {
        let lower = word.to_lowercase();
        let expected = reference_count(&texts, |w| has(w, &lower));
        // The generator gives each word every form, a few hundred times.
        assert!(expected > 500, "{word}: only {expected} messages");
        for query in [lower.clone(), word.to_uppercase()] {
            checked.push((query.clone(), count(&index, &query), expected));
        }
    }
    let both = reference_count(&texts, |w| has(w, "clinton") && has(w, "trump"));
    checked.push(("clinton AND trump".into(), count(&index, "clinton AND trump"), both));
    checked.push(("clinton trump".into(), count(&index, "clinton trump"), both));
    let either = reference_count(&texts, |w| has(w, "clinton") || has(w, "trump"));
    checked.push(("clinton OR trump".into(), count(&index, "clinton OR trump"), either));
    let only = reference_count(&texts, |w| has(w, "clinton") && !has(w, "trump"));
    checked.push(("clinton -trump".into(), count(&index, "clinton -trump"), only));

    // The whole possessive or elided form, as a phrase or as a word, with
    // any apostrophe typed: the same messages, whichever form they hold.
    let possessive = reference_count(&texts, |w| has_run(w, &["clinton", "s"]));
    assert!(possessive > 100, "only {possessive} possessives");
    for query in ["\"Clinton’s\"", "\"Clinton's\"", "clinton's", "CLINTONʼS", "Clinton＇s"] {
        checked.push((query.into(), count(&index, query), possessive));
    }
    let elided = reference_count(&texts, |w| has_run(w, &["l", "homme"]));
    for query in ["l’homme", "\"l'homme\"", "L'HOMME"] {
        checked.push((query.into(), count(&index, query), elided));
    }
    let prefixed =
        reference_count(&texts, |w| w.windows(2).any(|p| p[0] == "d" && p[1].starts_with("acc")));
    checked.push(("d'acc*".into(), count(&index, "d'acc*"), prefixed));

    let wrong: Vec<String> = checked
        .iter()
        .filter(|(_, got, expected)| got != expected)
        .map(|(query, got, expected)| format!("{query}: {got} found, {expected} expected"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
