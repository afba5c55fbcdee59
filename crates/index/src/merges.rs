//! Which segments tantivy merges: its log merge policy, with every merge
//! kept to [`MAX_MERGE_DOCS`] documents.
//!
//! A merge maps its input segments and holds per-document tables while it
//! runs, so its memory grows with the documents it merges. Unbounded, the
//! merges of a 10M-message ingest took the process past 1.2 GB; bounded,
//! a large case keeps a few more segments, each searched in turn.

use std::collections::HashMap;

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};

/// The most documents one merge may produce.
pub const MAX_MERGE_DOCS: u32 = 2_000_000;

/// [`LogMergePolicy`] whose merges stay within [`MAX_MERGE_DOCS`]: from
/// each merge it proposes, the smallest segments that fit.
#[derive(Debug, Default)]
pub struct BoundedMerges {
    log: LogMergePolicy,
}

impl MergePolicy for BoundedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let docs: HashMap<SegmentId, u32> =
            segments.iter().map(|s| (s.id(), s.num_docs())).collect();
        self.log
            .compute_merge_candidates(segments)
            .into_iter()
            .filter_map(|candidate| within_bound(candidate, &docs))
            .collect()
    }
}

fn within_bound(
    MergeCandidate(mut ids): MergeCandidate,
    docs: &HashMap<SegmentId, u32>,
) -> Option<MergeCandidate> {
    let size = |id: &SegmentId| docs.get(id).copied().unwrap_or(u32::MAX);
    ids.sort_by_key(size);
    let mut total = 0u32;
    let fitting = ids
        .into_iter()
        .take_while(|id| match total.checked_add(size(id)) {
            Some(sum) if sum <= MAX_MERGE_DOCS => {
                total = sum;
                true
            }
            _ => false,
        })
        .collect::<Vec<_>>();
    (fitting.len() >= 2).then_some(MergeCandidate(fitting))
}

#[cfg(test)]
mod tests {
    use tantivy::Index;
    use tantivy::schema::{STRING, Schema};

    use super::*;

    fn segments(index: &Index, sizes: &[u32]) -> Vec<SegmentMeta> {
        sizes.iter().map(|&n| index.new_segment_meta(SegmentId::generate_random(), n)).collect()
    }

    fn merged_sizes(sizes: &[u32]) -> Vec<Vec<u32>> {
        let mut schema = Schema::builder();
        schema.add_text_field("t", STRING);
        let index = Index::create_in_ram(schema.build());
        let metas = segments(&index, sizes);
        let size_of = |id: &SegmentId| {
            metas.iter().find(|m| m.id() == *id).map(|m| m.num_docs()).expect("known segment")
        };
        BoundedMerges::default()
            .compute_merge_candidates(&metas)
            .iter()
            .map(|c| {
                let mut sizes: Vec<u32> = c.0.iter().map(size_of).collect();
                sizes.sort_unstable();
                sizes
            })
            .collect()
    }

    #[test]
    fn small_segments_merge_as_the_log_policy_says() {
        assert_eq!(merged_sizes(&[20_000; 8]), vec![vec![20_000; 8]]);
        assert_eq!(merged_sizes(&[20_000; 7]), Vec::<Vec<u32>>::new(), "too few to merge");
    }

    #[test]
    fn a_merge_past_the_bound_keeps_only_the_smallest_segments_that_fit() {
        let merges =
            merged_sizes(&[600_000, 610_000, 620_000, 630_000, 640_000, 650_000, 660_000, 670_000]);
        assert_eq!(merges, vec![vec![600_000, 610_000, 620_000]]);
        assert!(merges.iter().all(|m| m.iter().sum::<u32>() <= MAX_MERGE_DOCS));
    }

    #[test]
    fn segments_at_the_bound_are_left_alone() {
        assert_eq!(merged_sizes(&[1_500_000; 8]), Vec::<Vec<u32>>::new());
    }
}
