//! The compiled rules, applied to text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use crate::detectors::DetectorMatcher;
use crate::literals::{Literals, phone_key};
use crate::placeholders::Placeholders;
use crate::rules::{Detector, Hit, REDACTED, RedactError, RuleKind, RuleRef, Rules};
use crate::view::{Form, View, fold};

/// Compiled size limit of a regex rule.
const SIZE_LIMIT: usize = 64 << 20;

/// A case's rules, compiled once and applied to any number of texts.
///
/// Matching happens on normalised copies of the text (see [`Redactor::text`])
/// but replacement in the text as given: output is the input with the
/// redacted ranges replaced and everything else byte for byte.
///
/// A matched person value is replaced with the pseudonym alone, wherever it
/// is: `@jdoe` becomes `@Participant 3` (the `@` is not part of the
/// handle), `https://x.com/jdoe/status/1` becomes
/// `https://x.com/Participant 3/status/1`, `jdoe_passport.jpg` becomes
/// `Participant 3_passport.jpg`. Text and regex matches become
/// `[redacted]`, detector matches `[email]`, `[phone]`, `[ip]`,
/// `[token-url]`, `[wallet]`, `[onion]`, or with
/// [`Redactor::text_numbered`] `[email 1]`, `[email 2]`, one number per
/// distinct value.
pub struct Redactor {
    /// Persons and texts.
    literals: Literals,
    detectors: Vec<(RuleRef, DetectorMatcher)>,
    regexes: Vec<(RuleRef, Regex)>,
    regex_set: Option<RegexSet>,
    pseudonyms: Vec<String>,
    /// [`key`] of every person value → person index.
    persons: HashMap<String, usize>,
}

/// How often [`Redactor::text`] passes a changed text through the rules
/// again; a pseudonym that itself holds a redacted value cannot loop.
pub const MAX_PASSES: usize = 3;

/// One match, in original offsets.
struct Span {
    range: Range<usize>,
    rule: RuleRef,
}

impl Redactor {
    /// Compiles `rules`.
    ///
    /// Blank names, ids, handles, texts and regexes are skipped (an empty
    /// value would match everywhere). A detector listed twice runs once.
    ///
    /// # Errors
    ///
    /// [`RedactError::InvalidRegex`] for a regex rule that does not parse,
    /// [`RedactError::EmptyMatch`] for one that can match the empty string,
    /// [`RedactError::TooLarge`] for a rule beyond the compiled size limit.
    pub fn new(rules: &Rules) -> Result<Redactor, RedactError> {
        let literals = Literals::new(&rules.persons, &rules.texts)?;
        let mut pseudonyms = Vec::new();
        let mut persons = HashMap::new();
        let mut implied = Vec::new();
        for (index, person) in rules.persons.iter().enumerate() {
            let pseudonym = person.pseudonym.trim();
            pseudonyms.push(if pseudonym.is_empty() {
                format!("Participant {}", index + 1)
            } else {
                pseudonym.to_string()
            });
            for value in person.values() {
                let key = key(&value.value);
                if key.is_empty() {
                    continue;
                }
                if value.from.is_some() {
                    implied.push((key, index));
                } else {
                    persons.entry(key).or_insert(index);
                }
            }
        }
        // A local part names the person only where no listed value of
        // anyone does: `boss` listed for one person beats `boss@x` of another.
        for (key, index) in implied {
            persons.entry(key).or_insert(index);
        }

        let mut detectors: Vec<(RuleRef, DetectorMatcher)> = Vec::new();
        let mut seen: Vec<Detector> = Vec::new();
        for (index, &detector) in rules.detectors.iter().enumerate() {
            if seen.contains(&detector) {
                continue;
            }
            seen.push(detector);
            let rule = RuleRef { kind: RuleKind::Detector, index };
            let matcher = DetectorMatcher::new(detector)
                .map_err(|e| RedactError::TooLarge { rule, message: e.to_string() })?;
            detectors.push((rule, matcher));
        }

        let mut regexes = Vec::new();
        let mut sources = Vec::new();
        for (index, source) in rules.regexes.iter().enumerate() {
            if source.trim().is_empty() {
                continue;
            }
            let rule = RuleRef { kind: RuleKind::Regex, index };
            let regex =
                RegexBuilder::new(source).size_limit(SIZE_LIMIT).build().map_err(|e| match e {
                    regex::Error::CompiledTooBig(_) => {
                        RedactError::TooLarge { rule, message: e.to_string() }
                    }
                    _ => RedactError::InvalidRegex {
                        index,
                        pattern: source.clone(),
                        message: e.to_string(),
                    },
                })?;
            if can_match_empty(&regex) {
                return Err(RedactError::EmptyMatch { index, pattern: source.clone() });
            }
            regexes.push((rule, regex));
            sources.push(source.as_str());
        }
        let regex_set = RegexSetBuilder::new(&sources).size_limit(SIZE_LIMIT).build().ok();

        Ok(Redactor { literals, detectors, regexes, regex_set, pseudonyms, persons })
    }

    /// Whether no rule can hit anything, so outputs need no pass at all.
    pub fn is_empty(&self) -> bool {
        self.literals.is_empty() && self.detectors.is_empty() && self.regexes.is_empty()
    }

    /// `text` with every rule applied; borrowed when nothing hits.
    ///
    /// Persons and texts are matched on a folded copy (NFKD, lower case,
    /// Latin accents removed, so NFD input, full-width letters and `JOSE`
    /// for `José` all hit), detectors on the NFKC form, regex rules on the
    /// NFC form; each match is mapped back and replaced in `text` as given,
    /// widened to whole characters with their combining marks: output is
    /// not normalised. Overlapping matches, from one rule or several, merge
    /// into one replacement, that of the longest of them (on a tie, the
    /// first by start, then person, text, regex, detector), so that no
    /// fragment of any matched value remains.
    ///
    /// A replacement can expose a value that was not a whole word before
    /// (`secretjdoe` with the text rule `secret` reads `[redacted]jdoe`),
    /// so a changed text is passed through again, up to
    /// [`MAX_PASSES`] times in all.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.passes(text, None)
    }

    /// [`Redactor::text`], but each detected value replaced with its own
    /// numbered placeholder from `numbers` (`[email 1]`, `[email 2]`, see
    /// [`Placeholders`]), so that one address stays distinguishable from
    /// another. Pass one `numbers` to every call of one publication or
    /// export, in output order.
    pub fn text_numbered<'a>(&self, text: &'a str, numbers: &mut Placeholders) -> Cow<'a, str> {
        self.passes(text, Some(numbers))
    }

    fn passes<'a>(&self, text: &'a str, mut numbers: Option<&mut Placeholders>) -> Cow<'a, str> {
        let mut out = self.pass(text, numbers.as_deref_mut());
        for _ in 1..MAX_PASSES {
            let Cow::Owned(changed) = &out else { break };
            match self.pass(changed, numbers.as_deref_mut()) {
                Cow::Owned(again) => out = Cow::Owned(again),
                Cow::Borrowed(_) => break,
            }
        }
        out
    }

    /// One pass of [`Redactor::text`].
    fn pass<'a>(&self, text: &'a str, mut numbers: Option<&mut Placeholders>) -> Cow<'a, str> {
        let mut spans = self.spans(text);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        sort(&mut spans);
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while let Some(first) = spans.get(i) {
            let mut best = first;
            let mut end = first.range.end;
            i += 1;
            while let Some(next) = spans.get(i).filter(|s| s.range.start < end) {
                if next.range.len() > best.range.len() {
                    best = next;
                }
                end = end.max(next.range.end);
                i += 1;
            }
            out.push_str(text.get(copied..first.range.start).unwrap_or_default());
            let detected = self.detector(best.rule).zip(numbers.as_deref_mut());
            match detected {
                Some((detector, numbers)) => {
                    let value = text.get(best.range.clone()).unwrap_or_default();
                    out.push_str(&numbers.of(detector, value));
                }
                None => out.push_str(self.replacement(best.rule)),
            }
            copied = end;
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        Cow::Owned(out)
    }

    /// Every match in `text`, by start and then longest first, overlapping
    /// ones included (unlike [`Redactor::text`], which merges them); for
    /// previews of what a rule set does.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        let mut spans = self.spans(text);
        sort(&mut spans);
        spans.dedup_by(|a, b| a.range == b.range && a.rule == b.rule);
        spans
            .into_iter()
            .map(|span| Hit {
                replacement: self.replacement(span.rule).to_string(),
                range: span.range,
                rule: span.rule,
            })
            .collect()
    }

    /// The pseudonym to show for a sender, if its account id or else its
    /// display name is one of a person's values (see
    /// [`Redactor::person_of`]). A display name that merely contains a
    /// listed name is not a match here; pass it through
    /// [`Redactor::text`].
    pub fn sender(&self, id: &str, name: Option<&str>) -> Option<&str> {
        let person = self.person_of(id).or_else(|| name.and_then(|n| self.person_of(n)))?;
        self.pseudonym(person)
    }

    /// The index in [`Rules::persons`] of the person `value` is a name, id,
    /// handle or implied local part (see
    /// [`PersonRule::values`](crate::PersonRule::values)) of: compared whole, case-insensitively, accents folded,
    /// a leading `@` ignored, runs of whitespace and `_ . - +` all alike
    /// (`Jean-Pierre` is `jean pierre`), and phone numbers by their digits
    /// (`+1 (555) 123-4567` is `15551234567`). The first person listing a
    /// value wins.
    pub fn person_of(&self, value: &str) -> Option<usize> {
        self.persons.get(&key(value)).copied()
    }

    /// The pseudonym of the person at `index` in [`Rules::persons`].
    pub fn pseudonym(&self, index: usize) -> Option<&str> {
        self.pseudonyms.get(index).map(String::as_str)
    }

    fn replacement(&self, rule: RuleRef) -> &str {
        match rule.kind {
            RuleKind::Person => self.pseudonym(rule.index).unwrap_or(REDACTED),
            RuleKind::Text | RuleKind::Regex => REDACTED,
            RuleKind::Detector => self.detector(rule).map_or(REDACTED, Detector::replacement),
        }
    }

    /// The detector of a detector rule.
    fn detector(&self, rule: RuleRef) -> Option<Detector> {
        if rule.kind != RuleKind::Detector {
            return None;
        }
        self.detectors.iter().find(|(r, _)| *r == rule).map(|(_, d)| d.detector())
    }

    fn spans(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        if text.is_empty() {
            return spans;
        }
        if !self.literals.is_empty() {
            let view = View::new(text, Form::Folded);
            self.literals.find(&view.hay, &mut |rule, range| {
                spans.push(Span { range: view.original(range), rule });
            });
        }
        if !self.detectors.is_empty() {
            let view = View::new(text, Form::Nfkc);
            for (rule, detector) in &self.detectors {
                detector.find(&view.hay, &mut |range| {
                    spans.push(Span { range: view.original(range), rule: *rule });
                });
            }
        }
        if !self.regexes.is_empty() {
            let view = View::new(text, Form::Nfc);
            let hay = &*view.hay;
            let candidates: Vec<usize> = match &self.regex_set {
                Some(set) => set.matches(hay).into_iter().collect(),
                None => (0..self.regexes.len()).collect(),
            };
            for (rule, regex) in candidates.into_iter().filter_map(|i| self.regexes.get(i)) {
                for m in regex.find_iter(hay).filter(|m| !m.is_empty()) {
                    spans.push(Span { range: view.original(m.range()), rule: *rule });
                }
            }
        }
        spans.retain(|s| !s.range.is_empty());
        spans
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("literals", &self.literals.len())
            .field("detectors", &self.detectors.len())
            .field("regexes", &self.regexes.len())
            .field("pseudonyms", &self.pseudonyms)
            .finish()
    }
}

fn sort(spans: &mut [Span]) {
    spans.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then(b.range.end.cmp(&a.range.end))
            .then(a.rule.cmp(&b.rule))
    });
}

/// How person values are compared whole: see [`Redactor::person_of`].
fn key(value: &str) -> String {
    let value = value.trim().trim_start_matches('@');
    if let Some(digits) = phone_key(value) {
        return digits;
    }
    let folded = fold(value);
    let words = folded.split(|c: char| c.is_whitespace() || "_.-+".contains(c));
    words.filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Whether `regex` matches the empty string somewhere. The `regex` crate
/// does not say, so it is asked at every position of texts that between
/// them satisfy every assertion it has (`^ $ \b \B`, line anchors with LF
/// and CRLF): an empty match needs only assertions, so one of these
/// positions has it. The earliest match end from a position is that
/// position exactly when an empty match starts there.
fn can_match_empty(regex: &Regex) -> bool {
    const PROBES: &[&str] =
        &["", " ", "a", "ab", "a b", "a\nb", "a\n\nb", "\r\n\r\n", "a\r\n\r\nb", "é é", "1_a."];
    PROBES.iter().any(|probe| {
        (0..=probe.len())
            .filter(|&at| probe.is_char_boundary(at))
            .any(|at| regex.shortest_match_at(probe, at) == Some(at))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redactor_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Redactor>();
    }

    #[test]
    fn empty_matching_regexes_are_recognised() {
        for source in
            ["", "a*", "x?", r"\b", r"\B", "^", "$", "(?m)^$", "a|", "(?:foo)?", r"(?m)\s*$"]
        {
            let regex = Regex::new(source).unwrap();
            assert!(can_match_empty(&regex), "{source:?}");
        }
        for source in ["a+", r"\bfoo\b", r"\d{3}", "(?m)^x", ".", r"\w+\b"] {
            let regex = Regex::new(source).unwrap();
            assert!(!can_match_empty(&regex), "{source:?}");
        }
    }

    #[test]
    fn keys_ignore_case_accents_spacing_and_phone_format() {
        assert_eq!(key("  José   DOE "), "jose doe");
        assert_eq!(key("@JDoe"), "jdoe");
        assert_eq!(key("Jean–Pierre_O’Brien"), "jean pierre o'brien");
        assert_eq!(key("+1 (555) 123-4567"), "15551234567");
    }
}
