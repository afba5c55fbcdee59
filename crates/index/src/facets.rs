//! Counts over every matching message, for facets and charts: by sender, by
//! conversation, and by time bucket. One pass over the fast fields of the
//! hits; no stored fields are read.
//!
//! Time buckets are given as sorted UTC instants (bucket `k` holds
//! `[boundaries[k], boundaries[k + 1])`), so the caller decides what a
//! bucket is (an hour in the case's zone, DST included) and the collector
//! stays a binary search per message.

use std::collections::HashMap;
use std::sync::Arc;

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
    /// Messages per time bucket (one fewer than the boundaries; messages
    /// outside them are not counted here).
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
        if self.buckets.len() < other.buckets.len() {
            self.buckets.resize(other.buckets.len(), 0);
        }
        for (k, v) in other.buckets.into_iter().enumerate() {
            self.buckets[k] += v;
        }
    }
}

pub(crate) struct FacetCollector {
    pub boundaries: Arc<[i64]>,
}

pub(crate) struct FacetSegment {
    boundaries: Arc<[i64]>,
    sender: Column<u64>,
    conversation: Column<u64>,
    sent_at: Column<i64>,
    facets: Facets,
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
            boundaries: Arc::clone(&self.boundaries),
            sender: fast.u64("sender")?,
            conversation: fast.u64("conversation")?,
            sent_at: fast.i64("sent_at")?,
            facets: Facets {
                buckets: vec![0; self.boundaries.len().saturating_sub(1)],
                ..Facets::default()
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut all = Facets {
            buckets: vec![0; self.boundaries.len().saturating_sub(1)],
            ..Facets::default()
        };
        for fruit in fruits {
            all.merge(fruit);
        }
        Ok(all)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _: Score) {
        let facets = &mut self.facets;
        facets.total += 1;
        if let Some(sender) = self.sender.first(doc) {
            *facets.senders.entry(sender).or_insert(0) += 1;
        }
        if let Some(conversation) = self.conversation.first(doc) {
            *facets.conversations.entry(conversation).or_insert(0) += 1;
        }
        if let Some(at) = self.sent_at.first(doc) {
            let after = self.boundaries.partition_point(|&b| b <= at);
            if after > 0
                && let Some(count) = facets.buckets.get_mut(after - 1)
            {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> Facets {
        self.facets
    }
}
