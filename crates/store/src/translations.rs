//! Translations: a layer over messages, pointing at the bytes of the
//! translated copy they came from.

use rusqlite::{OptionalExtension, params};

use crate::write::RunWriter;
use crate::{Context, Store, StoreError};

/// A translated record to attach.
#[derive(Clone, Debug)]
pub struct NewTranslation<'a> {
    /// Source row of the original messages.
    pub original_source: i64,
    /// Conversation row of the translated record. Not part of the pairing:
    /// a copy in another file may name its conversation differently.
    pub conversation: i64,
    /// Sender row of the translated record.
    pub sender: Option<i64>,
    /// UTC ms of the translated record.
    pub sent_at_ms: i64,
    /// The timestamp exactly as written (pairing uses it, never a
    /// re-parsed translated date).
    pub ts_original: &'a str,
    /// Language code.
    pub lang: &'a str,
    /// Translated text.
    pub text: &'a str,
    /// Source row of the translated copy.
    pub source: i64,
    /// Where the translated record sits in its copy.
    pub locator: &'a trove_model::Locator,
}

/// A translation of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslationRow {
    /// Language code.
    pub lang: String,
    /// Text.
    pub text: String,
    /// Path of the translated copy.
    pub source_path: String,
}

impl RunWriter<'_> {
    /// Attaches a translation to the original message with the same sender
    /// and timestamp text in `original_source` that
    /// has no translation into this language yet. Returns the original's
    /// row, or `None` when no original matches; a translation already
    /// present (same message, language and copy) counts as found.
    pub fn translation(
        &mut self,
        t: &NewTranslation<'_>,
    ) -> Result<Option<(i64, bool)>, StoreError> {
        let original: Option<i64> = self
            .conn()
            .prepare_cached(
                "SELECT m.id FROM messages m
                 WHERE ?1 IS NOT NULL AND m.sent_at = ?2 AND m.sender_id IS ?3
                   AND m.ts_original = ?4 AND m.source_id = ?5 AND m.kind = 'message'
                   AND NOT EXISTS (SELECT 1 FROM translations t
                                   WHERE t.message_id = m.id AND t.lang = ?6 AND t.source_id <> ?7)
                   AND NOT EXISTS (SELECT 1 FROM translations t
                                   WHERE t.message_id = m.id AND t.lang = ?6 AND t.source_id = ?7
                                     AND t.offset <> ?8)
                 ORDER BY m.id LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        t.conversation,
                        t.sent_at_ms,
                        t.sender,
                        t.ts_original,
                        t.original_source,
                        t.lang,
                        t.source,
                        t.locator.offset as i64
                    ],
                    |r| r.get(0),
                )
                .optional()
            })
            .context(|| format!("pairing a translation at {}", t.ts_original))?;
        let Some(message) = original else { return Ok(None) };
        let inserted = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO translations(message_id, lang, text, source_id, entry, offset, length, line, json_path)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    message,
                    t.lang,
                    t.text,
                    t.source,
                    t.locator.entry,
                    t.locator.offset as i64,
                    t.locator.length as i64,
                    t.locator.line.map(|l| l as i64),
                    t.locator.json_path
                ])
            })
            .context(|| "storing a translation".into())?;
        Ok(Some((message, inserted == 1)))
    }

    /// The source row whose path or SHA-256 (or a unique prefix of it) is
    /// `reference`.
    pub fn find_source(&self, reference: &str) -> Result<Vec<(i64, String)>, StoreError> {
        find_source(self.conn(), reference)
    }

    /// What the index needs for message `row`: its text followed by every
    /// translation, and its time, sender, conversation, platform and extras.
    pub fn index_entry(&self, row: i64) -> Result<IndexEntry, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT m.text || COALESCE((SELECT char(10) || group_concat(t.text, char(10))
                                            FROM translations t WHERE t.message_id = m.id), ''),
                        m.sent_at, m.sender_id, m.conversation_id, c.platform, m.extra,
                        m.source_id
                 FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([row], |r| {
                    let extra: Option<String> = r.get(5)?;
                    Ok(IndexEntry {
                        row,
                        text: r.get(0)?,
                        sent_at_ms: r.get(1)?,
                        sender: r.get(2)?,
                        conversation: r.get(3)?,
                        platform: r.get(4)?,
                        source: r.get(6)?,
                        extra: extra
                            .and_then(|json| serde_json::from_str(&json).ok())
                            .unwrap_or_default(),
                    })
                })
            })
            .context(|| format!("reading message row {row} for the index"))
    }
}

/// What the index needs of one message.
#[derive(Clone, Debug)]
pub struct IndexEntry {
    /// Row.
    pub row: i64,
    /// Text and translations, newline-separated.
    pub text: String,
    /// UTC ms.
    pub sent_at_ms: i64,
    /// Sender row.
    pub sender: Option<i64>,
    /// Conversation row.
    pub conversation: i64,
    /// Platform.
    pub platform: String,
    /// Source row.
    pub source: i64,
    /// Links, attachments, ...
    pub extra: crate::Extra,
}

fn find_source(
    conn: &rusqlite::Connection,
    reference: &str,
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT id, path FROM sources
             WHERE path = ?1 OR sha256 = ?1 OR (length(?1) >= 8 AND sha256 LIKE ?1 || '%')
             ORDER BY id",
        )
        .context(|| "finding a source".into())?;
    let rows = statement
        .query_map([reference], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .context(|| format!("finding source {reference}"))?;
    Ok(rows)
}

impl Store {
    /// Translations of a message.
    pub fn translations(&self, message: i64) -> Result<Vec<TranslationRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT t.lang, t.text, s.path FROM translations t JOIN sources s ON s.id = t.source_id
                 WHERE t.message_id = ?1 ORDER BY t.id",
            )
            .context(|| "reading translations".into())?;
        let rows = statement
            .query_map([message], |r| {
                Ok(TranslationRow { lang: r.get(0)?, text: r.get(1)?, source_path: r.get(2)? })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| format!("reading translations of row {message}"))?;
        Ok(rows)
    }

    /// Every message that has translations, with its translated texts
    /// joined by newlines (for re-indexing).
    pub fn translated_texts(&self) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        let mut statement = self
            .conn()
            .prepare("SELECT message_id, group_concat(text, char(10)) FROM translations GROUP BY message_id")
            .context(|| "reading translations".into())?;
        let rows = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<Result<std::collections::HashMap<_, _>, _>>())
            .context(|| "reading translations".into())?;
        Ok(rows)
    }
}
