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
//! found by either part) and at apostrophes in every form (`’ ' ʼ ＇ ‘`, see
//! `splits_words`: `Clinton’s` is `clinton` and `s`, `l’homme` is `l` and
//! `homme`, so the base word finds them whichever apostrophe a phone or a
//! word processor typed; the whole form is still found as a phrase, and as
//! the query side splits alike, `"Clinton's"` finds `Clinton’s`), then
//! lowercased and accent-folded (NFD minus combining marks, so `É`→`e`,
//! `ё`→`е`). The stemmer is chosen per word by script, so a message mixing
//! English and Russian stems both without language detection.

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
pub const ANALYZER: &str = "trove-4";

struct Stemmers {
    english: Stemmer,
    russian: Stemmer,
    arabic: Stemmer,
}

/// Words remembered per tokenizer: chat vocabulary is Zipf-distributed, so
/// a small memo answers almost every word without folding or stemming it
/// (folding a non-ASCII word costs as much as finding it in the text).
const MEMO_ENTRIES: usize = 1 << 16;

/// The tantivy tokenizer doing the whole analysis.
pub struct TroveTokenizer {
    stemmers: Arc<Stemmers>,
    /// Token buffers, reused across texts (their strings too); the first
    /// `used` are this text's.
    tokens: Vec<Token>,
    used: usize,
    /// Words as written, with their folded form and stem.
    memo: HashMap<Box<str>, Analysed, foldhash::fast::RandomState>,
    folded: String,
}

/// What analysis makes of one word as written.
struct Analysed {
    folded: Box<str>,
    /// `None` when the word is its own stem.
    stem: Option<Box<str>>,
}

impl Clone for TroveTokenizer {
    fn clone(&self) -> Self {
        TroveTokenizer {
            stemmers: Arc::clone(&self.stemmers),
            tokens: Vec::new(),
            used: 0,
            memo: HashMap::default(),
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
            memo: HashMap::default(),
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
        // Most chat text is in a few scripts, where UAX #29 reduces to a
        // few rules; the general segmenter costs several times more per
        // word.
        if simple_text(text) {
            self.analyse_words(SimpleWords { text, at: 0 });
        } else {
            self.analyse_words(text.unicode_word_indices());
        }
    }

    fn analyse_words<'t>(&mut self, words: impl Iterator<Item = (usize, &'t str)>) {
        let mut position = 0;
        for (start, word) in words {
            if !may_split(word) {
                self.analyse_piece(start, word, position);
                position += 1;
                continue;
            }
            let mut piece_start = 0;
            for (at, c) in word.char_indices() {
                if splits_words(c) {
                    if let Some(piece) = word.get(piece_start..at).filter(|p| !p.is_empty()) {
                        self.analyse_piece(start + piece_start, piece, position);
                        position += 1;
                    }
                    piece_start = at + c.len_utf8();
                }
            }
            if let Some(piece) = word.get(piece_start..).filter(|p| !p.is_empty()) {
                self.analyse_piece(start + piece_start, piece, position);
                position += 1;
            }
        }
    }

    /// Writes the tokens of one word (a piece between full stops) found at
    /// byte `start`.
    fn analyse_piece(&mut self, start: usize, word: &str, position: usize) {
        let at = (start, start + word.len(), position);
        if let Some(known) = self.memo.get(word) {
            push_word(&mut self.tokens, &mut self.used, at, known.stem.as_deref(), &known.folded);
            return;
        }
        let folded = &mut self.folded;
        fold(word, folded);
        if folded.is_empty() || folded.len() > MAX_WORD_BYTES {
            return;
        }
        let stem = self.stemmers.stem(folded);
        let stem = (*stem != **folded).then(|| Box::<str>::from(stem));
        push_word(&mut self.tokens, &mut self.used, at, stem.as_deref(), folded);
        if self.memo.len() >= MEMO_ENTRIES {
            self.memo.clear();
        }
        self.memo.insert(word.into(), Analysed { folded: folded.as_str().into(), stem });
    }
}

/// Whether `c` splits a segmenter word into words indexed apart: the full
/// stop, and the apostrophe as typed by keyboards (U+0027), phones and word
/// processors (U+2019, and U+2018 where autocorrect turned it the wrong
/// way), as a letter (U+02BC, also Ukrainian's apostrophe) and full-width
/// (U+FF07). UAX #29 keeps all of them inside a word between letters.
#[inline]
fn splits_words(c: char) -> bool {
    matches!(c, '.' | '\'' | '\u{2019}' | '\u{2018}' | '\u{2BC}' | '\u{FF07}')
}

/// False when `word` surely holds no [`splits_words`] character: none of
/// their first UTF-8 bytes. One pass over a few bytes, for every word.
#[inline]
fn may_split(word: &str) -> bool {
    word.bytes().any(|b| matches!(b, b'.' | b'\'' | 0xCA | 0xE2 | 0xEF))
}

/// Writes a word's tokens: its stem (`None` when the word is its own
/// stem), then the marked exact form. `at` is start, end and position.
fn push_word(
    tokens: &mut Vec<Token>,
    used: &mut usize,
    (start, end, position): (usize, usize, usize),
    stem: Option<&str>,
    folded: &str,
) {
    if let Some(stem) = stem {
        slot(tokens, used, start, end, position).text.push_str(stem);
    }
    let exact = slot(tokens, used, start, end, position);
    exact.text.push(EXACT_MARK);
    exact.text.push_str(folded);
}

/// How UAX #29 treats a character, for the characters [`SimpleWords`]
/// handles itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// ALetter: joins letters and digits into words.
    Letter,
    /// Numeric.
    Digit,
    /// ExtendNumLet (`_`): joins, but is no word alone.
    Connector,
    /// MidLetter: joins two letters (`a:b`).
    MidLetter,
    /// MidNum: joins two digits (`1,000`).
    MidNum,
    /// MidNumLet or Single_Quote: joins two letters or two digits.
    MidNumLet,
    /// Anything else that only separates words (spaces, punctuation,
    /// symbols, emoji).
    Break,
    /// Extend or ZWJ after an emoji or other separator: it belongs to that
    /// character, so it separates too. After a letter it would join it, so
    /// such a text is left to the general segmenter.
    Extend,
}

#[inline]
fn ascii_class(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Connector,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' | b'\'' => Class::MidNumLet,
        _ => Class::Break,
    }
}

/// The class of a character of the common scripts of chat text (Latin,
/// Greek, Cyrillic, typographic punctuation, symbols and emoji); `None` for
/// anything else, which the general segmenter handles. A test checks every
/// character classified here against `unicode-segmentation`.
fn class_of(c: char) -> Option<Class> {
    if c.is_ascii() {
        return Some(ascii_class(c as u8));
    }
    let class = match c {
        '\u{AA}' | '\u{B5}' | '\u{BA}' | '\u{2BC}' => Class::Letter,
        '\u{B7}' | '\u{387}' => Class::MidLetter,
        '\u{37E}' => Class::MidNum,
        '\u{2018}' | '\u{2019}' | '\u{2024}' | '\u{FF07}' => Class::MidNumLet,
        '\u{D7}' | '\u{F7}' => Class::Break,
        '\u{C0}'..='\u{24F}' | '\u{400}'..='\u{481}' | '\u{48A}'..='\u{52F}' => Class::Letter,
        // Greek is rare enough in chats to afford the property lookup.
        '\u{370}'..='\u{3FF}' if c.is_alphabetic() => Class::Letter,
        // Numbers and letters in their own right among the symbols: each
        // is a word of its own to the segmenter.
        '\u{B2}'
        | '\u{B3}'
        | '\u{B9}'
        | '\u{BC}'..='\u{BE}'
        | '\u{2776}'..='\u{2793}'
        | '\u{1F100}'..='\u{1F1E5}' => return None,
        '\u{FE0F}' | '\u{200D}' | '\u{20E3}' | '\u{1F3FB}'..='\u{1F3FF}' => Class::Extend,
        '\u{A0}'..='\u{BF}'
        | '\u{2000}'..='\u{200A}'
        | '\u{2010}'..='\u{2017}'
        | '\u{201A}'..='\u{2023}'
        | '\u{2025}'..='\u{2027}'
        | '\u{2030}'..='\u{203E}'
        | '\u{20A0}'..='\u{20C0}'
        | '\u{2190}'..='\u{23FF}'
        | '\u{2500}'..='\u{27BF}'
        | '\u{1F000}'..='\u{1FAFF}' => Class::Break,
        _ => return None,
    };
    // Inside the separator ranges above but not separators: U+2027 is
    // MidLetter, U+00AD (soft hyphen) Format, and the segmenter joins words
    // across U+00B8 (cedilla).
    match c {
        '\u{2027}' | '\u{AD}' | '\u{B8}' => None,
        _ => Some(class),
    }
}

/// True when every character of `text` has a class and every Extend
/// follows a separator: then [`SimpleWords`] finds exactly the words
/// `unicode_word_indices` does.
fn simple_text(text: &str) -> bool {
    if text.is_ascii() {
        return true;
    }
    let mut previous = Class::Break;
    for c in text.chars() {
        match class_of(c) {
            None => return false,
            Some(Class::Extend) if !matches!(previous, Class::Break | Class::Extend) => {
                return false;
            }
            Some(class) => previous = class,
        }
    }
    true
}

/// UAX #29 words of a [`simple_text`], as `unicode_word_indices` finds
/// them: runs of letters, digits and `_`, also joined across one MidLetter
/// or MidNumLet between letters (WB6/7) and one MidNum or MidNumLet between
/// digits (WB11/12); a run of `_` alone is not a word.
struct SimpleWords<'t> {
    text: &'t str,
    at: usize,
}

impl SimpleWords<'_> {
    /// The class and byte length of the character at `at`.
    #[inline]
    fn class_at(&self, at: usize) -> Option<(Class, usize)> {
        let b = *self.text.as_bytes().get(at)?;
        if b.is_ascii() {
            return Some((ascii_class(b), 1));
        }
        let c = self.text.get(at..)?.chars().next()?;
        Some((class_of(c).unwrap_or(Class::Break), c.len_utf8()))
    }
}

fn joins(class: Class) -> bool {
    matches!(class, Class::Letter | Class::Digit | Class::Connector)
}

impl<'t> Iterator for SimpleWords<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<(usize, &'t str)> {
        loop {
            let (mut last, mut length) = loop {
                let (class, length) = self.class_at(self.at)?;
                if joins(class) {
                    break (class, length);
                }
                self.at += length;
            };
            let start = self.at;
            let mut alphanumeric = false;
            loop {
                while joins(last) {
                    alphanumeric |= last != Class::Connector;
                    self.at += length;
                    match self.class_at(self.at) {
                        Some((class, n)) if joins(class) => (last, length) = (class, n),
                        _ => break,
                    }
                }
                let Some((mid, mid_length)) = self.class_at(self.at) else { break };
                let Some((after, after_length)) = self.class_at(self.at + mid_length) else {
                    break;
                };
                let letters = last == Class::Letter
                    && after == Class::Letter
                    && matches!(mid, Class::MidLetter | Class::MidNumLet);
                let digits = last == Class::Digit
                    && after == Class::Digit
                    && matches!(mid, Class::MidNum | Class::MidNumLet);
                if !(letters || digits) {
                    break;
                }
                self.at += mid_length;
                (last, length) = (after, after_length);
            }
            if alphanumeric {
                return self.text.get(start..self.at).map(|word| (start, word));
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

    /// The rule the analyzer's words follow, without its fast paths: UAX
    /// #29 words cut at full stops and at the five apostrophes.
    fn oracle_words(text: &str) -> Vec<&str> {
        text.unicode_words()
            .flat_map(|word| word.split(['.', '\'', '’', '‘', 'ʼ', '＇']))
            .filter(|piece| !piece.is_empty())
            .collect()
    }

    fn simple_words(text: &str) -> Vec<(usize, &str)> {
        SimpleWords { text, at: 0 }.collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn ascii_words_match_the_unicode_segmenter(
            text in "[a-zA-Z0-9_:.',; \\-\"!\n]{0,40}"
        ) {
            let expected: Vec<(usize, &str)> = text.unicode_word_indices().collect();
            proptest::prop_assert_eq!(simple_words(&text), expected);
        }

        #[test]
        fn simple_words_match_the_unicode_segmenter(
            text in "(?:[a-zA-Z0-9_:.',; \\-!\nàéßžŒπΏжЯё«»—…’‘ʼ＇·;\u{A0}€]|😀|👍🏽|❤\u{FE0F}|👩\u{200D}💻|🇺🇦){0,40}"
        ) {
            proptest::prop_assume!(simple_text(&text));
            let expected: Vec<(usize, &str)> = text.unicode_word_indices().collect();
            proptest::prop_assert_eq!(simple_words(&text), expected);
        }

        /// The analyzer's words on both segmenters' paths (`密` sends a
        /// text to the general one) against the rule spelled out plainly.
        #[test]
        fn words_are_segmenter_words_cut_at_full_stops_and_apostrophes(
            text in "(?:[a-zA-Z0-9_:.',; \\-!\nàéßжЯ’‘ʼ＇`´]|密){0,40}"
        ) {
            proptest::prop_assert_eq!(spans(&text), oracle_words(&text));
        }
    }

    /// Every character given a class behaves as that class between two
    /// letters and between two digits.
    #[test]
    fn every_classified_character_matches_the_unicode_segmenter() {
        let mut checked = 0;
        let mut wrong = Vec::new();
        for c in (0x80..=0x1FAFF).filter_map(char::from_u32) {
            let Some(class) = class_of(c) else { continue };
            for text in [format!("a{c}b"), format!("1{c}2"), format!("{c}"), format!("x {c} y")] {
                if !simple_text(&text) {
                    continue;
                }
                let expected: Vec<(usize, &str)> = text.unicode_word_indices().collect();
                if simple_words(&text) != expected {
                    wrong.push(format!("{:#X} as {class:?} in {text:?}", c as u32));
                }
                checked += 1;
            }
        }
        assert_eq!(wrong, Vec::<String>::new());
        assert!(checked > 3000, "{checked} texts checked");
    }

    #[test]
    fn texts_outside_the_simple_scripts_go_to_the_general_segmenter() {
        assert!(simple_text("Привет, мир! Ça va? 👍🏽"));
        assert!(!simple_text("密码"), "Han");
        assert!(!simple_text("e\u{301}"), "a combining accent joins its letter");
        assert!(!simple_text("a\u{FE0F}"), "a variation selector after a letter");
        let text = "Ça va — «привет», ёлка’s 1,5 € 😀";
        assert!(simple_text(text));
        let spans: Vec<&str> = words(text).iter().map(|w| &text[w.start..w.end]).collect();
        assert_eq!(spans, vec!["Ça", "va", "привет", "ёлка", "s", "1,5"]);
    }

    fn spans(text: &str) -> Vec<&str> {
        words(text).iter().map(|w| &text[w.start..w.end]).collect()
    }

    #[test]
    fn apostrophes_of_every_form_split_words() {
        for text in ["Clinton’s", "Clinton's", "CLINTONʼS", "Clinton＇s", "Clinton‘s"] {
            assert_eq!(stems(text), vec!["clinton", "s"], "{text}");
            let exact: Vec<String> = words(text).into_iter().map(|w| w.exact).collect();
            assert_eq!(exact, vec!["clinton", "s"], "{text}");
            let last = text.len() - 1;
            assert_eq!(spans(text), vec![&text[..7], &text[last..]], "{text}");
        }
        assert_eq!(spans("l’homme d’accord qu’il"), vec!["l", "homme", "d", "accord", "qu", "il"]);
        assert_eq!(spans("L'HOMME aujourd’hui"), vec!["L", "HOMME", "aujourd", "hui"]);
        // Positions stay consecutive, so the whole form is a phrase.
        let found = words("o’reilly.com’s");
        let ranges: Vec<(usize, usize)> = found.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(ranges, vec![(0, 1), (4, 10), (11, 14), (17, 18)]);
        // The general segmenter's words split alike.
        assert_eq!(spans_of_general("密码 Clinton’s"), vec!["密", "码", "Clinton", "s"]);
        // A leading modifier-letter apostrophe is part of the word to UAX
        // #29; it leaves no empty word.
        assert_eq!(spans("ʼtis"), vec!["tis"]);
        assert!(words("ʼ ’ '").is_empty());
    }

    fn spans_of_general(text: &str) -> Vec<&str> {
        assert!(!simple_text(text));
        spans(text)
    }

    #[test]
    fn ascii_words_join_across_mid_letters_and_mid_numbers() {
        let text = "don't a:b 1,000.5 x.y _ __a a_1 1.a a.1 end.";
        let found: Vec<&str> = simple_words(text).into_iter().map(|(_, w)| w).collect();
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
