//! Skips kept within bounds: a file of ten million bad lines gives ten
//! million skips, and each kept in full cost about 240 bytes. The first
//! ones are kept whole to show; every one is counted, by its kind of reason.

use std::collections::BTreeMap;

use trove_readers::Skip;

/// Skips a run keeps in full unless told otherwise (`--keep-skips`).
pub const SKIPS_KEPT: usize = 1000;

/// Most kinds of reason counted apart; the rest are counted together.
const REASON_KINDS: usize = 200;

/// The kind under which reasons past [`REASON_KINDS`] are counted.
pub const OTHER_REASONS: &str = "(other reasons)";

/// The skips of a run: the first `limit` in full, all of them counted.
#[derive(Debug)]
pub(crate) struct SkipLog {
    kept: Vec<Skip>,
    limit: usize,
    total: u64,
    by_reason: BTreeMap<String, u64>,
}

impl SkipLog {
    pub fn new(limit: usize) -> SkipLog {
        SkipLog { kept: Vec::new(), limit, total: 0, by_reason: BTreeMap::new() }
    }

    pub fn push(&mut self, skip: Skip) {
        self.total += 1;
        let kind = reason_kind(&skip.reason);
        let kind = if self.by_reason.len() < REASON_KINDS || self.by_reason.contains_key(&kind) {
            kind
        } else {
            OTHER_REASONS.to_string()
        };
        *self.by_reason.entry(kind).or_insert(0) += 1;
        if self.kept.len() < self.limit {
            self.kept.push(skip);
        }
    }

    pub fn finish(self) -> Skips {
        Skips { kept: self.kept, total: self.total, by_reason: self.by_reason }
    }
}

/// What a run's skips came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skips {
    /// The first ones, in full.
    pub kept: Vec<Skip>,
    /// How many there were.
    pub total: u64,
    /// `total` by kind of reason: the reason with its numbers as `#` and
    /// quoted text as `…` (`line #: not valid JSON: expected value`).
    pub by_reason: BTreeMap<String, u64>,
}

/// A reason without what changes from record to record: digits, and text
/// quoted in backticks or double quotes, so that "line 5: `x` is not a
/// time" and "line 9: `y` is not a time" count together. At most 120
/// characters.
pub(crate) fn reason_kind(reason: &str) -> String {
    let mut kind = String::with_capacity(reason.len().min(120));
    let mut quote: Option<char> = None;
    let mut in_number = false;
    for c in reason.chars() {
        if kind.len() >= 120 {
            kind.push('…');
            break;
        }
        if let Some(open) = quote {
            if c == open {
                kind.push(c);
                quote = None;
            }
            continue;
        }
        if c.is_ascii_digit() {
            if !in_number {
                kind.push('#');
                in_number = true;
            }
            continue;
        }
        in_number = false;
        kind.push(c);
        if c == '`' || c == '"' {
            kind.push('…');
            quote = Some(c);
        }
    }
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(reason: &str) -> Skip {
        Skip { file: "f".into(), offset: 0, reason: reason.into() }
    }

    #[test]
    fn reasons_count_together_whatever_their_numbers_and_quotes() {
        assert_eq!(reason_kind("line 12: not valid JSON"), "line #: not valid JSON");
        assert_eq!(reason_kind("line 9: `2020-13-01` is not a time"), "line #: `…` is not a time");
        assert_eq!(reason_kind("\"ab\"cd 1.5"), "\"…\"cd #.#");
        assert!(reason_kind(&"x".repeat(500)).chars().count() <= 121);
    }

    #[test]
    fn the_first_skips_are_kept_and_every_one_is_counted() {
        let mut log = SkipLog::new(3);
        for n in 0..10 {
            log.push(skip(&format!("line {n}: not valid JSON")));
        }
        log.push(skip("line 11: `x` is not a time"));
        let skips = log.finish();
        assert_eq!(skips.total, 11);
        assert_eq!(skips.kept.len(), 3);
        assert_eq!(skips.kept[2].reason, "line 2: not valid JSON");
        assert_eq!(skips.by_reason.get("line #: not valid JSON"), Some(&10));
        assert_eq!(skips.by_reason.get("line #: `…` is not a time"), Some(&1));
    }

    #[test]
    fn kinds_past_the_bound_are_counted_together() {
        let mut log = SkipLog::new(0);
        for n in 0..(REASON_KINDS + 50) {
            // Letters, not digits: digits would make every reason one kind.
            let letters: String =
                n.to_string().bytes().map(|d| char::from(d - b'0' + b'a')).collect();
            log.push(skip(&format!("reason {letters}")));
        }
        let skips = log.finish();
        assert_eq!(skips.total, (REASON_KINDS + 50) as u64);
        assert!(skips.kept.is_empty());
        assert_eq!(skips.by_reason.len(), REASON_KINDS + 1);
        assert_eq!(skips.by_reason.get(OTHER_REASONS), Some(&50));
    }
}
