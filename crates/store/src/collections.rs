//! Collections of excerpts (named, ordered lists of messages or ranges,
//! each with an editorial note) and the case's redaction rules.

use rusqlite::{OptionalExtension, params};

use crate::annotations::{Actor, log};
use crate::{Context, Store, StoreError};

/// An excerpt in a collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRow {
    /// Row id.
    pub id: i64,
    /// 1-based position in the collection.
    pub position: i64,
    /// Key of the first (or only) message.
    pub first_key: i64,
    /// Key of the last message (equal to `first_key` for one message).
    pub last_key: i64,
    /// The editorial note, Markdown.
    pub note: Option<String>,
    /// Who added it.
    pub author: String,
}

/// A collection and how many excerpts it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionRow {
    /// Name.
    pub name: String,
    /// Number of excerpts.
    pub items: i64,
    /// Who created it.
    pub author: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A redaction rule as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRow {
    /// Row id (the rule's id).
    pub id: i64,
    /// `person`, `text`, `regex` or `detector`.
    pub kind: String,
    /// The person reference, string, pattern or detector name.
    pub value: String,
    /// For persons: the pseudonym chosen, if any.
    pub pseudonym: Option<String>,
}

impl Store {
    fn collection_id(&self, name: &str) -> Result<Option<i64>, StoreError> {
        self.conn()
            .query_row("SELECT id FROM collections WHERE name = ?1", [name], |r| r.get(0))
            .optional()
            .context(|| format!("finding collection {name:?}"))
    }

    /// Appends excerpts (`(first, last, note)`, keys) to collection `name`,
    /// creating it if needed. Returns the positions they got.
    pub fn add_to_collection(
        &mut self,
        name: &str,
        items: &[(i64, i64, Option<String>)],
        actor: Actor<'_>,
    ) -> Result<Vec<i64>, StoreError> {
        let existing = self.collection_id(name)?;
        let tx = self.conn_mut().transaction().context(|| format!("adding to {name:?}"))?;
        let id = match existing {
            Some(id) => id,
            None => {
                tx.execute(
                    "INSERT INTO collections(name, author, created_at) VALUES (?1, ?2, ?3)",
                    params![name, actor.author, actor.now],
                )
                .context(|| format!("creating collection {name:?}"))?;
                tx.last_insert_rowid()
            }
        };
        let start: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM collection_items WHERE collection_id = ?1",
                [id],
                |r| r.get(0),
            )
            .context(|| format!("reading collection {name:?}"))?;
        let mut positions = Vec::with_capacity(items.len());
        for (position, (first, last, note)) in (start..).zip(items) {
            tx.execute(
                "INSERT INTO collection_items(collection_id, position, first_key, last_key, note, author, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, position, first, last, note, actor.author, actor.now],
            )
            .context(|| format!("adding an excerpt to {name:?}"))?;
            log(&tx, actor, "collection.add", Some(*first), &format!("{name} #{position}"))?;
            positions.push(position);
        }
        tx.commit().context(|| format!("committing collection {name:?}"))?;
        Ok(positions)
    }

    /// The excerpts of collection `name` in order (`None`: no such
    /// collection).
    pub fn collection(&self, name: &str) -> Result<Option<Vec<ItemRow>>, StoreError> {
        let Some(id) = self.collection_id(name)? else { return Ok(None) };
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id, position, first_key, last_key, note, author FROM collection_items
                 WHERE collection_id = ?1 ORDER BY position",
            )
            .context(|| format!("reading collection {name:?}"))?;
        let rows = statement
            .query_map([id], |r| {
                Ok(ItemRow {
                    id: r.get(0)?,
                    position: r.get(1)?,
                    first_key: r.get(2)?,
                    last_key: r.get(3)?,
                    note: r.get(4)?,
                    author: r.get(5)?,
                })
            })
            .context(|| format!("reading collection {name:?}"))?;
        rows.collect::<Result<_, _>>().map(Some).context(|| format!("reading collection {name:?}"))
    }

    /// Every collection.
    pub fn collections(&self) -> Result<Vec<CollectionRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare(
                "SELECT c.name, COUNT(i.id), c.author, c.created_at FROM collections c
                 LEFT JOIN collection_items i ON i.collection_id = c.id
                 GROUP BY c.id ORDER BY c.name",
            )
            .context(|| "listing collections".into())?;
        let rows = statement
            .query_map([], |r| {
                Ok(CollectionRow {
                    name: r.get(0)?,
                    items: r.get(1)?,
                    author: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })
            .context(|| "listing collections".into())?;
        rows.collect::<Result<_, _>>().context(|| "listing collections".into())
    }

    /// Moves the excerpt at `from` to position `to` (1-based), shifting the
    /// others. Returns false when `from` is not a position of the collection.
    pub fn move_in_collection(
        &mut self,
        name: &str,
        from: i64,
        to: i64,
        actor: Actor<'_>,
    ) -> Result<bool, StoreError> {
        let Some(items) = self.collection(name)? else { return Ok(false) };
        let Some(index) = items.iter().position(|i| i.position == from) else { return Ok(false) };
        let mut order: Vec<i64> = items.iter().map(|i| i.id).collect();
        let moved = order.remove(index);
        let target = usize::try_from(to.saturating_sub(1)).unwrap_or(0).min(order.len());
        order.insert(target, moved);
        let tx = self.conn_mut().transaction().context(|| format!("reordering {name:?}"))?;
        for (position, id) in order.iter().enumerate() {
            tx.execute(
                "UPDATE collection_items SET position = ?2 WHERE id = ?1",
                params![id, position as i64 + 1],
            )
            .context(|| format!("reordering {name:?}"))?;
        }
        log(&tx, actor, "collection.move", None, &format!("{name} #{from} -> #{}", target + 1))?;
        tx.commit().context(|| format!("committing the order of {name:?}"))?;
        Ok(true)
    }

    /// Removes the excerpt at `position`, closing the gap. Returns false
    /// when there is none there.
    pub fn remove_from_collection(
        &mut self,
        name: &str,
        position: i64,
        actor: Actor<'_>,
    ) -> Result<bool, StoreError> {
        let Some(items) = self.collection(name)? else { return Ok(false) };
        let Some(item) = items.iter().find(|i| i.position == position) else { return Ok(false) };
        let tx = self.conn_mut().transaction().context(|| format!("removing from {name:?}"))?;
        tx.execute("DELETE FROM collection_items WHERE id = ?1", [item.id])
            .context(|| format!("removing from {name:?}"))?;
        for later in items.iter().filter(|i| i.position > position) {
            tx.execute(
                "UPDATE collection_items SET position = position - 1 WHERE id = ?1",
                [later.id],
            )
            .context(|| format!("renumbering {name:?}"))?;
        }
        let note = item.note.as_deref().unwrap_or("");
        log(
            &tx,
            actor,
            "collection.remove",
            Some(item.first_key),
            &format!("{name} #{position}: {note}"),
        )?;
        tx.commit().context(|| format!("committing a removal from {name:?}"))?;
        Ok(true)
    }

    /// Adds a redaction rule. Returns its id, or the existing rule's id when
    /// the same rule exists (its pseudonym is updated).
    pub fn add_rule(
        &mut self,
        kind: &str,
        value: &str,
        pseudonym: Option<&str>,
        actor: Actor<'_>,
    ) -> Result<i64, StoreError> {
        let tx = self.conn_mut().transaction().context(|| "adding a redaction rule".into())?;
        tx.execute(
            "INSERT INTO redaction_rules(kind, value, pseudonym, author, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(kind, value) DO UPDATE SET pseudonym = excluded.pseudonym",
            params![kind, value, pseudonym, actor.author, actor.now],
        )
        .context(|| format!("adding the {kind} rule {value:?}"))?;
        let id: i64 = tx
            .query_row(
                "SELECT id FROM redaction_rules WHERE kind = ?1 AND value = ?2",
                params![kind, value],
                |r| r.get(0),
            )
            .context(|| "reading a redaction rule".into())?;
        log(&tx, actor, "redact.add", None, &format!("rule {id}: {kind}"))?;
        tx.commit().context(|| "committing a redaction rule".into())?;
        Ok(id)
    }

    /// Every redaction rule, in the order they were added.
    pub fn rules(&self) -> Result<Vec<RuleRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare("SELECT id, kind, value, pseudonym FROM redaction_rules ORDER BY id")
            .context(|| "listing redaction rules".into())?;
        let rows = statement
            .query_map([], |r| {
                Ok(RuleRow {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    value: r.get(2)?,
                    pseudonym: r.get(3)?,
                })
            })
            .context(|| "listing redaction rules".into())?;
        rows.collect::<Result<_, _>>().context(|| "listing redaction rules".into())
    }

    /// Removes rule `id`. Returns false when there was none.
    pub fn remove_rule(&mut self, id: i64, actor: Actor<'_>) -> Result<bool, StoreError> {
        let tx = self.conn_mut().transaction().context(|| "removing a redaction rule".into())?;
        let removed = tx
            .execute("DELETE FROM redaction_rules WHERE id = ?1", [id])
            .context(|| format!("removing redaction rule {id}"))?
            > 0;
        if removed {
            // The value is not logged: the log must not keep what the rule hid.
            log(&tx, actor, "redact.remove", None, &format!("rule {id}"))?;
        }
        tx.commit().context(|| "committing a rule removal".into())?;
        Ok(removed)
    }
}
