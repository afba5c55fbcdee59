//! Where a preview finds a short local part (`jo` of `jo@x.onion`) left as
//! a plain word: the redactor hits it only where chat marks a name, so
//! every other use stays, and the preview says how many there are rather
//! than leaving it to be found in print.

use std::ops::Range;

use trove_redact::{Hit, MIN_WORD_CHARS, PersonRule, Reach, Redactor, RuleKind, Rules};

/// The short local parts of a case's person rules, matched anywhere as
/// whole words, with what was found of each.
pub(super) struct ShortNames {
    /// One person rule per case person rule, same index, holding only its
    /// short local parts as names.
    words: Redactor,
    /// Per case person rule: its short local parts and where they come from.
    values: Vec<Vec<(String, String)>>,
    /// Per case person rule: places left, and the first of them.
    left: Vec<(u64, Option<(String, &'static str)>)>,
}

impl ShortNames {
    /// `None` when no person rule has a short local part.
    pub(super) fn new(persons: &[PersonRule]) -> Option<ShortNames> {
        let values: Vec<Vec<(String, String)>> = persons
            .iter()
            .map(|p| {
                p.values()
                    .into_iter()
                    .filter(|v| v.reach == Reach::Marked)
                    .map(|v| (v.value, v.from.unwrap_or_default()))
                    .collect()
            })
            .collect();
        if values.iter().all(Vec::is_empty) {
            return None;
        }
        let persons = values
            .iter()
            .map(|short| PersonRule {
                names: short.iter().map(|(value, _)| value.clone()).collect(),
                ..PersonRule::default()
            })
            .collect();
        // Short plain names compile like any others; failing that, the
        // preview goes without this count rather than failing.
        let words = Redactor::new(&Rules { persons, ..Rules::default() }).ok()?;
        let left = vec![(0, None); values.len()];
        Some(ShortNames { words, values, left })
    }

    /// Counts the short local parts in `value` (field `field` of message
    /// `message_id`) that no hit in `redacted` covers.
    pub(super) fn scan(
        &mut self,
        value: &str,
        redacted: &[Hit],
        message_id: &str,
        field: &'static str,
    ) {
        for hit in self.words.hits(value) {
            if hit.rule.kind != RuleKind::Person || covered(&hit.range, redacted) {
                continue;
            }
            let Some((count, first)) = self.left.get_mut(hit.rule.index) else { continue };
            *count += 1;
            first.get_or_insert_with(|| (message_id.to_string(), field));
        }
    }

    /// One warning per person rule with a short local part left somewhere;
    /// `describe` names the case rule of a person index.
    pub(super) fn warnings(&self, describe: impl Fn(usize) -> Option<String>) -> Vec<String> {
        let mut out = Vec::new();
        for (index, (count, first)) in self.left.iter().enumerate() {
            let (Some((message, field)), Some(rule)) = (first, describe(index)) else { continue };
            let short = self.values.get(index).map(Vec::as_slice).unwrap_or_default();
            let named: Vec<String> =
                short.iter().map(|(value, from)| format!("{value:?} (of {from})")).collect();
            out.push(format!(
                "rule {rule}: {} shorter than {MIN_WORD_CHARS} characters, redacted only as \
                 <x>, @x, `* x` and `x:` opening a line; left as a plain word in {count} \
                 place(s), the first in message {message} ({field})",
                named.join(", "),
            ));
        }
        out
    }
}

/// Whether some hit of `redacted` spans `range`.
fn covered(range: &Range<usize>, redacted: &[Hit]) -> bool {
    redacted.iter().any(|h| h.range.start <= range.start && h.range.end >= range.end)
}
