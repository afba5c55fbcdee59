//! Normalised views of a text, for matching, that map back to the original.
//!
//! Rules are matched on a normalised copy (so NFD input, full-width letters
//! or an accent left off still hit) but replaced in the original, so output
//! keeps the text exactly as it was outside the redactions. The copy is
//! built segment by segment, a segment being a character that cannot
//! interact with what precedes it under normalisation plus the combining
//! marks after it; a match is widened to whole segments when mapped back,
//! which also removes any accent left hanging on a redacted letter.

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{
    IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick, is_nfkd_quick,
};

/// The normalisation a view applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// NFC: what a person typing a regular expression expects.
    Nfc,
    /// NFKD with Latin diacritics removed and a few letters without a
    /// decomposition spelled out (`ø` → `o`, `ß` → `ss`), recomposed to NFC:
    /// `José`, `JOSE`, `Ｊｏｓé` and `Jose` all read `Jose`.
    Fold,
}

/// A text in one [`Form`], with the way back to the original's offsets.
pub(crate) struct View<'a> {
    /// The normalised text.
    pub(crate) hay: Cow<'a, str>,
    /// `(offset in hay, offset in original)` at each segment start; empty
    /// when `hay` is the original.
    map: Vec<(usize, usize)>,
    original_len: usize,
}

impl<'a> View<'a> {
    /// The view of `text`; borrows `text` when it is already in `form`.
    pub(crate) fn new(text: &'a str, form: Form) -> Self {
        let unchanged =
            View { hay: Cow::Borrowed(text), map: Vec::new(), original_len: text.len() };
        if text.is_ascii() || is_stable(text, form) {
            return unchanged;
        }
        let mut hay = String::with_capacity(text.len());
        let mut map = Vec::new();
        for (start, end) in segments(text, form) {
            map.push((hay.len(), start));
            push_normalised(&text[start..end], form, &mut hay);
        }
        View { hay: Cow::Owned(hay), map, original_len: text.len() }
    }

    /// The original byte range that `range` of the hay came from, widened to
    /// whole segments.
    pub(crate) fn original(&self, range: Range<usize>) -> Range<usize> {
        if self.map.is_empty() {
            return range;
        }
        let start = self.segment_at(range.start).map_or(0, |i| self.map[i].1);
        let last = range.end.saturating_sub(1).max(range.start);
        let end = self
            .segment_at(last)
            .and_then(|i| self.map.get(i + 1))
            .map_or(self.original_len, |&(_, original)| original);
        start..end.max(start)
    }

    /// Index of the segment holding hay offset `at`: the last one starting
    /// at or before it, which skips segments that folded to nothing.
    fn segment_at(&self, at: usize) -> Option<usize> {
        self.map.partition_point(|&(hay, _)| hay <= at).checked_sub(1)
    }
}

/// Whether `text` is already in `form`, so that no copy is needed.
fn is_stable(text: &str, form: Form) -> bool {
    match form {
        Form::Nfc => is_nfc_quick(text.chars()) == IsNormalized::Yes,
        Form::Fold => {
            is_nfkd_quick(text.chars()) == IsNormalized::Yes
                && !text.chars().any(|c| is_diacritic(c) || spelled(c).is_some())
        }
    }
}

/// Byte ranges of the normalisation segments of `text`.
fn segments(text: &str, form: Form) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut starts = text
        .char_indices()
        .filter(move |&(i, c)| i == 0 || starts_segment(c, form))
        .map(|(i, _)| i)
        .peekable();
    std::iter::from_fn(move || {
        let start = starts.next()?;
        Some((start, starts.peek().copied().unwrap_or(text.len())))
    })
}

/// A character that nothing before it can combine or reorder with: a
/// starter that is stable under the composition of `form` (the
/// "boundary before" test of UAX #15).
fn starts_segment(c: char, form: Form) -> bool {
    if c.is_ascii() {
        return true;
    }
    if canonical_combining_class(c) != 0 {
        return false;
    }
    let one = std::iter::once(c);
    let quick = match form {
        Form::Nfc => is_nfc_quick(one),
        Form::Fold => is_nfkc_quick(one),
    };
    quick == IsNormalized::Yes
}

/// Appends `segment` in `form` to `out`.
fn push_normalised(segment: &str, form: Form, out: &mut String) {
    match form {
        Form::Nfc => out.extend(segment.chars().nfc()),
        Form::Fold => out.extend(
            segment
                .chars()
                .nfkd()
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

/// `text` in [`Form::Fold`], for the patterns matched against folded views.
pub(crate) fn fold(text: &str) -> Cow<'_, str> {
    let view = View::new(text, Form::Fold);
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

/// The customary ASCII spelling of a letter that has no decomposition.
fn spelled(c: char) -> Option<(char, Option<char>)> {
    let spelling = match c {
        'ø' => ('o', None),
        'Ø' => ('O', None),
        'ł' => ('l', None),
        'Ł' => ('L', None),
        'đ' | 'ð' => ('d', None),
        'Đ' | 'Ð' => ('D', None),
        'ħ' => ('h', None),
        'Ħ' => ('H', None),
        'ı' => ('i', None),
        'æ' => ('a', Some('e')),
        'Æ' => ('A', Some('E')),
        'œ' => ('o', Some('e')),
        'Œ' => ('O', Some('E')),
        'ß' => ('s', Some('s')),
        'ẞ' => ('S', Some('S')),
        'þ' => ('t', Some('h')),
        'Þ' => ('T', Some('H')),
        _ => return None,
    };
    Some(spelling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_normalised_text_is_borrowed() {
        assert!(matches!(View::new("plain text", Form::Fold).hay, Cow::Borrowed(_)));
        assert!(matches!(View::new("日本語 😀", Form::Fold).hay, Cow::Borrowed(_)));
        assert!(matches!(View::new("José", Form::Nfc).hay, Cow::Borrowed(_)));
    }

    #[test]
    fn fold_removes_accents_and_compatibility_forms() {
        assert_eq!(fold("José"), "Jose");
        assert_eq!(fold("Jose\u{301}"), "Jose");
        assert_eq!(fold("Ｊｏｓｅ"), "Jose");
        assert_eq!(fold("Søren Strauß"), "Soren Strauss");
        assert_eq!(fold("ﬁle"), "file");
        assert_eq!(fold("한국"), "한국");
    }

    #[test]
    fn ranges_map_back_to_whole_segments() {
        let text = "xx Jose\u{301} yy";
        let view = View::new(text, Form::Fold);
        assert_eq!(view.hay, "xx Jose yy");
        let at = view.hay.find("Jose").unwrap();
        let back = view.original(at..at + 4);
        assert_eq!(&text[back.clone()], "Jose\u{301}");
        let nfc = View::new(text, Form::Nfc);
        assert_eq!(nfc.hay, "xx José yy");
        let at = nfc.hay.find("José").unwrap();
        assert_eq!(&text[nfc.original(at..at + "José".len())], "Jose\u{301}");
    }

    #[test]
    fn a_leading_combining_mark_does_not_break_mapping() {
        let text = "\u{301}\u{301}ab\u{301}";
        let view = View::new(text, Form::Fold);
        assert_eq!(view.hay, "ab");
        assert_eq!(&text[view.original(0..1)], "a");
        assert_eq!(&text[view.original(1..2)], "b\u{301}");
    }
}
