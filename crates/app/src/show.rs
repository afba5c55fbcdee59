//! `show`.

use trove_store::StoredMessage;

use crate::contract::ShowOutput;
use crate::{AppError, Case};

impl Case {
    /// Finds a message by trove id, or by platform id when that is unique.
    pub fn find_message(&self, id: &str) -> Result<StoredMessage, AppError> {
        if let Some(key) = crate::parse_id(id)
            && let Some(message) = self.store.message_by_key(key)?
        {
            return Ok(message);
        }
        let mut by_native = self.store.messages_by_native_id(id)?;
        match by_native.len() {
            1 => Ok(by_native.remove(0)),
            0 => Err(AppError::NotFound(id.to_string())),
            n => Err(AppError::Usage(format!(
                "the platform id `{id}` names {n} messages; use one of their trove ids: {}",
                by_native.iter().map(|m| crate::render_id(m.key)).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// A message with `context` records before and after it in its
    /// conversation, and its provenance.
    pub fn show(&self, id: &str, context: usize) -> Result<ShowOutput, AppError> {
        let message = self.find_message(id)?;
        let (before, after) = self.store.context(&message, context)?;
        let mut output = ShowOutput {
            message: self.output(&message, true)?,
            before: self.outputs(&before, false)?,
            after: self.outputs(&after, false)?,
            annotations: self.annotations(&message)?,
        };
        self.attach_annotations(std::slice::from_mut(&mut output.message))?;
        self.attach_annotations(&mut output.before)?;
        self.attach_annotations(&mut output.after)?;
        Ok(output)
    }

    /// Marks in each message's text the words `query` matches (its
    /// `snippet` becomes the whole text, escaped, with `<mark>`s), as on
    /// a search page: reading a hit in context shows what matched.
    /// Messages without a match are left as they are.
    pub fn highlight(&self, query: &str, messages: &mut [crate::MessageOutput]) {
        if query.trim().is_empty() {
            return;
        }
        let (parsed, _) = trove_query::parse(query);
        let highlighter = trove_index::Highlighter::new(&parsed);
        for message in messages {
            if !highlighter.ranges(&message.text).is_empty() {
                message.snippet = Some(highlighter.snippet(&message.text, usize::MAX));
            }
        }
    }
}
