//! Notes, tags, review status and collections: the user's layer over the
//! evidence. Messages never change; these point at them by stable id.

use serde::Serialize;
use trove_store::{Actor, ItemRow, NoteRow, StoredMessage};

use crate::{AppError, Case, render_id};

/// The review statuses a message can have; `unread` until set.
pub const REVIEW_STATUSES: &[&str] = &["unread", "relevant", "not-relevant", "to-verify"];

/// The canonical spelling of a review status (`not_relevant`,
/// `Not Relevant` and `not-relevant` are one), or a usage error listing them.
pub fn review_status(value: &str) -> Result<&'static str, String> {
    let wanted: String = value
        .trim()
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() })
        .collect();
    REVIEW_STATUSES.iter().copied().find(|s| *s == wanted).ok_or_else(|| {
        format!("`{value}` is not a review status (use one of: {})", REVIEW_STATUSES.join(", "))
    })
}

/// A note as shown and serialised.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NoteOutput {
    /// The note's id.
    pub id: i64,
    /// The first (or only) message.
    pub message_id: String,
    /// The last message of a range (equal to `message_id` for one message).
    pub last_message_id: String,
    /// Markdown.
    pub body: String,
    /// Who wrote it.
    pub author: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// When it was deleted, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// Who deleted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
}

impl From<NoteRow> for NoteOutput {
    fn from(row: NoteRow) -> Self {
        let (deleted_at, deleted_by) =
            row.deleted.map_or((None, None), |(a, b)| (Some(a), Some(b)));
        NoteOutput {
            id: row.id,
            message_id: render_id(row.first_key),
            last_message_id: render_id(row.last_key),
            body: row.body,
            author: row.author,
            created_at: row.created_at,
            updated_at: row.updated_at,
            deleted_at,
            deleted_by,
        }
    }
}

/// A message's annotations.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AnnotationsOutput {
    /// Live notes covering the message.
    pub notes: Vec<NoteOutput>,
    /// Tags.
    pub tags: Vec<String>,
    /// Review status (`unread` when never set).
    pub status: String,
}

/// A tag and where it is used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TagOutput {
    /// The tag.
    pub tag: String,
    /// The messages carrying it.
    pub message_ids: Vec<String>,
}

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogOutput {
    /// RFC 3339.
    pub at: String,
    /// Who.
    pub author: String,
    /// What (`note.add`, `tag.remove`, …).
    pub action: String,
    /// The message concerned.
    pub message_id: Option<String>,
    /// Details.
    pub detail: String,
}

/// An excerpt of a collection, resolved to its messages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExcerptOutput {
    /// 1-based position.
    pub position: i64,
    /// First message id.
    pub message_id: String,
    /// Last message id.
    pub last_message_id: String,
    /// The editorial note (Markdown).
    pub note: Option<String>,
    /// The messages of the range, in conversation order (empty when the
    /// messages are not in this case any more).
    pub messages: Vec<crate::MessageOutput>,
}

/// A collection with its excerpts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CollectionOutput {
    /// Name.
    pub name: String,
    /// Excerpts in order.
    pub excerpts: Vec<ExcerptOutput>,
}

/// A collection's name and size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CollectionSummary {
    /// Name.
    pub name: String,
    /// Number of excerpts.
    pub excerpts: i64,
    /// Who created it.
    pub author: String,
    /// When.
    pub created_at: String,
}

/// The longest range a note or an excerpt may span: a note on a whole
/// conversation belongs on the conversation, not on ten thousand messages.
const MAX_RANGE: usize = 500;

impl Case {
    /// Resolves `ID` or `FIRST..LAST` to the keys of its two ends, checking
    /// that a range lies in one conversation (ends put in order).
    pub fn resolve_target(&self, target: &str) -> Result<(i64, i64), AppError> {
        let Some((a, b)) = target.split_once("..") else {
            let message = self.find_message(target.trim())?;
            return Ok((message.key, message.key));
        };
        let (a, b) = (self.find_message(a.trim())?, self.find_message(b.trim())?);
        if a.conversation_row != b.conversation_row {
            return Err(AppError::Usage(format!(
                "a range must lie in one conversation: {} is in {:?}, {} in {:?}",
                render_id(a.key),
                a.conversation_name.as_deref().unwrap_or(&a.conversation_native_id),
                render_id(b.key),
                b.conversation_name.as_deref().unwrap_or(&b.conversation_native_id),
            )));
        }
        let (first, last) =
            if (a.sent_at_ms, a.row) <= (b.sent_at_ms, b.row) { (a, b) } else { (b, a) };
        let length = self.range_messages(first.key, last.key)?.len();
        if length > MAX_RANGE {
            return Err(AppError::Usage(format!(
                "the range holds {length} messages; at most {MAX_RANGE} can be one note or excerpt"
            )));
        }
        Ok((first.key, last.key))
    }

    /// The messages from key `first` to key `last` in conversation order.
    pub(crate) fn range_messages(
        &self,
        first: i64,
        last: i64,
    ) -> Result<Vec<StoredMessage>, AppError> {
        let (Some(a), Some(b)) =
            (self.store.message_by_key(first)?, self.store.message_by_key(last)?)
        else {
            return Ok(Vec::new());
        };
        Ok(self.store.between(&a, &b, MAX_RANGE + 1)?)
    }

    /// Adds a note on `target` (`ID` or `FIRST..LAST`).
    pub fn add_note(
        &mut self,
        target: &str,
        body: &str,
        author: &str,
    ) -> Result<NoteOutput, AppError> {
        if body.trim().is_empty() {
            return Err(AppError::Usage("a note needs some text".into()));
        }
        let (first, last) = self.resolve_target(target)?;
        let now = now();
        let id = self.store.add_note(first, last, body, Actor { author, now: &now })?;
        self.note(id)
    }

    /// The note `id` (deleted ones too).
    pub fn note(&self, id: i64) -> Result<NoteOutput, AppError> {
        self.store
            .note(id)?
            .map(NoteOutput::from)
            .ok_or_else(|| AppError::Usage(format!("there is no note {id}")))
    }

    /// Replaces a note's text; the earlier text is kept in the log.
    pub fn edit_note(&mut self, id: i64, body: &str, author: &str) -> Result<NoteOutput, AppError> {
        let note = self.note(id)?;
        if note.deleted_at.is_some() {
            return Err(AppError::Usage(format!("note {id} was deleted; add a new one")));
        }
        self.store.edit_note(id, body, Actor { author, now: &now() })?;
        self.note(id)
    }

    /// Deletes a note: it disappears from views but its row, its text, who
    /// deleted it and when stay in the case.
    pub fn delete_note(&mut self, id: i64, author: &str) -> Result<NoteOutput, AppError> {
        if !self.store.delete_note(id, Actor { author, now: &now() })? {
            return Err(AppError::Usage(format!("there is no live note {id}")));
        }
        self.note(id)
    }

    /// Every note (deleted ones only when asked), or those on one message.
    pub fn notes(
        &self,
        message: Option<&str>,
        with_deleted: bool,
    ) -> Result<Vec<NoteOutput>, AppError> {
        let rows = match message {
            Some(id) => self.store.notes_on(self.find_message(id)?.row)?,
            None => self.store.notes(with_deleted)?,
        };
        Ok(rows.into_iter().map(NoteOutput::from).collect())
    }

    /// Tags each message in `ids` with `tag`; returns how many were new.
    pub fn add_tag(&mut self, ids: &[String], tag: &str, author: &str) -> Result<usize, AppError> {
        check_tag(tag)?;
        let keys = self.keys(ids)?;
        let now = now();
        let mut added = 0;
        for key in keys {
            added += usize::from(self.store.add_tag(key, tag, Actor { author, now: &now })?);
        }
        Ok(added)
    }

    /// Removes `tag` from each message in `ids`; returns how many had it.
    pub fn remove_tag(
        &mut self,
        ids: &[String],
        tag: &str,
        author: &str,
    ) -> Result<usize, AppError> {
        let keys = self.keys(ids)?;
        let now = now();
        let mut removed = 0;
        for key in keys {
            removed += usize::from(self.store.remove_tag(key, tag, Actor { author, now: &now })?);
        }
        Ok(removed)
    }

    /// Every tag with its messages.
    pub fn tags(&self) -> Result<Vec<TagOutput>, AppError> {
        let mut out: Vec<TagOutput> = Vec::new();
        for row in self.store.tags(None)? {
            match out.last_mut() {
                Some(last) if last.tag == row.tag => {
                    last.message_ids.push(render_id(row.message_key))
                }
                _ => out.push(TagOutput {
                    tag: row.tag,
                    message_ids: vec![render_id(row.message_key)],
                }),
            }
        }
        Ok(out)
    }

    /// Sets the review status of each message in `ids`.
    pub fn set_status(
        &mut self,
        ids: &[String],
        status: &str,
        author: &str,
    ) -> Result<usize, AppError> {
        let status = review_status(status).map_err(AppError::Usage)?;
        let keys = self.keys(ids)?;
        let now = now();
        for &key in &keys {
            self.store.set_status(key, status, Actor { author, now: &now })?;
        }
        Ok(keys.len())
    }

    /// A message's notes, tags and status.
    pub fn annotations(&self, message: &StoredMessage) -> Result<AnnotationsOutput, AppError> {
        Ok(AnnotationsOutput {
            notes: self.store.notes_on(message.row)?.into_iter().map(NoteOutput::from).collect(),
            tags: self.store.tags(Some(message.key))?.into_iter().map(|t| t.tag).collect(),
            status: self
                .store
                .status(message.key)?
                .map_or_else(|| "unread".to_string(), |r| r.status),
        })
    }

    /// Fills in the annotations of `messages` that have any (a message
    /// with none keeps `None`, so hits stay small).
    pub fn attach_annotations(
        &self,
        messages: &mut [crate::MessageOutput],
    ) -> Result<(), AppError> {
        // Most cases are not annotated yet, most of the time: one query
        // instead of four per message; then one query for the page, and
        // the lookups only for the messages that have annotations.
        if messages.is_empty() || !self.store.has_annotations()? {
            return Ok(());
        }
        let keys: Vec<i64> = messages.iter().filter_map(|m| crate::parse_id(&m.id)).collect();
        let annotated = self.store.annotated_keys(&keys)?;
        for message in messages {
            if !crate::parse_id(&message.id).is_some_and(|key| annotated.contains(&key)) {
                continue;
            }
            let Some(stored) = crate::parse_id(&message.id)
                .map(|k| self.store.message_by_key(k))
                .transpose()?
                .flatten()
            else {
                continue;
            };
            let annotations = self.annotations(&stored)?;
            if !annotations.notes.is_empty()
                || !annotations.tags.is_empty()
                || annotations.status != "unread"
            {
                message.annotations = Some(annotations);
            }
        }
        Ok(())
    }

    /// The audit trail, newest first.
    pub fn annotation_log(&self, limit: usize) -> Result<Vec<LogOutput>, AppError> {
        Ok(self
            .store
            .annotation_log(limit)?
            .into_iter()
            .map(|l| LogOutput {
                at: l.at,
                author: l.author,
                action: l.action,
                message_id: l.message_key.map(render_id),
                detail: l.detail,
            })
            .collect())
    }

    /// Appends excerpts (`ID` or `FIRST..LAST` each) to collection `name`,
    /// all with the same note. Returns their positions.
    pub fn collection_add(
        &mut self,
        name: &str,
        targets: &[String],
        note: Option<&str>,
        author: &str,
    ) -> Result<Vec<i64>, AppError> {
        check_collection_name(name)?;
        let items = targets
            .iter()
            .map(|t| self.resolve_target(t).map(|(a, b)| (a, b, note.map(str::to_string))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.store.add_to_collection(name, &items, Actor { author, now: &now() })?)
    }

    /// Moves the excerpt at `from` to `to`.
    pub fn collection_move(
        &mut self,
        name: &str,
        from: i64,
        to: i64,
        author: &str,
    ) -> Result<(), AppError> {
        if self.store.move_in_collection(name, from, to, Actor { author, now: &now() })? {
            Ok(())
        } else {
            Err(AppError::Usage(format!("collection {name:?} has no excerpt #{from}")))
        }
    }

    /// Removes the excerpt at `position`.
    pub fn collection_remove(
        &mut self,
        name: &str,
        position: i64,
        author: &str,
    ) -> Result<(), AppError> {
        if self.store.remove_from_collection(name, position, Actor { author, now: &now() })? {
            Ok(())
        } else {
            Err(AppError::Usage(format!("collection {name:?} has no excerpt #{position}")))
        }
    }

    /// Every collection.
    pub fn collections(&self) -> Result<Vec<CollectionSummary>, AppError> {
        Ok(self
            .store
            .collections()?
            .into_iter()
            .map(|c| CollectionSummary {
                name: c.name,
                excerpts: c.items,
                author: c.author,
                created_at: c.created_at,
            })
            .collect())
    }

    /// Collection `name` with its messages.
    pub fn collection(&self, name: &str) -> Result<CollectionOutput, AppError> {
        let items = self.collection_items(name)?;
        let mut excerpts = Vec::with_capacity(items.len());
        for item in items {
            let messages = self
                .range_messages(item.first_key, item.last_key)?
                .iter()
                .map(|m| self.output(m, true))
                .collect::<Result<_, _>>()?;
            excerpts.push(ExcerptOutput {
                position: item.position,
                message_id: render_id(item.first_key),
                last_message_id: render_id(item.last_key),
                note: item.note,
                messages,
            });
        }
        Ok(CollectionOutput { name: name.to_string(), excerpts })
    }

    pub(crate) fn collection_items(&self, name: &str) -> Result<Vec<ItemRow>, AppError> {
        self.store.collection(name)?.ok_or_else(|| {
            AppError::Usage(format!(
                "there is no collection {name:?} (create one with `trove collection add {name} ID`)"
            ))
        })
    }

    fn keys(&self, ids: &[String]) -> Result<Vec<i64>, AppError> {
        if ids.is_empty() {
            return Err(AppError::Usage("name at least one message id".into()));
        }
        ids.iter().map(|id| self.find_message(id).map(|m| m.key)).collect()
    }
}

fn check_tag(tag: &str) -> Result<(), AppError> {
    let tag = tag.trim();
    if tag.is_empty() || tag.chars().count() > 100 || tag.chars().any(char::is_control) {
        return Err(AppError::Usage(format!(
            "`{}` is not a usable tag (1 to 100 characters, no control characters)",
            tag.escape_debug()
        )));
    }
    Ok(())
}

fn check_collection_name(name: &str) -> Result<(), AppError> {
    if name.trim().is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::Usage(format!(
            "`{}` is not a usable collection name (1 to 200 characters, no control characters)",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// A note's Markdown as safe HTML for the workbench: raw HTML shown as
/// text, no images, links as text (nothing in a case links out).
pub fn note_html(markdown: &str) -> String {
    trove_publish::markdown::to_html(markdown, false)
}

/// Now, RFC 3339 UTC with seconds.
pub(crate) fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}
