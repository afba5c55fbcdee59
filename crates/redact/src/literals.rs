//! The rules that list values, persons and exact texts, compiled together.
//!
//! Each value is matched in every spelling [`variants`](crate::variants())
//! lists (so a name already percent-encoded in a URL or entity-escaped in
//! pasted HTML is found too), folded like the text it is matched against
//! (see [`crate::view`]: lower case, no accents), so the patterns are plain
//! literals joined by separators.
//!
//! Search runs in two steps so that hundreds of persons cost about what one
//! does: one alternation of the first word of every spelling of every rule
//! finds the places where some value may start, and the longest first word
//! there; only the rules with a first word that is a prefix of it are then
//! tried there, anchored, each giving its longest spelling.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use regex::{Regex, RegexBuilder};

use crate::rules::{PersonRule, Reach, RedactError, RuleKind, RuleRef};
use crate::variants::encoded;
use crate::view::fold;

/// Not a letter or digit: what must surround a person's value. Unlike the
/// regex `\b`, `_` counts, so `jdoe_passport.jpg` hits `jdoe`.
const NOT_WORD: &str = r"[^\p{Alphabetic}\p{N}]";

/// How the words of a value may be separated where it occurs.
#[derive(Clone, Copy)]
enum Separator {
    /// A person's value: its words are split at whitespace and at the
    /// `_ . - +` that join names in handles, file names and URLs, and may
    /// be separated by any run of those or of encoded spaces: `Jean-Pierre
    /// Roux` hits `jean pierre roux`, `jean_pierre.roux`, `Jean+Pierre+Roux`.
    Name,
    /// A text rule: its words are split at whitespace only and may be
    /// separated by any run of whitespace or encoded spaces (a secret
    /// phrase wrapped across lines is still the secret).
    Text,
}

impl Separator {
    fn splits(self, c: char) -> bool {
        match self {
            Separator::Name => c.is_whitespace() || "_.-+".contains(c),
            Separator::Text => c.is_whitespace(),
        }
    }

    fn pattern(self) -> &'static str {
        match self {
            Separator::Name => r"(?:[\s_.+\-]|%20|&nbsp;|&#0*32;|&#x0*20;)+",
            Separator::Text => r"(?:\s|\+|%20|&nbsp;|&#0*32;|&#x0*20;)+",
        }
    }
}

/// Between the digits of a phone-number id: what people write there.
const DIGIT_SEPARATOR: &str = r"[\s.\-()]{0,3}";

/// Compiled size limit: room for thousands of spellings.
const SIZE_LIMIT: usize = 256 << 20;

/// The compiled person and text rules.
pub(crate) struct Literals {
    /// The first word of every spelling, longest first; `None` without
    /// rules.
    starts: Option<Regex>,
    /// For each first word, the rules with a first word that is a prefix
    /// of it (itself included): those that can match where it does.
    candidates: HashMap<String, Vec<usize>>,
    rules: Vec<Rule>,
}

/// One person or text rule; a person's values that reach only marked
/// places are a second rule with the same [`RuleRef`].
struct Rule {
    rule: RuleRef,
    /// Anchored; for a person the value is group 1 and the match includes
    /// the boundary character after it.
    regex: Regex,
    /// What must surround a match.
    bounds: Bounds,
}

/// What must surround a rule's match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bounds {
    /// Nothing: a text rule hits inside words.
    None,
    /// No letter or digit on either side.
    Word,
    /// As [`Bounds::Word`], in a place chat marks as a name
    /// ([`Reach::Marked`]).
    Marked,
}

impl Literals {
    /// Compiles the persons and texts; blank values are skipped.
    pub(crate) fn new(persons: &[PersonRule], texts: &[String]) -> Result<Self, RedactError> {
        let mut first_words: HashMap<String, Vec<usize>> = HashMap::new();
        let mut rules = Vec::new();
        let mut add = |rule: RuleRef, spellings: Spellings, bounds: Bounds| {
            let Some(body) = spellings.alternation() else { return Ok(()) };
            let pattern = match bounds {
                Bounds::None => format!("^(?:{body})"),
                Bounds::Word | Bounds::Marked => format!("^({body})(?:$|{NOT_WORD})"),
            };
            let regex = build(&pattern).map_err(|e| too_large(rule, e))?;
            for first in spellings.first_words {
                let rules_starting = first_words.entry(first).or_default();
                if !rules_starting.contains(&rules.len()) {
                    rules_starting.push(rules.len());
                }
            }
            rules.push(Rule { rule, regex, bounds });
            Ok(())
        };
        for (index, person) in persons.iter().enumerate() {
            let rule = RuleRef { kind: RuleKind::Person, index };
            let (words, marked) = person_spellings(person);
            add(rule, words, Bounds::Word)?;
            add(rule, marked, Bounds::Marked)?;
        }
        for (index, text) in texts.iter().enumerate() {
            let rule = RuleRef { kind: RuleKind::Text, index };
            let mut spellings = Spellings::default();
            spellings.add(text, Separator::Text);
            add(rule, spellings, Bounds::None)?;
        }
        let Some(first_rule) = rules.first().map(|r| r.rule) else {
            return Ok(Literals { starts: None, candidates: HashMap::new(), rules });
        };
        let mut starts = Spellings::default();
        for word in first_words.keys() {
            starts.add_literal(word);
        }
        let starts = match starts.alternation() {
            Some(body) => Some(build(&body).map_err(|e| too_large(first_rule, e))?),
            None => None,
        };
        let candidates = first_words
            .keys()
            .map(|word| {
                let mut with_prefix: Vec<usize> = word
                    .char_indices()
                    .map(|(i, c)| i + c.len_utf8())
                    .filter_map(|end| first_words.get(word.get(..end)?))
                    .flatten()
                    .copied()
                    .collect();
                with_prefix.sort_unstable();
                with_prefix.dedup();
                (word.clone(), with_prefix)
            })
            .collect();
        Ok(Literals { starts, candidates, rules })
    }

    /// Whether there is no rule.
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// How many rules there are.
    pub(crate) fn len(&self) -> usize {
        self.rules.len()
    }

    /// Calls `found` with every match in the folded `hay`, overlapping ones
    /// included, so that `John Doe` and `Doe Smith` in `John Doe Smith` both
    /// hit and no fragment of either is left.
    pub(crate) fn find(&self, hay: &str, found: &mut impl FnMut(RuleRef, Range<usize>)) {
        let Some(starts) = &self.starts else { return };
        let mut at = 0;
        while let Some(m) = starts.find_at(hay, at) {
            let start = m.start();
            let Some(rest) = hay.get(start..) else { break };
            let before = hay.get(..start).and_then(|s| s.chars().next_back());
            let word_before = before.is_some_and(char::is_alphanumeric);
            let tried = self.candidates.get(m.as_str()).map_or(&[][..], Vec::as_slice);
            for rule in tried.iter().filter_map(|&i| self.rules.get(i)) {
                if rule.bounds != Bounds::None && word_before {
                    continue;
                }
                let value = if rule.bounds == Bounds::None {
                    rule.regex.find(rest).map(|m| m.range())
                } else {
                    rule.regex.captures(rest).and_then(|c| c.get(1)).map(|m| m.range())
                };
                let value = value
                    .filter(|r| rule.bounds != Bounds::Marked || marked(hay, start, start + r.end));
                if let Some(range) = value.filter(|r| !r.is_empty()) {
                    found(rule.rule, start + range.start..start + range.end);
                }
            }
            at = start + rest.chars().next().map_or(1, char::len_utf8);
            if at > hay.len() {
                break;
            }
        }
    }
}

fn build(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).size_limit(SIZE_LIMIT).dfa_size_limit(SIZE_LIMIT).build()
}

fn too_large(rule: RuleRef, e: regex::Error) -> RedactError {
    RedactError::TooLarge { rule, message: e.to_string() }
}

/// Whether the value at `start..end` of the folded `hay` stands where chat
/// marks a name ([`Reach::Marked`]): after `@`, `<` or `<` and an IRC mode
/// prefix; after a `*` opening a line; or opening a line before `:` or
/// `,`.
fn marked(hay: &str, start: usize, end: usize) -> bool {
    let before = hay.get(..start).unwrap_or_default();
    let mut back = before.chars().rev();
    match back.next() {
        Some('@' | '<') => return true,
        Some('+' | '%' | '&' | '~' | '!') if back.next() == Some('<') => return true,
        _ => {}
    }
    let line = before.rsplit('\n').next().unwrap_or_default().trim_start();
    if line.strip_prefix('*').is_some_and(|gap| !gap.is_empty() && gap.trim().is_empty()) {
        return true;
    }
    line.is_empty() && hay.get(end..).is_some_and(|after| after.starts_with([':', ',']))
}

/// A person's values (see [`PersonRule::values`]): those reaching whole
/// words anywhere, ids that are phone numbers also with their digits
/// however separated; and those reaching only marked places.
fn person_spellings(person: &PersonRule) -> (Spellings, Spellings) {
    let mut words = Spellings::default();
    let mut marked = Spellings::default();
    for value in person.values() {
        match value.reach {
            Reach::Word => words.add(&value.value, Separator::Name),
            Reach::Marked => marked.add(&value.value, Separator::Name),
        }
    }
    for id in &person.ids {
        if let Some(digits) = phone_digits(id) {
            words.add_digits(&digits);
        }
    }
    (words, marked)
}

/// The spellings of a rule, de-duplicated.
#[derive(Default)]
struct Spellings {
    seen: HashSet<String>,
    /// `(length in bytes, pattern)`.
    list: Vec<(usize, String)>,
    /// The literal each spelling starts with, lower-cased and folded.
    first_words: Vec<String>,
}

impl Spellings {
    /// Every spelling of `value`, its words joined by any `separator`.
    fn add(&mut self, value: &str, separator: Separator) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        for spelling in encoded(value) {
            let folded = fold(&spelling);
            let words: Vec<&str> =
                folded.split(|c| separator.splits(c)).filter(|w| !w.is_empty()).collect();
            let Some(first) = words.first() else { continue };
            let first = first.to_string();
            let escaped: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
            let pattern = escaped.join(separator.pattern());
            if self.seen.insert(pattern.clone()) {
                self.list.push((folded.len(), pattern));
                self.first_words.push(first);
            }
        }
    }

    fn add_literal(&mut self, literal: &str) {
        if self.seen.insert(literal.to_string()) {
            self.list.push((literal.len(), regex::escape(literal)));
        }
    }

    fn add_digits(&mut self, digits: &str) {
        let digit_patterns: Vec<String> = digits.chars().map(String::from).collect();
        let pattern = format!(r"\+?{}", digit_patterns.join(DIGIT_SEPARATOR));
        if self.seen.insert(pattern.clone()) {
            self.list.push((digits.len(), pattern));
            self.first_words.push("+".into());
            self.first_words.push(digits.get(..1).unwrap_or_default().to_string());
        }
    }

    /// The alternation of all spellings, longest first, so that at any
    /// position the longest spelling wins.
    fn alternation(&self) -> Option<String> {
        let mut list: Vec<&(usize, String)> = self.list.iter().collect();
        list.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
        let patterns: Vec<&str> = list.iter().map(|(_, p)| p.as_str()).collect();
        (!patterns.is_empty()).then(|| patterns.join("|"))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(literals: &Literals, hay: &str) -> Vec<(usize, &'static str, Range<usize>)> {
        let mut out = Vec::new();
        literals.find(hay, &mut |rule, range| {
            let kind = if rule.kind == RuleKind::Person { "person" } else { "text" };
            out.push((rule.index, kind, range));
        });
        out
    }

    #[test]
    fn phone_ids_get_a_digit_pattern() {
        assert_eq!(phone_digits("+1 555 123 4567").as_deref(), Some("15551234567"));
        assert_eq!(phone_digits("15551234567@s.whatsapp.net").as_deref(), Some("15551234567"));
        assert_eq!(phone_digits("123456789"), None);
        assert_eq!(phone_digits("jdoe"), None);
    }

    #[test]
    fn blank_values_give_no_rule() {
        let person = PersonRule {
            names: vec![" ".into()],
            handles: vec!["@".into()],
            ..PersonRule::default()
        };
        let literals = Literals::new(&[person], &[String::new()]).unwrap();
        assert!(literals.is_empty());
        assert!(hits(&literals, "anything").is_empty());
    }

    #[test]
    fn every_rule_matching_at_a_place_is_reported() {
        let person =
            PersonRule { names: vec!["al smith".into(), "al".into()], ..PersonRule::default() };
        let literals = Literals::new(&[person], &["al".into()]).unwrap();
        // The person's longer name fails its boundary; the shorter one and
        // the text rule hit.
        assert_eq!(hits(&literals, "al smithers"), [(0, "person", 0..2), (0, "text", 0..2)]);
        assert_eq!(hits(&literals, "al smith."), [(0, "person", 0..8), (0, "text", 0..2)]);
        assert_eq!(hits(&literals, "salt"), [(0, "text", 1..3)]);
    }
}
