//! Multilingual analysis in one pass.
//!
//! Every word yields its exact form prefixed with [`EXACT_MARK`] (for quoted
//! phrases, prefixes and fuzzy matches) and, at the same position, its stem
//! (for plain word queries) when the stem differs from the exact form. Most
//! words of a chat are their own stem (`the`, `ok`, `you`), and leaving out
//! the repeated term saves a third of the postings an ingest writes; a word
//! query therefore asks for the stem term or the exact term spelled like
//! the stem ([`stem_terms`]). One field, one tokenisation pass.
//!
//! Words are Unicode words (UAX #29), split again at full stops (so the
//! file name `minutes.pdf` and the host `example.org` are two words each,
//! found by either part), lowercased and accent-folded (NFD minus
//! combining marks, so `É`→`e`, `ё`→`е`). The stemmer is chosen per word by
//! script, so a message mixing English and Russian stems both without
//! language detection.

use std::collections::HashMap;
use std::sync::Arc;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

/// Prefix of exact-form terms. Not a character any word can start with
/// after normalisation, since words never contain `=`.
pub const EXACT_MARK: char = '=';

/// Words longer than this (in bytes, after folding) are not indexed: they are
/// base64 blobs or hostile padding, never something a person types.
const MAX_WORD_BYTES: usize = 80;

/// The name the analyzer is registered under. It is part of the index
/// schema: changing what the analyzer does means a new name, so that an
/// index written by the old one is rebuilt rather than half-matched.
pub const ANALYZER: &str = "trove-3";

struct Stemmers {
    english: Stemmer,
    russian: Stemmer,
    arabic: Stemmer,
}

/// Stems remembered per tokenizer: chat vocabulary is Zipf-distributed, so
/// a small memo answers almost every word without running the stemmer.
const STEM_CACHE_ENTRIES: usize = 1 << 16;

/// The tantivy tokenizer doing the whole analysis.
pub struct TroveTokenizer {
    stemmers: Arc<Stemmers>,
    /// Token buffers, reused across texts (their strings too); the first
    /// `used` are this text's.
    tokens: Vec<Token>,
    used: usize,
    stems: HashMap<Box<str>, Box<str>, foldhash::fast::RandomState>,
    folded: String,
}

impl Clone for TroveTokenizer {
    fn clone(&self) -> Self {
        TroveTokenizer {
            stemmers: Arc::clone(&self.stemmers),
            tokens: Vec::new(),
            used: 0,
            stems: HashMap::default(),
            folded: String::new(),
        }
    }
}

impl Default for TroveTokenizer {
    fn default() -> Self {
        TroveTokenizer {
            stemmers: Arc::new(Stemmers {
                english: Stemmer::create(Algorithm::English),
                russian: Stemmer::create(Algorithm::Russian),
                arabic: Stemmer::create(Algorithm::Arabic),
            }),
            tokens: Vec::new(),
            used: 0,
            stems: HashMap::default(),
            folded: String::new(),
        }
    }
}

/// Lowercases and removes accents. ASCII takes a fast path.
pub fn fold(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    for c in word.chars().flat_map(char::to_lowercase).nfd() {
        if !is_combining_mark(c) {
            out.push(c);
        }
    }
}

enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Other,
}

fn script_of(word: &str) -> Script {
    match word.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => Script::Latin,
        Some(c) if ('\u{0400}'..='\u{052F}').contains(&c) => Script::Cyrillic,
        Some(c) if ('\u{0600}'..='\u{06FF}').contains(&c) => Script::Arabic,
        _ => Script::Other,
    }
}

impl Stemmers {
    fn stem<'w>(&self, folded: &'w str) -> std::borrow::Cow<'w, str> {
        match script_of(folded) {
            Script::Latin => self.english.stem(folded),
            Script::Cyrillic => self.russian.stem(folded),
            Script::Arabic => self.arabic.stem(folded),
            Script::Other => std::borrow::Cow::Borrowed(folded),
        }
    }
}

/// Analyses `text` into `(stem, exact form)` pairs with byte ranges; used by
/// the query side and snippets so they see words exactly as the index does.
pub fn words(text: &str) -> Vec<Word> {
    let mut tokenizer = TroveTokenizer::default();
    tokenizer.analyse(text);
    let mut found: Vec<Word> = Vec::new();
    for token in &tokenizer.tokens[..tokenizer.used] {
        match token.text.strip_prefix(EXACT_MARK) {
            // An exact form follows its word's stem, if the stem was written.
            Some(exact) => match found.last_mut() {
                Some(word) if word.exact.is_empty() && word.start == token.offset_from => {
                    word.exact = exact.to_string();
                }
                _ => found.push(Word {
                    stem: exact.to_string(),
                    exact: exact.to_string(),
                    start: token.offset_from,
                    end: token.offset_to,
                }),
            },
            None => found.push(Word {
                stem: token.text.clone(),
                exact: String::new(),
                start: token.offset_from,
                end: token.offset_to,
            }),
        }
    }
    found
}

/// The index terms a plain word query for `stem` matches: the stem term
/// (words whose stem differs from their exact form) and the exact term
/// spelled like the stem (the word that is its own stem).
pub fn stem_terms(stem: &str) -> [String; 2] {
    [stem.to_string(), format!("{EXACT_MARK}{stem}")]
}

/// One analysed word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The stem, as indexed for word queries.
    pub stem: String,
    /// The folded exact form (without the mark).
    pub exact: String,
    /// Byte range in the analysed text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
}

/// The next reusable token slot, reset for a word at `start..end`.
fn slot<'t>(
    tokens: &'t mut Vec<Token>,
    used: &mut usize,
    start: usize,
    end: usize,
    position: usize,
) -> &'t mut Token {
    if *used == tokens.len() {
        tokens.push(Token::default());
    }
    let token = &mut tokens[*used];
    *used += 1;
    token.offset_from = start;
    token.offset_to = end;
    token.position = position;
    token.position_length = 1;
    token.text.clear();
    token
}

impl TroveTokenizer {
    fn analyse(&mut self, text: &str) {
        self.used = 0;
        // Most chat text is ASCII, where UAX #29 reduces to a few byte
        // rules; the general segmenter costs several times more per word.
        if text.is_ascii() {
            self.analyse_words(AsciiWords { text, at: 0 });
        } else {
            self.analyse_words(text.unicode_word_indices());
        }
    }

    fn analyse_words<'t>(&mut self, words: impl Iterator<Item = (usize, &'t str)>) {
        let folded = &mut self.folded;
        let pieces = words.flat_map(|(start, word)| {
            word.split('.').scan(start, |at, piece| {
                let here = *at;
                *at += piece.len() + 1;
                Some((here, piece))
            })
        });
        for (position, (start, word)) in pieces.filter(|(_, p)| !p.is_empty()).enumerate() {
            fold(word, folded);
            if folded.is_empty() || folded.len() > MAX_WORD_BYTES {
                continue;
            }
            let at = (start, start + word.len(), position);
            if let Some(stem) = self.stems.get(folded.as_str()) {
                push_word(&mut self.tokens, &mut self.used, at, stem, folded);
                continue;
            }
            if self.stems.len() >= STEM_CACHE_ENTRIES {
                self.stems.clear();
            }
            let stem: Box<str> = self.stemmers.stem(folded).into();
            push_word(&mut self.tokens, &mut self.used, at, &stem, folded);
            self.stems.insert(folded.as_str().into(), stem);
        }
    }
}

/// Writes a word's tokens: its stem where that differs from the exact
/// form, then the marked exact form. `at` is start, end and position.
fn push_word(
    tokens: &mut Vec<Token>,
    used: &mut usize,
    (start, end, position): (usize, usize, usize),
    stem: &str,
    folded: &str,
) {
    if stem != folded {
        slot(tokens, used, start, end, position).text.push_str(stem);
    }
    let exact = slot(tokens, used, start, end, position);
    exact.text.push(EXACT_MARK);
    exact.text.push_str(folded);
}

/// UAX #29 words of an ASCII text, as `unicode_word_indices` finds them:
/// runs of letters, digits and `_`, also joined across one `:`, `.` or `'`
/// between letters (WB6/7) and one `,`, `;`, `.` or `'` between digits
/// (WB11/12); a run of `_` alone is not a word.
struct AsciiWords<'t> {
    text: &'t str,
    at: usize,
}

fn joins(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'t> Iterator for AsciiWords<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<(usize, &'t str)> {
        let bytes = self.text.as_bytes();
        loop {
            while self.at < bytes.len() && !joins(bytes[self.at]) {
                self.at += 1;
            }
            if self.at >= bytes.len() {
                return None;
            }
            let start = self.at;
            loop {
                while self.at < bytes.len() && joins(bytes[self.at]) {
                    self.at += 1;
                }
                let (Some(&before), Some(&mid), Some(&after)) = (
                    bytes.get(self.at.wrapping_sub(1)),
                    bytes.get(self.at),
                    bytes.get(self.at + 1),
                ) else {
                    break;
                };
                let letters = before.is_ascii_alphabetic()
                    && after.is_ascii_alphabetic()
                    && matches!(mid, b':' | b'.' | b'\'');
                let digits = before.is_ascii_digit()
                    && after.is_ascii_digit()
                    && matches!(mid, b',' | b';' | b'.' | b'\'');
                if !(letters || digits) {
                    break;
                }
                self.at += 1;
            }
            let word = &self.text[start..self.at];
            if word.bytes().any(|b| b.is_ascii_alphanumeric()) {
                return Some((start, word));
            }
        }
    }
}

/// The token stream over analysed tokens.
pub struct TroveTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for TroveTokenizer {
    type TokenStream<'a> = TroveTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TroveTokenStream<'a> {
        self.analyse(text);
        TroveTokenStream { tokens: &mut self.tokens[..self.used], next: 0 }
    }
}

impl TokenStream for TroveTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.stem).collect()
    }

    #[test]
    fn russian_inflections_share_a_stem() {
        assert_eq!(stems("пароль"), stems("пароля"));
        assert_eq!(stems("Пароль"), stems("паролем"));
        assert_ne!(words("пароль")[0].exact, words("пароля")[0].exact);
    }

    #[test]
    fn english_stems_and_accents_fold() {
        assert_eq!(stems("running runs"), vec!["run", "run"]);
        assert_eq!(words("Café")[0].exact, "cafe");
        assert_eq!(words("ёлка")[0].exact, "елка");
    }

    #[test]
    fn offsets_point_at_the_original_words() {
        let text = "Hello, Wörld! 2016";
        let found = words(text);
        let spans: Vec<&str> = found.iter().map(|w| &text[w.start..w.end]).collect();
        assert_eq!(spans, vec!["Hello", "Wörld", "2016"]);
    }

    #[test]
    fn full_stops_inside_words_split_them() {
        let text = "Board-minutes.pdf at example.org, v3.14.";
        let found = words(text);
        let spans: Vec<&str> = found.iter().map(|w| &text[w.start..w.end]).collect();
        assert_eq!(spans, vec!["Board", "minutes", "pdf", "at", "example", "org", "v3", "14"]);
    }

    #[test]
    fn han_characters_are_separate_words() {
        assert_eq!(words("密码错误").len(), 4);
    }

    proptest::proptest! {
        #[test]
        fn ascii_words_match_the_unicode_segmenter(
            text in "[a-zA-Z0-9_:.',; \\-\"!\n]{0,40}"
        ) {
            let expected: Vec<(usize, &str)> = text.unicode_word_indices().collect();
            let found: Vec<(usize, &str)> = AsciiWords { text: &text, at: 0 }.collect();
            proptest::prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn ascii_words_join_across_mid_letters_and_mid_numbers() {
        let text = "don't a:b 1,000.5 x.y _ __a a_1 1.a a.1 end.";
        let found: Vec<&str> = AsciiWords { text, at: 0 }.map(|(_, w)| w).collect();
        assert_eq!(
            found,
            vec!["don't", "a:b", "1,000.5", "x.y", "__a", "a_1", "1", "a", "a", "1", "end"]
        );
        let expected: Vec<&str> = text.unicode_words().collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn overlong_words_are_not_indexed() {
        let blob = "a".repeat(500);
        assert!(words(&blob).is_empty());
    }
}
