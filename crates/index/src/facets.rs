//! Counts over every matching message, for facets and charts: by sender, by
//! conversation, and by time bucket. One pass over the fast fields of the
//! hits; no stored fields are read.
//!
//! Time buckets are equal steps from a start instant (bucket `k` holds
//! `[start + k·step, start + (k+1)·step)`), so the caller decides what a
//! bucket is (an hour from a local hour boundary, say) and the collector
//! stays a division per message. Senders and conversations are row ids,
//! small and dense, so they are counted in vectors, not hash maps: this
//! loop runs once per matching message, a million times for a frequent
//! word.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// What [`crate::CaseIndex::facets`] counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    /// Matching messages.
    pub total: u64,
    /// Messages per sender row.
    pub senders: HashMap<u64, u64>,
    /// Messages per conversation row.
    pub conversations: HashMap<u64, u64>,
    /// Messages per source row (an ingested file; each carries its input's
    /// label).
    pub sources: HashMap<u64, u64>,
    /// Messages per time bucket (messages outside the buckets are not
    /// counted here).
    pub buckets: Vec<u64>,
}

impl Facets {
    fn merge(&mut self, other: Facets) {
        self.total += other.total;
        for (k, v) in other.senders {
            *self.senders.entry(k).or_insert(0) += v;
        }
        for (k, v) in other.conversations {
            *self.conversations.entry(k).or_insert(0) += v;
        }
        for (k, v) in other.sources {
            *self.sources.entry(k).or_insert(0) += v;
        }
        if self.buckets.len() < other.buckets.len() {
            self.buckets.resize(other.buckets.len(), 0);
        }
        for (k, v) in other.buckets.into_iter().enumerate() {
            self.buckets[k] += v;
        }
    }
}

/// Row ids above this are not counted (a corrupt fast field must not make
/// the vectors huge).
const MAX_ROW: u64 = 50_000_000;

/// Equal time buckets: `count` steps of `step` ms from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buckets {
    /// UTC ms where bucket 0 starts.
    pub start: i64,
    /// Bucket length in ms (at least 1).
    pub step: i64,
    /// Number of buckets.
    pub count: usize,
}

pub(crate) struct FacetCollector {
    pub buckets: Buckets,
}

pub(crate) struct FacetSegment {
    buckets: Buckets,
    sender: Column<u64>,
    conversation: Column<u64>,
    source: Column<u64>,
    sent_at: Column<i64>,
    total: u64,
    senders: Vec<u64>,
    conversations: Vec<u64>,
    sources: Vec<u64>,
    counts: Vec<u64>,
}

fn bump(counts: &mut Vec<u64>, row: u64) {
    if row > MAX_ROW {
        return;
    }
    let i = row as usize;
    if i >= counts.len() {
        counts.resize(i + 1, 0);
    }
    counts[i] += 1;
}

fn nonzero(counts: Vec<u64>) -> HashMap<u64, u64> {
    counts.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(i, n)| (i as u64, n)).collect()
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let fast = reader.fast_fields();
        Ok(FacetSegment {
            buckets: self.buckets,
            sender: fast.u64("sender")?,
            conversation: fast.u64("conversation")?,
            source: fast.u64("source")?,
            sent_at: fast.i64("sent_at")?,
            total: 0,
            senders: Vec::new(),
            conversations: Vec::new(),
            sources: Vec::new(),
            counts: vec![0; self.buckets.count],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut all = Facets { buckets: vec![0; self.buckets.count], ..Facets::default() };
        for fruit in fruits {
            all.merge(fruit);
        }
        Ok(all)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.total += 1;
        if let Some(sender) = self.sender.first(doc) {
            bump(&mut self.senders, sender);
        }
        if let Some(conversation) = self.conversation.first(doc) {
            bump(&mut self.conversations, conversation);
        }
        if let Some(source) = self.source.first(doc) {
            bump(&mut self.sources, source);
        }
        if let Some(at) = self.sent_at.first(doc) {
            let offset = at - self.buckets.start;
            if offset >= 0 {
                let k = (offset / self.buckets.step.max(1)) as usize;
                if let Some(count) = self.counts.get_mut(k) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> Facets {
        Facets {
            total: self.total,
            senders: nonzero(self.senders),
            conversations: nonzero(self.conversations),
            sources: nonzero(self.sources),
            buckets: self.counts,
        }
    }
}
