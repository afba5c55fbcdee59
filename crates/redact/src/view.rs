//! Normalised views of a text, for matching, that map back to the original.
//!
//! Rules are matched on a normalised copy (so NFD input, full-width letters,
//! any case or an accent left off still hit) but replaced in the original,
//! so output keeps the text exactly as it was outside the redactions. The
//! copy is built segment by segment, a segment being a character that
//! cannot interact with what precedes it under normalisation plus the
//! combining marks after it; a match is widened to whole segments when
//! mapped back, which also removes any accent left on a redacted letter.

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::char::{
    canonical_combining_class, decompose_canonical, decompose_compatible,
};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// The normalisation a view applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// NFC: what a person typing a regular expression expects.
    Nfc,
    /// NFKC: full-width digits and letters become ASCII, for the detectors.
    Nfkc,
    /// NFKD, lower-cased, Latin diacritics removed, a few letters without a
    /// decomposition spelled out (`ø` → `o`, `ß` → `ss`, `ς` → `σ`),
    /// recomposed to NFC: `José`, `JOSE`, `Ｊｏｓé` and `jose` all read
    /// `jose`. Lower-casing here rather than matching case-insensitively
    /// keeps the patterns literal, which the `regex` crate searches far
    /// faster when there are many.
    Folded,
}

/// A text in one [`Form`], with the way back to the original's offsets.
pub(crate) struct View<'a> {
    /// The normalised text.
    pub(crate) hay: Cow<'a, str>,
    /// Where the hay came from, in hay order; empty when `hay` is the
    /// original. Piece `i` spans from its offsets to those of piece `i + 1`.
    pieces: Vec<Piece>,
    original_len: usize,
}

/// A stretch of the hay: a run of characters copied unchanged, or one
/// normalised segment.
#[derive(Clone, Copy)]
struct Piece {
    hay: usize,
    original: usize,
    copied: bool,
}

impl<'a> View<'a> {
    /// The view of `text`; borrows `text` when it is already in `form`.
    pub(crate) fn new(text: &'a str, form: Form) -> Self {
        let borrowed =
            View { hay: Cow::Borrowed(text), pieces: Vec::new(), original_len: text.len() };
        if text.is_ascii() {
            if form != Form::Folded || !text.bytes().any(|b| b.is_ascii_uppercase()) {
                return borrowed;
            }
            // Lower-casing ASCII keeps every offset.
            let whole = Piece { hay: 0, original: 0, copied: true };
            return View {
                hay: Cow::Owned(text.to_ascii_lowercase()),
                pieces: vec![whole],
                original_len: text.len(),
            };
        }
        if text.chars().all(|c| classify(c, form).stable) {
            return borrowed;
        }
        let mut view = View {
            hay: Cow::Owned(String::with_capacity(text.len() + 16)),
            pieces: Vec::new(),
            original_len: text.len(),
        };
        let mut start = 0;
        // Whether the segment so far is one character that stays as it is.
        let mut single_stable = false;
        for (at, c) in text.char_indices() {
            let class = classify(c, form);
            if at > 0 && class.starts_segment {
                view.push(text, start..at, single_stable, form);
                start = at;
                single_stable = class.stable;
            } else {
                single_stable = at == 0 && class.stable;
            }
        }
        view.push(text, start..text.len(), single_stable, form);
        view
    }

    /// Appends the segment `range` of `text`, as is when `copy`.
    fn push(&mut self, text: &str, range: Range<usize>, copy: bool, form: Form) {
        let Cow::Owned(hay) = &mut self.hay else { return };
        let Some(segment) = text.get(range.clone()) else { return };
        let extends_run = copy && self.pieces.last().is_some_and(|p| p.copied);
        if !extends_run {
            self.pieces.push(Piece { hay: hay.len(), original: range.start, copied: copy });
        }
        if copy {
            hay.push_str(segment);
        } else {
            push_normalised(segment, form, hay);
        }
    }

    /// The original byte range that `range` of the hay came from, widened to
    /// whole segments.
    pub(crate) fn original(&self, range: Range<usize>) -> Range<usize> {
        if self.pieces.is_empty() {
            return range;
        }
        let start = match self.piece_at(range.start) {
            Some((piece, _)) if piece.copied => piece.original + (range.start - piece.hay),
            Some((piece, _)) => piece.original,
            None => 0,
        };
        let last = range.end.saturating_sub(1).max(range.start);
        let end = match self.piece_at(last) {
            Some((piece, _)) if piece.copied => piece.original + (range.end - piece.hay),
            Some((_, i)) => self.pieces.get(i + 1).map_or(self.original_len, |p| p.original),
            None => self.original_len,
        };
        start..end.clamp(start, self.original_len)
    }

    /// The piece holding hay offset `at` and its index: the last one
    /// starting at or before it, which skips segments that folded to
    /// nothing.
    fn piece_at(&self, at: usize) -> Option<(Piece, usize)> {
        let i = self.pieces.partition_point(|p| p.hay <= at).checked_sub(1)?;
        Some((*self.pieces.get(i)?, i))
    }
}

/// What normalisation makes of one character.
struct Class {
    /// Nothing before it can combine or reorder with it (the "boundary
    /// before" of UAX #15): its decomposition starts with a starter that
    /// never composes with a preceding character.
    starts_segment: bool,
    /// Alone, it is left exactly as it is.
    stable: bool,
}

/// Classifies `c` for `form` with the crate's hashed decomposition lookups
/// rather than its quick-check tables, whose range matches cost a few
/// hundred nanoseconds per character: this runs on every output string.
fn classify(c: char, form: Form) -> Class {
    if c.is_ascii() {
        let stable = form != Form::Folded || !c.is_ascii_uppercase();
        return Class { starts_segment: true, stable };
    }
    let mut first = None;
    let mut identity = true;
    let mut each = |d: char| {
        first.get_or_insert(d);
        identity &= d == c;
    };
    match form {
        Form::Nfc => decompose_canonical(c, &mut each),
        Form::Nfkc | Form::Folded => decompose_compatible(c, &mut each),
    }
    let starter = |d: char| canonical_combining_class(d) == 0 && !composes_backward(d);
    let starts_segment = first.is_some_and(starter);
    let stable = starts_segment
        && match form {
            // Precomposed letters are their own NFC though they decompose.
            Form::Nfc => identity || std::iter::once(c).nfc().eq(std::iter::once(c)),
            Form::Nfkc => identity || std::iter::once(c).nfkc().eq(std::iter::once(c)),
            Form::Folded => {
                identity
                    && !is_diacritic(c)
                    && spelled(c).is_none()
                    && c.to_lowercase().eq(std::iter::once(c))
            }
        };
    Class { starts_segment, stable }
}

/// Whether `c` may compose with the character before it. Besides the
/// combining marks, only some vowel signs and length marks of Indic and
/// South-East Asian scripts and Hangul medial and final jamo do; the blocks
/// holding them are narrowed with the quick-check table.
fn composes_backward(c: char) -> bool {
    let blocks = matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0900}'..='\u{0DFF}'
        | '\u{1000}'..='\u{11FF}'
        | '\u{1B00}'..='\u{1B7F}'
        | '\u{3099}'..='\u{309A}'
        | '\u{11000}'..='\u{11FFF}');
    blocks && is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes
}

/// Appends `segment` in `form` to `out`.
fn push_normalised(segment: &str, form: Form, out: &mut String) {
    match form {
        Form::Nfc => out.extend(segment.chars().nfc()),
        Form::Nfkc => out.extend(segment.chars().nfkc()),
        Form::Folded => out.extend(
            segment
                .chars()
                .nfkd()
                .flat_map(char::to_lowercase)
                .filter(|&c| !is_diacritic(c))
                .flat_map(|c| match spelled(c) {
                    Some((a, b)) => [Some(a), b],
                    None => [Some(c), None],
                })
                .flatten()
                .nfc(),
        ),
    }
}

/// `text` in [`Form::Folded`], for the patterns matched against folded
/// views and for comparing values.
pub(crate) fn fold(text: &str) -> Cow<'_, str> {
    let view = View::new(text, Form::Folded);
    match view.hay {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// Combining marks that accent Latin, Greek and Cyrillic letters. Marks of
/// other scripts (Indic vowel signs, Hebrew points) change the word and
/// stay.
fn is_diacritic(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// The customary ASCII spelling of a lower-case letter that has no
/// decomposition, the one case folding that lower-casing misses, and the
/// ASCII for typographic apostrophes and dashes (`O’Brien` is `O'Brien`).
fn spelled(c: char) -> Option<(char, Option<char>)> {
    let spelling = match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' | '\u{2032}' => ('\'', None),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => ('-', None),
        'ø' => ('o', None),
        'ł' => ('l', None),
        'đ' | 'ð' => ('d', None),
        'ħ' => ('h', None),
        'ı' => ('i', None),
        'ς' => ('σ', None),
        'æ' => ('a', Some('e')),
        'œ' => ('o', Some('e')),
        'ß' => ('s', Some('s')),
        'þ' => ('t', Some('h')),
        _ => return None,
    };
    Some(spelling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_text_is_borrowed() {
        assert!(matches!(View::new("plain text", Form::Folded).hay, Cow::Borrowed(_)));
        assert!(matches!(View::new("Plain Text", Form::Nfkc).hay, Cow::Borrowed(_)));
        assert!(matches!(View::new("日本語 😀", Form::Folded).hay, Cow::Borrowed(_)));
        assert!(matches!(View::new("José", Form::Nfc).hay, Cow::Borrowed(_)));
        assert!(matches!(View::new("José", Form::Nfkc).hay, Cow::Borrowed(_)));
        assert!(matches!(View::new("Jose\u{301}", Form::Nfc).hay, Cow::Owned(_)));
    }

    #[test]
    fn fold_lowercases_and_removes_accents_and_compatibility_forms() {
        assert_eq!(fold("José"), "jose");
        assert_eq!(fold("JOSE\u{301}"), "jose");
        assert_eq!(fold("Ｊｏｓｅ"), "jose");
        assert_eq!(fold("Søren STRAUSS Straße ẞ"), "soren strauss strasse ss");
        assert_eq!(fold("ﬁle"), "file");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("ΣΟΦΟΣ σοφος"), "σοφοσ σοφοσ");
        assert_eq!(fold("한국"), "한국");
    }

    #[test]
    fn ascii_lowercasing_keeps_offsets() {
        let view = View::new("Hello JANE", Form::Folded);
        assert_eq!(view.hay, "hello jane");
        assert_eq!(view.original(6..10), 6..10);
    }

    #[test]
    fn ranges_map_back_to_whole_segments() {
        let text = "xx Jose\u{301} yy";
        let view = View::new(text, Form::Folded);
        assert_eq!(view.hay, "xx jose yy");
        let back = view.original(3..7);
        assert_eq!(&text[back], "Jose\u{301}");
        let nfc = View::new(text, Form::Nfc);
        assert_eq!(nfc.hay, "xx José yy");
        let at = nfc.hay.find("José").unwrap();
        assert_eq!(&text[nfc.original(at..at + "José".len())], "Jose\u{301}");
    }

    #[test]
    fn compatibility_characters_start_their_own_segment() {
        let text = "a Ｊｏｓé";
        let view = View::new(text, Form::Folded);
        assert_eq!(view.hay, "a jose");
        assert_eq!(&text[view.original(2..3)], "Ｊ");
        assert_eq!(&text[view.original(2..6)], "Ｊｏｓé");
        let nfkc = View::new(text, Form::Nfkc);
        assert_eq!(nfkc.hay, "a José");
    }

    #[test]
    fn a_leading_combining_mark_does_not_break_mapping() {
        let text = "\u{301}\u{301}aB\u{301}";
        let view = View::new(text, Form::Folded);
        assert_eq!(view.hay, "ab");
        assert_eq!(&text[view.original(0..1)], "a");
        assert_eq!(&text[view.original(1..2)], "B\u{301}");
    }
}
