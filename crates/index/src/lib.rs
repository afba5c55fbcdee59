//! The full-text index of a case.
//!
//! One tantivy index per case folder holds every message (not events) with
//! its text analysed by [`analyzer`], its time, sender, conversation and
//! flags. The store is the source of truth; the index holds only row ids
//! and what queries need, and can always be rebuilt from the store.
//!
//! A commit carries a payload (the store generation it reflects) so the case
//! can tell when the index lags the store after an interrupted ingest.
//!
//! Queries arrive as a `trove_query::Query`; [`lower`] turns them into
//! tantivy queries, resolving names and dates through a [`Resolve`]
//! implementation supplied by the caller.

pub mod analyzer;
mod facets;
mod lower;
mod merges;
mod read_only;
mod rows;
mod snippet;

use std::path::Path;

use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument};

pub use facets::{Buckets, Facets};
use lower::lower;
pub use lower::{Annotated, Lowered, Resolve};
pub use snippet::Highlighter;

/// The index failed, or a query was not acceptable.
#[derive(Debug)]
pub enum IndexError {
    /// tantivy reported an error.
    Tantivy(tantivy::TantivyError),
    /// A query term cannot be used (bad date, unsupported filter).
    Query {
        /// Byte position in the query text.
        position: usize,
        /// What is wrong.
        message: String,
    },
}

impl std::fmt::Display for IndexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexError::Tantivy(e) => write!(f, "index: {e}"),
            IndexError::Query { position, message } => {
                write!(f, "query, at character {}: {message}", position + 1)
            }
        }
    }
}

impl std::error::Error for IndexError {}

impl IndexError {
    /// An error of the index's own making (not tantivy's, not the query's).
    pub fn internal(message: impl Into<String>) -> IndexError {
        IndexError::Tantivy(tantivy::TantivyError::InternalError(message.into()))
    }
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        IndexError::Tantivy(e)
    }
}

/// What a message contributes to the index.
#[derive(Clone, Debug)]
pub struct IndexDoc<'a> {
    /// The message's row id in the store.
    pub row: u64,
    /// The text to analyse.
    pub text: &'a str,
    /// UTC milliseconds.
    pub sent_at_ms: i64,
    /// The sender's account row id.
    pub sender: Option<u64>,
    /// The conversation row id.
    pub conversation: u64,
    /// The source row id (the ingested file, which carries its input's
    /// label).
    pub source: u64,
    /// Platform name.
    pub platform: &'a str,
    /// The message holds a link.
    pub has_link: bool,
    /// The message has attachments.
    pub has_attachment: bool,
    /// Detected language code, if any.
    pub lang: Option<&'a str>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub row: Field,
    pub text: Field,
    pub sent_at: Field,
    pub sender: Field,
    pub conversation: Field,
    pub source: Field,
    pub platform: Field,
    pub has: Field,
    pub lang: Field,
}

fn schema() -> (Schema, Fields) {
    schema_for(analyzer::ANALYZER)
}

/// The schema with the text analysed by the analyzer named `analyzer`: an
/// index written with another name is another schema.
fn schema_for(analyzer: &str) -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fast = NumericOptions::default().set_fast();
    let fast_indexed = NumericOptions::default().set_fast().set_indexed();
    let fields = Fields {
        // Not indexed: see `rows`.
        row: builder.add_u64_field("row", fast.clone()),
        text: builder.add_text_field("text", text_options),
        // Time filters are ranges, which tantivy answers from the fast
        // column; indexing the field too would add a term per message (a
        // million distinct terms at a million messages) for nothing.
        sent_at: builder.add_i64_field("sent_at", fast.clone()),
        sender: builder.add_u64_field("sender", fast_indexed.clone()),
        conversation: builder.add_u64_field("conversation", fast_indexed.clone()),
        source: builder.add_u64_field("source", fast_indexed),
        platform: builder.add_text_field("platform", STRING),
        has: builder.add_text_field("has", STRING),
        lang: builder.add_text_field("lang", STRING),
    };
    (builder.build(), fields)
}

/// How to order hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (BM25).
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// One hit: the message's row id and how it ranked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// Row id in the store.
    pub row: u64,
    /// BM25 score (0 when sorted by time).
    pub score: f32,
}

/// Hits of one page plus the exact number of matches.
#[derive(Clone, Debug, PartialEq)]
pub struct Hits {
    /// Exact count of matching messages.
    pub total: u64,
    /// The requested page.
    pub hits: Vec<Hit>,
}

/// The index of one case.
pub struct CaseIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The commit payload (store generation) searches see: the last one
    /// loaded, by this process's own commits or another's.
    loaded: std::sync::Mutex<Option<String>>,
}

impl CaseIndex {
    /// Opens the index in `dir`, creating it if the folder is empty.
    pub fn open_or_create(dir: &Path) -> Result<CaseIndex, IndexError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            IndexError::Tantivy(tantivy::TantivyError::InternalError(format!(
                "{}: {e}",
                dir.display()
            )))
        })?;
        let (schema, fields) = schema();
        let open = |dir: &Path| -> Result<Index, IndexError> {
            let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| {
                tantivy::TantivyError::InternalError(format!("{}: {e}", dir.display()))
            })?;
            Ok(Index::open_or_create(directory, schema.clone())?)
        };
        // The index is derived: one written with another schema (an older
        // trove) is discarded and rebuilt from the store by the caller, who
        // sees an index with no payload.
        let index = match open(dir) {
            Err(IndexError::Tantivy(tantivy::TantivyError::SchemaError(_))) => {
                std::fs::remove_dir_all(dir).and_then(|()| std::fs::create_dir_all(dir)).map_err(
                    |e| tantivy::TantivyError::InternalError(format!("{}: {e}", dir.display())),
                )?;
                open(dir)?
            }
            other => other?,
        };
        CaseIndex::searching(index, fields)
    }

    /// The case index over an opened tantivy index: its analyzer, parallel
    /// search and a reader of the last commit.
    fn searching(mut index: Index, fields: Fields) -> Result<CaseIndex, IndexError> {
        index.tokenizers().register(analyzer::ANALYZER, analyzer::TroveTokenizer::default());
        // Segments are searched in parallel: a query matching half a
        // million messages (counts, facets) takes half the time on two cores.
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let loaded = std::sync::Mutex::new(index.load_metas()?.payload);
        Ok(CaseIndex { index, reader, fields, loaded })
    }

    /// Opens the index in `dir` for searching only, writing nothing there
    /// (a case on read-only media). An index of another schema is an error
    /// here: it cannot be rebuilt.
    pub fn open_read_only(dir: &Path) -> Result<CaseIndex, IndexError> {
        let directory = read_only::ReadOnlyDirectory::open(dir)?;
        let index = Index::open(directory)?;
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Err(IndexError::internal(format!(
                "the index in {} was written by another version of trove and cannot be rebuilt \
                 in a read-only case; search a writable copy of the case folder",
                dir.display()
            )));
        }
        CaseIndex::searching(index, fields)
    }

    /// The payload of the commit searches see now (no I/O: what the last
    /// load read).
    pub fn searched_payload(&self) -> Option<String> {
        self.loaded.lock().ok().and_then(|loaded| loaded.clone())
    }

    /// The payload of the last commit (the store generation it reflects).
    pub fn committed_payload(&self) -> Result<Option<String>, IndexError> {
        Ok(self.index.load_metas()?.payload)
    }

    /// A writer using about `heap_bytes` of memory across `threads` threads.
    pub fn writer(&self, threads: usize, heap_bytes: usize) -> Result<Writer, IndexError> {
        let inner = self.index.writer_with_num_threads(threads.max(1), heap_bytes)?;
        inner.set_merge_policy(Box::new(merges::BoundedMerges::default()));
        Ok(Writer { inner, fields: self.fields, pending: Vec::with_capacity(BATCH_DOCS) })
    }

    /// Deletes the files no commit names (segments a failed or killed run
    /// wrote). Returns how many were deleted.
    pub fn collect_garbage(&self) -> Result<usize, IndexError> {
        let writer: IndexWriter = self.index.writer_with_num_threads(1, 15_000_000)?;
        let collected = writer.garbage_collect_files().wait()?;
        Ok(collected.deleted_files.len())
    }

    /// Makes the latest commit visible to searches.
    pub fn reload(&self) -> Result<(), IndexError> {
        let payload = self.committed_payload()?;
        self.reader.reload()?;
        if let Ok(mut loaded) = self.loaded.lock() {
            *loaded = payload;
        }
        Ok(())
    }

    /// Loads a commit made since the last load (by another process: an
    /// ingest while the workbench runs), and gives the payload searches
    /// now see. One read of the index's small meta file when nothing
    /// changed.
    pub fn refresh(&self) -> Result<Option<String>, IndexError> {
        let committed = self.committed_payload()?;
        let stale = self.loaded.lock().map(|loaded| *loaded != committed).unwrap_or(true);
        if stale {
            self.reload()?;
        }
        Ok(committed)
    }

    /// Number of indexed messages.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a lowered query: the exact total and one page of hits.
    pub fn search(
        &self,
        query: &dyn tantivy::query::Query,
        sort: Sort,
        offset: usize,
        limit: usize,
    ) -> Result<Hits, IndexError> {
        let searcher = self.reader.searcher();
        let limit = limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (total, addresses): (usize, Vec<(f32, DocAddress)>) = match sort {
            Sort::Relevance => searcher.search(query, &(Count, top.order_by_score()))?,
            Sort::Newest | Sort::Oldest => {
                let order = if sort == Sort::Newest { Order::Desc } else { Order::Asc };
                let (total, docs) = searcher
                    .search(query, &(Count, top.order_by_fast_field::<i64>("sent_at", order)))?;
                (total, docs.into_iter().map(|(_, address)| (0.0, address)).collect())
            }
        };
        // One `row` column per segment, opened once: opening it per hit costs
        // more than the search when a whole result set is read (exports).
        let mut columns = Vec::new();
        for segment in searcher.segment_readers() {
            columns.push(segment.fast_fields().u64("row")?);
        }
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let row =
                columns.get(address.segment_ord as usize).and_then(|c| c.first(address.doc_id));
            if let Some(row) = row {
                hits.push(Hit { row, score });
            }
        }
        Ok(Hits { total: total as u64, hits })
    }

    /// The earliest and latest `sent_at` indexed (from the fast fields'
    /// statistics: no document is read), or `None` for an empty index.
    pub fn time_span(&self) -> Result<Option<(i64, i64)>, IndexError> {
        let searcher = self.reader.searcher();
        let mut span: Option<(i64, i64)> = None;
        for segment in searcher.segment_readers() {
            if segment.num_docs() == 0 {
                continue;
            }
            let column = segment.fast_fields().i64("sent_at")?;
            let (low, high) = (column.min_value(), column.max_value());
            span = Some(match span {
                Some((a, b)) => (a.min(low), b.max(high)),
                None => (low, high),
            });
        }
        Ok(span)
    }

    /// Counts the messages matching `query` by sender, conversation and
    /// time bucket (see [`Facets`]).
    pub fn facets(
        &self,
        query: &trove_query::Query,
        resolver: &dyn Resolve,
        buckets: Buckets,
    ) -> Result<(Facets, Vec<String>), IndexError> {
        let lowered = lower(query, &self.fields, resolver)?;
        let searcher = self.reader.searcher();
        let facets =
            searcher.search(lowered.query.as_ref(), &facets::FacetCollector { buckets })?;
        Ok((facets, lowered.warnings))
    }

    /// Lowers and runs `query`.
    pub fn search_query(
        &self,
        query: &trove_query::Query,
        resolver: &dyn Resolve,
        sort: Sort,
        offset: usize,
        limit: usize,
    ) -> Result<(Hits, Vec<String>), IndexError> {
        let lowered = lower(query, &self.fields, resolver)?;
        let hits = self.search(lowered.query.as_ref(), sort, offset, limit)?;
        Ok((hits, lowered.warnings))
    }
}

/// Documents handed to tantivy's indexing threads at once. One channel
/// message (and one thread wake-up) per document cost a tenth of an ingest;
/// the channel holds up to 10,000 messages, so a batch also multiplies the
/// documents that can wait in it: 32 keeps that within a few hundred MB.
const BATCH_DOCS: usize = 32;

/// Adds documents; nothing is visible until [`Writer::commit`].
pub struct Writer {
    inner: IndexWriter,
    fields: Fields,
    /// Operations not yet sent to the indexing threads, in order.
    pending: Vec<tantivy::indexer::UserOperation>,
}

/// A writer whose documents are all indexed and flushed, waiting for
/// [`PreparedWriter::commit`] to make them visible. Preparing is the slow
/// part of a commit, so it can run while the store commits.
pub struct PreparedWriter {
    inner: IndexWriter,
}

impl Writer {
    /// Queues one message.
    pub fn add(&mut self, doc: &IndexDoc<'_>) -> Result<(), IndexError> {
        let f = &self.fields;
        // The default document reserves 1 KB for its values; a message
        // needs its text and a few numbers and short strings.
        let mut d = TantivyDocument::with_capacity(doc.text.len() + 64);
        d.add_u64(f.row, doc.row);
        d.add_text(f.text, doc.text);
        d.add_i64(f.sent_at, doc.sent_at_ms);
        if let Some(sender) = doc.sender {
            d.add_u64(f.sender, sender);
        }
        d.add_u64(f.conversation, doc.conversation);
        d.add_u64(f.source, doc.source);
        d.add_text(f.platform, doc.platform);
        if doc.has_link {
            d.add_text(f.has, "link");
        }
        if doc.has_attachment {
            d.add_text(f.has, "attachment");
        }
        if let Some(lang) = doc.lang {
            d.add_text(f.lang, lang);
        }
        self.pending.push(tantivy::indexer::UserOperation::Add(d));
        if self.pending.len() >= BATCH_DOCS {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends the pending operations to the indexing threads.
    fn flush(&mut self) -> Result<(), IndexError> {
        if !self.pending.is_empty() {
            self.inner.run(std::mem::take(&mut self.pending))?;
            self.pending.reserve(BATCH_DOCS);
        }
        Ok(())
    }

    /// Removes the documents of messages `rows` (to add them again
    /// changed). One call for all of them: each call reads the whole `row`
    /// column of every segment at commit.
    pub fn delete_rows(&mut self, rows: &[u64]) -> Result<(), IndexError> {
        if rows.is_empty() {
            return Ok(());
        }
        self.flush()?;
        delete_rows(&self.inner, rows)
    }

    /// Removes every document (for a rebuild from the store).
    pub fn delete_all(&mut self) -> Result<(), IndexError> {
        self.flush()?;
        self.inner.delete_all_documents()?;
        Ok(())
    }

    /// Indexes and flushes everything added, without making it visible.
    pub fn prepare(mut self) -> Result<PreparedWriter, IndexError> {
        self.flush()?;
        // Preparing waits for the indexing threads to flush their segments;
        // those stay pending, uncommitted, until the commit that follows.
        drop(self.inner.prepare_commit()?);
        Ok(PreparedWriter { inner: self.inner })
    }

    /// Makes everything added visible atomically, recording `payload`.
    pub fn commit(self, payload: &str) -> Result<(), IndexError> {
        self.prepare()?.commit(payload)
    }

    /// Drops everything added since the last commit.
    pub fn rollback(mut self) -> Result<(), IndexError> {
        self.pending.clear();
        self.inner.rollback()?;
        Ok(())
    }
}

fn delete_rows(writer: &IndexWriter, rows: &[u64]) -> Result<(), IndexError> {
    writer.delete_query(Box::new(rows::RowSetQuery::new(rows.iter().copied())))?;
    Ok(())
}

impl PreparedWriter {
    /// Removes the documents of messages `rows`, in the commit that follows
    /// (see [`Writer::delete_rows`]).
    pub fn delete_rows(&mut self, rows: &[u64]) -> Result<(), IndexError> {
        if rows.is_empty() {
            return Ok(());
        }
        delete_rows(&self.inner, rows)
    }

    /// Makes everything prepared visible atomically, recording `payload`.
    pub fn commit(mut self, payload: &str) -> Result<(), IndexError> {
        // Nothing was added since `prepare`: this second preparation only
        // stamps the commit.
        let mut prepared = self.inner.prepare_commit()?;
        prepared.set_payload(payload);
        prepared.commit()?;
        // The commit is made; a merge that fails after it (a full disk)
        // leaves the segments as they were, every one committed and
        // searchable, and its partial output is collected by the next
        // writer.
        let _ = self.inner.wait_merging_threads();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index written by an older analyzer holds words the queries of
    /// this one would half-match (`Clinton’s` as one word): it is dropped, and
    /// the case, seeing no payload, rebuilds it from the store.
    #[test]
    fn an_index_of_an_older_analyzer_is_discarded_for_a_rebuild() -> Result<(), IndexError> {
        let dir = tempfile::tempdir().map_err(|e| IndexError::internal(e.to_string()))?;
        {
            let (old, fields) = schema_for("trove-3");
            let index = Index::create_in_dir(dir.path(), old)?;
            index.tokenizers().register("trove-3", analyzer::TroveTokenizer::default());
            let mut writer: IndexWriter = index.writer_with_num_threads(1, 20_000_000)?;
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.row, 1);
            doc.add_text(fields.text, "Clinton’s emails");
            writer.add_document(doc)?;
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload("7");
            prepared.commit()?;
        }
        let index = CaseIndex::open_or_create(dir.path())?;
        assert_eq!(index.committed_payload()?, None);
        assert!(index.is_empty());

        // The same index under the current name is kept as it is.
        let mut writer = index.writer(1, 20_000_000)?;
        writer.add(&IndexDoc {
            row: 1,
            text: "Clinton’s emails",
            sent_at_ms: 0,
            sender: None,
            conversation: 1,
            source: 1,
            platform: "test",
            has_link: false,
            has_attachment: false,
            lang: None,
        })?;
        writer.commit("8")?;
        drop(index);
        let index = CaseIndex::open_or_create(dir.path())?;
        assert_eq!(index.committed_payload()?.as_deref(), Some("8"));
        assert_eq!(index.len(), 1);
        Ok(())
    }
}
