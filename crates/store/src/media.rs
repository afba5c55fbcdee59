//! Which attached files the messages list, by SHA-256 (what the workbench
//! may serve from the case's media store).

use crate::{Context, Store, StoreError};

impl Store {
    /// Calls `f` with `(sha256, message row)` for every attachment that
    /// carries a SHA-256, in message row order (a file attached to several
    /// messages comes once per message). One pass over the messages whose
    /// JSON extras name a `sha256` at all, read by SQLite's JSON functions:
    /// the attachments live inside `extra`, which no index covers.
    pub fn for_each_attachment_hash(&self, mut f: impl FnMut(&str, i64)) -> Result<(), StoreError> {
        let what = || "listing the attached files messages name".to_string();
        // `instr` skips the rows that cannot hold an attachment hash before
        // any JSON is parsed (extras are compact serde_json, so the key is
        // always written `"sha256":"`); `json_valid` keeps one damaged row
        // from failing the whole walk.
        let mut statement = self
            .conn()
            .prepare(
                "SELECT json_extract(a.value, '$.sha256'), m.id
                 FROM messages m, json_each(m.extra, '$.attachments') a
                 WHERE m.extra IS NOT NULL
                   AND instr(m.extra, '\"sha256\":\"') > 0
                   AND json_valid(m.extra)
                   AND json_type(a.value, '$.sha256') = 'text'
                 ORDER BY m.id",
            )
            .context(what)?;
        let mut rows = statement.query([]).context(what)?;
        while let Some(row) = rows.next().context(what)? {
            let sha256: String = row.get(0).context(what)?;
            let message: i64 = row.get(1).context(what)?;
            f(&sha256, message);
        }
        Ok(())
    }
}
