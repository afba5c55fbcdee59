//! Translations: a layer over messages, pointing at the bytes of the
//! translated copy they came from.

use rusqlite::params;

use crate::write::RunWriter;
use crate::{Context, Store, StoreError};

/// A translated record to attach.
#[derive(Clone, Debug)]
pub struct NewTranslation<'a> {
    /// Language code.
    pub lang: &'a str,
    /// Translated text.
    pub text: &'a str,
    /// Source row of the translated copy.
    pub source: i64,
    /// Where the translated record sits in its copy.
    pub locator: &'a trove_model::Locator,
}

/// A message a translation may attach to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Row.
    pub row: i64,
    /// Sender row.
    pub sender: Option<i64>,
    /// UTC ms.
    pub sent_at_ms: i64,
    /// The timestamp as written.
    pub ts_original: String,
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
    /// The messages of `source` a translation into `lang` from copy
    /// `copy` may still attach to, in the order they sit in their file:
    /// those with no translation into `lang` from another copy.
    pub fn translation_candidates(
        &self,
        source: i64,
        lang: &str,
        copy: i64,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT m.id, m.sender_id, m.sent_at, m.ts_original FROM messages m
                 WHERE m.source_id = ?1 AND m.kind = 'message'
                   AND NOT EXISTS (SELECT 1 FROM translations t
                                   WHERE t.message_id = m.id AND t.lang = ?2 AND t.source_id <> ?3)
                 ORDER BY m.entry, m.offset, m.id",
            )
            .context(|| "listing the messages a translation may attach to".into())?;
        let rows = statement
            .query_map(params![source, lang, copy], |r| {
                Ok(Candidate {
                    row: r.get(0)?,
                    sender: r.get(1)?,
                    sent_at_ms: r.get(2)?,
                    ts_original: r.get(3)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| format!("listing the messages of source {source}"))?;
        Ok(rows)
    }

    /// Attaches translation `t` to message `message`. `false` when that
    /// copy's translation into that language is already there.
    pub fn attach_translation(
        &mut self,
        message: i64,
        t: &NewTranslation<'_>,
    ) -> Result<bool, StoreError> {
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
        Ok(inserted == 1)
    }

    /// Every source whose path lies under folder `folder` (as ingested),
    /// with its path relative to it.
    pub fn sources_under(&self, folder: &str) -> Result<Vec<(i64, String)>, StoreError> {
        let prefix = format!("{}/", folder.trim_end_matches(['/', '\\']));
        let mut statement = self
            .conn()
            .prepare_cached("SELECT id, path FROM sources ORDER BY id")
            .context(|| "listing sources".into())?;
        let rows = statement
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| format!("listing the sources under {folder}"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(row, path)| Some((row, path.strip_prefix(&prefix)?.to_string())))
            .collect())
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
    /// Whether the case holds any translation (most hold none: a page
    /// then skips looking for each message's).
    pub fn has_translations(&self) -> Result<bool, StoreError> {
        self.conn()
            .prepare_cached("SELECT EXISTS(SELECT 1 FROM translations)")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .context(|| "looking for translations".into())
    }

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
