//! Pairing a translated copy's records with the original messages.
//!
//! A translation keeps the order of the original and, mostly, its senders;
//! it may rewrite how dates are written (`23.11.21` → `11/23/21`), so the
//! time text alone cannot pair. Each translated record is paired, within a
//! window ahead of the first original not yet paired, with
//!
//! 1. the first original with the same sender and the same time (as
//!    written, or as the same instant): paired **by time**;
//! 2. else the first original with the same sender: paired **by order**
//!    (its time differs; the report counts these apart so they can be
//!    checked);
//! 3. else the first original with the same time, whoever its sender:
//!    paired **by time** too (a translated sender name).
//!
//! Anything else is unpaired, reported with its reason.

use std::collections::HashMap;

use trove_store::Candidate;

/// How far ahead of the first unpaired original a record may pair: far
/// enough for a translation that lost or merged a few messages, near
/// enough that a sender's next message is not taken from pages later.
const WINDOW: usize = 64;

/// How one record was paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paired {
    /// Same time (and, where the sender was kept, same sender).
    ByTime,
    /// Same sender, next in order; the time differs.
    ByOrder,
}

/// The originals of one source, consumed in order.
#[derive(Debug)]
pub struct Aligner {
    originals: Vec<Candidate>,
    taken: Vec<bool>,
    /// The first original not yet paired.
    cursor: usize,
}

impl Aligner {
    /// Over `originals`, in file order.
    pub fn new(originals: Vec<Candidate>) -> Aligner {
        let taken = vec![false; originals.len()];
        Aligner { originals, taken, cursor: 0 }
    }

    /// Pairs one translated record; `None` when nothing fits.
    pub fn pair(
        &mut self,
        sender: Option<i64>,
        sent_at_ms: i64,
        ts_original: &str,
    ) -> Option<(i64, Paired)> {
        let end = (self.cursor + WINDOW).min(self.originals.len());
        let open: Vec<usize> = (self.cursor..end).filter(|&i| !self.taken[i]).collect();
        let same_time = |c: &Candidate| c.ts_original == ts_original || c.sent_at_ms == sent_at_ms;
        let same_sender = |c: &Candidate| sender.is_some() && c.sender == sender;
        let found = open
            .iter()
            .find(|&&i| same_sender(&self.originals[i]) && same_time(&self.originals[i]))
            .map(|&i| (i, Paired::ByTime))
            .or_else(|| {
                open.iter()
                    .find(|&&i| same_sender(&self.originals[i]))
                    .map(|&i| (i, Paired::ByOrder))
            })
            .or_else(|| {
                open.iter().find(|&&i| same_time(&self.originals[i])).map(|&i| (i, Paired::ByTime))
            });
        let (index, how) = found?;
        self.taken[index] = true;
        while self.cursor < self.originals.len() && self.taken[self.cursor] {
            self.cursor += 1;
        }
        Some((self.originals[index].row, how))
    }

    /// Originals no record paired with.
    pub fn untranslated(&self) -> u64 {
        self.taken.iter().filter(|t| !**t).count() as u64
    }
}

/// What pairing a translated copy came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairingReport {
    /// Translated records read.
    pub records: u64,
    /// Paired with the same time.
    pub paired_by_time: u64,
    /// Paired by sender and order where the time differs.
    pub paired_by_order: u64,
    /// Records no original fits (each also a skip with its reason).
    pub unpaired: u64,
    /// Original messages of the paired sources no record paired with in
    /// this run (already translated ones excluded).
    pub originals_untranslated: u64,
    /// Translated files with no original file of the same relative path.
    pub files_without_original: Vec<String>,
}

impl PairingReport {
    /// Paired records over records read, in percent; `None` with no
    /// records.
    pub fn rate(&self) -> Option<f64> {
        (self.records > 0).then(|| {
            (self.paired_by_time + self.paired_by_order) as f64 * 100.0 / self.records as f64
        })
    }
}

/// The aligners of one run, by original source row.
#[derive(Debug, Default)]
pub struct Aligners {
    by_source: HashMap<i64, Aligner>,
}

impl Aligners {
    /// The aligner of source `row`, made from `load` the first time.
    pub fn get_or_load<E>(
        &mut self,
        row: i64,
        load: impl FnOnce() -> Result<Vec<Candidate>, E>,
    ) -> Result<&mut Aligner, E> {
        Ok(match self.by_source.entry(row) {
            std::collections::hash_map::Entry::Occupied(aligner) => aligner.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => slot.insert(Aligner::new(load()?)),
        })
    }

    /// Originals no record paired with, over every source.
    pub fn untranslated(&self) -> u64 {
        self.by_source.values().map(Aligner::untranslated).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original(row: i64, sender: i64, ts: &str, ms: i64) -> Candidate {
        Candidate { row, sender: Some(sender), sent_at_ms: ms, ts_original: ts.to_string() }
    }

    #[test]
    fn rewritten_dates_pair_by_order_and_lost_records_are_passed() {
        let mut aligner = Aligner::new(vec![
            original(1, 10, "23.11.21 09:08:16", 1_000),
            original(2, 11, "23.11.21 09:08:20", 2_000),
            original(3, 10, "23.11.21 09:09:00", 3_000),
            original(4, 11, "23.11.21 09:10:00", 4_000),
        ]);
        // Same instant under another spelling: by time.
        assert_eq!(aligner.pair(Some(10), 1_000, "11/23/21 09:08:16"), Some((1, Paired::ByTime)));
        // The translation lost message 2; sender 10's next is 3, by order
        // (its date was rewritten into another instant).
        assert_eq!(
            aligner.pair(Some(10), 99_000, "11/23/221 09:09:00"),
            Some((3, Paired::ByOrder))
        );
        // A translated sender name: the time still pairs.
        assert_eq!(aligner.pair(Some(99), 4_000, "23.11.21 09:10:00"), Some((4, Paired::ByTime)));
        // Nothing left for sender 12 and no time fits.
        assert_eq!(aligner.pair(Some(12), 7_000, "x"), None);
        assert_eq!(aligner.untranslated(), 1);
    }

    #[test]
    fn a_pair_is_never_taken_twice() {
        let mut aligner =
            Aligner::new(vec![original(1, 10, "t1", 1_000), original(2, 10, "t1", 1_000)]);
        assert_eq!(aligner.pair(Some(10), 1_000, "t1"), Some((1, Paired::ByTime)));
        assert_eq!(aligner.pair(Some(10), 1_000, "t1"), Some((2, Paired::ByTime)));
        assert_eq!(aligner.pair(Some(10), 1_000, "t1"), None);
    }
}
