//! Writing one ingest run.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use trove_model::{
    AccountRef, Attachment, ConversationRef, Edit, Locator, Reaction, Timestamp, UrlRef,
};

use crate::schema::KEY_INDEX;
use crate::{Context, Store, StoreError};

/// A source file as the run found it.
#[derive(Clone, Debug)]
pub struct NewSource<'a> {
    /// The path as given on the command line (or the member of a folder).
    pub path: &'a str,
    /// SHA-256 of the file, hex.
    pub sha256: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// Reader name.
    pub format: &'a str,
    /// Reader version.
    pub reader_version: u32,
    /// The label of the input it came in with.
    pub label: &'a str,
    /// The reading options that decide what records come out of it
    /// (canonical, made by the ingest crate); `''` for unknown.
    pub options: &'a str,
    /// The path's exact bytes, when it is not UTF-8 (`path` shows it).
    pub path_bytes: Option<&'a [u8]>,
}

/// A source recorded by an earlier run, as a re-ingest of the same bytes
/// finds it ([`RunWriter::earlier_readings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarlierReading {
    /// Source row.
    pub row: i64,
    /// The path it was ingested from.
    pub path: String,
    /// When (RFC 3339).
    pub ingested_at: String,
    /// Its reading options; `''` when it was ingested before options were
    /// recorded (unknown).
    pub options: String,
}

/// What a source holds ([`RunWriter::source_holds`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceHolds {
    /// Messages stored from it.
    pub messages: u64,
    /// Events stored from it.
    pub events: u64,
    /// Translations read from it (a translated copy).
    pub translations: u64,
}

/// What replacing earlier readings removed (`--replace`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Replaced {
    /// Source rows removed (earlier readings of the files read again).
    pub sources: u64,
    /// Their messages and events, removed (the run's own counts are what
    /// the new reading added).
    pub messages: u64,
    /// Events removed.
    pub events: u64,
    /// Translations removed: read from a replaced source, or attached to a
    /// removed message.
    pub translations: u64,
}

impl Replaced {
    /// Messages and events removed.
    pub fn records(&self) -> u64 {
        self.messages + self.events
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: &Replaced) {
        self.sources += other.sources;
        self.messages += other.messages;
        self.events += other.events;
        self.translations += other.translations;
    }
}

/// One source's records removed by [`RunWriter::replace_source`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplacedSource {
    /// The counts.
    pub counts: Replaced,
    /// Rows of the removed messages, for the index to drop.
    pub rows: Vec<i64>,
    /// Messages kept that lost a translation (the replaced source was a
    /// translated copy): their index documents carry the old text.
    pub untranslated: Vec<i64>,
}

/// Annotations that pointed at a message a `--replace` removed and find no
/// message under its key after the run: the new reading gave that message
/// another key (a zone-less time read in another zone, say).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Orphaned {
    /// Live notes whose message, or either end of whose range, is gone.
    pub notes: u64,
    /// Tags.
    pub tags: u64,
    /// Review statuses.
    pub statuses: u64,
    /// Collection items whose message, or either end of whose range, is
    /// gone.
    pub collection_items: u64,
}

impl Orphaned {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.notes + self.tags + self.statuses + self.collection_items
    }
}

/// The parts of a record kept as JSON beside the columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extra {
    /// Accounts an event is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<AccountRef>,
    /// Reactions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<UrlRef>,
    /// Attachments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The record's raw JSON, when the reader kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// When the message was last edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Timestamp>,
    /// Earlier versions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<Edit>,
    /// Thread id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// Forwarded from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
    /// Marked deleted by the source.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl Extra {
    /// True when nothing needs storing.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
            && self.reactions.is_empty()
            && self.urls.is_empty()
            && self.attachments.is_empty()
            && self.raw.is_none()
            && self.edited_at.is_none()
            && self.edits.is_empty()
            && self.thread.is_none()
            && self.forwarded_from.is_none()
            && !self.deleted
    }
}

/// One message or event ready for the database.
#[derive(Clone, Debug)]
pub struct NewMessage<'a> {
    /// The de-duplication key (also the public id, rendered).
    pub key: i64,
    /// `message`, or the event kind.
    pub kind: &'a str,
    /// Conversation row.
    pub conversation: i64,
    /// Platform id.
    pub native_id: Option<&'a str>,
    /// Sender account row.
    pub sender: Option<i64>,
    /// UTC ms.
    pub sent_at_ms: i64,
    /// Timestamp as written.
    pub ts_original: &'a str,
    /// Time basis name.
    pub ts_basis: &'a str,
    /// Asserted zone.
    pub ts_zone: Option<&'a str>,
    /// Text.
    pub text: &'a str,
    /// Replied-to platform id.
    pub reply_to: Option<&'a str>,
    /// JSON extras.
    pub extra: &'a Extra,
    /// Source row.
    pub source: i64,
    /// Where in the source file the record sits.
    pub locator: &'a Locator,
}

/// Counts of a finished run. The `runs` row keeps the three totals; the
/// breakdowns are the run's report only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Messages added.
    pub messages_added: u64,
    /// Events added.
    pub events_added: u64,
    /// Records not added because a copy was already in the case or read
    /// earlier in the run (the sum of `duplicate_reasons`).
    pub duplicates: u64,
    /// `duplicates` by reason (`already in the case`, `same id within this
    /// run`, ...).
    pub duplicate_reasons: BTreeMap<String, u64>,
    /// Records kept with something dropped, folded or assumed, by kind
    /// (`field_dropped`, `lines_folded`), summed by their counts.
    pub notices: BTreeMap<String, u64>,
    /// Earlier readings removed by `--replace`.
    pub replaced: Replaced,
    /// Annotations left pointing at no message by `--replace` (counted at
    /// commit).
    pub orphaned: Orphaned,
}

/// Duplicate reason of a key written twice in one run.
pub const DUPLICATE_IN_RUN: &str = "same id within this run";
/// Duplicate reason of a key the case held before the run.
pub const DUPLICATE_IN_CASE: &str = "already in the case";
/// Duplicate reason of a record the case holds under the key it had before
/// source scopes (a case made by an older trove, ingesting the same export).
pub const DUPLICATE_BEFORE_SCOPES: &str = "already in the case from before source scopes";

impl RunSummary {
    /// Counts `n` duplicates for `reason`.
    pub fn add_duplicates(&mut self, reason: &str, n: u64) {
        if n == 0 {
            return;
        }
        self.duplicates += n;
        *self.duplicate_reasons.entry(reason.to_string()).or_insert(0) += n;
    }
}

struct CachedAccount {
    id: i64,
    display_name: Option<String>,
    handle: Option<String>,
}

/// Conversation rows of one platform by scope, then native id, with whether
/// the row has a name yet.
type ConversationsInScope = Map<String, Map<String, (i64, bool)>>;

/// An ingest run: one transaction. Dropped without [`RunWriter::commit`],
/// it rolls back and the case is as before.
pub struct RunWriter<'s> {
    conn: &'s Connection,
    run_id: i64,
    /// Conversation rows by platform, scope (`""` for none) and native id;
    /// `true` once the row has a name (so ordinary records need not try to
    /// name it again).
    conversations: Map<String, ConversationsInScope>,
    /// Whether the case holds conversations from before source scopes
    /// (scope `''`), and which (platform, native id) have one, as asked.
    /// Only a scoped record whose twin exists needs its old key checked.
    pre_scope: Option<Map<String, Map<String, bool>>>,
    /// Account rows by platform, then native id, with the labels last
    /// written (so unchanged labels cost no statement).
    accounts: Map<String, Map<String, CachedAccount>>,
    committed: bool,
    /// The case was empty: secondary indexes were dropped and are built at
    /// commit (a rollback restores them with everything else). Without
    /// `messages_key` the run cannot refuse a repeated key as it comes:
    /// commit finds and removes repeats instead (see [`Committed`]).
    bulk: bool,
    /// The run writes through a rollback journal, not the WAL (see
    /// [`use_rollback_journal`]); the WAL comes back when it ends.
    rollback_journal: bool,
    /// The message insert, prepared once: looking a cached statement up by
    /// its text cost more than binding its parameters.
    insert: Option<rusqlite::Statement<'s>>,
    /// The highest message row before the run: rows above it are the run's
    /// (lowered when a replace removes the highest rows, whose ids SQLite
    /// then gives again).
    last_row_before: i64,
    /// A replace removed records: their keys are in `temp.replaced_keys`,
    /// for commit to count the annotations left without a message.
    replaced_any: bool,
}

/// The run's lookup tables, hashed with foldhash: they are consulted for
/// every record, and SipHash cost more than the lookups.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

const INSERT_MESSAGE: &str = "INSERT OR IGNORE INTO messages(key, kind, conversation_id, native_id,
    sender_id, sent_at, ts_original, ts_basis, ts_zone, text, reply_to, extra, source_id, entry,
    offset, length, line, json_path)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

impl Store {
    /// Starts a run. Holds the database's write lock until commit or drop.
    pub fn begin_run(&mut self, command: &str, now: &str) -> Result<RunWriter<'_>, StoreError> {
        let conn = self.conn();
        // A bulk run's index builds sort in temporary files, each run no
        // bigger than the cache (see `INDEX_BUILD_CACHE_KIB`); kept in
        // memory, SQLite sorts the whole table's entries at once, slower
        // and with memory growing with the case. The setting cannot change
        // inside a transaction, so it is chosen before, from a look at the
        // case that the transaction then confirms; it holds no text (see
        // README, "Everything trove writes"). `restore_settings` undoes it.
        let likely_empty: bool = conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM messages)", [], |r| r.get(0))
            .context(|| "checking whether the case is empty".into())?;
        let mut rollback_journal = false;
        if likely_empty {
            conn.execute_batch("PRAGMA temp_store = FILE")
                .context(|| "sorting in files for a bulk run".into())?;
            rollback_journal = use_rollback_journal(conn)?;
        }
        let mut writer = RunWriter {
            conn,
            run_id: 0,
            conversations: Map::default(),
            pre_scope: None,
            accounts: Map::default(),
            committed: false,
            bulk: false,
            rollback_journal,
            insert: None,
            last_row_before: 0,
            replaced_any: false,
        };
        conn.execute_batch("BEGIN IMMEDIATE")
            .context(|| "starting the ingest transaction".into())?;
        let empty: bool = conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM messages)", [], |r| r.get(0))
            .context(|| "checking whether the case is empty".into())?;
        writer.last_row_before = conn
            .query_row("SELECT coalesce(max(id), 0) FROM messages", [], |r| r.get(0))
            .context(|| "finding the case's last message row".into())?;
        if empty {
            for (name, _) in crate::schema::MESSAGE_INDEXES {
                conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))
                    .context(|| format!("deferring index {name}"))?;
            }
            crate::set_cache_kib(conn, crate::BULK_CACHE_KIB)
                .context(|| "shrinking the cache for a bulk run".into())?;
            writer.bulk = true;
        }
        conn.execute(
            "INSERT INTO runs(started_at, command) VALUES (?1, ?2)",
            params![now, command],
        )
        .context(|| "recording the run".into())?;
        writer.run_id = conn.last_insert_rowid();
        let pre_scope: bool = conn
            .query_row("SELECT EXISTS (SELECT 1 FROM conversations WHERE scope = '')", [], |r| {
                r.get(0)
            })
            .context(|| "looking for conversations from before source scopes".into())?;
        writer.pre_scope = pre_scope.then(Map::default);
        Ok(writer)
    }
}

impl<'s> RunWriter<'s> {
    pub(crate) fn conn(&self) -> &Connection {
        self.conn
    }

    /// The run's id.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Why [`RunWriter::message`] refused a key: [`DUPLICATE_IN_RUN`] when
    /// the row holding it was written by this run, else already in the case.
    pub fn duplicate_reason(&self, key: i64) -> Result<&'static str, StoreError> {
        let row: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM messages WHERE key = ?1")
            .and_then(|mut s| s.query_row(params![key], |r| r.get(0)).optional())
            .context(|| format!("looking up the copy of key {key}"))?;
        Ok(match row {
            Some(row) if row > self.last_row_before => DUPLICATE_IN_RUN,
            _ => DUPLICATE_IN_CASE,
        })
    }

    /// Records a source (or finds it when this exact file was ingested
    /// before from the same path, read with the same options or with
    /// options unknown) and returns its row.
    pub fn source(&mut self, source: &NewSource<'_>, now: &str) -> Result<i64, StoreError> {
        let existing: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT id FROM sources WHERE path = ?1 AND sha256 = ?2 AND options IN (?3, '')
                 ORDER BY options <> ?3, id LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![source.path, source.sha256, source.options], |r| r.get(0))
                    .optional()
            })
            .context(|| format!("looking up source {}", source.path))?;
        if let Some(id) = existing {
            return Ok(id);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO sources(path, sha256, size, format, reader_version, ingested_at, run_id,
                                     label, options, path_bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    source.path,
                    source.sha256,
                    source.size as i64,
                    source.format,
                    source.reader_version,
                    now,
                    self.run_id,
                    source.label,
                    source.options,
                    source.path_bytes
                ])
            })
            .context(|| format!("recording source {}", source.path))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The sources of these bytes (by SHA-256, wherever they were) that
    /// earlier runs recorded, oldest first.
    pub fn earlier_readings(&self, sha256: &str) -> Result<Vec<EarlierReading>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, path, ingested_at, options FROM sources
                 WHERE sha256 = ?1 AND run_id <> ?2 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map(params![sha256, self.run_id], |r| {
                    Ok(EarlierReading {
                        row: r.get(0)?,
                        path: r.get(1)?,
                        ingested_at: r.get(2)?,
                        options: r.get(3)?,
                    })
                })?
                .collect()
            })
            .context(|| format!("looking up earlier readings of sha256 {sha256}"))
    }

    /// How many messages, events and translations a source holds (a scan
    /// of the messages: asked only when a re-ingest is refused).
    pub fn source_holds(&self, source: i64) -> Result<SourceHolds, StoreError> {
        let (messages, events): (i64, i64) = self
            .conn
            .query_row(
                "SELECT count(*) FILTER (WHERE kind = 'message'),
                        count(*) FILTER (WHERE kind <> 'message')
                 FROM messages WHERE source_id = ?1",
                params![source],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .context(|| format!("counting the records of source {source}"))?;
        let translations: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM translations WHERE source_id = ?1",
                params![source],
                |r| r.get(0),
            )
            .context(|| format!("counting the translations of source {source}"))?;
        Ok(SourceHolds {
            messages: messages as u64,
            events: events as u64,
            translations: translations as u64,
        })
    }

    /// Removes a source an earlier run recorded, with its messages and
    /// events, the translations read from it and those attached to its
    /// messages (`--replace`: the run then stores the new reading). The
    /// removed keys are kept for commit, which counts the annotations that
    /// no longer find a message (see [`Orphaned`]). Annotations themselves
    /// are never touched: they point at keys, and a key the new reading
    /// gives again finds its message again.
    pub fn replace_source(&mut self, source: i64) -> Result<ReplacedSource, StoreError> {
        let context = || format!("replacing the records of source {source}");
        self.conn
            .execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS replaced_keys(key INTEGER PRIMARY KEY);
                 CREATE TEMP TABLE IF NOT EXISTS replaced_rows(id INTEGER PRIMARY KEY);
                 DELETE FROM temp.replaced_rows;",
            )
            .context(context)?;
        self.replaced_any = true;
        self.conn
            .execute(
                "INSERT INTO temp.replaced_rows(id) SELECT id FROM messages WHERE source_id = ?1",
                params![source],
            )
            .context(context)?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO temp.replaced_keys(key)
                 SELECT key FROM messages WHERE id IN (SELECT id FROM temp.replaced_rows)",
                [],
            )
            .context(context)?;
        let untranslated = self
            .conn
            .prepare(
                "SELECT DISTINCT message_id FROM translations
                 WHERE source_id = ?1 AND message_id NOT IN (SELECT id FROM temp.replaced_rows)
                 ORDER BY message_id",
            )
            .and_then(|mut s| s.query_map(params![source], |r| r.get(0))?.collect())
            .context(context)?;
        let mut replaced = ReplacedSource { untranslated, ..ReplacedSource::default() };
        replaced.counts.translations = self
            .conn
            .execute(
                "DELETE FROM translations
                 WHERE source_id = ?1 OR message_id IN (SELECT id FROM temp.replaced_rows)",
                params![source],
            )
            .context(context)? as u64;
        {
            let mut statement = self
                .conn
                .prepare(
                    "DELETE FROM messages WHERE id IN (SELECT id FROM temp.replaced_rows)
                     RETURNING id, kind = 'message'",
                )
                .context(context)?;
            let mut rows = statement.query([]).context(context)?;
            while let Some(row) = rows.next().context(context)? {
                let id: i64 = row.get(0).context(context)?;
                let message: bool = row.get(1).context(context)?;
                if message {
                    replaced.counts.messages += 1;
                    replaced.rows.push(id);
                } else {
                    replaced.counts.events += 1;
                }
            }
        }
        replaced.rows.sort_unstable();
        replaced.counts.sources = self
            .conn
            .execute("DELETE FROM sources WHERE id = ?1", params![source])
            .context(context)? as u64;
        // Rows above the highest one left are given again to new rows.
        let highest: i64 = self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM messages", [], |r| r.get(0))
            .context(context)?;
        self.last_row_before = self.last_row_before.min(highest);
        Ok(replaced)
    }

    /// The annotations that pointed at a key a replace removed and find no
    /// message under it now.
    fn orphaned(&self) -> Result<Orphaned, StoreError> {
        let count = |sql: &str, what: &str| -> Result<u64, StoreError> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .context(|| format!("counting {what} left without a message"))
        };
        // A key the run removed and no message holds now.
        const GONE: &str = "IN (SELECT key FROM temp.replaced_keys
                                WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.key = replaced_keys.key))";
        let orphaned = Orphaned {
            notes: count(
                &format!(
                    "SELECT count(*) FROM notes
                     WHERE deleted_at IS NULL AND (first_key {GONE} OR last_key {GONE})"
                ),
                "notes",
            )?,
            tags: count(&format!("SELECT count(*) FROM tags WHERE message_key {GONE}"), "tags")?,
            statuses: count(
                &format!("SELECT count(*) FROM reviews WHERE message_key {GONE}"),
                "review statuses",
            )?,
            collection_items: count(
                &format!(
                    "SELECT count(*) FROM collection_items WHERE first_key {GONE} OR last_key {GONE}"
                ),
                "collection items",
            )?,
        };
        self.conn
            .execute_batch("DROP TABLE temp.replaced_keys; DROP TABLE temp.replaced_rows;")
            .context(|| "dropping the replaced keys".into())?;
        Ok(orphaned)
    }

    /// The row of a conversation, created on first sight. A name stated on
    /// an ordinary record fills in a missing name; a rename (`renamed_at`
    /// set) replaces the name unless a later rename already did.
    pub fn conversation(
        &mut self,
        platform: &str,
        conversation: &ConversationRef,
        renamed_at: Option<i64>,
    ) -> Result<i64, StoreError> {
        let scope = conversation.scope.as_deref().unwrap_or("");
        let cached = self
            .conversations
            .get(platform)
            .and_then(|by_scope| by_scope.get(scope))
            .and_then(|by_id| by_id.get(&*conversation.native_id))
            .copied();
        let (id, named) = match cached {
            Some(found) => found,
            None => {
                let (id, named): (i64, bool) = self
                    .conn
                    .prepare_cached(
                        "INSERT INTO conversations(platform, scope, native_id) VALUES (?1, ?2, ?3)
                         ON CONFLICT(platform, scope, native_id)
                         DO UPDATE SET platform = excluded.platform
                         RETURNING id, name IS NOT NULL",
                    )
                    .and_then(|mut s| {
                        s.query_row(params![platform, scope, conversation.native_id], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })
                    })
                    .context(|| format!("recording conversation {}", label(conversation)))?;
                self.conversations
                    .entry(platform.to_string())
                    .or_default()
                    .entry(scope.to_string())
                    .or_default()
                    .insert(conversation.native_id.to_string(), (id, named));
                (id, named)
            }
        };
        let Some(name) = &conversation.name else { return Ok(id) };
        let result = match renamed_at {
            Some(at) => self
                .conn
                .prepare_cached(
                    "UPDATE conversations SET name = ?2, named_at = ?3
                     WHERE id = ?1 AND (named_at IS NULL OR named_at <= ?3)",
                )
                .and_then(|mut s| s.execute(params![id, name, at])),
            None if named => return Ok(id),
            None => self
                .conn
                .prepare_cached("UPDATE conversations SET name = ?2 WHERE id = ?1 AND name IS NULL")
                .and_then(|mut s| s.execute(params![id, name])),
        };
        result.context(|| format!("naming conversation {}", label(conversation)))?;
        if let Some(entry) = self
            .conversations
            .get_mut(platform)
            .and_then(|by_scope| by_scope.get_mut(scope))
            .and_then(|by_id| by_id.get_mut(&*conversation.native_id))
        {
            entry.1 = true;
        }
        Ok(id)
    }

    /// Whether a scoped conversation has a twin from before source scopes:
    /// a row of the same platform and native id with the empty scope, made
    /// by an older trove. Its records were keyed without the scope, so a
    /// re-ingest must look their old keys up too. Asked once per
    /// conversation and run, and only when the case has such rows at all.
    pub fn has_pre_scope_twin(
        &mut self,
        platform: &str,
        conversation: &ConversationRef,
    ) -> Result<bool, StoreError> {
        if conversation.scope.as_deref().unwrap_or("").is_empty() {
            return Ok(false);
        }
        let Some(known) = self.pre_scope.as_mut() else { return Ok(false) };
        if let Some(&twin) =
            known.get(platform).and_then(|by_id| by_id.get(&*conversation.native_id))
        {
            return Ok(twin);
        }
        let twin: bool = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM conversations
                 WHERE platform = ?1 AND scope = '' AND native_id = ?2)",
            )
            .and_then(|mut s| s.query_row(params![platform, conversation.native_id], |r| r.get(0)))
            .context(|| format!("looking for an unscoped twin of {}", label(conversation)))?;
        known
            .entry(platform.to_string())
            .or_default()
            .insert(conversation.native_id.to_string(), twin);
        Ok(twin)
    }

    /// Whether a message with this key is in the case.
    pub fn key_stored(&self, key: i64) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM messages WHERE key = ?1)")
            .and_then(|mut s| s.query_row(params![key], |r| r.get(0)))
            .context(|| format!("looking up key {key}"))
    }

    /// The row of an account, created on first sight; labels seen later fill
    /// in missing ones (the newest label wins).
    pub fn account(&mut self, platform: &str, account: &AccountRef) -> Result<i64, StoreError> {
        if let Some(cached) =
            self.accounts.get(platform).and_then(|by_id| by_id.get(&*account.native_id))
        {
            let unchanged = (account.display_name.is_none()
                || account.display_name.as_deref() == cached.display_name.as_deref())
                && (account.handle.is_none()
                    || account.handle.as_deref() == cached.handle.as_deref());
            if unchanged {
                return Ok(cached.id);
            }
        }
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO accounts(platform, native_id, display_name, handle) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(platform, native_id) DO UPDATE SET
                    display_name = COALESCE(excluded.display_name, display_name),
                    handle = COALESCE(excluded.handle, handle)
                 RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![platform, account.native_id, account.display_name, account.handle],
                    |r| r.get(0),
                )
            })
            .context(|| format!("recording account {}", account.native_id))?;
        let by_id = self.accounts.entry(platform.to_string()).or_default();
        let previous = by_id.remove(&*account.native_id);
        by_id.insert(
            account.native_id.to_string(),
            CachedAccount {
                id,
                display_name: account
                    .display_name
                    .as_deref()
                    .map(str::to_string)
                    .or_else(|| previous.as_ref().and_then(|p| p.display_name.clone())),
                handle: account
                    .handle
                    .as_deref()
                    .map(str::to_string)
                    .or_else(|| previous.and_then(|p| p.handle)),
            },
        );
        Ok(id)
    }

    /// Inserts a message or event; `None` when its key is already in the
    /// case (a duplicate). In a bulk run a key repeated within the run is
    /// only found at commit, which removes the later copy.
    pub fn message(&mut self, m: &NewMessage<'_>) -> Result<Option<i64>, StoreError> {
        let extra = if m.extra.is_empty() {
            None
        } else {
            Some(serde_json::to_string(m.extra).unwrap_or_default())
        };
        let insert = match &mut self.insert {
            Some(insert) => insert,
            None => self.insert.insert(
                self.conn
                    .prepare(INSERT_MESSAGE)
                    .context(|| "preparing the message insert".into())?,
            ),
        };
        let changed = insert
            .execute(params![
                m.key,
                m.kind,
                m.conversation,
                m.native_id,
                m.sender,
                m.sent_at_ms,
                m.ts_original,
                m.ts_basis,
                m.ts_zone,
                m.text,
                m.reply_to,
                extra,
                m.source,
                m.locator.entry,
                m.locator.offset as i64,
                m.locator.length as i64,
                m.locator.line.map(|l| l as i64),
                m.locator.json_path,
            ])
            .context(|| format!("storing message {}", m.native_id.unwrap_or("(no id)")))?;
        Ok((changed == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Commits the run ([`RunWriter::prepare`], then
    /// [`PreparedRun::commit`]).
    pub fn commit(self, summary: &mut RunSummary, now: &str) -> Result<Committed, StoreError> {
        let (prepared, committed) = self.prepare(summary, now)?;
        prepared.commit()?;
        Ok(committed)
    }

    /// Does all of a commit's work but the last step: builds what a bulk
    /// run deferred, records the run and the case's next generation. In a
    /// bulk run, records whose key repeats an earlier record of the run are
    /// removed first and `summary` counts them as duplicates;
    /// [`Committed::dropped`] lists their rows, which the caller's index
    /// must drop too. Nothing is visible, or kept, until
    /// [`PreparedRun::commit`]: dropping the [`PreparedRun`] rolls the run
    /// back. The caller checks that the rest of the case (the index) is
    /// ready in between, so that a run commits whole or not at all.
    pub fn prepare(
        self,
        summary: &mut RunSummary,
        now: &str,
    ) -> Result<(PreparedRun<'s>, Committed), StoreError> {
        let mut dropped = Vec::new();
        if self.bulk {
            // The tantivy commit running beside this one is done before
            // the first build is: a second sorting thread finds a free core.
            crate::set_cache_kib(self.conn, crate::INDEX_BUILD_CACHE_KIB)
                .and_then(|()| self.conn.execute_batch("PRAGMA threads = 2"))
                .context(|| "preparing the index builds".into())?;
            dropped = self.build_key_index(summary)?;
            for (name, sql) in crate::schema::MESSAGE_INDEXES {
                if *name != KEY_INDEX.0 {
                    self.conn.execute_batch(sql).context(|| format!("building index {name}"))?;
                }
            }
        }
        if self.replaced_any {
            summary.orphaned = self.orphaned()?;
        }
        self.conn
            .execute(
                "UPDATE runs SET finished_at = ?2, messages_added = ?3, events_added = ?4,
                                 duplicates = ?5, records_replaced = ?6
                 WHERE id = ?1",
                params![
                    self.run_id,
                    now,
                    summary.messages_added as i64,
                    summary.events_added as i64,
                    summary.duplicates as i64,
                    summary.replaced.records() as i64
                ],
            )
            .context(|| "finishing the run".into())?;
        let generation: i64 = self
            .conn
            .query_row(
                "INSERT INTO meta(key, value) VALUES ('generation', '1')
                 ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                 RETURNING CAST(value AS INTEGER)",
                [],
                |r| r.get(0),
            )
            .context(|| "bumping the case generation".into())?;
        Ok((PreparedRun { run: self }, Committed { generation: generation as u64, dropped }))
    }

    /// Gives the connection its usual cache, in-memory temporary storage
    /// and write-ahead log back after a run (a bulk run, or one that looked
    /// like it).
    fn restore_settings(&self) -> Result<(), StoreError> {
        crate::set_cache_kib(self.conn, crate::CACHE_KIB)
            .and_then(|()| {
                self.conn.execute_batch("PRAGMA temp_store = MEMORY; PRAGMA threads = 0")
            })
            .context(|| "restoring the connection's settings after a run".into())?;
        if self.rollback_journal {
            crate::use_wal(self.conn)
                .context(|| "returning to the write-ahead log after a bulk run".into())?;
        }
        Ok(())
    }

    /// Builds the unique `messages_key` a bulk run deferred. Building it
    /// fails only if the run wrote a key twice (overlapping exports read
    /// together); then the later copies go, counted as duplicates, and it
    /// is built again. Returns the rows removed.
    fn build_key_index(&self, summary: &mut RunSummary) -> Result<Vec<i64>, StoreError> {
        let (name, sql) = KEY_INDEX;
        match self.conn.execute_batch(sql) {
            Ok(()) => return Ok(Vec::new()),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {}
            Err(source) => {
                return Err(StoreError { context: format!("building index {name}"), source });
            }
        }
        let mut removed = Vec::new();
        {
            let mut statement = self
                .conn
                .prepare(
                    "DELETE FROM messages WHERE id IN (
                         SELECT id FROM (
                             SELECT id, key = lag(key) OVER (ORDER BY key, id) AS repeated
                             FROM messages)
                         WHERE repeated)
                     RETURNING id, kind",
                )
                .context(|| "finding keys the run wrote twice".into())?;
            let mut rows = statement.query([]).context(|| "removing repeated keys".into())?;
            while let Some(row) = rows.next().context(|| "removing repeated keys".into())? {
                let id: i64 = row.get(0).context(|| "reading a repeated row".into())?;
                let kind: String = row.get(1).context(|| "reading a repeated row".into())?;
                if kind == "message" {
                    summary.messages_added = summary.messages_added.saturating_sub(1);
                } else {
                    summary.events_added = summary.events_added.saturating_sub(1);
                }
                summary.add_duplicates(DUPLICATE_IN_RUN, 1);
                removed.push(id);
            }
        }
        self.conn.execute_batch(sql).context(|| format!("building index {name}"))?;
        Ok(removed)
    }
}

/// Switches a case about to take a bulk run from the write-ahead log to a
/// rollback journal, if no other connection has it open (else it stays on
/// the WAL, which is as safe, only slower). Returns whether it switched.
///
/// Through the WAL every page of a bulk run is written twice, to the log
/// and again at the checkpoint that ends the commit. A rollback journal
/// keeps only the pages the run changes that existed before it, which in
/// an empty case are a handful: the new pages are written once, into the
/// database, and a rollback (or recovery after a crash) truncates them
/// away. `synchronous = FULL` for the run, because with a rollback journal
/// NORMAL may leave a database damaged by a power cut.
fn use_rollback_journal(conn: &Connection) -> Result<bool, StoreError> {
    let mode: String = match conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)) {
        Ok(mode) => mode,
        // Another connection holds the case.
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
            return Ok(false);
        }
        Err(source) => {
            return Err(StoreError {
                context: "switching to a rollback journal for a bulk run".into(),
                source,
            });
        }
    };
    if !mode.eq_ignore_ascii_case("delete") {
        return Ok(false);
    }
    conn.execute_batch("PRAGMA synchronous = FULL")
        .context(|| "syncing fully for a bulk run".into())?;
    Ok(true)
}

/// A run whose work is done and which waits for its `COMMIT`
/// ([`RunWriter::prepare`]). Dropped, it rolls back.
pub struct PreparedRun<'s> {
    run: RunWriter<'s>,
}

impl PreparedRun<'_> {
    /// Makes the run durable and visible. When the `COMMIT` fails (a full
    /// disk, an I/O error) the run is rolled back: the case is as it was.
    pub fn commit(mut self) -> Result<(), StoreError> {
        self.run.conn.execute_batch("COMMIT").context(|| "committing the ingest".into())?;
        self.run.committed = true;
        self.run.restore_settings()
    }
}

/// What [`RunWriter::commit`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Committed {
    /// The case's new generation.
    pub generation: u64,
    /// Rows written by the run and removed at commit as duplicates of an
    /// earlier record of the same run.
    pub dropped: Vec<i64>,
}

impl Drop for RunWriter<'_> {
    fn drop(&mut self) {
        if !self.committed {
            // Nothing of an unfinished run may remain; an error here means
            // the transaction is already gone.
            let _ = self.conn.execute_batch("ROLLBACK");
            let _ = self.restore_settings();
        }
    }
}

/// A conversation as errors name it: `native id` or `native id · scope`.
fn label(conversation: &ConversationRef) -> String {
    match conversation.scope.as_deref().filter(|s| !s.is_empty()) {
        Some(scope) => format!("{} · {scope}", conversation.native_id),
        None => conversation.native_id.to_string(),
    }
}
