//! Notes, tags and review status: the user's layer over messages.
//!
//! Everything points at messages by key. Every change is written to
//! `annotation_log` in the same transaction as the change itself, so the
//! log is the audit trail of who did what, and a deleted note keeps its row
//! (with `deleted_at`/`deleted_by`).

use rusqlite::{OptionalExtension, Transaction, params};

use crate::{Context, Store, StoreError};

/// A note on a message or on a range of consecutive messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteRow {
    /// Row id (the note's id).
    pub id: i64,
    /// Key of the first (or only) message.
    pub first_key: i64,
    /// Key of the last message of the range (equal to `first_key` for one).
    pub last_key: i64,
    /// Markdown text.
    pub body: String,
    /// Who wrote it.
    pub author: String,
    /// When it was written (RFC 3339).
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
    /// When and by whom it was deleted.
    pub deleted: Option<(String, String)>,
}

/// A tag on a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagRow {
    /// The message's key.
    pub message_key: i64,
    /// The tag (lowercase).
    pub tag: String,
    /// Who tagged.
    pub author: String,
    /// When.
    pub created_at: String,
}

/// A review status of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    /// The message's key.
    pub message_key: i64,
    /// `unread`, `relevant`, `not-relevant` or `to-verify`.
    pub status: String,
    /// Who set it.
    pub author: String,
    /// When.
    pub updated_at: String,
}

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub author: String,
    /// `note.add`, `note.edit`, `note.delete`, `tag.add`, `tag.remove`,
    /// `status.set`, `collection.add`, …
    pub action: String,
    /// The message concerned, if one.
    pub message_key: Option<i64>,
    /// What changed (for edits and deletions, the earlier text).
    pub detail: String,
}

/// Who acts and when, for every write.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The author's name.
    pub author: &'a str,
    /// The time, RFC 3339.
    pub now: &'a str,
}

pub(crate) fn log(
    tx: &Transaction<'_>,
    actor: Actor<'_>,
    action: &str,
    message_key: Option<i64>,
    detail: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO annotation_log(at, author, action, message_key, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![actor.now, actor.author, action, message_key, detail],
    )
    .context(|| format!("logging {action}"))?;
    Ok(())
}

const SELECT_NOTE: &str = "SELECT id, first_key, last_key, body, author, created_at, updated_at, \
                           deleted_at, deleted_by FROM notes";

fn note_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<NoteRow> {
    let deleted_at: Option<String> = row.get(7)?;
    let deleted_by: Option<String> = row.get(8)?;
    Ok(NoteRow {
        id: row.get(0)?,
        first_key: row.get(1)?,
        last_key: row.get(2)?,
        body: row.get(3)?,
        author: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
        deleted: deleted_at.map(|at| (at, deleted_by.unwrap_or_default())),
    })
}

/// The rows of the messages from `first` to `last` (keys) in their
/// conversation's order, as a SQL fragment over `n.first_key`/`n.last_key`.
const RANGE_ROWS: &str = "JOIN messages a ON a.key = n.first_key
     JOIN messages b ON b.key = n.last_key
     JOIN messages m ON m.conversation_id = a.conversation_id
          AND (m.sent_at, m.id) >= (a.sent_at, a.id)
          AND (m.sent_at, m.id) <= (b.sent_at, b.id)";

impl Store {
    /// Adds a note on the messages `first..=last` (keys). Returns its id.
    pub fn add_note(
        &mut self,
        first: i64,
        last: i64,
        body: &str,
        actor: Actor<'_>,
    ) -> Result<i64, StoreError> {
        let tx = self.conn_mut().transaction().context(|| "adding a note".into())?;
        tx.execute(
            "INSERT INTO notes(first_key, last_key, body, author, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![first, last, body, actor.author, actor.now],
        )
        .context(|| "adding a note".into())?;
        let id = tx.last_insert_rowid();
        log(&tx, actor, "note.add", Some(first), &format!("note {id}: {body}"))?;
        tx.commit().context(|| "committing a note".into())?;
        Ok(id)
    }

    /// The note `id`, deleted or not.
    pub fn note(&self, id: i64) -> Result<Option<NoteRow>, StoreError> {
        self.conn()
            .query_row(&format!("{SELECT_NOTE} WHERE id = ?1"), [id], note_from_row)
            .optional()
            .context(|| format!("reading note {id}"))
    }

    /// Replaces the text of note `id`; the earlier text goes to the log.
    pub fn edit_note(&mut self, id: i64, body: &str, actor: Actor<'_>) -> Result<(), StoreError> {
        let Some(before) = self.note(id)? else { return Ok(()) };
        let tx = self.conn_mut().transaction().context(|| format!("editing note {id}"))?;
        tx.execute(
            "UPDATE notes SET body = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, body, actor.now],
        )
        .context(|| format!("editing note {id}"))?;
        log(
            &tx,
            actor,
            "note.edit",
            Some(before.first_key),
            &format!("note {id} was: {}", before.body),
        )?;
        tx.commit().context(|| format!("committing note {id}"))
    }

    /// Marks note `id` deleted (the row and its text stay, with who and
    /// when). Returns false when there is no such live note.
    pub fn delete_note(&mut self, id: i64, actor: Actor<'_>) -> Result<bool, StoreError> {
        let Some(before) = self.note(id)?.filter(|n| n.deleted.is_none()) else {
            return Ok(false);
        };
        let tx = self.conn_mut().transaction().context(|| format!("deleting note {id}"))?;
        tx.execute(
            "UPDATE notes SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1",
            params![id, actor.now, actor.author],
        )
        .context(|| format!("deleting note {id}"))?;
        log(
            &tx,
            actor,
            "note.delete",
            Some(before.first_key),
            &format!("note {id} was: {}", before.body),
        )?;
        tx.commit().context(|| format!("committing the deletion of note {id}"))?;
        Ok(true)
    }

    /// Every note, oldest first; deleted ones only when asked.
    pub fn notes(&self, with_deleted: bool) -> Result<Vec<NoteRow>, StoreError> {
        let filter = if with_deleted { "" } else { " WHERE deleted_at IS NULL" };
        let mut statement = self
            .conn()
            .prepare(&format!("{SELECT_NOTE}{filter} ORDER BY id"))
            .context(|| "listing notes".into())?;
        let rows = statement.query_map([], note_from_row).context(|| "listing notes".into())?;
        rows.collect::<Result<_, _>>().context(|| "listing notes".into())
    }

    /// The live notes whose range holds the message at `row`.
    pub fn notes_on(&self, row: i64) -> Result<Vec<NoteRow>, StoreError> {
        let sql = format!(
            "SELECT n.id, n.first_key, n.last_key, n.body, n.author, n.created_at, n.updated_at,
                    n.deleted_at, n.deleted_by
             FROM notes n {RANGE_ROWS}
             WHERE m.id = ?1 AND n.deleted_at IS NULL ORDER BY n.id"
        );
        let mut statement =
            self.conn().prepare_cached(&sql).context(|| format!("notes on message {row}"))?;
        let rows = statement.query_map([row], note_from_row).context(|| "reading notes".into())?;
        rows.collect::<Result<_, _>>().context(|| "reading notes".into())
    }

    /// Rows of every message a live note covers.
    pub fn noted_rows(&self) -> Result<Vec<i64>, StoreError> {
        let sql =
            format!("SELECT DISTINCT m.id FROM notes n {RANGE_ROWS} WHERE n.deleted_at IS NULL");
        self.rows(&sql, [], "finding noted messages")
    }

    /// Tags message `key` with `tag` (lowercased, trimmed). Returns false
    /// when it already had it.
    pub fn add_tag(&mut self, key: i64, tag: &str, actor: Actor<'_>) -> Result<bool, StoreError> {
        let tag = normal_tag(tag);
        let tx = self.conn_mut().transaction().context(|| "tagging".into())?;
        let added = tx
            .execute(
                "INSERT OR IGNORE INTO tags(message_key, tag, author, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![key, tag, actor.author, actor.now],
            )
            .context(|| format!("adding tag {tag}"))?
            > 0;
        if added {
            log(&tx, actor, "tag.add", Some(key), &tag)?;
        }
        tx.commit().context(|| "committing a tag".into())?;
        Ok(added)
    }

    /// Removes `tag` from message `key`. Returns false when it did not have it.
    pub fn remove_tag(
        &mut self,
        key: i64,
        tag: &str,
        actor: Actor<'_>,
    ) -> Result<bool, StoreError> {
        let tag = normal_tag(tag);
        let tx = self.conn_mut().transaction().context(|| "untagging".into())?;
        let removed = tx
            .execute("DELETE FROM tags WHERE message_key = ?1 AND tag = ?2", params![key, tag])
            .context(|| format!("removing tag {tag}"))?
            > 0;
        if removed {
            log(&tx, actor, "tag.remove", Some(key), &tag)?;
        }
        tx.commit().context(|| "committing a tag removal".into())?;
        Ok(removed)
    }

    /// The tags of message `key`, or of every message when `None`.
    pub fn tags(&self, key: Option<i64>) -> Result<Vec<TagRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT message_key, tag, author, created_at FROM tags
                 WHERE ?1 IS NULL OR message_key = ?1 ORDER BY tag, message_key",
            )
            .context(|| "listing tags".into())?;
        let rows = statement
            .query_map([key], |r| {
                Ok(TagRow {
                    message_key: r.get(0)?,
                    tag: r.get(1)?,
                    author: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })
            .context(|| "listing tags".into())?;
        rows.collect::<Result<_, _>>().context(|| "listing tags".into())
    }

    /// Rows of the messages tagged `tag`.
    pub fn tagged_rows(&self, tag: &str) -> Result<Vec<i64>, StoreError> {
        self.rows(
            "SELECT m.id FROM tags t JOIN messages m ON m.key = t.message_key WHERE t.tag = ?1",
            [normal_tag(tag)],
            "finding tagged messages",
        )
    }

    /// Sets the review status of message `key`.
    pub fn set_status(
        &mut self,
        key: i64,
        status: &str,
        actor: Actor<'_>,
    ) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction().context(|| "setting a status".into())?;
        let before: Option<String> = tx
            .query_row("SELECT status FROM reviews WHERE message_key = ?1", [key], |r| r.get(0))
            .optional()
            .context(|| "reading a status".into())?;
        tx.execute(
            "INSERT INTO reviews(message_key, status, author, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(message_key) DO UPDATE SET status = excluded.status,
                 author = excluded.author, updated_at = excluded.updated_at",
            params![key, status, actor.author, actor.now],
        )
        .context(|| format!("setting status {status}"))?;
        let detail = match before {
            Some(before) => format!("{before} -> {status}"),
            None => format!("unread -> {status}"),
        };
        log(&tx, actor, "status.set", Some(key), &detail)?;
        tx.commit().context(|| "committing a status".into())
    }

    /// The review status of message `key`, if one was ever set.
    pub fn status(&self, key: i64) -> Result<Option<ReviewRow>, StoreError> {
        self.conn()
            .query_row(
                "SELECT message_key, status, author, updated_at FROM reviews WHERE message_key = ?1",
                [key],
                |r| {
                    Ok(ReviewRow {
                        message_key: r.get(0)?,
                        status: r.get(1)?,
                        author: r.get(2)?,
                        updated_at: r.get(3)?,
                    })
                },
            )
            .optional()
            .context(|| "reading a status".into())
    }

    /// Rows of the messages whose status is `status`.
    pub fn status_rows(&self, status: &str) -> Result<Vec<i64>, StoreError> {
        self.rows(
            "SELECT m.id FROM reviews r JOIN messages m ON m.key = r.message_key WHERE r.status = ?1",
            [status],
            "finding messages by status",
        )
    }

    /// Whether any message has a note, tag or status (lets readers skip
    /// per-message lookups in a case nobody annotated).
    pub fn has_annotations(&self) -> Result<bool, StoreError> {
        self.conn()
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM notes WHERE deleted_at IS NULL)
                     OR EXISTS(SELECT 1 FROM tags) OR EXISTS(SELECT 1 FROM reviews)",
                [],
                |r| r.get(0),
            )
            .context(|| "checking for annotations".into())
    }

    /// The id of the audit trail's newest line (0 when empty): it grows
    /// with every note, tag, status, collection, rule, name and person
    /// change.
    pub fn last_change(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row("SELECT COALESCE(MAX(rowid), 0) FROM annotation_log", [], |r| r.get(0))
            .context(|| "reading the audit trail".into())
    }

    /// The audit trail, newest first.
    pub fn annotation_log(&self, limit: usize) -> Result<Vec<LogRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare(
                "SELECT at, author, action, message_key, detail FROM annotation_log
                 ORDER BY id DESC LIMIT ?1",
            )
            .context(|| "reading the annotation log".into())?;
        let rows = statement
            .query_map([limit as i64], |r| {
                Ok(LogRow {
                    at: r.get(0)?,
                    author: r.get(1)?,
                    action: r.get(2)?,
                    message_key: r.get(3)?,
                    detail: r.get(4)?,
                })
            })
            .context(|| "reading the annotation log".into())?;
        rows.collect::<Result<_, _>>().context(|| "reading the annotation log".into())
    }

    /// Which of `keys` carry a tag, a review status or a live note (one
    /// query per 64 keys, instead of three per message).
    pub fn annotated_keys(
        &self,
        keys: &[i64],
    ) -> Result<std::collections::HashSet<i64>, StoreError> {
        // One statement, prepared once: 64 numbered parameters, the unused
        // ones NULL (which `IN` never matches).
        const BATCH: usize = 64;
        let list = (1..=BATCH).map(|n| format!("?{n}")).collect::<Vec<_>>().join(",");
        let sql = format!(
            "SELECT message_key FROM tags WHERE message_key IN ({list})
             UNION SELECT message_key FROM reviews WHERE message_key IN ({list})
             UNION SELECT m.key FROM notes n {RANGE_ROWS}
                   WHERE m.key IN ({list}) AND n.deleted_at IS NULL"
        );
        let mut found = std::collections::HashSet::new();
        let mut statement =
            self.conn().prepare_cached(&sql).context(|| "finding annotations".into())?;
        for chunk in keys.chunks(BATCH) {
            let mut values: Vec<Option<i64>> = chunk.iter().copied().map(Some).collect();
            values.resize(BATCH, None);
            let rows = statement
                .query_map(rusqlite::params_from_iter(values), |r| r.get(0))
                .context(|| "finding annotations".into())?;
            for row in rows {
                found.insert(row.context(|| "finding annotations".into())?);
            }
        }
        Ok(found)
    }

    fn rows(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        what: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let mut statement = self.conn().prepare_cached(sql).context(|| what.to_string())?;
        let rows = statement.query_map(params, |r| r.get(0)).context(|| what.to_string())?;
        rows.collect::<Result<_, _>>().context(|| what.to_string())
    }
}

/// Tags compare lowercased and trimmed.
pub fn normal_tag(tag: &str) -> String {
    tag.trim().to_lowercase()
}
