//! Reading the case.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, params};

use crate::write::Extra;
use crate::{Context, Store, StoreError};

/// A message or event with everything needed to show and cite it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    /// Row id (internal; the index refers to it).
    pub row: i64,
    /// De-duplication key; its rendering is the public id.
    pub key: i64,
    /// `message` or the event kind.
    pub kind: String,
    /// Platform.
    pub platform: String,
    /// Conversation row.
    pub conversation_row: i64,
    /// Conversation platform id.
    pub conversation_native_id: String,
    /// Conversation name, when known.
    pub conversation_name: Option<String>,
    /// What the conversation's platform id is unique within (a server,
    /// workspace, network); empty when nothing (or for cases made before
    /// source scopes).
    pub conversation_scope: String,
    /// Platform id of the message.
    pub native_id: Option<String>,
    /// Sender account row.
    pub sender_row: Option<i64>,
    /// Sender platform id.
    pub sender_native_id: Option<String>,
    /// The best name for the sender: the user's, the source's, the handle,
    /// or the id.
    pub sender_name: Option<String>,
    /// UTC ms.
    pub sent_at_ms: i64,
    /// Timestamp as written in the source.
    pub ts_original: String,
    /// Time basis name.
    pub ts_basis: String,
    /// Asserted zone.
    pub ts_zone: Option<String>,
    /// Text.
    pub text: String,
    /// Replied-to platform id.
    pub reply_to: Option<String>,
    /// Targets, reactions, links, attachments, raw JSON.
    pub extra: Extra,
    /// Source row.
    pub source_row: i64,
    /// The label of the input the source came in with.
    pub source_label: String,
    /// Source path.
    pub source_path: String,
    /// Source SHA-256.
    pub source_sha256: String,
    /// Locator: container entry.
    pub entry: Option<String>,
    /// Locator: byte offset.
    pub offset: u64,
    /// Locator: byte length.
    pub length: u64,
    /// Locator: line.
    pub line: Option<u64>,
    /// Locator: JSON path.
    pub json_path: Option<String>,
}

impl StoredMessage {
    /// Where the message sits in its source.
    pub fn locator(&self) -> trove_model::Locator {
        trove_model::Locator {
            entry: self.entry.as_deref().map(std::sync::Arc::from),
            offset: self.offset,
            length: self.length,
            line: self.line,
            json_path: self.json_path.clone(),
        }
    }
}

/// An account's messages, first and last message time (UTC ms).
type Activity = (u64, Option<i64>, Option<i64>);

/// Meta keys of cached aggregates.
const STATS_CACHE: &str = "cache.stats";
const ACCOUNTS_CACHE: &str = "cache.account_activity";

const SELECT_MESSAGE: &str = "
    SELECT m.id, m.key, m.kind, c.platform, c.id, c.native_id, c.name, m.native_id,
           a.id, a.native_id, COALESCE(a.user_name, a.display_name, a.handle, a.native_id),
           m.sent_at, m.ts_original, m.ts_basis, m.ts_zone, m.text, m.reply_to, m.extra,
           s.id, s.path, s.sha256, m.entry, m.offset, m.length, m.line, m.json_path, c.scope,
           s.label
    FROM messages m
    JOIN conversations c ON c.id = m.conversation_id
    JOIN sources s ON s.id = m.source_id
    LEFT JOIN accounts a ON a.id = m.sender_id";

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    let extra: Option<String> = row.get(17)?;
    Ok(StoredMessage {
        row: row.get(0)?,
        key: row.get(1)?,
        kind: row.get(2)?,
        platform: row.get(3)?,
        conversation_row: row.get(4)?,
        conversation_native_id: row.get(5)?,
        conversation_name: row.get(6)?,
        conversation_scope: row.get(26)?,
        native_id: row.get(7)?,
        sender_row: row.get(8)?,
        sender_native_id: row.get(9)?,
        sender_name: row.get(10)?,
        sent_at_ms: row.get(11)?,
        ts_original: row.get(12)?,
        ts_basis: row.get(13)?,
        ts_zone: row.get(14)?,
        text: row.get(15)?,
        reply_to: row.get(16)?,
        extra: extra.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default(),
        source_row: row.get(18)?,
        source_label: row.get(27)?,
        source_path: row.get(19)?,
        source_sha256: row.get(20)?,
        entry: row.get(21)?,
        offset: row.get::<_, i64>(22)? as u64,
        length: row.get::<_, i64>(23)? as u64,
        line: row.get::<_, Option<i64>>(24)?.map(|l| l as u64),
        json_path: row.get(25)?,
    })
}

/// An account row (id, platform, native id, best name, user name, display
/// name, handle) as an account whose activity is
/// filled in later.
fn account_from_row(r: &Row<'_>) -> rusqlite::Result<AccountSummary> {
    Ok(AccountSummary {
        row: r.get(0)?,
        platform: r.get(1)?,
        native_id: r.get(2)?,
        name: r.get(3)?,
        user_name: r.get(4)?,
        display_name: r.get(5)?,
        handle: r.get(6)?,
        messages: 0,
        first_ms: None,
        last_ms: None,
    })
}

/// A source file of the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRow {
    /// Row id.
    pub row: i64,
    /// Path as given at ingest.
    pub path: String,
    /// SHA-256 at ingest.
    pub sha256: String,
    /// Size at ingest.
    pub size: u64,
    /// Reader name.
    pub format: String,
    /// Reader version.
    pub reader_version: u32,
    /// When it was ingested (RFC 3339).
    pub ingested_at: String,
    /// The label of the input it came in with.
    pub label: String,
    /// The reading options it was read with (canonical JSON; `''` when it
    /// was ingested before options were recorded).
    pub options: String,
    /// The path's exact bytes, when it is not UTF-8 (`path` shows the odd
    /// bytes as `\xNN`).
    pub path_bytes: Option<Vec<u8>>,
}

/// An account with its message count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSummary {
    /// Row id.
    pub row: i64,
    /// Platform.
    pub platform: String,
    /// Platform id.
    pub native_id: String,
    /// Best name (user's, source's, handle, id).
    pub name: String,
    /// Name given by the user, if any.
    pub user_name: Option<String>,
    /// Display name from the source.
    pub display_name: Option<String>,
    /// Handle from the source.
    pub handle: Option<String>,
    /// Messages sent (events not counted).
    pub messages: u64,
    /// First message, UTC ms.
    pub first_ms: Option<i64>,
    /// Last message, UTC ms.
    pub last_ms: Option<i64>,
}

/// A conversation with its counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationSummary {
    /// Row id.
    pub row: i64,
    /// Platform.
    pub platform: String,
    /// Platform id.
    pub native_id: String,
    /// Name, when known.
    pub name: Option<String>,
    /// What `native_id` is unique within; empty when nothing.
    pub scope: String,
    /// Messages.
    pub messages: u64,
}

/// Case-wide counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreStats {
    /// Messages.
    pub messages: u64,
    /// Events.
    pub events: u64,
    /// Conversations.
    pub conversations: u64,
    /// Earliest record, UTC ms.
    pub first_ms: Option<i64>,
    /// Latest record, UTC ms.
    pub last_ms: Option<i64>,
}

impl Store {
    /// The message at `row`.
    pub fn message(&self, row: i64) -> Result<Option<StoredMessage>, StoreError> {
        self.conn()
            .prepare_cached(&format!("{SELECT_MESSAGE} WHERE m.id = ?1"))
            .and_then(|mut s| s.query_row([row], message_from_row).optional())
            .context(|| format!("reading message row {row}"))
    }

    /// The message whose key is `key`.
    pub fn message_by_key(&self, key: i64) -> Result<Option<StoredMessage>, StoreError> {
        self.conn()
            .prepare_cached(&format!("{SELECT_MESSAGE} WHERE m.key = ?1"))
            .and_then(|mut s| s.query_row([key], message_from_row).optional())
            .context(|| "reading a message by id".into())
    }

    /// Messages whose platform id is `native_id`.
    pub fn messages_by_native_id(&self, native_id: &str) -> Result<Vec<StoredMessage>, StoreError> {
        self.collect(
            &format!("{SELECT_MESSAGE} WHERE m.native_id = ?1 ORDER BY m.id"),
            params![native_id],
        )
    }

    /// Messages at `rows`, in that order (rows not found are left out).
    pub fn messages(&self, rows: &[i64]) -> Result<Vec<StoredMessage>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for &row in rows {
            if let Some(message) = self.message(row)? {
                out.push(message);
            }
        }
        Ok(out)
    }

    /// Up to `n` records before and after `message` in its conversation,
    /// in time order (events included).
    pub fn context(
        &self,
        message: &StoredMessage,
        n: usize,
    ) -> Result<(Vec<StoredMessage>, Vec<StoredMessage>), StoreError> {
        let mut before = self.collect(
            &format!(
                "{SELECT_MESSAGE} WHERE m.conversation_id = ?1 AND (m.sent_at, m.id) < (?2, ?3)
                 ORDER BY m.sent_at DESC, m.id DESC LIMIT ?4"
            ),
            params![message.conversation_row, message.sent_at_ms, message.row, n as i64],
        )?;
        before.reverse();
        let after = self.collect(
            &format!(
                "{SELECT_MESSAGE} WHERE m.conversation_id = ?1 AND (m.sent_at, m.id) > (?2, ?3)
                 ORDER BY m.sent_at, m.id LIMIT ?4"
            ),
            params![message.conversation_row, message.sent_at_ms, message.row, n as i64],
        )?;
        Ok((before, after))
    }

    /// The records from `first` to `last` (inclusive) of one conversation
    /// in its order, at most `limit`.
    pub fn between(
        &self,
        first: &StoredMessage,
        last: &StoredMessage,
        limit: usize,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        self.collect(
            &format!(
                "{SELECT_MESSAGE} WHERE m.conversation_id = ?1 AND (m.sent_at, m.id) >= (?2, ?3)
                 AND (m.sent_at, m.id) <= (?4, ?5) ORDER BY m.sent_at, m.id LIMIT ?6"
            ),
            params![
                first.conversation_row,
                first.sent_at_ms,
                first.row,
                last.sent_at_ms,
                last.row,
                limit as i64
            ],
        )
    }

    fn collect(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let mut statement =
            self.conn().prepare_cached(sql).context(|| "preparing a read".into())?;
        let rows = statement
            .query_map(params, message_from_row)
            .context(|| "reading messages".into())?
            .collect::<Result<Vec<_>, _>>()
            .context(|| "reading messages".into())?;
        Ok(rows)
    }

    /// Case-wide counts.
    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        let conversations: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM conversations", [], |r| r.get(0))
            .context(|| "counting conversations".into())?;
        let generation = self.generation()?;
        if let Some(cached) = self.cached(STATS_CACHE, generation)?
            && let [messages, events, first, last] = cached.split(' ').collect::<Vec<_>>()[..]
        {
            return Ok(StoreStats {
                messages: messages.parse().unwrap_or(0),
                events: events.parse().unwrap_or(0),
                conversations: conversations as u64,
                first_ms: first.parse().ok(),
                last_ms: last.parse().ok(),
            });
        }
        let stats = self
            .conn()
            .query_row(
                "SELECT
                    (SELECT COUNT(*) FROM messages WHERE kind = 'message'),
                    (SELECT COUNT(*) FROM messages WHERE kind <> 'message'),
                    (SELECT MIN(sent_at) FROM messages),
                    (SELECT MAX(sent_at) FROM messages)",
                [],
                |r| {
                    Ok(StoreStats {
                        messages: r.get::<_, i64>(0)? as u64,
                        events: r.get::<_, i64>(1)? as u64,
                        conversations: conversations as u64,
                        first_ms: r.get(2)?,
                        last_ms: r.get(3)?,
                    })
                },
            )
            .context(|| "counting the case".into())?;
        let show = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
        self.cache(
            STATS_CACHE,
            generation,
            &format!(
                "{} {} {} {}",
                stats.messages,
                stats.events,
                show(stats.first_ms),
                show(stats.last_ms)
            ),
        );
        Ok(stats)
    }

    /// A value cached for `generation` (aggregates that scan every
    /// message are computed once per committed run).
    fn cached(&self, key: &str, generation: u64) -> Result<Option<String>, StoreError> {
        Ok(self.meta(key)?.and_then(|value| {
            let (at, rest) = value.split_once('\n')?;
            (at.parse::<u64>().ok()? == generation).then(|| rest.to_string())
        }))
    }

    /// Caches `value` for `generation`; best effort (a read-only case
    /// computes again next time).
    fn cache(&self, key: &str, generation: u64, value: &str) {
        let _ = self.set_meta(key, &format!("{generation}\n{value}"));
    }

    /// Messages, first and last message time per account row, cached per
    /// generation.
    fn account_activity(&self) -> Result<HashMap<i64, Activity>, StoreError> {
        let generation = self.generation()?;
        let parse = |text: &str| -> HashMap<i64, Activity> {
            text.lines()
                .filter_map(|line| {
                    let mut parts = line.split(' ');
                    let row = parts.next()?.parse().ok()?;
                    let count = parts.next()?.parse().ok()?;
                    let first = parts.next()?.parse().ok();
                    let last = parts.next()?.parse().ok();
                    Some((row, (count, first, last)))
                })
                .collect()
        };
        if let Some(cached) = self.cached(ACCOUNTS_CACHE, generation)? {
            return Ok(parse(&cached));
        }
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT sender_id, COUNT(*), MIN(sent_at), MAX(sent_at) FROM messages
                 WHERE kind = 'message' AND sender_id IS NOT NULL GROUP BY sender_id",
            )
            .context(|| "counting messages per account".into())?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| "counting messages per account".into())?;
        let text: String = rows
            .iter()
            .map(|(row, n, first, last)| format!("{row} {n} {first} {last}\n"))
            .collect();
        self.cache(ACCOUNTS_CACHE, generation, &text);
        Ok(parse(&text))
    }

    /// Every source file.
    pub fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id, path, sha256, size, format, reader_version, ingested_at, label, options,
                        path_bytes
                 FROM sources ORDER BY id",
            )
            .context(|| "listing sources".into())?;
        let rows = statement
            .query_map([], |r| {
                Ok(SourceRow {
                    row: r.get(0)?,
                    path: r.get(1)?,
                    sha256: r.get(2)?,
                    size: r.get::<_, i64>(3)? as u64,
                    format: r.get(4)?,
                    reader_version: r.get(5)?,
                    ingested_at: r.get(6)?,
                    label: r.get(7)?,
                    options: r.get(8)?,
                    path_bytes: r.get(9)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| "listing sources".into())?;
        Ok(rows)
    }

    /// Every account with its message count, most active first.
    pub fn accounts(&self) -> Result<Vec<AccountSummary>, StoreError> {
        let activity = self.account_activity()?;
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id, platform, native_id, COALESCE(user_name, display_name, handle, native_id),
                        user_name, display_name, handle
                 FROM accounts",
            )
            .context(|| "listing accounts".into())?;
        let mut rows = statement
            .query_map([], account_from_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| "listing accounts".into())?;
        for account in &mut rows {
            if let Some(&(messages, first, last)) = activity.get(&account.row) {
                account.messages = messages;
                account.first_ms = first;
                account.last_ms = last;
            }
        }
        rows.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.row.cmp(&b.row)));
        Ok(rows)
    }

    /// The texts of the latest `limit` messages sent by any of `senders`.
    pub fn recent_texts(&self, senders: &[i64], limit: usize) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT text FROM messages WHERE sender_id = ?1 AND kind = 'message'
                 ORDER BY sent_at DESC LIMIT ?2",
            )
            .context(|| "reading texts".into())?;
        let mut out = Vec::new();
        for &sender in senders {
            let texts = statement
                .query_map(params![sender, limit as i64], |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .context(|| format!("reading texts of account row {sender}"))?;
            out.extend(texts);
        }
        Ok(out)
    }

    /// Accounts by row, without counting their messages (cheap; for
    /// labelling rows the index counted). Rows not found are left out.
    pub fn account_rows(&self, rows: &[i64]) -> Result<Vec<AccountSummary>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id, platform, native_id, COALESCE(user_name, display_name, handle, native_id),
                        user_name, display_name, handle
                 FROM accounts WHERE id = ?1",
            )
            .context(|| "reading accounts".into())?;
        let mut out = Vec::with_capacity(rows.len());
        for &row in rows {
            let found = statement
                .query_row([row], account_from_row)
                .optional()
                .context(|| format!("reading account row {row}"))?;
            out.extend(found);
        }
        Ok(out)
    }

    /// Every conversation with its message count.
    pub fn conversations(&self) -> Result<Vec<ConversationSummary>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT c.id, c.platform, c.native_id, c.name,
                        (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.kind = 'message'),
                        c.scope
                 FROM conversations c ORDER BY c.id",
            )
            .context(|| "listing conversations".into())?;
        let rows = statement
            .query_map([], |r| {
                Ok(ConversationSummary {
                    row: r.get(0)?,
                    platform: r.get(1)?,
                    native_id: r.get(2)?,
                    name: r.get(3)?,
                    scope: r.get(5)?,
                    messages: r.get::<_, i64>(4)? as u64,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| "listing conversations".into())?;
        Ok(rows)
    }

    /// Records of conversation `conversation` sent in `[start_ms, end_ms)`,
    /// in time order (events included), at most `limit`.
    pub fn conversation_span(
        &self,
        conversation: i64,
        start_ms: i64,
        end_ms: i64,
        limit: usize,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        self.collect(
            &format!(
                "{SELECT_MESSAGE} WHERE m.conversation_id = ?1 AND m.sent_at >= ?2 AND m.sent_at < ?3
                 ORDER BY m.sent_at, m.id LIMIT ?4"
            ),
            params![conversation, start_ms, end_ms, limit as i64],
        )
    }

    /// How many records `conversation` holds from `start_ms` (inclusive)
    /// to `end_ms` (exclusive).
    pub fn conversation_span_count(
        &self,
        conversation: i64,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<u64, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT COUNT(*) FROM messages
                 WHERE conversation_id = ?1 AND sent_at >= ?2 AND sent_at < ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![conversation, start_ms, end_ms], |r| r.get::<_, i64>(0))
            })
            .map(|n| n.max(0) as u64)
            .context(|| format!("counting the records of conversation {conversation}"))
    }

    /// The time of the last record of `conversation` before `before_ms`,
    /// and of the first at or after `after_ms`: where the previous and the
    /// next stretch of the conversation are.
    pub fn conversation_neighbours(
        &self,
        conversation: i64,
        before_ms: i64,
        after_ms: i64,
    ) -> Result<(Option<i64>, Option<i64>), StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT (SELECT MAX(sent_at) FROM messages WHERE conversation_id = ?1 AND sent_at < ?2),
                        (SELECT MIN(sent_at) FROM messages WHERE conversation_id = ?1 AND sent_at >= ?3)",
            )
            .and_then(|mut s| {
                s.query_row(params![conversation, before_ms, after_ms], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
            })
            .context(|| format!("finding the neighbours of a span of conversation {conversation}"))
    }

    /// One conversation (its message count left 0: the index counts).
    pub fn conversation_row(&self, row: i64) -> Result<Option<ConversationSummary>, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT id, platform, native_id, name, scope FROM conversations WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([row], |r| {
                    Ok(ConversationSummary {
                        row: r.get(0)?,
                        platform: r.get(1)?,
                        native_id: r.get(2)?,
                        name: r.get(3)?,
                        scope: r.get(4)?,
                        messages: 0,
                    })
                })
                .optional()
            })
            .context(|| format!("reading conversation row {row}"))
    }

    /// Accounts matching a platform id, a row (`#12`: a bare number is a
    /// platform id, which on many platforms is numeric), handle (with or
    /// without `@`), source display name or user-given name, or all
    /// accounts of a person of that name; case-insensitive.
    pub fn find_accounts(&self, value: &str) -> Result<Vec<i64>, StoreError> {
        let handle = value.strip_prefix('@').unwrap_or(value);
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id FROM accounts
                 WHERE native_id = ?1 OR id = ?3
                    OR handle = ?2 COLLATE NOCASE
                    OR display_name = ?1 COLLATE NOCASE
                    OR user_name = ?1 COLLATE NOCASE
                 ORDER BY id",
            )
            .context(|| "finding accounts".into())?;
        let mut rows = statement
            .query_map(params![value, handle, row_reference(value)], |r| r.get(0))
            .and_then(|rows| rows.collect::<Result<Vec<i64>, _>>())
            .context(|| format!("finding accounts matching {value}"))?;
        // A person's name stands for all of their accounts.
        rows.extend(self.accounts_of_person(value)?);
        rows.sort_unstable();
        rows.dedup();
        // Else the bare name of an address, when only one address has it.
        if rows.is_empty()
            && let [(row, _)] = self.accounts_by_local_part(handle)?.as_slice()
        {
            rows.push(*row);
        }
        Ok(rows)
    }

    /// Accounts whose address has `name` as its local part (`boss` of a
    /// Jabber id or e-mail `boss@x.onion`, or of a Matrix id
    /// `@boss:example.org`), case-insensitive: `(row, address)`.
    pub fn accounts_by_local_part(&self, name: &str) -> Result<Vec<(i64, String)>, StoreError> {
        if name.is_empty() || name.contains(['@', ':']) {
            return Ok(Vec::new());
        }
        let escaped = name.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id, native_id FROM accounts
                 WHERE native_id LIKE ?1 ESCAPE '\\' OR native_id LIKE ?2 ESCAPE '\\'
                 ORDER BY id",
            )
            .context(|| "finding addresses by their local part".into())?;
        let rows = statement
            .query_map(params![format!("{escaped}@%"), format!("@{escaped}:%")], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<(i64, String)>, _>>())
            .context(|| format!("finding addresses of {name}"))?;
        Ok(rows)
    }

    /// Source rows whose input label is `label` (case-insensitive).
    pub fn find_sources(&self, label: &str) -> Result<Vec<i64>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT id FROM sources WHERE label = ?1 COLLATE NOCASE ORDER BY id")
            .context(|| "finding sources".into())?;
        let rows = statement
            .query_map([label], |r| r.get(0))
            .and_then(|rows| rows.collect::<Result<Vec<i64>, _>>())
            .context(|| format!("finding sources labelled {label}"))?;
        Ok(rows)
    }

    /// The labels of source rows `rows`, by row.
    pub fn source_labels(&self, rows: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached("SELECT label FROM sources WHERE id = ?1")
            .context(|| "reading source labels".into())?;
        let mut out = Vec::with_capacity(rows.len());
        for &row in rows {
            let label: Option<String> = statement
                .query_row([row], |r| r.get(0))
                .optional()
                .context(|| format!("reading the label of source {row}"))?;
            if let Some(label) = label {
                out.push((row, label));
            }
        }
        Ok(out)
    }

    /// Conversations matching a platform id, a row (`#12`) or name;
    /// case-insensitive.
    pub fn find_conversations(&self, value: &str) -> Result<Vec<i64>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id FROM conversations
                 WHERE native_id = ?1 OR id = ?2 OR name = ?1 COLLATE NOCASE
                 ORDER BY id",
            )
            .context(|| "finding conversations".into())?;
        let rows = statement
            .query_map(params![value, row_reference(value)], |r| r.get(0))
            .and_then(|rows| rows.collect::<Result<Vec<i64>, _>>())
            .context(|| format!("finding conversations matching {value}"))?;
        Ok(rows)
    }

    /// Calls `f` for every message and event in row order (for re-indexing
    /// and verification), streaming.
    pub fn for_each_message(
        &self,
        mut f: impl FnMut(&StoredMessage) -> Result<(), String>,
    ) -> Result<Result<(), String>, StoreError> {
        let mut statement = self
            .conn()
            .prepare(&format!("{SELECT_MESSAGE} ORDER BY m.id"))
            .context(|| "reading all messages".into())?;
        let mut rows = statement.query([]).context(|| "reading all messages".into())?;
        while let Some(row) = rows.next().context(|| "reading all messages".into())? {
            let message = message_from_row(row).context(|| "reading all messages".into())?;
            if let Err(stop) = f(&message) {
                return Ok(Err(stop));
            }
        }
        Ok(Ok(()))
    }

    /// Calls `f` with `(key, platform, conversation row, native id, sent_at
    /// ms)` for every message, conversation by conversation in time order:
    /// the order consistency checks walk.
    pub fn for_each_in_conversation_order(
        &self,
        mut f: impl FnMut(i64, &str, i64, Option<&str>, i64),
    ) -> Result<(), StoreError> {
        let mut statement = self
            .conn()
            .prepare(
                "SELECT m.key, c.platform, m.conversation_id, m.native_id, m.sent_at
                 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                 WHERE m.kind = 'message'
                 ORDER BY m.conversation_id, m.sent_at, m.id",
            )
            .context(|| "walking conversations".into())?;
        let mut rows = statement.query([]).context(|| "walking conversations".into())?;
        while let Some(row) = rows.next().context(|| "walking conversations".into())? {
            let key: i64 = row.get(0).context(|| "walking conversations".into())?;
            let platform: String = row.get(1).context(|| "walking conversations".into())?;
            let conversation: i64 = row.get(2).context(|| "walking conversations".into())?;
            let native_id: Option<String> =
                row.get(3).context(|| "walking conversations".into())?;
            let sent_at: i64 = row.get(4).context(|| "walking conversations".into())?;
            f(key, &platform, conversation, native_id.as_deref(), sent_at);
        }
        Ok(())
    }

    /// Platform ids used by more than one message, with their keys.
    pub fn duplicate_native_ids(&self) -> Result<Vec<(String, String, Vec<i64>)>, StoreError> {
        let mut statement = self
            .conn()
            .prepare(
                "SELECT c.platform, m.native_id, group_concat(m.key)
                 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                 WHERE m.native_id IS NOT NULL AND m.kind = 'message'
                 GROUP BY c.platform, m.native_id HAVING COUNT(*) > 1",
            )
            .context(|| "looking for duplicate ids".into())?;
        let rows = statement
            .query_map([], |r| {
                let keys: String = r.get(2)?;
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    keys.split(',').filter_map(|k| k.parse().ok()).collect(),
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| "looking for duplicate ids".into())?;
        Ok(rows)
    }
}

/// The row a reference names as `#12`. Rows are never matched by a bare
/// number: platform ids are often numbers too (Twitter, Telegram, Discord),
/// and `42` naming both an account whose id is 42 and the 42nd row was a
/// silent mix-up.
pub(crate) fn row_reference(value: &str) -> Option<i64> {
    let digits = value.strip_prefix('#')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}
