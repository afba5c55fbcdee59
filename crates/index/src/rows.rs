//! Messages picked by their store row: a query over the `row` fast column.
//!
//! The row is not an indexed term: a term per message (a million distinct
//! terms at a million messages) cost an ingest about a tenth of its index
//! work, and only two rare things need it: searches for annotated messages
//! (`has:note`, `tag:`, `status:`) and re-indexing messages that gained a
//! translation. Both read the column instead, one pass per segment.

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, Score, SegmentReader};

type Rows = HashSet<u64, foldhash::fast::FixedState>;

/// Matches the documents of the given rows.
#[derive(Clone, Debug)]
pub(crate) struct RowSetQuery {
    rows: Arc<Rows>,
}

impl RowSetQuery {
    pub(crate) fn new(rows: impl IntoIterator<Item = u64>) -> RowSetQuery {
        RowSetQuery { rows: Arc::new(rows.into_iter().collect()) }
    }
}

impl Query for RowSetQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(RowSetWeight { rows: Arc::clone(&self.rows) }))
    }
}

struct RowSetWeight {
    rows: Arc<Rows>,
}

impl RowSetWeight {
    fn matching(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let column = reader.fast_fields().u64("row")?;
        let mut docs = BitSet::with_max_value(reader.max_doc());
        if self.rows.is_empty() {
            return Ok(docs);
        }
        for doc in 0..reader.max_doc() {
            if column.first(doc).is_some_and(|row| self.rows.contains(&row)) {
                docs.insert(doc);
            }
        }
        Ok(docs)
    }
}

impl Weight for RowSetWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = BitSetDocSet::from(self.matching(reader)?);
        Ok(Box::new(ConstScorer::new(docs, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.matching(reader)?.contains(doc) {
            Ok(Explanation::new("row in set", 1.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not in the row set"
            )))
        }
    }
}
