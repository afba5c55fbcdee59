//! Patterns for the rules that list values: persons and exact texts.
//!
//! Each value is matched in every spelling [`variants`] lists (so a name
//! already percent-encoded in a URL or entity-escaped in pasted HTML is
//! found too), folded like the text it is matched against (see
//! [`crate::view`]), case-insensitively. The spellings of one rule form one
//! alternation, longest first, so that at any position the longest
//! spelling wins.

use std::collections::HashSet;
use std::ops::Range;

use regex::{CaptureLocations, Regex};

use crate::rules::PersonRule;
use crate::variants::variants;
use crate::view::fold;

/// Not a letter or digit: what must surround a person's value. Unlike the
/// regex `\b`, `_` counts, so `jdoe_passport.jpg` hits `jdoe`; and unlike
/// `\b` it keeps the regex crate on its fast engines for non-ASCII text.
const NOT_WORD: &str = r"[^\p{Alphabetic}\p{N}]";

/// Between the words of a person's value: any run of whitespace, of the
/// `_ . - +` that join names in handles, file names and URLs, or of encoded
/// spaces.
const NAME_SEPARATOR: &str = r"(?:[\s_.+\-]|%20|&nbsp;|&#0*32;|&#x0*20;)+";

/// Between the words of a text rule: any run of whitespace or encoded
/// spaces (a secret phrase wrapped across lines is still the secret).
const TEXT_SEPARATOR: &str = r"(?:\s|\+|%20|&nbsp;|&#0*32;|&#x0*20;)+";

/// Between the digits of a phone-number id: what people write there.
const DIGIT_SEPARATOR: &str = r"[\s.\-()]{0,3}";

/// The pattern for a person: any of its names, ids and handles (leading
/// `@`s dropped) with no letter or digit on either side. The value is
/// capture group 1; the match includes the boundary characters. `None`
/// when the person lists no non-blank value.
pub(crate) fn person_pattern(person: &PersonRule) -> Option<String> {
    let mut spellings = Spellings::default();
    for name in &person.names {
        spellings.add(name, NAME_SEPARATOR);
    }
    for id in &person.ids {
        spellings.add(id, NAME_SEPARATOR);
        if let Some(digits) = phone_digits(id) {
            spellings.add_digits(&digits);
        }
    }
    for handle in &person.handles {
        spellings.add(handle.trim().trim_start_matches('@'), NAME_SEPARATOR);
    }
    let body = spellings.alternation()?;
    Some(format!("(?i)(?:^|{NOT_WORD})({body})(?:$|{NOT_WORD})"))
}

/// The pattern for a text rule, matched anywhere (inside words too: a
/// secret must not survive by being glued to something). `None` for a
/// blank text.
pub(crate) fn text_pattern(text: &str) -> Option<String> {
    let mut spellings = Spellings::default();
    spellings.add(text, TEXT_SEPARATOR);
    Some(format!("(?i){}", spellings.alternation()?))
}

/// The spellings of a rule, de-duplicated case-insensitively.
#[derive(Default)]
struct Spellings {
    seen: HashSet<String>,
    /// `(length in chars, pattern)`.
    list: Vec<(usize, String)>,
}

impl Spellings {
    fn add(&mut self, value: &str, separator: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        for spelling in variants(value) {
            let folded = fold(&spelling);
            let words: Vec<String> = folded.split_whitespace().map(regex::escape).collect();
            if words.is_empty() {
                continue;
            }
            let pattern = words.join(separator);
            if self.seen.insert(pattern.to_lowercase()) {
                self.list.push((folded.chars().count(), pattern));
            }
        }
    }

    fn add_digits(&mut self, digits: &str) {
        let digit_patterns: Vec<String> = digits.chars().map(String::from).collect();
        let pattern = format!(r"\+?{}", digit_patterns.join(DIGIT_SEPARATOR));
        if self.seen.insert(pattern.clone()) {
            self.list.push((digits.len(), pattern));
        }
    }

    fn alternation(mut self) -> Option<String> {
        if self.list.is_empty() {
            return None;
        }
        self.list.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
        let patterns: Vec<String> = self.list.into_iter().map(|(_, p)| p).collect();
        Some(patterns.join("|"))
    }
}

/// The digits of an id that is a phone number written with a `+` or
/// separators (`+1 555 123 4567`), or the number of a WhatsApp-style
/// `15551234567@s.whatsapp.net`, so that other ways of writing the same
/// number hit too. Plain digit ids (`123456789`) are matched as written.
fn phone_digits(id: &str) -> Option<String> {
    let id = id.trim();
    if let Some((number, _domain)) = id.split_once('@') {
        let long = number.len() >= 7 && number.bytes().all(|b| b.is_ascii_digit());
        return long.then(|| number.to_string());
    }
    let formatted = id.starts_with('+') || id.contains([' ', '.', '-', '(']);
    phone_key(id).filter(|_| formatted)
}

/// The digits of a value made only of phone-number characters and holding
/// at least 7 digits: the same number however it is written.
pub(crate) fn phone_key(value: &str) -> Option<String> {
    let phone_chars = value.chars().all(|c| c.is_ascii_digit() || "+ .-()".contains(c));
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    (phone_chars && digits.len() >= 7).then_some(digits)
}

/// A compiled person or text rule.
pub(crate) struct Literal {
    regex: Regex,
    /// Whether the pattern is a [`person_pattern`] (value in group 1).
    bounded: bool,
}

impl Literal {
    pub(crate) fn new(regex: Regex, bounded: bool) -> Self {
        Literal { regex, bounded }
    }

    /// Calls `found` with every match in `hay`, overlapping ones included:
    /// after each match the search resumes one character after its start,
    /// so that `John Doe` and `Doe Smith` in `John Doe Smith` both hit and
    /// no fragment of either is left.
    pub(crate) fn find(&self, hay: &str, found: &mut impl FnMut(Range<usize>)) {
        let mut locations: CaptureLocations = self.regex.capture_locations();
        let mut at = 0;
        while at <= hay.len() {
            let Some(whole) = self.regex.captures_read_at(&mut locations, hay, at) else { break };
            let value =
                if self.bounded { locations.get(1) } else { Some((whole.start(), whole.end())) };
            if let Some((start, end)) = value
                && start < end
            {
                found(start..end);
            }
            let step = hay.get(whole.start()..).and_then(|s| s.chars().next());
            at = whole.start() + step.map_or(1, char::len_utf8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_ids_get_a_digit_pattern() {
        assert_eq!(phone_digits("+1 555 123 4567").as_deref(), Some("15551234567"));
        assert_eq!(phone_digits("15551234567@s.whatsapp.net").as_deref(), Some("15551234567"));
        assert_eq!(phone_digits("123456789"), None);
        assert_eq!(phone_digits("jdoe"), None);
    }

    #[test]
    fn blank_values_give_no_pattern() {
        let person = PersonRule {
            names: vec![" ".into()],
            handles: vec!["@".into()],
            ..PersonRule::default()
        };
        assert_eq!(person_pattern(&person), None);
        assert_eq!(text_pattern(""), None);
    }
}
